"""The learning benchmark's table and its goals: per memory model x adherence, the best
classic scheduler's recall, microup's (graded / ungraded), its shortfall, the shown-vs-true
error and the interval's coverage, and which of the issue's goals each cell misses."""

from __future__ import annotations

import statistics
from collections.abc import Collection
from typing import Any

from truth import MODELS

CLASSIC = ("round robin", "SM-2", "Leitner")
GOALS: dict[str, Any] = {
    "shortfall": 0.03,
    "error graded": 0.10,
    "error rarely": 0.12,
    "coverage": (0.70, 0.90),
}


def _row(results: dict[str, dict[str, Any]], model: str, adherence: str) -> tuple[str, list[str]]:
    """One table row and the goals it misses."""

    def cell(policy: str) -> dict[str, Any]:
        return results[f"{model}|{adherence}|{policy}"]

    best = max(cell(p)["recall"] for p in CLASSIC)
    graded, ungraded = cell("microup"), cell("microup ungraded")
    missed = []
    for label, mine in (("graded", graded), ("ungraded", ungraded)):
        if best - mine["recall"] > GOALS["shortfall"]:
            missed.append(f"shortfall {label} {best - mine['recall']:.3f}")
    limit = GOALS["error rarely"] if adherence == "rarely" else GOALS["error graded"]
    if graded["error"] > limit:
        missed.append(f"error graded {graded['error']:.3f}")
    low, high = GOALS["coverage"]
    if not low <= ungraded["coverage"] <= high:
        missed.append(f"coverage ungraded {ungraded['coverage']:.2f}")
    row = (
        f"| {model} | {adherence} | {best:.2f} | {graded['recall']:.2f} / {ungraded['recall']:.2f} "
        f"| {best - graded['recall']:+.3f} / {best - ungraded['recall']:+.3f} "
        f"| {graded['error']:.3f} / {ungraded['error']:.3f} "
        f"| {graded['coverage']:.2f} / {ungraded['coverage']:.2f} "
        f"| {ungraded['below']:.2f} / {ungraded['above']:.2f} "
        f"| {graded['width']:.2f} / {ungraded['width']:.2f} |"
    )
    return row, missed


def report(
    results: dict[str, dict[str, Any]], adherences: Collection[str], budget: int, weeks: int
) -> bool:
    """Print the table (graded / ungraded in each cell); True when every goal is met."""
    print(f"\n### {weeks} weeks, review budget {budget} min a week (microup: graded / ungraded)\n")
    print(
        "| model | adherence | best classic | microup recall | shortfall | shown-vs-true error "
        "| 80% interval coverage | ungraded truth below / above | interval width |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    misses = []
    for model in MODELS:
        for adherence in adherences:
            row, missed = _row(results, model, adherence)
            print(row)
            misses += [f"{model}, {adherence}: {m}" for m in missed]
    for label, policy in (("graded", "microup"), ("ungraded", "microup ungraded")):
        pooled = statistics.fmean(
            results[f"{m}|{a}|{policy}"]["coverage"] for m in MODELS for a in adherences
        )
        print(f"\nInterval coverage over every model and adherence, {label}: {pooled:.2f}")
    for miss in misses:
        print(f"GOAL MISSED: {miss}")
    return not misses
