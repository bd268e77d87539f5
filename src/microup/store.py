"""The one module that owns the database: where it lives, how it is opened, every query.

Each command runs one short transaction (`BEGIN IMMEDIATE` when it writes, so a cron job
and the person never lose a write to `SQLITE_BUSY`). A file is inspected read-only before
anything else, so a corrupt, foreign or newer file is reported and left byte-for-byte alone.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, func, insert
from sqlalchemy.engine import URL
from sqlalchemy.exc import DatabaseError, IntegrityError, OperationalError
from sqlmodel import Session, col, delete, select

from microup.domain import DedupeKey, Entry, TopicTotal
from microup.errors import NotFoundError, StoreBusyError, StoreError
from microup.memory import StudyRow
from microup.models import EntryRow, GoalRow, SettingRow, TopicRow
from microup.parse import from_stored, topic_key, utc_offset_minutes
from microup.weeks import GoalHistory

APPLICATION_ID = 0x6D637570  # "mcup" in the SQLite header marks a file as ours
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 15_000
SECONDS_PER_DAY = 86_400


# Migrations: each step takes the schema from version N to N+1 and runs inside the same
# BEGIN IMMEDIATE transaction as the version bump, so a failed step rolls back whole.
_SCHEMA_V1 = (
    """CREATE TABLE topic (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        key TEXT NOT NULL UNIQUE
    )""",
    """CREATE TABLE entry (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        utc_offset INTEGER NOT NULL CHECK (utc_offset BETWEEN -1440 AND 1440),
        minutes INTEGER NOT NULL CHECK (minutes BETWEEN 1 AND 600),
        topic_id INTEGER REFERENCES topic (id),
        note TEXT,
        recall INTEGER CHECK (recall BETWEEN 1 AND 4)
    )""",
    "CREATE INDEX ix_entry_at ON entry (at)",
    "CREATE INDEX ix_entry_topic_at ON entry (topic_id, at, minutes, recall)",
    """CREATE TABLE goal (
        week_start TEXT PRIMARY KEY,
        minutes INTEGER NOT NULL CHECK (minutes >= 1)
    )""",
    "CREATE TABLE setting (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
)


def _run_statements(statements: Iterable[str]) -> Callable[[Connection], None]:
    def migrate(connection: Connection) -> None:
        for statement in statements:
            connection.exec_driver_sql(statement)

    return migrate


# Version 2: learning and reviewing are different acts. Entries with a recall grade were
# reviews; the rest were new material. The covering index gains the kind for the review fold.
_SCHEMA_V2 = (
    """ALTER TABLE entry ADD COLUMN kind TEXT NOT NULL DEFAULT 'learn'
        CHECK (kind IN ('learn', 'review'))""",
    "UPDATE entry SET kind = 'review' WHERE recall IS NOT NULL",
    "DROP INDEX ix_entry_topic_at",
    "CREATE INDEX ix_entry_topic_at ON entry (topic_id, at, minutes, recall, kind)",
)


def _regroup_topics(connection: Connection) -> None:
    """Version 3: topics group on their NFKC case-folded form (full-width letters too).

    Keys are recomputed; where two topics now share a key, the one created first keeps its
    spelling and the other's entries move to it.
    """
    rows = connection.exec_driver_sql("SELECT id, name FROM topic ORDER BY id").all()
    keep: dict[str, int] = {}
    for topic_id, name in rows:
        key = topic_key(name)
        if key in keep:
            connection.exec_driver_sql(
                "UPDATE entry SET topic_id = ? WHERE topic_id = ?", (keep[key], topic_id)
            )
            connection.exec_driver_sql("DELETE FROM topic WHERE id = ?", (topic_id,))
        else:
            keep[key] = topic_id
    connection.exec_driver_sql("UPDATE topic SET key = '#' || id")  # no clash while re-keying
    for key, topic_id in keep.items():
        connection.exec_driver_sql("UPDATE topic SET key = ? WHERE id = ?", (key, topic_id))


MIGRATIONS: tuple[Callable[[Connection], None], ...] = (
    _run_statements(_SCHEMA_V1),
    _run_statements(_SCHEMA_V2),
    _regroup_topics,
)
SCHEMA_VERSION = len(MIGRATIONS)


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


def _read_marks(read: Callable[[str], Any], path: Path) -> int:
    """Our schema version in this database, 0 for a blank one; refuse foreign and newer files."""
    application_id = int(read("PRAGMA application_id"))
    version = int(read("PRAGMA user_version"))
    if application_id != APPLICATION_ID:
        blank = version == 0 and int(read("SELECT count(*) FROM sqlite_master")) == 0
        if application_id == 0 and blank:
            return 0
        raise StoreError(f"{path} is an SQLite database of another program; left untouched")
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path} was written by a newer microup (schema {version}, this one knows "
            f"{SCHEMA_VERSION}); upgrade microup"
        )
    return version


def _inspect(path: Path) -> int:
    """The schema version of an existing file, read without changing or adding a single byte.

    `immutable=1` makes SQLite take no locks and create no -wal or -shm files; what it may
    miss (a change still in another process's WAL) is checked again inside the transaction.
    """
    _check_header(path)
    try:
        reader = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            return _read_marks(lambda sql: reader.execute(sql).fetchone()[0], path)
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


def _migrate(connection: Connection, path: Path) -> None:
    """Bring the schema up to date inside the command's own BEGIN IMMEDIATE transaction.

    The marks are read again under the write lock, so two processes never migrate twice
    and a file that changed since `_inspect` is still refused.
    """
    version = _read_marks(lambda sql: connection.exec_driver_sql(sql).scalar_one(), path)
    if version == SCHEMA_VERSION:
        return
    for step in MIGRATIONS[version:]:
        step(connection)
    connection.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
    connection.exec_driver_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")


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
                _migrate(connection, staging)
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
                _migrate(connection, path)
            else:
                _read_marks(lambda sql: connection.exec_driver_sql(sql).scalar_one(), path)
            yield Store(session)
            session.commit()
    except DatabaseError as error:
        raise _store_failure(path, error) from None
    finally:
        engine.dispose()


def _columns(entry: Entry, topic_id: int | None) -> dict[str, Any]:
    """An entry as the columns of its row: UTC seconds plus the offset it was lived at."""
    return {
        "at": int(entry.at.timestamp()),
        "utc_offset": utc_offset_minutes(entry.at),
        "minutes": entry.minutes,
        "topic_id": topic_id,
        "note": entry.note,
        "recall": entry.recall,
        "kind": entry.kind,
    }


def _to_entry(row: EntryRow, topic: str | None) -> Entry:
    return Entry(
        id=row.id,
        at=from_stored(row.at, row.utc_offset),
        minutes=row.minutes,
        topic=topic,
        note=row.note,
        recall=row.recall,
        kind="review" if row.kind == "review" else "learn",
    )


def _local_day() -> Any:
    """SQL for the local calendar day an entry was logged on, as the person lived it."""
    return func.date(col(EntryRow.at) + col(EntryRow.utc_offset) * 60, "unixepoch")


class Store:
    """Every query microup makes, over one open transaction. Rows in, domain values out."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # Topics -------------------------------------------------------------------------------

    def _topic_id(self, name: str) -> int:
        """The id of the topic spelled `name` in any case, created with this spelling if new."""
        key = topic_key(name)
        found = self.session.exec(select(TopicRow.id).where(TopicRow.key == key)).first()
        if found is not None:
            return found
        row = TopicRow(name=name, key=key)
        self.session.add(row)
        self.session.flush()
        assert row.id is not None
        return row.id

    def _drop_unused_topics(self) -> None:
        used = select(EntryRow.topic_id).where(col(EntryRow.topic_id).is_not(None))
        self.session.exec(delete(TopicRow).where(col(TopicRow.id).not_in(used)))

    def _topic_names(self, ids: Iterable[int | None]) -> dict[int, str]:
        wanted = {topic_id for topic_id in ids if topic_id is not None}
        if not wanted:
            return {}
        rows = self.session.exec(
            select(TopicRow.id, TopicRow.name).where(col(TopicRow.id).in_(wanted))
        )
        return {topic_id: name for topic_id, name in rows if topic_id is not None}

    def find_topic(self, name: str) -> str | None:
        """The stored spelling of a topic, matched case-insensitively."""
        return self.session.exec(
            select(TopicRow.name).where(TopicRow.key == topic_key(name))
        ).first()

    def topic_totals(self) -> list[TopicTotal]:
        """Each topic with its total minutes, sessions and last study, most recent first."""
        last_at = func.max(EntryRow.at)
        query = (
            select(  # type: ignore[call-overload]  # SQLModel types select() up to 4 columns
                TopicRow.name,
                func.sum(EntryRow.minutes),
                func.count(col(EntryRow.id)),
                last_at,
                EntryRow.utc_offset,  # SQLite takes this from the row holding max(at)
            )
            .join(EntryRow, col(EntryRow.topic_id) == TopicRow.id)
            .group_by(col(TopicRow.id))
            .order_by(last_at.desc())
        )
        return [
            TopicTotal(name, int(minutes), int(sessions), from_stored(at, offset))
            for name, minutes, sessions, at, offset in self.session.exec(query)
        ]

    # Entries ------------------------------------------------------------------------------

    def add_entry(self, entry: Entry) -> Entry:
        row = EntryRow(**_columns(entry, self._topic_id(entry.topic) if entry.topic else None))
        self.session.add(row)
        self.session.flush()
        return _to_entry(row, self.find_topic(entry.topic) if entry.topic else None)

    def _row(self, entry_id: int) -> EntryRow:
        row = self.session.get(EntryRow, entry_id)
        if row is None:
            raise NotFoundError(f"no entry with id {entry_id}")
        return row

    def get_entry(self, entry_id: int) -> Entry:
        row = self._row(entry_id)
        return _to_entry(row, self._topic_names([row.topic_id]).get(row.topic_id or 0))

    def replace_entry(self, entry_id: int, entry: Entry) -> Entry:
        """Overwrite every field of an existing entry, keeping its id."""
        row = self._row(entry_id)
        columns = _columns(entry, self._topic_id(entry.topic) if entry.topic else None)
        for name, value in columns.items():
            setattr(row, name, value)
        self.session.add(row)
        self.session.flush()
        self._drop_unused_topics()
        return self.get_entry(entry_id)

    def delete_entry(self, entry_id: int) -> Entry:
        entry = self.get_entry(entry_id)
        self.session.delete(self._row(entry_id))
        self.session.flush()
        self._drop_unused_topics()
        return entry

    def last_logged_id(self) -> int | None:
        """The id of the most recently logged entry (ids only grow, never reused)."""
        return self.session.exec(select(func.max(EntryRow.id))).one()

    def entries(
        self, *, since: datetime | None = None, topic: str | None = None, limit: int | None = None
    ) -> list[Entry]:
        """Entries newest first, optionally from `since` on and for one topic."""
        query = select(EntryRow).order_by(col(EntryRow.at).desc(), col(EntryRow.id).desc())
        if since is not None:
            query = query.where(EntryRow.at >= int(since.timestamp()))
        if topic is not None:
            query = query.join(TopicRow).where(TopicRow.key == topic_key(topic))
        if limit is not None:
            query = query.limit(limit)
        rows = list(self.session.exec(query))
        names = self._topic_names(row.topic_id for row in rows)
        return [_to_entry(row, names.get(row.topic_id or 0)) for row in rows]

    def daily_minutes(self, first: date | None = None, last: date | None = None) -> dict[date, int]:
        """Minutes per local calendar day, summed in SQL (optionally only `first`..`last`)."""
        day = _local_day()
        query = select(day, func.sum(EntryRow.minutes)).group_by(day)
        if first is not None:  # bound by UTC time first so the index on `at` does the work
            lowest = datetime.combine(first, datetime.min.time()).timestamp() - SECONDS_PER_DAY
            query = query.where(EntryRow.at >= int(lowest), day >= first.isoformat())
        if last is not None:
            highest = datetime.combine(last, datetime.max.time()).timestamp() + SECONDS_PER_DAY
            query = query.where(EntryRow.at <= int(highest), day <= last.isoformat())
        return {date.fromisoformat(day): int(total) for day, total in self.session.exec(query)}

    def study_sessions(self, topic: str | None = None) -> Iterator[StudyRow]:
        """Every session with a topic as (topic, UTC epoch seconds, minutes, recall, is_review,
        note), by topic then time: one query along the index on (topic, at), streamed.
        """
        topics = select(TopicRow.id, TopicRow.name)
        if topic is not None:
            topics = topics.where(TopicRow.key == topic_key(topic))
        names = dict(self.session.exec(topics).all())
        sql = "SELECT topic_id, at, minutes, recall, kind, note FROM entry WHERE topic_id "
        sql += "IS NOT NULL" if topic is None else f"IN ({','.join('?' * len(names))})"
        rows = self._raw_rows(
            sql + " ORDER BY topic_id, at, id", [] if topic is None else list(names)
        )
        for topic_id, at, minutes, recall, kind, note in rows:
            yield names[topic_id], at, minutes, recall, kind == "review", note

    def all_entries(self) -> Iterator[Entry]:
        """Every entry, oldest first, streamed with its topic name: for export."""
        names = dict(self.session.exec(select(TopicRow.id, TopicRow.name)).all())
        rows = self._raw_rows(
            "SELECT id, at, utc_offset, minutes, topic_id, note, recall, kind FROM entry"
            " ORDER BY at, id"
        )
        for entry_id, at, offset, minutes, topic_id, note, recall, kind in rows:
            yield Entry(
                from_stored(at, offset),
                minutes,
                names.get(topic_id),
                note,
                recall,
                entry_id,
                "review" if kind == "review" else "learn",
            )

    def _raw_rows(self, sql: str, parameters: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
        """Rows as plain tuples from the DB-API cursor, inside this transaction: the hot paths
        (replaying and exporting 100,000 entries) skip SQLAlchemy's per-row machinery."""
        connection = self.session.connection().connection.driver_connection
        return iter(connection.execute(sql, parameters))  # type: ignore[union-attr]

    def dedupe_counts(self) -> Counter[DedupeKey]:
        """How many entries share each (time, minutes, topic, note): what an import skips."""
        query = select(EntryRow.at, EntryRow.minutes, TopicRow.key, EntryRow.note).outerjoin(
            TopicRow, col(EntryRow.topic_id) == TopicRow.id
        )
        return Counter(
            (at, minutes, key, note) for at, minutes, key, note in self.session.exec(query)
        )

    def add_entries(self, entries: Sequence[Entry]) -> None:
        """Insert many entries in one statement batch (topics created as needed)."""
        names: dict[str, str] = {}
        for entry in entries:
            if entry.topic:
                names.setdefault(topic_key(entry.topic), entry.topic)
        ids = {
            key: topic_id
            for key, topic_id in self.session.exec(
                select(TopicRow.key, TopicRow.id).where(col(TopicRow.key).in_(names))
            )
            if topic_id is not None
        }
        for key, name in names.items():
            if key not in ids:
                ids[key] = self._topic_id(name)
        rows = [
            _columns(entry, ids[topic_key(entry.topic)] if entry.topic else None)
            for entry in entries
        ]
        if rows:
            self.session.connection().execute(insert(EntryRow), rows)

    # Goals and settings -------------------------------------------------------------------

    def goals(self) -> GoalHistory:
        rows = self.session.exec(select(GoalRow.week_start, GoalRow.minutes))
        return GoalHistory.of((date.fromisoformat(start), minutes) for start, minutes in rows)

    def set_goal(self, monday: date, minutes: int) -> None:
        """The goal from the week starting `monday` on; earlier weeks keep theirs."""
        self.session.merge(GoalRow(week_start=monday.isoformat(), minutes=minutes))

    def settings(self) -> dict[str, str]:
        return dict(self.session.exec(select(SettingRow.key, SettingRow.value)).all())

    def set_setting(self, key: str, value: str) -> None:
        self.session.merge(SettingRow(key=key, value=value))
