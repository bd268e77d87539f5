"""The one interface every scheduler implements, and the choice between them."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Protocol

from microup.core.errors import MicroupError
from microup.core.reminder import ReminderJob

VIAS = ("auto", "systemd", "launchd", "cron")


class Scheduler(Protocol):
    """A way to run the reminder job every hour: install it, remove it, read it back."""

    name: str

    def available(self) -> bool:
        """Whether this scheduler can run jobs for this user here."""
        ...

    def install(self, job: ReminderJob) -> str:
        """Install (or replace) the job; where it now lives, for the person to see."""
        ...

    def remove(self) -> str | None:
        """Remove the job; what was done, or None if none was installed."""
        ...

    def installed(self) -> ReminderJob | None:
        """The job as installed, or None."""
        ...


def write_private(path: Path, data: bytes) -> None:
    """Write a file whole (temporary file, then rename), readable by the user only."""
    import tempfile

    from microup.system.paths import make_private_folder

    make_private_folder(path.parent)
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        Path(name).replace(path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def prepare_log(log: Path) -> None:
    """The log's folder 0700 and the log 0600 (it holds topic names), before any job runs."""
    from microup.system.paths import make_private_folder

    make_private_folder(log.parent)
    descriptor = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.close(descriptor)
    log.chmod(0o600)


def all_schedulers() -> list[Scheduler]:
    """Every scheduler microup knows, in the order `auto` prefers them."""
    from microup.system.schedulers.cron import CronScheduler
    from microup.system.schedulers.launchd import LaunchdScheduler
    from microup.system.schedulers.systemd import SystemdScheduler

    return [SystemdScheduler(), LaunchdScheduler(), CronScheduler()]


def choose(via: str) -> Scheduler:
    """The scheduler `--via` names; `auto`: systemd where `systemctl --user` works, launchd on
    macOS, else cron."""
    schedulers = all_schedulers()
    if via != "auto":
        return next(s for s in schedulers if s.name == via)
    for scheduler in schedulers:
        if scheduler.available():
            return scheduler
    raise MicroupError(
        "no scheduler found: neither `systemctl --user`, launchd nor `crontab` is available "
        f"on this {sys.platform} machine (Debian/Ubuntu: sudo apt-get install cron)"
    )
