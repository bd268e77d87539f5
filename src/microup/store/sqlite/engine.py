"""Opening the SQLite file: checked before SQLite touches it, created whole, one transaction.

Each command runs one short transaction (`BEGIN IMMEDIATE` when it writes, so a cron job
and the person never lose a write to `SQLITE_BUSY`). A file is inspected read-only before
anything else, so a corrupt, foreign or newer file is reported and left byte-for-byte alone.
"""

from __future__ import annotations

import errno
import glob
import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.exc import DatabaseError, IntegrityError, OperationalError

from microup.core.errors import NoStoreError, StoreBusyError, StoreError
from microup.store.base import BUSY_TIMEOUT_MS, commit
from microup.store.queries import Store
from microup.store.sqlite.files import inspect as _inspect
from microup.store.sqlite.schema import SCHEMA_VERSION, migrate, read_marks
from microup.store.sqlite.waiting import announced, begin_immediate
from microup.system.files import make_private_folder, remove_leftovers


def _engine(path: Path, *, write: bool, frozen: bool = False, attach: Path | None = None) -> Engine:
    """An engine for one command; `frozen` reads the file as it is, taking no locks and
    creating no -wal or -shm (for a read-only file or folder, or a full disk)."""
    if frozen:
        url = URL.create("sqlite", database=f"{path.as_uri()}?mode=ro&immutable=1")
        engine = create_engine(url.update_query_dict({"uri": "true"}))
    else:
        engine = create_engine(URL.create("sqlite", database=str(path)))

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        pragmas = (
            ("PRAGMA foreign_keys = ON",)
            if frozen
            else (
                f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
                "PRAGMA journal_mode = WAL",
                "PRAGMA synchronous = FULL",
                "PRAGMA foreign_keys = ON",
            )
        )
        for pragma in pragmas:
            dbapi_connection.execute(pragma)
        if attach is not None:  # an import's staged rows, read in place (see `store.staging`)
            dbapi_connection.execute("ATTACH DATABASE ? AS staging", (str(attach),))

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        if write and not frozen:
            begin_immediate(
                connection.connection.driver_connection,  # type: ignore[arg-type]
                path,
                BUSY_TIMEOUT_MS,
            )
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _blank_engine() -> Engine:
    """An empty store in memory: what a read command shows a new person, creating nothing."""
    from sqlalchemy.pool import StaticPool

    engine = create_engine("sqlite://", poolclass=StaticPool)
    with engine.begin() as connection:
        migrate(connection, Path(":memory:"))
    return engine


def _store_failure(path: Path, error: Exception) -> StoreError:
    """One line for an error of SQLAlchemy's or of the driver's own (raw cursors)."""
    detail = str(getattr(error, "orig", error))
    if isinstance(error, (IntegrityError, sqlite3.IntegrityError)):
        return StoreError(f"the database refused the change ({detail}); nothing was saved")
    operational = isinstance(error, (OperationalError, sqlite3.OperationalError))
    if operational and "locked" in detail:
        return StoreBusyError(f"{path} is busy (locked by another microup for too long); try again")
    if operational and "full" in detail:
        return StoreError(
            f"the disk holding {path} or the temporary folder is full; nothing was saved"
        )
    if operational:
        return StoreError(f"cannot use {path}: {detail}")
    return StoreError(f"{path} is damaged or unreadable ({detail}); left untouched")


def _staged_store(path: Path) -> Path:
    """Build a new, empty store beside `path` (0600), not yet in place: a first command
    works in it, and it is linked to `path` only once that command committed a change."""
    import tempfile

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
    except BaseException:
        _discard(staging)
        raise
    return staging


def _discard(staging: Path) -> None:
    for leftover in (staging, Path(f"{staging}-wal"), Path(f"{staging}-shm")):
        leftover.unlink(missing_ok=True)


@contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """Hold the folder's lock: two microups creating the same store take turns, and the
    second finds the first's store in place (the lock is on the folder: no file for it)."""
    import fcntl

    descriptor = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


@contextmanager
def _first_transaction(path: Path, *, attach: Path | None) -> Iterator[Store]:
    """A writing command where no store is yet: it runs in a new store beside `path`, put in
    place whole only once the command committed. A command that fails leaves nothing behind
    (a typo never looks like lost data). Folders we create are 0700 (whatever the umask)
    and the file 0600."""
    folders = make_private_folder(path.parent)
    placed = False
    try:
        with _folder_lock(path.parent):
            if path.exists() or path.is_symlink():  # another microup created it meanwhile
                with transaction(path, write=True, attach=attach) as store:
                    yield store
                placed = True
                return
            staging = _staged_store(path)
            try:
                with ExitStack() as stack:
                    if attach is not None:  # others wait for it at `path`, told why
                        stack.enter_context(announced(path, "an import"))
                    store = stack.enter_context(transaction(staging, write=True, attach=attach))
                    yield store
                _link(staging, path)
                placed = True
            finally:
                _discard(staging)
    finally:
        for folder in reversed(folders if not placed else []):
            with suppress(OSError):
                folder.rmdir()


def _link(staging: Path, path: Path) -> None:
    """Put the staged store in place whole: nobody ever sees a half-made store at `path`."""
    try:
        os.link(staging, path)
    except OSError:  # a file system without hard links
        staging.replace(path)


CREATE_AT_COMMIT = -1
"""`_prepare`'s word for a missing store that a writing command creates if it commits."""


def _prepare(path: Path, *, write: bool, explicit: bool, create: bool = True) -> int | None:
    """Make sure `path` is a store we may open; its schema version, None for no store, or
    `CREATE_AT_COMMIT`.

    A command that writes creates a missing store when it commits a change; one that only
    reads never does: at a path the person chose, that is an error (a typo would otherwise
    look like lost data).
    """
    remove_leftovers(path.parent, f".{glob.escape(path.name)}.*.new*")
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise StoreError(f"{path} is a broken symbolic link") from None
        stray = Path(f"{path}-wal")
        if stray.exists():
            raise StoreError(
                f"{stray} is left from a database that is no longer there; move it away "
                f"before microup creates a new store at {path}"
            ) from None
        if not write or not create:
            if explicit or not create:
                raise NoStoreError(
                    f"there is no store at {path}; check the path, or log a first session "
                    "there to create one (microup --db PATH log 20)"
                ) from None
            return None
        return CREATE_AT_COMMIT
    if stat.S_ISDIR(info.st_mode):
        raise StoreError(f"{path} is a folder, not a database file")
    if not stat.S_ISREG(info.st_mode):
        raise StoreError(f"{path} is not a regular file; left untouched")
    return _inspect(path)


def _must_read_frozen(path: Path) -> bool:
    """A read that SQLite could not do normally: a file or folder we may not write (SQLite
    would need to create -wal and -shm), when nothing waits in a WAL."""
    writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
    return _wal_is_empty(path) and not writable


def _wal_is_empty(path: Path) -> bool:
    """Whether no -wal waits beside the store (one another microup removes meanwhile is none)."""
    try:
        return Path(f"{path}-wal").stat().st_size == 0
    except FileNotFoundError:
        return True


@contextmanager
def transaction(
    path: Path,
    *,
    write: bool,
    explicit: bool = True,
    create: bool = True,
    attach: Path | None = None,
) -> Iterator[Store]:
    """Open the store at `path` for one command: one transaction, committed only on success.

    `explicit` says the person chose the path (`--db`, `MICROUP_DB`): a read-only command
    then reports a missing store rather than showing an empty one. Without `create`, a
    command that changes what is there (edit, undo, stop) never creates a store either.
    """
    try:
        version = _prepare(path, write=write, explicit=explicit, create=create)
    except DatabaseError as error:
        raise _store_failure(path, error) from None
    except OSError as error:
        raise _os_failure(path, error) from None
    if version == CREATE_AT_COMMIT:
        with _first_transaction(path, attach=attach) as store:
            yield store
        return
    if version is None:
        engine = _blank_engine()
        try:
            with engine.connect() as connection:
                yield Store(connection)
        finally:
            engine.dispose()
        return
    needs_migration = version < SCHEMA_VERSION
    with ExitStack() as stack:
        connection, needs_migration = _connect(
            stack, path, write=write, needs_migration=needs_migration, attach=attach
        )
        try:
            if needs_migration:
                migrate(connection, path)
            store = Store(connection)
            yield store
            store.finish()
            if write or needs_migration:
                _touch_page_one(connection)
            commit(connection, change=write or needs_migration)
        except (DatabaseError, sqlite3.Error) as error:  # the latter from raw cursors
            raise _store_failure(path, error) from None


def _connect(
    stack: ExitStack, path: Path, *, write: bool, needs_migration: bool, attach: Path | None
) -> tuple[Connection, bool]:
    """The command's connection, its transaction begun, and whether it still needs migrating.

    A read that cannot take SQLite's usual path (a file or folder it may not write, a full
    disk) reads the file as it is; an older store is then migrated in a copy in memory.
    """
    frozen = not write and _must_read_frozen(path)
    try:
        if frozen and needs_migration:
            return _open_migrated_copy(stack, path), False
        connection = _open(
            stack, path, write=write or needs_migration, frozen=frozen, attach=attach
        )
        if attach is not None and write:  # an import: others wait for it, told why
            stack.enter_context(announced(path, "an import"))
        return connection, needs_migration
    except OperationalError as error:
        if write or frozen or not _is_full_or_readonly(error) or not _wal_is_empty(path):
            raise _store_failure(path, error) from None
        stack.close()
        try:
            if needs_migration:
                return _open_migrated_copy(stack, path), False
            return _open(stack, path, write=False, frozen=True), False
        except (DatabaseError, sqlite3.Error) as retry_error:
            raise _store_failure(path, retry_error) from None
    except (DatabaseError, sqlite3.Error) as error:
        raise _store_failure(path, error) from None


def _touch_page_one(connection: Connection) -> None:
    """Make a commit that changed something write page 1 too, so its change counter (which
    SQLite raises on every write of page 1) tells a -wal that is not the file's own."""
    if connection.connection.driver_connection.total_changes:  # type: ignore[union-attr]
        version = int(connection.exec_driver_sql("PRAGMA user_version").scalar_one())
        connection.exec_driver_sql(f"PRAGMA user_version = {version}")


def _open_migrated_copy(stack: ExitStack, path: Path) -> Connection:
    """An older store that cannot be written (read-only place, full disk), read through a
    copy in memory brought up to the current schema: the file itself is never touched."""
    from sqlalchemy.pool import StaticPool

    engine = create_engine("sqlite://", poolclass=StaticPool)
    stack.callback(engine.dispose)
    source = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)
    copy = engine.raw_connection()
    try:
        source.backup(copy.driver_connection)  # type: ignore[arg-type]
    finally:
        source.close()
        copy.close()
    connection = stack.enter_context(engine.connect())
    migrate(connection, path)
    return connection


def _open(
    stack: ExitStack, path: Path, *, write: bool, frozen: bool, attach: Path | None = None
) -> Connection:
    """A connection with its transaction begun and the file's marks checked again inside it."""
    engine = _engine(path, write=write, frozen=frozen, attach=attach)
    stack.callback(engine.dispose)
    connection = stack.enter_context(engine.connect())
    read_marks(lambda sql: connection.exec_driver_sql(sql).scalar_one(), path)
    if write:
        _check_pages(connection, path)
    return connection


QUICK_CHECK_BYTES = 64 * 1024 * 1024
"""Stores up to this size are checked whole before every write (about 5 ms a megabyte)."""


def _check_pages(connection: Connection, path: Path) -> None:
    """Find damage before writing into it: SQLite writes into a damaged page without a word,
    or reports it as whatever constraint the damage happens to break."""
    if path.stat().st_size > QUICK_CHECK_BYTES:
        return
    problem = str(connection.exec_driver_sql("PRAGMA quick_check(1)").scalar_one())
    if problem != "ok":
        raise StoreError(
            f"{path} is damaged ({problem}); left untouched (restore a backup, or recover "
            "what is readable with: sqlite3 FILE .recover)"
        )


def _is_full_or_readonly(error: OperationalError) -> bool:
    detail = str(error.orig).lower()
    return any(
        part in detail
        for part in ("disk i/o error", "database or disk is full", "readonly", "unable to open")
    )


def _os_failure(path: Path, error: OSError) -> StoreError:
    if error.errno == errno.ENOSPC:
        return StoreError(f"the disk holding {path} is full; nothing was saved")
    return StoreError(f"cannot use {path}: {error.strerror or error}")
