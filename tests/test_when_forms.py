"""Time and durations as Timewarrior and Watson users type them (issue 20): pure rules."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microup.core.errors import UsageError
from microup.core.when import ACCEPTED_TIMES, parse_duration, parse_when

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=LONDON)  # a Wednesday


def local(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9:30", local(25, 9, 30)),
        ("09:30", local(25, 9, 30)),
        ("today 8:15", local(25, 8, 15)),
        ("yesterday 18:00", local(24, 18)),
        ("Yesterday 18:00", local(24, 18)),
        ("monday 9:00", local(23, 9)),
        ("mon 9:00", local(23, 9)),
        ("monday", local(23, 12)),
        ("wednesday 8:00", local(25, 8)),  # today is a Wednesday
        ("last wednesday", local(18, 12)),  # the one before today
        ("last friday", local(20, 12)),
        ("friday", local(20, 12)),
        ("last fri 18:30", local(20, 18, 30)),
        ("1 week ago", NOW - timedelta(days=7)),
        ("2 weeks ago", NOW - timedelta(days=14)),
        ("90m ago", NOW - timedelta(minutes=90)),
        ("1.5h ago", NOW - timedelta(minutes=90)),
        ("1:30 ago", NOW - timedelta(minutes=90)),
        ("2 days ago", NOW - timedelta(days=2)),
        ("3 weeks ago", NOW - timedelta(days=21)),
    ],
)
def test_times_as_people_type_them(text: str, expected: datetime) -> None:
    assert parse_when(text, NOW, LONDON) == expected


@pytest.mark.parametrize(
    "text",
    [
        "11:00",
        "today 23:59",
        "tomorrow 9:00",
        "last 9:00",
        "last today",
        "funday 9:00",
        "monday 25:00",
        "1.25m ago",
        "next monday",
    ],
)
def test_times_refused(text: str) -> None:
    with pytest.raises(UsageError):
        parse_when(text, NOW, LONDON)


def test_a_typo_names_every_accepted_form() -> None:
    with pytest.raises(UsageError) as refused:
        parse_when("wensday", NOW, LONDON)
    message = str(refused.value)
    assert message.endswith(ACCEPTED_TIMES)
    for form in ("9:30", "yesterday 18:00", "monday 9:00", "last friday", "1 week ago", "90m"):
        assert form in message


def test_the_daylight_saving_gap_is_refused() -> None:
    after = datetime(2026, 3, 30, 12, 0, tzinfo=LONDON)  # Monday after clocks went forward
    with pytest.raises(UsageError, match="does not exist"):
        parse_when("sunday 1:30", after, LONDON)
    with pytest.raises(UsageError, match="does not exist"):
        parse_when("yesterday 1:30", after, LONDON)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("1:30", 90),
        ("0:45", 45),
        ("1.5h", 90),
        ("0.5h", 30),
        (".5h", 30),
        ("1.25 hours", 75),
        ("90 min", 90),
        ("2.0h", 120),
    ],
)
def test_durations_as_people_type_them(text: str, minutes: int) -> None:
    assert parse_duration(text) == minutes


@pytest.mark.parametrize("text", ["1:60", "1:5", "1.01h", "1.5m", "2 days", "1.5", ":30", "1w"])
def test_durations_refused(text: str) -> None:
    with pytest.raises(UsageError):
        parse_duration(text)


WORDS = st.sampled_from(
    ["", "today ", "yesterday ", "monday ", "last monday ", "sun ", "last sat ", "friday "]
)


@given(
    now=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1)),
    word=WORDS,
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    ago=st.integers(0, 100_000),
    unit=st.sampled_from(["m", "h", "d", " weeks", " min"]),
)
def test_never_the_future(
    now: datetime, word: str, hour: int, minute: int, ago: int, unit: str
) -> None:
    """Whatever is typed, a time read is never later than now, and a refusal is one error."""
    aware = now.replace(tzinfo=LONDON)
    for text in (f"{word}{hour}:{minute:02d}", word.strip() or "today", f"{ago}{unit} ago"):
        try:
            when = parse_when(text, aware, LONDON)
        except UsageError:
            continue
        assert when <= aware
        if text.startswith(("last ", "yesterday")):
            assert when.date() < aware.date()


@given(hours=st.integers(0, 9), minutes=st.integers(0, 59))
def test_stopwatch_and_decimal_durations_agree(hours: int, minutes: int) -> None:
    total = hours * 60 + minutes
    if 1 <= total <= 600:
        assert parse_duration(f"{hours}:{minutes:02d}") == total
        if minutes in (0, 15, 30, 45):
            assert parse_duration(f"{hours + minutes / 60:g}h") == total
