"""What an import adopts besides the entries: goals, settings, programmes and weeks off."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from microup.core.formats.importer import ImportBatch
    from microup.store import Store


def adopt_the_rest(
    store: Store, batch: ImportBatch, settings: Mapping[str, str]
) -> tuple[bool, dict[str, str], dict[str, str]]:
    """The store's own goals and settings always win; the file's fill only what is unset.
    Programmes merge by name, and a week off in the file is one here too. Whether the
    file's goals were taken, the settings that were, and what became of each programme
    (by name: added, updated or kept)."""
    from microup.app.programme import import_programmes
    from microup.store.holidays import set_week_off

    adopt_goals = not store.goals().changes
    for start, minutes in batch.goals if adopt_goals else []:
        store.set_goal(start, minutes)
    stored = store.settings()
    new_settings = {key: value for key, value in settings.items() if key not in stored}
    for key, value in new_settings.items():
        store.set_setting(key, value)
    programmes = import_programmes(store, batch.programmes)
    for monday in batch.holidays:
        set_week_off(store, monday, off=True)
    return adopt_goals, new_settings, programmes
