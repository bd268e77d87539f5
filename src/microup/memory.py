"""The forgetting curve and review scheduler (see design/memory.md).

Pure maths on sessions: no I/O and no clock, so callers pass ``now`` and every result is
reproducible. A topic's memory state is never stored; it is rebuilt by folding its logged
sessions in time order, so edits, deletes and imports cannot leave stale state behind.

Units: stability is in hours throughout. The FSRS-6 update rules were fitted on day-scale
data, so they are fed ``S_d = S / 24``; at minute scale they are a heuristic, not a fit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import IntEnum
from typing import Any

from microup.errors import UsageError
from microup.parse import shown

__all__ = [
    "DECAY",
    "DEFAULT_MIN_GAP",
    "DEFAULT_TARGET_RETENTION",
    "FACTOR",
    "FSRS6_WEIGHTS",
    "MAX_STABILITY_HOURS",
    "MIN_STABILITY_HOURS",
    "SEED_STABILITY_HOURS",
    "SUGGESTED_MINUTES_MAX",
    "SUGGESTED_MINUTES_MIN",
    "Fold",
    "Grade",
    "MemoryState",
    "Session",
    "Suggestion",
    "due_at",
    "initial_difficulty",
    "initial_stability",
    "parse_grade",
    "replay",
    "retention",
    "retention_now",
    "start",
    "study",
    "suggest",
    "suggested_minutes",
]

# --- The seed curve ---------------------------------------------------------------------
# The brief fixes two points for material learnt once: R(1 h) = 0.5 and R(1 week) = 0.1.
SEED_POINTS: tuple[tuple[float, float], tuple[float, float]] = ((1.0, 0.5), (168.0, 0.1))

_STABILITY_RETENTION = 0.9  # S is, by definition, the time at which R falls to 0.9.


def _solve_seed_curve() -> tuple[float, float, float]:
    """Derive (d, F, S0) from the two seed points so nothing is a rounded copy.

    With x = F/S0 the points give 1 + t1·x = R1^(-1/d) and 1 + t2·x = R2^(-1/d); eliminating x
    leaves one equation in u = 1/d, g(u) = (R2^-u - 1)·t1 - (R1^-u - 1)·t2 = 0. g(0) = 0 and
    g < 0 just above 0 while g > 0 for large u, with a single positive root; bisection finds it
    to machine precision in ~60 steps, cheap enough for import time.
    """
    (t1, r1), (t2, r2) = SEED_POINTS

    def g(u: float) -> float:
        return math.expm1(-u * math.log(r2)) * t1 - math.expm1(-u * math.log(r1)) * t2

    lo, hi = 1e-3, 1.0
    while g(hi) <= 0.0:
        hi *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        if g(mid) > 0.0:
            hi = mid
        else:
            lo = mid
    u = 0.5 * (lo + hi)
    decay = 1.0 / u
    factor = math.expm1(-u * math.log(_STABILITY_RETENTION))
    x = math.expm1(-u * math.log(r1)) / t1
    return decay, factor, factor / x


DECAY: float
"""d in R = (1 + F·Δ/S)^(-d); ≈ 0.3218 (FSRS-6's default decay is 0.1542: ours forgets faster)."""
FACTOR: float
"""F = 0.9^(-1/d) - 1 ≈ 0.3874, so that R(S, S) = 0.9."""
SEED_STABILITY_HOURS: float
"""S0 ≈ 0.0508 h (about 3 minutes): stability of a topic studied once and graded good."""
DECAY, FACTOR, SEED_STABILITY_HOURS = _solve_seed_curve()

# --- Bounds -----------------------------------------------------------------------------
# Keep stability finite and positive whatever the input, so no power or exp can overflow or
# produce NaN. 3.6 s sits below S0·w0/w2 (~17 s, a first session graded "again") so the grade
# ratios survive; 100 years is beyond any human planning horizon.
MIN_STABILITY_HOURS = 0.001
MAX_STABILITY_HOURS = 100 * 365.25 * 24.0
MIN_DIFFICULTY = 1.0
MAX_DIFFICULTY = 10.0

# --- FSRS-6 default weights w0..w20 -----------------------------------------------------
# Published defaults, fitted at day scale on Anki review logs. w0..w3 are FSRS's initial
# stabilities (days) per first grade: we only use their ratios to S0. w20 (FSRS's own decay)
# is listed for completeness but unused: our decay comes from the seed points.
FSRS6_WEIGHTS: tuple[float, ...] = (
    0.212,
    1.2931,
    2.3065,
    8.2956,
    6.4133,
    0.8334,
    3.0194,
    0.001,
    1.8722,
    0.1666,
    0.796,
    1.4835,
    0.0614,
    0.2629,
    1.6483,
    0.6014,
    1.8729,
    0.5425,
    0.0912,
    0.0658,
    0.1542,
)
_W = FSRS6_WEIGHTS
_E_W8 = math.exp(_W[8])
_LAPSE_SHRINK = math.exp(_W[17] * _W[18])  # a lapse always divides S by at least this

# --- Scheduling defaults ----------------------------------------------------------------
DEFAULT_TARGET_RETENTION = 0.8
"""Review when R falls to 0.8. FSRS defaults to 0.9, but with this steep seed curve the
interval to 0.8 is ~2.6 times the interval to 0.9, which suits an hour a week of learning."""
DEFAULT_MIN_GAP = timedelta(hours=1)
"""Never suggest reviewing something finished less than an hour ago."""

SUGGESTED_MINUTES_MIN = 3
SUGGESTED_MINUTES_MAX = 30
_RELEARN_SHARE = 0.25  # relearning is quicker than learning (Ebbinghaus' savings)
_MINUTES_PER_SESSION = 1.0  # each past session adds a little ground to revisit


class Grade(IntEnum):
    """How well the person recalled the topic; FSRS's four buttons."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4


_GRADE_WORDS: dict[str, Grade] = {g.name.lower(): g for g in Grade} | {
    str(int(g)): g for g in Grade
}


def parse_grade(text: str) -> Grade:
    """Read a grade as typed on the command line, so typos fail loudly rather than guess."""
    grade = _GRADE_WORDS.get(text.strip().lower())
    if grade is None:
        raise UsageError(f"unknown grade {shown(text)}: use again, hard, good or easy (or 1-4)")
    return grade


def retention(elapsed_hours: float, stability_hours: float) -> float:
    """R(Δ, S) = (1 + F·Δ/S)^(-d): the chance of recall Δ hours after the last study.

    Negative elapsed time counts as 0 (R = 1). log1p keeps R strictly below 1 for tiny Δ/S.
    """
    if math.isnan(elapsed_hours) or not stability_hours > 0.0:
        raise ValueError(f"bad retention arguments: {elapsed_hours!r}, {stability_hours!r}")
    if elapsed_hours <= 0.0:
        return 1.0
    return math.exp(-DECAY * math.log1p(FACTOR * elapsed_hours / stability_hours))


def _elapsed_to_reach(target_retention: float, stability_hours: float) -> float:
    """Invert the curve: hours after the last study at which R falls to the target."""
    return stability_hours * math.expm1(-math.log(target_retention) / DECAY) / FACTOR


def _clamp_stability(s: float) -> float:
    return min(max(s, MIN_STABILITY_HOURS), MAX_STABILITY_HOURS)


def _clamp_difficulty(d: float) -> float:
    return min(max(d, MIN_DIFFICULTY), MAX_DIFFICULTY)


def _raw_initial_difficulty(grade: int) -> float:
    return _W[4] - math.exp(_W[5] * (grade - 1)) + 1.0


# FSRS-6 reverts difficulty toward the *unclamped* D0(easy) (≈ -4.77), as py-fsrs does.
_D0_EASY_RAW = _raw_initial_difficulty(Grade.EASY)


def initial_difficulty(grade: Grade) -> float:
    """FSRS D0(G) = w4 - e^(w5·(G-1)) + 1, clamped to 1..10."""
    return _clamp_difficulty(_raw_initial_difficulty(grade))


def initial_stability(grade: Grade) -> float:
    """S after a first session: the seed S0 for good, scaled by FSRS's ratio w_(G-1)/w2 else.

    That keeps "learnt once, graded good" exactly on the seed curve while again/hard/easy
    keep FSRS's relative spread (x0.092, x0.56, x3.6).
    """
    return _clamp_stability(SEED_STABILITY_HOURS * _W[grade - 1] / _W[2])


# Per-grade lookups (index = grade), precomputed so the fold loop does no enum work.
_D_STEP = tuple(-_W[6] * (g - 3) / 9.0 for g in range(5))  # linear-damping step per grade
_SUCCESS_BONUS = (0.0, 0.0, _W[15], 1.0, _W[16])  # hard penalty, good, easy bonus
_W7_TARGET = _W[7] * _D0_EASY_RAW
_W7_KEEP = 1.0 - _W[7]


def _next_difficulty(d: float, grade: int) -> float:
    """Linear damping toward 10, then mean reversion (w7) so difficulty cannot only rise."""
    d = _W7_TARGET + _W7_KEEP * (d + (10.0 - d) * _D_STEP[grade])
    return MIN_DIFFICULTY if d < MIN_DIFFICULTY else MAX_DIFFICULTY if d > MAX_DIFFICULTY else d


def _next_stability(s: float, d: float, r: float, grade: int) -> float:
    """FSRS-6 long-term update, fed days; the result is back in hours and clamped.

    Success multiplies S by a factor >= 1 that grows as R falls (the spacing effect) and is
    exactly 1 at R = 1; a lapse takes the smaller of FSRS's post-lapse stability and
    S / e^(w17·w18), so it never raises S.
    """
    s_days = s / 24.0
    if grade == 1:  # again
        lapse_days = (
            _W[11]
            * d ** (-_W[12])
            * math.expm1(_W[13] * math.log1p(s_days))
            * math.exp(_W[14] * (1.0 - r))
        )
        s = min(lapse_days * 24.0, s / _LAPSE_SHRINK)
    else:
        s *= 1.0 + (
            _E_W8
            * (11.0 - d)
            * s_days ** (-_W[9])
            * math.expm1(_W[10] * (1.0 - r))
            * _SUCCESS_BONUS[grade]
        )
    if s < MIN_STABILITY_HOURS:
        return MIN_STABILITY_HOURS
    return MAX_STABILITY_HOURS if s > MAX_STABILITY_HOURS else s


def _review(s: float, d: float, elapsed_seconds: float, grade: int) -> tuple[float, float]:
    """(S, D) after a review `elapsed_seconds` after the last study: the one update rule."""
    r = (
        math.exp(-DECAY * math.log1p(FACTOR * elapsed_seconds / 3600.0 / s))
        if elapsed_seconds > 0
        else 1.0
    )
    return _next_stability(s, d, r, grade), _next_difficulty(d, grade)


def _check_aware(moment: datetime, what: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got naive {moment.isoformat()}")


def _hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600.0


@dataclass(frozen=True)
class Session:
    """One logged study session; ``at`` is when the study happened (timezone-aware)."""

    at: datetime
    minutes: int
    grade: Grade = Grade.GOOD

    def __post_init__(self) -> None:
        """Refuse naive times: comparing them with aware ones would be silently wrong."""
        _check_aware(self.at, "session time")
        if self.minutes < 0:
            raise ValueError(f"session minutes must be >= 0, got {self.minutes}")
        if not isinstance(self.grade, Grade):
            object.__setattr__(self, "grade", Grade(self.grade))


@dataclass(frozen=True)
class MemoryState:
    """What the fold of a topic's sessions knows: enough to predict recall at any time."""

    stability_hours: float
    difficulty: float
    last_studied: datetime
    first_studied: datetime
    sessions: int
    total_minutes: int


def start(session: Session) -> MemoryState:
    """State after the first study of a topic: it then follows the seed curve (for good)."""
    return MemoryState(
        stability_hours=initial_stability(session.grade),
        difficulty=initial_difficulty(session.grade),
        last_studied=session.at,
        first_studied=session.at,
        sessions=1,
        total_minutes=session.minutes,
    )


def study(state: MemoryState, session: Session) -> MemoryState:
    """A later session is a review graded at the retention it finds (R = 1 if not later)."""
    elapsed = _hours(session.at - state.last_studied)
    r = retention(elapsed, state.stability_hours) if elapsed > 0.0 else 1.0
    grade = session.grade
    return MemoryState(
        stability_hours=_next_stability(state.stability_hours, state.difficulty, r, grade),
        difficulty=_next_difficulty(state.difficulty, grade),
        last_studied=max(state.last_studied, session.at),
        first_studied=min(state.first_studied, session.at),
        sessions=state.sessions + 1,
        total_minutes=state.total_minutes + session.minutes,
    )


class Fold:
    """Incremental replay of one topic's sessions, fed in time order one at a time.

    Keeps plain fields and builds the MemoryState only when asked, so streaming 100,000 rows
    allocates nothing per session beyond the floats themselves.
    """

    __slots__ = ("_d", "_first", "_last", "_minutes", "_n", "_s")

    def __init__(self, state: MemoryState | None = None) -> None:
        """Start empty, or resume from a state already folded."""
        self._n = 0
        self._s = 0.0
        self._d = 0.0
        self._minutes = 0
        self._first: datetime | None = None
        self._last: datetime | None = None
        if state is not None:
            self._n = state.sessions
            self._s = state.stability_hours
            self._d = state.difficulty
            self._minutes = state.total_minutes
            self._first = state.first_studied
            self._last = state.last_studied

    def add(self, session: Session) -> None:
        """Fold one session; one out of order is taken as a review at R = 1."""
        at = session.at
        grade = session.grade
        last = self._last
        first = self._first
        if last is None or first is None:
            self._s = initial_stability(grade)
            self._d = initial_difficulty(grade)
            self._first = self._last = at
        else:
            self._s, self._d = _review(self._s, self._d, (at - last).total_seconds(), grade)
            if at > last:
                self._last = at
            elif at < first:
                self._first = at
        self._n += 1
        self._minutes += session.minutes

    @property
    def state(self) -> MemoryState | None:
        """The state so far, or None before the first session."""
        if self._last is None or self._first is None:
            return None
        return MemoryState(
            stability_hours=self._s,
            difficulty=self._d,
            last_studied=self._last,
            first_studied=self._first,
            sessions=self._n,
            total_minutes=self._minutes,
        )


def _session_time(session: Session) -> datetime:
    return session.at


def replay(sessions: Iterable[Session]) -> MemoryState | None:
    """Rebuild a topic's state from its sessions in any order (sorted here); None if none.

    The sort is stable and Timsort is linear on already-sorted input, so rows read in order
    cost O(n).
    """
    fold = Fold()
    for session in sorted(sessions, key=_session_time):
        fold.add(session)
    return fold.state


def retention_now(state: MemoryState, now: datetime) -> float:
    """Predicted recall at ``now``; 1 if ``now`` is not after the last study."""
    _check_aware(now, "now")
    return retention(_hours(now - state.last_studied), state.stability_hours)


def _check_target(target_retention: float) -> None:
    if not 0.0 < target_retention < 1.0:
        raise ValueError(f"target retention must be between 0 and 1, got {target_retention}")


def due_at(state: MemoryState, target_retention: float, min_gap: timedelta) -> datetime:
    """When R falls to the target, but never sooner than ``min_gap`` after the last study.

    Saturates at the latest representable time rather than overflowing for huge stabilities.
    """
    _check_target(target_retention)
    hours = _elapsed_to_reach(target_retention, state.stability_hours)
    try:
        return state.last_studied + max(timedelta(hours=hours), min_gap)
    except OverflowError:
        return datetime.max.replace(tzinfo=state.last_studied.tzinfo)


def suggested_minutes(state: MemoryState, now: datetime) -> int:
    """A short review: 3 minutes plus a share of the ground that has faded, capped at 30.

    The ground is what was studied (total minutes, plus a minute per session); the share is
    (1 - R now) times a quarter, since relearning is quicker than learning (savings).
    """
    faded = 1.0 - retention_now(state, now)
    ground = _RELEARN_SHARE * state.total_minutes + _MINUTES_PER_SESSION * state.sessions
    raw = SUGGESTED_MINUTES_MIN + faded * ground
    return int(min(max(round(raw), SUGGESTED_MINUTES_MIN), SUGGESTED_MINUTES_MAX))


@dataclass(frozen=True)
class Suggestion:
    """One row of the review list, with what the CLI needs to explain it."""

    topic: str
    retention: float
    due: datetime
    suggested_minutes: int
    last_studied: datetime
    sessions: int
    stability_hours: float
    is_due: bool


def suggest(
    states: Mapping[str, MemoryState],
    now: datetime,
    target_retention: float,
    min_gap: timedelta,
) -> list[Suggestion]:
    """Every topic: due ones first, most forgotten first; then the rest by due time.

    Returns them all so callers can show a short list and say how many more are waiting.
    Ties are broken by topic name so the order is deterministic.
    """
    _check_aware(now, "now")
    _check_target(target_retention)
    rows: list[Suggestion] = []
    for topic, state in states.items():
        due = due_at(state, target_retention, min_gap)
        rows.append(
            Suggestion(
                topic=topic,
                retention=retention_now(state, now),
                due=due,
                suggested_minutes=suggested_minutes(state, now),
                last_studied=state.last_studied,
                sessions=state.sessions,
                stability_hours=state.stability_hours,
                is_due=due <= now,
            )
        )
    due_rows = sorted(
        (row for row in rows if row.is_due),
        key=lambda row: (row.retention / target_retention, row.topic),
    )
    later_rows = sorted(
        (row for row in rows if not row.is_due), key=lambda row: (row.due, row.topic)
    )
    return due_rows + later_rows


def retention_series(sessions: Iterable[Session], times: Iterable[datetime]) -> list[float | None]:
    """Predicted recall at each of ``times`` (ascending) from the sessions studied by then.

    None before the first session. Draws a topic's past and future: reviews reset the curve.
    """
    ordered = sorted(sessions, key=_session_time)
    fold = Fold()
    series: list[float | None] = []
    index = 0
    for moment in times:
        while index < len(ordered) and ordered[index].at <= moment:
            fold.add(ordered[index])
            index += 1
        state = fold.state
        series.append(None if state is None else retention_now(state, moment))
    return series


_GRADE_OR_GOOD: dict[int | None, Grade] = {None: Grade.GOOD, 0: Grade.GOOD} | {
    int(g): g for g in Grade
}


def fold_topics(rows: Iterable[tuple[str, int, int, int | None]]) -> dict[str, MemoryState]:
    """Each topic's state from (topic, UTC epoch seconds, minutes, grade or None) rows.

    One pass over plain numbers, rows in time order within each topic (as the store reads
    them); no grade means good. This is what keeps `microup review` cheap at 100,000 sessions.
    """
    folds: dict[str, list[Any]] = {}
    for topic, seconds, minutes, grade_number in rows:
        grade = _GRADE_OR_GOOD[grade_number]
        fold = folds.get(topic)
        if fold is None:
            folds[topic] = [
                initial_stability(grade),
                initial_difficulty(grade),
                seconds,
                seconds,
                1,
                minutes,
            ]
            continue
        fold[0], fold[1] = _review(fold[0], fold[1], seconds - fold[3], grade)
        if seconds > fold[3]:
            fold[3] = seconds
        elif seconds < fold[2]:
            fold[2] = seconds
        fold[4] += 1
        fold[5] += minutes
    return {
        topic: MemoryState(
            stability_hours=s,
            difficulty=d,
            last_studied=datetime.fromtimestamp(last, timezone.utc),
            first_studied=datetime.fromtimestamp(first, timezone.utc),
            sessions=count,
            total_minutes=total,
        )
        for topic, (s, d, first, last, count, total) in folds.items()
    }
