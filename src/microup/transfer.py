"""Export and import: a person's whole history out as JSON or CSV, and back in, all or nothing.

Pure apart from the text streams it is handed: reading validates every row with the same
rules as `microup log` before anything is written, so one bad row imports nothing.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TextIO

from microup.domain import KINDS, DedupeKey, Entry, Kind
from microup.errors import UsageError
from microup.memory import parse_grade
from microup.parse import (
    clean_note,
    clean_topic,
    parse_duration,
    parse_goal,
    parse_when,
    topic_key,
)

EXPORT_FORMAT = "microup"
EXPORT_VERSION = 1
CSV_COLUMNS = ("id", "at", "minutes", "topic", "note", "recall", "kind")
FORMATS = ("json", "csv")


def dedupe_key(entry: Entry) -> DedupeKey:
    """What makes two entries the same: time (to the second), minutes, topic (any case), note."""
    return (
        int(entry.at.timestamp()),
        entry.minutes,
        topic_key(entry.topic) if entry.topic else None,
        entry.note,
    )


def entry_record(entry: Entry) -> dict[str, Any]:
    return {
        "minutes": entry.minutes,
        "topic": entry.topic,
        "note": entry.note,
        "at": entry.at.isoformat(timespec="seconds"),
        "recall": entry.recall,
        "kind": entry.kind,
    }


def write_json(
    out: TextIO,
    entries: Iterable[Entry],
    goals: Iterable[tuple[date, int]],
    settings: Mapping[str, str],
) -> int:
    """Stream a JSON export, one entry per line; returns how many entries were written."""
    out.write(f'{{"format": "{EXPORT_FORMAT}", "version": {EXPORT_VERSION},\n "entries": [')
    count = 0
    for entry in entries:
        out.write(",\n  " if count else "\n  ")
        out.write(json.dumps(entry_record(entry), ensure_ascii=False))
        count += 1
    goal_rows = [{"week_start": start.isoformat(), "minutes": minutes} for start, minutes in goals]
    out.write("\n ],\n")
    out.write(f' "goals": {json.dumps(goal_rows)},\n')
    out.write(f' "settings": {json.dumps(dict(settings), ensure_ascii=False)}\n}}\n')
    return count


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")


def spreadsheet_safe(text: str) -> str:
    """A CSV cell a spreadsheet shows as text: a leading `= + - @` (or tab, carriage return,
    apostrophe) gets an apostrophe before it, so `=HYPERLINK(...)` is never run. Reversed by
    `from_spreadsheet_safe` on import, so a round trip keeps the text exactly."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def from_spreadsheet_safe(text: str) -> str:
    """Undo `spreadsheet_safe`."""
    return text[1:] if text.startswith("'") else text


def write_csv(out: TextIO, entries: Iterable[Entry]) -> int:
    """Write entries as CSV with a header row; returns how many entries were written."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for entry in entries:
        record = entry_record(entry)
        writer.writerow(
            [
                entry.id,
                record["at"],
                entry.minutes,
                spreadsheet_safe(entry.topic or ""),
                spreadsheet_safe(entry.note or ""),
                entry.recall or "",
                entry.kind,
            ]
        )
        count += 1
    return count


@dataclass
class ImportBatch:
    """Everything a file holds, validated: entries, goals by week, settings."""

    entries: list[Entry] = field(default_factory=list)
    goals: list[tuple[date, int]] = field(default_factory=list)
    settings: dict[str, str] = field(default_factory=dict)


def _text(value: Any, what: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise UsageError(f"{what} must be text, not {json.dumps(value)}")
    return value


def _minutes(value: Any) -> int:
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
    grade = None if recall in (None, "") else int(parse_grade(str(recall)))
    return Entry(
        kind=_kind(row.get("kind"), graded=grade is not None, topic=topic),
        at=parse_when(at, now, keep_offset=True, absolute=True),
        minutes=_minutes(row.get("minutes")),
        topic=clean_topic(topic) if topic is not None else None,
        note=clean_note(note) if note is not None else None,
        recall=grade,
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


def _rows_with_numbers(rows: Iterable[tuple[str, Any]], now: datetime) -> Iterator[Entry]:
    for where, row in rows:
        if not isinstance(row, dict):
            raise UsageError(f"{where}: not an entry object")
        try:
            yield _entry(row, now)
        except UsageError as error:
            raise UsageError(f"{where}: {error}") from None


def _read_json(text: str, now: datetime) -> ImportBatch:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise UsageError(f"not valid JSON (line {error.lineno}: {error.msg})") from None
    except (ValueError, RecursionError):  # numbers too long, nesting too deep
        raise UsageError(
            "not a JSON file microup can read (too deeply nested or too long)"
        ) from None
    if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT:
        raise UsageError('not a microup export (no "format": "microup")')
    version = document.get("version")
    if type(version) is not int or version != EXPORT_VERSION:
        raise UsageError(
            f"export version {version!r} is not one this microup reads ({EXPORT_VERSION})"
        )
    entries, goals, settings = (
        document.get(key, default)
        for key, default in (("entries", []), ("goals", []), ("settings", {}))
    )
    if (
        not isinstance(entries, list)
        or not isinstance(goals, list)
        or not isinstance(settings, dict)
    ):
        raise UsageError('"entries" and "goals" must be lists and "settings" an object')
    batch = ImportBatch(
        entries=list(
            _rows_with_numbers(((f"entry {i}", row) for i, row in enumerate(entries, 1)), now)
        )
    )
    for index, goal in enumerate(goals, 1):
        batch.goals.append(_goal(goal, f"goal {index}"))
    starts = [start for start, _ in batch.goals]
    if len(set(starts)) != len(starts):
        raise UsageError("two goals start in the same week")
    for key, value in settings.items():
        if not isinstance(value, str):
            raise UsageError(f"setting {key!r}: value must be text")
        batch.settings[str(key)] = value
    return batch


def _goal(goal: Any, where: str) -> tuple[date, int]:
    """One weekly goal from a JSON export: a Monday and the minutes from then on."""
    if not isinstance(goal, dict) or not {"week_start", "minutes"} <= set(goal):
        raise UsageError(f'{where}: not a weekly goal (needs "week_start" and "minutes")')
    try:
        start = date.fromisoformat(str(goal["week_start"]))
    except ValueError:
        raise UsageError(f"{where}: week_start is not a date") from None
    if start.weekday() != 0:
        raise UsageError(f"{where}: week_start {start} is not a Monday")
    try:
        return start, parse_goal(str(goal["minutes"]))
    except UsageError as error:
        raise UsageError(f"{where}: {error}") from None


def _read_csv(text: str, now: datetime) -> ImportBatch:
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        columns = list(reader.fieldnames or ())
        if len(set(columns)) != len(columns):
            raise UsageError("the CSV header names a column twice")
        missing = {"at", "minutes"} - set(columns)
        if missing:
            raise UsageError(f"not a microup CSV export (no {', '.join(sorted(missing))} column)")
        numbered = [(f"line {reader.line_num}", row) for row in reader]
    except csv.Error as error:
        raise UsageError(f"line {reader.line_num + 1}: not valid CSV ({error})") from None
    for where, row in numbered:
        if None in row:
            raise UsageError(f"{where}: more fields than columns")
        for column in ("topic", "note"):
            if isinstance(row.get(column), str):
                row[column] = from_spreadsheet_safe(row[column])
    return ImportBatch(entries=list(_rows_with_numbers(numbered, now)))


def read_export(text: str, fmt: str | None, now: datetime) -> ImportBatch:
    """Validate a whole JSON or CSV export; the format is guessed from the text if not given."""
    chosen = fmt or ("json" if text.lstrip().startswith(("{", "[")) else "csv")
    return _read_json(text, now) if chosen == "json" else _read_csv(text, now)


def to_add(entries: Iterable[Entry], existing: Counter[DedupeKey]) -> list[Entry]:
    """The entries not already in the store, counting copies, so importing twice adds nothing."""
    seen: Counter[DedupeKey] = Counter()
    fresh: list[Entry] = []
    for entry in entries:
        key = dedupe_key(entry)
        seen[key] += 1
        if seen[key] > existing[key]:
            fresh.append(entry)
    return fresh
