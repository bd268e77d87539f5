"""A programme's modules as session-sized parts, the progress made on them, and when the
programme finishes at the pace it is followed. Pure: dates and times are passed in."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone

from microup.core.text import topic_key

MIN_SESSION_MINUTES = 5
PACE_WEEKS = 4
"""The pace is the minutes a week credited to the programme over this many weeks."""
HORIZON = date(2100, 1, 1)
"""No finish is projected on or after this day: `not before 2100` (dates stay in range)."""
NO_PACE = "no pace yet"
BEYOND = f"not before {HORIZON.year}"


def split_minutes(minutes: int, session: int) -> list[int]:
    """A module's minutes as parts no longer than a session, as even as can be (the first
    parts take the odd minutes): 45 in sessions of 20 is 15, 15, 15; the total is kept."""
    count = max(1, math.ceil(minutes / max(1, session)))
    base, extra = divmod(minutes, count)
    return [base + (1 if index < extra else 0) for index in range(count)]


def session_minutes(goal: int, sessions_per_week: int) -> int:
    """One session's length: the weekly goal over the sessions a week (60 / 3 = 20)."""
    return max(MIN_SESSION_MINUTES, goal // max(1, sessions_per_week))


@dataclass(frozen=True)
class Part:
    """One session-sized part of a module: `done_at` (UTC epoch seconds) once finished."""

    seq: int
    topic: str
    title: str
    part: int
    parts: int
    minutes: int
    done_minutes: int = 0
    done_at: int | None = None

    @property
    def done(self) -> bool:
        return self.done_at is not None

    @property
    def credited(self) -> int:
        """Minutes of the estimate this part has had (all of them once done)."""
        return self.minutes if self.done else min(self.minutes, self.done_minutes)

    @property
    def label(self) -> str:
        """`Distributions, part 2 of 3`, or the title alone."""
        return self.title if self.parts == 1 else f"{self.title}, part {self.part} of {self.parts}"


@dataclass(frozen=True)
class Programme:
    """A programme as stored: its parts in order, when it started and is due (`by`)."""

    id: int
    name: str
    start: date
    by: date | None
    position: int
    parts: tuple[Part, ...]

    @property
    def minutes_total(self) -> int:
        return sum(part.minutes for part in self.parts)

    @property
    def minutes_done(self) -> int:
        return sum(part.credited for part in self.parts)

    @property
    def finished_at(self) -> int | None:
        """When the last part was done (epoch seconds), or None while any is left."""
        if not self.parts or not all(part.done for part in self.parts):
            return None
        return max(part.done_at or 0 for part in self.parts)

    def module_titles(self) -> list[tuple[str, str]]:
        """(topic, title) of each module, in order, once each."""
        return list(dict.fromkeys((part.topic, part.title) for part in self.parts))

    def module_number(self, part: Part) -> tuple[int, int]:
        """(this module's place, the number of modules): `module 2 of 4`."""
        titles = self.module_titles()
        return titles.index((part.topic, part.title)) + 1, len(titles)

    def module_minutes(self, part: Part) -> int:
        return sum(p.minutes for p in self.parts if (p.topic, p.title) == (part.topic, part.title))


def find_parts(
    programme: Programme, *, topic: str | None = None, module: str | None = None
) -> list[Part]:
    """Unfinished parts of one module (by title) or topic, in order (any case, any width)."""
    wanted_topic = None if topic is None else topic_key(topic)
    wanted_module = None if module is None else topic_key(module)
    return [
        part
        for part in programme.parts
        if not part.done
        and (wanted_topic is None or topic_key(part.topic) == wanted_topic)
        and (wanted_module is None or topic_key(part.title) == wanted_module)
    ]


def credit(parts: Sequence[Part], minutes: int, at: int) -> list[Part]:
    """The parts after `minutes` of study at `at`: each filled to its estimate in order (a
    full one is done), what is left over going to the last one."""
    changed: list[Part] = []
    left = minutes
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        room = max(0, part.minutes - part.done_minutes)
        take = left if last else min(left, room)
        if take <= 0:
            break
        total = part.done_minutes + take
        changed.append(
            replace(part, done_minutes=total, done_at=at if total >= part.minutes else None)
        )
        left -= take
    return changed


def take_back(parts: Sequence[Part], minutes: int) -> list[Part]:
    """The parts after `minutes` credited to them are taken back (an entry deleted, or
    edited), from the parts in the order given until none are left. A part done by its
    minutes is done no more once short of them; one marked done with fewer stays done."""
    changed: list[Part] = []
    left = minutes
    for part in parts:
        take = min(left, part.done_minutes)
        if take <= 0:
            continue
        total = part.done_minutes - take
        by_minutes = part.done and part.done_minutes >= part.minutes
        done_at = None if by_minutes and total < part.minutes else part.done_at
        changed.append(replace(part, done_minutes=total, done_at=done_at))
        left -= take
    return changed


def finish(parts: Sequence[Part], at: int) -> list[Part]:
    """The parts marked done at `at` (a module marked finished, whatever its minutes); those
    done already keep their time."""
    return [part if part.done else replace(part, done_at=at) for part in parts]


@dataclass(frozen=True)
class Projection:
    """Where a programme stands on a day: the pace of the last weeks and when it ends."""

    minutes_total: int
    minutes_done: int
    pace_per_week: float
    projected_end: date | None
    on_track: bool | None
    minutes_per_week_needed: int | None
    no_end: str | None = None
    """Why there is no `projected_end`: `NO_PACE` or `BEYOND` (None when there is one)."""
    planned: bool = False
    """Not started yet: the pace is the planned one (`programme add`'s), not a measured one."""

    @property
    def minutes_left(self) -> int:
        return max(0, self.minutes_total - self.minutes_done)


def _days_to_finish(minutes_left: int, pace_per_week: float) -> float:
    """Days until the minutes left run out at this pace (infinite without a pace)."""
    if minutes_left <= 0:
        return 0.0
    if not pace_per_week > 0:
        return math.inf
    days = 7 * minutes_left / pace_per_week
    return float(math.ceil(days)) if math.isfinite(days) else math.inf


def finish_date(minutes_left: int, pace_per_week: float, today: date) -> date | None:
    """The day the minutes left run out at this pace (today if none are left): `today +
    ceil(7 * left / pace)` days; None without a pace, or on or after `HORIZON`."""
    days = _days_to_finish(minutes_left, pace_per_week)
    if days == 0:
        return today
    if days >= (HORIZON - today).days:
        return None
    return today + timedelta(days=int(days))


def no_end_reason(minutes_left: int, pace_per_week: float) -> str | None:
    """Why `finish_date` has no date: no pace yet, or not before 2100 (None: it has one)."""
    if minutes_left <= 0:
        return None
    return NO_PACE if not pace_per_week > 0 else BEYOND


def finishes_by(minutes_left: int, pace_per_week: float, today: date, by: date) -> bool:
    """Whether the minutes left run out by `by` at this pace (any distance, no date made)."""
    days = _days_to_finish(minutes_left, pace_per_week)
    return days <= by.toordinal() - today.toordinal()


def needed_per_week(minutes_left: int, today: date, by: date | None) -> int | None:
    """New minutes a week that would finish by `by` (None without one, or once it passed)."""
    if by is None or minutes_left <= 0:
        return None if by is None else 0
    days = (by - today).days
    if days <= 0:
        return None
    return math.ceil(minutes_left * 7 / days)


def project(
    programme: Programme, recent_minutes: int, today: date, planned_pace: float = 0.0
) -> Projection:
    """The programme's projection from the minutes credited to it in the last `PACE_WEEKS`
    (or the weeks since it started, when fewer: a new programme's pace is not diluted).
    Nothing happens before the start: a programme not started yet is projected from its start
    at `planned_pace` (what `programme add` said), so its end is never before its start."""
    before_start = today < programme.start
    since = max(today, programme.start)
    weeks = min(float(PACE_WEEKS), max(1.0, (today - programme.start).days / 7))
    pace = planned_pace if before_start else recent_minutes / weeks
    done = programme.minutes_done
    left = max(0, programme.minutes_total - done)
    finished = programme.finished_at
    if finished is None:
        end = finish_date(left, pace, since)
        on_track = None if programme.by is None else finishes_by(left, pace, since, programme.by)
    else:
        end = max(programme.start, datetime.fromtimestamp(finished, timezone.utc).date())
        on_track = None if programme.by is None else end <= programme.by
    return Projection(
        programme.minutes_total,
        done,
        pace,
        end,
        on_track,
        needed_per_week(left, since, programme.by),
        None if end is not None else no_end_reason(left, pace),
        before_start,
    )


def planned_end(total: int, new_per_week: int, start: date) -> date | None:
    """When a programme of `total` minutes ends from `start` at `new_per_week` minutes."""
    return finish_date(total, new_per_week, start)
