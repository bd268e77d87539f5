"""Time `microup lrs send` of 100,000 entries to a local LRS (Ralph, as `.ci/lrs` starts it).

    python benchmarks/lrs_send.py [--entries N] [--endpoint URL] [--user NAME:PASSWORD]

Without --endpoint it starts its own LRS with `.ci/lrs` in a temporary folder (Ralph is
installed there, or taken from $RALPH_VENV) and stops it at the end. A store is filled with N
entries (the same bulk insert as `bench.py`), then timed: the first send (every statement),
a second send (nothing new: the plan alone), and after 100 edits and 100 deletions (voiding).
Each run uses its own temporary HOME and store; the real home is never touched.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench import fill_store

ROOT = Path(__file__).resolve().parents[1]
MICROUP = str(Path(sys.executable).with_name("microup"))


def timed(env: dict[str, str], *args: str) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run([MICROUP, *args], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"microup {' '.join(args)} failed: {done.stderr.strip()}")
    return seconds, done.stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--endpoint")
    parser.add_argument("--user", default="learner40:pw-learner40")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mu-lrs-bench") as folder:
        work = Path(folder)
        endpoint = options.endpoint
        if endpoint is None:
            endpoint = subprocess.run(
                [str(ROOT / ".ci" / "lrs"), "start", str(work / "lrs")],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip()
        try:
            return run(work, endpoint, options)
        finally:
            if options.endpoint is None:
                subprocess.run([str(ROOT / ".ci" / "lrs"), "stop", str(work / "lrs")])


def run(work: Path, endpoint: str, options: argparse.Namespace) -> int:
    name, _, password = options.user.partition(":")
    store = work / "store.db"
    env = {
        **os.environ,
        "HOME": str(work),
        "XDG_DATA_HOME": str(work / "data"),
        "XDG_CONFIG_HOME": str(work / "config"),
        "XDG_STATE_HOME": str(work / "state"),
        "MICROUP_DB": str(store),
        "MICROUP_LRS_USERNAME": name,
        "MICROUP_LRS_PASSWORD": password,
        "NO_COLOR": "1",
    }
    timed(env, "config", "lrs-home", "https://learning.example.org")
    timed(env, "config", "lrs-endpoint", endpoint)
    fill_store(store, options.entries, 300, days=5 * 365, seed=21)
    dry, counts = timed(env, "lrs", "send", "--dry-run")
    print(f"dry run:            {dry:7.1f} s  {counts}")
    first, said = timed(env, "lrs", "send")
    print(f"first send:         {first:7.1f} s  {said}")
    print(f"  = {options.entries / first:,.0f} statements a second")
    again, said = timed(env, "lrs", "send")
    print(f"second send:        {again:7.1f} s  {said}")
    for entry_id in range(1, 101):
        timed(env, "edit", str(entry_id * 7), "--minutes", "59")
    for entry_id in range(1, 101):
        timed(env, "delete", str(entry_id * 7 + 1), "--yes")
    changed, said = timed(env, "lrs", "send")
    print(f"after 100 edits, 100 deletions: {changed:5.1f} s  {said}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
