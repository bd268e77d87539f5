"""The week's review plan: a fixed budget of review minutes, spread over the week's sessions.

Pure: the caller passes what the store knows (each topic's recall at the start of the week,
the review minutes already logged this week, how many sessions are left) and gets blocks.

Why this shape (measured in benchmarks/learning.py): reviewing every started topic from a
fixed share of the week mattered far more than which topic was picked, and a plan made at the
week's start that covers the most-faded *different* topics was robust across memory models
that disagree with each other. The plan is one week's size whatever happened before, so a
break never turns into a wall of overdue work.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from microup.core.memory import (
    FIT_WINDOW_SECONDS,
    PersonalFit,
    StudyRow,
    TopicMemory,
    fold_topics,
    personal_fit,
    retention_of,
)

BLOCK_MINUTES = 5
"""A review block: long enough to re-read and self-test, short enough to fit any session."""
MIN_PART_MINUTES = 2
"""A block cut to fit the time given is kept only if at least this long."""
DEFAULT_SESSIONS_PER_WEEK = 3
WEEK_SECONDS = 7 * 86_400


@dataclass(frozen=True)
class Block:
    """One planned review: a topic, its minutes, and how many of them are done this week."""

    topic: str
    minutes: int
    done: int
    retention: float
    """The topic's predicted retention at the start of the week, which put it in the plan."""

    @property
    def left(self) -> int:
        """Minutes of this block still to do."""
        return max(0, self.minutes - self.done)


@dataclass(frozen=True)
class WeekPlan:
    """This week's review plan and what it leaves for new material."""

    budget: int
    used: int
    blocks: tuple[Block, ...]
    sessions_left: int
    new_minutes_left: int

    @property
    def left(self) -> int:
        """Review minutes of the budget not yet used this week."""
        return max(0, self.budget - self.used)

    def pending(self) -> list[tuple[str, int]]:
        """Blocks still to do, in plan order, never more in all than the budget left."""
        return _take(((block.topic, block.left) for block in self.blocks), self.left)

    def sessions(self) -> list[list[tuple[str, int]]]:
        """The pending blocks spread over the sessions left: a skipped one moves to the next.

        A topic's blocks that land in the same session are one longer block.
        """
        pending = self.pending()
        spread: list[list[tuple[str, int]]] = []
        for remaining_sessions in range(self.sessions_left, 0, -1):
            if not pending:
                break
            share = math.ceil(sum(m for _, m in pending) / remaining_sessions)
            session: list[tuple[str, int]] = []
            while pending and sum(m for _, m in session) < share:
                session.append(pending.pop(0))
            spread.append(_merged(session))
        return spread

    def share(self) -> int:
        """Minutes of review for this session: its share of what is left of the week's plan."""
        spread = self.sessions()
        return sum(minutes for _, minutes in spread[0]) if spread else 0

    def fit(self, minutes: int, hold: Collection[str] = ()) -> list[tuple[str, int]]:
        """The pending blocks that fit ``minutes``, in order, cut to fit where worth it.

        Topics in ``hold`` (studied moments ago) wait for a later session.
        """
        pending = [(topic, length) for topic, length in self.pending() if topic not in hold]
        return _merged(_take(pending, min(minutes, self.left)))

    def this_session(self, hold: Collection[str] = ()) -> list[tuple[str, int]]:
        """This session's blocks."""
        return self.fit(self.share(), hold)


def _take(blocks: Iterable[tuple[str, int]], capacity: int) -> list[tuple[str, int]]:
    """Blocks in order within ``capacity`` minutes; the last one cut if still worth doing."""
    out: list[tuple[str, int]] = []
    for topic, minutes in blocks:
        take = min(minutes, capacity)
        if take >= MIN_PART_MINUTES or (take > 0 and take == minutes):
            out.append((topic, take))
            capacity -= take
        if capacity <= 0:
            break
    return out


def _merged(blocks: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """Blocks of the same topic as one, at the place of its first."""
    minutes: dict[str, int] = {}
    for topic, length in blocks:
        minutes[topic] = minutes.get(topic, 0) + length
    return list(minutes.items())


def make_plan(
    retention_at_week_start: Mapping[str, float],
    reviewed_this_week: Mapping[str, int],
    *,
    budget: int,
    goal: int,
    learnt_this_week: int,
    sessions_left: int,
) -> WeekPlan:
    """The week's plan: one block for each of the most-faded different topics first.

    ``retention_at_week_start`` holds every topic with material learnt before the week began;
    ``reviewed_this_week`` the review minutes logged this week per topic. Only when every
    started topic has a block does a topic get a second one (measured: leaving those minutes
    unused kept less than reviewing the few topics again in another session).
    """
    ranked = sorted(retention_at_week_start.items(), key=lambda item: (item[1], item[0]))
    count = math.ceil(budget / BLOCK_MINUTES) if ranked and budget > 0 else 0
    credit = dict(reviewed_this_week)
    blocks: list[Block] = []
    for index in range(count):
        topic, recall = ranked[index % len(ranked)]
        size = min(BLOCK_MINUTES, budget - index * BLOCK_MINUTES)
        done = min(size, credit.get(topic, 0))
        credit[topic] = credit.get(topic, 0) - done
        blocks.append(Block(topic, size, done, recall))
    used = sum(reviewed_this_week.values())
    reserved = max(budget if blocks else 0, used)
    return WeekPlan(
        budget=budget,
        used=used,
        blocks=tuple(blocks),
        sessions_left=max(1, sessions_left),
        new_minutes_left=max(0, goal - reserved - learnt_this_week),
    )


def sessions_left(expected_per_week: int, held_before_today: int, days_left: int) -> int:
    """Sessions still to come this week, today's included: at least one."""
    return max(1, min(days_left, expected_per_week - held_before_today))


def expected_sessions(active_days_per_week: Sequence[int]) -> int:
    """How many sessions a week this person holds: the median of recent active weeks, 1..7."""
    active = sorted(days for days in active_days_per_week if days > 0)
    if not active:
        return DEFAULT_SESSIONS_PER_WEEK
    return max(1, min(7, active[len(active) // 2]))


@dataclass(frozen=True)
class Outlook:
    """Everything the review commands show, from one pass over the study rows."""

    plan: WeekPlan
    memories: dict[str, TopicMemory]
    fit: PersonalFit


def outlook(
    rows: Iterable[StudyRow],
    *,
    week_start: int,
    budget: int,
    goal: int,
    sessions_left: int,
    start: Mapping[str, TopicMemory] | None = None,
) -> Outlook:
    """Fold the rows (by topic, then time), fit the person, and plan the week from its start.

    ``week_start`` is the local Monday 00:00 as UTC epoch seconds; rows from then on are the
    week's own sessions, counted against the plan. ``start`` holds topics already folded
    through an earlier time (no later than ``week_start``); their rows begin after it.
    """
    reviewed: Counter[str] = Counter()
    learnt = 0

    def tally(stream: Iterable[StudyRow]) -> Iterator[StudyRow]:
        nonlocal learnt
        week_end = week_start + WEEK_SECONDS
        for row in stream:
            if week_start <= row[1] < week_end:
                if row[4]:
                    reviewed[row[0]] += row[2]
                else:
                    learnt += row[2]
            yield row

    memories = fold_topics(tally(rows), snapshot_at=week_start, start=start)
    fit = personal_fit(memories.values(), since=week_start - FIT_WINDOW_SECONDS)
    at_start = {
        topic: retention_of(memory.earlier, week_start, fit.scale)
        for topic, memory in memories.items()
        if memory.earlier
    }
    plan = make_plan(
        at_start,
        reviewed,
        budget=budget,
        goal=goal,
        learnt_this_week=learnt,
        sessions_left=sessions_left,
    )
    return Outlook(plan, memories, fit)
