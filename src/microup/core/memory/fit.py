"""The personal fit: how one person's memory differs from the standard model, from grades."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from microup.core.memory.topic import FIT_MAX_REVIEWS, GradedReview, TopicMemory

FIT_PRIOR_SIGMA = 0.5
"""Prior on ln(multiplier): N(0, 0.5²), holding the multiplier near 1 until evidence piles up."""


@dataclass(frozen=True)
class PersonalFit:
    """The per-person multiplier on stability and how sure it is (a ~68% range)."""

    multiplier: float
    low: float
    high: float
    reviews: int

    @property
    def at_limit(self) -> bool:
        """Whether the fit stopped at its bound (x0.05 or x20): the truth may lie beyond."""
        return abs(math.log(self.multiplier)) > _FIT_BOUND - 0.01


_NO_FIT = PersonalFit(1.0, math.exp(-FIT_PRIOR_SIGMA), math.exp(FIT_PRIOR_SIGMA), 0)
_FIT_BOUND = 3.0  # ln(multiplier) stays within ±3 (x0.05 to x20)


def _loss(theta: float, graded: Sequence[GradedReview]) -> float:
    """Binary cross-entropy of the graded reviews plus the prior on θ = ln(multiplier)."""
    multiplier = math.exp(theta)
    total = theta * theta / (2.0 * FIT_PRIOR_SIGMA**2)
    for review in graded:
        p = min(max(review.predicted(multiplier), 1e-6), 1.0 - 1e-6)
        total -= math.log(p if review.recalled else 1.0 - p)
    return total


def fit_multiplier(graded: Sequence[GradedReview]) -> PersonalFit:
    """Maximum a-posteriori multiplier: exactly 1 with no graded reviews.

    Golden-section search on θ (the loss is smooth and, in practice, unimodal), then the
    curvature at the optimum gives a Laplace estimate of how sure the fit is.
    """
    if not graded:
        return _NO_FIT
    recent = list(graded[-FIT_MAX_REVIEWS:])
    ratio = (math.sqrt(5.0) - 1.0) / 2.0
    lo, hi = -_FIT_BOUND, _FIT_BOUND
    c, d = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    fc, fd = _loss(c, recent), _loss(d, recent)
    while hi - lo > 1e-3:
        if fc < fd:
            hi, d, fd = d, c, fc
            c = hi - ratio * (hi - lo)
            fc = _loss(c, recent)
        else:
            lo, c, fc = c, d, fd
            d = lo + ratio * (hi - lo)
            fd = _loss(d, recent)
    theta = 0.5 * (lo + hi)
    h = 0.01
    curvature = (_loss(theta + h, recent) - 2 * _loss(theta, recent) + _loss(theta - h, recent)) / (
        h * h
    )
    spread = 1.0 / math.sqrt(curvature) if curvature > 0 else FIT_PRIOR_SIGMA
    spread = min(spread, FIT_PRIOR_SIGMA)
    low, high = max(-_FIT_BOUND, theta - spread), min(_FIT_BOUND, theta + spread)
    return PersonalFit(math.exp(theta), math.exp(low), math.exp(high), len(recent))


def personal_fit(memories: Iterable[TopicMemory], since: int = 0) -> PersonalFit:
    """The fit over every topic's graded reviews from ``since`` on."""
    graded = [review for memory in memories for review in memory.graded if review.at >= since]
    graded.sort(key=lambda review: review.at)
    return fit_multiplier(graded)
