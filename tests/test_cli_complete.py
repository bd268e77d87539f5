"""Issue 20: completion of values, `status --short` and `continue`. Completion runs as the
shell runs it (a process, the completion variables set) and must not load the database
libraries."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conftest import Run, one_line_error

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=LONDON)  # a Wednesday


@pytest.fixture
def frozen(local_tz: str) -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def complete(line: str, *, extra: dict[str, str] | None = None) -> tuple[str, str]:
    """What zsh would be offered for `line` (the cursor at its end), and the modules loaded."""
    env = {
        **os.environ,
        "_MICROUP_COMPLETE": "complete_zsh",
        "_TYPER_COMPLETE_ARGS": line,
        **(extra or {}),
    }
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "microup"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, done.stderr


def test_topics_complete_as_the_store_spells_them(run: Run, frozen: object) -> None:
    run("log", "20", "-t", "SQL")
    run("log", "10", "-t", "Rust lang")
    run("log", "10", "-t", "rust-analyzer")
    offered, imported = complete("microup log 5 -t R")
    assert "Rust lang" in offered and "rust-analyzer" in offered and "SQL" not in offered
    offered, _ = complete("microup log 5 -t sq")
    assert "SQL" in offered and "Rust" not in offered
    offered, _ = complete("microup start -t ")
    assert "Rust lang" in offered and "rust-analyzer" in offered and "SQL" in offered
    assert "sqlalchemy" not in imported and "sqlmodel" not in imported
    offered, _ = complete("microup topics rename S")
    assert "SQL" in offered
    offered, _ = complete("microup entries --topic ")
    assert "SQL" in offered


def test_entry_ids_complete_with_their_topic_and_date(run: Run, frozen: object) -> None:
    run("log", "20", "-t", "SQL", "--at", "yesterday 18:00")
    run("log", "15", "-t", "Rust")
    for command in ("edit", "delete"):
        offered, imported = complete(f"microup {command} ")
        assert '"2":"Rust 2026-11-25 10\\\\:00 15 min"' in offered
        assert '"1":"SQL 2026-11-24 18\\\\:00 20 min"' in offered
        assert "sqlalchemy" not in imported


def test_completion_follows_the_store_named_by_db(run: Run, frozen: object, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    run("--db", str(other), "log", "20", "-t", "Elsewhere")
    run("log", "20", "-t", "Here")
    offered, _ = complete(f"microup --db {other} log 5 -t ")
    assert "Elsewhere" in offered and "Here" not in offered


def test_fixed_values_complete(run: Run) -> None:
    offered, imported = complete("microup config ")
    assert "review-budget" in offered and "target-retention" in offered
    assert "sqlalchemy" not in imported
    assert "systemd" in complete("microup remind install --via ")[0]
    assert '"wed"' in complete("microup remind install --day w")[0]
    assert '"csv"' in complete("microup export --format ")[0]


def test_status_short_is_one_line_from_the_hints(
    run: Run, frozen: time_machine.Traveller, db_path: Path
) -> None:
    run("log", "20", "-t", "SQL", "--at", "monday 9:00", "--yes")
    run("log", "30", "-t", "SQL", "--at", "2026-11-20T09:00", "--yes")  # last week
    assert run("status", "--short").stdout == "20/60 min this week\n"
    run("start", "-t", "Rust")
    frozen.shift(timedelta(minutes=25))
    assert run("status", "--short").stdout == "Rust 25m | 20/60 min this week\n"
    env = {"MICROUP_DB": str(db_path)}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "microup", "status", "--short"],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
        check=False,
    )
    assert done.returncode == 0 and done.stdout.startswith("Rust ")
    assert "sqlalchemy" not in done.stderr and "rich" not in done.stderr


def test_status_short_without_hints_reads_the_store(
    run: Run, frozen: object, isolated_home: Path
) -> None:
    run("log", "20", "-t", "SQL")
    for hints in (isolated_home / ".cache").rglob("*.json"):
        hints.unlink()
    assert run("status", "--short").stdout == "20/60 min this week\n"
    assert list((isolated_home / ".cache").rglob("*.json"))  # written again


def test_continue_starts_the_last_topic_again(run: Run, frozen: time_machine.Traveller) -> None:
    run("log", "20", "--at", "1h ago")
    assert "no topic" in one_line_error(run("continue"), code=1)
    run("log", "20", "-t", "Rust", "--at", "1h ago")
    run("start", "-t", "SQL")
    frozen.shift(timedelta(minutes=30))
    run("stop")
    done = run("continue")
    assert done.exit_code == 0, done.stderr
    assert "SQL" in run("status").stdout
    assert "already running" in one_line_error(run("continue"))


def test_typer_itself_completes_the_same_values(run: Run, frozen: object) -> None:
    """The path Typer takes when the quick answer (`cli.fast`) is not used."""
    from typer.testing import CliRunner

    from microup.cli.app import app

    run("log", "20", "-t", "SQL")
    for line, expected in (
        ("microup log 5 -t S", '"SQL"'),
        ("microup edit ", '"1":"SQL 2026-11-25 10\\\\:00 20 min"'),
        ("microup config re", '"review-budget"'),
        ("microup remind install --via c", '"cron"'),
    ):
        env = {"_MICROUP_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": line}
        done = CliRunner().invoke(app, [], env=env, prog_name="microup")
        assert expected in done.stdout, (line, done.stdout)
