"""Figures over a range of time (`--from/--to`, `--week`, `--last-week`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from microup.core.ranges import TimeRange
    from microup.core.values import TopicTotal
    from microup.store import Store


def topic_totals(store: Store, span: TimeRange) -> list[TopicTotal]:
    """Each topic's minutes and sessions within `span` (all time: the running totals)."""
    if not span.bounded:
        return store.topic_totals()
    from microup.store.ranges import topic_totals_between

    return topic_totals_between(store, span.start, span.end)
