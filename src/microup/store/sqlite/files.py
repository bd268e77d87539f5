"""The file forensics: what a store file and its `-wal` and `-shm` look like before SQLite
opens them, read without changing or adding a single byte."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from microup.core.errors import StoreError
from microup.store.sqlite.schema import APPLICATION_ID, read_marks

SQLITE_HEADER = b"SQLite format 3\x00"


class _Unsettled(StoreError):
    """What a file looks like for a moment while another microup checkpoints its WAL."""


def _page_size(header: bytes) -> int:
    raw = int.from_bytes(header[16:18], "big")
    return 65_536 if raw == 1 else raw


def _check_header(path: Path) -> int:
    """Refuse anything but an intact SQLite file; its page size.

    The 100-byte header tells an SQLite file from any other, and its page count tells
    a file cut short (a half-copied or truncated database) before SQLite touches it.
    """
    with path.open("rb") as handle:
        header = handle.read(100)
    if not header:
        raise StoreError(
            f"{path} is an empty file, not a microup database; left untouched "
            "(delete it or choose another --db)"
        )
    if not header.startswith(SQLITE_HEADER) or len(header) < 100:
        raise StoreError(f"{path} is not a microup database (not an SQLite file); left untouched")
    page_size = _page_size(header)
    change_counter, page_count = (int.from_bytes(header[i : i + 4], "big") for i in (24, 28))
    valid_for = int.from_bytes(header[92:96], "big")
    if valid_for == change_counter and path.stat().st_size < page_size * page_count:
        raise _Unsettled(f"{path} is damaged (the file is cut short); left untouched")
    return page_size


_WAL_MAGIC = (0x377F0682, 0x377F0683)
_WAL_HEADER = 32
_FRAME_HEADER = 24


def _check_wal(path: Path, page_size: int) -> None:
    """Refuse a `-wal` beside the store that belongs to another database.

    SQLite replays whatever valid WAL lies beside a database when it opens it, so a WAL
    left from another file (or from before a backup was restored) would silently replace
    the store's pages. Ours always has the store's page size, and every copy of page 1 in
    it carries microup's application id.
    """
    wal = Path(f"{path}-wal")
    try:
        handle = wal.open("rb")
    except FileNotFoundError:
        return
    with handle:
        header = handle.read(_WAL_HEADER)
        if len(header) < _WAL_HEADER or int.from_bytes(header[:4], "big") not in _WAL_MAGIC:
            return  # empty or not a WAL: SQLite ignores it and starts a new one
        salts = header[16:24]
        foreign = int.from_bytes(header[8:12], "big") != page_size
        offset = _WAL_HEADER
        while not foreign:
            handle.seek(offset)
            frame = handle.read(_FRAME_HEADER)
            if len(frame) < _FRAME_HEADER or frame[8:16] != salts:
                break
            if int.from_bytes(frame[:4], "big") == 1:
                page = handle.read(100)
                foreign = len(page) == 100 and (
                    not page.startswith(SQLITE_HEADER)
                    or int.from_bytes(page[68:72], "big") != APPLICATION_ID
                )
            offset += _FRAME_HEADER + page_size
    message = (
        f"{wal} belongs to another database, not to {path}; both left untouched "
        "(move the -wal file away if the store is right without it)"
    )
    if foreign:
        raise StoreError(message)
    if not _wal_in_use(path) and not _replays_cleanly(path, wal):
        # Maybe a microup that closed between our look and our copy: looked at again
        # (for up to two seconds) before it counts as another database's.
        raise _Unsettled(message)


_SHM_DEAD_MAN_SWITCH = 128
"""The byte of the -shm file every open SQLite connection holds a shared lock on (unix VFS)."""


def _wal_in_use(path: Path) -> bool:
    """Whether another process has the store open now: then its -wal is live and ours.

    SQLite's unix VFS keeps a read lock on one byte of the -shm file for as long as a
    connection is open; if we can take a write lock on that byte, nobody has the store open.
    """
    import fcntl

    shm = Path(f"{path}-shm")
    try:
        descriptor = os.open(shm, os.O_RDWR)
    except OSError:
        return False  # no -shm (or not ours to write): no live connection keeps one open
    try:
        fcntl.lockf(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, _SHM_DEAD_MAN_SWITCH)
    except OSError:
        return True
    else:
        fcntl.lockf(descriptor, fcntl.LOCK_UN, 1, _SHM_DEAD_MAN_SWITCH)
        return False
    finally:
        os.close(descriptor)


def _replays_cleanly(path: Path, wal: Path) -> bool:
    """Whether a -wal nobody is using turns the store into a healthy microup store.

    Tried on copies in a temporary folder, so the store itself is never touched: the rare
    case of a -wal left by a crash (ours, fine) or copied from another database (refused).
    """
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory(prefix="microup-wal-") as folder:
        copy = Path(folder) / "check.db"
        try:
            shutil.copyfile(path, copy)
            shutil.copyfile(wal, Path(f"{copy}-wal"))
        except FileNotFoundError:
            return True  # checkpointed and gone since we looked: nothing left to replay
        try:
            reader = sqlite3.connect(copy)
            try:
                healthy = bool(reader.execute("PRAGMA quick_check").fetchone()[0] == "ok")
                read_marks(lambda sql: reader.execute(sql).fetchone()[0], copy)
                return healthy
            finally:
                reader.close()
        except (sqlite3.DatabaseError, StoreError):
            return False


def inspect(path: Path) -> int:
    """The schema version of an existing file, read without changing or adding a single byte.

    `immutable=1` makes SQLite take no locks and create no -wal or -shm files; what it may
    miss (a change still in another process's WAL) is checked again inside the transaction.
    While another microup checkpoints, the file can look cut short or unreadable for a few
    milliseconds: that is tried again for up to two seconds before it counts as damage.
    """
    import time

    deadline = time.monotonic() + 2.0
    while True:
        try:
            page_size = _check_header(path)
            _check_wal(path, page_size)
            return _read_version(path)
        except _Unsettled:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _read_version(path: Path) -> int:
    try:
        reader = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            return read_marks(lambda sql: reader.execute(sql).fetchone()[0], path)
        finally:
            reader.close()
    except sqlite3.DatabaseError as error:
        raise _Unsettled(f"{path} is damaged or unreadable ({error}); left untouched") from None
