"""Opening the store for one command: the only way the CLI reaches it.

A use case runs inside one transaction (`open_store`), committed when the block succeeds;
`mark_saved` tells the error handling that the command's work is done (a file written, a
change committed), so an output that cannot be shown afterwards is not a failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from microup.core.location import StoreLocation
    from microup.store import Store


@contextmanager
def open_store(
    location: StoreLocation,
    *,
    write: bool,
    explicit: bool = True,
    create: bool = True,
    attach: Path | None = None,
) -> Iterator[Store]:
    """One transaction on the store at `location` (see `store.transaction`)."""
    from microup.store import transaction

    with transaction(
        location, write=write, explicit=explicit, create=create, attach=attach
    ) as store:
        yield store


def mark_saved() -> None:
    """The command's work is saved: whatever happens to its output, it succeeded."""
    from microup.store.base import mark_committed

    mark_committed()
