"""Totals over a span of time (`--from/--to`, `--week`): summed from the entries, since the
kept totals (`topic_total`, `day_total`) cover all time."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import text

from microup.core.values import TopicTotal
from microup.core.when import from_stored

if TYPE_CHECKING:
    from microup.store.queries import Store


def topic_totals_between(
    store: Store, since: datetime | None, until: datetime | None
) -> list[TopicTotal]:
    """Each topic studied in the span, with its minutes, sessions and last study in it."""
    rows = store.connection.execute(
        text(
            "SELECT t.name, SUM(e.minutes), COUNT(*), MAX(e.at) FROM entry e"
            " JOIN topic t ON t.id = e.topic_id WHERE e.at >= :low AND e.at < :high"
            " GROUP BY t.name ORDER BY MAX(e.at) DESC"
        ),
        {
            "low": int(since.timestamp()) if since is not None else -(2**62),
            "high": int(until.timestamp()) if until is not None else 2**62,
        },
    )
    return [
        TopicTotal(name, int(minutes), int(sessions), from_stored(int(last), 0).astimezone())
        for name, minutes, sessions, last in rows
    ]
