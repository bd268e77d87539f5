"""Every query microup makes, over one open transaction: rows in, domain values out."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, delete, select

from microup.core.errors import NotFoundError
from microup.core.memory import StudyRow
from microup.core.text import topic_key
from microup.core.values import Entry, Timer, TopicTotal
from microup.core.weeks import GoalHistory
from microup.core.when import from_stored, utc_offset_minutes
from microup.store.base import BUSY_TIMEOUT_MS
from microup.store.journal import Journal
from microup.store.sqlite.schema import INSERT_TRIGGERS, OFFSET_SPAN, REBUILD_DERIVED
from microup.store.tables import (
    DayTotalRow,
    EntryRow,
    GoalRow,
    ReviewCacheRow,
    SettingRow,
    TimerRow,
    TopicRow,
    TopicTotalRow,
)

if TYPE_CHECKING:
    from microup.store.sqlite.staging import Staging

BULK_IMPORT_ROWS = 50_000
"""From this many rows on, an import into SQLite rebuilds the totals once instead of per row."""


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


EPOCH_DAY = date(1970, 1, 1)


def _day_number(day: date) -> int:
    return (day - EPOCH_DAY).days


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
        # Two writers may create the same topic at once (on PostgreSQL, where writes do not
        # queue behind one file lock): the loser's insert does nothing and reads the winner's.
        self.session.connection().execute(
            text("INSERT INTO topic (name, key) VALUES (:name, :key) ON CONFLICT DO NOTHING"),
            {"name": name, "key": key},
        )
        return self.session.exec(select(TopicRow.id).where(TopicRow.key == key)).one()  # type: ignore[return-value]

    def drop_unused_topics(self) -> None:
        """Topics with no entries left are forgotten (their spelling with them)."""
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
        """Each topic with its total minutes, sessions and last study, most recent first
        (from `topic_total`, which triggers keep: a row a topic, whatever the history)."""
        query = (
            select(TopicRow.name, TopicTotalRow.minutes, TopicTotalRow.sessions, TopicTotalRow.last)
            .join(TopicTotalRow, col(TopicTotalRow.topic_id) == TopicRow.id)
            .order_by(col(TopicTotalRow.last).desc())
        )
        totals = []
        for name, minutes, sessions, packed in self.session.exec(query):
            at, offset = divmod(int(packed), OFFSET_SPAN)
            totals.append(TopicTotal(name, minutes, sessions, from_stored(at, offset - 1440)))
        return totals

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
        self.drop_unused_topics()
        return self.get_entry(entry_id)

    def delete_entry(self, entry_id: int) -> Entry:
        entry = self.get_entry(entry_id)
        self.session.delete(self._row(entry_id))
        self.session.flush()
        self.drop_unused_topics()
        return entry

    def put_entry(self, entry: Entry) -> None:
        """Write an entry with its own id, over what has that id now (undo puts back)."""
        assert entry.id is not None
        columns = _columns(entry, self._topic_id(entry.topic) if entry.topic else None)
        self.session.merge(EntryRow(id=entry.id, **columns))
        self.session.flush()

    @property
    def journal(self) -> Journal:
        """The record of changes behind `undo` and `history`."""
        return Journal(self)

    # The timer ----------------------------------------------------------------------------

    def timer(self) -> Timer | None:
        row = self.session.get(TimerRow, 1)
        if row is None:
            return None
        return Timer(
            from_stored(row.started, row.utc_offset),
            row.topic,
            row.note,
            "review" if row.kind == "review" else "learn",
        )

    def set_timer(self, timer: Timer | None) -> None:
        """Start (or replace) the running timer; None stops it."""
        row = self.session.get(TimerRow, 1)
        if row is not None:
            self.session.delete(row)
            self.session.flush()
        if timer is not None:
            self.session.add(
                TimerRow(
                    id=1,
                    started=int(timer.started.timestamp()),
                    utc_offset=utc_offset_minutes(timer.started),
                    topic=timer.topic,
                    note=timer.note,
                    kind=timer.kind,
                )
            )
        self.session.flush()

    # Topic names --------------------------------------------------------------------------

    def topic_row(self, name: str) -> tuple[int, str, str] | None:
        """(id, spelling, key) of the topic spelled `name` in any case."""
        row = self.session.exec(select(TopicRow).where(TopicRow.key == topic_key(name))).first()
        return None if row is None or row.id is None else (row.id, row.name, row.key)

    def topic_entry_ids(self, topic_id: int) -> list[int]:
        return [
            entry_id
            for entry_id in self.session.exec(
                select(EntryRow.id).where(EntryRow.topic_id == topic_id)
            )
            if entry_id is not None
        ]

    def rename_topic(self, topic_id: int, name: str) -> None:
        """Respell a topic, or give it a new name that no other topic has."""
        row = self.session.get(TopicRow, topic_id)
        assert row is not None
        row.name, row.key = name, topic_key(name)
        self.session.add(row)
        self.session.flush()

    def merge_topic(self, source_id: int, target_id: int) -> None:
        """Move every entry of one topic to another, and forget the first."""
        for entry_id in self.topic_entry_ids(source_id):
            row = self.session.get(EntryRow, entry_id)
            assert row is not None
            row.topic_id = target_id
            self.session.add(row)
        self.session.flush()
        self.drop_unused_topics()

    def first_entry_at(self) -> datetime | None:
        """When the earliest entry happened, or None without entries."""
        first = self.session.exec(select(func.min(EntryRow.at))).one()
        return None if first is None else datetime.fromtimestamp(first, timezone.utc)

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
        """Minutes per local calendar day (optionally only `first`..`last`), from `day_total`,
        which triggers keep: one row a day, whatever the number of entries."""
        query = select(DayTotalRow.day, DayTotalRow.minutes)
        if first is not None:
            query = query.where(DayTotalRow.day >= _day_number(first))
        if last is not None:
            query = query.where(DayTotalRow.day <= _day_number(last))
        return {
            EPOCH_DAY + timedelta(days=day): minutes for day, minutes in self.session.exec(query)
        }

    def study_sessions(
        self, topic: str | None = None, after: Mapping[str, int] | None = None
    ) -> Iterator[StudyRow]:
        """Sessions with a topic as (topic, UTC epoch seconds, minutes, recall, is_review, note),
        by topic then time: one range of the index on (topic, at) a topic, streamed. For the
        topics in `after`, only the sessions from that time on (the rest is in the cache).
        """
        topics = select(TopicRow.id, TopicRow.name).order_by(col(TopicRow.id))
        if topic is not None:
            topics = topics.where(TopicRow.key == topic_key(topic))
        columns = "SELECT at, minutes, recall, kind, note FROM entry WHERE topic_id = ?"
        for topic_id, name in self.session.exec(topics).all():
            since = (after or {}).get(name)
            rows = self._raw_rows(
                columns + (" ORDER BY at, id" if since is None else " AND at >= ? ORDER BY at, id"),
                (topic_id,) if since is None else (topic_id, since),
            )
            for at, minutes, recall, kind, note in rows:
                yield name, at, minutes, recall, kind == "review", note

    def review_states(self, fold: str) -> dict[str, tuple[int, str]]:
        """Cached memories folded under `fold`: topic -> (cutoff, `TopicMemory.state()` JSON)."""
        query = (
            select(TopicRow.name, ReviewCacheRow.cutoff, ReviewCacheRow.state)
            .join(ReviewCacheRow, col(ReviewCacheRow.topic_id) == TopicRow.id)
            .where(ReviewCacheRow.fold == fold)
        )
        return {name: (cutoff, state) for name, cutoff, state in self.session.exec(query)}

    def save_review_states(self, fold: str, cutoff: int, states: Mapping[str, str]) -> None:
        """Keep memories folded through `cutoff`, if the store can take it without waiting.

        A cache, so best effort: inside the command's own transaction, skipped without a
        word when the store is read-only, busy with another writer, or changed since this
        command began reading (the next review command tries again).
        """
        if not states:
            return
        connection = self.session.connection()
        sqlite = connection.dialect.name == "sqlite"
        ids = dict(self.session.exec(select(TopicRow.name, TopicRow.id)).all())
        rows = [
            {"topic_id": ids[name], "fold": fold, "cutoff": cutoff, "state": state}
            for name, state in states.items()
            if name in ids
        ]
        key = "topic_id" if sqlite else "learner, topic_id"  # keys lead with the learner there
        statement = text(
            "INSERT INTO review_cache (topic_id, fold, cutoff, state)"
            f" VALUES (:topic_id, :fold, :cutoff, :state) ON CONFLICT ({key}) DO UPDATE SET"
            " fold = excluded.fold, cutoff = excluded.cutoff, state = excluded.state"
        )
        if sqlite:
            connection.exec_driver_sql("PRAGMA busy_timeout = 0")
        try:
            with self.session.begin_nested():
                connection.execute(statement, rows)
        except DBAPIError:
            pass
        finally:
            if sqlite:
                connection.exec_driver_sql(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

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
        connection = self.session.connection()
        if connection.dialect.paramstyle != "qmark":
            sql = sql.replace("?", "%s")  # psycopg's placeholder; our SQL has no other "?"
        driver = connection.connection.driver_connection
        return iter(driver.execute(sql, parameters))  # type: ignore[union-attr]

    def import_entries(self, staging: Staging) -> int:
        """Add staged rows (`store.staging`, in file order) that are not already here,
        counting copies, so importing a file twice adds nothing; how many were added.

        SQLite reads the staging file in place (attached by `transaction(attach=...)`);
        PostgreSQL gets the rows in a temporary table. Topics (first spelling in the file,
        unless the store has one) and the multiset difference are then worked out in SQL,
        along the index on time, never loading the store's entries into memory.
        """
        connection = self.session.connection()
        postgres = connection.dialect.name == "postgresql"
        attached = not postgres and any(
            row[1] == "staging" for row in connection.exec_driver_sql("PRAGMA database_list")
        )
        if attached:
            source = "staging.staged"
            staged = int(connection.exec_driver_sql(f"SELECT count(*) FROM {source}").scalar_one())
        else:
            source = "import_row"
            connection.exec_driver_sql(
                "CREATE TEMP TABLE import_row (seq BIGINT PRIMARY KEY, at BIGINT,"
                " utc_offset INTEGER, minutes INTEGER, topic TEXT, key TEXT, note TEXT,"
                " recall INTEGER, kind TEXT)" + (" ON COMMIT DROP" if postgres else "")
            )
            marks = ", ".join(["%s" if postgres else "?"] * 9)
            cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
            staged = 0
            for batch in staging.batches():
                cursor.executemany(f"INSERT INTO import_row VALUES ({marks})", batch)
                staged += len(batch)
        # A large import into SQLite skips the per-row triggers and sums the totals afresh
        # (the same transaction: on failure the triggers come back with everything else).
        # On PostgreSQL the triggers stay: dropping them would lock every learner out.
        bulk = not postgres and staged >= BULK_IMPORT_ROWS
        for name in INSERT_TRIGGERS if bulk else ():
            connection.exec_driver_sql(f"DROP TRIGGER {name}")
        connection.exec_driver_sql(
            f"INSERT INTO topic (name, key) SELECT i.topic, i.key FROM {source} i"
            f" JOIN (SELECT key, min(seq) AS first FROM {source} WHERE key IS NOT NULL"
            " GROUP BY key) f ON f.first = i.seq WHERE true ORDER BY i.seq"
            " ON CONFLICT DO NOTHING"
        )
        columns = "INSERT INTO entry (at, utc_offset, minutes, topic_id, note, recall, kind)"
        chosen = "SELECT i.at, i.utc_offset, i.minutes, t.id, i.note, i.recall, i.kind"
        if self.last_logged_id() is None:  # an empty store holds no copy of anything
            statement = f"{columns} {chosen} FROM {source} i LEFT JOIN topic t ON t.key = i.key"
        else:
            statement = (
                f"{columns} {chosen} FROM (SELECT *, row_number() OVER"
                f" (PARTITION BY at, minutes, key, note ORDER BY seq) AS copy FROM {source}) i"
                " LEFT JOIN topic t ON t.key = i.key"
                " WHERE i.copy > (SELECT count(*) FROM entry e"
                " LEFT JOIN topic et ON et.id = e.topic_id"
                " WHERE e.at = i.at AND e.minutes = i.minutes"
                " AND (et.key = i.key OR (et.key IS NULL AND i.key IS NULL))"
                " AND (e.note = i.note OR (e.note IS NULL AND i.note IS NULL)))"
            )
        added = connection.exec_driver_sql(f"{statement} ORDER BY i.seq").rowcount
        if not attached:
            connection.exec_driver_sql(f"DROP TABLE {'pg_temp' if postgres else 'temp'}.{source}")
        for statement in (*REBUILD_DERIVED, *INSERT_TRIGGERS.values()) if bulk else ():
            connection.exec_driver_sql(statement)
        return int(added)

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
