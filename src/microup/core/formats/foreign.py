"""Reading what people bring from the tools they come from: Watson's frames (`watson log
--json`), Timewarrior's intervals (`timew export`) and a Toggl-style CSV of
`date,minutes,topic`. Pure: text in, entries out, each checked with the rules of `microup
import` (`rows.checked`); the import itself (all or nothing, duplicates skipped) is the
same as for microup's own files.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any

from microup.core.errors import UsageError
from microup.core.formats.rows import checked

FOREIGN_FORMATS = ("watson", "timew", "toggl")
TOGGL_COLUMNS = ("date", "minutes", "topic")

_TIMEW_TIME = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})T([0-9]{2})([0-9]{2})([0-9]{2})Z")


def guess(first: str) -> str | None:
    """Which of these a file is, from its first part; None when none of them."""
    text = first.lstrip()
    if text.startswith("["):
        if '"project"' in text[:4096]:
            return "watson"
        if _TIMEW_TIME.search(text[:4096]):
            return "timew"
        return None
    header = text.split("\n", 1)[0].strip().lower().replace(" ", "")
    return "toggl" if tuple(header.split(",")[:3]) == TOGGL_COLUMNS else None


def _array(text: str, what: str) -> list[Any]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise UsageError(f"not {what} (not valid JSON)") from None
    if not isinstance(data, list):
        raise UsageError(f"not {what} (a JSON list was expected)")
    return data


def _minutes_between(start: str, end: str) -> int:
    try:
        seconds = (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()
    except (TypeError, ValueError):
        raise UsageError(f"cannot read the times {start!r} and {end!r}") from None
    return round(seconds / 60)


def _frame(frame: Mapping[str, Any]) -> dict[str, Any]:
    """A Watson frame as a microup row: the project is the topic, the tags the note."""
    start, stop = frame.get("start"), frame.get("stop")
    if not isinstance(start, str) or not isinstance(stop, str):
        raise UsageError("a frame needs its start and stop")
    tags = frame.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        raise UsageError("tags must be a list of text")
    return {
        "at": start,
        "minutes": _minutes_between(start, stop),
        "topic": frame.get("project"),
        "note": " ".join(f"+{tag}" for tag in tags) or None,
    }


def _placed(convert: Callable[[Mapping[str, Any]], dict[str, Any]], item: Any, where: str) -> Any:
    """`item` as a microup row (left as it is when not an object: `checked` says so)."""
    if not isinstance(item, dict):
        return item
    try:
        return convert(item)
    except UsageError as error:
        raise UsageError(f"{where}: {error}") from None


def watson_entries(text: str, now: datetime) -> Iterator[Any]:
    """Watson's frames (`watson log --json`)."""
    for place, frame in enumerate(_array(text, "a Watson log (watson log --json)"), 1):
        yield checked(_placed(_frame, frame, f"frame {place}"), now, f"frame {place}")


def _timew_time(value: Any) -> str:
    match = _TIMEW_TIME.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise UsageError(f"not a Timewarrior time: {json.dumps(value)}")
    year, month, day, hour, minute, second = match.groups()
    return f"{year}-{month}-{day}T{hour}:{minute}:{second}+00:00"


def _interval(interval: Mapping[str, Any]) -> dict[str, Any]:
    """A Timewarrior interval as a microup row: its first tag is the topic, the rest and the
    annotation the note."""
    if "end" not in interval:
        raise UsageError("still running (no end): stop it in Timewarrior first")
    start, end = _timew_time(interval.get("start")), _timew_time(interval.get("end"))
    tags = interval.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        raise UsageError("tags must be a list of text")
    annotation = interval.get("annotation")
    rest = [f"+{tag}" for tag in tags[1:]] + ([annotation] if isinstance(annotation, str) else [])
    return {
        "at": start,
        "minutes": _minutes_between(start, end),
        "topic": tags[0] if tags else None,
        "note": " ".join(rest) or None,
    }


def timew_entries(text: str, now: datetime) -> Iterator[Any]:
    """Timewarrior's intervals (`timew export`)."""
    for place, interval in enumerate(_array(text, "a Timewarrior export (timew export)"), 1):
        where = f"interval {place}"
        yield checked(_placed(_interval, interval, where), now, where)


def toggl_entries(text: str, now: datetime) -> Iterator[Any]:
    """A CSV whose first columns are `date,minutes,topic` (a date, or a date and time)."""
    reader = csv.reader(text.splitlines())
    try:
        header = [name.strip().lower() for name in next(reader, [])]
        if tuple(header[:3]) != TOGGL_COLUMNS:
            raise UsageError("not a CSV of date,minutes,topic (see its first line)")
        for line in reader:
            if not any(field.strip() for field in line):
                continue
            where = f"line {reader.line_num}"
            if len(line) != len(header):
                raise UsageError(f"{where}: {len(line)} fields, the header has {len(header)}")
            row = dict(zip(header, (field.strip() for field in line), strict=True))
            yield checked({"at": row["date"], **row}, now, where)
    except csv.Error as error:
        raise UsageError(f"line {reader.line_num}: not valid CSV ({error})") from None


READERS = {"watson": watson_entries, "timew": timew_entries, "toggl": toggl_entries}
