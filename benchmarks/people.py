"""What fills the interval an ungraded learner is shown: the spread of people, or the models?

Without grades microup's log does not depend on who the learner is (the planner sees only the
log), so on one schedule every person is shown the same figures and intervals while the truth
differs by person and by memory model. Per model and adherence, over the figures shown to
ungraded learners, this prints the interval's mean width; the 10-90% range of the truth over
people drawn from the simulated population (`truth.person`); the 10-90% range of the figure
itself over people drawn from microup's own prior on (lasting, growth), the spread of people
the interval claims; how far the median person's truth lies from the figure shown; and how
often the interval holds the truth of the people drawn.

Usage: python benchmarks/people.py [--people N] [--learners N] [--weeks N]
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
from typing import Any

from learning import ADHERENCE, Microup, World, simulate
from truth import LASTING_SPREAD, LEARNER_SPREAD, MODELS

from microup.core.memory.fit import GROWTH_PRIOR_SIGMA, LASTING_PRIOR_SIGMA
from microup.core.memory.topic import Scale, retention_of

BUDGET = 20


def _range(values: list[float]) -> float:
    """The 10-90% range."""
    values = sorted(values)
    return values[len(values) * 9 // 10] - values[len(values) // 10]


class Prior(Microup):
    """microup's ungraded planner that also records, for each figure shown, its 10-90% range
    over people drawn from the fit's prior."""

    def __init__(self, people: list[Scale]) -> None:
        super().__init__(BUDGET)
        self.people = people
        self.ranges: list[float] = []

    def choose(self, world: World, at: int, budget_left: int) -> list[tuple[int, int]]:
        if world.log:
            for memory in self._outlook(world, at).memories.values():
                figures = [retention_of(memory.materials, at, s) for s in self.people]
                self.ranges.append(_range(figures))
        return super().choose(world, at, budget_left)


def _cell(model: str, adherence: str, learners: int, people: int, weeks: int) -> dict[str, Any]:
    """Figures shown to ungraded learners of ``model`` against the truth of many people."""
    rng = random.Random(42)
    drawn = [
        (math.exp(rng.gauss(0, LEARNER_SPREAD)), math.exp(rng.gauss(0, LASTING_SPREAD)))
        for _ in range(people)
    ]
    prior = [
        Scale(
            math.exp(rng.gauss(0, LASTING_PRIOR_SIGMA)), math.exp(rng.gauss(0, GROWTH_PRIOR_SIGMA))
        )
        for _ in range(people)
    ]
    spread, prior_spread, offset, width, inside = [], [], [], [], []
    for seed in range(1, learners + 1):
        probe = Prior(prior)
        run = (model, adherence, "microup ungraded", BUDGET, weeks, seed)
        median = simulate(*run, (1.0, 1.0), probe).records
        others = [simulate(*run, who).records for who in drawn]
        prior_spread += probe.ranges
        for i, (shown, low, high, truth, *_) in enumerate(median):
            truths = [records[i][3] for records in others]
            spread.append(_range(truths))
            offset.append(truth - shown)
            width.append(high - low)
            inside.append(statistics.fmean(low <= t <= high for t in truths))
    return {
        "width": statistics.fmean(width),
        "people": statistics.fmean(spread),
        "prior": statistics.fmean(prior_spread),
        "offset": statistics.fmean(offset),
        "coverage": statistics.fmean(inside),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=20)
    parser.add_argument("--learners", type=int, default=4, help="schedules (seeds)")
    parser.add_argument("--weeks", type=int, default=12)
    args = parser.parse_args()
    print(
        "| model | adherence | interval width | people 10-90% (simulated) "
        "| people 10-90% (microup's prior) | median person's truth - shown | coverage |"
    )
    print("|---|---|---|---|---|---|---|")
    for model in MODELS:
        for adherence in ADHERENCE:
            c = _cell(model, adherence, args.learners, args.people, args.weeks)
            print(
                f"| {model} | {adherence} | {c['width']:.2f} | {c['people']:.2f} "
                f"| {c['prior']:.2f} | {c['offset']:+.2f} | {c['coverage']:.2f} |"
            )


if __name__ == "__main__":
    main()
