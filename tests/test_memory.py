"""Tests for the forgetting curve and scheduler: the seed points, the table, and the rules of
design/memory.md as hypothesis properties. No filesystem, no clock."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microup.errors import UsageError
from microup.memory import (
    DECAY,
    DEFAULT_MIN_GAP,
    DEFAULT_TARGET_RETENTION,
    FACTOR,
    MAX_STABILITY_HOURS,
    MIN_STABILITY_HOURS,
    SEED_STABILITY_HOURS,
    SUGGESTED_MINUTES_MAX,
    SUGGESTED_MINUTES_MIN,
    Fold,
    Grade,
    MemoryState,
    Session,
    due_at,
    initial_difficulty,
    initial_stability,
    parse_grade,
    replay,
    retention,
    retention_now,
    start,
    study,
    suggest,
    suggested_minutes,
)

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=timezone.utc)
HOUR = 3600.0
TEN_YEARS_H = 10 * 365.25 * 24.0
ONE_YEAR_H = 365.25 * 24.0


def at(hours: float) -> datetime:
    """A moment ``hours`` after T0, aware, so tests never read the clock."""
    return T0 + timedelta(hours=hours)


def once(grade: Grade = Grade.GOOD) -> MemoryState:
    return start(Session(T0, 20, grade))


# --- strategies ---------------------------------------------------------------------------
grades = st.sampled_from(list(Grade))
successes = st.sampled_from([Grade.HARD, Grade.GOOD, Grade.EASY])
elapsed_h = st.floats(min_value=0.0, max_value=TEN_YEARS_H, allow_nan=False)
positive_elapsed_h = st.floats(min_value=0.01, max_value=TEN_YEARS_H, allow_nan=False)
stabilities = st.floats(min_value=MIN_STABILITY_HOURS, max_value=MAX_STABILITY_HOURS)
difficulties = st.floats(min_value=1.0, max_value=10.0)
# Offsets in whole seconds up to ten years, so datetimes stay exact.
offsets_s = st.integers(min_value=0, max_value=int(TEN_YEARS_H * HOUR))
sessions = st.builds(
    lambda s, m, g: Session(T0 + timedelta(seconds=s), m, g),
    offsets_s,
    st.integers(min_value=0, max_value=240),
    grades,
)
session_lists = st.lists(sessions, min_size=1, max_size=30)


def states(max_stability: float = MAX_STABILITY_HOURS) -> st.SearchStrategy[MemoryState]:
    return st.builds(
        lambda s, d, n, m: MemoryState(s, d, T0, T0, n, m),
        st.floats(min_value=MIN_STABILITY_HOURS, max_value=max_stability),
        difficulties,
        st.integers(min_value=1, max_value=500),
        st.integers(min_value=0, max_value=20_000),
    )


# --- the seed curve -------------------------------------------------------------------------
def test_constants_are_derived_from_the_seed_points() -> None:
    assert abs(DECAY - 0.3218) < 1e-4
    assert abs(FACTOR - 0.3874) < 1e-4
    assert abs(SEED_STABILITY_HOURS - 0.0508) < 1e-4
    assert math.isclose(0.9 ** (-1 / DECAY) - 1, FACTOR, rel_tol=1e-12)
    assert retention(SEED_STABILITY_HOURS, SEED_STABILITY_HOURS) == pytest.approx(0.9)


def test_topic_learnt_once_hits_both_seed_points() -> None:
    state = once()
    assert retention_now(state, at(1)) == pytest.approx(0.5, abs=0.01)
    assert retention_now(state, at(168)) == pytest.approx(0.1, abs=0.01)
    # The derivation is exact, not just within the brief's tolerance.
    assert retention_now(state, at(1)) == pytest.approx(0.5, abs=1e-9)
    assert retention_now(state, at(168)) == pytest.approx(0.1, abs=1e-9)


@pytest.mark.parametrize(
    ("elapsed", "expected"),
    [
        (timedelta(minutes=10), 0.768),
        (timedelta(hours=1), 0.500),
        (timedelta(days=1), 0.187),
        (timedelta(weeks=1), 0.100),
        (timedelta(days=30), 0.063),
    ],
)
def test_table_of_design_doc(elapsed: timedelta, expected: float) -> None:
    assert retention_now(once(), T0 + elapsed) == pytest.approx(expected, abs=0.005)


def test_first_grade_scales_initial_stability() -> None:
    s = [initial_stability(g) for g in Grade]
    assert s == sorted(s)
    assert initial_stability(Grade.GOOD) == SEED_STABILITY_HOURS
    assert initial_stability(Grade.AGAIN) > MIN_STABILITY_HOURS  # not clamped away
    assert initial_difficulty(Grade.AGAIN) > initial_difficulty(Grade.GOOD)
    assert initial_difficulty(Grade.EASY) == 1.0


def test_retention_edge_cases() -> None:
    assert retention(-5.0, 1.0) == 1.0
    with pytest.raises(ValueError):
        retention(1.0, 0.0)
    with pytest.raises(ValueError):
        retention(math.nan, 1.0)


# --- grades and sessions --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "grade"),
    [
        ("again", Grade.AGAIN),
        (" Hard ", Grade.HARD),
        ("GOOD", Grade.GOOD),
        ("easy\n", Grade.EASY),
        ("1", Grade.AGAIN),
        ("2", Grade.HARD),
        (" 3", Grade.GOOD),
        ("4", Grade.EASY),
    ],
)
def test_parse_grade_accepts(text: str, grade: Grade) -> None:
    assert parse_grade(text) is grade


@pytest.mark.parametrize("text", ["", "ok", "0", "5", "3.0", "goood", "g", "again!"])
def test_parse_grade_refuses(text: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_grade(text)
    message = str(info.value)
    assert "\n" not in message
    for word in ("again", "hard", "good", "easy"):
        assert word in message


def test_session_refuses_naive_time_and_negative_minutes() -> None:
    with pytest.raises(ValueError):
        Session(datetime(2024, 1, 1, 12, 0), 10)
    with pytest.raises(ValueError):
        Session(T0, -1)
    assert Session(T0, 5).grade is Grade.GOOD


def test_replay_empty_is_none() -> None:
    assert replay([]) is None
    assert Fold().state is None


def test_same_time_review_does_not_lower_stability() -> None:
    state = once()
    for grade in (Grade.HARD, Grade.GOOD, Grade.EASY):
        assert study(state, Session(T0, 5, grade)).stability_hours >= state.stability_hours


def test_out_of_order_session_counts_as_elapsed_zero() -> None:
    state = start(Session(at(10), 5))
    later = study(state, Session(at(2), 5))
    assert later.stability_hours == state.stability_hours
    assert later.last_studied == at(10)
    assert later.first_studied == at(2)


def test_review_after_an_hour_makes_memory_last_longer() -> None:
    state = study(once(), Session(at(1), 10))
    assert state.stability_hours > 10 * SEED_STABILITY_HOURS
    assert state.sessions == 2
    assert state.total_minutes == 30
    assert retention_now(state, at(169)) > 0.1


def test_extreme_histories_stay_finite() -> None:
    state = once(Grade.EASY)
    for k in range(1, 200):
        state = study(state, Session(at(k * 24 * 365.0 / 4), 5, Grade.EASY))
    assert state.stability_hours <= MAX_STABILITY_HOURS
    state = once(Grade.AGAIN)
    for k in range(1, 200):
        state = study(state, Session(at(k / 60), 5, Grade.AGAIN))
    assert state.stability_hours >= MIN_STABILITY_HOURS
    assert 1.0 <= state.difficulty <= 10.0
    assert math.isfinite(due_at(state, 0.8, timedelta(0)).timestamp())


# --- scheduling -----------------------------------------------------------------------------
def test_due_at_respects_min_gap() -> None:
    state = once()  # R falls to 0.8 after ~8 minutes
    assert due_at(state, 0.8, timedelta(hours=1)) == at(1)
    assert due_at(state, 0.8, timedelta(0)) < at(0.2)
    assert retention_now(state, due_at(state, 0.8, timedelta(0))) == pytest.approx(0.8)


def test_due_at_at_stability_is_point_nine() -> None:
    state = MemoryState(48.0, 5.0, T0, T0, 3, 60)
    assert due_at(state, 0.9, timedelta(0)) == at(48)


def test_due_at_saturates_instead_of_overflowing() -> None:
    state = MemoryState(MAX_STABILITY_HOURS, 1.0, T0, T0, 3, 60)
    assert due_at(state, 0.01, DEFAULT_MIN_GAP).year == 9999


def test_due_at_refuses_bad_target() -> None:
    for target in (0.0, 1.0, 1.5, -0.1):
        with pytest.raises(ValueError):
            due_at(once(), target, DEFAULT_MIN_GAP)


def test_defaults() -> None:
    assert 0.0 < DEFAULT_TARGET_RETENTION < 1.0
    assert timedelta(hours=1) == DEFAULT_MIN_GAP


def test_suggested_minutes_examples() -> None:
    assert suggested_minutes(once(), T0) == SUGGESTED_MINUTES_MIN
    heavy = MemoryState(2.0, 5.0, T0, T0, 100, 5000)
    assert suggested_minutes(heavy, at(24 * 365)) == SUGGESTED_MINUTES_MAX
    small = suggested_minutes(once(), at(24))
    assert SUGGESTED_MINUTES_MIN < small < SUGGESTED_MINUTES_MAX


@given(states(), elapsed_h)
def test_suggested_minutes_in_bounds(state: MemoryState, hours: float) -> None:
    minutes = suggested_minutes(state, at(hours))
    assert isinstance(minutes, int)
    assert SUGGESTED_MINUTES_MIN <= minutes <= SUGGESTED_MINUTES_MAX


@given(states(), elapsed_h, elapsed_h, st.integers(0, 5000), st.integers(0, 50))
def test_suggested_minutes_grow_with_fading_and_work(
    state: MemoryState, h1: float, h2: float, more_minutes: int, more_sessions: int
) -> None:
    early, late = sorted((h1, h2))
    assert suggested_minutes(state, at(early)) <= suggested_minutes(state, at(late))
    bigger = MemoryState(
        state.stability_hours,
        state.difficulty,
        T0,
        T0,
        state.sessions + more_sessions,
        state.total_minutes + more_minutes,
    )
    assert suggested_minutes(state, at(late)) <= suggested_minutes(bigger, at(late))


def test_suggest_orders_due_by_forgetting_then_rest_by_due() -> None:
    now = at(24 * 30)
    states_ = {
        "faded": start(Session(at(0), 30)),  # R ≈ 0.06
        "halfway": MemoryState(24.0 * 3, 5.0, at(24 * 20), at(0), 4, 80),  # due, R higher
        "fresh": MemoryState(24.0 * 10, 5.0, at(24 * 29), at(0), 6, 120),  # not due
        "fresher": MemoryState(24.0 * 30, 5.0, at(24 * 29), at(0), 9, 200),  # due later
        "just_now": start(Session(now - timedelta(minutes=10), 10)),  # held by min gap
    }
    rows = suggest(states_, now, DEFAULT_TARGET_RETENTION, DEFAULT_MIN_GAP)
    assert [r.topic for r in rows] == ["faded", "halfway", "just_now", "fresh", "fresher"]
    assert [r.is_due for r in rows] == [True, True, False, False, False]
    assert rows[0].retention < rows[1].retention < DEFAULT_TARGET_RETENTION
    assert rows[2].due == now + timedelta(minutes=50)
    assert rows[2].due < rows[3].due < rows[4].due
    first = rows[0]
    assert first.sessions == 1
    assert first.last_studied == T0
    assert first.stability_hours == SEED_STABILITY_HOURS
    assert SUGGESTED_MINUTES_MIN <= first.suggested_minutes <= SUGGESTED_MINUTES_MAX


def test_suggest_empty() -> None:
    assert suggest({}, T0, DEFAULT_TARGET_RETENTION, DEFAULT_MIN_GAP) == []


@given(st.dictionaries(st.text(max_size=5), states(), max_size=8), elapsed_h)
def test_suggest_properties(topics: dict[str, MemoryState], hours: float) -> None:
    now = at(hours)
    rows = suggest(topics, now, DEFAULT_TARGET_RETENTION, DEFAULT_MIN_GAP)
    assert sorted(r.topic for r in rows) == sorted(topics)
    flags = [r.is_due for r in rows]
    assert flags == sorted(flags, reverse=True)  # all due ones first
    due = [r for r in rows if r.is_due]
    later = [r for r in rows if not r.is_due]
    assert [r.retention for r in due] == sorted(r.retention for r in due)
    assert [r.due for r in later] == sorted(r.due for r in later)
    for r in due:
        assert r.due <= now
        assert r.retention <= DEFAULT_TARGET_RETENTION + 1e-9
    for r in later:
        assert r.due > now


# --- properties of the curve ----------------------------------------------------------------
@given(stabilities)
def test_retention_is_one_at_zero(s: float) -> None:
    assert retention(0.0, s) == 1.0


@given(elapsed_h, stabilities)
def test_retention_in_unit_interval(hours: float, s: float) -> None:
    assert 0.0 < retention(hours, s) <= 1.0


@given(elapsed_h, stabilities)
def test_retention_strictly_decreasing_in_elapsed(hours: float, s: float) -> None:
    assert retention(hours * 1.01 + 0.01, s) < retention(hours, s)


@given(positive_elapsed_h, st.floats(min_value=MIN_STABILITY_HOURS, max_value=ONE_YEAR_H * 50))
def test_retention_strictly_increasing_in_stability(hours: float, s: float) -> None:
    assert retention(hours, s) < retention(hours, s * 1.01 + 0.01)


# --- properties of reviews ------------------------------------------------------------------
@given(states(), elapsed_h, successes)
def test_successful_review_never_lowers_stability(
    state: MemoryState, hours: float, grade: Grade
) -> None:
    after = study(state, Session(at(hours), 5, grade))
    assert after.stability_hours >= state.stability_hours
    assert 1.0 <= after.difficulty <= 10.0


@given(states(), elapsed_h)
def test_lapse_never_raises_stability(state: MemoryState, hours: float) -> None:
    after = study(state, Session(at(hours), 5, Grade.AGAIN))
    assert after.stability_hours <= state.stability_hours
    assert 1.0 <= after.difficulty <= 10.0


@given(states(max_stability=ONE_YEAR_H), elapsed_h, successes)
def test_review_at_lower_retention_gains_more(
    state: MemoryState, hours: float, grade: Grade
) -> None:
    sooner = study(state, Session(at(hours), 5, grade))
    later = study(state, Session(at(hours * 1.01 + 0.01), 5, grade))
    assert later.stability_hours > sooner.stability_hours


@given(
    grades,
    st.floats(min_value=1 / 60, max_value=TEN_YEARS_H),
    successes,
    positive_elapsed_h,
)
def test_spaced_second_study_retains_more(
    first: Grade, gap: float, second: Grade, since: float
) -> None:
    once_ = start(Session(at(gap), 20, first))
    twice = study(start(Session(T0, 20, first)), Session(at(gap), 20, second))
    assert twice.stability_hours > once_.stability_hours
    now = at(gap + since)
    assert retention_now(twice, now) > retention_now(once_, now)


# --- properties of replay -------------------------------------------------------------------
def _same(a: MemoryState | None, b: MemoryState | None) -> None:
    assert a is not None
    assert b is not None
    assert a.stability_hours == pytest.approx(b.stability_hours, rel=1e-12)
    assert a.difficulty == pytest.approx(b.difficulty, rel=1e-12)
    assert (a.last_studied, a.first_studied, a.sessions, a.total_minutes) == (
        b.last_studied,
        b.first_studied,
        b.sessions,
        b.total_minutes,
    )


@given(
    st.lists(sessions, min_size=1, max_size=30, unique_by=lambda s: s.at),
    st.randoms(use_true_random=False),
)
def test_replay_is_independent_of_input_order(items: list[Session], rnd: random.Random) -> None:
    # Times are distinct: sessions at the same instant fold in the order given (stable sort).
    shuffled = list(items)
    rnd.shuffle(shuffled)
    ordered = sorted(items, key=lambda s: s.at)
    a = replay(shuffled)
    assert a == replay(items)
    assert a == replay(ordered)
    assert a is not None
    assert a.sessions == len(items)
    assert a.total_minutes == sum(s.minutes for s in items)
    assert a.first_studied == ordered[0].at
    assert a.last_studied == ordered[-1].at


@given(session_lists)
def test_fold_equals_replay_and_study(items: list[Session]) -> None:
    ordered = sorted(items, key=lambda s: s.at)
    fold = Fold()
    for session in ordered:
        fold.add(session)
    expected = start(ordered[0])
    for session in ordered[1:]:
        expected = study(expected, session)
    _same(fold.state, replay(items))
    _same(fold.state, expected)


@given(session_lists, session_lists)
def test_fold_resumes_from_a_state(head: list[Session], tail: list[Session]) -> None:
    ordered = sorted(head + tail, key=lambda s: s.at)
    cut = len(head)
    fold = Fold()
    for session in ordered[:cut]:
        fold.add(session)
    resumed = Fold(fold.state)
    for session in ordered[cut:]:
        fold.add(session)
        resumed.add(session)
    assert fold.state == resumed.state


@given(st.lists(successes, min_size=2, max_size=20), st.floats(min_value=0.1, max_value=500.0))
@settings(max_examples=50)
def test_successful_history_only_grows_stability(history: list[Grade], gap: float) -> None:
    state = start(Session(T0, 10, history[0]))
    for k, grade in enumerate(history[1:], start=1):
        nxt = study(state, Session(at(k * gap), 10, grade))
        assert nxt.stability_hours >= state.stability_hours
        state = nxt


def test_replay_is_fast_enough_for_a_large_log() -> None:
    rows = [Session(T0 + timedelta(minutes=37 * k), 10) for k in range(100_000)]
    state = replay(rows)
    assert state is not None
    assert state.sessions == 100_000
    assert math.isfinite(state.stability_hours)
