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
    from microup.cli import app

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
