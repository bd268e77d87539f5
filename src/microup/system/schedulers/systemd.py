"""The reminder as a systemd user timer: catches up after sleep or power-off (Persistent)."""

from __future__ import annotations

import os
import shlex
import shutil
from contextlib import suppress
from pathlib import Path

from microup.core.errors import MicroupError
from microup.core.reminder import JOB_NAME, WRITTEN_BY, ReminderJob, job_from_argv
from microup.system.files import write_private
from microup.system.programs import message_of, run_program

SERVICE = f"{JOB_NAME}.service"
TIMER = f"{JOB_NAME}.timer"


def unit_folder(environ: os._Environ[str] | dict[str, str] | None = None) -> Path:
    """`$XDG_CONFIG_HOME/systemd/user`, where systemd looks for a user's own units."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME", "~")).expanduser() / ".config")
    return Path(base) / "systemd" / "user"


def _escape(word: str) -> str:
    """One word for ExecStart: systemd expands `%` specifiers and `$` variables, and splits on
    whitespace unless quoted."""
    word = word.replace("%", "%%").replace("$", "$$")
    if word and all(c.isalnum() or c in "/._-:+,=@" for c in word):
        return word
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _unescape_words(command: str) -> list[str]:
    return [word.replace("%%", "%").replace("$$", "$") for word in shlex.split(command)]


def service_text(job: ReminderJob) -> str:
    """The service the timer starts: the reminder, output appended to the private log."""
    log = str(job.log).replace("%", "%%")
    return (
        f"# {WRITTEN_BY}\n"
        "[Unit]\n"
        "Description=microup weekly learning reminder\n\n"
        "[Service]\n"
        "Type=oneshot\n"
        "UMask=0077\n"
        f"ExecStart={' '.join(_escape(word) for word in job.argv())}\n"
        f"StandardOutput=append:{log}\n"
        f"StandardError=append:{log}\n"
    )


def timer_text(job: ReminderJob) -> str:
    """Hourly at the chosen minute, and at once after a sleep that missed a run."""
    return (
        f"# {WRITTEN_BY}\n"
        "[Unit]\n"
        "Description=microup weekly learning reminder (checks hourly, speaks once a week)\n\n"
        "[Timer]\n"
        f"OnCalendar=*-*-* *:{job.at.minute:02d}:00\n"
        "Persistent=true\n\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )


def job_from_units(service: str) -> ReminderJob:
    """Read a job back from the service file microup wrote."""
    broken = MicroupError("the microup systemd units are not readable; install them again")
    command = log = None
    for line in service.splitlines():
        if line.startswith("ExecStart="):
            command = line.removeprefix("ExecStart=")
        elif line.startswith("StandardOutput=append:"):
            log = line.removeprefix("StandardOutput=append:").replace("%%", "%")
    if command is None or log is None:
        raise broken
    try:
        words = _unescape_words(command)
    except ValueError:
        raise broken from None
    return job_from_argv(words, Path(log))


class SystemdScheduler:
    """A systemd user timer and service in the user's own unit folder."""

    name = "systemd"

    def __init__(self, folder: Path | None = None) -> None:
        """Units go to `folder` (default: the user's systemd folder)."""
        self.folder = folder or unit_folder()

    def _systemctl(self, *args: str) -> None:
        program = shutil.which("systemctl")
        if program is None:
            raise MicroupError("no `systemctl` command found; use --via cron")
        done = run_program([program, "--user", *args])
        if done.returncode != 0:
            raise MicroupError(
                f"`systemctl --user {' '.join(args)}` failed: {message_of(done.stderr)}"
            )

    def available(self) -> bool:
        program = shutil.which("systemctl")
        if program is None:
            return False
        try:
            return run_program([program, "--user", "show-environment"]).returncode == 0
        except MicroupError:
            return False

    def _ours(self) -> bool:
        service = self.folder / SERVICE
        return service.is_file() and WRITTEN_BY in service.read_text(encoding="utf-8")

    def install(self, job: ReminderJob) -> str:
        service, timer = self.folder / SERVICE, self.folder / TIMER
        for unit in (service, timer):
            if unit.exists() and WRITTEN_BY not in unit.read_text(encoding="utf-8"):
                raise MicroupError(f"{unit} was not written by microup; left untouched")
        before = {unit: unit.read_bytes() if unit.exists() else None for unit in (service, timer)}
        try:
            write_private(service, service_text(job).encode())
            write_private(timer, timer_text(job).encode())
            self._systemctl("daemon-reload")
            self._systemctl("enable", "--now", TIMER)
        except (MicroupError, OSError):
            self._put_back(before)
            raise
        return f"a systemd user timer ({timer})"

    def _put_back(self, before: dict[Path, bytes | None]) -> None:
        """A refused install leaves the units as they were: a working reminder keeps working."""
        for unit, data in before.items():
            if data is None:
                unit.unlink(missing_ok=True)
            else:
                write_private(unit, data)
        if any(data is not None for data in before.values()):
            with suppress(MicroupError):  # the install's own failure is the one to report
                self._systemctl("daemon-reload")

    def remove(self) -> str | None:
        if not self._ours():
            return None
        self._systemctl("disable", "--now", TIMER)
        for unit in (TIMER, SERVICE):
            (self.folder / unit).unlink(missing_ok=True)
        self._systemctl("daemon-reload")
        return f"Removed the microup systemd user timer and service from {self.folder}."

    def installed(self) -> ReminderJob | None:
        if not self._ours():
            return None
        return job_from_units((self.folder / SERVICE).read_text(encoding="utf-8"))
