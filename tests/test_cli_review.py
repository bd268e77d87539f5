"""`microup review`, `config` and `curve` through the CLI, with time frozen."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conftest import Run, make_store, one_line_error, store_state

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Europe/London"))  # a Monday

pytestmark = pytest.mark.both_engines


class _AnyFloat:
    def __eq__(self, other: Any) -> bool:
        return isinstance(other, float) and 0.0 <= other <= 1.0


ANY_FLOAT: Any = _AnyFloat()


@pytest.fixture
def frozen(local_tz: str) -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def review_json(run: Run, *args: str) -> dict[str, Any]:
    result = run("review", "--json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_nothing_logged_says_how_to_start(run: Run, frozen: object, db: Path | str) -> None:
    make_store(db)
    result = run("review")
    assert result.exit_code == 0
    assert "microup log 20 --topic" in result.stdout
    assert review_json(run) == {
        "suggestions": [],
        "more": 0,
        "budget": {"week_minutes": 20, "used": 0, "left": 20},
    }


def test_entries_without_topic_are_not_reviewed(run: Run, frozen: object) -> None:
    run("log", "20")
    assert review_json(run)["suggestions"] == []


def test_review_covers_the_most_faded_different_topics_within_the_share(
    run: Run, frozen: object
) -> None:
    run("log", "20", "-t", "Old", "--at", "10d ago", "-n", "window functions")
    run("log", "20", "-t", "Recent", "--at", "3d ago")
    run("log", "20", "-t", "Fresh", "--at", "10m ago")  # learnt this week: not in the plan
    data = review_json(run)
    rows = data["suggestions"]
    # One session a week so far: this session's share is the whole budget, the most faded
    # different topics first, then around again (a topic's blocks in one session are one).
    assert [(row["topic"], row["minutes"]) for row in rows] == [("Old", 10), ("Recent", 10)]
    assert rows[0]["retention"] < rows[1]["retention"] < 1
    old = rows[0]
    assert old["faded"] == [
        {"note": "window functions", "at": "2026-11-13T09:00:00+00:00", "retention": ANY_FLOAT}
    ]
    assert old["due"].endswith("+00:00") and old["last_studied"].endswith("+00:00")
    assert old["sessions"] == 1 and old["stability_hours"] > 0
    assert data["more"] == 0 and data["budget"] == {"week_minutes": 20, "used": 0, "left": 20}
    everything = review_json(run, "--all")["suggestions"]
    assert [row["topic"] for row in everything] == ["Old", "Recent", "Fresh"]
    assert everything[2]["minutes"] == 0
    shown = run("review").stdout
    assert "Old" in shown and "window functions, 13 Nov" in shown


def test_review_minutes_fits_the_time_given_and_never_the_whole_backlog(
    run: Run, frozen: object
) -> None:
    for index in range(12):
        run("log", "10", "-t", f"Topic {index}", "--at", f"{30 + index}d ago")
    everything = review_json(run, "--minutes", "600")
    assert sum(row["minutes"] for row in everything["suggestions"]) == 20  # the week's budget
    assert len({row["topic"] for row in everything["suggestions"]}) == 4
    assert [row["minutes"] for row in review_json(run, "--minutes", "7")["suggestions"]] == [5, 2]
    assert [r["minutes"] for r in review_json(run, "--minutes", "1")["suggestions"]] == []
    one_line_error(run("review", "--minutes", "0"))


def test_logged_reviews_use_up_the_budget_and_plan_shows_what_is_left(
    run: Run, frozen: time_machine.Traveller
) -> None:
    run("log", "20", "-t", "SQL", "--at", "9d ago")
    run("log", "20", "-t", "Go", "--at", "8d ago")
    result = run("log", "5", "-t", "sql", "--review", "--recall", "good")
    assert result.exit_code == 0 and result.stdout.startswith("Reviewed #3  5 min  SQL")
    plan = json.loads(run("plan", "--json").stdout)
    assert plan["budget"] == {"week_minutes": 20, "used": 5, "left": 15}
    assert [(b["topic"], b["minutes"], b["done"]) for b in plan["blocks"]] == [
        ("SQL", 5, 5),
        ("Go", 5, 0),
        ("SQL", 5, 0),
        ("Go", 5, 0),
    ]
    assert sum(m["minutes"] for s in plan["sessions"] for m in s) == 15
    for session in plan["sessions"]:
        assert len({block["topic"] for block in session}) == len(session)
    assert plan["new_minutes_left"] == 40
    text = run("plan").stdout
    assert "Review plan for 2026-W48: 20 min (5 used, 15 left)" in text
    assert "done" in text and "New material: 40 min left" in text
    assert "Review next: Go" in run("week").stdout
    assert run("config", "review-budget", "0").exit_code == 0
    assert review_json(run)["suggestions"] == []
    assert "review-budget 0" in run("review").stdout


def test_a_skipped_session_moves_its_blocks_to_the_next(
    run: Run, frozen: time_machine.Traveller
) -> None:
    for index in range(4):  # four sessions in the week before last: four a week to come
        run("log", "20", "-t", f"T{index}", "--at", f"{8 + index}d ago")
    first = review_json(run)
    monday = [row["topic"] for row in first["suggestions"]]
    assert len(monday) == 1 and first["more"] == 3
    frozen.shift(timedelta(days=6))  # Sunday, nothing done all week: all of it, once
    sunday = review_json(run)["suggestions"]
    assert sum(row["minutes"] for row in sunday) == 20
    assert set(monday) <= {row["topic"] for row in sunday}
    frozen.shift(timedelta(days=14))  # after a two-week break: still one week's size
    after = review_json(run, "--minutes", "600")
    assert sum(row["minutes"] for row in after["suggestions"]) == 20


def test_review_on_a_graded_topic_fits_the_person(run: Run, frozen: object) -> None:
    run("log", "20", "-t", "A", "--at", "20d ago")
    for days in (15, 10, 5):
        run("log", "5", "-t", "A", "--at", f"{days}d ago", "--recall", "again")
    text = run("review", "--all").stdout
    assert "Fitted to you: memory lasts x0." in text and "from 3 graded reviews" in text
    entries = json.loads(run("entries", "--json").stdout)["entries"]
    assert {(e["kind"], e["recall"]) for e in entries} == {("learn", None), ("review", 1)}


def test_a_review_needs_a_topic(run: Run, frozen: object, db: Path | str) -> None:
    run("log", "5")
    before = store_state(db)
    assert "--topic" in one_line_error(run("log", "5", "--review"))
    assert store_state(db) == before


@pytest.mark.parametrize("grade", ["meh", "0", "5", "", "goodish"])
def test_bad_recall_is_refused(run: Run, frozen: object, db: Path | str, grade: str) -> None:
    run("log", "5")
    before = store_state(db)
    assert "again, hard, good or easy" in one_line_error(run("log", "5", "-r", grade))
    assert store_state(db) == before


def test_config_shows_validates_and_changes_the_settings(
    run: Run, frozen: object, db: Path | str
) -> None:
    make_store(db)
    shown = run("config").stdout
    for name in ("review-budget", "target-retention", "min-gap"):
        assert name in shown
    run("log", "20", "-t", "SQL", "--at", "8d ago")
    run("log", "5", "-t", "SQL", "--review", "--at", "30m ago")
    assert review_json(run)["suggestions"] == []  # planned, but studied within the 1 h gap
    assert run("config", "min-gap", "10m").exit_code == 0
    assert "10" in run("config", "min-gap").stdout
    assert [r["topic"] for r in review_json(run)["suggestions"]] == ["SQL"]
    assert run("config", "review-budget", "1h").exit_code == 0
    assert review_json(run)["budget"]["week_minutes"] == 60
    before = store_state(db)
    for args in (
        ["config", "bogus"],
        ["config", "target-retention", "1.5"],
        ["config", "target-retention", "nan"],
        ["config", "min-gap", "0"],
        ["config", "min-gap", "abc"],
        ["config", "review-budget", "-5"],
        ["config", "review-budget", "601"],
    ):
        one_line_error(run(*args))
    assert store_state(db) == before


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


def test_reviews_always_name_a_learnt_topic(run: Run, frozen: object, tmp_path: Path) -> None:
    run("log", "20", "-t", "A", "--at", "3d ago")
    assert "nothing learnt on 'New' yet" in one_line_error(run("log", "5", "-t", "New", "--review"))
    run("log", "5", "-t", "A", "--review", "--recall", "good")
    assert "needs the topic" in one_line_error(run("edit", "2", "--topic", ""))
    bad = tmp_path / "bad.csv"
    bad.write_text("at,minutes,topic,kind\n2026-11-01T10:00,5,,review\n", encoding="utf-8")
    assert "needs the topic" in one_line_error(run("import", str(bad)))


def test_the_budget_stays_inside_the_goal_and_zero_can_be_written_as_a_duration(
    run: Run, frozen: object
) -> None:
    run("log", "20", "-t", "A", "--at", "8d ago")
    run("goal", "30")
    run("config", "review-budget", "600")
    assert review_json(run)["budget"]["week_minutes"] == 30
    for zero in ("0", "00", "0m", "0h"):
        assert run("config", "review-budget", zero).exit_code == 0
        assert review_json(run)["budget"]["week_minutes"] == 0


def test_reviews_outside_the_plan_say_what_waits(run: Run, frozen: object) -> None:
    run("log", "20", "-t", "A", "--at", "8d ago")
    run("log", "20", "-t", "C", "--at", "1h ago")
    run("log", "20", "-t", "C", "--review")
    assert "Planned but not reviewed, for next week: A" in run("review").stdout
    assert "over budget" in run("plan").stdout


def test_a_first_week_says_why_there_is_nothing_to_review(run: Run, frozen: object) -> None:
    run("log", "20", "-t", "SQL")
    assert "joins next week's plan" in run("review").stdout


def _clear_review_cache(db: Path | str) -> None:
    from microup.store import transaction
    from microup.store.journal import LOWEST, delete_range

    with transaction(db, write=True) as store:  # learners delete only through the store
        delete_range(store.connection, "review_cache", LOWEST, -LOWEST - 1)


def _cached_topics(db: Path | str) -> int:
    from microup.core.memory import FOLD_KEY
    from microup.store import transaction

    with transaction(db, write=False) as store:
        return len(store.review_states(FOLD_KEY))


def test_the_review_cache_never_changes_what_is_shown(
    run: Run, frozen: time_machine.Traveller, db: Path | str
) -> None:
    """Plans and recall figures are the same from a cold cache, a warm one, a cache a later
    week builds on, and one an edit or delete of an old session has invalidated."""
    frozen.move_to(NOW - timedelta(weeks=6))
    for back, topic, args in (
        (40, "SQL", []),
        (38, "Stats", []),
        (30, "SQL", ["--recall", "hard"]),
        (20, "Stats", ["--recall", "good"]),
        (12, "Go", []),
        (3, "SQL", ["--recall", "again"]),
    ):
        assert run("log", "20", "-t", topic, "--at", f"{back}d ago", "--yes", *args).exit_code == 0
    frozen.move_to(NOW)

    def shown() -> tuple[object, ...]:
        return (review_json(run, "--all"), run("plan", "--json").stdout, run("week").stdout)

    cold = shown()
    assert _cached_topics(db) == 3  # written by the first review command
    assert shown() == cold  # from the cache
    _clear_review_cache(db)
    assert shown() == cold

    frozen.move_to(NOW + timedelta(weeks=1))  # a new week folds on from last week's cache
    later = shown()
    _clear_review_cache(db)
    assert shown() == later

    entries = json.loads(run("entries", "--json").stdout)["entries"]
    oldest_sql = next(e["id"] for e in reversed(entries) if e["topic"] == "SQL")
    moved = (NOW - timedelta(days=35)).strftime("%Y-%m-%dT%H:%M")
    assert run("edit", str(oldest_sql), "--at", moved).exit_code == 0
    edited = shown()
    assert edited != later
    _clear_review_cache(db)
    assert shown() == edited
    assert run("delete", str(oldest_sql), "--yes").exit_code == 0
    deleted = shown()
    _clear_review_cache(db)
    assert shown() == deleted


def test_review_says_how_sure_each_figure_is_and_asks_for_grades(run: Run, frozen: object) -> None:
    """Issue 22: with no graded reviews each figure comes with an 80% interval, the text
    shows a wide one as a range, and review asks for a grade while the fit has little."""
    run("log", "20", "-t", "SQL", "--at", "20d ago")
    run("log", "5", "-t", "SQL", "--review", "--at", "12d ago")
    for flags in ((), ("--all",)):
        rows = review_json(run, *flags)["suggestions"]
        assert rows
        for row in rows:
            assert row["retention_low"] <= row["retention"] <= row["retention_high"]
            assert row["retention_high"] - row["retention_low"] > 0.1
    row = review_json(run, "--all")["suggestions"][0]
    text = run("review", "--all").stdout
    low, high = round(row["retention_low"] * 100), round(row["retention_high"] * 100)
    assert f"{low}-{high}%" in text
    assert "Grade your next review" in text


def test_a_review_of_nothing_learnt_is_refused_by_import_and_edit(
    run: Run, db: Path, tmp_path: Path
) -> None:
    """Failure 7: an imported review of a never-learnt topic, or `edit --topic New` on a
    review, was accepted (and showed 97% recall): the rule of `log --review`."""
    document: dict[str, Any] = {
        "format": "microup",
        "version": 1,
        "entries": [
            {"minutes": 10, "topic": "SQL", "at": "2026-11-02T09:00:00+00:00", "kind": "learn"},
            {"minutes": 5, "topic": "Rust", "at": "2026-11-03T09:00:00+00:00", "kind": "review"},
        ],
    }
    file = tmp_path / "reviews.json"
    file.write_text(json.dumps(document))
    assert run("log", "10", "-t", "Go").exit_code == 0
    before = store_state(db)
    assert "Rust" in one_line_error(run("import", str(file)))
    assert store_state(db) == before
    document["entries"][1]["topic"] = "sql"  # learnt in the same file: fine
    file.write_text(json.dumps(document))
    assert run("import", str(file)).exit_code == 0
    assert run("log", "5", "-t", "Go", "--review").exit_code == 0
    review_id = max(entry["id"] for entry in json.loads(run("entries", "--json").stdout)["entries"])
    before = store_state(db)
    assert "New" in one_line_error(run("edit", str(review_id), "--topic", "New"))
    assert store_state(db) == before
    assert run("edit", str(review_id), "--topic", "SQL").exit_code == 0
