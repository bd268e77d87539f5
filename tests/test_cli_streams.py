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
