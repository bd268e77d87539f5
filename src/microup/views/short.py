"""`microup status --short`: one line for a shell prompt or a status bar, from the store's
hints (`store.hints`), so it costs no database library and no Rich."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from microup.core.text import printable


def _week_minutes(days: dict[str, int], today: date) -> int:
    monday = today - timedelta(days=today.weekday())
    total = 0
    for text, minutes in days.items():
        try:
            day = date.fromisoformat(text)
        except ValueError:
            continue
        if monday <= day <= today:
            total += int(minutes)
    return total


def short_line(hints: dict[str, Any], moment: datetime) -> str:
    """`SQL 25m | 35/60 min this week`, or without a timer `35/60 min this week`."""
    today = moment.date()
    week = f"{_week_minutes(hints.get('days') or {}, today)}/{hints.get('goal', 60)} min this week"
    timer = hints.get("timer")
    if not timer:
        return week
    try:
        started = datetime.fromisoformat(str(timer["started"]))
        running = max(0, int((moment - started).total_seconds() // 60))
    except (KeyError, TypeError, ValueError):
        return week
    topic = printable(str(timer.get("topic") or "")) or "timer"
    return f"{topic} {running}m | {week}"
