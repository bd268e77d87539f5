"""The schedulers microup knows, and the choice between them (`--via`)."""

from __future__ import annotations

import sys

from microup.core.errors import MicroupError
from microup.system.schedulers.base import Scheduler

VIAS = ("auto", "systemd", "launchd", "cron")


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
