"""`microup remind install|remove|show` with systemd, launchd and cron, all stand-ins."""

from __future__ import annotations

import os
import plistlib
import shutil
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conftest import Run, file_bytes, one_line_error
from microup.system.schedulers.systemd import job_from_units

NOW = datetime(2026, 11, 24, 10, 20, tzinfo=ZoneInfo("Europe/London"))  # a Tuesday


@pytest.fixture
def frozen(local_tz: str) -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def calls(tmp_path: Path) -> list[str]:
    record = tmp_path / "scheduler-calls"
    return record.read_text().splitlines() if record.exists() else []


def units(isolated_home: Path) -> Path:
    return isolated_home / ".config" / "systemd" / "user"


def test_auto_picks_a_systemd_user_timer_where_systemctl_user_works(
    run: Run,
    frozen: object,
    fake_crontab: Path,
    isolated_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    db_path: Path,
) -> None:
    monkeypatch.setenv("FAKE_SYSTEMCTL_OK", "1")
    done = run("remind", "install", "--day", "wed", "--time", "18:05")
    assert done.exit_code == 0, done.stderr
    assert "systemd user timer" in done.stdout
    service = (units(isolated_home) / "microup-reminder.service").read_text()
    timer = (units(isolated_home) / "microup-reminder.timer").read_text()
    for text in (service, timer):
        assert text.startswith("# Written by microup")
    assert "OnCalendar=*-*-* *:05:00" in timer and "Persistent=true" in timer
    assert "--notify" in service and str(db_path) in service and "UMask=0077" in service
    job = job_from_units(service)
    assert (job.db, job.weekday, job.at.hour, job.notify) == (db_path, 2, 18, True)
    assert "systemctl --user enable --now microup-reminder.timer" in calls(tmp_path)
    assert not fake_crontab.exists()  # cron untouched
    log = job.log
    assert oct(log.parent.stat().st_mode & 0o777) == oct(0o700)
    assert oct(log.stat().st_mode & 0o777) == oct(0o600)
    shown = run("remind", "show").stdout
    assert "systemd: wed at 18:05" in shown and "Next reminder: 2026-11-25 18:05" in shown
    removed = run("remind", "remove")
    assert "Removed the microup systemd user timer" in removed.stdout
    assert "systemctl --user disable --now microup-reminder.timer" in calls(tmp_path)
    assert not any(units(isolated_home).iterdir())
    assert "No microup reminder" in run("remind", "show").stdout


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze missing")
def test_the_unit_files_pass_systemd_analyze_verify(
    run: Run, frozen: object, fake_crontab: Path, isolated_home: Path, tmp_path: Path
) -> None:
    weird = tmp_path / "100% sure $HOME" / "my store.db"
    assert run("--db", str(weird), "remind", "install", "--via", "systemd").exit_code == 0
    folder = units(isolated_home)
    done = subprocess.run(
        ["systemd-analyze", "verify", *(str(p) for p in sorted(folder.iterdir()))],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    job = job_from_units((folder / "microup-reminder.service").read_text())
    assert job.db == weird  # `%` and `$` escaped for systemd and read back the same


def test_launchd_agent_is_bootstrapped_and_parses_back(
    run: Run, frozen: object, fake_crontab: Path, isolated_home: Path, tmp_path: Path
) -> None:
    done = run("remind", "install", "--via", "launchd", "--time", "07:45", "--no-notify")
    assert done.exit_code == 0, done.stderr
    plist = isolated_home / "Library" / "LaunchAgents" / "com.microup.reminder.plist"
    agent = plistlib.loads(plist.read_bytes())
    assert agent["Label"] == "com.microup.reminder"
    assert agent["StartCalendarInterval"] == {"Minute": 45}
    assert agent["ProgramArguments"][-1] == "--no-notify"
    assert agent["ProgramArguments"][0].endswith("microup")
    assert f"launchctl bootstrap gui/{os.getuid()} {plist}" in calls(tmp_path)
    assert "launchd: mon at 07:45 (without" in run("remind", "show").stdout
    assert run("remind", "remove").exit_code == 0
    assert f"launchctl bootout gui/{os.getuid()} {plist}" in calls(tmp_path)
    assert not plist.exists()


def test_a_failed_install_leaves_the_store_and_the_units_unchanged(
    run: Run,
    frozen: object,
    fake_crontab: Path,
    isolated_home: Path,
    db_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run("log", "20", "-t", "SQL")
    before = file_bytes(db_path)
    monkeypatch.setenv("FAKE_SYSTEMCTL_FAIL", "Failed to enable unit: Access denied")
    refused = one_line_error(run("remind", "install", "--via", "systemd"), code=1)
    assert "Access denied" in refused
    assert file_bytes(db_path) == before
    assert not (units(isolated_home) / "microup-reminder.service").exists()
    monkeypatch.setenv("FAKE_CRONTAB_FAIL", "crontab: cannot open table")
    one_line_error(run("cron", "install"), code=1)
    assert file_bytes(db_path) == before


def test_cron_show_reads_the_store_the_job_was_installed_with(
    run: Run, frozen: object, fake_crontab: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen = tmp_path / "elsewhere" / "mine.db"
    assert run("--db", str(chosen), "cron", "install").exit_code == 0
    monkeypatch.setenv("MICROUP_DB", str(tmp_path / "never-created.db"))
    shown = run("cron", "show")
    assert shown.exit_code == 0, shown.stderr
    assert f"store {chosen}" in shown.stdout


def test_cron_remove_works_on_a_table_that_had_no_final_newline(
    run: Run, frozen: object, fake_crontab: Path
) -> None:
    fake_crontab.write_text("0 5 * * * backup")  # Debian's crontab refuses this as it is
    assert run("cron", "install").exit_code == 0
    removed = run("cron", "remove")
    assert removed.exit_code == 0, removed.stderr
    assert "now ends with a newline" in removed.stdout
    assert fake_crontab.read_text() == "0 5 * * * backup\n"


def test_installing_with_one_scheduler_removes_the_other(
    run: Run,
    frozen: object,
    fake_crontab: Path,
    isolated_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert run("remind", "install", "--via", "cron").exit_code == 0
    assert "microup-reminder" in fake_crontab.read_text()
    monkeypatch.setenv("FAKE_SYSTEMCTL_OK", "1")
    assert run("remind", "install").exit_code == 0  # auto: systemd now
    assert not fake_crontab.exists()  # the table held only our job: removed whole
    assert (units(isolated_home) / "microup-reminder.timer").exists()
    assert "unknown scheduler" in one_line_error(run("remind", "install", "--via", "atd"))


@pytest.mark.e2e
def test_the_installed_command_reaches_the_right_store_with_a_bare_environment(
    run: Run, fake_crontab: Path, isolated_home: Path, tmp_path: Path
) -> None:
    """What systemd or launchd run: absolute paths only, no PATH, HOME or virtual env."""
    store = tmp_path / "my store" / "m.db"
    assert run("--db", str(store), "log", "25", "-t", "SQL").exit_code == 0
    assert run("--db", str(store), "remind", "install", "--via", "systemd").exit_code == 0
    job = job_from_units((units(isolated_home) / "microup-reminder.service").read_text())
    argv = [word for word in job.argv() if word not in ("--scheduled", "--notify")]
    done = subprocess.run(
        ["/usr/bin/env", "-i", *argv], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "25/60 min" in done.stdout


def test_a_failed_switch_keeps_the_reminder_that_works(
    run: Run, frozen: object, fake_crontab: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("cron", "install").exit_code == 0
    monkeypatch.setenv("FAKE_SYSTEMCTL_FAIL", "Failed to connect to bus")
    one_line_error(run("remind", "install", "--via", "systemd"), code=1)
    assert "microup-reminder" in fake_crontab.read_text()
    assert "cron: mon at 09:00" in run("remind", "show").stdout
