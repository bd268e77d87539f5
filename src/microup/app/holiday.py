"""Weeks off: a week marked off neither breaks nor extends a streak (issue 20)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from microup.core.weeks import week_label

if TYPE_CHECKING:
    from microup.store import Store


def set_week_off(store: Store, monday: date, *, off: bool) -> bool:
    """Mark the week starting `monday` off (or not), journaled; whether anything changed
    (a week off already is said so). Taking back a week that is not off is an error: the
    person meant another week, and must not be told it counts again as if it had not."""
    from microup.core.errors import NotFoundError
    from microup.store.holidays import set_week_off as write

    label = week_label(monday)
    changed = write(store, monday, off=off)
    if not changed and not off:
        raise NotFoundError(f"{label} is not a week off; nothing to remove")
    if changed:
        store.describe(
            f"Week {label} off" if off else f"Week {label} no longer off",
            f"Week {label} counts again" if off else f"Week {label} off again",
        )
    return changed
