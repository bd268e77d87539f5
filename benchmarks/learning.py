"""The learning benchmark: does following microup keep what a learner learnt, at the same
minutes, and is the recall it shows (with its 80% interval) true?

A simulated learner plans 60 minutes a week in three 20-minute sessions (Mon, Wed, Fri around
midday), skips each session with the probability of one of the pilot's adherence groups
(0.1 "steady", 0.4 "some weeks", 0.7 "rarely"), and starts a new topic every two weeks, for
12 weeks (``--weeks``). Each review policy gets the same weekly review budget; what a session
does not spend on review goes to new material.

The "true" memory of each chunk of material (one learning session) follows a ground-truth
model that is *not* microup's, each passing the seed points (R(1 h) = 0.5, R(1 week) = 0.1):
ACT-R with spacing, two traces, a stretched exponential with a testing effect, and a
*durable* stretched exponential whose reviews last far longer (see `truth.py`).
Learners differ (`truth.person`) in what a review adds in their model (sigma 0.3) and in how
long their memory lasts (the sigma microup's prior on ``lasting`` claims); topics do not, as
microup assumes. The first spreads recall across people far less than microup's prior on
``growth`` does (`people.py`).
A review of a topic re-exposes all its chunks; a topic's recall is the minutes-weighted
recall of its chunks (as in microup). Reviews succeed with the true topic recall's
probability; a *graded* learner logs each review as good or again, an *ungraded* one logs it
without a grade.

Policies: none, round robin, SM-2, Leitner (5-minute blocks, at most two a session, all within
the weekly budget, told each outcome), and microup driven through its own planner
(`microup.core.plan.outlook`) from the log it would hold, graded and ungraded. Reported per
model x adherence: mean topic recall at the end, microup's shortfall against the best of the
three classic schedulers, the mean absolute error between the retention microup shows and the
truth at every session start, and how often the truth lies inside its 80% interval.

Usage: python benchmarks/learning.py [--learners N] [--weeks N] [--budget MIN] [--quick]
       [--jobs N] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from coverage import Record, breakdown, diagnose, summary
from goals import report
from truth import MODELS, Chunk, learnt, person

from microup.core.grades import Grade
from microup.core.plan import expected_sessions, outlook, sessions_left

HOUR = 3600
DAY = 24 * HOUR
WEEK = 7 * DAY
SESSION_MINUTES = 20
SESSION_DAYS = (0, 2, 4)
ADHERENCE = {"steady": 0.1, "some weeks": 0.4, "rarely": 0.7}
"""The pilot's adherence groups: the probability that a planned session is skipped."""
WEEKS_PER_TOPIC = 2
BLOCK = 5
BLOCKS_PER_SESSION = 2
GOAL = 60
MONDAY = 4 * DAY  # 1970-01-05 was a Monday: weeks start at multiples of WEEK from here


# --- Policies -----------------------------------------------------------------------------------


@dataclass
class World:
    """One learner's true memory and the log microup would hold."""

    model: str
    factor: float = 1.0
    lasting: float = 1.0
    graded: bool = True
    chunks: dict[int, list[tuple[Chunk, int]]] = field(default_factory=dict)
    log: list[tuple[int, int, int, int | None, bool]] = field(default_factory=list)

    def topics(self) -> list[int]:
        return sorted(self.chunks)

    def true_recall(self, topic: int, t: float) -> float:
        chunks = self.chunks[topic]
        total = sum(m for _, m in chunks)
        return sum(c.recall(t) * m for c, m in chunks) / total

    def learn(self, topic: int, at: int, minutes: int) -> None:
        chunk = learnt(self.model, at / HOUR, self.factor, self.lasting)
        self.chunks.setdefault(topic, []).append((chunk, minutes))
        self.log.append((topic, at, minutes, None, False))

    def review(self, topic: int, at: int, minutes: int, rng: random.Random) -> bool:
        recalled = rng.random() < self.true_recall(topic, at / HOUR)
        for chunk, _ in self.chunks[topic]:
            chunk.review(at / HOUR, minutes, recalled)
        grade = int(Grade.GOOD if recalled else Grade.AGAIN) if self.graded else None
        self.log.append((topic, at, minutes, grade, True))
        return recalled


class Policy(Protocol):
    """Chooses review blocks for a session."""

    def choose(self, world: World, at: int, budget_left: int) -> list[tuple[int, int]]:
        """(topic, minutes) blocks for the session starting at ``at``."""
        ...

    def reviewed(self, topic: int, at: int, recalled: bool) -> None:
        """Told the outcome of each review."""
        ...


class NoReview:
    def choose(self, world: World, at: int, budget_left: int) -> list[tuple[int, int]]:
        return []

    def reviewed(self, topic: int, at: int, recalled: bool) -> None:
        pass


def _blocks(topics: list[int], budget_left: int) -> list[tuple[int, int]]:
    count = min(BLOCKS_PER_SESSION, budget_left // BLOCK)
    return [(topic, BLOCK) for topic in topics[:count]]


class RoundRobin:
    def __init__(self) -> None:
        self.next = 0

    def choose(self, world: World, at: int, budget_left: int) -> list[tuple[int, int]]:
        topics = world.topics()
        if not topics:
            return []
        count = min(BLOCKS_PER_SESSION, len(topics))
        order = [topics[(self.next + i) % len(topics)] for i in range(count)]
        chosen = _blocks(order, budget_left)
        self.next = (self.next + len(chosen)) % len(topics)
        return chosen

    def reviewed(self, topic: int, at: int, recalled: bool) -> None:
        pass


class Sm2:
    """SM-2: intervals 1 d, 6 d, then x EF; a failure starts the topic over."""

    def __init__(self) -> None:
        self.state: dict[int, tuple[int, float, float, int]] = {}  # reps, EF, interval d, due

    def choose(self, world: World, at: int, budget_left: int) -> list[tuple[int, int]]:
        for topic in world.topics():
            if topic not in self.state:
                first = min(a for t, a, *_ in world.log if t == topic)
                self.state[topic] = (0, 2.5, 1.0, first + DAY)
        due = sorted((s[3], t) for t, s in self.state.items() if s[3] <= at)
        return _blocks([t for _, t in due], budget_left)

    def reviewed(self, topic: int, at: int, recalled: bool) -> None:
        reps, ef, interval, _ = self.state[topic]
        quality = 4 if recalled else 2
        ef = max(1.3, ef + 0.1 - (5 - quality) * (0.08 + (5 - quality) * 0.02))
        if not recalled:
            reps, interval = 0, 1.0
        else:
            reps += 1
            interval = 1.0 if reps == 1 else 6.0 if reps == 2 else interval * ef
        self.state[topic] = (reps, ef, interval, at + int(interval * DAY))


class Leitner:
    """Five boxes reviewed every 1, 2, 4, 8, 16 days; success moves up, failure to box 1."""

    INTERVALS = (1, 2, 4, 8, 16)

    def __init__(self) -> None:
        self.box: dict[int, tuple[int, int]] = {}

    def choose(self, world: World, at: int, budget_left: int) -> list[tuple[int, int]]:
        for topic in world.topics():
            if topic not in self.box:
                first = min(a for t, a, *_ in world.log if t == topic)
                self.box[topic] = (0, first + DAY)
        due = sorted((b, d, t) for t, (b, d) in self.box.items() if d <= at)
        return _blocks([t for _, _, t in due], budget_left)

    def reviewed(self, topic: int, at: int, recalled: bool) -> None:
        box = min(self.box[topic][0] + 1, 4) if recalled else 0
        self.box[topic] = (box, at + self.INTERVALS[box] * DAY)


class Microup:
    """microup's own planner, fed the log it would hold; also records shown-vs-true error."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.records: list[Record] = []

    def _outlook(self, world: World, at: int) -> Any:
        week_start = at - (at - MONDAY) % WEEK
        weeks = [
            len(
                {
                    a // DAY
                    for _, a, *_ in world.log
                    if week_start - k * WEEK <= a < week_start - (k - 1) * WEEK
                }
            )
            for k in range(1, 5)
        ]
        held = len({a // DAY for _, a, *_ in world.log if week_start <= a < at - at % DAY})
        left = sessions_left(expected_sessions(weeks), held, 7 - (at - week_start) // DAY)
        rows = sorted(
            ((str(t), a, m, g, r, None) for t, a, m, g, r in world.log),
            key=lambda row: (row[0], row[1]),
        )
        return outlook(
            rows, week_start=week_start, budget=self.budget, goal=GOAL, sessions_left=left
        )

    def choose(self, world: World, at: int, budget_left: int) -> list[tuple[int, int]]:
        if not world.log:
            return []
        view = self._outlook(world, at)
        for topic, memory in view.memories.items():
            shown, low, high = view.fit.retention(memory.materials, at)
            truth = world.true_recall(int(topic), at / HOUR)
            since = (at - memory.last_seen()) / HOUR
            self.records.append((shown, low, high, truth, since, memory.reviews))
        return [(int(topic), minutes) for topic, minutes in view.plan.this_session()]

    def reviewed(self, topic: int, at: int, recalled: bool) -> None:
        pass


POLICIES: dict[str, Callable[[int], Policy]] = {
    "none": lambda budget: NoReview(),
    "round robin": lambda budget: RoundRobin(),
    "SM-2": lambda budget: Sm2(),
    "Leitner": lambda budget: Leitner(),
    "microup": Microup,
    "microup ungraded": Microup,
}


# --- The simulation -------------------------------------------------------------------------


@dataclass
class Outcome:
    recall: float = 0.0
    known: float = 0.0
    records: list[Record] = field(default_factory=list)


def simulate(
    model: str,
    adherence: str,
    policy_name: str,
    budget: int,
    weeks: int,
    seed: int,
    who: tuple[float, float] | None = None,
    policy: Policy | None = None,
) -> Outcome:
    """One learner for ``weeks``; recall at the end, microup's shown-vs-true on the way.
    ``who`` and ``policy`` replace the seed's person and the named policy (`people.py`)."""
    schedule = random.Random(seed)  # the same learner, sessions and skips for every policy
    grades = random.Random(seed * 7919 + 1)
    factor, lasting = who or person(seed)
    world = World(model, factor, lasting, graded=policy_name != "microup ungraded")
    policy = policy or POLICIES[policy_name](budget)
    for week in range(weeks):
        used = 0
        for day in SESSION_DAYS:
            at = MONDAY + week * WEEK + day * DAY + 12 * HOUR + int(schedule.uniform(-3, 3) * HOUR)
            if schedule.random() < ADHERENCE[adherence]:
                continue
            minutes_left = SESSION_MINUTES
            for topic, minutes in policy.choose(world, at, budget - used):
                minutes = min(minutes, minutes_left, budget - used)
                if minutes <= 0:
                    break
                recalled = world.review(topic, at, minutes, grades)
                policy.reviewed(topic, at, recalled)
                used += minutes
                minutes_left -= minutes
                at += minutes * 60
            if minutes_left > 0:
                world.learn(week // WEEKS_PER_TOPIC, at, minutes_left)
    end = (MONDAY + weeks * WEEK) / HOUR
    outcome = Outcome()
    if world.chunks:
        outcome.recall = statistics.fmean(world.true_recall(t, end) for t in world.topics())
        outcome.known = sum(
            c.recall(end) * m for chunks in world.chunks.values() for c, m in chunks
        )
    if isinstance(policy, Microup):
        outcome.records = policy.records
    return outcome


def _cell(job: tuple[str, str, str, int, int, int]) -> tuple[tuple[str, str, str], dict[str, Any]]:
    """Every learner of one model x adherence x policy: pooled figures."""
    model, adherence, policy, budget, weeks, learners = job
    runs = [
        simulate(model, adherence, policy, budget, weeks, seed) for seed in range(1, learners + 1)
    ]
    records = [record for r in runs for record in r.records]
    return (model, adherence, policy), {
        "recall": statistics.fmean(r.recall for r in runs),
        "known": statistics.fmean(r.known for r in runs),
        **summary(records),
        "breakdown": breakdown(records),
    }


def run(learners: int, budget: int, weeks: int, jobs: int) -> dict[str, dict[str, Any]]:
    """Every cell, spread over ``jobs`` processes."""
    cells = [
        (model, adherence, policy, budget, weeks, learners)
        for model in MODELS
        for adherence in ADHERENCE
        for policy in POLICIES
    ]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        done = dict(pool.map(_cell, cells))
    return {"|".join(key): value for key, value in done.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=16)
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--budget", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="6 learners: a first look")
    parser.add_argument("--json", metavar="FILE")
    parser.add_argument(
        "--diagnose", action="store_true", help="where the truth falls outside the interval"
    )
    args = parser.parse_args()
    learners = 6 if args.quick else args.learners
    results = run(learners, args.budget, args.weeks, args.jobs)
    ok = report(results, ADHERENCE, args.budget, args.weeks)
    if args.diagnose:
        diagnose(results, [(model, adherence) for model in MODELS for adherence in ADHERENCE])
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
