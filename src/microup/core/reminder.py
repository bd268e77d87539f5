"""What every scheduler runs, and when: pure, so each scheduler's text can be tested alone.

Every scheduler runs the job *hourly* at the chosen minute: a machine awake at any hour of
the chosen day (or asleep through it and woken later) is reminded, and `remind --scheduled`
keeps it to one reminder a week. Paths are absolute, so the job needs no terminal, no
virtual environment and no PATH.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from microup.core.errors import MicroupError, UsageError
from microup.core.text import shown
from microup.core.when import DAY_NAMES, parse_clock, parse_day

JOB_NAME = "microup-reminder"
WRITTEN_BY = "Written by microup (microup remind install); microup remind remove deletes it."


@dataclass(frozen=True)
class ReminderJob:
    """One installed reminder: which microup, which store, where it logs, when it speaks."""

    microup: Path
    db: Path
    log: Path
    weekday: int
    at: time
    notify: bool = True

    def __post_init__(self) -> None:
        """Refuse what no scheduler could run faithfully."""
        for what, path in (
            ("microup executable", self.microup),
            ("store", self.db),
            ("log", self.log),
        ):
            if not path.is_absolute():
                raise ValueError(f"the {what} path must be absolute: {path}")
            if any(ord(c) < 32 or ord(c) == 127 for c in str(path)):
                raise UsageError(
                    f"the {what} path contains a control character: {shown(str(path))}"
                )

    def argv(self) -> list[str]:
        """The command, as a list of arguments."""
        return [
            str(self.microup),
            "--db",
            str(self.db),
            "remind",
            "--scheduled",
            "--day",
            DAY_NAMES[self.weekday],
            "--time",
            f"{self.at:%H:%M}",
            "--notify" if self.notify else "--no-notify",
        ]


def job_from_argv(words: list[str], log: Path) -> ReminderJob:
    """Read back the job a scheduler holds (for `show` and to find its store)."""
    broken = MicroupError("the installed microup reminder is not readable; install it again")
    try:
        microup = Path(words[0])
        values = {}
        for option in ("--db", "--day", "--time"):
            values[option] = words[words.index(option) + 1]
        return ReminderJob(
            microup=microup,
            db=Path(values["--db"]),
            log=log,
            weekday=parse_day(values["--day"]),
            at=parse_clock(values["--time"]),
            notify="--no-notify" not in words,
        )
    except (IndexError, ValueError, UsageError):
        raise broken from None


def _on(day: date, at: time, like: datetime) -> datetime:
    return datetime.combine(day, at.replace(tzinfo=None), tzinfo=like.tzinfo)


def last_occurrence(now: datetime, weekday: int, at: time) -> datetime:
    """The latest `weekday` at `at` that is <= now, in now's tzinfo (wall-clock arithmetic)."""
    check_weekday(weekday)
    day = now.date() - timedelta(days=(now.weekday() - weekday) % 7)
    candidate = _on(day, at, now)
    if candidate > now:
        candidate = _on(day - timedelta(days=7), at, now)
    return candidate


def should_remind(now: datetime, weekday: int, at: time, last_reminded: datetime | None) -> bool:
    """Speak once a week: on the first run at or after the chosen moment, even if late.

    The daily job may miss the chosen minute (laptop asleep); the next run catches up,
    and the runs after it stay quiet until the chosen moment comes round again.
    """
    return last_reminded is None or last_reminded < last_occurrence(now, weekday, at)


COUNTS_AHEAD = timedelta(days=1)
"""A reminder given less than this before the chosen moment (a late one, catching up a missed
week) counts as that moment's own: the same morning never hears it twice."""


def reminded_for(now: datetime, weekday: int, at: time) -> datetime:
    """What a reminder given `now` is marked as (for should_remind's `last_reminded`): now,
    or the chosen moment itself when that comes within a day, so that the runs up to and
    after it stay quiet until the week after."""
    upcoming = last_occurrence(now, weekday, at) + timedelta(days=7)
    return upcoming if upcoming - now < COUNTS_AHEAD else now


def next_reminder(
    now: datetime, weekday: int, at: time, last_reminded: datetime | None
) -> datetime:
    """The next hourly run (at `at`'s minute, not before now) on which should_remind() is
    true. An estimate: it assumes the machine is awake then."""
    check_weekday(weekday)
    next_run = now.replace(minute=at.minute, second=0, microsecond=0)
    if next_run < now:
        next_run += timedelta(hours=1)
    if last_reminded is None or should_remind(next_run, weekday, at, last_reminded):
        return next_run
    if last_reminded.tzinfo is not None and now.tzinfo is not None:
        last_reminded = last_reminded.astimezone(now.tzinfo)
    # The first occurrence strictly after last_reminded: every run from then on speaks.
    due = last_occurrence(last_reminded, weekday, at)
    return max(next_run, _on(due.date() + timedelta(days=7), at, now))


def check_weekday(weekday: int) -> None:
    if not 0 <= weekday <= 6:
        raise ValueError(f"weekday must be 0 (Monday) .. 6 (Sunday), not {weekday!r}")
