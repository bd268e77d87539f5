"""Issue 20: holiday weeks. A week off neither breaks nor extends a streak, and the plan
does not pile up behind it."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conftest import Run, one_line_error, store_state
from microup.core.errors import UsageError
from microup.core.holiday import parse_week
from microup.core.weeks import GoalHistory, adherence, best_streak, current_streak

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=LONDON)  # a Wednesday, week 2026-W48
MONDAY = date(2026, 11, 23)


def weeks_back(n: int) -> date:
    return MONDAY - timedelta(weeks=n)


def test_a_week_off_neither_breaks_nor_extends_a_streak() -> None:
    weekly = {weeks_back(3): 60, weeks_back(2): 60, weeks_back(0): 60}  # nothing a week ago
    plain = GoalHistory.of([])
    assert current_streak(MONDAY, weekly, plain) == 1
    off = GoalHistory.of([], [weeks_back(1)])
    assert current_streak(MONDAY, weekly, off) == 3  # not 4: the week off adds nothing
    assert best_streak(MONDAY, weekly, off) == 3
    assert adherence(MONDAY, weekly, off).weeks == 3
    learnt_anyway = {**weekly, weeks_back(1): 90}
    assert current_streak(MONDAY, learnt_anyway, off) == 3
    assert off.goal_for(weeks_back(1)) == 0 and off.standing_goal(weeks_back(1)) == 60


def test_which_week_is_meant() -> None:
    today = date(2026, 11, 25)
    assert parse_week("this", today) == MONDAY
    assert parse_week("next", today) == MONDAY + timedelta(weeks=1)
    assert parse_week("2026-W52", today) == date(2026, 12, 21)
    assert parse_week("2026-12-24", today) == date(2026, 12, 21)
    for bad in ("2026-W54", "someday", ""):
        with pytest.raises(UsageError):
            parse_week(bad, today)


@pytest.fixture
def frozen(local_tz: str) -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _streak(run: Run) -> int:
    return int(json.loads(run("week", "--json").stdout)["streak"])


@pytest.mark.both_engines
def test_holiday_and_goal_zero_week_through_the_cli(
    run: Run, frozen: time_machine.Traveller
) -> None:
    for back in (3, 2):
        run("log", "60", "-t", "SQL", "--at", f"{back * 7}d ago", "--yes")
    run("log", "60", "-t", "SQL")
    assert _streak(run) == 1  # last week was empty
    done = run("holiday", "last")
    assert done.exit_code == 0, done.stderr
    assert "2026-W47 (2026-11-16 to 2026-11-22) is a week off" in done.stdout
    assert _streak(run) == 3
    assert run("undo").exit_code == 0
    assert _streak(run) == 1
    assert "not a week" in one_line_error(run("holiday", "soon"))
    frozen.shift(timedelta(weeks=1))  # next week: a week off with goal 0 --week
    assert run("goal", "0", "--week").exit_code == 0
    week = json.loads(run("week", "--json").stdout)
    assert week["goal"] == 0
    assert json.loads(run("plan", "--json").stdout)["budget"]["week_minutes"] == 0
    review = json.loads(run("review", "--json").stdout)
    assert review["suggestions"] == []  # nothing planned in a week off
    frozen.shift(timedelta(weeks=1))
    assert json.loads(run("week", "--json").stdout)["goal"] == 60  # back to the usual goal
    plan = json.loads(run("plan", "--json").stdout)
    assert plan["budget"]["week_minutes"] == 20  # one week's size, whatever was left undone


def test_goal_for_this_week_only(run: Run, frozen: time_machine.Traveller) -> None:
    run("goal", "90")
    assert run("goal", "30", "--week").exit_code == 0
    assert json.loads(run("week", "--json").stdout)["goal"] == 30
    frozen.shift(timedelta(weeks=1))
    assert json.loads(run("week", "--json").stdout)["goal"] == 90
    assert "needs the goal" in one_line_error(run("goal", "--week"))
    assert "goal" in one_line_error(run("goal", "0"))  # a goal of nothing is only for a week


def test_an_older_store_gains_the_holiday_table(run: Run, db_path: Path) -> None:
    from microup.store import SCHEMA_VERSION

    run("log", "20")
    connection = sqlite3.connect(db_path)
    connection.execute("DROP TABLE holiday")
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 1}")
    connection.commit()
    connection.close()
    assert run("holiday").exit_code == 0
    connection = sqlite3.connect(db_path)
    assert connection.execute("SELECT count(*) FROM holiday").fetchone() == (1,)
    connection.close()


def test_weeks_off_travel_with_an_export(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An export keeps the weeks off, and importing it into another store marks them there too
    (a restore from an export loses nothing)."""
    assert run("log", "20", "-t", "SQL", "--at", "2026-11-18").exit_code == 0
    assert run("holiday", "2026-11-09").exit_code == 0
    exported = run("export", "--format", "json")
    assert json.loads(exported.stdout)["holidays"] == ["2026-11-09"]
    file = tmp_path / "history.json"
    file.write_text(exported.stdout, encoding="utf-8")
    monkeypatch.setenv("MICROUP_DB", str(tmp_path / "restored.db"))
    assert run("import", str(file)).exit_code == 0
    assert json.loads(run("export", "--format", "json").stdout)["holidays"] == ["2026-11-09"]
    assert run("undo").exit_code == 0  # the import, weeks off included
    assert json.loads(run("export", "--format", "json").stdout)["holidays"] == []
    file.write_text(exported.stdout.replace('"2026-11-09"', '"2026-11-10"'), encoding="utf-8")
    assert "is not a Monday" in one_line_error(run("import", str(file)))


@pytest.mark.both_engines
@pytest.mark.parametrize(
    "args",
    [
        ["holiday", "9999-W52"],
        ["holiday", "9999-W52", "--remove"],
        ["holiday", "9999-12-31"],
        ["holiday", "0001-W01"],
        ["holiday", "1969-12-24"],
    ],
)
def test_weeks_beyond_the_calendar_are_refused_and_nothing_stored(
    run: Run, db: Path | str, args: list[str]
) -> None:
    """A hostile tester's find: 9999-W52 was saved, then its span overflowed (traceback)."""
    run("log", "5", "-t", "SQL")
    before = store_state(db)
    assert "out of range" in one_line_error(run(*args))
    assert store_state(db) == before
    assert run("holiday", "9998-W52").exit_code == 0
    assert "1970-W01 (1969-12-29" in run("holiday", "1970-01-01").stdout


@pytest.mark.both_engines
def test_removing_a_week_that_is_not_off_is_an_error(
    run: Run, db: Path | str, frozen: time_machine.Traveller
) -> None:
    run("log", "5", "-t", "SQL")
    before = store_state(db)
    line = one_line_error(run("holiday", "2026-W50", "--remove"), code=1)
    assert line == "microup: error: 2026-W50 is not a week off; nothing to remove"
    assert store_state(db) == before
    assert run("holiday", "2026-W50").exit_code == 0
    history = run("history", "--json").stdout
    again = run("holiday", "2026-12-09")
    assert (
        again.exit_code == 0
        and "2026-W50 (2026-12-07 to 2026-12-13) is a week off already" in again.stdout
    )
    assert run("history", "--json").stdout == history  # nothing journaled
    assert "counts again" in run("holiday", "2026-W50", "--remove").stdout


def test_removing_a_week_off_on_a_fresh_home_makes_no_store(run: Run, db_path: Path) -> None:
    one_line_error(run("holiday", "--remove"), code=1)
    assert not db_path.parent.exists()
