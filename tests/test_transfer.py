"""Export and import as pure text transforms: round trips, validation, duplicates."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microup.core.errors import UsageError
from microup.core.formats.export import write_csv, write_json
from microup.core.formats.importer import read_export
from microup.core.text import clean_note, clean_topic
from microup.core.values import Entry

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


def _export(**parts: object) -> str:
    return json.dumps({"format": "microup", "version": 1, **parts})


def _accepted(clean: Callable[[str], object]) -> Callable[[str], bool]:
    """Keep the generated texts that `microup log` itself would accept."""

    def accepted(text: str) -> bool:
        try:
            return clean(text) == text
        except UsageError:
            return False

    return accepted


topics = st.none() | st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=80
).map(str.strip).filter(_accepted(clean_topic))
notes = st.none() | st.text(
    st.characters(blacklist_categories=("Cs", "Zl", "Zp"), blacklist_characters="\r\x85"),
    min_size=1,
    max_size=200,
).map(str.strip).filter(_accepted(clean_note))
entries = st.builds(
    Entry,
    at=st.builds(
        lambda seconds, offset: datetime.fromtimestamp(
            seconds, timezone(timedelta(minutes=offset))
        ),
        st.integers(min_value=0, max_value=int(NOW.timestamp())),
        st.integers(min_value=-12 * 4, max_value=14 * 4).map(lambda q: q * 15),
    ),
    minutes=st.integers(min_value=1, max_value=600),
    topic=topics,
    note=notes,
    grade=st.none() | st.integers(min_value=1, max_value=4),
    kind=st.sampled_from(["learn", "review"]),
).map(lambda entry: replace(entry, kind="learn") if entry.topic is None else entry)


@given(st.lists(entries, max_size=20))
def test_json_round_trip(batch: list[Entry]) -> None:
    out = io.StringIO()
    assert write_json(out, batch, [(date(2026, 11, 16), 90)], {"min-gap": "30"}) == len(batch)
    back = read_export(out.getvalue(), None, NOW)
    assert back.entries == batch
    assert back.goals == [(date(2026, 11, 16), 90)]
    assert back.settings == {"min-gap": "30"}


@given(st.lists(entries, max_size=20))
def test_csv_round_trip(batch: list[Entry]) -> None:
    out = io.StringIO()
    write_csv(out, [replace(e, id=i) for i, e in enumerate(batch, 1)])
    assert out.getvalue().startswith("id,at,minutes,topic,note,recall,kind\n")
    back = read_export(out.getvalue(), "csv", NOW)
    assert back.entries == batch


def test_csv_quotes_commas_quotes_and_newlines() -> None:
    entry = Entry(at=NOW, minutes=20, topic='SQL, "joins"', note='line 1\nline "2", ok', id=1)
    out = io.StringIO()
    write_csv(out, [entry])
    assert (
        out.getvalue().splitlines()[1].startswith('1,2026-11-23T09:00:00+00:00,20,"SQL, ""joins"""')
    )
    assert read_export(out.getvalue(), "csv", NOW).entries == [replace(entry, id=None)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "not a microup CSV export"),
        ("hello world", "not a microup CSV export"),
        ("{", "not valid JSON"),
        ("[1, 2]", "not a microup export"),
        ('{"format": "other"}', "not a microup export"),
        ('{"format": "microup", "version": 2, "entries": []}', "version 2"),
        ('{"format": "microup", "version": 1, "entries": {}}', "must be lists"),
        ('{"format": "microup", "version": 1, "entries": [5]}', "entry 1: not an entry"),
        ('{"format": "microup", "version": 1, "entries": [{"minutes": 5}]}', "entry 1: 'at'"),
        (
            '{"format": "microup", "version": 1, "entries": [{"at": "2026-11-20", "minutes": 0}]}',
            "entry 1: duration must be between",
        ),
        (
            _export(entries=[{"at": "2026-11-20", "minutes": True}]),
            "entry 1: minutes must be a whole number",
        ),
        (
            _export(entries=[{"at": "2026-11-20", "minutes": 2.5}]),
            "entry 1: minutes must be a whole number",
        ),
        (
            '{"format": "microup", "version": 1, "entries": [{"at": "2030-01-01", "minutes": 5}]}',
            "entry 1: time '2030-01-01' is in the future",
        ),
        (
            _export(goals=[{"week_start": "2026-11-17", "minutes": 9}]),
            "goal 1",
        ),
        ("at,minutes\n2026-11-20,20\n2026-11-21,abc\n", "line 3: invalid duration 'abc'"),
        ("at,minutes,topic\n2026-11-20,20,\x1b[31m\n", "line 2: topic may not contain control"),
        ("at,minutes,recall\n2026-11-20,20,great\n", "line 2: unknown grade"),
        ("at,minutes\n2026-11-20,20,extra\n", "line 2: more fields than columns"),
    ],
)
def test_bad_files_name_the_row_and_the_problem(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace("[", r"\[")):
        read_export(text, None, NOW)


@pytest.mark.parametrize(
    "topic", ['=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)", "'quoted", "'=both"]
)
def test_csv_cells_never_start_a_formula_and_read_back_exactly(topic: str) -> None:
    entry = Entry(at=NOW - timedelta(days=1), minutes=5, topic=topic, note=topic)
    out = io.StringIO()
    write_csv(out, [entry])
    row = out.getvalue().splitlines()[1]
    cells = next(csv.reader([row]))
    assert cells[3].startswith("'") and cells[4].startswith("'")
    assert read_export(out.getvalue(), "csv", NOW).entries[0].topic == topic


@settings(max_examples=40)
@given(st.lists(entries, max_size=12), st.integers(min_value=1, max_value=40))
def test_reading_in_any_chunk_size_gives_the_same_entries(batch: list[Entry], chunk: int) -> None:
    """Entries, numbers and strings cut off at a chunk's end are read whole: an import
    streams the file in pieces without ever misreading one."""
    from microup.core.formats import json_stream

    json_out, csv_out = io.StringIO(), io.StringIO()
    write_json(json_out, batch, [(date(2026, 11, 16), 90)], {"min-gap": "30"})
    write_csv(csv_out, [replace(e, id=i) for i, e in enumerate(batch, 1)])
    original = json_stream.CHUNK_CHARS
    json_stream.CHUNK_CHARS = chunk
    try:
        from_json = read_export(json_out.getvalue(), None, NOW)
        from_csv = read_export(csv_out.getvalue(), "csv", NOW)
    finally:
        json_stream.CHUNK_CHARS = original
    assert from_json.entries == batch == from_csv.entries
    assert from_json.goals == [(date(2026, 11, 16), 90)]


def test_values_and_files_beyond_the_limits_are_refused_early(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from microup.core.formats import importer

    huge = _export(entries=[{"at": "2026-11-20", "minutes": 5, "note": "n" * 2_000_000}])
    with pytest.raises(UsageError, match="too deeply nested or too long"):
        read_export(huge, None, NOW)
    monkeypatch.setattr(importer, "MAX_IMPORT_ENTRIES", 2)
    three = _export(entries=[{"at": "2026-11-20", "minutes": m} for m in (1, 2, 3)])
    with pytest.raises(UsageError, match="more than 2 entries"):
        read_export(three, None, NOW)
    with pytest.raises(UsageError, match="more than 2 entries"):
        read_export("at,minutes\n2026-11-20,1\n2026-11-20,2\n2026-11-20,3\n", None, NOW)
    with pytest.raises(UsageError, match="line 2: not valid CSV"):
        read_export("at,minutes,note\n2026-11-20,1," + "n" * 20_000 + "\n", None, NOW)


@given(entries)
def test_each_exported_line_is_exactly_what_json_dumps_writes(entry: Entry) -> None:
    from microup.core.formats.export import _entry_json, entry_record

    assert _entry_json(entry) == json.dumps(entry_record(entry), ensure_ascii=False)


def test_a_mistake_in_a_big_json_file_is_named_not_called_too_long() -> None:
    rows = [{"at": "2026-11-20", "minutes": 5, "note": "n" * 900} for _ in range(1500)]
    text = _export(entries=rows)
    broken = text.replace('"minutes": 5', '"minutes": x', 1)
    with pytest.raises(UsageError, match=r"not valid JSON \(line 1: Expecting value\)"):
        read_export(broken, None, NOW)
    with pytest.raises(UsageError, match="not a microup export"):
        read_export(json.dumps(rows), None, NOW)  # a big top-level array


def test_csv_lines_beyond_any_export_are_refused_early() -> None:
    with pytest.raises(UsageError, match="a line is longer than 128 KiB"):
        read_export("at,minutes\n2026-11-20,20" + "," * 200_000 + "\n", "csv", NOW)


def test_csv_import_keeps_an_apostrophe_microup_did_not_add() -> None:
    """Failure 9: every leading apostrophe was stripped, not only microup's own escape."""
    from microup.core.formats.export import from_spreadsheet_safe, spreadsheet_safe

    assert from_spreadsheet_safe("'tis the season") == "'tis the season"
    for text in ("'tis", "=1+1", "-x", "''", "plain"):
        assert from_spreadsheet_safe(spreadsheet_safe(text)) == text
