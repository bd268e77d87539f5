"""`topics rename` and programmes: a rename that would leave a programme with one module
twice under a topic is refused (its parts could not be told apart, nor its export import)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from microup.core.errors import MicroupError
from microup.core.text import printable

if TYPE_CHECKING:
    from microup.store import Store


def check_topic_rename(store: Store, old: str, new: str) -> None:
    """Refuse renaming topic `old` to `new` when a programme has a module of one title in
    both: name the programme and the module, so the outline can be edited first."""
    from microup.store import programmes as rows

    clash = rows.rename_clash(store, old, new)
    if clash is not None:
        name, title, was, into = clash
        raise MicroupError(
            f"programme {printable(name)} has a module {printable(title)!r} in both "
            f"{printable(was)} and {printable(into)}; rename one in the outline first"
        )
