"""The memory model's rules, for all inputs (hypothesis): the seed curve, reviews, the fit."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microup.core.memory import (
    DECAY,
    FACTOR,
    SEED_STABILITY_HOURS,
    START_DIFFICULTY,
    Grade,
    StudyRow,
    TopicMemory,
    effort,
    fold_topics,
    parse_grade,
    personal_fit,
    retention,
    retention_series,
)

HOUR = 3600
WEEK = 168 * HOUR
hours = st.floats(min_value=0.0, max_value=5e4, allow_nan=False)
stabilities = st.floats(min_value=1e-3, max_value=1e5, allow_nan=False)
minutes = st.integers(min_value=1, max_value=600)
grades = st.sampled_from([None, *Grade])
ok_grades = st.sampled_from([None, Grade.HARD, Grade.GOOD, Grade.EASY])


def test_constants_come_from_the_seed_points() -> None:
    assert retention(1.0, SEED_STABILITY_HOURS) == pytest.approx(0.5, abs=1e-9)
    assert retention(168.0, SEED_STABILITY_HOURS) == pytest.approx(0.1, abs=1e-9)
    assert pytest.approx(0.9 ** (-1 / DECAY) - 1) == FACTOR
    assert pytest.approx(0.0508, abs=1e-4) == SEED_STABILITY_HOURS


@given(minutes, st.integers(min_value=0, max_value=10**9), st.text(max_size=5) | st.none())
def test_material_learnt_once_is_on_the_seed_curve(length: int, at: int, note: str | None) -> None:
    memory = TopicMemory("SQL")
    memory.learn(at, length, note)
    assert memory.retention(at + HOUR) == pytest.approx(0.5, abs=0.01)
    assert memory.retention(at + WEEK) == pytest.approx(0.1, abs=0.01)
    assert memory.faded(at + HOUR)[0].note == note


@given(hours, hours, stabilities, stabilities)
def test_recall_falls_with_time_and_rises_with_stability(
    t1: float, t2: float, s1: float, s2: float
) -> None:
    assert retention(0.0, s1) == 1.0
    for t in (t1, t2):
        assert 0.0 < retention(t, s1) <= 1.0
    if t1 < t2:
        assert retention(t1, s1) >= retention(t2, s1)
    if s1 < s2 and t1 > 0:
        assert retention(t1, s1) <= retention(t1, s2)


history = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=30 * 24),  # hours after the previous session
        minutes,
        st.booleans(),  # a review?
        grades,
    ),
    min_size=1,
    max_size=12,
)


def _replay(steps: list[tuple[int, int, bool, Grade | None]]) -> tuple[TopicMemory, int]:
    memory = TopicMemory("T")
    at = 0
    for gap, length, is_review, grade in steps:
        at += gap * HOUR
        if is_review:
            memory.review(at, length, None if grade is None else int(grade))
        else:
            memory.learn(at, length)
    return memory, at


@given(history, st.integers(min_value=1, max_value=90 * 24), minutes, ok_grades, hours)
def test_a_review_never_lowers_recall(
    steps: list[tuple[int, int, bool, Grade | None]],
    gap: int,
    length: int,
    grade: Grade | None,
    later: float,
) -> None:
    without, at = _replay(steps)
    with_review, _ = _replay(steps)
    when = at + gap * HOUR
    with_review.review(when, length, None if grade is None else int(grade))
    moment = when + int(later * HOUR)
    assert with_review.retention(moment) >= without.retention(moment) - 1e-12


@given(history, st.integers(min_value=1, max_value=90 * 24), minutes, hours)
def test_relearning_after_a_failure_never_drops_below_a_fresh_start(
    steps: list[tuple[int, int, bool, Grade | None]], gap: int, length: int, later: float
) -> None:
    memory, at = _replay(steps)
    when = at + gap * HOUR
    memory.review(when, length, int(Grade.AGAIN))
    fresh = TopicMemory("fresh")
    fresh.learn(when, length)
    moment = when + int(later * HOUR)
    for piece in memory.materials:
        assert piece.retention(moment) >= fresh.retention(moment) - 1e-12


def _reviewed_once(learnt_hours_ago: float, length: int, grade: Grade | None) -> float:
    memory = TopicMemory("T")
    memory.learn(0, 20)
    memory.review(int(learnt_hours_ago * HOUR), length, None if grade is None else int(grade))
    return memory.materials[0].stability


@given(hours, hours, minutes, grades)
def test_a_review_spaced_later_gains_more(
    early: float, late: float, length: int, grade: Grade | None
) -> None:
    early, late = sorted((early, late))
    assert _reviewed_once(early, length, grade) <= _reviewed_once(late, length, grade)
    assert _reviewed_once(late, length, grade) >= SEED_STABILITY_HOURS


@given(st.integers(min_value=2, max_value=14 * 24), st.integers(min_value=1, max_value=60 * 24))
def test_studied_twice_spaced_beats_studied_once(spacing: int, since: int) -> None:
    twice = TopicMemory("twice")
    twice.learn(0, 20)
    twice.review(spacing * HOUR, 20, None)
    once = TopicMemory("once")
    once.learn(spacing * HOUR, 20)
    moment = (spacing + since) * HOUR
    assert twice.retention(moment) > once.retention(moment)


@given(st.floats(min_value=0, max_value=600), st.floats(min_value=0, max_value=600))
def test_minutes_help_with_diminishing_returns(a: float, b: float) -> None:
    a, b = sorted((a, b))
    assert effort(a) <= effort(b)
    assert effort(a + b) <= effort(a) + effort(b) + 1e-12
    assert effort(5) == 1.0 and effort(3) < effort(60) < 60 / 3 * effort(3)


@given(st.lists(st.sampled_from(list(Grade)), max_size=30))
def test_difficulty_stays_in_range_and_drifts_back(steps: list[Grade]) -> None:
    memory = TopicMemory("T")
    memory.learn(0, 20)
    at = 0
    for grade in steps:
        at += WEEK
        memory.review(at, 5, int(grade))
        assert 1.0 <= memory.materials[0].difficulty <= 10.0
    for _ in range(40):
        at += WEEK
        memory.review(at, 5, int(Grade.GOOD))
    assert memory.materials[0].difficulty == pytest.approx(START_DIFFICULTY, abs=0.01)


def test_learning_is_not_counted_as_review_of_older_material() -> None:
    rows = [("SQL", week * WEEK, 20, None, False, None) for week in range(6)]
    memory = fold_topics(rows)["SQL"]
    now = 6 * WEEK
    assert memory.retention(now) < 0.3  # six weekly sessions of new material, none reviewed
    assert memory.sessions == 6 and memory.reviews == 0


def test_a_long_history_keeps_a_bounded_number_of_pieces() -> None:
    memory = TopicMemory("T")
    for index in range(500):
        memory.learn(index * HOUR, 10, f"n{index}")
        if index % 3 == 0:
            memory.review(index * HOUR + 1800, 5, None)
    assert len(memory.materials) <= 24
    assert sum(piece.minutes for piece in memory.materials) == 5000


def test_series_follows_the_fold() -> None:
    rows = [("T", 0, 20, None, False, None), ("T", WEEK, 5, 3, True, None)]
    series = retention_series(rows, [-1, HOUR, WEEK - 1, WEEK, 2 * WEEK])
    assert series[0] is None
    assert series[1] == pytest.approx(0.5, abs=0.01)
    assert series[3] == 1.0
    memory = fold_topics(rows)["T"]
    assert series[4] == pytest.approx(memory.retention(2 * WEEK))


@given(st.integers(min_value=1, max_value=60 * 24), minutes)
def test_an_ungraded_review_counts_between_a_failure_and_a_success(gap: int, length: int) -> None:
    """Issue 22: a review without a grade is not assumed good; it counts as its expected
    outcome under the standard model."""
    gained = {}
    for grade in (Grade.AGAIN, None, Grade.GOOD):
        memory = TopicMemory("T")
        memory.learn(0, 20)
        memory.review(gap * HOUR, length, None if grade is None else int(grade))
        gained[grade] = memory.materials[0].stability
    assert gained[Grade.AGAIN] <= gained[None] <= gained[Grade.GOOD]


@pytest.mark.parametrize("text", ["again", "HARD", " good ", "4"])
def test_grades_parse(text: str) -> None:
    assert isinstance(parse_grade(text), Grade)


study_rows = st.lists(
    st.tuples(
        st.sampled_from(["SQL", "Go", "Stats"]),
        st.integers(min_value=0, max_value=200 * 86_400),
        st.integers(min_value=1, max_value=90),
        st.sampled_from([None, 1, 2, 3, 4]),
        st.booleans(),
        st.sampled_from([None, "joins", "x"]),
    ),
    max_size=80,
)


@given(study_rows, st.integers(min_value=0, max_value=200 * 86_400), st.integers(0, 60))
def test_folding_on_from_a_cached_checkpoint_is_the_whole_fold(
    rows: list[StudyRow], cutoff: int, later_weeks: int
) -> None:
    """The review cache's promise: a memory kept as it stood before `cutoff` (through its
    JSON state), then folded on with the later sessions, is what folding everything gives."""
    import json

    rows = sorted(rows, key=lambda row: (row[0], row[1]))
    snapshot = cutoff + later_weeks * 86_400
    whole = fold_topics(rows, snapshot_at=snapshot)
    before = fold_topics([row for row in rows if row[1] < cutoff], snapshot_at=cutoff)
    kept = {
        topic: TopicMemory.from_state(topic, json.loads(json.dumps(memory.checkpoint.state())))
        for topic, memory in before.items()
        if memory.checkpoint is not None
    }
    resumed = fold_topics([row for row in rows if row[1] >= cutoff], snapshot, start=kept)
    assert resumed.keys() == whole.keys()
    for topic, memory in whole.items():
        again = resumed[topic]
        assert again.state() == memory.state()
        assert again.earlier == memory.earlier
        assert (again.last_studied, again.minutes, again.reviews) == (
            memory.last_studied,
            memory.minutes,
            memory.reviews,
        )
    assert personal_fit(resumed.values(), since=cutoff) == personal_fit(whole.values(), cutoff)


def test_a_copied_material_keeps_every_field() -> None:
    """`Material.copy` names its fields one by one (for speed): a new field must join it."""
    from dataclasses import fields

    from microup.core.memory import Material

    samples: dict[str, Any] = {"int": 7, "float": 7.5, "str | None": "a note"}
    piece = Material(**{f.name: samples[str(f.type)] for f in fields(Material)})
    twin = piece.copy()
    assert twin == piece and twin is not piece
