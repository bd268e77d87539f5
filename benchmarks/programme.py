"""Does the projected finish tell the truth? (issue 18)

A 12-module programme (40 min a module, 480 min: twelve weeks at the 40 new minutes a week
that a 60-minute goal leaves beside a 20-minute review budget), followed three sessions a
week, each skipped with the probability of the seeds' adherence bands (the UK pilot: 35% of
learners "most weeks", 39% "some weeks", 26% "rarely"): 0.1, 0.4, 0.7. At weeks 2, 6 and 10
the projection `programme` shows (minutes left over the pace of the last four weeks) is set
against the week the programme actually finished. Run: python benchmarks/programme.py
"""

from __future__ import annotations

import random
import statistics
from dataclasses import replace
from datetime import date, timedelta

from microup.core.programme import Part, Programme, credit, project

START = date(2027, 1, 4)  # a Monday
SESSIONS = 3
NEW_PER_WEEK = 40
MODULES = 12
CHECKS = (2, 6, 10)
RUNS = 500
BANDS = {"most weeks": 0.1, "some weeks": 0.4, "rarely": 0.7}


def programme() -> Programme:
    parts = []
    for number in range(MODULES):
        for part in (1, 2):
            parts.append(Part(len(parts), "T", f"Module {number + 1}", part, 2, 20))
    return Programme(1, "Twelve modules", START, START + timedelta(weeks=12), 1, tuple(parts))


def follow(skip: float, rng: random.Random) -> tuple[dict[int, float | None], float]:
    """One learner: projected finish (weeks from start) at each check, and the actual one."""
    current = programme()
    log: list[tuple[int, int]] = []  # (day, minutes)
    projected: dict[int, float | None] = {}
    day = 0
    while current.finished_at is None and day < 7 * 200:
        week, weekday = divmod(day, 7)
        if weekday == 6 and week + 1 in CHECKS:
            today = START + timedelta(days=day + 1)
            recent = sum(m for d, m in log if d >= day + 1 - 28)
            end = project(current, recent, today).projected_end
            projected[week + 1] = None if end is None else (end - START).days / 7
        if weekday in (0, 2, 4) and rng.random() >= skip:
            minutes = NEW_PER_WEEK // SESSIONS + (1 if weekday == 0 else 0)
            todo = [p for p in current.parts if not p.done]
            changed = {p.seq: p for p in credit(todo, minutes, day + 1)}
            current = replace(current, parts=tuple(changed.get(p.seq, p) for p in current.parts))
            log.append((day, minutes))
        day += 1
    finished = (day) / 7
    return projected, finished


def main() -> None:
    print(f"{MODULES} modules, 480 min, {SESSIONS} sessions a week of 13-14 new min; {RUNS} runs")
    print(
        "band        skip  actual finish (weeks: median, p10-p90)   projected at week 2 / 6 / 10 "
        "(median), median |error| in weeks, share with no projection"
    )
    for band, skip in BANDS.items():
        rng = random.Random(18)
        runs = [follow(skip, rng) for _ in range(RUNS)]
        actual = [finish for _, finish in runs]
        deciles = statistics.quantiles(actual, n=10)
        cells = []
        for check in CHECKS:
            pairs = [(p[check], f) for p, f in runs if check in p]
            shown = [p for p, _ in pairs if p is not None]
            errors = [abs(p - f) for p, f in pairs if p is not None]
            missing = 1 - len(shown) / max(1, len(pairs))
            cells.append(
                f"wk{check}: {statistics.median(shown):5.1f} "
                f"(err {statistics.median(errors):4.1f}, none {missing:4.0%})"
                if shown
                else f"wk{check}: -"
            )
        print(
            f"{band:<11} {skip:.1f}  {statistics.median(actual):5.1f} "
            f"({deciles[0]:.1f}-{deciles[-1]:.1f})   " + " | ".join(cells)
        )


if __name__ == "__main__":
    main()
