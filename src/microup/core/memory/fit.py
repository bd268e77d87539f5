"""The personal fit: how one person's memory differs from the standard model, and how sure.

Two numbers (see `Scale`): how long memory lasts (``lasting``) and how much a review adds
(``growth``), each with a normal prior on its logarithm, fitted on the person's graded reviews
by maximum a posteriori (Fisher scoring on the binary cross-entropy of recalled-or-not). The
Laplace approximation of the posterior (prior precision plus Fisher information, so it only
narrows as graded reviews accumulate) says how sure the fit is and, with the doubt about what
each review added (`REVIEW_SIGMA`), gives every retention shown an 80% interval. With no
graded reviews the fit is the prior: the standard model, with an interval as wide as the
spread of plausible learners whose reviews each added more or less than the rule says.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from microup.core.memory.curve import DECAY, FACTOR, SEED_STABILITY_HOURS
from microup.core.memory.topic import (
    FIT_MAX_REVIEWS,
    STANDARD,
    GradedReview,
    Material,
    Scale,
    TopicMemory,
    retention_of,
)

LASTING_PRIOR_SIGMA = 0.15
"""Prior on ln(lasting): N(0, σ²). Material learnt once follows the seed points the brief
fixes, so people are assumed to differ less in this than in what reviews add."""
GROWTH_PRIOR_SIGMA = 0.3
"""Prior on ln(growth): N(0, σ²), the spread of plausible learners in how much reviews add.
Graded fits need this width to follow learners whose reviews add half as much as the standard
model says (with 0.15, graded ACT-R learners were shown 0.12-0.13 off the truth, not 0.10),
so it is not narrowed to suit learners who do not grade."""
INTERVAL_Z = 1.2816
"""z of an 80% two-sided normal interval."""
MODEL_SIGMA = 0.15
"""Logit-scale error no fit removes (the model's shape is not the person's), a floor on every
interval's half-width. 0.15 (0.25 before `REVIEW_SIGMA`): for material never reviewed the
memory models simulated, all through the same two seed points, differ between them by up to
0.2 on the logit scale, so the floor alone holds the truth of two of four models there."""
REVIEW_SIGMA = 0.2
"""What each review multiplied stability by is uncertain review by review, beyond who the
person is: ln S is off by REVIEW_SIGMA·sqrt(Σ ln² gain) over the material's reviews
(`Material.spread`). Independent from review to review, so many small gains leave less doubt
than a few large ones of the same total: a learner who reviews rarely, after long gaps, gets a
wider interval than one who reviews often. Graded reviews narrow it as they narrow ``growth``
(they test what reviews add). Chosen with MODEL_SIGMA in benchmarks/learning.py (its
--diagnose table: where the truth falls outside, by reviews and by time since the last) for
the 80% interval to hold the truth in 70-90% of the figures, graded or not, over memory models
that disagree; without grades that is not reached in every model (see the README)."""
_BOUNDS = (3.0, 1.5)  # |ln lasting| <= 3 (x0.05 to x20), |ln growth| <= 1.5 (x0.22 to x4.5)
_LN_SEED = math.log(SEED_STABILITY_HOURS)
_P_MIN = 1e-6

Theta = tuple[float, float]
Matrix = tuple[float, float, float]
"""A symmetric 2x2 matrix as (aa, ab, bb)."""


@dataclass(frozen=True)
class PersonalFit:
    """The person's `Scale`, the covariance of its logarithms, and the reviews it rests on."""

    scale: Scale
    covariance: Matrix
    reviews: int

    @property
    def multiplier(self) -> float:
        """How long memory lasts against the standard curve (x1 = standard)."""
        return self.scale.lasting

    @property
    def low(self) -> float:
        """The low end of the 80% range of ``multiplier``."""
        return math.exp(math.log(self.multiplier) - INTERVAL_Z * math.sqrt(self.covariance[0]))

    @property
    def high(self) -> float:
        """The high end of the 80% range of ``multiplier``."""
        return math.exp(math.log(self.multiplier) + INTERVAL_Z * math.sqrt(self.covariance[0]))

    @property
    def at_limit(self) -> bool:
        """Whether the fit stopped at a bound: the truth may lie beyond."""
        theta = (math.log(self.scale.lasting), math.log(self.scale.growth))
        return any(abs(t) > bound - 0.01 for t, bound in zip(theta, _BOUNDS, strict=True))

    @property
    def settled(self) -> bool:
        """Whether graded reviews have halved the prior's spread of both numbers: until then
        the fit has little to go on, and `review` asks for grades."""
        aa, _, bb = self.covariance
        return aa <= PRIOR[0] / 4.0 and bb <= PRIOR[2] / 4.0

    def retention(self, materials: Sequence[Material], at: int) -> tuple[float, float, float]:
        """Retention of the material at ``at`` and its 80% interval: (point, low, high).

        Three independent doubts, each 1.28 standard deviations either way: who the person
        is (the learners along the direction of the fit that changes this figure most, so a
        skewed spread stays skewed) and what each review added (`REVIEW_SIGMA`) add up on
        each piece's log stability; the model's own error (`MODEL_SIGMA`) then on the logit
        scale.
        """
        point = retention_of(materials, at, self.scale)
        total = sum(piece.minutes for piece in materials)
        if not total or not _P_MIN < point < 1.0 - _P_MIN:
            return point, point, point
        parts = (
            [(at - piece.last_seen) / 3600.0 for piece in materials],
            [piece.stability for piece in materials],
            [piece.minutes / total for piece in materials],
        )
        a, b = _theta(self.scale)
        _, da, db = _slopes(*parts, (a, b))
        aa, ab, bb = self.covariance
        ua, ub = aa * da + ab * db, ab * da + bb * db  # covariance times gradient
        spread = math.sqrt(max(da * ua + db * ub, 0.0))
        step = INTERVAL_Z / spread if spread > 0.0 else 0.0
        centre = _logit(point)
        doubt = INTERVAL_Z * REVIEW_SIGMA * math.sqrt(bb / PRIOR[2])
        gained = [math.log(s) - _LN_SEED for s in parts[1]]
        here = [a + _LN_SEED + math.exp(b) * g for g in gained]  # ln S' of each piece
        ends = []
        for sign in (-1.0, 1.0):
            a2, b2 = a + sign * step * ua, b + sign * step * ub
            shifts = []
            for g, piece in zip(gained, materials, strict=True):
                person = a2 - a + (math.exp(b2) - math.exp(b)) * g
                review = doubt * math.exp(b) * math.sqrt(piece.spread)
                shifts.append(person + sign * (math.hypot(person, review) - abs(person)))
            moved = _recall(parts[0], [h + d for h, d in zip(here, shifts, strict=True)], parts[2])
            reach = math.hypot(_logit(moved) - centre, INTERVAL_Z * MODEL_SIGMA)
            ends.append(_expit(centre + sign * reach))
        return point, min(ends[0], point), max(ends[1], point)


PRIOR: Matrix = (LASTING_PRIOR_SIGMA**2, 0.0, GROWTH_PRIOR_SIGMA**2)
NO_FIT = PersonalFit(STANDARD, PRIOR, 0)
"""The fit with no graded reviews: the prior, exactly."""


def _expit(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x > -700 else 0.0


def _logit(p: float) -> float:
    p = min(max(p, _P_MIN), 1.0 - _P_MIN)
    return math.log(p / (1.0 - p))


def _theta(scale: Scale) -> Theta:
    return math.log(scale.lasting), math.log(scale.growth)


def _recall(
    elapsed: Sequence[float], ln_stabilities: Sequence[float], weights: Sequence[float]
) -> float:
    """Weighted retention of pieces of these (the person's) log stabilities."""
    return sum(
        w * (math.exp(-DECAY * math.log1p(FACTOR * e * math.exp(-s))) if e > 0.0 else 1.0)
        for e, s, w in zip(elapsed, ln_stabilities, weights, strict=True)
    )


def _slopes(
    elapsed: Sequence[float], stabilities: Sequence[float], weights: Sequence[float], theta: Theta
) -> tuple[float, float, float]:
    """Weighted retention and its derivatives in θ = (ln lasting, ln growth)."""
    a, b = theta
    growth = math.exp(b)
    p = da = db = 0.0
    for e, s, w in zip(elapsed, stabilities, weights, strict=True):
        if e <= 0.0:
            p += w
            continue
        gained = math.log(s) - _LN_SEED
        x = FACTOR * e * math.exp(-(a + _LN_SEED + growth * gained))
        r = math.exp(-DECAY * math.log1p(x))
        slope = w * DECAY * r * x / (1.0 + x)  # d(w·R)/d ln S'
        p += w * r
        da += slope
        db += slope * growth * gained
    return p, da, db


def _terms(theta: Theta, graded: Sequence[GradedReview]) -> tuple[float, Theta, Matrix]:
    """Negative log posterior, its gradient's negative (the ascent direction), and the
    posterior precision (prior precision plus Fisher information) at θ."""
    a, b = theta
    pa, pb = 1.0 / PRIOR[0], 1.0 / PRIOR[2]
    loss = 0.5 * (a * a * pa + b * b * pb)
    ga, gb = -a * pa, -b * pb
    ia, iab, ib = pa, 0.0, pb
    for review in graded:
        p, da, db = _slopes(review.elapsed_hours, review.stabilities, review.weights, theta)
        p = min(max(p, _P_MIN), 1.0 - _P_MIN)
        odds = p * (1.0 - p)
        loss -= math.log(p if review.recalled else 1.0 - p)
        residual = ((1.0 if review.recalled else 0.0) - p) / odds
        ga, gb = ga + residual * da, gb + residual * db
        ia, iab, ib = ia + da * da / odds, iab + da * db / odds, ib + db * db / odds
    return loss, (ga, gb), (ia, iab, ib)


def _inverse(m: Matrix) -> Matrix:
    aa, ab, bb = m
    det = aa * bb - ab * ab
    return bb / det, -ab / det, aa / det


def _clamped(theta: Theta) -> Theta:
    return (
        min(max(theta[0], -_BOUNDS[0]), _BOUNDS[0]),
        min(max(theta[1], -_BOUNDS[1]), _BOUNDS[1]),
    )


def _step(theta: Theta, graded: Sequence[GradedReview]) -> tuple[Theta, float]:
    """One Fisher-scoring step, halved until the posterior improves; and how far it went."""
    loss, (ga, gb), precision = _terms(theta, graded)
    aa, ab, bb = _inverse(precision)
    da, db = aa * ga + ab * gb, ab * ga + bb * gb
    size = 1.0
    while size > 1e-4:
        moved = _clamped((theta[0] + size * da, theta[1] + size * db))
        if _terms(moved, graded)[0] <= loss:
            return moved, max(abs(moved[0] - theta[0]), abs(moved[1] - theta[1]))
        size /= 2.0
    return theta, 0.0


def fit_scale(graded: Sequence[GradedReview]) -> PersonalFit:
    """The maximum a-posteriori `Scale` and its Laplace covariance: the prior with none."""
    if not graded:
        return NO_FIT
    recent = list(graded[-FIT_MAX_REVIEWS:])
    theta: Theta = (0.0, 0.0)
    for _ in range(40):
        theta, moved = _step(theta, recent)
        if moved < 1e-5:
            break
    covariance = _inverse(_terms(theta, recent)[2])
    return PersonalFit(Scale(math.exp(theta[0]), math.exp(theta[1])), covariance, len(recent))


def personal_fit(memories: Iterable[TopicMemory], since: int = 0) -> PersonalFit:
    """The fit over every topic's graded reviews from ``since`` on."""
    graded = [review for memory in memories for review in memory.graded if review.at >= since]
    graded.sort(key=lambda review: review.at)
    return fit_scale(graded)
