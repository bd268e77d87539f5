"""Programmes, the hostile tester's second round: a topic merge that would give a programme
one module twice, programmes that start in the future, and imported dates out of range."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from conftest import Run, one_line_error, store_state
from microup.core.programme import Part, Programme, project

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture
def frozen(local_tz: str) -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _outline(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "o.md"
    path.write_text(text, encoding="utf-8")
    return path


def _round_trip(run: Run, tmp_path: Path) -> None:
    """The export imports into a fresh store (a backup that can be restored)."""
    file = tmp_path / "back.json"
    file.write_text(run("export").stdout, encoding="utf-8")
    restored = run("--db", str(tmp_path / "fresh.db"), "import", str(file))
    assert restored.exit_code == 0, restored.stderr


# 1. A merge never gives a programme one module twice ---------------------------------------


@pytest.mark.both_engines
def test_a_merge_that_would_give_a_module_twice_is_refused(
    run: Run, tmp_path: Path, db: Path | str, frozen: object
) -> None:
    run("log", "5", "-t", "SQL")
    run("log", "5", "-t", "Python")
    outline = "# P\n## SQL\n- Joins (20m)\n## Python\n- Joins (20m)\n"
    assert run("programme", "add", str(_outline(tmp_path, outline))).exit_code == 0
    run("log", "20", "-t", "SQL")
    before = store_state(db)
    said = one_line_error(run("topics", "rename", "SQL", "Python", "--yes"), 1)
    assert "programme P has a module 'Joins' in both SQL and Python" in said
    assert store_state(db) == before
    said = one_line_error(run("topics", "rename", "Python", "sql", "--yes"), 1)
    assert "programme P has a module 'Joins' in both Python and SQL" in said
    _round_trip(run, tmp_path)


@pytest.mark.both_engines
def test_a_merge_without_a_clash_still_exports_and_imports(
    run: Run, tmp_path: Path, frozen: object
) -> None:
    run("log", "5", "-t", "SQL")
    run("log", "5", "-t", "Python")
    outline = "# P\n## SQL\n- Joins (20m)\n## Python\n- Loops (20m)\n"
    assert run("programme", "add", str(_outline(tmp_path, outline))).exit_code == 0
    run("log", "20", "-t", "SQL")
    merged = run("topics", "rename", "SQL", "Python", "--yes")
    assert merged.exit_code == 0, merged.stderr
    shown = json.loads(run("programme", "--json").stdout)["programmes"][0]
    assert {m["topic"] for m in shown["modules"]} == {"Python"}
    _round_trip(run, tmp_path)


# 2. A programme that starts in the future ----------------------------------------------------


@given(
    st.integers(0, 10**6),
    st.integers(0, 10**6),
    st.dates(date(1970, 1, 1), date(9998, 12, 31)),
    st.dates(date(1970, 1, 1), date(9998, 12, 31)),
    st.floats(0, 1e6, allow_nan=False),
    st.integers(1, 600),
)
def test_a_projected_end_is_never_before_the_start(
    recent: int, done: int, today: date, start: date, planned: float, minutes: int
) -> None:
    part = Part(0, "SQL", "M", 1, 1, minutes, min(done, minutes))
    projection = project(Programme(1, "P", start, None, 1, (part,)), recent, today, planned)
    assert projection.projected_end is None or projection.projected_end >= start
    finished = replace(part, done_at=0)  # done in 1970, whatever the start
    done_early = project(Programme(1, "P", start, None, 1, (finished,)), recent, today)
    assert done_early.projected_end is not None and done_early.projected_end >= start


@pytest.mark.both_engines
def test_a_programme_starting_later_is_not_credited_before_and_add_and_show_agree(
    run: Run, tmp_path: Path, frozen: object
) -> None:
    path = _outline(tmp_path, "# F\n## SQL\n- Joins (40m)\n")
    added = run("programme", "add", str(path), "--start", "9998-12-25")
    assert "finishes not before 2100" in added.stdout, added.stdout
    logged = run("log", "1", "-t", "SQL")
    assert logged.exit_code == 0 and "F:" not in logged.stdout, logged.stdout
    shown = run("programme")
    assert "not before 2100" in shown.stdout and "about" not in shown.stdout, shown.stdout
    said = one_line_error(run("log", "5", "-t", "SQL", "--module", "Joins"), 2)
    assert "programme F starts on 9998-12-25" in said
    data = json.loads(run("programme", "--json").stdout)["programmes"][0]
    assert data["minutes_done"] == 0


@pytest.mark.both_engines
def test_a_programme_due_a_day_after_a_far_start_is_not_on_track(
    run: Run, tmp_path: Path, frozen: object
) -> None:
    path = _outline(tmp_path, "# F\n## SQL\n- Joins (40m)\n")
    run("programme", "add", str(path), "--start", "2099-12-31", "--by", "2100-01-01")
    for _ in range(3):
        run("log", "60", "-t", "SQL")
    shown = run("programme")
    assert "not on track for 2100-01-01" in shown.stdout, shown.stdout
    assert "finishes about 2026" not in shown.stdout and "finishes about 2027" not in shown.stdout


# 3. An import holds dates to the years `programme add` and `holiday` take --------------------


@pytest.mark.both_engines
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"start": "9999-12-31"}, "programme 1: start 9999-12-31 is out of range (from 1970 to"),
        ({"start": "0001-01-01"}, "programme 1: start 0001-01-01 is out of range (from 1970 to"),
        ({"by": "9999-12-31"}, "programme 1: by 9999-12-31 is out of range (from 1970 to 9998)"),
        ({"holidays": ["9999-01-04"]}, "holiday 1: 9999-01-04 is out of range (weeks of 1970"),
        ({"holidays": ["1969-12-22"]}, "holiday 1: 1969-12-22 is out of range (weeks of 1970"),
    ],
)
def test_an_import_refuses_dates_out_of_range(
    run: Run,
    tmp_path: Path,
    db: Path | str,
    frozen: object,
    change: dict[str, object],
    message: str,
) -> None:
    run("programme", "add", str(_outline(tmp_path, "# P\n## SQL\n- Joins (20m)\n")))
    run("log", "5", "-t", "SQL")
    data = json.loads(run("export").stdout)
    run("programme", "remove", "P", "--yes")
    run("delete", "1", "--yes")
    if "holidays" in change:
        data["holidays"] = change["holidays"]
    else:
        data["programmes"][0].update(change)
    file = tmp_path / "bad.json"
    file.write_text(json.dumps(data), encoding="utf-8")
    before = store_state(db)
    assert message in one_line_error(run("import", str(file)), 2)
    assert store_state(db) == before
    assert json.loads(run("programme", "list", "--json").stdout)["programmes"] == []


def test_a_programme_not_started_is_not_named_as_new_material(
    run: Run, tmp_path: Path, frozen: object
) -> None:
    path = _outline(tmp_path, "# F\n## SQL\n- Joins (40m)\n")
    run("programme", "add", str(path), "--start", "2027-03-01")
    for command in ("plan", "week", "remind", "review"):
        assert "Joins" not in run(command).stdout, command
    path.write_text("# G\n## SQL\n- Loops (40m)\n", encoding="utf-8")
    run("programme", "add", str(path))
    assert "new: SQL, Loops" in run("plan").stdout
