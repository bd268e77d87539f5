"""The seed curve: retention of material learnt once, and the power law every memory follows.

Pure maths, derived at import time from the two points the brief fixes.
"""

from __future__ import annotations

import math

# --- The seed curve ---------------------------------------------------------------------
# The brief fixes two points for material learnt once: R(1 h) = 0.5 and R(1 week) = 0.1.
SEED_POINTS: tuple[tuple[float, float], tuple[float, float]] = ((1.0, 0.5), (168.0, 0.1))

_STABILITY_RETENTION = 0.9  # S is, by definition, the time at which R falls to 0.9.


def _solve_seed_curve() -> tuple[float, float, float]:
    """Derive (d, F, S0) from the two seed points so nothing is a rounded copy.

    With x = F/S0 the points give 1 + t1·x = R1^(-1/d) and 1 + t2·x = R2^(-1/d); eliminating x
    leaves one equation in u = 1/d, g(u) = (R2^-u - 1)·t1 - (R1^-u - 1)·t2 = 0, with a single
    positive root that bisection finds to machine precision, cheap enough for import time.
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
"""d in R = (1 + F·Δ/S)^(-d); ≈ 0.3218."""
FACTOR: float
"""F = 0.9^(-1/d) - 1 ≈ 0.3874, so that R(S, S) = 0.9."""
SEED_STABILITY_HOURS: float
"""S0 ≈ 0.0508 h (about 3 minutes): the stability of material learnt once."""
DECAY, FACTOR, SEED_STABILITY_HOURS = _solve_seed_curve()


def retention(elapsed_hours: float, stability_hours: float) -> float:
    """R(Δ, S) = (1 + F·Δ/S)^(-d): the chance of recall Δ hours after the last exposure."""
    if math.isnan(elapsed_hours) or not stability_hours > 0.0:
        raise ValueError(f"bad retention arguments: {elapsed_hours!r}, {stability_hours!r}")
    if elapsed_hours <= 0.0:
        return 1.0
    return math.exp(-DECAY * math.log1p(FACTOR * elapsed_hours / stability_hours))
