"""Programmes (issue 18): the outline, parts and projection, the commands, the plan's new
material, reviews named by module, export and import, undo, and the bad-input rules."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from conftest import Run, one_line_error, store_state
from microup.core.errors import UsageError
from microup.core.programme import (
    Part,
    Programme,
    credit,
    finish_date,
    parse_outline,
    project,
    split_minutes,
)

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=ZoneInfo("Europe/London"))
OUTLINE = """# Data analysis for marketers
Some words about the course.
## SQL
- Select and filter (30m)
- Joins (45m)
  - a nested detail, not a module
## Statistics
- Distributions (1h)
- A/B tests
"""


@pytest.fixture
def frozen(local_tz: str) -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def outline(tmp_path: Path) -> Path:
    path = tmp_path / "course.md"
    path.write_text(OUTLINE, encoding="utf-8")
    return path


def _json(run: Run, *args: str) -> dict:  # type: ignore[type-arg]
    result = run(*args, "--json") if args else run("programme", "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


# The pure core -------------------------------------------------------------------------------


def test_the_outline_is_read_as_a_syllabus() -> None:
    parsed = parse_outline(OUTLINE, "course.md")
    assert parsed.name == "Data analysis for marketers"
    assert [(m.topic, m.title, m.minutes, m.line) for m in parsed.modules] == [
        ("SQL", "Select and filter", 30, 4),
        ("SQL", "Joins", 45, 5),
        ("Statistics", "Distributions", 60, 8),
        ("Statistics", "A/B tests", None, 9),
    ]


def test_a_parenthesis_that_is_no_duration_stays_in_the_title() -> None:
    parsed = parse_outline("## Go\n* [x] Intro (video)\n1. Tour (1h30m)\n", "o.txt")
    assert [(m.title, m.minutes) for m in parsed.modules] == [("Intro (video)", None), ("Tour", 90)]


@given(st.integers(1, 600), st.integers(1, 120))
def test_splitting_into_parts_keeps_the_minutes(minutes: int, session: int) -> None:
    parts = split_minutes(minutes, session)
    assert sum(parts) == minutes
    assert max(parts) <= session or len(parts) == 1
    assert max(parts) - min(parts) <= 1


@given(st.integers(0, 10_000), st.floats(0.5, 600, allow_nan=False), st.dates())
def test_the_projection_is_the_minutes_left_over_the_pace(
    left: int, pace: float, today: date
) -> None:
    end = finish_date(left, pace, today)  # never raises: a date past 2100 is none
    if end is None:
        assert left > 0 and today.toordinal() + 7 * left / pace >= date(2100, 1, 1).toordinal()
        return
    weeks = (end - today).days / 7
    assert weeks >= left / pace
    assert weeks - 1 / 7 < left / pace or left == 0


def test_projection_and_credit() -> None:
    parts = (Part(0, "SQL", "Joins", 1, 2, 20), Part(1, "SQL", "Joins", 2, 2, 20))
    after = credit(parts, 25, 100)
    assert [(p.done_minutes, p.done) for p in after] == [(20, True), (5, False)]
    programme = Programme(1, "P", date(2026, 10, 20), date(2026, 12, 1), 1, (after[0], after[1]))
    projected = project(programme, 4 * 15, date(2026, 11, 24))
    assert projected.minutes_done == 25 and projected.pace_per_week == 15
    assert projected.projected_end == date(2026, 11, 24) + timedelta(days=7)
    assert projected.on_track is True and projected.minutes_per_week_needed == 15


# The commands --------------------------------------------------------------------------------


def test_add_says_what_it_understood_and_when_it_finishes(
    run: Run, outline: Path, frozen: object
) -> None:
    added = run("programme", "add", str(outline), "--by", "2027-01-31")
    assert added.exit_code == 0, added.stderr
    assert "4 modules in 9 session-sized parts, 155 min in all" in added.stdout
    assert "At 40 new min a week" in added.stdout and "2026-12-22" in added.stdout
    assert "in time for 2027-01-31" in added.stdout
    shown = _json(run)["programmes"][0]
    assert shown["name"] == "Data analysis for marketers" and shown["by"] == "2027-01-31"
    assert shown["minutes_total"] == 155 and shown["projected_end"] is None
    assert shown["modules"][2] == {
        "title": "Joins",
        "topic": "SQL",
        "part": 1,
        "parts": 3,
        "minutes": 15,
        "done_minutes": 0,
        "done": False,
    }


@pytest.mark.both_engines
def test_logging_counts_toward_the_next_module_and_finishing_is_said(
    run: Run, outline: Path, frozen: object
) -> None:
    run("programme", "add", str(outline), "--by", "2027-01-31")
    assert "Select and filter, part 2 of 2 (5 of 15 min)" in run("log", "20", "-t", "sql").stdout
    logged = run("log", "10", "--module", "Joins", "--done")
    assert logged.exit_code == 0, logged.stderr
    assert "SQL, Joins, part 3 of 3 (done)" in logged.stdout
    shown = _json(run)["programmes"][0]
    # Started today: the pace is this week's 30 minutes, not diluted over four weeks.
    assert shown["minutes_done"] == 20 + 45 and shown["pace_per_week"] == 30
    assert shown["projected_end"] == "2026-12-15" and shown["on_track"] is True
    assert shown["minutes_per_week_needed"] == 10  # 90 min in 68 days
    assert run("programme", "done", "Distributions").exit_code == 0
    assert run("programme", "done", "select AND filter").exit_code == 0
    last = run("log", "25", "-t", "Statistics")
    assert "finished: 155 min over 1 week, 2026-11-24 to 2026-11-24" in last.stdout
    assert _json(run)["programmes"] == []
    assert _json(run, "programme", "--all")["programmes"][0]["on_track"] is True
    assert "4 of 4" in run("programme", "list").stdout


@pytest.mark.both_engines
def test_an_edited_outline_updates_in_place_keeping_progress(
    run: Run, outline: Path, frozen: object
) -> None:
    run("programme", "add", str(outline))
    run("log", "30", "-t", "SQL")
    run("programme", "done", "Distributions")
    outline.write_text(OUTLINE.replace("Joins (45m)", "Joins and unions (45m)"), encoding="utf-8")
    assert "Updated" in run("programme", "add", str(outline)).stdout
    modules = _json(run)["programmes"][0]["modules"]
    done = {(m["title"], m["part"]): m["done_minutes"] for m in modules}
    assert done[("Select and filter", 1)] == 15 and done[("Select and filter", 2)] == 15
    assert done[("Joins and unions", 1)] == 0 and done[("Distributions", 3)] == 20


def test_the_plan_and_the_reminder_name_the_new_material(
    run: Run, outline: Path, frozen: object
) -> None:
    run("programme", "add", str(outline))
    plan = _json(run, "plan")
    assert plan["new"][0] == {
        "programme": "Data analysis for marketers",
        "topic": "SQL",
        "module": "Select and filter",
        "part": 1,
        "parts": 2,
        "minutes": 15,
    }
    assert (
        "new: SQL, Select and filter, part 1 of 2 (module 1 of 4, 15 of 30 min)"
        in run("remind").stdout
    )
    assert "new: SQL" in run("week").stdout and "new: SQL" in run("plan").stdout
    assert _json(run, "week")["new"]["module"] == "Select and filter"


@pytest.mark.both_engines
def test_what_faded_is_named_by_module(run: Run, outline: Path, frozen: object) -> None:
    run("programme", "add", str(outline), "--start", "2026-11-01")  # before the entries
    run("log", "20", "-t", "SQL", "-n", "my note", "--at", "2026-11-03")
    run("log", "20", "-t", "Stats", "-n", "my note", "--at", "2026-11-03")
    faded = _json(run, "review")["suggestions"]
    notes = {s["topic"]: [p["note"] for p in s["faded"]] for s in faded}
    assert notes["SQL"] == ["Select and filter"] and notes["Stats"] == ["my note"]


@pytest.mark.both_engines
def test_remove_asks_and_undo_brings_everything_back(
    run: Run, outline: Path, frozen: object
) -> None:
    def content() -> str:
        return str(run("export").stdout)

    run("goal", "60")
    steps = [
        ("programme", "add", str(outline), "--by", "2027-02-01"),
        ("log", "20", "-t", "SQL"),
        ("programme", "done", "Joins"),
        ("programme", "add", str(outline)),
        ("programme", "remove", "data analysis FOR marketers", "--yes"),
    ]
    for step in steps:
        before = content()
        assert run(*step).exit_code == 0
        assert content() != before or step[1] == "add"
        assert run("undo").exit_code == 0
        assert content() == before, step
        run(*step)
    assert one_line_error(run("programme", "remove", "x"), 2)
    assert _json(run)["programmes"] == []


def test_export_and_import_carry_programmes(
    run: Run, outline: Path, tmp_path: Path, frozen: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("programme", "add", str(outline))
    run("log", "20", "-t", "SQL")
    exported = run("export").stdout
    file = tmp_path / "e.json"
    file.write_text(exported, encoding="utf-8")
    monkeypatch.setenv("MICROUP_DB", str(tmp_path / "other.db"))
    assert run("import", str(file)).exit_code == 0
    assert run("export").stdout == exported
    assert run("import", str(file)).exit_code == 0
    assert run("export").stdout == exported


# Bad input -----------------------------------------------------------------------------------

BAD = {
    "no module": ("# Only a name\n\nSome text.\n", "no module found"),
    "long title": ("## T\n- " + "x" * 201 + "\n", "line 2: a module title is at most 200"),
    "refused duration": ("## T\n- Fine (5m)\n- Too long (11h)\n", "line 3: duration must be"),
    "bad duration": ("## T\n\n- Odd (5 parsecs)\n", "line 3: invalid duration"),
    "twice": ("## T\n- Joins\n## U\n- Joins\n## T\n- joins\n", "line 6: 'joins' is already"),
}


@pytest.mark.both_engines
@pytest.mark.parametrize("case", BAD)
def test_a_bad_outline_is_refused_with_its_line_and_nothing_stored(
    run: Run, tmp_path: Path, db: Path | str, case: str
) -> None:
    run("goal", "60")
    before = store_state(db)
    text, message = BAD[case]
    path = tmp_path / "o.md"
    path.write_text(text, encoding="utf-8")
    assert message in one_line_error(run("programme", "add", str(path)), 2)
    assert store_state(db) == before


def test_a_file_too_large_or_not_utf8_is_refused(run: Run, tmp_path: Path) -> None:
    big = tmp_path / "big.md"
    big.write_bytes(b"- x\n" * (300_000))
    assert "at most 1 MiB" in one_line_error(run("programme", "add", str(big)), 2)
    latin = tmp_path / "latin.md"
    latin.write_bytes(b"## T\n- caf\xe9\n")
    assert "line 2: not UTF-8" in one_line_error(run("programme", "add", str(latin)), 2)
    with pytest.raises(UsageError):
        parse_outline("", "empty")


def test_log_done_needs_a_module(run: Run, outline: Path) -> None:
    assert "--done needs a module" in one_line_error(run("log", "20", "-t", "Go", "--done"), 2)
    run("programme", "add", str(outline))
    assert "no unfinished module" in one_line_error(run("log", "5", "--module", "Nope"), 1)
    assert _json(run, "entries") == {"entries": []}


# A cohort's programme on the shared store -----------------------------------------------------


def test_a_cohort_programme_is_each_learners_own(
    pg_admin_url: str, outline: Path, frozen: object
) -> None:
    from conftest import new_role
    from test_postgres import as_role, sql_error

    learners = [new_role(pg_admin_url) for _ in range(5)]
    names = [url.split("://")[1].split("@")[0] for url in learners]
    assert as_role(pg_admin_url, "cohort", "create", "pilot").exit_code == 0
    assert as_role(pg_admin_url, "cohort", "add", "pilot", *names).exit_code == 0
    given = as_role(
        pg_admin_url, "cohort", "programme", "pilot", str(outline), "--by", "2027-01-31"
    )
    assert given.exit_code == 0, given.stderr
    assert "to 5 learners" in given.stdout
    for index, url in enumerate(learners):
        assert as_role(url, "log", str(10 + 20 * index), "-t", "SQL").exit_code == 0
    first = json.loads(as_role(learners[0], "programme", "--json").stdout)["programmes"]
    last = json.loads(as_role(learners[4], "programme", "--json").stdout)["programmes"]
    assert first[0]["minutes_done"] == 10 and last[0]["minutes_done"] == 30 + 45  # SQL has no more
    # Nobody reads another's progress, even with SQL of their own.
    import psycopg

    with psycopg.connect(learners[0]) as conn:
        seen = conn.execute("SELECT DISTINCT learner FROM microup.programme_part").fetchall()
        me = conn.execute("SELECT microup.me(current_user)").fetchall()
    with psycopg.connect(pg_admin_url) as conn:
        admitted = conn.execute(
            "SELECT id FROM microup.member WHERE name = %s AND kind = 'learner'", (names[0],)
        ).fetchall()
    assert seen == me == admitted  # the learner's own admission, and only theirs
    assert "denied" in sql_error(learners[0], "SELECT * FROM microup.cohort_programme")
    reporter = new_role(pg_admin_url, group="reporter")
    report = json.loads(as_role(reporter, "cohort", "report", "pilot", "--json").stdout)
    shown = report["programmes"][0]
    assert shown["programme"] == "Data analysis for marketers" and shown["learners"] == 5
    assert shown["modules_done_quartiles"] == [1, 1, 1]  # 0, 1, 1, 1, 2
    assert 0 <= shown["on_track_share"] <= 1
    # One learner more, and the programme figures would give that learner away: none.
    sixth = new_role(pg_admin_url)
    assert as_role(pg_admin_url, "cohort", "add", "pilot", sixth.split("://")[1].split("@")[0])
    assert as_role(sixth, "log", "30", "-t", "SQL").exit_code == 0
    from test_postgres import sql

    again = "SELECT microup.cohort_programme_report('pilot', current_date)::text"
    assert sql(reporter, again) == [("[]",)]


@pytest.mark.parametrize(
    "option", [("--start", "9999-12-31"), ("--by", "9999-12-31"), ("--start", "0001-01-01")]
)
def test_dates_beyond_the_calendar_are_refused(
    run: Run, outline: Path, db_path: Path, option: tuple[str, str]
) -> None:
    """A hostile tester's kind of find: `--start 9999-12-31` ended in an OverflowError."""
    assert "out of range" in one_line_error(run("programme", "add", str(outline), *option))
    assert not db_path.exists()


def test_a_pace_too_slow_for_the_calendar_has_no_finish_date() -> None:
    assert finish_date(10**9, 0.001, date(2026, 12, 3)) is None
