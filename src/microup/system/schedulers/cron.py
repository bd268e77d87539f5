"""The reminder as one line in the user's crontab: the only code that runs `crontab`
(the line and the table's text transforms are pure, in `core.crontab`)."""

from __future__ import annotations

import shutil

from microup.core import crontab
from microup.core.errors import MicroupError
from microup.core.reminder import ReminderJob, job_from_argv
from microup.system.programs import TIMEOUT, find_program, message_of, run_program


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
        write_table(crontab.install(read_table(), line))
        return "your crontab"

    def remove(self) -> str | None:
        table = read_table()
        if crontab.find(table) is None:
            return None
        write_table(crontab.remove(table))
        note = (
            " (its last line now ends with a newline, which cron needs)"
            if crontab.added_newline(table)
            else ""
        )
        return f"Removed the microup job from your crontab{note}."

    def installed(self) -> ReminderJob | None:
        if not self.available():
            return None
        line = crontab.find(read_table())
        if line is None:
            return None
        words, log = crontab.job_words(line)
        return job_from_argv(words, log)


def _crontab_command() -> str:
    return find_program(
        "crontab",
        "install cron (Debian/Ubuntu: sudo apt-get install cron) or use another scheduler",
    )


def read_table(*, timeout: float = TIMEOUT) -> str:
    """The user's crontab (`crontab -l`); '' when they have none yet.

    Decoded with surrogateescape so that write_table() gives back the very same bytes.
    """
    done = run_program([_crontab_command(), "-l"], None, timeout)
    if done.returncode != 0:
        message = message_of(done.stderr)
        if "no crontab for" in message.lower():
            return ""
        raise MicroupError(f"`crontab -l` failed: {message}")
    return done.stdout.decode("utf-8", "surrogateescape")


def write_table(text: str, *, timeout: float = TIMEOUT) -> None:
    """Replace the user's crontab with `text` (`crontab -`); an empty text removes the crontab
    (`crontab -r`), so removing our job from a crontab we created leaves none, as before."""
    if not text:
        done = run_program([_crontab_command(), "-r"], None, timeout)
        if done.returncode != 0 and "no crontab for" not in message_of(done.stderr).lower():
            raise MicroupError(f"`crontab -r` failed: {message_of(done.stderr)}")
        return
    data = text.encode("utf-8", "surrogateescape")
    done = run_program([_crontab_command(), "-"], data, timeout)
    if done.returncode != 0:
        raise MicroupError(f"`crontab -` refused the new table: {message_of(done.stderr)}")
