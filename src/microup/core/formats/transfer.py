"""Export and import: a person's whole history out as JSON or CSV, and back in, all or nothing.

Pure apart from the text streams it is handed: reading validates every row with the same
rules as `microup log` before anything is written, so one bad row imports nothing.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TextIO

from microup.core.errors import UsageError
from microup.core.memory import parse_grade
from microup.core.text import clean_note, clean_topic
from microup.core.values import KINDS, Entry, Kind
from microup.core.when import MAX_ENTRY_MINUTES, parse_duration, parse_goal, parse_when

EXPORT_FORMAT = "microup"
EXPORT_VERSION = 1
CSV_COLUMNS = ("id", "at", "minutes", "topic", "note", "recall", "kind")
FORMATS = ("json", "csv")
IMPORT_FORMATS = (*FORMATS, "watson", "timew", "toggl")
"""What `import` reads besides microup's own: Watson's frames, `timew export`, Toggl's CSV."""


def entry_record(entry: Entry) -> dict[str, Any]:
    return {
        "minutes": entry.minutes,
        "topic": entry.topic,
        "note": entry.note,
        "at": entry.at.isoformat(timespec="seconds"),
        "recall": entry.recall,
        "kind": entry.kind,
    }


_TEXT: Any = getattr(json.encoder, "c_encode_basestring", None) or json.encoder.py_encode_basestring
"""How `json.dumps(..., ensure_ascii=False)` writes a string, called directly."""


def _json_text(value: str | None) -> str:
    return "null" if value is None else str(_TEXT(value))


def _entry_json(entry: Entry) -> str:
    """`json.dumps(entry_record(entry), ensure_ascii=False)`, byte for byte, without building
    a dict and an encoder for each of a million rows."""
    recall = "null" if entry.recall is None else str(entry.recall)
    return (
        f'{{"minutes": {entry.minutes}, "topic": {_json_text(entry.topic)}, '
        f'"note": {_json_text(entry.note)}, "at": "{entry.at.isoformat(timespec="seconds")}", '
        f'"recall": {recall}, "kind": "{entry.kind}"}}'
    )


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
        out.write(_entry_json(entry))
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
    """Undo `spreadsheet_safe`: only its own apostrophe (one before a character it escapes),
    so a cell typed as `'tis` elsewhere keeps its apostrophe."""
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_STARTS) else text


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


MAX_VALUE_CHARS = 1 << 20
"""The longest single JSON value an import reads (an entry, the goals, the settings)."""
MAX_CSV_FIELD_CHARS = 16_384
MAX_CSV_LINE_CHARS = 131_072
MAX_IMPORT_ENTRIES = 10_000_000
_CHUNK_CHARS = 1 << 16
_WHITE_SPACE = re.compile(r"[ \t\r\n]*")
_TOO_LONG = "not a JSON file microup can read (too deeply nested or too long)"


class _JsonStream:
    """Reads one JSON value at a time from a text stream, never holding more than one value
    (and a chunk) in memory: an export of a million entries is read in constant memory."""

    def __init__(self, stream: _Joined) -> None:
        self.stream = stream
        self.text = ""
        self.at = 0
        self.lines_before = 0  # newlines in the text already dropped, for error messages
        self.ended = False
        self.decoder = json.JSONDecoder()

    def _more(self) -> bool:
        if self.ended:
            return False
        chunk = self.stream.read(_CHUNK_CHARS)
        if not chunk:
            self.ended = True
            return False
        self.lines_before += self.text.count("\n", 0, self.at)
        self.text = self.text[self.at :] + chunk
        self.at = 0
        return True

    def line(self, position: int | None = None) -> int:
        return (
            self.lines_before
            + self.text.count("\n", 0, self.at if position is None else position)
            + 1
        )

    def peek(self) -> str:
        """The next character that is not white space ("" at the end)."""
        while True:
            self.at = _WHITE_SPACE.match(self.text, self.at).end()  # type: ignore[union-attr]
            if self.at < len(self.text) or not self._more():
                return self.text[self.at : self.at + 1]

    def take(self, char: str) -> None:
        if self.peek() != char:
            found = self.peek() or "the end of the file"
            raise UsageError(
                f"not valid JSON (line {self.line()}: expected {char!r}, found {found!r})"
            )
        self.at += 1

    def value(self) -> Any:
        """The next whole value; more text is read while it is cut off by the chunk's end."""
        self.peek()
        last = -1
        while True:
            try:
                value, end = self.decoder.raw_decode(self.text, self.at)
            except json.JSONDecodeError as error:
                # Cut off by the chunk's end, or wrong? A mistake stays where it is as more
                # text arrives; an unfinished value fails further on (or, for a string,
                # says so). Only a value still unfinished after 1 MiB is too long.
                position = error.pos - self.at
                unfinished = (  # a string, or anything within a "false" of the end
                    error.msg.startswith("Unterminated") or len(self.text) - error.pos <= 5
                )
                if (unfinished or position != last) and self._more():
                    last = error.pos - self.at
                    if len(self.text) - self.at <= MAX_VALUE_CHARS:
                        continue
                if len(self.text) - self.at > MAX_VALUE_CHARS and unfinished:
                    raise UsageError(_TOO_LONG) from None
                raise UsageError(
                    f"not valid JSON (line {self.line(error.pos)}: {error.msg})"
                ) from None
            except (ValueError, RecursionError):  # numbers too long, nesting too deep
                raise UsageError(_TOO_LONG) from None
            if end == len(self.text) and self._more():
                continue  # a number may go on in the next chunk
            self.at = end
            return value


def _check_header(document: Mapping[str, Any]) -> None:
    if document.get("format") != EXPORT_FORMAT:
        raise UsageError('not a microup export (no "format": "microup")')
    version = document.get("version")
    if type(version) is not int or version != EXPORT_VERSION:
        raise UsageError(
            f"export version {version!r} is not one this microup reads ({EXPORT_VERSION})"
        )


def _json_entries(reader: _JsonStream, batch: ImportBatch, now: datetime) -> Iterator[Entry]:
    """A microup JSON export's entries, one at a time; goals, settings and the header land
    in `batch` and are checked once the whole object has been read."""
    if reader.peek() != "{":
        whole = reader.text[reader.at :] + reader.stream.read(MAX_VALUE_CHARS)
        if reader.stream.read(1):  # too big to look into: not ours whatever it holds
            raise UsageError('not a microup export (no "format": "microup")')
        try:
            json.loads(whole)
        except json.JSONDecodeError as error:
            raise UsageError(f"not valid JSON (line {error.lineno}: {error.msg})") from None
        except (ValueError, RecursionError):
            raise UsageError(_TOO_LONG) from None
        raise UsageError('not a microup export (no "format": "microup")')
    reader.take("{")
    header: dict[str, Any] = {}
    seen: set[str] = set()
    count = 0
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
        if key == "entries" and reader.peek() == "[":
            reader.take("[")
            more = reader.peek() != "]"
            while more:
                count += 1
                if count > MAX_IMPORT_ENTRIES:
                    raise UsageError(f"more than {MAX_IMPORT_ENTRIES:,} entries in one import")
                yield _checked(reader.value(), now, count)
                more = reader.peek() == ","
                reader.at += more
            reader.take("]")
            continue
        value = reader.value()
        if key in ("format", "version"):
            header[key] = value
            if key == "format" or "format" in header:
                _check_header({**header, "version": header.get("version", EXPORT_VERSION)})
        elif key == "entries" or (key == "goals" and not isinstance(value, list)):
            raise UsageError('"entries" and "goals" must be lists and "settings" an object')
        elif key == "goals":
            for index, goal in enumerate(value, 1):
                batch.goals.append(_goal(goal, f"goal {index}"))
        elif key == "settings":
            if not isinstance(value, dict):
                raise UsageError('"entries" and "goals" must be lists and "settings" an object')
            for name, setting in value.items():
                if not isinstance(setting, str):
                    raise UsageError(f"setting {name!r}: value must be text")
                batch.settings[str(name)] = setting
    reader.take("}")
    if reader.peek():
        raise UsageError(f"not valid JSON (line {reader.line()}: Extra data)")
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


def _csv_entries(stream: _Joined, now: datetime) -> Iterator[Entry]:
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
    first = stream.read(_CHUNK_CHARS)
    chosen = fmt or foreign.guess(first) or hint
    chosen = chosen or ("json" if first.lstrip().startswith(("{", "[")) else "csv")
    rest = _Joined(first, stream)
    if chosen in foreign.READERS:  # from Watson, Timewarrior or Toggl: read whole
        return foreign.READERS[chosen](_whole(rest), now), batch
    if chosen == "json":
        return _json_entries(_JsonStream(rest), batch, now), batch
    return _csv_entries(rest, now), batch


MAX_FOREIGN_CHARS = 256 << 20
"""The largest file from another tool an import reads (it is read whole)."""


def _whole(rest: _Joined) -> str:
    parts, size = [], 0
    while part := rest.read(_CHUNK_CHARS):
        size += len(part)
        if size > MAX_FOREIGN_CHARS:
            raise UsageError(f"the file is larger than {MAX_FOREIGN_CHARS >> 20} MiB")
        parts.append(part)
    return "".join(parts)


class _Joined:
    """A text stream whose first part was already read (to guess the format)."""

    def __init__(self, first: str, stream: TextIO) -> None:
        self.first, self.stream = first, stream

    def read(self, size: int = -1) -> str:
        if self.first:
            part, self.first = self.first, ""
            return part
        return self.stream.read(_CHUNK_CHARS if size < 0 else size)

    def readline(self) -> str:
        """One line, refused once longer than any CSV line of an export can be."""
        if not self.first:
            line = self.stream.readline(MAX_CSV_LINE_CHARS + 1)
        else:
            head, newline, tail = self.first.partition("\n")
            if newline:
                self.first = tail
                line = head + newline
            else:
                self.first = ""
                line = head + self.stream.readline(MAX_CSV_LINE_CHARS + 1)
        if len(line) > MAX_CSV_LINE_CHARS:
            raise UsageError(f"a line is longer than {MAX_CSV_LINE_CHARS // 1024} KiB")
        return line

    def __iter__(self) -> Iterator[str]:
        while line := self.readline():
            yield line


def read_export(text: str, fmt: str | None, now: datetime) -> ImportBatch:
    """Validate a whole JSON or CSV export held in memory (tests, small files)."""
    entries, batch = stream_export(io.StringIO(text, newline=""), fmt, now)
    batch.entries = list(entries)
    return batch
