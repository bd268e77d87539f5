"""Where the truth falls outside microup's 80% interval: the learning benchmark's diagnosis.

Every figure microup shows in the simulation is kept as a `Record`; a cell's summary says how
far the shown figure is from the truth and how often the truth lies below, inside or above
the interval, and `--diagnose` breaks that down by what microup can see without grades: how
many reviews the topic had and how long since its material was last studied. That says
whether a miss wants a shifted centre, a narrower interval, or a width that depends on them.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from typing import Any

Record = tuple[float, float, float, float, float, int]
"""(shown, low, high, truth, hours since the topic was last studied, its reviews so far)."""
REVIEW_BINS = ((0, "0"), (2, "1-2"), (5, "3-5"), (10, "6-10"), (math.inf, "11+"))
ELAPSED_BINS = ((24, "<1 d"), (72, "1-3 d"), (168, "3-7 d"), (336, "1-2 wk"), (math.inf, ">2 wk"))


def summary(records: Sequence[Record]) -> dict[str, Any]:
    """Error, bias, coverage, width and the shares of truths below and above the interval."""
    if not records:
        return dict.fromkeys(("count", "error", "bias", "coverage", "width", "below", "above"))
    return {
        "count": len(records),
        "error": statistics.fmean(abs(shown - truth) for shown, _, _, truth, *_ in records),
        "bias": statistics.fmean(shown - truth for shown, _, _, truth, *_ in records),
        "coverage": statistics.fmean(low <= truth <= high for _, low, high, truth, *_ in records),
        "width": statistics.fmean(high - low for _, low, high, *_ in records),
        "below": statistics.fmean(truth < low for _, low, _, truth, *_ in records),
        "above": statistics.fmean(truth > high for _, _, high, truth, *_ in records),
    }


def _binned(
    records: Iterable[Record], bins: Sequence[tuple[float, str]], index: int
) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[Record]] = {label: [] for _, label in bins}
    for record in records:
        label = next(label for limit, label in bins if record[index] <= limit)
        groups[label].append(record)
    return {label: summary(group) for label, group in groups.items() if group}


def breakdown(records: Sequence[Record]) -> dict[str, dict[str, dict[str, Any]]]:
    """`summary` by the topic's reviews so far and by the time since it was last studied."""
    return {
        "reviews": _binned(records, REVIEW_BINS, 5),
        "since last": _binned(records, ELAPSED_BINS, 4),
    }


def diagnose(results: dict[str, dict[str, Any]], cells: Iterable[tuple[str, str]]) -> None:
    """Print, per model x adherence and graded / ungraded, where the truth falls outside:
    coverage (below / above) and figures for each number of reviews and time since the last
    study."""
    print("\n### Where the truth falls: coverage (share below / above the interval) figures\n")
    for model, adherence in cells:
        for policy in ("microup", "microup ungraded"):
            cell = results[f"{model}|{adherence}|{policy}"]
            print(f"{model}, {adherence}, {'ungraded' if 'ungraded' in policy else 'graded'}:")
            for axis, groups in cell["breakdown"].items():
                parts = [
                    f"{label} {g['coverage']:.2f} ({g['below']:.2f}/{g['above']:.2f}) {g['count']}"
                    for label, g in groups.items()
                ]
                print(f"  by {axis}: " + "; ".join(parts))
