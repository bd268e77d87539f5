"""`microup review`, `config` and `curve` through the CLI, with time frozen."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conftest import Run, file_bytes, one_line_error

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture
def frozen(local_tz: str) -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def review_json(run: Run, *args: str) -> dict[str, object]:
    result = run("review", "--json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_nothing_logged_says_how_to_start(run: Run, frozen: object) -> None:
    result = run("review")
    assert result.exit_code == 0
    assert "microup log 20 --topic" in result.stdout
    assert review_json(run) == {"suggestions": [], "more": 0}


def test_entries_without_topic_are_not_reviewed(run: Run, frozen: object) -> None:
    run("log", "20")
    assert review_json(run)["suggestions"] == []


def test_review_ranks_most_forgotten_first(run: Run, frozen: object) -> None:
    run("log", "20", "-t", "Old", "--at", "10d ago")
    run("log", "20", "-t", "Recent", "--at", "3h ago")
    run("log", "20", "-t", "Fresh", "--at", "10m ago")
    data = review_json(run)
    rows = data["suggestions"]
    assert [row["topic"] for row in rows] == ["Old", "Recent"]  # Fresh is within the min gap
    assert rows[0]["retention"] < rows[1]["retention"] < 1
    for row in rows:
        assert 0 < row["retention"] < 1
        assert 1 <= row["suggested_minutes"] <= 30
        assert row["due"].endswith("+00:00") and row["last_studied"].endswith("+00:00")
        assert row["sessions"] == 1 and row["stability_hours"] > 0
    assert data["more"] == 0
    everything = review_json(run, "--all")["suggestions"]
    assert [row["topic"] for row in everything] == ["Old", "Recent", "Fresh"]
    shown = run("review").stdout
    assert "Old" in shown and "Next due: Fresh" in shown


def test_after_a_long_break_only_a_few_are_shown(run: Run, frozen: object) -> None:
    for index in range(12):
        run("log", "10", "-t", f"Topic {index}", "--at", f"{30 + index}d ago")
    data = review_json(run)
    assert len(data["suggestions"]) == 5 and data["more"] == 7
    assert len(review_json(run, "--limit", "2")["suggestions"]) == 2
    assert "7 more waiting" in run("review").stdout


def test_reviewing_makes_a_topic_last_longer(run: Run, frozen: time_machine.Traveller) -> None:
    run("log", "20", "-t", "SQL", "--at", "2d ago")
    once = review_json(run, "--all")["suggestions"][0]
    run("log", "5", "-t", "sql", "--at", "1d ago")
    twice = review_json(run, "--all")["suggestions"][0]
    assert twice["stability_hours"] > once["stability_hours"]
    assert twice["retention"] > once["retention"]
    assert twice["sessions"] == 2


def test_recall_grade_changes_the_schedule(run: Run, frozen: object) -> None:
    run("log", "20", "-t", "A", "--at", "2d ago")
    run("log", "20", "-t", "B", "--at", "2d ago")
    run("log", "5", "-t", "A", "--at", "1d ago", "--recall", "again")
    run("log", "5", "-t", "B", "--at", "1d ago", "--recall", "4")
    rows = {r["topic"]: r for r in review_json(run, "--all")["suggestions"]}
    assert rows["A"]["stability_hours"] < rows["B"]["stability_hours"]
    entries = json.loads(run("entries", "--json").stdout)["entries"]
    assert {e["recall"] for e in entries} == {1, 4, None}


@pytest.mark.parametrize("grade", ["meh", "0", "5", "", "goodish"])
def test_bad_recall_is_refused(run: Run, frozen: object, db_path: Path, grade: str) -> None:
    run("log", "5")
    before = file_bytes(db_path)
    assert "again, hard, good or easy" in one_line_error(run("log", "5", "-r", grade))
    assert file_bytes(db_path) == before


def test_config_shows_validates_and_changes_the_schedule(
    run: Run, frozen: object, db_path: Path
) -> None:
    shown = run("config").stdout
    assert "target-retention" in shown and "0.8" in shown and "min-gap" in shown
    run("log", "20", "-t", "SQL", "--at", "30m ago")
    assert review_json(run)["suggestions"] == []  # recall has fallen, but within the 1 h gap
    assert run("config", "min-gap", "10m").exit_code == 0
    assert "10" in run("config", "min-gap").stdout
    assert [r["topic"] for r in review_json(run)["suggestions"]] == ["SQL"]
    assert run("config", "target-retention", "50.5%").exit_code == 0
    assert review_json(run)["suggestions"] == []  # R(30 min) is above 0.505
    before = file_bytes(db_path)
    for args in (
        ["config", "bogus"],
        ["config", "target-retention", "1.5"],
        ["config", "target-retention", "nan"],
        ["config", "min-gap", "0"],
        ["config", "min-gap", "abc"],
    ):
        one_line_error(run(*args))
    assert file_bytes(db_path) == before


def test_curve_for_material_learnt_once(run: Run, frozen: object) -> None:
    result = run("curve")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert "50% forgotten in an hour" in lines[0]
    assert "1h" in lines[-1] and "1w" in lines[-1]
    assert sum(line.count("●") for line in lines) >= 20
    rows = {"50%": lines[6], "10%": lines[10]}  # chart rows 1..11 are 100% down to 0%
    for tick, row in (("1h", "50%"), ("1w", "10%")):  # the seed figures, where the axis says
        x = lines[-1].index(tick)
        assert "●" in rows[row][x - 1 : x + 2], (tick, rows[row])


def test_curve_for_a_topic_marks_its_sessions(run: Run, frozen: object) -> None:
    run("log", "20", "-t", "[red]SQL[/red]", "--at", "5d ago")
    run("log", "10", "-t", "[red]sql[/red]", "--at", "2d ago")
    result = run("curve", "[RED]sql[/RED]")
    assert result.exit_code == 0, result.stderr
    assert "Recall of [red]SQL[/red]" in result.stdout
    assert result.stdout.splitlines()[-2].count("▲") == 2
    assert "┆" in result.stdout
    assert "no sessions logged" in one_line_error(run("curve", "Nope"), code=1)
