"""The rules for what a person may type: durations, times, topics, notes, goals."""

from __future__ import annotations

import contextlib
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microup.core.errors import UsageError
from microup.core.text import clean_note, clean_topic, parse_fraction, topic_key
from microup.core.when import (
    from_stored,
    parse_duration,
    parse_goal,
    parse_when,
    utc_offset_minutes,
)

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=LONDON)  # a Monday morning


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("20", 20),
        ("20m", 20),
        ("1h", 60),
        ("1h30m", 90),
        ("1h 30m", 90),
        (" 45 ", 45),
        ("90min", 90),
        ("2H", 120),
        ("600", 600),
        ("1", 1),
        ("10h", 600),
    ],
)
def test_durations_accepted(text: str, minutes: int) -> None:
    assert parse_duration(text) == minutes


@pytest.mark.parametrize(
    "text",
    [
        "0",
        "-5",
        "abc",
        "nan",
        "inf",
        "1e3",
        "100000",
        "",
        " ",
        "601",
        "10h1m",
        "1.5",
        "20 m m",
        "h",
        "m",
        "0h0m",
        "٢٠",
        "1h-5m",
        "9" * 5000,
    ],
)
def test_durations_refused(text: str) -> None:
    with pytest.raises(UsageError):
        parse_duration(text)


@given(st.integers(min_value=1, max_value=600))
def test_every_minute_count_in_range_reads_back(minutes: int) -> None:
    hours, rest = divmod(minutes, 60)
    assert parse_duration(str(minutes)) == minutes
    assert parse_duration(f"{minutes}m") == minutes
    assert parse_duration(f"{hours}h{rest}m") == minutes


@given(st.integers(min_value=601, max_value=10**9) | st.integers(max_value=0))
def test_every_minute_count_out_of_range_is_refused(minutes: int) -> None:
    with pytest.raises(UsageError):
        parse_duration(str(minutes))


@given(st.text(max_size=12))
def test_durations_never_crash(text: str) -> None:
    with contextlib.suppress(UsageError):
        assert 1 <= parse_duration(text) <= 600


def test_goal_allows_more_than_a_session() -> None:
    assert parse_goal("90") == 90
    assert parse_goal("20h") == 1200
    with pytest.raises(UsageError):
        parse_goal("0")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("now", NOW),
        ("today", NOW),  # midday has not come yet, so today means now
        ("yesterday", datetime(2026, 11, 22, 12, 0, tzinfo=LONDON)),
        ("30m ago", NOW - timedelta(minutes=30)),
        ("2h ago", NOW - timedelta(hours=2)),
        ("1h30m ago", NOW - timedelta(minutes=90)),
        ("3d ago", NOW - timedelta(days=3)),
        ("2026-11-20", datetime(2026, 11, 20, 12, 0, tzinfo=LONDON)),
        ("2026-11-20T18:30", datetime(2026, 11, 20, 18, 30, tzinfo=LONDON)),
        ("2026-11-20 18:30", datetime(2026, 11, 20, 18, 30, tzinfo=LONDON)),
        ("2026-11-20T18:30Z", datetime(2026, 11, 20, 18, 30, tzinfo=timezone.utc)),
        (
            "2026-11-20T18:30+05:30",
            datetime(2026, 11, 20, 18, 30, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        ),
    ],
)
def test_when_forms(text: str, expected: datetime) -> None:
    assert parse_when(text, NOW, LONDON) == expected


def test_when_keeps_offset_of_that_date_across_daylight_saving() -> None:
    summer = parse_when("2026-10-24T23:30", NOW, LONDON)
    winter = parse_when("2026-10-26T00:30", NOW, LONDON)
    assert utc_offset_minutes(summer) == 60
    assert utc_offset_minutes(winter) == 0


def test_today_after_midday_means_midday() -> None:
    evening = datetime(2026, 11, 23, 20, 0, tzinfo=LONDON)
    assert parse_when("today", evening, LONDON) == datetime(2026, 11, 23, 12, 0, tzinfo=LONDON)


@pytest.mark.parametrize(
    "text",
    [
        "tomorrow",
        "2026-11-24",
        "2030-01-01T00:00",
        "in 3 days",
        "",
        "2026-13-01",
        "1969-12-31",
        "-2h ago",
        "abc ago",
        "3 fortnights ago",  # weeks are read since issue 20 (`1 week ago`)
    ],
)
def test_when_refused(text: str) -> None:
    with pytest.raises(UsageError):
        parse_when(text, NOW, LONDON)


def test_when_needs_an_aware_now() -> None:
    with pytest.raises(ValueError):
        parse_when("today", datetime(2026, 1, 1), LONDON)


def test_topics_are_trimmed_and_checked() -> None:
    assert clean_topic("  SQL joins ") == "SQL joins"
    assert clean_topic("[red]x[/red]") == "[red]x[/red]"
    assert clean_topic("x" * 80) == "x" * 80
    for bad in ["", "   ", "x" * 81, "a\x1b[31mb", "tab\there", "line\nbreak", "\ud800"]:
        with pytest.raises(UsageError):
            clean_topic(bad)


def test_topics_group_case_insensitively() -> None:
    assert topic_key("SQL") == topic_key("sql") == topic_key("Sql")
    assert topic_key("Straße") == topic_key("STRASSE")


def test_notes() -> None:
    assert clean_note("  ") is None
    assert clean_note("line one\nline two") == "line one\nline two"
    assert clean_note("n" * 1000) == "n" * 1000
    for bad in ["n" * 1001, "bell\x07", "esc\x1b[2J"]:
        with pytest.raises(UsageError):
            clean_note(bad)


def test_fractions() -> None:
    assert parse_fraction("0.85", what="x", low=0.5, high=0.99) == 0.85
    assert parse_fraction("85%", what="x", low=0.5, high=0.99) == 0.85
    assert parse_fraction("0.99", what="x", low=0.5, high=0.99) == 0.99
    assert parse_fraction("50%", what="x", low=0.5, high=0.99) == 0.5
    for bad in ["nan", "1", "0", "abc", "inf", "-0.2", "0.4999", "99.5%"]:
        with pytest.raises(UsageError):
            parse_fraction(bad, what="x", low=0.5, high=0.99)


@given(
    st.integers(min_value=0, max_value=4_000_000_000),
    st.integers(min_value=-12 * 60, max_value=14 * 60),
)
def test_stored_times_round_trip(epoch: int, offset: int) -> None:
    lived = from_stored(epoch, offset)
    assert int(lived.timestamp()) == epoch
    assert utc_offset_minutes(lived) == offset
    assert lived.date() == (datetime(1970, 1, 1) + timedelta(seconds=epoch + offset * 60)).date()
    assert isinstance(lived.date(), date)


@pytest.mark.parametrize("text", ["1h61m", "2h60m", "1h 75min"])
def test_minutes_past_an_hour_beside_hours_are_a_typo(text: str) -> None:
    with pytest.raises(UsageError, match="invalid duration"):
        parse_duration(text)


INVISIBLE = [
    "S\u00adQL",  # soft hyphen
    "SQL\u2063",  # invisible separator
    "SQL\U000e0041",  # a tag character
    "SQL\ufe0f",  # a variation selector after a letter
    "SQL\ufe01",
    "\u3164SQL",  # Hangul filler
    "SQL\u115f",
    "S\u200dQL",  # a joiner outside an emoji
    "\u2064SQL",
]


@pytest.mark.parametrize("text", INVISIBLE)
def test_invisible_format_characters_are_refused(text: str) -> None:
    with pytest.raises(UsageError, match="invisible"):
        clean_topic(text)


@pytest.mark.parametrize("text", ["\U0001f468\u200d\U0001f469\u200d\U0001f467", "\u2764\ufe0f SQL"])
def test_joiners_and_emoji_presentation_inside_emoji_are_kept(text: str) -> None:
    assert clean_topic(text) == text


def test_topics_group_on_their_nfkc_case_folded_form() -> None:
    assert topic_key("\uff33\uff31\uff2c") == topic_key("sql") == topic_key("SQL")
    assert topic_key("Stra\u00dfe") == topic_key("STRASSE")


def test_imports_need_absolute_times() -> None:
    now = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)
    for text in ("yesterday", "today", "now", "3d ago", "30m ago"):
        with pytest.raises(UsageError, match="not an absolute"):
            parse_when(text, now, absolute=True)
    for text in (
        "2026-11-20",
        "2026-11-20T18:30",
        "2026-11-20T18:30:00+01:00",
        "2026-11-20 18:30Z",
    ):
        assert parse_when(text, now, absolute=True, keep_offset=True) < now


def test_a_local_time_in_the_daylight_saving_gap_is_refused() -> None:
    london = ZoneInfo("Europe/London")
    now = datetime(2026, 11, 24, 12, 0, tzinfo=london)
    with pytest.raises(UsageError, match="does not exist"):
        parse_when("2026-03-29T01:30", now, london)
    assert parse_when("2026-03-29T02:30", now, london).utcoffset() == timedelta(hours=1)
    assert parse_when("2026-10-25T01:30", now, london).utcoffset() == timedelta(hours=1)
