"""The reminder as a launchd agent on macOS: runs a missed interval once after wake."""

from __future__ import annotations

import os
import plistlib
import shutil
import sys
from pathlib import Path
from typing import Any

from microup.core.errors import MicroupError
from microup.core.reminder import ReminderJob, job_from_argv
from microup.system.files import write_private
from microup.system.programs import message_of, run_program

LABEL = "com.microup.reminder"


def agent_path(home: Path | None = None) -> Path:
    """`~/Library/LaunchAgents/com.microup.reminder.plist`."""
    return (home or Path.home()) / "Library" / "LaunchAgents" / f"{LABEL}.plist"


def plist_bytes(job: ReminderJob) -> bytes:
    """The agent: hourly at the chosen minute, output to the private log, umask 077."""
    agent: dict[str, Any] = {
        "Label": LABEL,
        "Comment": "Written by microup (microup remind install); microup remind remove deletes it.",
        "ProgramArguments": job.argv(),
        "StartCalendarInterval": {"Minute": job.at.minute},
        "StandardOutPath": str(job.log),
        "StandardErrorPath": str(job.log),
        "Umask": 0o077,
        "ProcessType": "Background",
    }
    return plistlib.dumps(agent)


def job_from_plist(data: bytes) -> ReminderJob:
    try:
        agent = plistlib.loads(data)
        return job_from_argv(list(agent["ProgramArguments"]), Path(agent["StandardOutPath"]))
    except (plistlib.InvalidFileException, KeyError, TypeError, ValueError):
        raise MicroupError("the microup launchd agent is not readable; install it again") from None


class LaunchdScheduler:
    """A launchd agent, loaded with `launchctl bootstrap` (not `load`, which reports success
    even when it fails)."""

    name = "launchd"

    def __init__(self, path: Path | None = None) -> None:
        """The agent's plist lives at `path` (default: the user's LaunchAgents folder)."""
        self.path = path or agent_path()

    @staticmethod
    def _domain() -> str:
        return f"gui/{os.getuid()}"

    def _launchctl(self, *args: str, check: bool = True) -> None:
        program = shutil.which("launchctl")
        if program is None:
            raise MicroupError("no `launchctl` command found; launchd is macOS's scheduler")
        done = run_program([program, *args])
        if check and done.returncode != 0:
            raise MicroupError(f"`launchctl {' '.join(args)}` failed: {message_of(done.stderr)}")

    def available(self) -> bool:
        return sys.platform == "darwin" and shutil.which("launchctl") is not None

    def install(self, job: ReminderJob) -> str:
        before = self.path.read_bytes() if self.path.exists() else None
        if before is not None:
            self._launchctl("bootout", self._domain(), str(self.path), check=False)
        try:
            write_private(self.path, plist_bytes(job))
            self._launchctl("bootstrap", self._domain(), str(self.path))
        except (MicroupError, OSError):
            self._put_back(before)
            raise
        return f"a launchd agent ({self.path})"

    def _put_back(self, before: bytes | None) -> None:
        """A refused install loads the agent that was there again, so it keeps working."""
        if before is None:
            self.path.unlink(missing_ok=True)
            return
        write_private(self.path, before)
        self._launchctl("bootstrap", self._domain(), str(self.path), check=False)

    def remove(self) -> str | None:
        if not self.path.exists():
            return None
        self._launchctl("bootout", self._domain(), str(self.path), check=False)
        self.path.unlink()
        return f"Removed the microup launchd agent {self.path}."

    def installed(self) -> ReminderJob | None:
        if not self.path.exists():
            return None
        return job_from_plist(self.path.read_bytes())
