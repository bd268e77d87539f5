"""Every test runs in a temporary home: no test can touch the real home, store or crontab."""

from __future__ import annotations

import os
import shutil
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from typer.testing import CliRunner, Result

from microup.cli import app

# Property tests are judged by their examples, not by wall-clock time on a busy 2-core machine.
settings.register_profile("microup", deadline=None)
settings.load_profile("microup")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point HOME, the XDG folders and MICROUP_DB into the test's own temporary folder."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name, sub in (
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_STATE_HOME", ".local/state"),
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_CACHE_HOME", ".cache"),
    ):
        monkeypatch.setenv(name, str(home / sub))
    monkeypatch.delenv("MICROUP_DB", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")
    return home


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store path given through MICROUP_DB, as a person might."""
    path = tmp_path / "store" / "microup.db"
    monkeypatch.setenv("MICROUP_DB", str(path))
    return path


@pytest.fixture
def local_tz(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run in Europe/London, a zone with daylight saving, whatever the machine's zone is."""
    monkeypatch.setenv("TZ", "Europe/London")
    time.tzset()
    yield "Europe/London"
    monkeypatch.undo()
    time.tzset()


Run = Callable[..., Result]


def make_store(path: Path) -> None:
    """Create an empty store at `path`, as a first writing command would."""
    from microup.store import transaction

    with transaction(path, write=True):
        pass


@pytest.fixture
def run(db_path: Path) -> Run:
    """Invoke the CLI in-process the way a person would type it (stdout and stderr apart)."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        return runner.invoke(app, list(args), input=input)

    return invoke


def one_line_error(result: Result, code: int = 2) -> str:
    """Assert the failure contract: the exit code, nothing on stdout, one line on stderr."""
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("microup: error: "), result.stderr
    return lines[0]


def file_bytes(path: Path) -> bytes:
    """A file's bytes, or none if it does not exist: for 'the store is unchanged' checks."""
    return path.read_bytes() if path.exists() else b""


FAKE_CRONTAB = Path(__file__).with_name("fake_crontab")


@pytest.fixture
def fake_crontab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Put the stand-in `crontab` first on PATH; the returned file is its table.

    The machine's real crontab is never read or written by a test that uses this.
    """
    bin_dir = tmp_path / "fake-bin"
    bin_dir.mkdir()
    for name in ("crontab", "systemctl", "launchctl"):  # never the machine's real schedulers
        fake = bin_dir / name
        shutil.copyfile(FAKE_CRONTAB.with_name(f"fake_{name}"), fake)
        fake.chmod(fake.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin")
    monkeypatch.setenv("FAKE_SCHEDULER_LOG", str(tmp_path / "scheduler-calls"))
    for name in ("FAKE_SYSTEMCTL_OK", "FAKE_SYSTEMCTL_FAIL", "FAKE_LAUNCHCTL_FAIL"):
        monkeypatch.delenv(name, raising=False)
    table = tmp_path / "crontab-table"
    monkeypatch.setenv("FAKE_CRONTAB_FILE", str(table))
    monkeypatch.delenv("FAKE_CRONTAB_FAIL", raising=False)
    assert shutil.which("crontab") == str(bin_dir / "crontab")
    return table
