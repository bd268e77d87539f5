"""Programmes, the hostile tester's second round: a topic merge that would give a programme
one module twice, programmes that start in the future, and imported dates out of range."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conftest import Run, one_line_error, store_state

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
