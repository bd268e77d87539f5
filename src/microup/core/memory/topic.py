"""Memory per piece of material: the growth rule, a topic's memory, and the fold.

Memory is never stored; it is rebuilt by folding a topic's logged sessions in time order, so
edits, deletes and imports cannot leave stale state behind (the review cache keeps a fold's
`state()` under `FOLD_KEY`). Stability is in hours; times are UTC epoch seconds.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from microup.core.grades import Grade
from microup.core.memory.curve import SEED_STABILITY_HOURS, retention

# --- The growth rule ----------------------------------------------------------------------
# A successful review Δ hours after the last exposure multiplies stability by
#     1 + GROWTH · effort(minutes) · ease · grade_weight · (Δ/S)^SPACING,  ease = (11-D)/6
# - (Δ/S)^SPACING is the spacing effect: a review later in the curve gains more, with
#   diminishing returns (SPACING < 1), and a review at Δ = 0 gains nothing. Unlike FSRS's
#   S^(-w9), nothing here explodes at minute scale: material reviewed a week after it was
#   learnt (Δ/S ≈ 3,300) ends near 3 days, the next weekly review near 2 weeks, then months.
# - GROWTH and SPACING were chosen in benchmarks/learning.py to sit between memory models
#   that are not this one (ACT-R with spacing, a two-trace model, a stretched exponential),
#   so shown recall tracks each of them within 0.15 on average.
GROWTH = 0.3
SPACING = 0.65
EFFORT_REFERENCE_MINUTES = 5.0
"""effort(m) = sqrt(m / 5): a 5-minute review is the unit; 20 minutes counts twice, 1 minute
less than half. Concave: minutes help, with diminishing returns."""
EFFORT_MAX = 3.0
AGAIN_WEIGHT = 0.45
"""After a failed recall ("again") the review is relearning: the restudy still adds to what
was there (savings), at 0.45 of a successful review's gain (0.3 before issue 22: sparse
learners fail more reviews, and in every memory model simulated a failed recall followed by
restudy lasted longer than that assumed), so stability never falls below where it stood, let
alone below a fresh start; difficulty rises by 1 (was 2)."""
START_DIFFICULTY = 5.0
DIFFICULTY_REVERSION = 0.2
"""Each review pulls difficulty 20% of the way back to its start value, so it cannot only rise."""
MIN_DIFFICULTY = 1.0
MAX_DIFFICULTY = 10.0
MAX_STABILITY_HOURS = 100 * 365.25 * 24.0
MAX_MATERIALS = 24
"""Pieces of material kept apart per topic; beyond that the two oldest merge (bounded cost)."""
FIT_MIN_GAP_SECONDS = 3600
"""Graded reviews count for the personal fit only an hour or more after the last exposure."""
FIT_MAX_REVIEWS = 400  # the most recent graded reviews the fit looks at
FIT_WINDOW_SECONDS = 365 * 86_400  # and only those of the last year

FOLD_VERSION = 3
"""Bump when the fold's rules change: cached memories of another fold are not used."""


_GRADE_WEIGHT = (1.0, AGAIN_WEIGHT, 0.6, 1.0, 1.3)  # index = grade (0 unused)
_DIFFICULTY_STEP = (0.0, 1.0, 0.5, 0.0, -1.0)

FOLD_KEY = repr(
    (
        FOLD_VERSION,
        GROWTH,
        SPACING,
        EFFORT_REFERENCE_MINUTES,
        EFFORT_MAX,
        _GRADE_WEIGHT,
        _DIFFICULTY_STEP,
        START_DIFFICULTY,
        DIFFICULTY_REVERSION,
        MAX_STABILITY_HOURS,
        MAX_MATERIALS,
        FIT_MIN_GAP_SECONDS,
        FIT_MAX_REVIEWS,
    )
)
"""What a cached memory must have been folded under to be used (see `store.review_cache`)."""


@dataclass(frozen=True, slots=True)
class Scale:
    """One person's memory against the standard model: S' = lasting · S0 · (S/S0)^growth.

    ``lasting`` stretches every stability alike (how fast memory fades, material learnt once
    included); ``growth`` scales what reviews added on a log scale (how much a review adds).
    Material never reviewed tells the first, reviewed material both: two numbers the graded
    reviews can tell apart. Applied when recall is predicted, never in the fold.
    """

    lasting: float = 1.0
    growth: float = 1.0

    def stability(self, stability_hours: float) -> float:
        """The person's stability for material the standard model gives ``stability_hours``."""
        if self.growth == 1.0:
            return stability_hours * self.lasting
        gained = math.log(stability_hours / SEED_STABILITY_HOURS)
        return self.lasting * SEED_STABILITY_HOURS * math.exp(gained * self.growth)


STANDARD = Scale()
"""The standard model: what is shown before any graded review."""


def effort(minutes: float) -> float:
    """How much a review of this many minutes counts: concave, 1 at five minutes, capped."""
    return min(EFFORT_MAX, math.sqrt(max(minutes, 0.0) / EFFORT_REFERENCE_MINUTES))


@dataclass(slots=True)
class Material:
    """What one learning session taught: its own memory, re-exposed by every review."""

    learnt_at: int
    last_seen: int
    stability: float
    difficulty: float
    minutes: int
    note: str | None
    spread: float = 0.0
    """Σ over its reviews of ln²(what each multiplied stability by): see `fit.REVIEW_SIGMA`."""

    def retention(self, at: int, scale: Scale = STANDARD) -> float:
        """Predicted retention at ``at`` (epoch seconds) for a person of this ``scale``."""
        return retention((at - self.last_seen) / 3600.0, scale.stability(self.stability))

    def copy(self) -> Material:
        """A twin: `dataclasses.replace` cost `week` a fifth of its time at 100,000 entries."""
        kept = (self.learnt_at, self.last_seen, self.stability, self.difficulty, self.minutes)
        return Material(*kept, self.note, self.spread)


@dataclass(frozen=True)
class GradedReview:
    """What the fit needs of one graded review: the material as it stood, and the outcome."""

    at: int
    elapsed_hours: tuple[float, ...]
    stabilities: tuple[float, ...]
    weights: tuple[float, ...]
    recalled: bool

    def predicted(self, scale: Scale = STANDARD) -> float:
        """The topic's predicted retention at that review for a person of this ``scale``."""
        return sum(
            w * retention(e, scale.stability(s))
            for e, s, w in zip(self.elapsed_hours, self.stabilities, self.weights, strict=True)
        )


class TopicMemory:
    """One topic's material, folded from its sessions in time order."""

    __slots__ = (
        "checkpoint",
        "earlier",
        "graded",
        "last_studied",
        "materials",
        "minutes",
        "reviews",
        "topic",
    )

    def __init__(self, topic: str) -> None:
        """Start with no material. Every graded review is kept (the last few hundred); the
        fit chooses which are recent enough (`personal_fit`)."""
        self.topic = topic
        self.materials: list[Material] = []
        self.graded: deque[GradedReview] = deque(maxlen=FIT_MAX_REVIEWS)
        self.last_studied = 0
        self.minutes = 0
        self.reviews = 0
        self.earlier: list[Material] = []
        """The material as it stood before the snapshot time given to `fold_topics`."""
        self.checkpoint: TopicMemory | None = None
        """The whole memory as it stood before that time: what the review cache keeps."""

    def copy(self) -> TopicMemory:
        """A deep copy (material changes in place as the fold goes on)."""
        twin = TopicMemory(self.topic)
        twin.materials = [piece.copy() for piece in self.materials]
        twin.graded = deque(self.graded, maxlen=FIT_MAX_REVIEWS)
        twin.last_studied, twin.minutes, twin.reviews = (
            self.last_studied,
            self.minutes,
            self.reviews,
        )
        return twin

    def state(self) -> dict[str, Any]:
        """Everything the fold carries forward, as JSON-ready values (floats exact)."""
        return {
            "materials": [
                [p.learnt_at, p.last_seen, p.stability, p.difficulty, p.minutes, p.note, p.spread]
                for p in self.materials
            ],
            "graded": [
                [g.at, g.elapsed_hours, g.stabilities, g.weights, g.recalled] for g in self.graded
            ],
            "totals": [self.last_studied, self.minutes, self.reviews],
        }

    @classmethod
    def from_state(cls, topic: str, state: Mapping[str, Any]) -> TopicMemory:
        """The memory `state()` described, ready to fold later sessions into."""
        memory = cls(topic)
        memory.materials = [Material(*piece) for piece in state["materials"]]
        memory.graded.extend(
            GradedReview(at, tuple(e), tuple(s), tuple(w), bool(r))
            for at, e, s, w, r in state["graded"]
        )
        memory.last_studied, memory.minutes, memory.reviews = state["totals"]
        return memory

    @property
    def sessions(self) -> int:
        """Learning sessions plus reviews."""
        return len(self.materials) + self.reviews

    def learn(self, at: int, minutes: int, note: str | None = None) -> None:
        """New material, starting on the seed curve."""
        self.materials.append(
            Material(at, at, SEED_STABILITY_HOURS, START_DIFFICULTY, minutes, note)
        )
        if len(self.materials) > MAX_MATERIALS:
            self._merge_oldest()
        self._touch(at, minutes)

    def review(self, at: int, minutes: int, grade: int | None) -> None:
        """Re-expose every piece of material; a review of nothing yet learnt is learning."""
        if not self.materials:
            self.learn(at, minutes)
            return
        if grade is not None and at - self.last_seen() >= FIT_MIN_GAP_SECONDS:
            self._record_graded(at, recalled=grade != Grade.AGAIN)
        weight, d_step = self._expected(at, grade)
        # The growth rule (top of this module), written out flat: this is the fold's hot path.
        shared = GROWTH * effort(minutes) * weight / (11.0 - START_DIFFICULTY)
        d_keep = 1.0 - DIFFICULTY_REVERSION
        for piece in self.materials:
            s, d = piece.stability, piece.difficulty
            if at > piece.last_seen:
                spaced: float = ((at - piece.last_seen) / 3600.0 / s) ** SPACING
                s *= 1.0 + shared * (11.0 - d) * spaced
                s = s if s < MAX_STABILITY_HOURS else MAX_STABILITY_HOURS
                gained = math.log(s / piece.stability)
                piece.spread += gained * gained
                piece.stability = s
                piece.last_seen = at
            d = START_DIFFICULTY + (d + d_step - START_DIFFICULTY) * d_keep
            piece.difficulty = MIN_DIFFICULTY if d < MIN_DIFFICULTY else min(d, MAX_DIFFICULTY)
        self.reviews += 1
        self._touch(at, minutes)

    def _expected(self, at: int, grade: int | None) -> tuple[float, float]:
        """A grade's weight on growth and its step in difficulty. A review logged without a
        grade is not assumed good: it counts as recalled with the standard model's retention
        at that moment, and as relearning otherwise (the expected effect of either)."""
        if grade is not None:
            return _GRADE_WEIGHT[grade], _DIFFICULTY_STEP[grade]
        kept = retention_of(self.materials, at)
        good, again = int(Grade.GOOD), int(Grade.AGAIN)
        return (
            kept * _GRADE_WEIGHT[good] + (1.0 - kept) * _GRADE_WEIGHT[again],
            kept * _DIFFICULTY_STEP[good] + (1.0 - kept) * _DIFFICULTY_STEP[again],
        )

    def last_seen(self) -> int:
        """The last time any of this topic's material was studied."""
        return max(piece.last_seen for piece in self.materials)

    def retention(self, at: int, scale: Scale = STANDARD) -> float:
        """Minutes-weighted retention of the topic's material at ``at``."""
        return retention_of(self.materials, at, scale)

    def stability_hours(self, scale: Scale = STANDARD) -> float:
        """Minutes-weighted geometric mean of the material's stability: one figure to show."""
        total = sum(piece.minutes for piece in self.materials) or 1
        log_mean = sum(piece.minutes * math.log(piece.stability) for piece in self.materials)
        return scale.stability(math.exp(log_mean / total))

    def due(self, target: float, scale: Scale = STANDARD) -> int:
        """When the topic's recall falls to ``target`` (epoch seconds, found by bisection)."""
        start = self.last_seen()
        if self.retention(start, scale) <= target:
            return start
        lo, hi = 0.0, math.log1p(MAX_STABILITY_HOURS * 3600.0)
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            if self.retention(start + int(math.expm1(mid)), scale) > target:
                lo = mid
            else:
                hi = mid
        return start + int(math.expm1(hi))

    def faded(self, at: int, scale: Scale = STANDARD, count: int = 3) -> list[Material]:
        """The least-remembered pieces of material now, weakest first."""
        return sorted(self.materials, key=lambda p: (p.retention(at, scale), p.learnt_at))[:count]

    def _touch(self, at: int, minutes: int) -> None:
        self.last_studied = max(self.last_studied, at)
        self.minutes += minutes

    def _record_graded(self, at: int, *, recalled: bool) -> None:
        total = sum(piece.minutes for piece in self.materials) or 1
        self.graded.append(
            GradedReview(
                at,
                tuple((at - p.last_seen) / 3600.0 for p in self.materials),
                tuple(p.stability for p in self.materials),
                tuple(p.minutes / total for p in self.materials),
                recalled,
            )
        )

    def _merge_oldest(self) -> None:
        """The two oldest pieces as one, in place: minutes add up, stability is their
        minutes-weighted geometric mean, the note and date those of the newer piece."""
        a, b = self.materials[0], self.materials[1]
        minutes = a.minutes + b.minutes
        share = a.minutes / minutes
        if a.stability != b.stability:  # (unreviewed pieces all share S0: no logs needed)
            b.stability = math.exp(
                share * math.log(a.stability) + (1 - share) * math.log(b.stability)
            )
        b.difficulty = share * a.difficulty + (1 - share) * b.difficulty
        b.spread = share * a.spread + (1 - share) * b.spread
        b.last_seen = max(a.last_seen, b.last_seen)
        b.minutes = minutes
        if b.note is None:
            b.note = a.note
        del self.materials[0]


StudyRow = tuple[str, int, int, "int | None", bool, "str | None"]
"""(topic, UTC epoch seconds, minutes, grade or None, is_review, note), as the store reads it."""


def retention_of(materials: Sequence[Material], at: int, scale: Scale = STANDARD) -> float:
    """Minutes-weighted retention of some material at ``at``; 0 for none."""
    total = sum(piece.minutes for piece in materials)
    if not total:
        return 0.0
    return sum(piece.minutes * piece.retention(at, scale) for piece in materials) / total


def fold_topics(
    rows: Iterable[StudyRow],
    snapshot_at: int | None = None,
    start: Mapping[str, TopicMemory] | None = None,
) -> dict[str, TopicMemory]:
    """Each topic's memory from its rows, in time order within each topic.

    With ``snapshot_at``, each topic also keeps a copy of itself as it stood just before
    that time (``checkpoint``, and its material as ``earlier``): the week's plan is made from
    the week's start, so it does not churn as the week's own sessions are logged. ``start``
    holds memories already folded through some earlier time (from the review cache): only
    later rows are given for those topics, and folding goes on from them.
    """
    topics: dict[str, TopicMemory] = {
        topic: memory.copy() for topic, memory in (start or {}).items()
    }
    frozen: set[str] = set()
    for topic, at, minutes, grade, is_review, note in rows:
        memory = topics.get(topic)
        if memory is None:
            memory = topics[topic] = TopicMemory(topic)
        if snapshot_at is not None and at >= snapshot_at and topic not in frozen:
            frozen.add(topic)
            memory.checkpoint = memory.copy()
        if is_review:
            memory.review(at, minutes, grade)
        else:
            memory.learn(at, minutes, note)
    if snapshot_at is not None:
        for topic, memory in topics.items():
            if topic not in frozen:
                memory.checkpoint = memory.copy()
            assert memory.checkpoint is not None
            memory.earlier = memory.checkpoint.materials
    return topics
