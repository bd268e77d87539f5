"""Export: a person's whole history out as JSON or CSV, streamed entry by entry.

Pure apart from the text stream it writes to; the JSON is byte-identical to `json.dumps`."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, TextIO

from microup.core.values import Entry

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
        "recall": entry.grade,
        "kind": entry.kind,
    }


def _json_text(value: str | None) -> str:
    return "null" if value is None else str(_TEXT(value))


def _entry_json(entry: Entry) -> str:
    """`json.dumps(entry_record(entry), ensure_ascii=False)`, byte for byte, without building
    a dict and an encoder for each of a million rows."""
    recall = "null" if entry.grade is None else str(entry.grade)
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
    *,
    programmes: Iterable[Mapping[str, Any]] = (),
    holidays: Iterable[date] = (),
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
    out.write(f' "settings": {json.dumps(dict(settings), ensure_ascii=False)},\n')
    out.write(f' "programmes": {json.dumps(list(programmes), ensure_ascii=False)},\n')
    out.write(f' "holidays": {json.dumps(sorted(week.isoformat() for week in holidays))}\n}}\n')
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
                entry.grade or "",
                entry.kind,
            ]
        )
        count += 1
    return count


_TEXT: Any = getattr(json.encoder, "c_encode_basestring", None) or json.encoder.py_encode_basestring
"""How `json.dumps(..., ensure_ascii=False)` writes a string, called directly."""
