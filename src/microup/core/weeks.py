"""Week arithmetic: Monday-to-Sunday weeks in the person's local time, goals, pace and streaks.

Pure: every function takes today's date and per-day totals; none reads the clock or the store.
A past week is judged against the goal that was in force in that week.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

DEFAULT_GOAL_MINUTES = 60
DAYS_PER_WEEK = 7


def week_start(day: date) -> date:
    """The Monday of the week holding `day`."""
    return day - timedelta(days=day.weekday())


def week_label(day: date) -> str:
    """The ISO week holding `day`, as `2026-W47`."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class GoalHistory:
    """Weekly goals by the Monday from which each applies; before the first, the default."""

    changes: tuple[tuple[date, int], ...] = ()
    off: frozenset[date] = frozenset()
    """Weeks off, by their Monday: no goal, and they neither break nor extend a streak."""

    @classmethod
    def of(cls, changes: Iterable[tuple[date, int]], off: Iterable[date] = ()) -> GoalHistory:
        return cls(tuple(sorted(changes)), frozenset(off))

    def goal_for(self, monday: date) -> int:
        """The goal in force in that week: nothing in a week off."""
        if monday in self.off:
            return 0
        return self.standing_goal(monday)

    def standing_goal(self, monday: date) -> int:
        """The goal set for that week, week off or not."""
        index = bisect_right(self.changes, (monday, math.inf)) - 1
        return self.changes[index][1] if index >= 0 else DEFAULT_GOAL_MINUTES

    def counts(self, monday: date) -> bool:
        """Whether the week counts in streaks and adherence (a week off does not)."""
        return monday not in self.off


def weekly_totals(daily: Mapping[date, int]) -> dict[date, int]:
    """Sum per-day minutes into per-week minutes keyed by each week's Monday."""
    totals: dict[date, int] = {}
    for day, minutes in daily.items():
        monday = week_start(day)
        totals[monday] = totals.get(monday, 0) + minutes
    return totals


def current_streak(today: date, weekly: Mapping[date, int], goals: GoalHistory) -> int:
    """Consecutive weeks with the goal met, ending now.

    The current week, while still under way, does not break a streak; it extends it once met.
    """
    monday = week_start(today)
    streak = 0
    if goals.counts(monday) and weekly.get(monday, 0) >= goals.goal_for(monday):
        streak = 1
    monday -= timedelta(weeks=1)
    first = min(weekly, default=monday)
    while monday >= first - timedelta(weeks=1):
        if goals.counts(monday):
            if weekly.get(monday, 0) < goals.goal_for(monday):
                break
            streak += 1
        monday -= timedelta(weeks=1)
    return streak


def best_streak(today: date, weekly: Mapping[date, int], goals: GoalHistory) -> int:
    """The longest run of consecutive weeks with the goal met, up to and including this week."""
    if not weekly:
        return 0
    best = run = 0
    monday = min(weekly)
    last = week_start(today)
    while monday <= last:
        if goals.counts(monday):
            run = run + 1 if weekly.get(monday, 0) >= goals.goal_for(monday) else 0
            best = max(best, run)
        monday += timedelta(weeks=1)
    return best


@dataclass(frozen=True)
class WeekSummary:
    """Where this week stands against its goal, and what it takes to get there."""

    label: str
    start: date
    end: date
    days: tuple[tuple[date, int], ...]
    minutes: int
    goal: int
    streak: int
    days_left: int

    @property
    def remaining(self) -> int:
        return max(self.goal - self.minutes, 0)

    @property
    def met(self) -> bool:
        return self.minutes >= self.goal

    @property
    def per_day_needed(self) -> int:
        """Whole minutes a day, today included, that still reach the goal by Sunday."""
        return math.ceil(self.remaining / self.days_left) if self.days_left else self.remaining


def summarize_week(today: date, daily: Mapping[date, int], goals: GoalHistory) -> WeekSummary:
    """This week's days, total, goal, pace and streak, from per-day totals in local time."""
    monday = week_start(today)
    days = tuple(
        (monday + timedelta(days=offset), daily.get(monday + timedelta(days=offset), 0))
        for offset in range(DAYS_PER_WEEK)
    )
    return WeekSummary(
        label=week_label(today),
        start=monday,
        end=monday + timedelta(days=DAYS_PER_WEEK - 1),
        days=days,
        minutes=sum(minutes for _, minutes in days),
        goal=goals.goal_for(monday),
        streak=current_streak(today, weekly_totals(daily), goals),
        days_left=DAYS_PER_WEEK - today.weekday(),
    )


@dataclass(frozen=True)
class WeekResult:
    """One past or current week against the goal in force then."""

    start: date
    minutes: int
    goal: int

    @property
    def label(self) -> str:
        return week_label(self.start)

    @property
    def met(self) -> bool:
        return self.minutes >= self.goal


def recent_weeks(
    today: date, weekly: Mapping[date, int], goals: GoalHistory, count: int
) -> list[WeekResult]:
    """The last `count` weeks, oldest first, ending with this one; none before the first
    week with an entry (a new person's empty past is not a row of failures)."""
    this_monday = week_start(today)
    mondays = [this_monday - timedelta(weeks=back) for back in range(count - 1, -1, -1)]
    started = [monday for monday, minutes in weekly.items() if minutes]
    first = min(started, default=this_monday)
    mondays = [monday for monday in mondays if monday >= first]
    return [WeekResult(m, weekly.get(m, 0), goals.goal_for(m)) for m in mondays]


MOST_WEEKS, SOME_WEEKS, NOT_OFTEN, TOO_EARLY = (
    "most weeks",
    "some weeks",
    "not very often",
    "too early to say",
)


@dataclass(frozen=True)
class Adherence:
    """The UK pilot's question: how often did you manage your hour? Counted in weeks.

    The weeks are those from the first entry's week to last week, plus this week once its
    goal is met (a week still under way counts only in your favour, as with streaks).
    """

    weeks: int
    met: int
    some: int
    none: int

    @property
    def verdict(self) -> str:
        """`most weeks`: goal met in at least half the weeks; `some weeks`: met in at least a
        quarter, or some learning in at least half; otherwise `not very often`."""
        if self.weeks == 0:
            return TOO_EARLY
        if 2 * self.met >= self.weeks:
            return MOST_WEEKS
        if 4 * self.met >= self.weeks or 2 * (self.met + self.some) >= self.weeks:
            return SOME_WEEKS
        return NOT_OFTEN


def adherence(today: date, weekly: Mapping[date, int], goals: GoalHistory) -> Adherence:
    """Weeks met, weeks with some learning, and weeks with none, since the first entry."""
    if not weekly:
        return Adherence(0, 0, 0, 0)
    this_monday = week_start(today)
    met = some = none = 0
    monday = min(weekly)
    while monday <= this_monday:
        minutes, goal = weekly.get(monday, 0), goals.goal_for(monday)
        if not goals.counts(monday):
            pass  # a week off: not counted either way
        elif minutes >= goal:
            met += 1
        elif monday == this_monday:
            pass  # under way: not yet a week that failed
        elif minutes:
            some += 1
        else:
            none += 1
        monday += timedelta(weeks=1)
    return Adherence(met + some + none, met, some, none)
