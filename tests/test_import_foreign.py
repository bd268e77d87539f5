"""Issue 20: imports from Watson (`watson log --json`), Timewarrior (`timew export`) and a
Toggl-style CSV of date,minutes,topic, with the rules of `microup import`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conftest import Run, file_bytes, one_line_error
from microup.core.errors import UsageError
from microup.core.formats.foreign import guess, timew_entries, toggl_entries, watson_entries

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=LONDON)

WATSON = json.dumps(
    [
        {
            "id": "a1",
            "project": "SQL",
            "start": "2026-11-20T09:00:00+00:00",
            "stop": "2026-11-20T09:40:00+00:00",
            "tags": ["joins", "book"],
        },
        {
            "id": "b2",
            "project": "Rust",
            "start": "2026-11-21T18:00:00+01:00",
            "stop": "2026-11-21T19:30:00+01:00",
            "tags": [],
        },
    ]
)
TIMEW = json.dumps(
    [
        {"id": 2, "start": "20261120T090000Z", "end": "20261120T093000Z", "tags": ["SQL", "x"]},
        {"id": 1, "start": "20261122T100000Z", "end": "20261122T101500Z", "annotation": "read"},
    ]
)
TOGGL = "date,minutes,topic\n2026-11-20,30,SQL\n2026-11-21T18:30,45,Rust lang\n"


@pytest.fixture
def frozen(local_tz: str) -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_the_parsers_read_each_tool() -> None:
    watson = list(watson_entries(WATSON, NOW))
    assert [(e.topic, e.minutes, e.note) for e in watson] == [
        ("SQL", 40, "+joins +book"),
        ("Rust", 90, None),
    ]
    assert watson[1].at.utcoffset() is not None and watson[1].at.hour == 18
    timew = list(timew_entries(TIMEW, NOW))
    assert [(e.topic, e.minutes, e.note) for e in timew] == [
        ("SQL", 30, "+x"),
        (None, 15, "read"),
    ]
    toggl = list(toggl_entries(TOGGL, NOW))
    assert [(e.topic, e.minutes) for e in toggl] == [("SQL", 30), ("Rust lang", 45)]
    assert [guess(WATSON), guess(TIMEW), guess(TOGGL), guess('{"format"')] == [
        "watson",
        "timew",
        "toggl",
        None,
    ]


@pytest.mark.parametrize(
    ("reader", "text", "message"),
    [
        (watson_entries, "[{}]", "frame 1"),
        (watson_entries, "{}", "a JSON list"),
        (timew_entries, '[{"start": "20261120T090000Z"}]', "still running"),
        (timew_entries, '[{"start": "2026-11-20", "end": "x"}]', "Timewarrior time"),
        (toggl_entries, "when,minutes,topic\n", "date,minutes,topic"),
        (toggl_entries, "date,minutes,topic\n2026-11-20,0,SQL\n", "line 2"),
        (toggl_entries, "date,minutes,topic\n2030-01-01,20,SQL\n", "future"),
    ],
)
def test_what_cannot_be_read_is_refused_with_where(reader: object, text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        list(reader(text, NOW))  # type: ignore[operator]


@pytest.mark.parametrize(
    ("name", "content", "count"),
    [("frames.json", WATSON, 2), ("timew.json", TIMEW, 2), ("toggl.csv", TOGGL, 2)],
)
def test_import_from_each_tool_twice_adds_once(
    run: Run, frozen: object, tmp_path: Path, name: str, content: str, count: int
) -> None:
    source = tmp_path / name
    source.write_text(content)
    done = run("import", str(source))
    assert done.exit_code == 0, done.stderr
    assert f"Imported {count} entries" in done.stdout
    again = run("import", str(source))
    assert "Imported 0 entries" in again.stdout and f"({count} already there" in again.stdout
    assert len(json.loads(run("entries", "--json").stdout)["entries"]) == count


def test_a_bad_frame_imports_nothing(
    run: Run, frozen: object, tmp_path: Path, db_path: Path
) -> None:
    run("log", "5", "-t", "SQL")
    before = file_bytes(db_path)
    frames = json.loads(WATSON)
    frames[1]["stop"] = "2026-11-22T18:00:00+01:00"  # a whole day: more than a session
    source = tmp_path / "frames.json"
    source.write_text(json.dumps(frames))
    assert "frame 2" in one_line_error(run("import", str(source)))
    assert file_bytes(db_path) == before
    assert "frame 2" in one_line_error(run("import", "--format", "watson", str(source)))
    assert "use json, csv, watson" in one_line_error(run("import", "-f", "toggle", str(source)))
