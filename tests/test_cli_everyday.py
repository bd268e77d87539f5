"""Issue 20, everyday use: time and durations as people type them, through the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conftest import Run, one_line_error

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=LONDON)  # a Wednesday


@pytest.fixture
def frozen(local_tz: str) -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def logged_at(run: Run) -> str:
    return str(json.loads(run("entries", "--json").stdout)["entries"][0]["at"])


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("9:30", "2026-11-25T09:30:00+00:00"),
        ("yesterday 18:00", "2026-11-24T18:00:00+00:00"),
        ("monday 9:00", "2026-11-23T09:00:00+00:00"),
        ("last friday", "2026-11-20T12:00:00+00:00"),
        ("1 week ago", "2026-11-18T10:00:00+00:00"),
        ("90m ago", "2026-11-25T08:30:00+00:00"),
    ],
)
def test_log_at_each_time_form(run: Run, frozen: object, when: str, expected: str) -> None:
    done = run("log", "20", "-t", "SQL", "--at", when, "--yes")
    assert done.exit_code == 0, done.stderr
    assert logged_at(run) == expected


@pytest.mark.parametrize(("duration", "minutes"), [("1:30", 90), ("1.5h", 90), ("0:45", 45)])
def test_each_duration_form_in_log_edit_and_stop(
    run: Run, frozen: time_machine.Traveller, duration: str, minutes: int
) -> None:
    assert run("log", duration, "-t", "SQL").exit_code == 0
    assert run("edit", "1", "--minutes", duration).exit_code == 0
    assert run("start", "-t", "SQL").exit_code == 0
    assert run("stop", "--minutes", duration).exit_code == 0
    found = json.loads(run("entries", "--json").stdout)["entries"]
    assert [entry["minutes"] for entry in found] == [minutes, minutes]


def test_review_minutes_takes_every_duration_form(run: Run, frozen: object) -> None:
    run("log", "30", "-t", "SQL", "--at", "last monday 9:00", "--yes")
    for duration in ("1h", "1:30", "1.5h", "45"):
        done = run("review", "--minutes", duration, "--json")
        assert done.exit_code == 0, done.stderr
    assert "1:30, 1.5h" in one_line_error(run("review", "--minutes", "an hour"))


def test_a_mistyped_time_names_the_accepted_forms(run: Run, frozen: object) -> None:
    line = one_line_error(run("log", "20", "--at", "wensday 9:00"))
    assert "yesterday 18:00" in line and "last friday" in line and "1 week ago" in line
    assert "future" in one_line_error(run("log", "20", "--at", "11:30"))


def test_entries_since_a_weekday(run: Run, frozen: object) -> None:
    run("log", "20", "-t", "SQL", "--at", "last friday", "--yes")
    run("log", "25", "-t", "SQL", "--at", "monday 9:00", "--yes")
    found = json.loads(run("entries", "--since", "monday", "--json").stdout)["entries"]
    assert [entry["minutes"] for entry in found] == [25]


def _history(run: Run) -> None:
    run("log", "10", "-t", "Old", "--at", "2026-11-10T09:00", "--yes")  # two weeks back
    run("log", "20", "-t", "SQL", "--at", "2026-11-18T09:00", "--yes")  # last week
    run("log", "25", "-t", "Rust", "--at", "2026-11-21T18:00", "--yes")  # last week
    run("log", "30", "-t", "SQL", "--at", "monday 9:00", "--yes")  # this week


def minutes_of(run: Run, *args: str) -> list[int]:
    found = json.loads(run("entries", *args, "--json").stdout)["entries"]
    return [entry["minutes"] for entry in found]


def test_entries_by_range_week_and_last_week(run: Run, frozen: object) -> None:
    _history(run)
    assert minutes_of(run, "--week") == [30]
    assert minutes_of(run, "--last-week") == [25, 20]
    assert minutes_of(run, "--from", "2026-11-18", "--to", "2026-11-21") == [25, 20]
    assert minutes_of(run, "--from", "last friday") == [30, 25]
    assert minutes_of(run, "--from", "sunday") == [30]
    assert minutes_of(run, "--to", "2026-11-18") == [20, 10]  # a day: to its end
    assert minutes_of(run, "--to", "2026-11-18T08:00") == [10]
    assert "not both" in one_line_error(run("entries", "--week", "--last-week"))
    assert "stand alone" in one_line_error(run("entries", "--week", "--from", "monday"))
    assert "before --to" in one_line_error(run("entries", "--from", "monday", "--to", "2026-11-01"))


def test_topics_stats_and_export_by_range(run: Run, frozen: object, tmp_path: Path) -> None:
    _history(run)
    topics = json.loads(run("topics", "--last-week", "--json").stdout)["topics"]
    assert {(t["topic"], t["minutes"]) for t in topics} == {("SQL", 20), ("Rust", 25)}
    stats = json.loads(run("stats", "--last-week", "--json").stdout)
    assert stats["total_minutes"] == 45
    assert [week["minutes"] for week in stats["weeks"]] == [45]
    assert json.loads(run("stats", "--json").stdout)["total_minutes"] == 85
    out = tmp_path / "week.csv"
    assert run("export", "--week", "-o", str(out)).exit_code == 0
    assert out.read_text().count("\n") == 2  # the header and this week's one entry
    done = run("export", "--from", "2026-11-18", "--to", "2026-11-21")
    assert [entry["minutes"] for entry in json.loads(done.stdout)["entries"]] == [20, 25]


def test_export_xapi_by_range(run: Run, frozen: object) -> None:
    """The statements of the span's entries only, as JSON and CSV give its entries."""
    _history(run)
    assert run("config", "lrs-home", "https://learning.example.org").exit_code == 0

    def durations(*args: str) -> list[str]:
        listed = json.loads(run("export", "-f", "xapi", *args).stdout)
        return [statement["result"]["duration"] for statement in listed]

    assert durations() == ["PT10M", "PT20M", "PT25M", "PT30M"]
    assert durations("--week") == ["PT30M"]
    assert durations("--last-week") == ["PT20M", "PT25M"]
    assert durations("--from", "2026-11-18", "--to", "2026-11-21") == ["PT20M", "PT25M"]
    assert durations("--from", "2026-11-20") == ["PT25M", "PT30M"]
    lines = run("export", "-f", "xapi", "--lines", "--to", "2026-11-17").stdout.splitlines()
    assert [json.loads(line)["result"]["duration"] for line in lines] == ["PT10M"]
