"""The one interface every scheduler implements (one file each: cron, systemd, launchd)."""

from __future__ import annotations

from typing import Protocol

from microup.core.reminder import ReminderJob


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
