"""One imported row checked with the rules of `microup log`, whichever file it came from: a
row is valid in `log`, `edit` and every import, or in none."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from microup.core.errors import UsageError
from microup.core.memory import parse_grade
from microup.core.text import clean_note, clean_topic
from microup.core.values import KINDS, Entry, Kind
from microup.core.when import MAX_ENTRY_MINUTES, parse_duration, parse_when


def _text(value: Any, what: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise UsageError(f"{what} must be text, not {json.dumps(value)}")
    return value


def _minutes(value: Any) -> int:
    if type(value) is int and 1 <= value <= MAX_ENTRY_MINUTES:
        return value
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise UsageError(f"minutes must be a whole number, not {json.dumps(value)}")
    return parse_duration(str(value))


def _entry(row: Mapping[str, Any], now: datetime) -> Entry:
    """One row checked with exactly the rules of `microup log`."""
    at = _text(row.get("at"), "at")
    if at is None:
        raise UsageError("'at' is missing")
    topic = _text(row.get("topic"), "topic")
    note = _text(row.get("note"), "note")
    recall = row.get("recall")
    if type(recall) is int and 1 <= recall <= 4:
        grade: int | None = recall
    else:
        grade = None if recall in (None, "") else int(parse_grade(str(recall)))
    return Entry(
        kind=_kind(row.get("kind"), graded=grade is not None, topic=topic),
        at=parse_when(at, now, keep_offset=True, absolute=True),
        minutes=_minutes(row.get("minutes")),
        topic=clean_topic(topic) if topic is not None else None,
        note=clean_note(note) if note is not None else None,
        grade=grade,
    )


def _kind(value: Any, *, graded: bool, topic: str | None) -> Kind:
    """ "learn" or "review"; an older export without it: a graded entry with a topic was a
    review. A review always names the topic it reviews."""
    if value is None or value == "":
        return "review" if graded and topic is not None else "learn"
    if value not in KINDS:
        raise UsageError(f'kind must be "learn" or "review", not {json.dumps(value)}')
    if value == "review" and topic is None:
        raise UsageError("a review needs the topic it reviews")
    return "review" if value == "review" else "learn"


def checked(row: Any, now: datetime, where: str | int) -> Entry:
    """One row as an entry, or an error that says where it is in the file (a number is the
    entry's place in a JSON export)."""
    try:
        if not isinstance(row, dict):
            raise UsageError("not an entry object")
        return _entry(row, now)
    except UsageError as error:
        place = f"entry {where}" if isinstance(where, int) else where
        raise UsageError(f"{place}: {error}") from None
