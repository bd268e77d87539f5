"""Week arithmetic: boundaries in local time, goals per week, pace and streaks."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from microup.core.weeks import (
    DEFAULT_GOAL_MINUTES,
    GoalHistory,
    best_streak,
    current_streak,
    summarize_week,
    week_label,
    week_start,
    weekly_totals,
)
from microup.core.when import from_stored, parse_when

MONDAY = date(2026, 11, 16)  # ISO week 2026-W47
NO_GOALS = GoalHistory()


def test_week_boundaries_and_label() -> None:
    assert week_start(date(2026, 11, 22)) == MONDAY  # Sunday belongs to the week before
    assert week_start(date(2026, 11, 23)) == date(2026, 11, 23)
    assert week_label(MONDAY) == "2026-W47"
    assert week_label(date(2027, 1, 1)) == "2026-W53"  # ISO years differ from calendar years


def test_entry_just_before_midnight_on_sunday_counts_in_that_week() -> None:
    # 23:59 on Sunday in New York is already Monday in UTC: the person lived it on Sunday.
    lived = from_stored(int(datetime(2026, 11, 23, 4, 59, tzinfo=timezone.utc).timestamp()), -300)
    assert lived.strftime("%a %H:%M") == "Sun 23:59"
    summary = summarize_week(date(2026, 11, 22), {lived.date(): 25}, NO_GOALS)
    assert summary.minutes == 25
    assert summary.label == "2026-W47"
    next_week = summarize_week(date(2026, 11, 23), {lived.date(): 25}, NO_GOALS)
    assert next_week.minutes == 0


def test_week_with_a_daylight_saving_change_has_seven_days() -> None:
    from zoneinfo import ZoneInfo

    london = ZoneInfo("Europe/London")
    now = datetime(2026, 10, 25, 22, 0, tzinfo=london)  # clocks went back at 02:00 that day
    before = parse_when("2026-10-25T00:30", now, london)  # still BST, UTC+1
    after = parse_when("2026-10-25T21:30", now, london)  # GMT, UTC+0
    assert (before.utcoffset(), after.utcoffset()) == (timedelta(hours=1), timedelta(0))
    daily: dict[date, int] = {}
    for lived, minutes in (
        (before, 10),
        (after, 15),
        (datetime(2026, 10, 19, 8, tzinfo=london), 20),
    ):
        offset = lived.utcoffset()
        assert offset is not None
        day = from_stored(int(lived.timestamp()), int(offset.total_seconds() // 60)).date()
        daily[day] = daily.get(day, 0) + minutes
    summary = summarize_week(now.date(), daily, NO_GOALS)
    assert [day for day, _ in summary.days] == [
        date(2026, 10, 19) + timedelta(days=i) for i in range(7)
    ]
    assert summary.minutes == 45
    assert summary.days[-1] == (date(2026, 10, 25), 25)
    assert summary.days_left == 1  # Sunday: today is the last day


def test_summary_pace() -> None:
    summary = summarize_week(date(2026, 11, 18), {date(2026, 11, 16): 20}, NO_GOALS)  # Wednesday
    assert (summary.goal, summary.remaining, summary.met) == (DEFAULT_GOAL_MINUTES, 40, False)
    assert summary.days_left == 5
    assert summary.per_day_needed == 8  # 40 over 5 days, rounded up


def test_goal_history_applies_from_its_week_on() -> None:
    goals = GoalHistory.of([(date(2026, 11, 16), 90), (date(2026, 11, 2), 30)])
    assert goals.goal_for(date(2026, 10, 26)) == DEFAULT_GOAL_MINUTES
    assert goals.goal_for(date(2026, 11, 2)) == 30
    assert goals.goal_for(date(2026, 11, 9)) == 30
    assert goals.goal_for(date(2026, 11, 16)) == 90
    assert goals.goal_for(date(2027, 1, 4)) == 90


def _weeks(*minutes: int, last_monday: date = MONDAY) -> dict[date, int]:
    """Per-week totals, oldest first, ending with the week of `last_monday`."""
    count = len(minutes)
    return {last_monday - timedelta(weeks=count - 1 - i): m for i, m in enumerate(minutes) if m}


def test_streak_unfinished_week_does_not_break_it() -> None:
    weekly = _weeks(60, 70, 10)  # this week so far 10 minutes
    assert current_streak(MONDAY + timedelta(days=2), weekly, NO_GOALS) == 2


def test_streak_extends_once_this_week_is_met() -> None:
    assert current_streak(MONDAY, _weeks(60, 70, 60), NO_GOALS) == 3


def test_streak_broken_by_a_missed_week() -> None:
    assert current_streak(MONDAY, _weeks(60, 59, 60), NO_GOALS) == 1
    assert current_streak(MONDAY, _weeks(60, 0, 0), NO_GOALS) == 0


def test_streak_judges_each_week_by_its_own_goal() -> None:
    goals = GoalHistory.of([(MONDAY, 120)])
    weekly = _weeks(60, 60, 60)  # earlier weeks met 60; this week's goal is now 120
    assert current_streak(MONDAY, weekly, goals) == 2
    assert best_streak(MONDAY, weekly, goals) == 2


def test_best_streak() -> None:
    assert best_streak(MONDAY, {}, NO_GOALS) == 0
    assert best_streak(MONDAY, _weeks(60, 60, 60, 0, 60, 60), NO_GOALS) == 3


@given(
    st.dictionaries(
        st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)),
        st.integers(min_value=1, max_value=600),
        max_size=60,
    ),
    st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)),
    st.integers(min_value=1, max_value=600),
)
def test_week_rules_hold_for_any_history(daily: dict[date, int], today: date, goal: int) -> None:
    goals = GoalHistory.of([(date(2024, 12, 30), goal)])
    summary = summarize_week(today, daily, goals)
    assert summary.start <= today <= summary.end
    assert summary.minutes == sum(m for d, m in daily.items() if summary.start <= d <= summary.end)
    assert summary.remaining == max(goal - summary.minutes, 0)
    assert summary.per_day_needed * summary.days_left >= summary.remaining
    assert summary.met == (summary.remaining == 0)
    assert sum(weekly_totals(daily).values()) == sum(daily.values())
    assert 0 <= summary.streak <= best_streak(today, weekly_totals(daily), goals) + 1
