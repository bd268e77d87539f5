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
from microup.core.formats.rows import checked
from microup.core.holiday import FIRST_YEAR, LAST_YEAR
from microup.core.text import topic_key
from microup.core.values import Entry
from microup.core.when import parse_goal


@dataclass
class ImportBatch:
    """Everything a file holds, validated: entries, goals by week, settings."""

    entries: list[Entry] = field(default_factory=list)
    goals: list[tuple[date, int]] = field(default_factory=list)
    settings: dict[str, str] = field(default_factory=dict)
    programmes: list[Any] = field(default_factory=list)
    """Programmes with their progress (`core.formats.programmes`), as the file gives them."""
    holidays: list[date] = field(default_factory=list)
    """Weeks off, by their Monday."""


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
        yield checked(reader.value(), now, count)
        more = reader.peek() == ","
        reader.at += more
    reader.take("]")


def _programmes(value: Any) -> list[Any]:
    from microup.core.formats.programmes import read_programme

    if not isinstance(value, list):
        raise UsageError('"programmes" must be a list')
    read = [read_programme(item, n) for n, item in enumerate(value, 1)]
    first: dict[str, int] = {}
    for number, programme in enumerate(read, 1):
        earlier = first.setdefault(topic_key(programme.name), number)
        if earlier != number:
            raise UsageError(f"programme {number}: its name is programme {earlier}'s too")
    return read


def _holidays(value: Any) -> list[date]:
    """Weeks off as an export lists them: the Monday of each."""
    if not isinstance(value, list):
        raise UsageError('"holidays" must be a list of Mondays (YYYY-MM-DD)')
    weeks = []
    for index, text in enumerate(value, 1):
        try:
            monday = date.fromisoformat(str(text))
        except ValueError:
            raise UsageError(f"holiday {index}: not a date (YYYY-MM-DD)") from None
        if monday.weekday() != 0:
            raise UsageError(f"holiday {index}: {monday} is not a Monday")
        if not FIRST_YEAR <= monday.isocalendar().year <= LAST_YEAR:
            raise UsageError(
                f"holiday {index}: {monday} is out of range (weeks of {FIRST_YEAR} to {LAST_YEAR})"
            )
        weeks.append(monday)
    return weeks


def _keep_header(key: str, value: Any, header: dict[str, Any]) -> None:
    header[key] = value
    if key == "format" or "format" in header:
        _check_header({**header, "version": header.get("version", EXPORT_VERSION)})


def _keep(key: str, value: Any, header: dict[str, Any], batch: ImportBatch) -> None:
    """A top-level value other than the entries: the header, goals, settings, programmes or
    weeks off."""
    if key == "programmes":
        batch.programmes.extend(_programmes(value))
    elif key == "holidays":
        batch.holidays.extend(_holidays(value))
    elif key in ("format", "version"):
        _keep_header(key, value, header)
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
            yield checked(row, now, where)
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
