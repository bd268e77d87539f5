"""Which week a person means by `microup holiday WEEK`: pure, today passed in."""

from __future__ import annotations

import re
from datetime import date, timedelta

from microup.core.errors import UsageError
from microup.core.text import shown
from microup.core.weeks import week_start

_ISO_WEEK = re.compile(r"([0-9]{4})-?W([0-9]{2})", re.ASCII | re.IGNORECASE)
WEEK_FORMS = "this, next, last, an ISO week like 2026-W52, or a date in that week (2026-12-24)"


FIRST_YEAR, LAST_YEAR = 1970, 9998
"""The weeks a person may name: from the first week microup can date to the last whose
Sunday (and the week after it, which a goal for one week touches) the calendar holds."""


def parse_week(text: str, today: date) -> date:
    """The Monday of the week `text` names (past or future), in the years microup takes."""
    monday = _monday(text, today)
    if not FIRST_YEAR <= monday.isocalendar().year <= LAST_YEAR:
        raise UsageError(
            f"week {shown(text)} is out of range (weeks of {FIRST_YEAR} to {LAST_YEAR})"
        )
    return monday


def _monday(text: str, today: date) -> date:
    word = text.strip().lower()
    this = week_start(today)
    named = {"this": 0, "next": 1, "last": -1}
    if word in named:
        return this + timedelta(weeks=named[word])
    if match := _ISO_WEEK.fullmatch(word):
        try:
            return date.fromisocalendar(int(match[1]), int(match[2]), 1)
        except ValueError:
            raise UsageError(f"there is no week {shown(text)}") from None
    try:
        return week_start(date.fromisoformat(word))
    except ValueError:
        raise UsageError(f"not a week: {shown(text)} (use {WEEK_FORMS})") from None
