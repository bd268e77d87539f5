"""Programmes, the hostile tester's findings: projections far away, outlines too big, topic
renames, outlines edited in place, imports held to `programme add`'s rules, and messages
that name what is wrong."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from conftest import Run, one_line_error, store_state
from microup.core.programme import Part, Programme, finish_date, planned_end, project

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture
def frozen(local_tz: str) -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _outline(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "o.md"
    path.write_text(text, encoding="utf-8")
    return path


def _shown(run: Run, *args: str) -> dict:  # type: ignore[type-arg]
    result = run("programme", *args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["programmes"][0]  # type: ignore[no-any-return]


# 1. A projection far away never overflows --------------------------------------------------


@given(
    st.integers(0, 10**9),
    st.floats(0, 1e308, allow_nan=False) | st.just(5e-324),
    st.dates(),
    st.dates() | st.none(),
    st.integers(0, 10**6),
)
def test_a_projection_never_raises(
    minutes: int, pace: float, today: date, by: date | None, recent: int
) -> None:
    end = finish_date(minutes, pace, today)
    assert end is None or end == today or end < date(2100, 1, 1)
    assert planned_end(minutes, int(min(pace, 10**6)), today) is None or minutes >= 0
    part = Part(0, "SQL", "M", 1, 1, max(1, minutes))
    programme = Programme(1, "P", today, by, 1, (part,))
    projected = project(programme, recent, today)
    assert (projected.projected_end is None) == (projected.no_end is not None)


def test_a_programme_that_ends_after_2100_says_so(run: Run, tmp_path: Path, frozen: object) -> None:
    modules = "".join(f"- M{i} (10h)\n" for i in range(9))
    path = _outline(tmp_path, "# Long\n## SQL\n" + modules)
    run("goal", "21")
    run("config", "review-budget", "20")
    added = run("programme", "add", str(path), "--by", "2027-06-01")
    assert added.exit_code == 0, added.stderr
    assert "At 1 new min a week" in added.stdout and "not before 2100" in added.stdout
    assert "after 2027-06-01" in added.stdout
    run("log", "1", "-t", "SQL")
    shown = _shown(run)
    assert shown["projected_end"] is None and shown["projected_end_reason"] == "not before 2100"
    assert shown["on_track"] is False
    for args in ((), ("list",), ("Long",)):
        result = run("programme", *args)
        assert result.exit_code == 0 and "not before 2100" in result.stdout, result.stderr


# 2. Outlines too big are refused where they pass the limit ---------------------------------

TOO_BIG = {
    "modules": (
        "# P\n## T\n" + "".join(f"- M{i}\n" for i in range(501)),
        "line 503: a programme has at most 500 modules",
    ),
    "minutes": (
        "# P\n## T\n" + "".join(f"- M{i} (10h)\n" for i in range(11)),
        "line 13: a programme is at most 100 hours (6,000 min); this module takes it to 6,600",
    ),
}


@pytest.mark.both_engines
@pytest.mark.parametrize("case", TOO_BIG)
def test_an_outline_too_big_is_refused_at_its_line(
    run: Run, tmp_path: Path, db: Path | str, case: str
) -> None:
    run("goal", "60")
    before = store_state(db)
    text, message = TOO_BIG[case]
    assert message in one_line_error(run("programme", "add", str(_outline(tmp_path, text))), 2)
    assert store_state(db) == before


def test_the_largest_outline_is_accepted(run: Run, tmp_path: Path, frozen: object) -> None:
    modules = "".join(f"- M{i} (12m)\n" for i in range(500))
    added = run("programme", "add", str(_outline(tmp_path, "# P\n## T\n" + modules)))
    assert added.exit_code == 0, added.stderr
    assert "500 modules" in added.stdout and "6000 min in all" in added.stdout


# 3. Renaming a topic renames it in the programmes ------------------------------------------

OUTLINE = "# Data\n## SQL\n- Select (20m)\n- Joins (40m)\n- Windows (20m)\n"


@pytest.mark.both_engines
def test_renaming_a_topic_keeps_the_programme_on_it(
    run: Run, tmp_path: Path, frozen: object
) -> None:
    run("programme", "add", str(_outline(tmp_path, OUTLINE)))
    run("log", "5", "-t", "sql")
    before = run("export").stdout
    assert run("topics", "rename", "SQL", "Databases", "-y").exit_code == 0
    logged = run("log", "5", "-t", "Databases")
    assert "Data: Databases, Select (10 of 20 min)" in logged.stdout, logged.stdout
    assert {m["topic"] for m in _shown(run)["modules"]} == {"Databases"}
    assert "Databases" in run("session", "--plan").stdout
    assert run("undo").exit_code == 0 and run("undo").exit_code == 0
    assert run("export").stdout == before
    assert {m["topic"] for m in _shown(run)["modules"]} == {"SQL"}
    run("log", "5", "-t", "Go")
    assert run("topics", "rename", "sql", "go", "-y").exit_code == 0  # a merge: the same
    assert {m["topic"] for m in _shown(run)["modules"]} == {"Go"}
    assert "Data: Go, Select (10 of 20 min)" in run("log", "5", "-t", "go").stdout


# 4. An outline edited in place carries progress consistently -------------------------------


@pytest.mark.both_engines
def test_an_edited_module_keeps_its_progress_consistently(
    run: Run, tmp_path: Path, frozen: object
) -> None:
    run("goal", "60")  # sessions of 20 minutes
    path = _outline(tmp_path, OUTLINE)
    run("programme", "add", str(path))
    run("log", "30", "--module", "Joins", "-t", "SQL")
    run("programme", "done", "Windows")
    path.write_text(OUTLINE.replace("Joins (40m)", "Joins (20m)"), encoding="utf-8")
    run("programme", "add", str(path))
    joins = [m for m in _shown(run)["modules"] if m["title"] == "Joins"]
    assert [(m["done_minutes"], m["minutes"], m["done"]) for m in joins] == [(20, 20, True)]
    path.write_text(OUTLINE.replace("Windows (20m)", "Windows (60m)"), encoding="utf-8")
    run("programme", "add", str(path))
    shown = _shown(run)
    rows = [(m["title"], m["done_minutes"], m["minutes"], m["done"]) for m in shown["modules"]]
    assert rows == [
        ("Select", 0, 20, False),
        ("Joins", 20, 20, True),
        ("Joins", 10, 20, False),
        ("Windows", 20, 20, True),
        ("Windows", 20, 20, True),
        ("Windows", 20, 20, True),
    ]
    assert shown["minutes_done"] == sum(row[1] for row in rows) == 90


# 5. An import is held to the outline's rules -----------------------------------------------


def _export_with(data: dict[str, Any], tmp_path: Path, change: dict[str, object]) -> Path:
    data = json.loads(json.dumps(data))
    data["programmes"][0].update(change)
    path = tmp_path / "e.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.both_engines
def test_an_import_is_refused_as_programme_add_would(
    run: Run, tmp_path: Path, db: Path | str, frozen: object
) -> None:
    run("programme", "add", str(_outline(tmp_path, OUTLINE)))
    run("log", "5", "-t", "Go")
    exported = json.loads(run("export").stdout)
    parts = exported["programmes"][0]["parts"]
    twice = [parts[0], parts[1], parts[1], *parts[2:]]
    bad: dict[str, tuple[dict[str, object], str]] = {
        "twice": ({"parts": twice}, "programme 1, part 3: 'Joins, part 1 of 2' where part 2"),
        "by": ({"by": "2020-01-01"}, "programme 1: by 2020-01-01 is not after the start"),
        "name": ({"name": "a\u202eb"}, "programme 1: a programme name is 1 to 200 printable"),
        "short": ({"parts": parts[:2]}, "programme 1, part 2: its module's parts stop short"),
    }
    run("programme", "remove", "Data", "--yes")
    before = store_state(db)
    for change, message in bad.values():
        path = _export_with(exported, tmp_path, change)
        assert message in one_line_error(run("import", str(path)), 2)
        assert store_state(db) == before


def test_an_import_says_what_became_of_programmes(run: Run, tmp_path: Path, frozen: object) -> None:
    run("programme", "add", str(_outline(tmp_path, OUTLINE)))
    run("log", "5", "-t", "SQL")
    file = tmp_path / "e.json"
    file.write_text(run("export").stdout, encoding="utf-8")
    assert "Programme Data: already here, kept as it was." in run("import", str(file)).stdout
    run("programme", "remove", "Data", "--yes")
    assert "Programme Data: added." in run("import", str(file)).stdout


# 6 and 7. Messages that say what is wrong --------------------------------------------------


def test_a_module_logged_under_another_topic_is_named(run: Run, tmp_path: Path) -> None:
    run("programme", "add", str(_outline(tmp_path, OUTLINE)))
    said = one_line_error(run("log", "10", "-t", "Python", "--module", "Joins"), 1)
    assert "'Joins' is a module of SQL, not Python" in said
    assert json.loads(run("entries", "--json").stdout) == {"entries": []}


@pytest.mark.parametrize("name", ["x" * 201, "Data\u200b", "Da\u202eta"])
def test_a_bad_programme_name_is_refused_with_its_line(
    run: Run, tmp_path: Path, db: Path | str, name: str
) -> None:
    run("goal", "60")
    before = store_state(db)
    path = _outline(tmp_path, f"Intro\n\n# {name}\n## SQL\n- Joins\n")
    said = one_line_error(run("programme", "add", str(path)), 2)
    assert "o.md, line 3: a programme name is 1 to 200 printable characters" in said
    assert store_state(db) == before
    named = run("programme", "add", str(path), "--name", "Data")
    assert named.exit_code == 0 and "Added Data" in named.stdout, named.stderr
