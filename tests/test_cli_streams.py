"""The installed command with its standard streams closed, and Ctrl-C around the commit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

MICROUP = Path(sys.executable).parent / "microup"


@pytest.fixture
def home_env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LANG": "C.UTF-8"}


def shell(line: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`line` in a shell, `microup` standing for the installed command."""
    return subprocess.run(
        line.replace("microup", f"'{MICROUP}'"),
        shell=True,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def entries(env: dict[str, str]) -> list[dict[str, object]]:
    done = shell("microup entries --json", env)
    listed: list[dict[str, object]] = json.loads(done.stdout)["entries"]
    return listed


def test_a_closed_stderr_never_fails_a_success(home_env: dict[str, str]) -> None:
    """Failure 4: `log 5 2>&-` exited 1 after saving, so a retry logged twice."""
    done = shell("microup log 5 2>&-; echo $?; microup --version 2>&-; echo $?", home_env)
    codes = [line for line in done.stdout.splitlines() if line.isdigit()]
    assert codes == ["0", "0"], done.stdout
    assert len(entries(home_env)) == 1


@pytest.mark.parametrize(
    "args", [["delete", "1"], ["log", "5", "--at", "2020-01-01"], ["topics", "rename", "A", "B"]]
)
def test_a_closed_stdin_is_one_line_not_a_traceback(
    home_env: dict[str, str], args: list[str]
) -> None:
    """Failure 4: questions asked on a closed stdin raised AttributeError."""
    shell("microup log 5 -t A && microup log 5 -t B", home_env)
    before = entries(home_env)
    done = shell(f"microup {' '.join(args)} <&-", home_env)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode != 0 and done.stderr.count("\n") == 1, done.stderr
    assert entries(home_env) == before


@pytest.fixture
def fresh_commit_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each in-process run starts as a new process would: nothing committed yet."""
    from microup.store import base

    monkeypatch.setattr(base, "COMMITTED", False)


def test_ctrl_c_during_the_commit_waits_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_commit_flag: None
) -> None:
    """Failure 5: Ctrl-C landing in the commit said "interrupted" about a saved change."""
    import signal
    from datetime import datetime, timezone

    from sqlmodel import Session

    from microup.core.values import Entry
    from microup.store import base, transaction

    real_commit = Session.commit

    def interrupted_commit(self: Session) -> None:
        os.kill(os.getpid(), signal.SIGINT)  # the person presses Ctrl-C now
        real_commit(self)

    path = tmp_path / "m.db"
    monkeypatch.setattr(Session, "commit", interrupted_commit)
    with transaction(path, write=True) as store:
        store.add_entry(Entry(at=datetime(2026, 11, 20, tzinfo=timezone.utc), minutes=5))
    monkeypatch.setattr(Session, "commit", real_commit)
    assert base.COMMITTED
    with transaction(path, write=False) as store:
        assert len(store.entries()) == 1
    with pytest.raises(KeyboardInterrupt), transaction(path, write=False):
        os.kill(os.getpid(), signal.SIGINT)  # before any commit: interrupted as asked


def test_ctrl_c_after_the_commit_is_a_success(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_commit_flag: None
) -> None:
    """Failure 5: Ctrl-C while the report printed said "interrupted" and exited 130."""
    from typer.testing import CliRunner

    from microup.cli.app import app
    from microup.views import render

    def interrupted(*args: object, **kwargs: object) -> object:
        raise KeyboardInterrupt

    monkeypatch.setenv("MICROUP_DB", str(tmp_path / "m.db"))
    monkeypatch.setattr(render, "progress", interrupted)
    done = CliRunner().invoke(app, ["log", "5"])
    assert done.exit_code == 0 and "interrupted" not in done.stderr, done.stderr
    monkeypatch.undo()
    monkeypatch.setenv("MICROUP_DB", str(tmp_path / "m.db"))
    listed = CliRunner().invoke(app, ["entries", "--json"])
    assert len(json.loads(listed.stdout)["entries"]) == 1


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_a_calendar_written_is_a_success_even_if_stdout_is_full(
    home_env: dict[str, str], tmp_path: Path
) -> None:
    """Failure 9: `plan --ics FILE >/dev/full` exited 1 although the file was written."""
    shell("microup log 20 -t SQL", home_env)
    calendar = tmp_path / "plan.ics"
    done = shell(f"microup plan --ics '{calendar}' >/dev/full; echo $? >&2", home_env)
    assert done.stderr.splitlines()[-1] == "0", done.stderr
    assert calendar.read_bytes().startswith(b"BEGIN:VCALENDAR")
