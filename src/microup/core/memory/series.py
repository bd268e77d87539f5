"""A topic's predicted recall over time: the forgetting curve a page or `review --topic` draws."""

from __future__ import annotations

from collections.abc import Iterable

from microup.core.memory.topic import STANDARD, Scale, StudyRow, TopicMemory


def retention_series(
    rows: Iterable[StudyRow], times: Iterable[int], scale: Scale = STANDARD
) -> list[float | None]:
    """One topic's predicted recall at each of ``times`` (ascending epoch seconds), from the
    sessions studied by then; None before the first. Draws a topic's past and future."""
    ordered = sorted(rows, key=lambda row: row[1])
    memory: TopicMemory | None = None
    series: list[float | None] = []
    index = 0
    for moment in times:
        while index < len(ordered) and ordered[index][1] <= moment:
            topic, at, minutes, grade, is_review, note = ordered[index]
            memory = memory or TopicMemory(topic)
            if is_review:
                memory.review(at, minutes, grade)
            else:
                memory.learn(at, minutes, note)
            index += 1
        series.append(None if memory is None else memory.retention(moment, scale))
    return series
