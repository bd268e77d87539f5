"""Ground-truth memory models for the learning benchmark: none is microup's own, each passes
the seed points (R(1 h) = 0.5, R(1 week) = 0.1) for material learnt once.

Learners differ in two independent ways, both drawn by the benchmark: a factor on what a
review adds in the model (``factor``), and how long material lasts for them (`Lasting`), a
factor on the time scale of every chunk's memory. The second is what microup's fit calls
``lasting`` (on the power-law curve a factor on stability is one on time) and is drawn with
the spread its prior claims, so the median learner passes the seed points and others are
slower or faster forgetters of the same shape. There is no factor per topic: microup assumes
every topic's material follows the person's one curve (the seed points are per material,
the fit pools a person's graded reviews over topics and has no number per topic), so a
per-topic difficulty would test the interval against a population the fit does not claim to
describe, with a spread nothing in microup or here gives a value for. Real topics differ;
that is a limit of these figures, not something they measure.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Protocol

from microup.core.memory.fit import LASTING_PRIOR_SIGMA

BLOCK = 5  # minutes of the reference review block
LEARNER_SPREAD = 0.3
"""Sigma of ln(a learner's factor on what a review adds in the true model)."""
LASTING_SPREAD = LASTING_PRIOR_SIGMA
"""Sigma of ln(how long a learner's memory lasts against the model's): the spread of people
microup's prior on ``lasting`` claims, so in this the population is the one the fit assumes
(in what reviews add it spreads recall far less than the prior on ``growth``: `people.py`)."""

# --- Ground-truth memory models -------------------------------------------------------------


class Chunk(Protocol):
    """One chunk of material in a ground-truth model."""

    def recall(self, t: float) -> float:
        """True recall at ``t`` hours."""
        ...

    def review(self, t: float, minutes: int, recalled: bool) -> None:
        """Re-exposure at ``t`` hours."""
        ...


def _bisect(f: Callable[[float], float], lo: float, hi: float) -> float:
    """A root of an increasing-or-decreasing f on [lo, hi]."""
    flo = f(lo)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if (f(mid) > 0) == (flo > 0):
            lo, flo = mid, f(mid)
        else:
            hi = mid
    return 0.5 * (lo + hi)


# ACT-R (Pavlik & Anderson 2005): m(t) = ln Σ (t - t_j)^(-d_j), d_j = c·e^(m(t_j)) + a,
# P = 1 / (1 + e^((τ - m)/s)). One presentation: P(t) = 1/(1 + (t^a·e^τ)^(1/s)); the seed
# points give τ = 0 (t in hours) and a/s = ln 9 / ln 168; a and c are Pavlik's values.
ACTR_A = 0.177
ACTR_C = 0.217
ACTR_S = ACTR_A / (math.log(9.0) / math.log(168.0))
ACTR_TAU = 0.0


class ActR:
    """ACT-R activation with the spacing effect (more spaced presentations decay slower)."""

    def __init__(self, t: float, factor: float = 1.0) -> None:
        """Learnt at ``t`` hours; ``factor`` > 1 for a learner whose reviews decay slower."""
        self.traces: list[tuple[float, float]] = [(t, ACTR_A)]
        self.factor = factor

    def _activation(self, t: float) -> float:
        total = sum(max(t - tj, 1.0 / 60.0) ** (-dj) for tj, dj in self.traces if tj < t)
        return math.log(total) if total > 0 else -math.inf

    def recall(self, t: float) -> float:
        m = self._activation(t)
        if m == -math.inf:
            return 0.0
        return 1.0 / (1.0 + math.exp((ACTR_TAU - m) / ACTR_S))

    def review(self, t: float, minutes: int, recalled: bool) -> None:
        m = self._activation(t)
        decay = ACTR_C * math.exp(m) / self.factor + ACTR_A if m > -math.inf else ACTR_A
        self.traces.append((t, decay))


# Two traces: R = w·e^(-Δ/τf) + (1 - w)·e^(-Δ/τs), τs fixed for a chunk learnt once and w, τf
# solved from the seed points. A review resets Δ, moves a share of the fast trace into the
# slow one and lengthens the slow one, both more for longer reviews ((minutes/5)^0.8).
TWO_SLOW = 400.0


def _two_trace_constants() -> tuple[float, float]:
    def at(w: float, tf: float, t: float) -> float:
        return w * math.exp(-t / tf) + (1 - w) * math.exp(-t / TWO_SLOW)

    # w from the week point (the fast trace is gone by then), τf from the hour point.
    w = 1.0 - 0.1 / math.exp(-168.0 / TWO_SLOW)
    tf = _bisect(lambda tf: at(w, tf, 1.0) - 0.5, 0.01, 50.0)
    return w, tf


TWO_W, TWO_FAST = _two_trace_constants()


class TwoTrace:
    """Fast and slow traces; longer reviews help more."""

    def __init__(self, t: float, factor: float = 1.0) -> None:
        """Learnt at ``t`` hours; ``factor`` scales what a review adds."""
        self.factor = factor
        self.last = t
        self.w = TWO_W
        self.fast = TWO_FAST
        self.slow = TWO_SLOW

    def recall(self, t: float) -> float:
        dt = max(0.0, t - self.last)
        return self.w * math.exp(-dt / self.fast) + (1 - self.w) * math.exp(-dt / self.slow)

    def review(self, t: float, minutes: int, recalled: bool) -> None:
        forgotten = 1.0 - self.recall(t)
        strength = self.factor * (minutes / BLOCK) ** 0.8
        self.w *= math.exp(-0.5 * strength)
        self.slow *= 1.0 + 1.5 * strength * forgotten
        self.fast *= 1.0 + strength * forgotten
        self.last = t


# Stretched exponential R = exp(-(Δ/τ)^β): β and τ0 from the seed points.
STRETCH_BETA = math.log(math.log(10.0) / math.log(2.0)) / math.log(168.0)
STRETCH_TAU = math.log(2.0) ** (-1.0 / STRETCH_BETA)


class Stretched:
    """Stretched exponential; reviews multiply τ, more after a successful recall."""

    GAINS = (3.0, 8.0)  # after a failed, a successful recall

    def __init__(self, t: float, factor: float = 1.0) -> None:
        """Learnt at ``t`` hours; ``factor`` scales what a review adds."""
        self.factor = factor
        self.last = t
        self.tau = STRETCH_TAU

    def recall(self, t: float) -> float:
        dt = max(0.0, t - self.last)
        return math.exp(-((dt / self.tau) ** STRETCH_BETA))

    def review(self, t: float, minutes: int, recalled: bool) -> None:
        forgotten = 1.0 - self.recall(t)
        gain = self.factor * self.GAINS[recalled] * math.sqrt(minutes / BLOCK)
        self.tau *= 1.0 + gain * forgotten**1.5
        self.last = t


class Durable(Stretched):
    """The stretched exponential where reviews last far longer, failed ones nearly as long."""

    GAINS = (20.0, 25.0)


class Lasting:
    """A chunk whose memory runs on the learner's own clock, ``lasting`` times slower: every
    interval, before or after a review, lasts ``lasting`` times as long (x1 = the model)."""

    def __init__(self, chunk: Chunk, lasting: float) -> None:
        """``chunk`` was made at the learner's time of learning divided by ``lasting``."""
        self.chunk = chunk
        self.lasting = lasting

    def recall(self, t: float) -> float:
        return self.chunk.recall(t / self.lasting)

    def review(self, t: float, minutes: int, recalled: bool) -> None:
        self.chunk.review(t / self.lasting, minutes, recalled)


MODELS: dict[str, Callable[[float, float], Chunk]] = {
    "act-r": ActR,
    "two-trace": TwoTrace,
    "stretched": Stretched,
    "durable": Durable,
}


def learnt(model: str, t: float, factor: float = 1.0, lasting: float = 1.0) -> Chunk:
    """A chunk of ``model`` learnt at ``t`` hours by a learner whose reviews add ``factor``
    times as much and whose memory lasts ``lasting`` times as long."""
    return Lasting(MODELS[model](t / lasting, factor), lasting)


def person(seed: int) -> tuple[float, float]:
    """The learner of ``seed``: (factor on what a review adds, factor on how long memory lasts),
    independent log-normals of median 1, so the median learner passes the seed points."""
    factor = math.exp(random.Random(seed * 104_729 + 3).gauss(0.0, LEARNER_SPREAD))
    lasting = math.exp(random.Random(seed * 130_363 + 5).gauss(0.0, LASTING_SPREAD))
    return factor, lasting
