"""Opening the SQLite file: checked before SQLite touches it, created whole, one transaction.

Each command runs one short transaction (`BEGIN IMMEDIATE` when it writes, so a cron job
and the person never lose a write to `SQLITE_BUSY`). A file is inspected read-only before
anything else, so a corrupt, foreign or newer file is reported and left byte-for-byte alone.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.exc import DatabaseError, IntegrityError, OperationalError
from sqlmodel import Session

from microup.errors import StoreBusyError, StoreError
from microup.store.queries import Store
from microup.store.schema import SCHEMA_VERSION, migrate, read_marks

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 15_000


def _check_header(path: Path) -> None:
    """Refuse anything but an intact SQLite file.

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
    raw_page_size = int.from_bytes(header[16:18], "big")
    page_size = 65_536 if raw_page_size == 1 else raw_page_size
    change_counter, page_count = (int.from_bytes(header[i : i + 4], "big") for i in (24, 28))
    valid_for = int.from_bytes(header[92:96], "big")
    if valid_for == change_counter and path.stat().st_size < page_size * page_count:
        raise StoreError(f"{path} is damaged (the file is cut short); left untouched")


def _inspect(path: Path) -> int:
    """The schema version of an existing file, read without changing or adding a single byte.

    `immutable=1` makes SQLite take no locks and create no -wal or -shm files; what it may
    miss (a change still in another process's WAL) is checked again inside the transaction.
    """
    _check_header(path)
    try:
        reader = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            return read_marks(lambda sql: reader.execute(sql).fetchone()[0], path)
        finally:
            reader.close()
    except sqlite3.DatabaseError as error:
        raise StoreError(f"{path} is damaged or unreadable ({error}); left untouched") from None


def _engine(path: Path, *, write: bool) -> Engine:
    engine = create_engine(URL.create("sqlite", database=str(path)))

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        for pragma in (
            f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
            "PRAGMA journal_mode = WAL",
            "PRAGMA synchronous = FULL",
            "PRAGMA foreign_keys = ON",
        ):
            dbapi_connection.execute(pragma)

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _store_failure(path: Path, error: Exception) -> StoreError:
    detail = str(getattr(error, "orig", error))
    if isinstance(error, IntegrityError):
        return StoreError(f"the database refused the change ({detail}); nothing was saved")
    if isinstance(error, OperationalError) and "locked" in detail:
        return StoreBusyError(f"{path} is busy (locked by another microup for too long); try again")
    if isinstance(error, OperationalError):
        return StoreError(f"cannot use {path}: {detail}")
    return StoreError(f"{path} is damaged or unreadable ({detail}); left untouched")


def _create_store(path: Path) -> None:
    """Build a new store beside `path` and link it into place whole.

    The folder is made 0700 when we create it and the file 0600. Nobody ever sees a
    half-made store at `path`, so an empty file there is never ours and is refused; when two
    processes create the same store at once, the first link wins and the other uses it.
    """
    import tempfile

    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".new")
    os.close(descriptor)
    staging = Path(name)
    try:
        engine = _engine(staging, write=True)
        try:
            with engine.begin() as connection:
                migrate(connection, staging)
        finally:
            engine.dispose()
        try:
            os.link(staging, path)
        except FileExistsError:
            pass  # another microup created it first: use that one
        except OSError:  # a file system without hard links
            if not path.exists():
                staging.replace(path)
    finally:
        for leftover in (staging, Path(f"{staging}-wal"), Path(f"{staging}-shm")):
            leftover.unlink(missing_ok=True)


def _prepare(path: Path) -> int:
    """Make sure `path` is a store we may open; its schema version (created if missing)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise StoreError(f"{path} is a broken symbolic link") from None
        _create_store(path)
        info = path.stat()
    if stat.S_ISDIR(info.st_mode):
        raise StoreError(f"{path} is a folder, not a database file")
    if not stat.S_ISREG(info.st_mode):
        raise StoreError(f"{path} is not a regular file; left untouched")
    return _inspect(path)


@contextmanager
def transaction(path: Path, *, write: bool) -> Iterator[Store]:
    """Open the store at `path` for one command: one transaction, committed only on success."""
    try:
        needs_migration = _prepare(path) < SCHEMA_VERSION
    except DatabaseError as error:
        raise _store_failure(path, error) from None
    except OSError as error:
        raise StoreError(f"cannot use {path}: {error.strerror or error}") from None
    engine = _engine(path, write=write or needs_migration)
    try:
        with Session(engine) as session:
            connection = session.connection()
            if needs_migration:
                migrate(connection, path)
            else:
                read_marks(lambda sql: connection.exec_driver_sql(sql).scalar_one(), path)
            yield Store(session)
            session.commit()
    except DatabaseError as error:
        raise _store_failure(path, error) from None
    finally:
        engine.dispose()
