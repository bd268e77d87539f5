"""The weekly reminder as one line in the user's crontab.

Pure text transforms, tested exhaustively; `system.schedulers.cron` runs `crontab` itself.
No crontab library: the user's table is text we must give back byte for byte.
"""

from __future__ import annotations

import re
import shlex
from datetime import time
from pathlib import Path

from microup.core.errors import MicroupError, UsageError
from microup.core.reminder import check_weekday
from microup.core.when import DAY_NAMES

MARKER = "# microup-reminder"
"""Trailing comment that identifies our job; `/bin/sh` ignores it, so cron is unaffected."""

ADDED_NEWLINE = " (added newline above)"
"""Appended to MARKER when install had to end the user's last line; remove undoes it."""


# A job line: not a comment, and ending with whitespace + MARKER (+ optional tag).
_JOB = re.compile(
    r"(?<=\s)" + re.escape(MARKER) + r"(?P<nl>" + re.escape(ADDED_NEWLINE) + r")?[ \t\r]*\n?\Z"
)


def _shell_path(path: Path, what: str) -> str:
    """Quote a path for the cron line, refusing what cron would mangle."""
    text = str(path)
    if not path.is_absolute():
        raise ValueError(f"{what} path must be absolute (cron runs elsewhere): {text}")
    if "%" in text:
        raise UsageError(
            f"the {what} path contains '%', which cron turns into a newline; "
            f"use a path without '%': {text}"
        )
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise UsageError(f"the {what} path contains a control character; cron cannot run it")
    return shlex.quote(text)


def job_line(
    *, microup: Path, db: Path, log: Path, weekday: int, at: time, notify: bool = True
) -> str:
    """The crontab line (no newline): hourly at `at`'s minute (so a machine awake at any hour
    of the chosen day is reminded; `remind --scheduled` speaks once a week), self-contained
    for cron's bare environment.

    Absolute, quoted paths because cron has PATH=/usr/bin:/bin and no venv; `umask 077` and
    `mkdir -p` because the log (it holds topic names) must stay private and its folder may
    have been deleted since install; no '%' anywhere.
    """
    check_weekday(weekday)
    if at.second or at.microsecond:
        raise ValueError(f"cron runs on whole minutes; got {at.isoformat()}")
    exe = _shell_path(microup, "microup executable")
    store = _shell_path(db, "store")
    log_file = _shell_path(log, "log")
    log_dir = _shell_path(log.parent, "log folder")
    clock = f"{at.hour:02d}:{at.minute:02d}"
    loud = "--notify" if notify else "--no-notify"
    command = (
        f"umask 077 && mkdir -p {log_dir} && {exe} --db {store} remind --scheduled"
        f" --day {DAY_NAMES[weekday]} --time {clock} {loud} >> {log_file} 2>&1"
    )
    return f"{at.minute} * * * * {command} {MARKER}"


def _lines(table: str) -> list[str]:
    """Split on '\\n' only, keeping it, so that ''.join(_lines(t)) == t."""
    parts = table.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _match_job(line: str) -> re.Match[str] | None:
    if line.lstrip().startswith("#"):
        return None  # a comment, even a commented-out job of ours, is the user's
    return _JOB.search(line)


def _check_job_line(line: str) -> None:
    match = _match_job(line)
    if "\n" in line or match is None or match.group("nl") or not line.endswith(MARKER):
        raise ValueError(f"not a microup job line: {line!r}")


def install(table: str, line: str) -> str:
    """The table with `line` as the single microup job; everything else kept byte for byte.

    An existing job is replaced in place.  If the table lacks a final newline one is added
    (cron needs it) and recorded in the marker so that remove() gives back `table` exactly.
    """
    _check_job_line(line)
    out: list[str] = []
    placed = False
    for current in _lines(table):
        match = _match_job(current)
        if match is None:
            out.append(current)
        elif not placed:
            out.append(line + (ADDED_NEWLINE if match.group("nl") else "") + "\n")
            placed = True
        # else: a duplicate of our job (hand-copied); drop it so exactly one remains.
    if not placed:
        if table and not table.endswith("\n"):
            out.append("\n" + line + ADDED_NEWLINE + "\n")
        else:
            out.append(line + "\n")
    return "".join(out)


def remove(table: str) -> str:
    """The table without any microup job, everything else byte for byte, except that a
    newline install had to add after the user's last line stays: Debian's crontab refuses a
    table without a final newline, so taking it away again would make the removal fail."""
    return "".join(current for current in _lines(table) if _match_job(current) is None)


def added_newline(table: str) -> bool:
    """Whether install had to end the user's last line (remove keeps that newline)."""
    return any(
        (match := _match_job(current)) is not None and bool(match.group("nl"))
        for current in _lines(table)
    )


def find(table: str) -> str | None:
    """The installed job line as job_line() made it (no newline, no tag), or None."""
    for current in _lines(table):
        match = _match_job(current)
        if match is not None:
            return current[: match.start()] + MARKER
    return None


def job_words(line: str) -> tuple[list[str], Path]:
    """The microup command an installed job line runs, as words, and the log it appends to."""
    broken = MicroupError(
        "the microup job in your crontab is not readable; run `microup cron install` again"
    )
    fields = line.split(None, 5)
    try:
        words = shlex.split(fields[5], comments=True) if len(fields) == 6 else []
    except ValueError:
        raise broken from None
    if ">>" not in words or "&&" not in words:
        raise broken
    start = len(words) - words[::-1].index("&&")
    end = words.index(">>")
    if end <= start or end + 1 >= len(words):
        raise broken
    return words[start:end], Path(words[end + 1])


# --------------------------------------------------------------------------------------
# I/O half: the system `crontab` command.
# --------------------------------------------------------------------------------------
