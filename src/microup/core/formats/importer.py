"""Export and import: a person's whole history out as JSON or CSV, and back in, all or nothing.

Pure apart from the text streams it is handed: reading validates every row with the same
rules as `microup log` before anything is written, so one bad row imports nothing.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NoReturn, TextIO

from microup.core.errors import UsageError
from microup.core.formats import json_stream
from microup.core.formats.export import EXPORT_FORMAT, EXPORT_VERSION, from_spreadsheet_safe
from microup.core.formats.json_stream import MAX_VALUE_CHARS, TOO_LONG, Joined, JsonStream
from microup.core.memory import parse_grade
from microup.core.text import clean_note, clean_topic
from microup.core.values import KINDS, Entry, Kind
from microup.core.when import MAX_ENTRY_MINUTES, parse_duration, parse_goal, parse_when


@dataclass
class ImportBatch:
    """Everything a file holds, validated: entries, goals by week, settings."""

    entries: list[Entry] = field(default_factory=list)
    goals: list[tuple[date, int]] = field(default_factory=list)
    settings: dict[str, str] = field(default_factory=dict)
    programmes: list[Any] = field(default_factory=list)
    """Programmes with their progress (`core.formats.programmes`), as the file gives them."""


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


def _checked(row: Any, now: datetime, where: str | int) -> Entry:
    """One row as an entry, or an error that says where it is in the file (a number is the
    entry's place in a JSON export)."""
    try:
        if not isinstance(row, dict):
            raise UsageError("not an entry object")
        return _entry(row, now)
    except UsageError as error:
        place = f"entry {where}" if isinstance(where, int) else where
        raise UsageError(f"{place}: {error}") from None


MAX_CSV_FIELD_CHARS = 16_384
MAX_IMPORT_ENTRIES = 10_000_000


def _check_header(document: Mapping[str, Any]) -> None:
    if document.get("format") != EXPORT_FORMAT:
        raise UsageError('not a microup export (no "format": "microup")')
    version = document.get("version")
    if type(version) is not int or version != EXPORT_VERSION:
        raise UsageError(
            f"export version {version!r} is not one this microup reads ({EXPORT_VERSION})"
        )


_NOT_OURS = 'not a microup export (no "format": "microup")'
_SHAPES = '"entries" and "goals" must be lists and "settings" an object'


def _refuse_other_json(reader: JsonStream) -> NoReturn:
    """A document that is not an object: say whether it is JSON at all, then refuse it."""
    whole = reader.text[reader.at :] + reader.stream.read(MAX_VALUE_CHARS)
    if reader.stream.read(1):  # too big to look into: not ours whatever it holds
        raise UsageError(_NOT_OURS)
    try:
        json.loads(whole)
    except json.JSONDecodeError as error:
        raise UsageError(f"not valid JSON (line {error.lineno}: {error.msg})") from None
    except (ValueError, RecursionError):
        raise UsageError(TOO_LONG) from None
    raise UsageError(_NOT_OURS)


def _keys(reader: JsonStream) -> Iterator[str]:
    """The top-level keys of the export object, each once, the reader left at its value."""
    reader.take("{")
    seen: set[str] = set()
    while reader.peek() != "}":
        if seen:
            reader.take(",")
        key = reader.value()
        if not isinstance(key, str):
            raise UsageError(f"not valid JSON (line {reader.line()}: a key must be text)")
        if key in seen:
            raise UsageError(f'not a microup export ("{key}" is given twice)')
        seen.add(key)
        reader.take(":")
        yield key
    reader.take("}")
    if reader.peek():
        raise UsageError(f"not valid JSON (line {reader.line()}: Extra data)")


def _entry_list(reader: JsonStream, now: datetime) -> Iterator[Entry]:
    reader.take("[")
    count = 0
    more = reader.peek() != "]"
    while more:
        count += 1
        if count > MAX_IMPORT_ENTRIES:
            raise UsageError(f"more than {MAX_IMPORT_ENTRIES:,} entries in one import")
        yield _checked(reader.value(), now, count)
        more = reader.peek() == ","
        reader.at += more
    reader.take("]")


def _programmes(value: Any) -> list[Any]:
    from microup.core.formats.programmes import read_programme

    if not isinstance(value, list):
        raise UsageError('"programmes" must be a list')
    return [read_programme(item, n) for n, item in enumerate(value, 1)]


def _keep(key: str, value: Any, header: dict[str, Any], batch: ImportBatch) -> None:
    """A top-level value other than the entries: the header, goals or settings."""
    if key in ("format", "version"):
        header[key] = value
        if key == "format" or "format" in header:
            _check_header({**header, "version": header.get("version", EXPORT_VERSION)})
    elif key == "entries" or (key == "goals" and not isinstance(value, list)):
        raise UsageError(_SHAPES)
    elif key == "goals":
        batch.goals.extend(_goal(goal, f"goal {index}") for index, goal in enumerate(value, 1))
    elif key == "settings":
        if not isinstance(value, dict):
            raise UsageError(_SHAPES)
        for name, setting in value.items():
            if not isinstance(setting, str):
                raise UsageError(f"setting {name!r}: value must be text")
            batch.settings[str(name)] = setting
    elif key == "programmes":
        batch.programmes.extend(_programmes(value))


def _json_entries(reader: JsonStream, batch: ImportBatch, now: datetime) -> Iterator[Entry]:
    """A microup JSON export's entries, one at a time; goals, settings and the header land
    in `batch` and are checked once the whole object has been read."""
    if reader.peek() != "{":
        _refuse_other_json(reader)
    header: dict[str, Any] = {}
    for key in _keys(reader):
        if key == "entries" and reader.peek() == "[":
            yield from _entry_list(reader, now)
        else:
            _keep(key, reader.value(), header, batch)
    _check_header(header)
    starts = [start for start, _ in batch.goals]
    if len(set(starts)) != len(starts):
        raise UsageError("two goals start in the same week")


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


def _csv_entries(stream: Joined, now: datetime) -> Iterator[Entry]:
    """A CSV export's entries, one line at a time."""
    csv.field_size_limit(MAX_CSV_FIELD_CHARS)
    reader = csv.DictReader(stream, strict=True)
    try:
        columns = list(reader.fieldnames or ())
        if len(set(columns)) != len(columns):
            raise UsageError("the CSV header names a column twice")
        missing = {"at", "minutes"} - set(columns)
        if missing:
            raise UsageError(f"not a microup CSV export (no {', '.join(sorted(missing))} column)")
        for count, row in enumerate(reader, 1):
            where = f"line {reader.line_num}"
            if count > MAX_IMPORT_ENTRIES:
                raise UsageError(f"more than {MAX_IMPORT_ENTRIES:,} entries in one import")
            if None in row:
                raise UsageError(f"{where}: more fields than columns")
            for column in ("topic", "note"):
                if isinstance(row.get(column), str):
                    row[column] = from_spreadsheet_safe(row[column])
            yield _checked(row, now, where)
    except csv.Error as error:
        raise UsageError(f"line {reader.line_num + 1}: not valid CSV ({error})") from None


def stream_export(
    stream: TextIO, fmt: str | None, now: datetime, hint: str | None = None
) -> tuple[Iterator[Entry], ImportBatch]:
    """Read a JSON or CSV export as it goes: its entries one at a time, each checked with
    the rules of `microup log`; the batch gets the goals and settings, and is complete once
    the entries are exhausted (a problem anywhere is raised by then). Not given, the format
    is another tool's when the file looks like it (`foreign.guess`), else the `hint` (the
    file's extension), else guessed from the first character."""
    from microup.core.formats import foreign

    batch = ImportBatch()
    first = stream.read(json_stream.CHUNK_CHARS)
    chosen = fmt or foreign.guess(first) or hint
    chosen = chosen or ("json" if first.lstrip().startswith(("{", "[")) else "csv")
    rest = Joined(first, stream)
    if chosen in foreign.READERS:  # from Watson, Timewarrior or Toggl: read whole
        return foreign.READERS[chosen](_whole(rest), now), batch
    if chosen == "json":
        return _json_entries(JsonStream(rest), batch, now), batch
    return _csv_entries(rest, now), batch


MAX_FOREIGN_CHARS = 256 << 20
"""The largest file from another tool an import reads (it is read whole)."""


def _whole(rest: Joined) -> str:
    parts, size = [], 0
    while part := rest.read(json_stream.CHUNK_CHARS):
        size += len(part)
        if size > MAX_FOREIGN_CHARS:
            raise UsageError(f"the file is larger than {MAX_FOREIGN_CHARS >> 20} MiB")
        parts.append(part)
    return "".join(parts)


def read_export(text: str, fmt: str | None, now: datetime) -> ImportBatch:
    """Validate a whole JSON or CSV export held in memory (tests, small files)."""
    entries, batch = stream_export(io.StringIO(text, newline=""), fmt, now)
    batch.entries = list(entries)
    return batch
