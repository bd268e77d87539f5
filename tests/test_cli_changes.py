"""The timer, an undo that undoes, and topic names (issue: everyday tools of a time tracker)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conftest import Run, one_line_error, store_state

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=ZoneInfo("Europe/London"))

pytestmark = pytest.mark.both_engines


@pytest.fixture
def frozen(local_tz: str) -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def entries(run: Run) -> list[dict[str, object]]:
    return json.loads(run("entries", "--json").stdout)["entries"]  # type: ignore[no-any-return]


def test_a_timer_survives_between_commands_and_stops_into_one_entry(
    run: Run, frozen: time_machine.Traveller
) -> None:
    assert run("start", "-t", "SQL", "-n", "joins").exit_code == 0
    status = json.loads(run("status", "--json").stdout)
    assert status["running"] and status["topic"] == "SQL" and status["minutes"] == 0
    frozen.shift(timedelta(minutes=25))
    assert "(25 min): SQL" in run("status").stdout
    assert "already running" in one_line_error(run("start", "-t", "Go"))
    stopped = run("stop")
    assert stopped.exit_code == 0 and "Logged #1  25 min  SQL" in stopped.stdout
    [entry] = entries(run)
    assert (
        entry["minutes"] == 25
        and entry["note"] == "joins"
        and str(entry["at"]).startswith("2026-11-24T09:00")
    )
    assert json.loads(run("status", "--json").stdout) == {"running": False}
    assert "no timer is running" in one_line_error(run("stop"), code=1)


def test_switch_stops_the_first_and_a_long_run_asks_how_long(
    run: Run, frozen: time_machine.Traveller, db: Path | str
) -> None:
    run("start", "-t", "SQL")
    frozen.shift(timedelta(minutes=10))
    assert run("start", "-t", "Go", "--switch").exit_code == 0
    frozen.shift(timedelta(hours=4))
    before = store_state(db)
    refused = one_line_error(run("stop"))
    assert "has run for 4 h 0 min" in refused and "--minutes" in refused
    assert store_state(db) == before
    assert run("stop", "--minutes", "45").exit_code == 0
    assert [(e["topic"], e["minutes"]) for e in entries(run)] == [("Go", 45), ("SQL", 10)]


def test_a_timer_under_a_minute_is_not_logged_and_cancel_drops_it(
    run: Run, frozen: time_machine.Traveller
) -> None:
    run("start")
    assert "less than a minute" in one_line_error(run("stop"))
    assert "dropped, nothing logged" in run("cancel").stdout
    assert entries(run) == []
    assert "no timer is running" in one_line_error(run("cancel"), code=1)


def test_a_review_timer_needs_a_learnt_topic(run: Run, frozen: time_machine.Traveller) -> None:
    assert "nothing learnt" in one_line_error(run("start", "-t", "New", "--review"))
    run("log", "20", "-t", "SQL", "--at", "2d ago")
    run("start", "-t", "SQL", "--review")
    frozen.shift(timedelta(minutes=5))
    run("stop", "--recall", "good")
    latest = entries(run)[0]
    assert (latest["kind"], latest["recall"], latest["minutes"]) == ("review", 3, 5)


def test_undo_walks_back_every_kind_of_change(
    run: Run, frozen: time_machine.Traveller, tmp_path: Path
) -> None:
    run("log", "20", "-t", "sql", "--at", "1d ago")
    run("log", "25", "-t", "Go", "--at", "1h ago")
    run("delete", "1", "--yes")
    run("goal", "90")
    exported = tmp_path / "in.json"
    exported.write_text(
        '{"format": "microup", "version": 1, "entries": ['
        + ",".join(
            f'{{"at": "2026-11-{10 + i:02d}T10:00:00+00:00", "minutes": 5, "topic": "Rust"}}'
            for i in range(3)
        )
        + "]}",
        encoding="utf-8",
    )
    run("import", str(exported))
    run("start", "-t", "Go")
    frozen.shift(timedelta(minutes=15))
    run("stop")
    history = json.loads(run("history", "--json").stdout)["changes"]
    # Starting the timer is a change too (since issue "The house": every change is journaled).
    assert len(history) == 7 and not any(change["undone"] for change in history)
    assert run("undo").stdout == "Removed #6 15 min Go; the timer runs again\n"
    assert json.loads(run("status", "--json").stdout)["running"]  # the timer is back
    run("cancel")
    assert run("undo").stdout == "The timer on Go runs again\n"  # cancel is undone too
    assert run("undo").stdout == "Dropped the timer on Go\n"
    assert run("undo").stdout == "Reverted the import of 3 entries\n"
    assert run("undo").stdout.startswith("Weekly goal from 2026-W48 back to")
    assert "60 min" in run("goal").stdout
    assert run("undo").stdout == "Restored #1 20 min sql\n"
    assert [e["id"] for e in entries(run)] == [2, 1]
    assert run("undo").stdout == "Removed #2 25 min Go\n"
    assert run("undo").stdout == "Removed #1 20 min sql\n"
    assert entries(run) == []
    assert "nothing to undo" in one_line_error(run("undo"), code=1)
    listed = run("undo", "--list").stdout
    assert "(undone)" in listed and "Deleted #1 20 min sql" in listed


def test_topics_rename_respells_merges_with_a_yes_and_undoes(run: Run, frozen: object) -> None:
    run("log", "20", "-t", "sql", "--at", "2d ago")
    edited = run("edit", "1", "--topic", "SQL")
    assert "keeps its first spelling, sql" in edited.stdout
    assert "microup topics rename sql SQL" in edited.stdout
    assert run("topics", "rename", "sql", "SQL").stdout == "Renamed 'sql' to 'SQL'\n"
    assert entries(run)[0]["topic"] == "SQL"
    run("log", "10", "-t", "Databases")
    assert "--yes" in one_line_error(run("topics", "rename", "SQL", "databases"))
    merged = run("topics", "rename", "SQL", "databases", "--yes")
    assert merged.stdout == "Merged 'SQL' into 'Databases' (1 entry)\n"
    assert {e["topic"] for e in entries(run)} == {"Databases"}
    assert run("undo").stdout == "Moved 1 entry back from 'Databases' to 'SQL'\n"
    assert {e["topic"] for e in entries(run)} == {"SQL", "Databases"}
    assert run("undo").stdout == "Removed #2 10 min Databases\n"
    assert run("undo").stdout == "Renamed 'SQL' back to 'sql'\n"
    assert {e["topic"] for e in entries(run)} == {"sql"}
    assert "no topic 'Nope'" in one_line_error(run("topics", "rename", "Nope", "X"), code=1)
    assert json.loads(run("topics", "--json").stdout)["topics"][0]["topic"] == "sql"


def test_week_and_remind_show_a_running_timer(run: Run, frozen: time_machine.Traveller) -> None:
    run("start", "-t", "SQL")
    frozen.shift(timedelta(minutes=12))
    assert "Running since" in run("week").stdout and "(12 min): SQL" in run("week").stdout
    assert json.loads(run("week", "--json").stdout)["timer"]["minutes"] == 12
    assert "microup stop logs it" in run("remind").stdout


def test_undo_of_a_stop_never_drops_the_timer_running_now(
    run: Run, frozen: time_machine.Traveller
) -> None:
    run("start", "-t", "A")
    frozen.shift(timedelta(minutes=30))
    run("stop")
    run("start", "-t", "B", "-n", "important")
    stop = json.loads(run("history", "--json").stdout)["changes"][1]["id"]
    assert "stop or cancel it before undoing" in one_line_error(run("undo", str(stop)))
    assert json.loads(run("status", "--json").stdout)["note"] == "important"


def test_the_timer_keeps_the_rules_of_log(run: Run, frozen: time_machine.Traveller) -> None:
    run("log", "20", "-t", "Go", "--at", "2026-11-01")
    run("start", "-t", "Go", "--at", "5h ago")
    assert "has run for 5 h 0 min" in one_line_error(run("start", "--switch", "-t", "Py"))
    assert "before the running timer started" in one_line_error(
        run("start", "--switch", "--at", "6h ago")
    )
    run("cancel")
    run("start", "-t", "Fresh")
    frozen.shift(timedelta(minutes=10))
    assert "nothing learnt" in one_line_error(run("stop", "--recall", "easy"))
    run("cancel")
    assert "weeks before your first entry" in one_line_error(run("start", "--at", "2016-01-01"))


def test_an_undone_import_keeps_settings_changed_since(
    run: Run, frozen: object, tmp_path: Path
) -> None:
    exported = tmp_path / "in.json"
    exported.write_text(
        '{"format": "microup", "version": 1, "entries": [], "settings": {"review-budget": "30"}}',
        encoding="utf-8",
    )
    run("import", str(exported))
    run("config", "review-budget", "45")
    imported = json.loads(run("history", "--json").stdout)["changes"][1]["id"]
    refused = one_line_error(run("undo", str(imported)))
    assert "the setting review-budget was changed again since" in refused
    assert "Setting review-budget 45" in refused
    assert "45" in run("config", "review-budget").stdout


def test_setting_the_goal_it_already_is_changes_nothing(run: Run, db: Path | str) -> None:
    """Failure 9: `goal 90` when it was 90 was journaled (and undo then undid nothing)."""
    assert run("goal", "90").exit_code == 0
    before = store_state(db)
    again = run("goal", "90")
    assert again.exit_code == 0 and "90 min" in again.stdout
    assert store_state(db) == before
