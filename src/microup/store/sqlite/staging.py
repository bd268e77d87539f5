"""A scratch SQLite file for an import: the file's entries, checked, before the store is touched.

An import reads and checks the whole file first (all or nothing), which for a million entries
takes seconds; staging the rows in a temporary file keeps memory flat and keeps the store's
write lock for the short part that writes (see `Store.import_entries`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path
from types import TracebackType
from typing import Any

from microup.core.errors import MicroupError
from microup.core.text import topic_key
from microup.core.values import Entry
from microup.core.when import utc_offset_minutes

BATCH_ROWS = 10_000
STAGING_PREFIX = "microup-import-"
STALE_SECONDS = 3600


def remove_stale_staging() -> None:
    """Remove what an import killed mid-way left in the temporary folder: a staging folder
    whose files have not changed for an hour (a running import keeps writing its own)."""
    import shutil
    import tempfile
    import time

    cutoff = time.time() - STALE_SECONDS
    for folder in Path(tempfile.gettempdir()).glob(f"{STAGING_PREFIX}*"):
        try:
            times = [item.stat().st_mtime for item in (folder, *folder.iterdir())]
        except OSError:
            continue
        if folder.is_dir() and not folder.is_symlink() and max(times) < cutoff:
            shutil.rmtree(folder, ignore_errors=True)


STAGED_COLUMNS = ("seq", "at", "utc_offset", "minutes", "topic", "key", "note", "recall", "kind")
"""An import row: its place in the file, then an entry as `Store.import_entries` writes it."""


def _no_room(error: sqlite3.Error) -> MicroupError:
    import tempfile

    return MicroupError(
        f"cannot stage the import in {tempfile.gettempdir()} ({error}); nothing was imported "
        "(TMPDIR chooses another folder)"
    )


class Staging:
    """Entries staged in a scratch file in `folder` (a temporary folder the caller removes)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "staging.db"
        self.connection = sqlite3.connect(self.path, isolation_level=None)
        try:
            self.connection.execute("PRAGMA journal_mode = OFF")
            self.connection.execute("PRAGMA synchronous = OFF")
            self.connection.execute(
                "CREATE TABLE staged (seq INTEGER PRIMARY KEY, at INTEGER, utc_offset INTEGER,"
                " minutes INTEGER, topic TEXT, key TEXT, note TEXT, recall INTEGER, kind TEXT)"
            )
        except sqlite3.Error as error:
            self.connection.close()
            raise _no_room(error) from None

    def __enter__(self) -> Staging:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.connection.close()

    def add(self, entries: Iterable[Entry]) -> int:
        """Stage every entry in order, in batches; how many there were."""
        rows = (
            (
                seq,
                int(entry.at.timestamp()),
                utc_offset_minutes(entry.at),
                entry.minutes,
                entry.topic,
                topic_key(entry.topic) if entry.topic else None,
                entry.note,
                entry.grade,
                entry.kind,
            )
            for seq, entry in enumerate(entries, 1)
        )
        count = 0
        try:
            self.connection.execute("BEGIN")
            while batch := list(islice(rows, BATCH_ROWS)):
                self.connection.executemany(
                    "INSERT INTO staged VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", batch
                )
                count += len(batch)
            self.connection.execute("COMMIT")
        except sqlite3.Error as error:
            raise _no_room(error) from None
        return count

    def unlearnt_reviews(self) -> list[str]:
        """A topic for each topic key the file reviews without learning it anywhere in the
        file: the store must have learnt those already (the rule of `log --review`)."""
        rows = self.connection.execute(
            "SELECT min(topic) FROM staged WHERE kind = 'review' AND key IN"
            " (SELECT key FROM staged WHERE kind = 'review'"
            " EXCEPT SELECT key FROM staged WHERE kind = 'learn') GROUP BY key"
        )
        return [str(topic) for (topic,) in rows]

    def batches(self) -> Iterator[Sequence[tuple[Any, ...]]]:
        """The staged rows in file order, a batch at a time."""
        cursor = self.connection.execute(
            f"SELECT {', '.join(STAGED_COLUMNS)} FROM staged ORDER BY seq"
        )
        while batch := cursor.fetchmany(BATCH_ROWS):
            yield batch
