"""What every scheduler runs, and when: pure, so each scheduler's text can be tested alone.

Every scheduler runs the job *hourly* at the chosen minute: a machine awake at any hour of
the chosen day (or asleep through it and woken later) is reminded, and `remind --scheduled`
keeps it to one reminder a week. Paths are absolute, so the job needs no terminal, no
virtual environment and no PATH.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from pathlib import Path

from microup.core.crontab import DAY_NAMES, parse_clock, parse_day
from microup.core.errors import MicroupError, UsageError
from microup.core.text import shown

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
