"""The installed `microup` command, run as a person (or cron) would, in a temporary home."""

from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

MICROUP = Path(sys.executable).parent / "microup"


@pytest.fixture
def home_env(tmp_path: Path) -> dict[str, str]:
    """A bare environment with a temporary HOME and no XDG or MICROUP_DB settings."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LANG": "C.UTF-8"}


def microup(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(MICROUP), *args], env=env, input=stdin, capture_output=True, text=True, timeout=60
    )


def test_installed_command_logs_into_the_per_user_store(home_env: dict[str, str]) -> None:
    assert MICROUP.exists(), "install the package first: pip install '.[test]'"
    done = microup("log", "20", "--topic", "[red]SQL[/red]", env=home_env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Logged #1  20 min  [red]SQL[/red]")
    assert "\x1b" not in done.stdout  # a pipe gets plain text
    store = Path(home_env["HOME"]) / ".local" / "share" / "microup" / "microup.db"
    assert stat.S_IMODE(store.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    week = json.loads(microup("week", "--json", env=home_env).stdout)
    assert week["minutes"] == 20


def test_python_dash_m_is_the_same_command(home_env: dict[str, str]) -> None:
    from microup import __version__

    done = subprocess.run(
        [sys.executable, "-m", "microup", "--version"],
        env=home_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout.strip()) == (0, f"microup {__version__}")


def test_bad_input_and_broken_store_never_show_a_traceback(
    home_env: dict[str, str], tmp_path: Path
) -> None:
    bad = microup("log", "nan", env=home_env)
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr
    foreign = tmp_path / "notes.txt"
    foreign.write_text("my precious notes\n")
    broken = microup("--db", str(foreign), "log", "20", env=home_env)
    assert broken.returncode == 1 and "Traceback" not in broken.stderr
    assert broken.stderr.startswith("microup: error: ") and broken.stderr.count("\n") == 1
    assert foreign.read_text() == "my precious notes\n"


def test_several_processes_logging_at_once_lose_nothing(
    home_env: dict[str, str], tmp_path: Path
) -> None:
    store = tmp_path / "shared.db"
    env = {**home_env, "MICROUP_DB": str(store)}
    processes = [
        subprocess.Popen(
            [str(MICROUP), "log", str(minutes), "--topic", f"T{minutes % 3}"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for minutes in range(1, 9)
    ]
    for process in processes:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    with sqlite3.connect(store) as connection:
        rows = connection.execute("SELECT minutes FROM entry ORDER BY minutes").fetchall()
    assert [minutes for (minutes,) in rows] == list(range(1, 9))


def _log_many(db: str, worker: int, count: int) -> None:
    """Log `count` entries through the real CLI entry point, in this process."""
    from microup.cli.app import app

    for index in range(count):
        try:
            app(["--db", db, "log", "1", "--topic", f"w{worker}", "--note", str(index)])
        except SystemExit as exit_:
            if exit_.code not in (0, None):
                raise RuntimeError(f"worker {worker} entry {index} exited {exit_.code}") from None


def test_many_writers_hammering_one_store_lose_nothing(tmp_path: Path) -> None:
    store = tmp_path / "hammered.db"
    workers, per_worker = 4, 40
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_log_many, args=(str(store), w, per_worker)) for w in range(workers)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=300)
    assert [process.exitcode for process in processes] == [0] * workers
    with sqlite3.connect(store) as connection:
        counts = dict(
            connection.execute(
                "SELECT t.name, count(*) FROM entry e JOIN topic t ON t.id = e.topic_id"
                " GROUP BY t.name"
            ).fetchall()
        )
        notes = connection.execute("SELECT count(DISTINCT note || '/' || topic_id) FROM entry")
        assert notes.fetchone()[0] == workers * per_worker
    assert counts == {f"w{w}": per_worker for w in range(workers)}


def _import_and_log(db: str, worker: int, rounds: int) -> None:
    """A writer: big imports (which checkpoint the WAL) and single logs, through the CLI."""
    import tempfile

    from microup.cli.app import app

    for index in range(rounds):
        with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as handle:
            handle.write("at,minutes,topic\n")
            for row in range(400):
                handle.write(f"2025-{1 + row % 12:02d}-{1 + row % 28:02d}T10:{row % 60:02d},1,")
                handle.write(f"w{worker}r{index}\n")
        for args in (["import", handle.name], ["log", "1", "-t", f"w{worker}"]):
            try:
                app(["--db", db, *args])
            except SystemExit as exit_:
                if exit_.code not in (0, None):
                    raise RuntimeError(f"writer {worker}: {args[0]} exited {exit_.code}") from None


def _read_week(db: str, runs: int, failures: Any) -> None:
    from microup.cli.app import app

    for _ in range(runs):
        try:
            app(["--db", db, "week", "--json"])
        except SystemExit as exit_:
            if exit_.code not in (0, None):
                failures.value += 1


def test_readers_beside_importing_writers_never_see_damage(tmp_path: Path) -> None:
    """Failure 1 of the hostile test: `week` beside an import read a checkpoint in progress
    as a file cut short. A reader and two writers, zero failures over hundreds of reads."""
    store = tmp_path / "busy.db"
    context = multiprocessing.get_context("spawn")
    failures = context.Value("i", 0)
    _log_many(str(store), 99, 1)  # the store exists before the race starts
    writers = [context.Process(target=_import_and_log, args=(str(store), w, 12)) for w in range(2)]
    reader = context.Process(target=_read_week, args=(str(store), 300, failures))
    for process in (*writers, reader):
        process.start()
    for process in (*writers, reader):
        process.join(timeout=600)
    assert [process.exitcode for process in (*writers, reader)] == [0, 0, 0]
    assert failures.value == 0


EVERY_READ = [
    ["week"],
    ["entries"],
    ["topics"],
    ["review", "--all"],
    ["plan"],
    ["stats"],
    ["calendar"],
    ["export"],
    ["remind"],
    ["curve", "Caf\u00e9 \u2615"],
    ["config"],
    ["goal"],
]


def test_output_degrades_on_an_ascii_terminal(home_env: dict[str, str]) -> None:
    """Failure 3: a non-UTF-8 stdout printed tracebacks; now what it cannot show is escaped."""
    env = {**home_env, "PYTHONIOENCODING": "ascii"}
    assert microup("log", "20", "-t", "Caf\u00e9 \u2615", env=env).returncode == 0
    for args in EVERY_READ:
        done = microup(*args, env=env)
        assert done.returncode == 0 and done.stderr == "", (args, done.stderr)
    assert "Caf\\xe9" in microup("topics", env=env).stdout


def _run_with_stdout(args: list[str], env: dict[str, str], stdout: Any) -> tuple[int, str]:
    done = subprocess.run(
        [str(MICROUP), *args],
        env=env,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
    )
    return done.returncode, done.stderr


def test_a_closed_or_full_stdout_is_one_line_and_never_fails_a_saved_change(
    home_env: dict[str, str],
) -> None:
    """Failure 3: `log` reported failure after committing, so a retry logged twice."""
    assert microup("log", "20", "-t", "SQL", env=home_env).returncode == 0
    targets: list[Any] = [subprocess.DEVNULL]
    if Path("/dev/full").exists():
        targets = [Path("/dev/full").open("w")]  # noqa: SIM115 - closed below
    try:
        for target in targets:
            code, err = _run_with_stdout(["log", "5", "-t", "SQL"], home_env, target)
            assert code == 0, err
            for args in EVERY_READ[:6]:
                code, err = _run_with_stdout(args, home_env, target)
                if target is not subprocess.DEVNULL:
                    assert code == 1 and err.count("\n") == 1 and "disk is full" in err, err
    finally:
        for target in targets:
            if target is not subprocess.DEVNULL:
                target.close()
    closed = subprocess.run(
        f"'{MICROUP}' log 5 -t SQL >&-; echo $?; '{MICROUP}' week >&-; echo $?",
        shell=True,
        env=home_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert closed.stdout.split() == ["0", "1"], closed.stderr
    assert "Traceback" not in closed.stderr and closed.stderr.count("\n") == 2
    entries = json.loads(microup("entries", "--json", env=home_env).stdout)["entries"]
    assert len(entries) == 1 + len(targets) + 1  # every saved log is there, once


def test_json_and_exports_stay_valid_on_an_ascii_terminal(home_env: dict[str, str]) -> None:
    env = {**home_env, "PYTHONIOENCODING": "ascii"}
    assert microup("log", "5", "-t", "\u00dcn\u00ef \U0001f389", env=env).returncode == 0
    exported = microup("export", env=env)
    topic = json.loads(exported.stdout)["entries"][0]["topic"]  # UTF-8 data, not \\xdc
    assert topic == "\u00dcn\u00ef \U0001f389"
    listed = json.loads(microup("entries", "--json", env=env).stdout)
    assert listed["entries"][0]["topic"] == "\u00dcn\u00ef \U0001f389"


def test_a_reader_that_goes_away_never_fails_a_saved_change(home_env: dict[str, str]) -> None:
    done = subprocess.run(
        f"'{MICROUP}' log 5 -t SQL | true; echo \"$?\" ${{PIPESTATUS[0]}}",
        shell=True,
        executable="/bin/bash",
        env=home_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.split()[-1] == "0", done.stderr
    assert "Traceback" not in done.stderr
    assert len(json.loads(microup("entries", "--json", env=home_env).stdout)["entries"]) == 1
