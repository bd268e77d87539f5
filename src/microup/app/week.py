"""The week use case: this week against the goal, with the streak."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from microup.core.weeks import WeekSummary
    from microup.store import Store


def this_week(store: Store, moment: datetime) -> WeekSummary:
    """The week holding `moment`, with the streak (per-day totals: one row a day)."""
    from microup.core.weeks import summarize_week

    return summarize_week(moment.date(), store.daily_minutes(), store.goals())
