"""The reminder as one line in the user's crontab (the text itself lives in `crontab.py`)."""

from __future__ import annotations

import shutil

from microup.core import crontab
from microup.core.reminder import ReminderJob, job_from_argv


class CronScheduler:
    """The user's crontab: for machines without a systemd user session."""

    name = "cron"

    def available(self) -> bool:
        return shutil.which("crontab") is not None

    def install(self, job: ReminderJob) -> str:
        line = crontab.job_line(
            microup=job.microup,
            db=job.db,
            log=job.log,
            weekday=job.weekday,
            at=job.at,
            notify=job.notify,
        )
        crontab.write_table(crontab.install(crontab.read_table(), line))
        return "your crontab"

    def remove(self) -> str | None:
        table = crontab.read_table()
        if crontab.find(table) is None:
            return None
        crontab.write_table(crontab.remove(table))
        note = (
            " (its last line now ends with a newline, which cron needs)"
            if crontab.added_newline(table)
            else ""
        )
        return f"Removed the microup job from your crontab{note}."

    def installed(self) -> ReminderJob | None:
        if not self.available():
            return None
        line = crontab.find(crontab.read_table())
        if line is None:
            return None
        words, log = crontab.job_words(line)
        return job_from_argv(words, log)
