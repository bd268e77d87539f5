"""`microup remind` and `microup cron`, with a stand-in crontab and frozen time."""

from __future__ import annotations

import os
import shlex
import shutil
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conftest import Run, make_store, one_line_error
from microup.core import crontab, when

LONDON = ZoneInfo("Europe/London")
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=LONDON)
OTHER_JOBS = (
    "# m h  dom mon dow   command\n"
    "MAILTO=me@example.org\n"
    "PATH=/usr/local/bin:/usr/bin:/bin\n"
    "\n"
    "*/15 * * * *   /usr/bin/backup --quiet   # keep the   spaces\n"
    "0 3 * * 0 date +%Y-%m-%d >> /tmp/dates\n"
    "@reboot echo hi\n"
)


@pytest.fixture
def frozen(local_tz: str) -> Iterator[time_machine.Traveller]:
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def test_remind_says_where_the_week_stands(run: Run, frozen: object) -> None:
    run("log", "20", "-t", "SQL", "--at", "3d ago")
    run("log", "15", "-t", "Rust")
    result = run("remind")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("This week (2026-W48): 15/60 min. 45 min to go")
    assert "7 min a day" in lines[0]
    assert lines[1].startswith("Review next: SQL (")


def test_remind_when_all_is_well_encourages_or_stays_quiet(run: Run, frozen: object) -> None:
    run("log", "60", "-t", "SQL", "--at", "10m ago")
    assert "Keep it up" in run("remind").stdout
    quiet = run("remind", "--quiet")
    assert (quiet.exit_code, quiet.stdout) == (0, "")


def test_remind_with_notify_but_no_desktop_still_prints(
    run: Run, frozen: object, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, db_path: Path
) -> None:
    make_store(db_path)
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no notify-send anywhere
    result = run("remind", "--notify")
    assert result.exit_code == 0 and "This week" in result.stdout


def test_remind_notifies_when_a_session_bus_is_there(
    run: Run, frozen: object, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, db_path: Path
) -> None:
    make_store(db_path)
    bin_dir, record = tmp_path / "bin", tmp_path / "notified"
    bin_dir.mkdir()
    sender = bin_dir / "notify-send"
    sender.write_text(f'#!/bin/sh\nprintf "%s|" "$@" > {shlex.quote(str(record))}\n')
    sender.chmod(0o755)
    bus = tmp_path / "bus"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(bus))
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={bus}")
    try:
        assert run("remind", "--notify").exit_code == 0
    finally:
        server.close()
    assert "This week (2026-W48)" in record.read_text()


def test_scheduled_reminder_speaks_once_a_week_even_after_sleep(
    run: Run, frozen: time_machine.Traveller
) -> None:
    scheduled = ("remind", "--scheduled", "--day", "mon", "--time", "08:00")
    first = run(*scheduled)
    assert "weekly reminder" in first.stdout  # first run on or after Monday 08:00
    assert run(*scheduled).stdout == ""  # later runs the same week stay quiet
    frozen.shift(timedelta(days=1))
    assert run(*scheduled).stdout == ""
    frozen.move_to(datetime(2026, 12, 1, 8, 0, tzinfo=LONDON))  # asleep all Monday 30 Nov
    late = run(*scheduled)
    assert "weekly reminder" in late.stdout and "This week (2026-W49)" in late.stdout
    assert run(*scheduled).stdout == ""
    assert "This week" in run("remind").stdout  # typed by a person: always answers


def test_scheduled_reminder_refuses_a_bad_schedule(run: Run, frozen: object) -> None:
    one_line_error(run("remind", "--scheduled", "--day", "funday"))
    one_line_error(run("remind", "--scheduled", "--time", "25:00"))


def test_cron_install_twice_then_remove_restores_the_table(
    run: Run, frozen: object, fake_crontab: Path, db_path: Path
) -> None:
    fake_crontab.write_text(OTHER_JOBS)
    installed = run("cron", "install", "--day", "tue", "--time", "18:30")
    assert installed.exit_code == 0, installed.stderr
    assert "Next reminder: 2026-11-24 18:30" in installed.stdout
    once = fake_crontab.read_text()
    assert once.startswith(OTHER_JOBS)
    assert run("cron", "install", "--day", "tue", "--time", "18:30").exit_code == 0
    assert fake_crontab.read_text() == once
    [job] = [line for line in once.splitlines() if crontab.MARKER in line]
    assert job.startswith("30 * * * * ") and "%" not in job  # hourly at the chosen minute
    assert f"--db {shlex.quote(str(db_path))}" in job and "--notify" in job
    shown = run("cron", "show").stdout
    assert "cron: tue at 18:30" in shown and "Next reminder: 2026-11-24 18:30" in shown
    assert str(db_path) in shown
    assert run("cron", "remove").exit_code == 0
    assert fake_crontab.read_text() == OTHER_JOBS
    assert "No microup reminder" in run("cron", "remove").stdout
    assert "No microup reminder" in run("cron", "show").stdout


def test_cron_install_with_no_crontab_at_all(run: Run, frozen: object, fake_crontab: Path) -> None:
    assert not fake_crontab.exists()
    assert run("cron", "install").exit_code == 0
    assert fake_crontab.read_text().count(crontab.MARKER) == 1
    assert run("cron", "remove").exit_code == 0
    assert not fake_crontab.exists()


def test_cron_without_a_crontab_command(
    run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert "apt-get install cron" in one_line_error(run("cron", "install"), code=1)


def test_cron_install_refuses_bad_day_and_time(run: Run, fake_crontab: Path) -> None:
    fake_crontab.write_text(OTHER_JOBS)
    one_line_error(run("cron", "install", "--day", "someday"))
    one_line_error(run("cron", "install", "--time", "9am"))
    assert fake_crontab.read_text() == OTHER_JOBS


def _bare_cron_run(command: str, home: Path) -> subprocess.CompletedProcess[str]:
    """Run a crontab command as cron would: /bin/sh, PATH=/usr/bin:/bin, nothing else."""
    return subprocess.run(
        [
            "/usr/bin/env",
            "-i",
            "PATH=/usr/bin:/bin",
            "SHELL=/bin/sh",
            f"HOME={home}",
            "LOGNAME=tester",
            "/bin/sh",
            "-c",
            command,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.e2e
def test_installed_job_runs_under_a_bare_cron_environment(
    run: Run,
    fake_crontab: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    isolated_home: Path,
) -> None:
    """A person with XDG_DATA_HOME set logs into that store; cron must reach the same one."""
    if not (Path(sys.executable).parent / "microup").exists():
        pytest.skip("needs the installed microup script")
    monkeypatch.delenv("MICROUP_DB")
    custom = tmp_path / "my data"
    monkeypatch.setenv("XDG_DATA_HOME", str(custom))
    assert run("log", "25", "-t", "SQL").exit_code == 0
    store = custom / "microup" / "microup.db"
    assert store.exists()
    now = datetime.now().astimezone()
    assert (
        run("cron", "install", "--day", when.DAY_NAMES[now.weekday()], "--time", "00:00").exit_code
        == 0
    )
    job = crontab.find(fake_crontab.read_text())
    assert job is not None
    command = job.split(None, 5)[5]
    with sqlite3.connect(store) as connection:  # pretend the last reminder was a week ago
        connection.execute(
            "UPDATE setting SET value = ? WHERE key = 'reminded-at'",
            ((now - timedelta(days=8)).isoformat(),),
        )
    done = _bare_cron_run(command, isolated_home)
    assert done.returncode == 0, done.stderr
    log = Path(shlex.split(command.split(">>", 1)[1])[0])
    text = log.read_text()
    assert "weekly reminder" in text and "25/60 min" in text
    assert _bare_cron_run(command, isolated_home).returncode == 0
    assert log.read_text() == text  # the second run that week stays quiet
    assert not (isolated_home / ".local" / "share" / "microup").exists()  # no second store


@pytest.mark.realcron
@pytest.mark.skipif(
    os.environ.get("MICROUP_TEST_REAL_CRONTAB") != "1" or shutil.which("crontab") is None,
    reason="uses the machine's real crontab: set MICROUP_TEST_REAL_CRONTAB=1 (CI does)",
)
def test_real_crontab_round_trip(tmp_path: Path) -> None:
    """With Debian's crontab: install, install, remove gives back the table it found."""
    microup = Path(sys.executable).parent / "microup"
    real_crontab = shutil.which("crontab")
    assert real_crontab is not None
    saved = subprocess.run([real_crontab, "-l"], capture_output=True, text=True)
    had_table = saved.returncode == 0
    env = {**os.environ, "MICROUP_DB": str(tmp_path / "real.db"), "HOME": str(tmp_path)}
    try:
        subprocess.run([real_crontab, "-"], input=OTHER_JOBS, text=True, check=True)
        for _ in range(2):
            done = subprocess.run(
                [str(microup), "cron", "install"],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert done.returncode == 0, done.stderr
        table = subprocess.run([real_crontab, "-l"], capture_output=True, text=True).stdout
        assert table.startswith(OTHER_JOBS) and table.count(crontab.MARKER) == 1
        assert subprocess.run([str(microup), "cron", "remove"], env=env, timeout=60).returncode == 0
        after = subprocess.run([real_crontab, "-l"], capture_output=True, text=True).stdout
        assert after == OTHER_JOBS
    finally:
        if had_table:
            subprocess.run([real_crontab, "-"], input=saved.stdout, text=True, check=True)
        else:
            subprocess.run([real_crontab, "-r"], capture_output=True)
