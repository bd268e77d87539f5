"""Weeks off, kept by their Monday (`holiday` table); journaled, so undo covers them."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from microup.store.queries import Store


def set_week_off(store: Store, monday: date, *, off: bool) -> bool:
    """Mark (or unmark) the week starting `monday` as a week off; whether anything changed."""
    key = {"week_start": monday.isoformat()}
    before = store._put("holiday", key, key if off else None)
    return (before is None) == off
