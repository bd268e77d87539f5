"""The forgetting curve, memory per piece of material, and the per-person fit (see README).

Pure maths: no I/O and no clock, so callers pass ``now`` and every result is reproducible.

The model, in one paragraph: every *learning* session is a piece of material that starts on
the seed curve (R(1 h) = 0.5, R(1 week) = 0.1; `curve`). A *review* of a topic re-exposes all
of that topic's material; each piece gains stability by a rule made for the minutes-to-months
range (`topic`). A topic's retention is the minutes-weighted retention of its material. A
per-person fit on graded reviews (`fit`) says how that person's memory differs.
"""

from microup.core.grades import Grade, parse_grade
from microup.core.memory.curve import DECAY, FACTOR, SEED_POINTS, SEED_STABILITY_HOURS, retention
from microup.core.memory.fit import (
    GROWTH_PRIOR_SIGMA,
    INTERVAL_Z,
    LASTING_PRIOR_SIGMA,
    NO_FIT,
    PersonalFit,
    fit_scale,
    personal_fit,
)
from microup.core.memory.series import retention_series
from microup.core.memory.topic import (
    AGAIN_WEIGHT,
    FIT_MAX_REVIEWS,
    FIT_MIN_GAP_SECONDS,
    FIT_WINDOW_SECONDS,
    FOLD_KEY,
    FOLD_VERSION,
    STANDARD,
    START_DIFFICULTY,
    GradedReview,
    Material,
    Scale,
    StudyRow,
    TopicMemory,
    effort,
    fold_topics,
    retention_of,
)

__all__ = [
    "AGAIN_WEIGHT",
    "DECAY",
    "FACTOR",
    "FIT_MAX_REVIEWS",
    "FIT_MIN_GAP_SECONDS",
    "FIT_WINDOW_SECONDS",
    "FOLD_KEY",
    "FOLD_VERSION",
    "GROWTH_PRIOR_SIGMA",
    "INTERVAL_Z",
    "LASTING_PRIOR_SIGMA",
    "NO_FIT",
    "SEED_POINTS",
    "SEED_STABILITY_HOURS",
    "STANDARD",
    "START_DIFFICULTY",
    "Grade",
    "GradedReview",
    "Material",
    "PersonalFit",
    "Scale",
    "StudyRow",
    "TopicMemory",
    "effort",
    "fit_scale",
    "fold_topics",
    "parse_grade",
    "personal_fit",
    "retention",
    "retention_of",
    "retention_series",
]
