"""Issue 20, the rest of item 9: a clock behind the timer, an ASCII locale, blank-looking
topics, a TZ that is a path, the calendar's month labels, what an edit changed, and the
leftovers of an export killed mid-write."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conftest import Run, file_bytes, one_line_error
from microup.views.history import month_labels

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=LONDON)


@pytest.fixture
def frozen(local_tz: str) -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_stop_with_the_clock_behind_the_timer_blames_the_clock(
    run: Run, frozen: time_machine.Traveller, db_path: Path
) -> None:
    assert run("start", "-t", "SQL").exit_code == 0
    frozen.move_to(NOW - timedelta(hours=1))  # the clock was put back
    before = file_bytes(db_path)
    plain = one_line_error(run("stop"))
    assert "--at" not in plain.split("(")[0] and "clock" in plain
    with_minutes = one_line_error(run("stop", "--minutes", "10"))
    assert "clock" in with_minutes
    assert file_bytes(db_path) == before  # no entry in the future
    assert json.loads(run("entries", "--json").stdout)["entries"] == []


def test_a_topic_typed_on_an_ascii_locale_is_read_as_utf8(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "LC_ALL": "C",
        "PYTHONCOERCECLOCALE": "0",
        "PYTHONUTF8": "0",
        "MICROUP_DB": str(tmp_path / "m.db"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "microup", "log", "5", "-t", "ünï"],
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    listed = subprocess.run(
        [sys.executable, "-m", "microup", "entries", "--json"],
        capture_output=True,
        env={**env, "LC_ALL": "C.UTF-8", "PYTHONUTF8": "1"},
        timeout=120,
        check=False,
    )
    assert json.loads(listed.stdout)["entries"][0]["topic"] == "ünï"


@pytest.mark.parametrize("topic", ["\u2800", "\u2800\u2800", "\ue000", "\U000f0000", "\ufdd0"])
def test_topics_that_print_as_blanks_are_refused(run: Run, topic: str) -> None:
    one_line_error(run("log", "5", "-t", topic))


def test_a_noncharacter_is_refused_even_beside_visible_text(run: Run) -> None:
    one_line_error(run("log", "5", "-t", "SQL\uffff"))
    assert run("log", "5", "-t", "SQL \ue0b0").exit_code == 0  # a private-use icon beside text


def test_a_tz_given_as_a_path_keeps_its_zone_in_the_calendar(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from microup.system.timezone import local_zone

    berlin = Path("/usr/share/zoneinfo/Europe/Berlin")
    if not berlin.exists():
        pytest.skip("no zoneinfo files on this machine")
    monkeypatch.setenv("TZ", str(berlin))
    time.tzset()
    try:
        assert str(local_zone()) == "Europe/Berlin"
        monkeypatch.setenv("TZ", f":{berlin}")
        assert str(local_zone()) == "Europe/Berlin"
        run("log", "20")
        path = tmp_path / "week.ics"
        assert run("plan", "--ics", str(path)).exit_code == 0
        assert "TZID:Europe/Berlin" in path.read_text()
    finally:
        monkeypatch.undo()
        time.tzset()


def test_the_calendar_labels_every_month_that_begins_in_it() -> None:
    for today in (date(2026, 12, 3), date(2026, 10, 30), date(2027, 3, 1), date(2026, 6, 7)):
        for weeks in range(1, 60):
            first = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
            labels = month_labels(first, weeks)
            last = first + timedelta(weeks=weeks, days=-1)
            day = first
            while day <= last:
                if day.day == 1:
                    column = (day - first).days // 7
                    assert labels[column * 2 : column * 2 + 3] == day.strftime("%b"), (
                        today,
                        weeks,
                        labels,
                    )
                day += timedelta(days=1)


def test_calendar_ten_weeks_names_october(run: Run, frozen: object) -> None:
    run("log", "20", "-t", "SQL")
    head = run("calendar", "--weeks", "10").stdout.splitlines()[1]
    assert "Oct" in head and "Nov" in head and "Dec" in head


def test_history_says_what_an_edit_changed(run: Run, frozen: object) -> None:
    run("log", "20", "-t", "SQL", "--note", "chapter 1", "--at", "2026-12-02T18:30")
    run("edit", "1", "--minutes", "30", "--topic", "Rust", "--at", "2026-12-02T19:00")
    summary = json.loads(run("history", "--json").stdout)["changes"][0]["summary"]
    assert summary.startswith("Edited #1 30 min Rust")
    assert "20 to 30 min" in summary and "SQL to Rust" in summary
    assert "18:30 to 2026-12-02 19:00" in summary and "note" not in summary
    run("edit", "1", "--note", "")
    summary = json.loads(run("history", "--json").stdout)["changes"][0]["summary"]
    assert summary == "Edited #1 30 min Rust: note removed"


def test_an_export_clears_a_dead_exports_leftover_at_once(run: Run, tmp_path: Path) -> None:
    run("log", "20", "-t", "SQL")
    target = tmp_path / "out.json"
    dead = tmp_path / ".out.json.abc123.partial"  # killed a moment ago: fresh, unlocked
    dead.write_text("half an export")
    alive = tmp_path / ".out.json.def456.partial"  # another export writing right now
    alive.write_text("")
    with alive.open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        assert run("export", "-o", str(target)).exit_code == 0
        assert not dead.exists()
        assert alive.exists()
    assert json.loads(target.read_text())["entries"][0]["topic"] == "SQL"
