"""Undo by construction (issue "The house"): every change is journaled by the store as row
images, one generic revert undoes any of them, a change moved on since is refused, the journal
is bounded, and a store migrated from an older microup undoes its old changes."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conftest import Run, one_line_error

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture
def frozen(local_tz: str) -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def content(run: Run) -> tuple[str, str, str]:
    """Everything a person owns: the export (entries, goals, settings), the timer, the config."""
    exported = run("export", "--format", "json")
    assert exported.exit_code == 0, exported.stderr
    return exported.stdout, run("status", "--json").stdout, run("config").stdout


def _seed(run: Run) -> None:
    run("log", "20", "-t", "SQL", "-n", "joins", "--at", "2d ago")
    run("log", "10", "-t", "Stats", "--at", "1d ago")
    run("log", "5", "-t", "SQL", "--review", "--recall", "hard", "--at", "3h ago")


def _import(run: Run, folder: Path) -> None:
    file = folder / "in.json"
    file.write_text(
        '{"format": "microup", "version": 1, "entries": ['
        '{"at": "2026-11-20T10:00:00+00:00", "minutes": 7, "topic": "Rust"},'
        '{"at": "2026-11-21T10:00:00+00:00", "minutes": 8, "topic": "sql"}],'
        ' "goals": [{"week_start": "2026-11-16", "minutes": 75}],'
        ' "settings": {"min-gap": "30"}}',
        encoding="utf-8",
    )
    assert run("import", str(file)).exit_code == 0


CHANGES: dict[str, Callable[[Run, Path], object]] = {
    "log": lambda run, _: run("log", "15", "-t", "New topic"),
    "log a review": lambda run, _: run("log", "5", "-t", "Stats", "--review"),
    "edit": lambda run, _: run("edit", "1", "--minutes", "30", "--topic", "Go", "-n", "x"),
    "delete": lambda run, _: run("delete", "2", "--yes"),
    "goal": lambda run, _: run("goal", "90"),
    "config": lambda run, _: run("config", "review-budget", "30"),
    "respell": lambda run, _: run("topics", "rename", "SQL", "sql"),
    "rename": lambda run, _: run("topics", "rename", "SQL", "Databases"),
    "merge": lambda run, _: run("topics", "rename", "SQL", "Stats", "--yes"),
    "import": lambda run, folder: _import(run, folder),
    "start": lambda run, _: run("start", "-t", "SQL"),
}


@pytest.mark.both_engines
@pytest.mark.parametrize("kind", list(CHANGES))
def test_undo_restores_the_content_exactly(
    kind: str, run: Run, frozen: time_machine.Traveller, tmp_path: Path
) -> None:
    _seed(run)
    before = content(run)
    done = CHANGES[kind](run, tmp_path)
    assert getattr(done, "exit_code", 0) == 0
    assert content(run) != before
    assert run("undo").exit_code == 0
    assert content(run) == before


@pytest.mark.both_engines
def test_stop_and_cancel_are_undone_too(run: Run, frozen: time_machine.Traveller) -> None:
    _seed(run)
    run("start", "-t", "SQL")
    frozen.shift(timedelta(minutes=12))
    running = content(run)
    run("stop")
    assert run("undo").stdout.endswith("; the timer runs again\n")
    assert content(run) == running
    assert "dropped" in run("cancel").stdout
    assert run("undo").stdout == "The timer on SQL runs again\n"
    assert content(run) == running


@pytest.mark.both_engines
def test_config_then_undo_reverts_the_setting_not_an_older_log(
    run: Run, frozen: time_machine.Traveller
) -> None:
    """The bug a user met: `config review-budget 30` then `undo` removed an unrelated log."""
    run("log", "90", "--at", "1d ago")
    run("config", "review-budget", "30")
    assert run("undo").stdout == "Setting review-budget back to 20\n"
    assert "20" in run("config", "review-budget").stdout
    assert len(json.loads(run("entries", "--json").stdout)["entries"]) == 1


@pytest.mark.both_engines
def test_a_change_moved_on_since_is_refused_and_named(
    run: Run, frozen: time_machine.Traveller
) -> None:
    run("log", "20", "-t", "SQL", "--at", "1d ago")
    run("edit", "1", "--minutes", "25")
    changes = json.loads(run("history", "--json").stdout)["changes"]
    logged, edited = changes[1], changes[0]
    refused = one_line_error(run("undo", str(logged["id"])))
    assert f"entry #1 was changed again since by change {edited['id']}" in refused
    assert "Edited #1 25 min SQL" in refused
    assert json.loads(run("entries", "--json").stdout)["entries"][0]["minutes"] == 25
    assert run("undo").exit_code == 0  # the edit first, then the log
    assert run("undo", str(logged["id"])).stdout == "Removed #1 20 min SQL\n"
    assert "already undone" in one_line_error(run("undo", str(logged["id"])))
    assert "no change 999" in one_line_error(run("undo", "999"), code=1)


@pytest.mark.both_engines
def test_a_command_that_changes_nothing_is_not_journaled(
    run: Run, frozen: time_machine.Traveller
) -> None:
    run("goal", "90")
    run("goal", "90")
    run("config", "min-gap", "60")  # the default already
    assert len(json.loads(run("history", "--json").stdout)["changes"]) == 1


def test_the_journal_keeps_its_bound(tmp_path: Path) -> None:
    from microup.core.values import Entry
    from microup.store import transaction

    path = tmp_path / "m.db"
    with transaction(path, write=True) as store:
        for minute in range(1, 1006):
            store.add_entry(Entry(NOW - timedelta(minutes=minute), 1, "SQL"))
            store.describe(f"Logged {minute}", f"Removed {minute}")
            store.finish()
    connection = sqlite3.connect(path)
    changes = connection.execute("SELECT min(id), max(id), count(*) FROM journal").fetchone()
    assert changes == (6, 1005, 1000)
    rows = connection.execute("SELECT min(change_id), count(*) FROM journal_row").fetchone()
    assert rows[0] == 6 and rows[1] >= 1000
    connection.close()


def test_undo_history_is_a_setting_of_at_least_a_thousand(run: Run) -> None:
    run("log", "5")
    assert "at least 1,000" in run("config", "undo-history").stdout
    assert "from 1,000" in one_line_error(run("config", "undo-history", "10"))
    assert run("config", "undo-history", "5000").exit_code == 0


def _version_5_store(path: Path) -> None:
    """A store as microup of schema 5 left it, with its old journal of JSON steps."""
    from sqlalchemy import create_engine

    from microup.store.sqlite.schema import APPLICATION_ID, MIGRATIONS

    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        for step in MIGRATIONS[:5]:
            step(connection)
        connection.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
        connection.exec_driver_sql("PRAGMA user_version = 5")
    engine.dispose()
    at = int(NOW.timestamp())
    raw = sqlite3.connect(path)
    raw.executescript(
        f"""
        INSERT INTO topic (id, name, key) VALUES (1, 'SQL', 'sql');
        INSERT INTO entry (id, at, utc_offset, minutes, topic_id, kind)
            VALUES (1, {at - 7200}, 0, 20, 1, 'learn');
        INSERT INTO goal (week_start, minutes) VALUES ('2026-11-23', 90);
        INSERT INTO journal (at, summary, undo_message, steps) VALUES
            ({at}, 'Logged #1 20 min SQL', 'Removed #1 20 min SQL', '[{{"delete": [1, 1]}}]'),
            ({at}, 'Logged #2 5 min SQL', 'Removed #2 5 min SQL', '[{{"delete": [2, 2]}}]'),
            ({at}, 'Deleted #2 5 min SQL', 'Restored #2 5 min SQL',
             '[{{"restore": [{{"id": 2, "at": {at - 3600}, "offset": 0, "minutes": 5,
                "topic": "SQL", "note": null, "recall": null, "kind": "learn"}}]}}]'),
            ({at}, 'Weekly goal 90 min from 2026-W48', 'Weekly goal from 2026-W48 back to 60 min',
             '[{{"goal": ["2026-11-23", null, 90]}}]');
        """
    )
    raw.commit()
    raw.close()


def test_a_migrated_store_undoes_its_old_changes(
    tmp_path: Path, run: Run, frozen: time_machine.Traveller, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.db"
    _version_5_store(path)
    monkeypatch.setenv("MICROUP_DB", str(path))
    history = json.loads(run("history", "--json").stdout)["changes"]
    assert history[0]["summary"] == "Weekly goal 90 min from 2026-W48"
    assert run("undo").stdout == "Weekly goal from 2026-W48 back to 60 min\n"
    assert "60 min" in run("goal").stdout
    assert run("undo").stdout == "Restored #2 5 min SQL\n"
    assert [e["id"] for e in json.loads(run("entries", "--json").stdout)["entries"]] == [2, 1]
    assert run("undo").stdout == "Removed #2 5 min SQL\n"
    assert run("undo").stdout == "Removed #1 20 min SQL\n"
    assert json.loads(run("entries", "--json").stdout)["entries"] == []
    assert json.loads(run("topics", "--json").stdout)["topics"] == []
