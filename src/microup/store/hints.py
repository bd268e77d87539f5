"""A small file the store keeps current after every change, for completion and
`status --short`: topic names, the latest entries, the timer and the last days' minutes.

Reading it costs a JSON load, not SQLAlchemy's import: a TAB or a shell prompt answers
at once. It is a cache: wrong only until the next write, and never read for anything kept.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

if TYPE_CHECKING:
    from microup.store.queries import Store

MAX_TOPICS = 2000
RECENT_ENTRIES = 30


def gather(store: Store, moment: datetime) -> dict[str, Any]:
    """What completion and `status --short` need, read inside the change's own transaction."""
    names = store.connection.execute(
        text(f"SELECT name FROM topic ORDER BY name LIMIT {MAX_TOPICS}")
    ).scalars()
    timer = store.timer()
    today = moment.date()
    days = store.daily_minutes(today - timedelta(days=7), today)
    monday = today - timedelta(days=today.weekday())
    return {
        "topics": list(names),
        "entries": [
            [entry.id, entry.topic or "", entry.at.strftime("%Y-%m-%d %H:%M"), entry.minutes]
            for entry in store.entries(limit=RECENT_ENTRIES)
        ],
        "timer": None
        if timer is None
        else {"started": timer.started.isoformat(), "topic": timer.topic or ""},
        "days": {day.isoformat(): minutes for day, minutes in days.items()},
        "goal": store.goals().goal_for(monday),
        "goal_week": monday.isoformat(),
    }
