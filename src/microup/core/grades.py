"""Grades as typed and stored: how well a person recalled a topic at a review (1-4).

Input parsing, not memory maths: the memory model only reads the number.
"""

from __future__ import annotations

from enum import IntEnum

from microup.core.errors import UsageError
from microup.core.text import shown


class Grade(IntEnum):
    """How well the person recalled the topic at a review."""

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
