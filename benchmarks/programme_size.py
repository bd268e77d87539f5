"""Does the largest outline `programme add` accepts slow every later command? (issue 18)

500 modules of 12 minutes (6,000 min, the limits) at a 15-minute goal (sessions of 5
minutes): 1,500 parts, the most an outline can make at that goal. `week`, `log` and `review`
are timed on that store and on one without a programme, interleaved, medians of RUNS each.
Every process gets its own temporary HOME and store. Run: python benchmarks/programme_size.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 7
COMMANDS = (("week",), ("log", "1", "-t", "SQL"), ("review",))


def microup(env: dict[str, str], *args: str) -> float:
    """Seconds one `microup` process took (it must succeed)."""
    began = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "microup", *args], env=env, check=True, capture_output=True
    )
    return time.perf_counter() - began


def store(folder: Path, name: str, outline: Path | None) -> dict[str, str]:
    home = folder / name
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "data")}
    env["XDG_CONFIG_HOME"] = str(home / "config")
    env["MICROUP_DB"] = str(home / "microup.db")
    microup(env, "goal", "15")
    if outline is not None:
        print(f"programme add: {microup(env, 'programme', 'add', str(outline)):.2f} s")
    return env


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        outline = folder / "outline.md"
        outline.write_text(
            "# Big\n## SQL\n" + "".join(f"- M{i} (12m)\n" for i in range(500)), encoding="utf-8"
        )
        big, empty = store(folder, "big", outline), store(folder, "empty", None)
        for command in COMMANDS:
            times: dict[str, list[float]] = {"big": [], "empty": []}
            for _ in range(RUNS):
                times["big"].append(microup(big, *command))
                times["empty"].append(microup(empty, *command))
            medians = {name: statistics.median(values) for name, values in times.items()}
            print(
                f"{' '.join(command):14} 1,500 parts {medians['big']:.2f} s, "
                f"none {medians['empty']:.2f} s ({medians['big'] / medians['empty']:.2f}x)"
            )


if __name__ == "__main__":
    main()
