"""The commands as a person types them, through Typer's runner, in a temporary home."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conftest import Run, make_store, one_line_error, store_state
from microup import __version__

LONDON = ZoneInfo("Europe/London")
MONDAY_MORNING = datetime(2026, 11, 23, 9, 0, tzinfo=LONDON)


@pytest.fixture
def frozen(local_tz: str) -> Iterator[time_machine.Traveller]:
    with time_machine.travel(MONDAY_MORNING, tick=False) as traveller:
        yield traveller


def entries_json(run: Run) -> list[dict[str, object]]:
    result = run("entries", "--json", "--limit", "1000")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["entries"]  # type: ignore[no-any-return]


def test_version(run: Run) -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"microup {__version__}"


def test_help_lists_every_command(run: Run) -> None:
    result = run("--help")
    assert result.exit_code == 0
    for command in ("log", "week", "goal", "entries", "edit", "delete", "undo", "topics"):
        assert command in result.stdout


@pytest.mark.both_engines
def test_log_confirms_and_shows_progress(run: Run, frozen: object, db: Path | str) -> None:
    result = run("log", "20", "--topic", "SQL", "--note", "joins")
    assert result.exit_code == 0, result.stderr
    first, bar, pace = result.stdout.splitlines()
    assert first.startswith("Logged #1  20 min  SQL  (2026-11-23 09:00)")
    assert "20/60 min (33%)" in bar and "2026-W48" in bar
    assert pace == "40 min to go: 6 min a day over 7 days reaches your 60-minute goal."
    assert not isinstance(db, Path) or db.exists()
    [entry] = entries_json(run)
    assert entry == {
        "id": 1,
        "minutes": 20,
        "topic": "SQL",
        "note": "joins",
        "at": "2026-11-23T09:00:00+00:00",
        "recall": None,
        "kind": "learn",
    }


@pytest.mark.both_engines
@pytest.mark.parametrize(
    "args",
    [
        ["log", "0"],
        ["log", "abc"],
        ["log", "nan"],
        ["log", "1e3"],
        ["log", "100000"],
        ["log", ""],
        ["log", "601"],
        ["log", "20", "--at", "tomorrow"],
        ["log", "20", "--at", "2099-01-01"],
        ["log", "20", "--topic", ""],
        ["log", "20", "--topic", "x" * 81],
        ["log", "20", "--topic", "a\x1bb"],
        ["log", "20", "--note", "n" * 1001],
        ["log"],
        ["log", "20", "--bogus"],
        ["nonsense"],
        ["edit", "1"],
        ["edit", "abc", "--minutes", "5"],
        ["edit", "1", "--minutes", "0"],
        ["goal", "0"],
        ["goal", "lots"],
        ["entries", "--limit", "0"],
        ["entries", "--since", "x"],
        ["delete", "1"],  # not on a terminal and no --yes
    ],
)
def test_bad_input_is_one_line_exit_2_and_changes_nothing(
    run: Run, frozen: object, db: Path | str, args: list[str]
) -> None:
    assert run("log", "15", "-t", "Seed").exit_code == 0
    before = store_state(db)
    one_line_error(run(*args), code=2)
    assert store_state(db) == before


def test_missing_entries_exit_1(run: Run, frozen: object) -> None:
    assert "there is no store" in one_line_error(run("undo"), code=1)  # and none is made
    run("config", "min-gap", "60")  # a store with no entries
    assert "no entry with id 7" in one_line_error(run("edit", "7", "--minutes", "5"), code=1)
    assert "no entry with id 7" in one_line_error(run("delete", "7", "--yes"), code=1)
    assert "nothing to undo" in one_line_error(run("undo"), code=1)


@pytest.mark.both_engines
def test_user_text_is_shown_literally(run: Run, frozen: object) -> None:
    topic, note = "[red]x[/red] [/] :smile:", "[bold]n[/bold] \x1b[2J ok"
    assert run("log", "20", "-t", topic).exit_code == 0
    result = run("log", "5", "-t", topic)
    assert topic in result.stdout
    with pytest.raises(AssertionError):  # escape codes are refused in topics ...
        one_line_error(run("log", "5", "-t", "\x1b[31mred"), code=0)
    one_line_error(run("log", "5", "-n", note), code=2)  # ... and in notes
    assert run("log", "5", "-n", "[bold]n[/bold] :smile:").exit_code == 0
    for view in (["entries"], ["topics"]):
        shown = run(*view).stdout
        assert topic in shown and "\x1b" not in shown
    assert "[bold]n[/bold] :smile:" in run("entries").stdout


def test_stored_escape_codes_never_reach_the_terminal(
    run: Run, frozen: object, db_path: Path
) -> None:
    """Even a note written into the file by another tool is printed inert."""
    import sqlite3

    assert run("log", "5", "-n", "plain").exit_code == 0
    connection = sqlite3.connect(db_path)
    connection.execute("UPDATE entry SET note = 'evil \x1b]0;title\x07 \x1b[2J'")
    connection.commit()
    connection.close()
    shown = run("entries").stdout
    assert "\x1b" not in shown and "\x07" not in shown
    assert "evil \\x1b]0;title\\x07 \\x1b[2J" in shown


@pytest.mark.both_engines
def test_week_json(run: Run, frozen: object, time_machine: object) -> None:
    run("log", "20", "--at", "2026-11-22T23:59")  # Sunday, the week before
    run("log", "45", "--at", "2026-11-16T08:00")
    run("log", "30")
    result = run("week", "--json")
    week = json.loads(result.stdout)
    assert week["week"] == "2026-W48"
    assert (week["start"], week["end"]) == ("2026-11-23", "2026-11-29")
    assert (week["minutes"], week["goal"], week["remaining"], week["met"]) == (30, 60, 30, False)
    assert week["days"][0] == {"date": "2026-11-23", "minutes": 30}
    assert len(week["days"]) == 7
    assert week["streak"] == 1  # last week met 65 of 60; this week, under way, does not break it
    assert week["per_day_needed"] == 5
    shown = run("week").stdout
    assert "Mon 23 Nov" in shown and "30/60 min" in shown


def test_new_goal_applies_from_this_week_on(run: Run, frozen: object, db_path: Path) -> None:
    make_store(db_path)
    assert "60 min" in run("goal").stdout
    run("log", "60", "--at", "2026-11-18")  # last week: met the old goal of 60
    assert run("goal", "1h30m").exit_code == 0
    assert "90 min" in run("goal").stdout
    week = json.loads(run("week", "--json").stdout)
    assert week["goal"] == 90
    assert week["streak"] == 1  # last week still judged against 60


@pytest.mark.both_engines
def test_entries_filters(run: Run, frozen: object) -> None:
    run("log", "10", "-t", "SQL", "--at", "3d ago")
    run("log", "20", "-t", "Rust", "--at", "2d ago")
    run("log", "30", "-t", "sql", "--at", "1h ago")
    assert [e["minutes"] for e in entries_json(run)] == [30, 20, 10]
    by_topic = json.loads(run("entries", "--topic", "SQL", "--json").stdout)["entries"]
    assert [(e["minutes"], e["topic"]) for e in by_topic] == [(30, "SQL"), (10, "SQL")]
    recent = json.loads(run("entries", "--since", "2d ago", "--json").stdout)["entries"]
    assert [e["minutes"] for e in recent] == [30, 20]
    limited = json.loads(run("entries", "--limit", "1", "--json").stdout)["entries"]
    assert len(limited) == 1
    assert "No entries" in run("entries", "--topic", "Go").stdout


@pytest.mark.both_engines
def test_edit_delete_undo(run: Run, frozen: object) -> None:
    run("log", "10", "-t", "SQL", "-n", "first")
    run("log", "20", "-t", "Rust")
    result = run("edit", "1", "--minutes", "1h", "--topic", "Go", "--note", "", "--at", "yesterday")
    assert result.exit_code == 0 and "Updated #1  60 min  Go" in result.stdout
    [_, go] = entries_json(run)
    assert go == {
        "id": 1,
        "minutes": 60,
        "topic": "Go",
        "note": None,
        "at": "2026-11-22T12:00:00+00:00",
        "recall": None,
        "kind": "learn",
    }
    assert run("undo").stdout == "Restored #1 10 min SQL as it was before the edit\n"
    assert entries_json(run)[1]["topic"] == "SQL" and entries_json(run)[1]["note"] == "first"
    assert run("undo").stdout == "Removed #2 20 min Rust\n"
    assert "Deleted #1" in run("delete", "1", "--yes").stdout
    assert entries_json(run) == []
    assert json.loads(run("topics", "--json").stdout) == {"topics": []}
    assert run("undo").stdout == "Restored #1 10 min SQL\n"  # a deleted entry comes back
    assert [e["id"] for e in entries_json(run)] == [1]


def test_delete_asks_on_a_terminal(
    run: Run, frozen: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("log", "10")
    monkeypatch.setattr("microup.cli.common.stdin_is_terminal", lambda: True)
    result = run("delete", "1", input="n\n")
    assert "Nothing deleted" in result.stdout
    assert len(entries_json(run)) == 1
    result = run("delete", "1", input="y\n")
    assert "Deleted #1" in result.stdout
    assert entries_json(run) == []


@pytest.mark.both_engines
def test_topics(run: Run, frozen: object) -> None:
    run("log", "10", "-t", "SQL", "--at", "2d ago")
    run("log", "20", "-t", "sql")
    run("log", "5", "-t", "Rust", "--at", "1d ago")
    topics = json.loads(run("topics", "--json").stdout)["topics"]
    assert topics == [
        {"topic": "SQL", "minutes": 30, "sessions": 2, "last_studied": "2026-11-23T09:00:00+00:00"},
        {"topic": "Rust", "minutes": 5, "sessions": 1, "last_studied": "2026-11-22T09:00:00+00:00"},
    ]


def test_db_option_wins_over_environment(
    run: Run, frozen: object, tmp_path: Path, db_path: Path
) -> None:
    other = tmp_path / "other.db"
    assert run("--db", str(other), "log", "10").exit_code == 0
    assert other.exists() and not db_path.exists()


@pytest.mark.parametrize(
    "content", [b"not a database at all\n", b"SQLite format 3\x00" + b"\x00" * 200]
)
def test_broken_store_is_reported_not_overwritten(run: Run, db_path: Path, content: bytes) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(content)
    for args in (["log", "20"], ["week"], ["entries"], ["undo"]):
        one_line_error(run(*args), code=1)
    assert db_path.read_bytes() == content


@pytest.mark.both_engines
def test_a_streak_longer_than_the_days_first_read_is_counted_whole(
    run: Run, frozen: object, db: Path | str
) -> None:
    from microup.core.values import Entry
    from microup.store import transaction

    with transaction(db, write=True) as store:
        for back in range(1, 41):  # every one of the last 40 weeks met, the week before not
            store.add_entry(Entry(at=MONDAY_MORNING - timedelta(weeks=back), minutes=60))
        store.add_entry(Entry(at=MONDAY_MORNING - timedelta(weeks=42), minutes=60))
    week = json.loads(run("week", "--json").stdout)
    assert week["streak"] == 40
