"""Waiting for another microup's write: as long as a long write (an import) takes, saying so.

SQLite lets one writer in at a time. A `log` waits for another command's write up to the
busy timeout; an import of a million rows holds the lock for longer than that in its one
final write, so an import announces itself in a small file beside the store
(`PATH-writing`: its process id and what it does) and a writer waits for as long as that
process is alive and holds the lock. After a second of waiting the writer says why.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

SAY_AFTER = 1.0
"""Seconds of waiting after which the person is told what they wait for."""


def marker(path: Path) -> Path:
    """The file in which a long write announces itself, beside the store."""
    return Path(f"{path}-writing")


@contextmanager
def announced(path: Path, what: str) -> Iterator[None]:
    """Announce a long write (`what`, such as "an import") for as long as the block runs."""
    note = marker(path)
    try:
        note.write_text(f"{os.getpid()}\n{what}\n", encoding="utf-8")
    except OSError:  # best effort: without it, others wait the usual busy timeout
        yield
        return
    try:
        yield
    finally:
        with suppress(OSError):
            note.unlink()


def long_writer(path: Path) -> str | None:
    """What the live process announced in the marker beside `path`, or None."""
    try:
        pid_text, _, what = marker(path).read_text(encoding="utf-8").partition("\n")
        pid = int(pid_text)
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    if pid == os.getpid() or pid <= 0:
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # alive, someone else's
    return what.strip() or "a long write"


def begin_immediate(connection: sqlite3.Connection, path: Path, timeout_ms: int) -> None:
    """`BEGIN IMMEDIATE`, waiting while another microup writes: up to `timeout_ms`, or
    for as long as an announced long write goes on; after a second it says so on stderr."""
    start = time.monotonic()
    said = False
    limit = timeout_ms / 1000
    try:
        while True:
            remaining = limit - (time.monotonic() - start)
            step = min(SAY_AFTER, remaining) if remaining > 0 else SAY_AFTER
            connection.execute(f"PRAGMA busy_timeout = {int(step * 1000)}")
            try:
                connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) and "busy" not in str(error):
                    raise
            waited = time.monotonic() - start
            holder = long_writer(path)
            if holder is None and waited >= limit:
                raise sqlite3.OperationalError("database is locked")
            if not said and waited >= SAY_AFTER:
                _say(f"microup: waiting for another microup to finish {holder or 'writing'}...")
                said = True
    finally:
        connection.execute(f"PRAGMA busy_timeout = {timeout_ms}")


def _say(line: str) -> None:
    with suppress(OSError, ValueError, AttributeError):
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
