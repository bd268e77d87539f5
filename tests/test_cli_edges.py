"""Edge cases a careful user runs into: odd input, odd files, odd zones, odd terminals."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from typer.testing import CliRunner

from conftest import Run, file_bytes, one_line_error
from microup.cli.app import app
from microup.core.when import parse_when, utc_offset_minutes

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def new_york(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_no_command_shows_help_and_succeeds(run: Run) -> None:
    for args in ([], ["cron"]):
        result = run(*args)
        assert result.exit_code == 0 and result.stdout.startswith("Usage: microup")


def test_out_of_range_input_is_a_usage_error(run: Run, db_path: Path) -> None:
    run("log", "5")
    before = file_bytes(db_path)
    for args in (
        ["log", "1", "--at", "0001-01-01"],
        ["log", "1", "--at", "0001-01-01T05:00"],
        ["log", "1", "--at", "99999d ago"],
        ["entries", "--since", "0001-01-01"],
        ["edit", "99999999999999999999", "-m", "3"],
        ["delete", "99999999999999999999", "--yes"],
        ["entries", "--limit", "9223372036854775808"],
        ["log", "1", "-t", "a\u202eb"],
        ["log", "1", "-t", "\u200b"],
        ["log", "1", "-n", "\u2066x"],
    ):
        one_line_error(run(*args), code=2)
    assert file_bytes(db_path) == before


@pytest.mark.parametrize("kind", ["folder", "empty", "fifo"])
def test_store_paths_that_are_not_stores(run: Run, tmp_path: Path, kind: str) -> None:
    import os

    path = tmp_path / "odd.db"
    makers: dict[str, Callable[[], object]] = {
        "folder": path.mkdir,
        "empty": path.touch,
        "fifo": lambda: os.mkfifo(path),
    }
    makers[kind]()
    for args in (["--db", str(path), "week"], ["--db", str(path), "log", "5"]):
        one_line_error(run(*args), code=1)


def test_since_a_day_means_from_its_start(run: Run, local_tz: str) -> None:
    london = ZoneInfo("Europe/London")
    with time_machine.travel(datetime(2026, 11, 21, 10, 0, tzinfo=london), tick=False):
        run("log", "5", "--at", "2026-11-20T08:00")
        run("log", "6", "--at", "2026-11-20T18:00")
        run("log", "7", "--at", "2026-11-21T09:00")

        def since(when: str) -> list[int]:
            result = run("entries", "--since", when, "--json")
            return [entry["minutes"] for entry in json.loads(result.stdout)["entries"]]

        assert since("today") == [7]
        assert since("yesterday") == [7, 6, 5]
        assert since("2026-11-20") == [7, 6, 5]
        assert since("2026-11-20T12:00") == [7, 6]
        assert "No entries match" in run("entries", "--topic", "Nope").stdout


def test_an_explicit_offset_counts_on_the_local_day(run: Run, new_york: None) -> None:
    with time_machine.travel(datetime(2026, 11, 22, 20, 0, tzinfo=NEW_YORK), tick=False):
        run("log", "30", "--at", "2026-11-23T00:30Z")  # Sunday 19:30 in New York
        week = json.loads(run("week", "--json").stdout)
        assert week["minutes"] == 30 and week["days"][-1] == {"date": "2026-11-22", "minutes": 30}
        [entry] = json.loads(run("entries", "--json").stdout)["entries"]
        assert entry["at"] == "2026-11-22T19:30:00-05:00"


def test_ago_across_a_clock_change_keeps_the_offset_of_that_moment() -> None:
    now = datetime(2026, 3, 8, 23, 30, tzinfo=NEW_YORK)  # clocks went forward at 02:00
    earlier = parse_when("23h ago", now, NEW_YORK)
    assert earlier.strftime("%Y-%m-%d %H:%M") == "2026-03-07 23:30"
    assert utc_offset_minutes(earlier) == -300


def test_no_color_means_no_escape_codes_even_on_a_terminal(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("NO_COLOR", "1")
    run("log", "5", "-t", "SQL", "-n", "note")
    for args in (["entries"], ["week"], ["log", "5"], ["review", "--all"], ["stats"]):
        assert "\x1b" not in run(*args).stdout
    monkeypatch.delenv("NO_COLOR")
    assert "\x1b[" in run("entries").stdout  # the check above can fail


def test_long_topics_are_never_cut_short(run: Run) -> None:
    topic = "Topic" * 16
    run("log", "5", "-t", topic)
    for args in (["entries"], ["topics"], ["review", "--all"]):
        letters = iter(run(*args).stdout)  # every letter of the topic, in order, across lines
        assert all(letter in letters for letter in topic), args


def test_cron_install_with_a_broken_store_leaves_the_crontab_alone(
    run: Run, fake_crontab: Path, tmp_path: Path
) -> None:
    assert run("cron", "install").exit_code == 0
    before = fake_crontab.read_bytes()
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE t (x)")
    one_line_error(run("--db", str(foreign), "cron", "install"), code=1)
    assert fake_crontab.read_bytes() == before


def test_remind_with_a_busy_store_exits_0(
    run: Run, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("microup.store.sqlite.engine.BUSY_TIMEOUT_MS", 200)
    run("log", "5")
    locked, release = threading.Event(), threading.Event()

    def hold_the_write_lock() -> None:
        connection = sqlite3.connect(db_path, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        locked.set()
        release.wait(10)
        connection.execute("ROLLBACK")
        connection.close()

    holder = threading.Thread(target=hold_the_write_lock)
    holder.start()
    try:
        locked.wait(10)
        scheduled = run("remind", "--scheduled")
        assert scheduled.exit_code == 0 and "busy" in scheduled.stdout
        assert "busy" in one_line_error(run("log", "5"), code=1)
    finally:
        release.set()
        holder.join()
    assert "weekly reminder" in run("remind", "--scheduled").stdout  # it catches up later


def test_negative_numbers_say_so_and_change_nothing(run: Run, db_path: Path) -> None:
    run("log", "5")
    before = file_bytes(db_path)
    for args in (["log", "-5"], ["edit", "-1", "--minutes", "5"], ["delete", "-2", "--yes"]):
        assert "negative number" in one_line_error(run(*args))
    assert file_bytes(db_path) == before


@pytest.mark.parametrize(
    "command", ["log", "entries", "edit", "delete", "config", "stats", "review"]
)
def test_help_shows_plain_names_not_typer_internals(run: Run, command: str) -> None:
    text = run(command, "--help").stdout
    for internal in ("<str>", "<int", "{", "x<=9223372036854775807", " None "):
        assert internal not in text, (command, internal, text)


def test_read_commands_never_create_a_store(isolated_home: Path, tmp_path: Path) -> None:
    from microup.system.paths import default_db_path

    runner = CliRunner()
    for command in (["week"], ["entries"], ["review"], ["plan"], ["stats"], ["topics"]):
        result = runner.invoke(app, command)  # the default store: a new person is greeted
        assert result.exit_code == 0, (command, result.stderr)
    assert not default_db_path().exists()
    typo = tmp_path / "tpyo.db"
    result = runner.invoke(app, ["--db", str(typo), "week"])
    assert result.exit_code == 1 and "there is no store at" in result.stderr
    assert not typo.exists()


def test_ctrl_c_at_the_delete_prompt_is_130_and_one_line(
    run: Run, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import typer

    from microup.cli import common

    run("log", "5")
    before = file_bytes(db_path)

    def interrupted(*_args: object, **_kwargs: object) -> bool:
        raise KeyboardInterrupt

    monkeypatch.setattr(common, "stdin_is_terminal", lambda: True)
    monkeypatch.setattr(typer, "confirm", interrupted)
    result = run("delete", "1")
    assert result.exit_code == 130 and "interrupted" in result.stderr
    assert "Traceback" not in result.stderr
    assert file_bytes(db_path) == before


def test_ctrl_c_while_starting_up_is_130_without_a_traceback(tmp_path: Path) -> None:
    import subprocess
    import sys

    script = (
        "import builtins, sys\n"
        "real = builtins.__import__\n"
        "def slow(name, *a, **k):\n"
        "    if name == 'microup.cli.app':\n"
        "        raise KeyboardInterrupt\n"
        "    return real(name, *a, **k)\n"
        "builtins.__import__ = slow\n"
        "sys.argv = ['microup', 'week']\n"
        "from microup.cli.main import main\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 130 and "Traceback" not in done.stderr
    assert done.stderr.strip() == "microup: error: interrupted"


def test_a_backfill_long_before_the_first_entry_needs_a_yes(
    run: Run, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Failure 9: `--at 2016-11-20` (meant 2026) was taken silently and wrecked adherence."""
    import typer

    from microup.cli import common

    run("log", "20", "--at", "2026-11-01")
    before = file_bytes(db_path)
    refused = one_line_error(run("log", "20", "--at", "2016-11-20"))
    assert "weeks before your first entry" in refused and "--yes" in refused
    assert file_bytes(db_path) == before
    monkeypatch.setattr(common, "stdin_is_terminal", lambda: True)
    monkeypatch.setattr(typer, "confirm", lambda *a, **k: False)
    assert run("log", "20", "--at", "2016-11-20").exit_code == 2
    assert file_bytes(db_path) == before
    monkeypatch.setattr(typer, "confirm", lambda *a, **k: True)
    assert run("log", "20", "--at", "2016-11-20").exit_code == 0
    assert run("log", "20", "--at", "2016-11-21", "--yes").exit_code == 0
    assert run("log", "20", "--at", "2026-10-10").exit_code == 0  # within four weeks: no question


def test_a_past_entry_shows_the_week_it_went_into(run: Run, db_path: Path) -> None:
    run("log", "20")
    shown = run("log", "30", "--at", "2026-01-07", "--yes").stdout
    assert "30/60 min" in shown and "That was week 2026-W02" in shown and "to go" not in shown


def test_entries_on_a_narrow_terminal_keep_the_id(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("log", "20", "-t", "A long topic name here", "-n", "a note")
    monkeypatch.setenv("COLUMNS", "20")
    shown = run("entries").stdout
    assert shown.startswith("#1  ") and "A long topic" in shown.replace("\n", " ")


@pytest.mark.parametrize(
    "args",
    [
        ["stop"],
        ["cancel"],
        ["undo"],
        ["delete", "3", "--yes"],
        ["edit", "3", "-m", "4"],
        ["topics", "rename", "a", "b", "--yes"],
    ],
)
def test_commands_that_change_what_is_there_never_create_a_store(
    tmp_path: Path, args: list[str]
) -> None:
    typo = tmp_path / "typo.db"
    result = CliRunner().invoke(app, ["--db", str(typo), *args])
    assert result.exit_code == 1 and "there is no store at" in result.stderr
    assert not typo.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["log", "5", "--module", "Nope"],
        ["programme", "done", "X"],
        ["programme", "remove", "X", "-y"],
        ["log", "5", "-t", "SQL", "--review"],
        ["holiday", "--remove", "2026-W50"],
        ["topics", "rename", "SQL", "Databases", "--yes"],
    ],
)
def test_a_first_command_that_fails_leaves_nothing(tmp_path: Path, args: list[str]) -> None:
    """A hostile tester's find: a failing write made a store at a mistyped `--db`, which
    then said "No entries yet" as if the data were lost."""
    place = tmp_path / "place"
    place.mkdir()
    typo = place / "new" / "folder" / "ne.db"
    result = CliRunner().invoke(app, ["--db", str(typo), *args])
    assert result.exit_code in (1, 2), result.stderr
    assert sorted(place.iterdir()) == []  # no file, -wal, -shm, nor folder
    from microup.system.hints import hints_path

    assert not hints_path(str(typo)).exists()
    assert "there is no store at" in CliRunner().invoke(app, ["--db", str(typo), "entries"]).stderr
    logged = CliRunner().invoke(app, ["--db", str(typo), "log", "5", "-t", "SQL"])
    assert logged.exit_code == 0 and typo.exists()
    assert (typo.stat().st_mode & 0o777, typo.parent.stat().st_mode & 0o777) == (0o600, 0o700)
    assert [p.name for p in typo.parent.iterdir() if p.name.startswith(".")] == []


def test_messages_are_microup_s_own_not_python_s_or_pydantic_s(run: Run, db_path: Path) -> None:
    """Failure 9: a 5,000-digit id and `review --minutes 0` showed library messages."""
    run("log", "5", "-t", "SQL")
    huge = one_line_error(run("edit", "9" * 5000, "--minutes", "5"))
    assert "not a whole number" in huge and "4300" not in huge and len(huge) < 200
    zero = one_line_error(run("review", "--minutes", "0"))
    assert "--minutes" in zero and "Input should" not in zero


def test_an_empty_db_option_is_refused_not_the_default_store(run: Run, db_path: Path) -> None:
    """Failure 9: `--db ""` silently used the default store."""
    line = one_line_error(run("--db", "", "log", "5"))
    assert "--db" in line
    assert not db_path.exists()


def test_the_respell_hint_can_be_pasted_into_a_shell(run: Run, db_path: Path) -> None:
    """Failure 9: `microup topics rename Data science data science` was not quoted."""
    import shlex

    run("log", "5", "-t", "data science")
    done = run("log", "5", "-t", "Data Science")
    hint = done.stdout.split("to respell it everywhere: ", 1)[1].split("\n")[0]
    assert shlex.split(hint) == ["microup", "topics", "rename", "data science", "Data Science"]
