"""An entry that counted toward a programme's module, deleted or edited: the module minutes
it credited are taken back (and counted again as edited), and undo puts everything back
(issue 18's leftover), on both engines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import Run
from microup.core.programme import Part, credit, take_back

OUTLINE = "# Data\n## SQL\n- Select (30m)\n- Joins (45m)\n## Stats\n- Tests (20m)\n"


@pytest.fixture
def outline(tmp_path: Path) -> Path:
    path = tmp_path / "course.md"
    path.write_text(OUTLINE, encoding="utf-8")
    return path


def done(run: Run) -> dict[tuple[str, int], tuple[int, bool]]:
    shown = run("programme", "--all", "--json")
    assert shown.exit_code == 0, shown.stderr
    modules = json.loads(shown.stdout)["programmes"][0]["modules"]
    return {(m["title"], m["part"]): (m["done_minutes"], m["done"]) for m in modules}


def everything(run: Run) -> tuple[str, str, str]:
    """The entries, progress and links as export and the xAPI statements show them."""
    shown = (run("export").stdout, run("programme", "--all", "--json").stdout)
    return (*shown, run("export", "-f", "xapi").stdout)


def minutes_done(run: Run) -> int:
    return int(
        json.loads(run("programme", "--all", "--json").stdout)["programmes"][0]["minutes_done"]
    )


@given(
    st.lists(st.integers(1, 60), min_size=1, max_size=6),
    st.lists(st.integers(1, 90), min_size=1, max_size=4),
)
def test_taking_back_what_was_credited_restores_the_parts(
    sizes: list[int], sessions: list[int]
) -> None:
    """Credit sessions in turn, take the last one back from the parts last first: the parts
    are as they were before it, done or not."""
    parts = [Part(i, "T", "M", i + 1, len(sizes), m) for i, m in enumerate(sizes)]
    for minutes in sessions[:-1]:
        changed = {p.seq: p for p in credit([p for p in parts if not p.done], minutes, 1)}
        parts = [changed.get(p.seq, p) for p in parts]
    before = list(parts)
    open_parts = [p for p in parts if not p.done]
    if not open_parts:
        return
    changed = {p.seq: p for p in credit(open_parts, sessions[-1], 2)}
    after = [changed.get(p.seq, p) for p in parts]
    back = {p.seq: p for p in take_back(list(reversed(after)), sessions[-1])}
    assert [back.get(p.seq, p) for p in after] == before


def test_a_part_marked_done_stays_done_when_minutes_are_taken_back() -> None:
    marked = Part(0, "T", "M", 1, 1, 30, done_minutes=10, done_at=5)
    assert take_back([marked], 10) == [Part(0, "T", "M", 1, 1, 30, 0, 5)]
    filled = Part(0, "T", "M", 1, 1, 30, done_minutes=30, done_at=5)
    assert take_back([filled], 1) == [Part(0, "T", "M", 1, 1, 30, 29, None)]


@pytest.mark.both_engines
def test_deleting_an_entry_takes_its_module_minutes_back_and_undo_returns_them(
    run: Run, outline: Path
) -> None:
    assert run("programme", "add", str(outline)).exit_code == 0
    assert run("log", "20", "-t", "SQL").exit_code == 0  # Select: parts of 15 and 15
    assert run("log", "15", "-t", "SQL").exit_code == 0  # Select done, Joins 5
    assert done(run)[("Select", 2)] == (15, True) and done(run)[("Joins", 1)] == (5, False)
    assert minutes_done(run) == 35
    assert run("config", "lrs-home", "https://learning.example.org").exit_code == 0
    state = everything(run)
    assert run("delete", "2", "--yes").exit_code == 0
    assert done(run)[("Select", 2)] == (5, False) and done(run)[("Joins", 1)] == (0, False)
    assert minutes_done(run) == 20
    assert run("undo").exit_code == 0
    assert everything(run) == state  # the entry, the minutes and the link all back
    assert run("delete", "1", "--yes").exit_code == 0
    assert minutes_done(run) == 15


@pytest.mark.both_engines
def test_editing_an_entry_counts_it_again_as_edited(run: Run, outline: Path) -> None:
    assert run("programme", "add", str(outline)).exit_code == 0
    assert run("log", "20", "-t", "SQL").exit_code == 0
    assert run("config", "lrs-home", "https://learning.example.org").exit_code == 0
    state = everything(run)
    assert run("edit", "1", "--minutes", "10").exit_code == 0
    assert minutes_done(run) == 10
    assert run("edit", "1", "--note", "joins").exit_code == 0  # no minutes changed: as it was
    assert minutes_done(run) == 10
    assert run("edit", "1", "--topic", "Stats").exit_code == 0  # now toward Stats' module
    after = done(run)
    assert after[("Select", 1)] == (0, False) and after[("Tests", 1)] == (10, False)
    assert minutes_done(run) == 10
    assert run("edit", "1", "--topic", "Go").exit_code == 0  # no module of Go: counts for none
    assert minutes_done(run) == 0
    for _ in range(4):
        undone = run("undo")
        assert undone.exit_code == 0, undone.stderr
    assert everything(run) == state


def test_an_entry_that_never_counted_is_not_counted_by_an_edit(run: Run, outline: Path) -> None:
    assert run("log", "20", "-t", "SQL").exit_code == 0  # before the programme
    assert run("programme", "add", str(outline)).exit_code == 0
    assert run("edit", "1", "--minutes", "25").exit_code == 0
    assert minutes_done(run) == 0
