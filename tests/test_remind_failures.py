"""Issue 20, failure 6: a reminder that keeps working through refusals, damage, gaps and a
store that cannot be written."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from conftest import Run, one_line_error
from microup.core.reminder import last_occurrence, reminded_for, should_remind

LONDON = ZoneInfo("Europe/London")
TUESDAY = datetime(2026, 11, 24, 10, 20, tzinfo=LONDON)


@pytest.fixture
def frozen(local_tz: str) -> Iterator[time_machine.Traveller]:
    with time_machine.travel(TUESDAY, tick=False) as traveller:
        yield traveller


def units(isolated_home: Path) -> Path:
    return isolated_home / ".config" / "systemd" / "user"


def test_a_refused_systemd_reinstall_keeps_the_working_timer(
    run: Run,
    frozen: object,
    fake_crontab: Path,
    isolated_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FAKE_SYSTEMCTL_OK", "1")
    assert run("remind", "install", "--via", "systemd", "--day", "wed").exit_code == 0
    service = units(isolated_home) / "microup-reminder.service"
    timer = units(isolated_home) / "microup-reminder.timer"
    before = (service.read_bytes(), timer.read_bytes())
    monkeypatch.setenv("FAKE_SYSTEMCTL_FAIL", "Failed to enable unit: Access denied")
    one_line_error(run("remind", "install", "--via", "systemd", "--day", "fri"), code=1)
    assert (service.read_bytes(), timer.read_bytes()) == before
    monkeypatch.delenv("FAKE_SYSTEMCTL_FAIL")
    assert "systemd: wed at 09:00" in run("remind", "show").stdout


def test_a_refused_launchd_reinstall_keeps_the_working_agent(
    run: Run,
    frozen: object,
    fake_crontab: Path,
    isolated_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert run("remind", "install", "--via", "launchd", "--time", "07:45").exit_code == 0
    plist = isolated_home / "Library" / "LaunchAgents" / "com.microup.reminder.plist"
    before = plist.read_bytes()
    monkeypatch.setenv("FAKE_LAUNCHCTL_FAIL", "Bootstrap failed: 5: Input/output error")
    one_line_error(run("remind", "install", "--via", "launchd", "--time", "06:15"), code=1)
    assert plist.read_bytes() == before
    monkeypatch.delenv("FAKE_LAUNCHCTL_FAIL")
    calls = (tmp_path / "scheduler-calls").read_text().splitlines()
    assert calls[-1] == f"launchctl bootstrap gui/{os.getuid()} {plist}"  # loaded again
    assert "launchd: mon at 07:45" in run("remind", "show").stdout


def test_a_damaged_systemd_unit_does_not_fail_an_install_with_cron(
    run: Run,
    frozen: object,
    fake_crontab: Path,
    isolated_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FAKE_SYSTEMCTL_OK", "1")
    assert run("remind", "install", "--via", "systemd").exit_code == 0
    service = units(isolated_home) / "microup-reminder.service"
    service.write_text(service.read_text().replace("ExecStart=", 'ExecStart="unclosed '))
    done = run("remind", "install", "--via", "cron")
    assert done.exit_code == 0, done.stderr
    assert "microup-reminder" in fake_crontab.read_text()
    assert not service.exists()  # exactly one scheduler left
    assert not (units(isolated_home) / "microup-reminder.timer").exists()


def test_a_refused_install_creates_no_log_folder(
    run: Run,
    frozen: object,
    fake_crontab: Path,
    isolated_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FAKE_CRONTAB_FAIL", "crontab: cannot open table")
    one_line_error(run("remind", "install", "--via", "cron"), code=1)
    assert not (isolated_home / ".local" / "state").exists()
    monkeypatch.setenv("FAKE_SYSTEMCTL_FAIL", "Access denied")
    one_line_error(run("remind", "install", "--via", "systemd"), code=1)
    assert not (isolated_home / ".local" / "state").exists()


SCHEDULED = ("remind", "--scheduled", "--day", "mon", "--time", "09:00")


def test_after_a_two_week_gap_the_reminder_speaks_once_that_morning(
    run: Run, frozen: time_machine.Traveller
) -> None:
    frozen.move_to(datetime(2026, 11, 9, 9, 5, tzinfo=LONDON))  # a Monday
    assert "weekly reminder" in run(*SCHEDULED).stdout
    frozen.move_to(datetime(2026, 11, 23, 8, 0, tzinfo=LONDON))  # two weeks later, early
    assert "weekly reminder" in run(*SCHEDULED).stdout
    frozen.move_to(datetime(2026, 11, 23, 9, 30, tzinfo=LONDON))
    assert run(*SCHEDULED).stdout == ""
    frozen.move_to(datetime(2026, 11, 30, 9, 0, tzinfo=LONDON))
    assert "weekly reminder" in run(*SCHEDULED).stdout


def _make_read_only(paths: list[Path]) -> list[list[str]]:
    """Make `paths` unwritable, even for root (immutable), or skip; the commands that undo it."""
    for path in paths:
        path.chmod(0o555 if path.is_dir() else 0o444)
    if all(not os.access(path, os.W_OK) for path in paths):
        return []
    chattr = shutil.which("chattr")
    if chattr is None:
        pytest.skip("running as root without chattr: cannot make a read-only store")
    names = [str(path) for path in paths]
    done = subprocess.run([chattr, "+i", *names], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip("this file system has no immutable flag")
    return [[chattr, "-i", *names]]


def test_a_read_only_store_still_reminds_once_a_week(
    run: Run, frozen: time_machine.Traveller, db_path: Path
) -> None:
    assert run("log", "20", "-t", "SQL").exit_code == 0
    undo = _make_read_only([db_path, db_path.parent])
    try:
        frozen.move_to(datetime(2026, 11, 30, 9, 5, tzinfo=LONDON))
        first = run(*SCHEDULED)
        assert first.exit_code == 0, first.stderr
        assert "weekly reminder" in first.stdout and "This week (2026-W49)" in first.stdout
        assert "cannot be written" in first.stdout
        frozen.move_to(datetime(2026, 11, 30, 10, 5, tzinfo=LONDON))
        again = run(*SCHEDULED)
        assert (again.exit_code, again.stdout) == (0, "")  # still once a week
    finally:
        for command in undo:
            subprocess.run(command, check=True)
        db_path.parent.chmod(0o700)
        db_path.chmod(0o600)


@given(
    now=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),
    weekday=st.integers(0, 6),
    clock=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    hours=st.integers(0, 24 * 8),
)
def test_a_reminder_is_the_only_one_until_the_next_chosen_moment(
    now: datetime, weekday: int, clock: time, hours: int
) -> None:
    """Marked as reminded_for(), a reminder is followed by no other before the chosen moment
    that comes at least a day after it, and by one from then on."""
    mark = reminded_for(now, weekday, clock)
    assert now <= mark < now + timedelta(days=1)
    later = now + timedelta(hours=hours)
    following = last_occurrence(mark, weekday, clock) + timedelta(days=7)
    assert following - now >= timedelta(days=1)
    assert should_remind(later, weekday, clock, mark) == (later >= following)
