"""Whole-process wall-clock benchmarks for the `microup` command.

Each pair runs a command and a baseline interleaved (A, B, A, B, ...) after warm-ups, and
compares their medians against a goal ratio. Every process gets its own temporary HOME and
XDG folders and a MICROUP_DB in a temporary folder: the real home directory is never touched.

Usage: python benchmarks/bench.py [--runs N] [--only log --only help] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

WARMUPS = 2
IMPORT_RUNS = 3
IMPORT_GOAL_SECONDS = 30.0
SEED = 20261123
BIG_ENTRIES = 100_000
HUGE_ENTRIES = 1_000_000
EXPORT_1M_GOAL_SECONDS = 6.0
IMPORT_1M_GOAL_SECONDS = 15.0
IMPORT_1M_GOAL_MIB = 200
BIG_TOPICS = 300
SMALL_ENTRIES = 100
SMALL_TOPICS = 5
DAY = 86_400
ENTRY_COLUMNS = ("id", "at", "utc_offset", "minutes", "topic_id", "note", "recall")
TOPIC_COLUMNS = ("id", "name", "key")


class BenchError(Exception):
    """A problem that stops the benchmark, reported as one clear message."""


@dataclass
class Command:
    """One process to time: argv, its environment, and an untimed step run before each start."""

    label: str
    argv: list[str]
    env: dict[str, str]
    before_each: Callable[[], None] | None = None

    def shell(self) -> str:
        """The command line, for messages."""
        return " ".join(self.argv)


@dataclass
class Result:
    """The outcome of one pair (or a note saying why it was skipped)."""

    name: str
    command: str
    baseline: str
    goal: str
    command_times: list[float] = field(default_factory=list)
    baseline_times: list[float] = field(default_factory=list)
    ok: bool | None = None
    ratio: float | None = None
    note: str = ""

    @property
    def command_median(self) -> float | None:
        """Median seconds of the command, if it ran."""
        return statistics.median(self.command_times) if self.command_times else None

    @property
    def baseline_median(self) -> float | None:
        """Median seconds of the baseline, if it ran."""
        return statistics.median(self.baseline_times) if self.baseline_times else None


class Bench:
    """Holds the executables, the scratch folder and the stores prepared for this run."""

    def __init__(self, microup: Path, python: Path, scratch: Path, runs: int) -> None:
        self.microup = microup
        self.python = python
        self.scratch = scratch
        self.runs = runs
        self.watson: Path | None = None
        self._counter = 0
        self._stores: dict[str, Path] = {}

    # -- environment and processes ---------------------------------------------------------

    def fresh_dir(self, prefix: str) -> Path:
        """A new empty folder under the scratch folder."""
        self._counter += 1
        path = self.scratch / f"{prefix}-{self._counter}"
        path.mkdir(parents=True)
        return path

    def env_for(self, db: Path) -> dict[str, str]:
        """An environment with its own HOME and XDG folders and MICROUP_DB set to `db`."""
        home = self.fresh_dir("home")
        env = dict(os.environ)
        for name in ("MICROUP_DB", "PYTHONSTARTUP"):
            env.pop(name, None)
        env["HOME"] = str(home)
        for var, sub in (
            ("XDG_DATA_HOME", ".local/share"),
            ("XDG_CONFIG_HOME", ".config"),
            ("XDG_CACHE_HOME", ".cache"),
            ("XDG_STATE_HOME", ".local/state"),
            ("XDG_RUNTIME_DIR", "run"),
        ):
            folder = home / sub
            folder.mkdir(parents=True, exist_ok=True)
            env[var] = str(folder)
        env["MICROUP_DB"] = str(db)
        return env

    def microup_cmd(self, label: str, args: Sequence[str], db: Path) -> Command:
        """`microup ARGS` with MICROUP_DB pointing at `db`."""
        return Command(label, [str(self.microup), *args], self.env_for(db))

    def python_cmd(self, label: str, code: str) -> Command:
        """`python -c CODE` with the same python microup runs on."""
        db = self.fresh_dir("unused") / "microup.db"
        return Command(label, [str(self.python), "-c", code], self.env_for(db))

    def run_captured(self, command: Command) -> subprocess.CompletedProcess[str]:
        """Run once, untimed, keeping the output; abort the benchmark if it fails."""
        if command.before_each is not None:
            command.before_each()
        done = subprocess.run(
            command.argv,
            env=command.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise BenchError(
                f"command failed (exit {done.returncode}): {command.shell()}\n"
                f"stderr:\n{done.stderr.strip() or '(empty)'}"
            )
        return done

    def time_once(self, command: Command) -> float:
        """Wall-clock seconds of one run, output discarded; a failure aborts the benchmark."""
        if command.before_each is not None:
            command.before_each()
        start = time.perf_counter()
        done = subprocess.run(
            command.argv,
            env=command.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            self.run_captured(command)  # run again to show stderr; raises if it fails again
            raise BenchError(
                f"command failed (exit {done.returncode}) while timed, but passed when run "
                f"again: {command.shell()}"
            )
        return elapsed

    def supports(self, subcommand: str) -> bool:
        """Whether the installed microup has SUBCOMMAND (its --help exits 0)."""
        env = self.env_for(self.fresh_dir("probe") / "microup.db")
        done = subprocess.run(
            [str(self.microup), subcommand, "--help"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        return done.returncode == 0

    def compare(self, a: Command, b: Command) -> tuple[list[float], list[float]]:
        """Warm up each, then time A and B interleaved `runs` times each."""
        for _ in range(WARMUPS):
            self.run_captured(a)
            self.run_captured(b)
        times_a: list[float] = []
        times_b: list[float] = []
        for _ in range(self.runs):
            times_a.append(self.time_once(a))
            times_b.append(self.time_once(b))
        return times_a, times_b

    # -- stores ----------------------------------------------------------------------------

    def store(self, kind: str) -> Path:
        """The prepared store of KIND ("big", "small" or "empty"), built once per run."""
        if kind not in self._stores:
            path = self.fresh_dir(f"store-{kind}") / "microup.db"
            self.create_schema(path)
            if kind == "huge":
                fill_store(path, HUGE_ENTRIES, BIG_TOPICS, days=5 * 365, seed=SEED)
            elif kind == "big":
                fill_store(path, BIG_ENTRIES, BIG_TOPICS, days=5 * 365, seed=SEED)
            elif kind == "small":
                fill_store(path, SMALL_ENTRIES, SMALL_TOPICS, days=91, seed=SEED + 1)
            self._stores[kind] = path
        return self._stores[kind]

    def copy_of(self, kind: str) -> Path:
        """A private copy of a prepared store, for commands that write."""
        target = self.fresh_dir(f"copy-{kind}") / "microup.db"
        source = sqlite3.connect(self.store(kind))
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # consistent even if a -wal file is still around
        finally:
            copy.close()
            source.close()
        return target

    def create_schema(self, path: Path) -> None:
        """Let microup create its schema with one writing command (reads never create one)."""
        command = Command(
            "schema",
            [str(self.microup), "--db", str(path), "config", "review-budget", "20"],
            self.env_for(path),
        )
        self.run_captured(command)
        if not path.exists():
            raise BenchError(f"'{command.shell()}' did not create {path}")


def check_schema(connection: sqlite3.Connection) -> None:
    """Fail clearly if the tables no longer match what the bulk insert writes."""
    for table, expected in (("topic", TOPIC_COLUMNS), ("entry", ENTRY_COLUMNS)):
        # PRAGMA table_info rows: (cid, name, type, notnull, dflt_value, pk)
        info = connection.execute(f"PRAGMA table_info({table})").fetchall()
        if not info:
            raise BenchError(f"the store has no '{table}' table: the schema has changed")
        names = {row[1] for row in info}
        missing = [name for name in expected if name not in names]
        if missing:
            raise BenchError(
                f"table '{table}' lacks column(s) {', '.join(missing)}: the schema has "
                "changed; update benchmarks/bench.py (fill_store)"
            )
        extra = [
            row[1]
            for row in info
            if row[1] not in expected and row[3] and row[4] is None and not row[5]
        ]
        if extra:
            raise BenchError(
                f"table '{table}' has new NOT NULL column(s) without a default: "
                f"{', '.join(extra)}; the schema has changed; update benchmarks/bench.py "
                "(fill_store)"
            )


def fill_store(path: Path, entries: int, topics: int, *, days: int, seed: int) -> None:
    """Bulk-insert topics and entries spread over the last DAYS days, in one transaction."""
    rng = random.Random(seed)
    now = int(time.time())
    span = days * DAY
    topic_rows = [(i, f"Topic {i}", f"Topic {i}".casefold()) for i in range(1, topics + 1)]
    entry_rows = []
    for _ in range(entries):
        note = f"note {rng.randrange(1_000_000)}" if rng.random() < 0.1 else None
        recall = rng.choice((None, 1, 2, 3, 4))
        entry_rows.append(
            (
                now - rng.randrange(60, span),
                rng.choice((0, 60)),
                rng.randint(5, 60),
                rng.randint(1, topics),
                note,
                recall,
            )
        )
    entry_rows.sort(key=lambda row: row[0])  # ids in time order, as logging would give
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        check_schema(connection)
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany("INSERT INTO topic (id, name, key) VALUES (?, ?, ?)", topic_rows)
        connection.executemany(
            "INSERT INTO entry (at, utc_offset, minutes, topic_id, note, recall) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            entry_rows,
        )
        connection.execute("COMMIT")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()


# -- pairs ---------------------------------------------------------------------------------


def ratio_result(
    bench: Bench, name: str, goal: float, command: Command, baseline: Command
) -> Result:
    """Time a command against its baseline and judge median(command)/median(baseline)."""
    result = Result(name, command.label, baseline.label, f"<= {goal:g}x")
    result.command_times, result.baseline_times = bench.compare(command, baseline)
    assert result.command_median is not None and result.baseline_median is not None
    result.ratio = result.command_median / result.baseline_median
    result.ok = result.ratio <= goal
    return result


def pair_log(bench: Bench) -> Result:
    """`microup log 20` on an existing store vs importing what it cannot avoid."""
    command = bench.microup_cmd("microup log 20", ["log", "20"], bench.copy_of("small"))
    baseline = bench.python_cmd(
        "python -c 'import sqlmodel, typer, platformdirs'", "import sqlmodel, typer, platformdirs"
    )
    return ratio_result(bench, "log", 0.75, command, baseline)


def pair_bare(bench: Bench) -> Result:
    """`microup log 20` vs the bare interpreter: the figure a person feels, for reference."""
    command = bench.microup_cmd("microup log 20", ["log", "20"], bench.copy_of("small"))
    baseline = bench.python_cmd("python -c pass", "pass")
    result = ratio_result(bench, "log-vs-python", 1.0, command, baseline)
    result.goal, result.ok, result.note = "reference", True, "no goal: what the libraries cost"
    return result


def pair_watson(bench: Bench) -> Result:
    """`microup log 20` vs Watson's `add` of one 20-minute frame, the nearest peer: reference.

    Watson is taken from `--watson` or PATH (`pip install td-watson` in a venv of its own);
    it keeps its frames in a fresh WATSON_DIR for every run of the benchmark.
    """
    if bench.watson is None:
        return Result("log-vs-watson", "-", "-", "-", note="no watson (use --watson PATH)")
    command = bench.microup_cmd("microup log 20", ["log", "20"], bench.copy_of("small"))
    env = bench.env_for(bench.fresh_dir("unused") / "microup.db")
    env["WATSON_DIR"] = str(bench.fresh_dir("watson"))
    today = time.strftime("%Y-%m-%d")
    peer = Command(
        "watson add (20 min)",
        [str(bench.watson), "add", "-f", f"{today} 00:00", "-t", f"{today} 00:20", "learning"],
        env,
    )
    result = ratio_result(bench, "log-vs-watson", 1.0, command, peer)
    result.goal, result.ok, result.note = "reference", True, "no goal: the nearest peer"
    return result


def million_pair(subcommand: str, goal: float) -> Callable[[Bench], Result]:
    """A pair running SUBCOMMAND on the 1,000,000-entry store vs the 100,000-entry one."""

    def run(bench: Bench) -> Result:
        args = subcommand.split()
        huge = bench.microup_cmd(f"microup {subcommand} (1M)", args, bench.store("huge"))
        big = bench.microup_cmd(f"microup {subcommand} (100k)", args, bench.store("big"))
        if args[0] == "log":  # a write: each run on a copy, so the stores stay as built
            huge = bench.microup_cmd(f"microup {subcommand} (1M)", args, bench.copy_of("huge"))
            big = bench.microup_cmd(f"microup {subcommand} (100k)", args, bench.copy_of("big"))
        return ratio_result(bench, f"{args[0]}-1m", goal, huge, big)

    run.__doc__ = f"`microup {subcommand}` with 1,000,000 entries vs 100,000."
    return run


def peak_mib_and_seconds(bench: Bench, command: Command) -> tuple[float, float]:
    """Run a command once under a small wrapper that reports its peak memory (max RSS)."""
    wrapper = (
        "import resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True)\n"
        "elapsed = time.perf_counter() - start\n"
        "sys.exit(done.stderr.decode()) if done.returncode else None\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, elapsed)\n"
    )
    if command.before_each is not None:
        command.before_each()
    done = subprocess.run(
        [str(bench.python), "-c", wrapper, *command.argv],
        env=command.env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise BenchError(f"'{command.shell()}' failed: {done.stderr.strip()}")
    mib, seconds = done.stdout.split()
    return float(mib), float(seconds)


def pair_million_transfer(bench: Bench) -> Result:
    """Export 1,000,000 entries, then import them into an empty store: time and peak memory."""
    export_file = bench.fresh_dir("export-1m") / "export.json"
    export = bench.microup_cmd(
        "microup export (1M)", ["export", "--output", str(export_file)], bench.store("huge")
    )
    export_mib, export_seconds = peak_mib_and_seconds(bench, export)
    target = bench.fresh_dir("import-1m") / "microup.db"
    command = bench.microup_cmd("microup import FILE (1M)", ["import", str(export_file)], target)
    import_mib, import_seconds = peak_mib_and_seconds(bench, command)
    result = Result(
        "transfer-1m",
        command.label,
        export.label,
        f"import < {IMPORT_1M_GOAL_SECONDS:g} s and {IMPORT_1M_GOAL_MIB} MiB; "
        f"export < {EXPORT_1M_GOAL_SECONDS:g} s",
        [import_seconds],
        [export_seconds],
    )
    result.ok = (
        import_seconds < IMPORT_1M_GOAL_SECONDS
        and import_mib < IMPORT_1M_GOAL_MIB
        and export_seconds < EXPORT_1M_GOAL_SECONDS
    )
    result.note = f"peak memory: import {import_mib:.0f} MiB, export {export_mib:.0f} MiB"
    return result


def pair_help(bench: Bench) -> Result:
    """`microup --help` vs importing Typer alone."""
    command = bench.microup_cmd("microup --help", ["--help"], bench.fresh_dir("db") / "m.db")
    baseline = bench.python_cmd("python -c 'import typer'", "import typer")
    return ratio_result(bench, "help", 1.2, command, baseline)


def pair_completion(bench: Bench) -> Result:
    """Completing `microup lo<TAB>` through Typer's completion variables (zsh's form, which
    asks for each command's short help too) vs importing Typer alone."""
    command = bench.microup_cmd("microup lo<TAB> (zsh)", [], bench.fresh_dir("db") / "m.db")
    command.env["_MICROUP_COMPLETE"] = "complete_zsh"
    command.env["_TYPER_COMPLETE_ARGS"] = "microup lo"
    done = bench.run_captured(command)
    if '"log"' not in done.stdout:
        raise BenchError(f"completing 'microup lo' did not offer log: {done.stdout.strip()!r}")
    baseline = bench.python_cmd("python -c 'import typer'", "import typer")
    return ratio_result(bench, "completion", 1.2, command, baseline)


def _with_hints(bench: Bench, label: str, args: Sequence[str]) -> Command:
    """`microup ARGS` on the small store whose hints file a first `log` wrote (untimed)."""
    command = bench.microup_cmd(label, args, bench.copy_of("small"))
    first = Command("log", [str(bench.microup), "log", "5", "-t", "SQL"], command.env)
    bench.run_captured(first)
    return command


def pair_value_completion(bench: Bench) -> Result:
    """Completing a topic (`microup log 5 -t S<TAB>`, zsh) from the store's hints file vs
    importing Typer alone: no database library is loaded."""
    command = _with_hints(bench, "microup log 5 -t S<TAB> (zsh)", [])
    command.env["_MICROUP_COMPLETE"] = "complete_zsh"
    command.env["_TYPER_COMPLETE_ARGS"] = "microup log 5 -t S"
    done = bench.run_captured(command)
    if '"SQL"' not in done.stdout:
        raise BenchError(f"completing a topic did not offer SQL: {done.stdout.strip()!r}")
    baseline = bench.python_cmd("python -c 'import typer'", "import typer")
    return ratio_result(bench, "value-completion", 2.0, command, baseline)


def pair_status_short(bench: Bench) -> Result:
    """`microup status --short` (one line for a prompt, from the hints file) vs importing
    Typer alone."""
    command = _with_hints(bench, "microup status --short", ["status", "--short"])
    done = bench.run_captured(command)
    if "min this week" not in done.stdout:
        raise BenchError(f"status --short said {done.stdout.strip()!r}")
    baseline = bench.python_cmd("python -c 'import typer'", "import typer")
    return ratio_result(bench, "status-short", 2.0, command, baseline)


def scale_pair(subcommand: str, goal: float) -> Callable[[Bench], Result]:
    """A pair running SUBCOMMAND on the 100,000-entry store vs the 100-entry store."""

    def run(bench: Bench) -> Result:
        big = bench.microup_cmd(f"microup {subcommand} (100k)", [subcommand], bench.store("big"))
        small = bench.microup_cmd(f"microup {subcommand} (100)", [subcommand], bench.store("small"))
        return ratio_result(bench, f"{subcommand}-scale", goal, big, small)

    run.__doc__ = f"`microup {subcommand}` with 100,000 entries vs 100."
    return run


def pair_import(bench: Bench) -> Result:
    """Import a 100,000-entry export into an empty store; export timed for reference."""
    export_file = bench.fresh_dir("export") / "export.json"
    export = bench.microup_cmd(
        "microup export --format json (100k)",
        ["export", "--format", "json", "--output", str(export_file)],
        bench.store("big"),
    )

    def clear_export() -> None:
        export_file.unlink(missing_ok=True)

    export.before_each = clear_export
    bench.run_captured(export)
    if not export_file.exists() or export_file.stat().st_size == 0:
        raise BenchError(f"'{export.shell()}' wrote no export file")

    target = bench.fresh_dir("import") / "microup.db"
    command = bench.microup_cmd("microup import FILE (100k)", ["import", str(export_file)], target)

    def fresh_store() -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)

    command.before_each = fresh_store
    result = Result("import-100k", command.label, export.label, f"< {IMPORT_GOAL_SECONDS:g} s")
    for _ in range(IMPORT_RUNS):
        result.command_times.append(bench.time_once(command))
        result.baseline_times.append(bench.time_once(export))
    assert result.command_median is not None
    result.ok = result.command_median < IMPORT_GOAL_SECONDS
    result.note = (
        f"absolute goal, {IMPORT_RUNS} runs, fresh store each; baseline column is export time"
    )
    return result


@dataclass(frozen=True)
class Pair:
    """A named benchmark, the subcommands it needs, and how to run it."""

    name: str
    needs: tuple[str, ...]
    run: Callable[[Bench], Result]


PAIRS: tuple[Pair, ...] = (
    Pair("log-vs-python", ("log",), pair_bare),
    Pair("log-vs-watson", ("log",), pair_watson),
    Pair("log", ("log",), pair_log),
    Pair("help", (), pair_help),
    Pair("completion", ("log",), pair_completion),
    Pair("value-completion", ("log",), pair_value_completion),
    Pair("status-short", ("status",), pair_status_short),
    Pair("review-scale", ("review",), scale_pair("review", 2.0)),
    Pair("week-scale", ("week",), scale_pair("week", 1.5)),
    Pair("stats-scale", ("stats",), scale_pair("stats", 2.0)),
    Pair("import-100k", ("import", "export"), pair_import),
    *(
        Pair(f"{command.split()[0]}-1m", (command.split()[0],), million_pair(command, goal))
        for command, goal in (
            ("log 20", 1.1),
            ("week", 1.1),
            ("entries", 1.1),
            ("topics", 1.3),
            ("stats", 1.3),
            ("review", 1.3),
            ("plan", 1.3),
            ("remind", 1.3),
        )
    ),
    Pair("transfer-1m", ("import", "export"), pair_million_transfer),
)


# -- output --------------------------------------------------------------------------------


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def print_table(results: Sequence[Result]) -> None:
    """The summary table: pair, medians, ratio, goal, verdict."""
    header = ("pair", "command (s)", "baseline (s)", "ratio", "goal", "result")
    rows = []
    for r in results:
        verdict = "SKIP" if r.ok is None else ("OK" if r.ok else "OVER")
        ratio = "-" if r.ratio is None else f"{r.ratio:.2f}x"
        rows.append(
            (
                r.name,
                _seconds(r.command_median),
                _seconds(r.baseline_median),
                ratio,
                r.goal,
                verdict,
            )
        )
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    line = "  ".join(f"{{:{'<' if i == 0 else '>'}{w}}}" for i, w in enumerate(widths))
    print(line.format(*header))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(line.format(*row))
    notes = [r for r in results if r.note or r.ok is not None]
    if notes:
        print()
    for r in notes:
        detail = f" ({r.note})" if r.note else ""
        if r.ok is None:
            print(f"{r.name}: skipped{detail}")
        else:
            print(f"{r.name}: {r.command}  vs  {r.baseline}{detail}")


def write_json(path: Path, results: Sequence[Result], bench: Bench) -> None:
    """Every sample and median, with enough context to compare runs later."""
    data: dict[str, Any] = {
        "microup": str(bench.microup),
        "python": str(bench.python),
        "python_version": platform.python_version(),
        "platform": platform.platform(),
        "runs": bench.runs,
        "warmups": WARMUPS,
        "pairs": [
            {
                "name": r.name,
                "command": r.command,
                "baseline": r.baseline,
                "command_median": r.command_median,
                "baseline_median": r.baseline_median,
                "ratio": r.ratio,
                "goal": r.goal,
                "status": "skip" if r.ok is None else ("ok" if r.ok else "over"),
                "command_times": r.command_times,
                "baseline_times": r.baseline_times,
                "note": r.note,
            }
            for r in results
        ],
    }
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


# -- main ----------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line of this script."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=15, help="timed runs per side (default 15)")
    parser.add_argument(
        "--only",
        action="append",
        choices=[pair.name for pair in PAIRS],
        metavar="NAME",
        help=f"run only this pair (repeatable): {', '.join(pair.name for pair in PAIRS)}",
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write results as JSON")
    parser.add_argument(
        "--watson", type=Path, default=None, help="Watson's executable, the peer (default: PATH)"
    )
    parser.add_argument(
        "--microup",
        type=Path,
        default=Path(sys.executable).parent / "microup",
        help="the microup executable (default: next to this python)",
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen pairs, print the table; exit 1 if any pair is over its goal."""
    args = parse_args(argv)
    microup = args.microup.absolute()
    if not microup.is_file() or not os.access(microup, os.X_OK):
        print(f"bench: error: no microup executable at {microup} (use --microup)", file=sys.stderr)
        return 2
    wanted = [pair for pair in PAIRS if args.only is None or pair.name in args.only]
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="microup-bench-") as scratch:
        bench = Bench(microup, Path(sys.executable), Path(scratch), args.runs)
        found = args.watson or (Path(p) if (p := shutil.which("watson")) else None)
        bench.watson = found.absolute() if found else None
        try:
            for pair in wanted:
                missing = [name for name in pair.needs if not bench.supports(name)]
                if missing:
                    names = " or ".join(f"'{name}'" for name in missing)
                    note = f"this microup has no {names} command"
                    results.append(Result(pair.name, "-", "-", "-", note=note))
                    print(f"[{pair.name}] skipped: {note}", file=sys.stderr)
                    continue
                print(f"[{pair.name}] running...", file=sys.stderr, flush=True)
                started = time.perf_counter()
                results.append(pair.run(bench))
                print(
                    f"[{pair.name}] done in {time.perf_counter() - started:.1f} s",
                    file=sys.stderr,
                    flush=True,
                )
        except BenchError as error:
            print(f"bench: error: {error}", file=sys.stderr)
            return 2
        print_table(results)
        if args.json is not None:
            write_json(args.json, results, bench)
    return 1 if any(r.ok is False for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
