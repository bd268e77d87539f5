"""`microup session` without a terminal: the pure plan, the runner on a fake clock with
scripted keys, each block written as it ends, and one undo for the whole session."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from conftest import Run
from microup.app.runner import BlockRun, Outcome, SessionRunner
from microup.app.session import SessionLog, new_material, session_plan
from microup.core.errors import UsageError
from microup.core.session import (
    NewMaterial,
    SessionBlock,
    SessionPlan,
    answer_grade,
    answer_yes,
    default_minutes,
    plan_json,
    plan_session,
)
from microup.store import transaction
from microup.store.journal import Touched, merged_rows

# The plan ------------------------------------------------------------------------------------


def test_reviews_first_then_new_material_for_the_rest() -> None:
    plan = plan_session(
        20, [("SQL", 5), ("Go", 5)], NewMaterial("Rust"), {"SQL": ["joins", "window"]}
    )
    assert [(b.kind, b.topic, b.minutes) for b in plan.blocks] == [
        ("review", "SQL", 5),
        ("review", "Go", 5),
        ("learn", "Rust", 10),
    ]
    assert plan.blocks[0].faded == ("joins", "window") and plan.planned == 20


def test_short_session_cuts_the_reviews_and_leaves_no_new_material() -> None:
    plan = plan_session(7, [("SQL", 5), ("Go", 5)], NewMaterial("Rust", "Module 2"))
    assert [(b.topic, b.minutes) for b in plan.blocks] == [("SQL", 5), ("Go", 2)]


def test_nothing_learnt_yet_is_new_material_without_a_topic() -> None:
    plan = plan_session(15, [], None)
    assert plan.blocks == (SessionBlock("learn", None, 15),)
    assert plan_json(plan) == {
        "minutes": 15,
        "blocks": [{"kind": "learn", "topic": None, "module": None, "minutes": 15, "faded": []}],
    }


@pytest.mark.parametrize(
    ("remaining", "sessions", "expected"), [(40, 2, 20), (45, 2, 23), (0, 3, 10), (5, 1, 10)]
)
def test_default_minutes_share_the_goal_left(remaining: int, sessions: int, expected: int) -> None:
    assert default_minutes(remaining, sessions) == expected


def test_answers() -> None:
    assert [answer_grade(text) for text in ("", "1", "hard", " Easy ", "3")] == [3, 1, 2, 4, 3]
    with pytest.raises(UsageError):
        answer_grade("great")
    assert [answer_yes(t, default=False) for t in ("", "y", "No", "maybe")] == [
        False,
        True,
        False,
        None,
    ]


# The runner, on a fake clock -------------------------------------------------------------------


class Script:
    """Keys pressed after so many seconds; time passes only while the runner waits for keys."""

    def __init__(self, steps: list[tuple[float, str]]) -> None:
        self.now = 0.0
        self.steps = list(steps)

    def clock(self) -> float:
        return self.now

    def keys(self, timeout: float) -> str | None:
        if self.steps and self.steps[0][0] <= timeout:
            wait, key = self.steps.pop(0)
            self.now += wait
            return key
        if self.steps:
            wait, key = self.steps[0]
            self.steps[0] = (wait - timeout, key)
        self.now += timeout
        return None


class Screen:
    """Answers the runner's questions from a list, and remembers what it was shown."""

    def __init__(self, grades: Sequence[int] = (), modules: Sequence[bool] = ()) -> None:
        self.grades = list(grades)
        self.modules = list(modules)
        self.ended: list[tuple[str | None, Outcome]] = []
        self.bells = 0
        self.paused_seen = False

    def show(self, run: BlockRun, total: int) -> None:
        self.paused_seen |= run.paused

    def close(self, run: BlockRun, outcome: Outcome) -> None:
        self.ended.append((run.block.topic, outcome))

    def bell(self, run: BlockRun) -> None:
        self.bells += 1

    def ask_grade(self, block: SessionBlock) -> int:
        return self.grades.pop(0)

    def ask_module_done(self, block: SessionBlock) -> bool:
        return self.modules.pop(0)


class MemoryLog:
    """Records what the runner asks the log to write."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def start(self, block: SessionBlock) -> None:
        self.calls.append(("start", block.topic))

    def finish(
        self, block: SessionBlock, minutes: int, grade: int | None, *, module_done: bool = False
    ) -> Any:
        self.calls.append(("finish", block.topic, minutes, grade, module_done))
        return None

    def drop(self, block: SessionBlock) -> None:
        self.calls.append(("drop", block.topic))


PLAN = SessionPlan(
    20,
    (
        SessionBlock("review", "SQL", 5),
        SessionBlock("review", "Go", 5),
        SessionBlock("learn", "Rust", 10, module="Module 3"),
    ),
)


def run_script(
    steps: list[tuple[float, str]], screen: Screen, plan: SessionPlan = PLAN
) -> tuple[SessionRunner, MemoryLog]:
    script, log = Script(steps), MemoryLog()
    runner = SessionRunner(plan, script.clock, script.keys, screen, log)
    runner.run()
    return runner, log


def test_blocks_that_run_out_log_their_planned_minutes_with_grades() -> None:
    screen = Screen(grades=[2, 4], modules=[True])
    _, log = run_script([], screen)
    assert log.calls == [
        ("start", "SQL"),
        ("finish", "SQL", 5, 2, False),
        ("start", "Go"),
        ("finish", "Go", 5, 4, False),
        ("start", "Rust"),
        ("finish", "Rust", 10, None, True),
    ]
    assert screen.bells == 3 and all(outcome is Outcome.DONE for _, outcome in screen.ended)


def test_n_counts_the_minutes_spent_at_least_one_and_s_logs_nothing() -> None:
    screen = Screen(grades=[3], modules=[False])
    _, log = run_script([(10, "n"), (200, "s"), (150, "n")], screen)
    assert log.calls == [
        ("start", "SQL"),
        ("finish", "SQL", 1, 3, False),
        ("start", "Go"),
        ("drop", "Go"),
        ("start", "Rust"),
        ("finish", "Rust", 2, None, False),  # 150 s: two minutes, never more than ran
    ]


def test_a_pause_does_not_count() -> None:
    screen = Screen(grades=[3])
    plan = SessionPlan(5, (SessionBlock("review", "SQL", 5),))
    _, log = run_script([(60, " "), (3600, " "), (60, "n")], screen, plan)
    assert log.calls[-1] == ("finish", "SQL", 2, 3, False) and screen.paused_seen


def test_q_ends_the_session_keeping_the_minutes_spent() -> None:
    runner, log = run_script([(10, "n"), (180, "q")], Screen(grades=[3, 1]))
    assert log.calls[-2:] == [("start", "Go"), ("finish", "Go", 3, 1, False)]
    assert runner.quit


def test_q_under_a_minute_drops_the_block() -> None:
    runner, log = run_script([(20, "q")], Screen())
    assert log.calls == [("start", "SQL"), ("drop", "SQL")] and runner.quit


def test_the_module_question_comes_only_with_a_module() -> None:
    plan = SessionPlan(5, (SessionBlock("learn", "Rust", 5),))
    screen = Screen()  # no answers: asking would fail
    _, log = run_script([(70, "n")], screen, plan)
    assert log.calls[-1] == ("finish", "Rust", 1, None, False)


# The store: each block as it ends, one undo for all -------------------------------------------


def content(run: Run) -> tuple[str, str]:
    exported = run("export", "--format", "json")
    assert exported.exit_code == 0, exported.stderr
    return exported.stdout, run("status", "--json").stdout


@pytest.fixture
def seeded(run: Run) -> Iterator[Run]:
    for args in (
        ("log", "20", "-t", "SQL", "-n", "window functions", "--at", "10d ago", "-y"),
        ("log", "15", "-t", "Python", "-n", "decorators", "--at", "9d ago", "-y"),
        ("log", "10", "-t", "Rust", "--at", "1h ago"),
    ):
        assert run(*args).exit_code == 0
    yield run


def opener(db: Path | str) -> Any:
    return lambda: transaction(db, write=True)


@pytest.mark.both_engines
def test_a_session_logs_each_block_and_one_undo_removes_it(db: Path | str, seeded: Run) -> None:
    before = content(seeded)
    with transaction(db, write=False) as store:
        plan = session_plan(store, datetime.now().astimezone(), 30)
        assert new_material(store, datetime.now().astimezone()) == NewMaterial("Rust")
    assert [(b.kind, b.topic) for b in plan.blocks] == [
        ("review", "SQL"),
        ("review", "Python"),
        ("learn", "Rust"),
    ]
    assert plan.blocks[0].faded == ("window functions",)
    log = SessionLog(opener(db), lambda: datetime.now().astimezone())
    script = Script([(70, "n"), (10, "s"), (200, "n")])
    runner = SessionRunner(plan, script.clock, script.keys, Screen(grades=[2]), log)
    runner.run()
    entries = json.loads(seeded("entries", "--json").stdout)["entries"]
    assert [(e["topic"], e["minutes"], e["kind"], e["recall"]) for e in entries[:2]] == [
        ("Rust", 3, "learn", None),
        ("SQL", 1, "review", 2),
    ]
    history = seeded("history").stdout
    assert history.count("Session:") == 1, history
    undone = seeded("undo")
    assert undone.exit_code == 0 and "Removed #4" in undone.stdout
    assert content(seeded) == before
    assert seeded("undo").stdout.startswith("Removed #3")  # the log before the session


@pytest.mark.both_engines
def test_a_crashed_session_leaves_its_block_running(db: Path | str, seeded: Run) -> None:
    before = content(seeded)
    with transaction(db, write=False) as store:
        plan = session_plan(store, datetime.now().astimezone(), 20)
    log = SessionLog(opener(db), lambda: datetime.now().astimezone())

    class Crash(Exception):
        pass

    script = Script([(70, "n")])

    def keys(timeout: float) -> str | None:
        if not script.steps:
            raise Crash
        return script.keys(timeout)

    runner = SessionRunner(plan, script.clock, keys, Screen(grades=[4]), log)
    with pytest.raises(Crash):
        runner.run()
    status = json.loads(seeded("status", "--json").stdout)
    assert status["running"] and (status["topic"], status["kind"]) == ("Python", "review")
    assert seeded("stop", "--minutes", "2").exit_code == 0
    assert seeded("undo").exit_code == 0  # the stop: the block runs again
    assert seeded("undo").exit_code == 0  # the session: its review and its timer
    assert content(seeded) == before


def test_another_timer_refuses_the_session(db: Path | str, seeded: Run) -> None:
    assert seeded("start", "-t", "Go").exit_code == 0
    log = SessionLog(opener(db), lambda: datetime.now().astimezone())
    with pytest.raises(UsageError, match="already running"):
        log.start(SessionBlock("learn", "Rust", 5))


def test_a_block_stopped_elsewhere_is_not_logged_twice(db: Path | str, seeded: Run) -> None:
    log = SessionLog(opener(db), lambda: datetime.now().astimezone())
    block = SessionBlock("learn", "Rust", 5)
    log.start(block)
    assert seeded("stop", "--minutes", "4").exit_code == 0
    assert log.finish(block, 5, None) is None
    newest = json.loads(seeded("entries", "--json").stdout)["entries"][0]
    assert newest["minutes"] == 4


def test_merged_rows_keep_the_first_before_and_the_last_after() -> None:
    timer = {"id": 1}
    rows = [
        Touched("timer", timer, None, {"id": 1, "topic": "a"}),
        Touched("entry", {"id": 4}, None, {"id": 4}),
        Touched("timer", timer, {"id": 1, "topic": "a"}, None),
        Touched("timer", timer, None, {"id": 1, "topic": "b"}),
        Touched("entry", {"id": 5}, None, None, last_id=9),
    ]
    merged = merged_rows(rows)
    assert [(r.table, r.key, r.before, r.after, r.last_id) for r in merged] == [
        ("timer", timer, None, {"id": 1, "topic": "b"}, None),
        ("entry", {"id": 4}, None, {"id": 4}, None),
        ("entry", {"id": 5}, None, None, 9),
    ]


@pytest.mark.both_engines
def test_new_material_is_the_programmes_next_module_and_is_credited(
    db: Path | str, seeded: Run, tmp_path: Path
) -> None:
    """With a programme, the session's new material is its next unfinished module; the block
    counts toward it, and answering that it is finished marks it done (issues 18 and 19)."""
    outline = tmp_path / "course.md"
    outline.write_text("# Data\n## SQL\n- Joins (15m)\n- Windows (15m)\n", encoding="utf-8")
    assert seeded("programme", "add", str(outline)).exit_code == 0
    moment = datetime.now().astimezone()
    with transaction(db, write=False) as store:
        assert new_material(store, moment) == NewMaterial("SQL", "Joins")
        plan = session_plan(store, moment, 20)
    learn = [block for block in plan.blocks if block.kind == "learn"]
    assert [(block.topic, block.module) for block in learn] == [("SQL", "Joins")]
    log = SessionLog(opener(db), lambda: datetime.now().astimezone())
    keys: list[tuple[float, str]] = [(10.0, "s")] * (len(plan.blocks) - 1) + [(130.0, "n")]
    script = Script(keys)
    SessionRunner(plan, script.clock, script.keys, Screen(modules=[True]), log).run()
    shown = json.loads(seeded("programme", "--json").stdout)["programmes"][0]["modules"]
    joins = next(module for module in shown if module["title"] == "Joins")
    assert joins["done"] and joins["done_minutes"] == joins["minutes"]
    with transaction(db, write=False) as store:
        assert new_material(store, moment) == NewMaterial("SQL", "Windows")
