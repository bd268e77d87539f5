"""The file forensics: what a store file and its `-wal` and `-shm` look like before SQLite
opens them, read without changing or adding a single byte."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import BinaryIO, NamedTuple

from microup.core.errors import StoreError
from microup.store.sqlite.schema import APPLICATION_ID, read_marks

SQLITE_HEADER = b"SQLite format 3\x00"


class _Unsettled(StoreError):
    """What a file looks like for a moment while another microup checkpoints its WAL."""


def _page_size(header: bytes) -> int:
    raw = int.from_bytes(header[16:18], "big")
    return 65_536 if raw == 1 else raw


class _Header(NamedTuple):
    page_size: int
    change_counter: int
    cut_short: bool
    """The header counts more pages than the file holds (a copy cut short, or a crash in
    the middle of a checkpoint: then the -wal beside it still holds the rest)."""


def _check_header(path: Path) -> _Header:
    """Refuse anything but an SQLite file; its page size, change counter and whether the
    file is shorter than its header says.

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
    short = valid_for == change_counter and path.stat().st_size < page_size * page_count
    return _Header(page_size, change_counter, short)


_WAL_MAGIC = (0x377F0682, 0x377F0683)
_WAL_HEADER = 32
_FRAME_HEADER = 24


class _WalScan(NamedTuple):
    foreign: bool
    counters: list[int]
    """The change counter of each copy of page 1 in committed frames, oldest first."""
    committed: bool
    """Whether it holds a committed transaction SQLite would replay."""


def _scan_wal(handle: BinaryIO, page_size: int) -> _WalScan | None:
    """What a -wal holds, frame by frame as SQLite reads it (same salts; up to the last
    commit); None when it is empty or not a WAL (SQLite then ignores it)."""
    header = handle.read(_WAL_HEADER)
    if len(header) < _WAL_HEADER or int.from_bytes(header[:4], "big") not in _WAL_MAGIC:
        return None
    salts = header[16:24]
    if int.from_bytes(header[8:12], "big") != page_size:
        return _WalScan(foreign=True, counters=[], committed=False)
    counters: list[int] = []
    pending: list[int] = []
    committed = False
    offset = _WAL_HEADER
    while True:
        handle.seek(offset)
        frame = handle.read(_FRAME_HEADER)
        if len(frame) < _FRAME_HEADER or frame[8:16] != salts:
            return _WalScan(foreign=False, counters=counters, committed=committed)
        if int.from_bytes(frame[:4], "big") == 1:
            page = handle.read(100)
            if len(page) == 100 and (
                not page.startswith(SQLITE_HEADER)
                or int.from_bytes(page[68:72], "big") != APPLICATION_ID
            ):
                return _WalScan(foreign=True, counters=[], committed=False)
            pending.append(int.from_bytes(page[24:28], "big"))
        if int.from_bytes(frame[4:8], "big"):  # a commit frame: the transaction counts
            counters, pending, committed = counters + pending, [], True
        offset += _FRAME_HEADER + page_size


def _check_wal(path: Path, header: _Header) -> bool:
    """Refuse a `-wal` beside the store that is not the store's own; whether it holds
    committed changes SQLite will replay.

    SQLite replays whatever valid WAL lies beside a database when it opens it, so a WAL
    left from another file (or from before a backup was restored) would silently replace
    the store's pages. Ours always has the store's page size, and every copy of page 1 in
    it carries microup's application id. Every write of ours changes page 1, whose change
    counter SQLite raises with each commit: the file's counter is one before the WAL's
    first or one of its own (a checkpoint copies the WAL into the file); any other file has
    moved past the WAL (a restored backup) or is behind it.
    """
    wal = Path(f"{path}-wal")
    try:
        handle = wal.open("rb")
    except FileNotFoundError:
        return False
    with handle:
        scan = _scan_wal(handle, header.page_size)
    if scan is None:
        return False  # empty or not a WAL: SQLite ignores it and starts a new one
    if scan.foreign:
        # Looked at again too (for up to two seconds): SQLite writes a frame's header before
        # its page, so a frame another microup is writing now can show the stale page that
        # lay there; a -wal that stays foreign is another database's.
        raise _Unsettled(
            f"{wal} belongs to another database, not to {path}; both left untouched "
            "(move the -wal file away if the store is right without it)"
        )
    counters = scan.counters
    if counters and not counters[0] - 1 <= header.change_counter <= counters[-1]:
        # Looked at again (for up to two seconds): another microup may be restarting it.
        raise _Unsettled(
            f"{wal} does not belong to {path} as it is now (left from before a backup was "
            "restored, or from another copy of the store): replaying it would lose changes; "
            "both left untouched (move the -wal file away if the store is right without it)"
        )
    return scan.committed


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


def _replayed_version(path: Path, wal: Path) -> int | None:
    """The schema version of the store once SQLite has replayed a -wal nobody is using into
    it, or None if that does not give a healthy microup store.

    Tried on copies in a temporary folder, so the store itself is never touched: a -wal
    left by a crash (ours, fine: SQLite recovers it, even into a file a crash cut short in
    the middle of a checkpoint) or copied from another database (refused).
    """
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory(prefix="microup-wal-") as folder:
        copy = Path(folder) / "check.db"
        try:
            shutil.copyfile(path, copy)
            shutil.copyfile(wal, Path(f"{copy}-wal"))
        except FileNotFoundError:  # checkpointed and gone since we looked: nothing to replay
            return _read_version(path)
        try:
            reader = sqlite3.connect(copy)
            try:
                if reader.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                    return None
                return read_marks(lambda sql: reader.execute(sql).fetchone()[0], copy)
            finally:
                reader.close()
        except (sqlite3.DatabaseError, StoreError):
            return None


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
            return _inspect_once(path)
        except _Unsettled:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _inspect_once(path: Path) -> int:
    header = _check_header(path)
    replays = _check_wal(path, header)
    wal = Path(f"{path}-wal")
    if replays and not _wal_in_use(path):
        version = _replayed_version(path, wal)
        if version is None:
            # Maybe a microup that closed between our look and our copy: looked at again
            # (for up to two seconds) before it counts as another database's.
            raise _Unsettled(
                f"{wal} belongs to another database, not to {path}; both left untouched "
                "(move the -wal file away if the store is right without it)"
            )
        return version
    if header.cut_short:  # no -wal to finish it, or another microup checkpointing it now
        raise _Unsettled(f"{path} is damaged (the file is cut short); left untouched")
    return _read_version(path)


def _read_version(path: Path) -> int:
    try:
        reader = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            return read_marks(lambda sql: reader.execute(sql).fetchone()[0], path)
        finally:
            reader.close()
    except sqlite3.DatabaseError as error:
        raise _Unsettled(f"{path} is damaged or unreadable ({error}); left untouched") from None
