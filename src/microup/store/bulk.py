"""Writes of many rows at once: an import's staged entries and the review cache."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from microup.store.base import BUSY_TIMEOUT_MS
from microup.store.connected import Connected
from microup.store.journal import added_range
from microup.store.sqlite.schema import INSERT_TRIGGERS, REBUILD_DERIVED

if TYPE_CHECKING:
    from microup.store.sqlite.staging import Staging

BULK_IMPORT_ROWS = 50_000
"""From this many rows on, an import into SQLite rebuilds the totals once instead of per row."""


class BulkWrites(Connected):
    """Imports and the review cache: set-wise SQL, never a row at a time through Python."""

    def review_states(self, fold: str) -> dict[str, tuple[int, str]]:
        """Cached memories folded under `fold`: topic -> (cutoff, `TopicMemory.state()` JSON)."""
        rows = self._exec(
            "SELECT t.name, c.cutoff, c.state FROM topic t JOIN review_cache c"
            " ON c.topic_id = t.id WHERE c.fold = :fold",
            {"fold": fold},
        )
        return {name: (cutoff, state) for name, cutoff, state in rows}

    def save_review_states(self, fold: str, cutoff: int, states: Mapping[str, str]) -> None:
        """Keep memories folded through `cutoff`, if the store can take it without waiting.

        A cache, so best effort: inside the command's own transaction, skipped without a
        word when the store is read-only, busy with another writer, or changed since this
        command began reading (the next review command tries again).
        """
        if not states:
            return
        connection = self.connection
        sqlite = connection.dialect.name == "sqlite"
        ids = dict(self._exec("SELECT name, id FROM topic").all())
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
            with connection.begin_nested():
                connection.execute(statement, rows)
        except DBAPIError:
            pass
        finally:
            if sqlite:
                connection.exec_driver_sql(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def import_entries(self, staging: Staging) -> int:
        """Add staged rows (`store.staging`, in file order) that are not already here,
        counting copies, so importing a file twice adds nothing; how many were added.

        SQLite reads the staging file in place (attached by `transaction(attach=...)`);
        PostgreSQL gets the rows in a temporary table. Topics (first spelling in the file,
        unless the store has one) and the multiset difference are then worked out in SQL,
        along the index on time, never loading the store's entries into memory.
        """
        connection = self.connection
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
        last_topic = self._exec("SELECT max(id) FROM topic").scalar() or 0
        last_entry = self._exec("SELECT max(id) FROM entry").scalar() or 0
        connection.exec_driver_sql(
            f"INSERT INTO topic (name, key) SELECT i.topic, i.key FROM {source} i"
            f" JOIN (SELECT key, min(seq) AS first FROM {source} WHERE key IS NOT NULL"
            " GROUP BY key) f ON f.first = i.seq WHERE true ORDER BY i.seq"
            " ON CONFLICT DO NOTHING"
        )
        columns = "INSERT INTO entry (at, utc_offset, minutes, topic_id, note, recall, kind)"
        chosen = "SELECT i.at, i.utc_offset, i.minutes, t.id, i.note, i.recall, i.kind"
        if not last_entry:  # an empty store holds no copy of anything
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
        self._added_since("topic", last_topic)
        self._added_since("entry", last_entry)
        return int(added)

    def _added_since(self, table: str, last_before: int) -> None:
        """Journal the rows a bulk write added (ids only grow) as one range."""
        last = self._exec(f"SELECT max(id) FROM {table}").scalar()
        if last is not None and last > last_before:
            self.change.rows.append(added_range(table, last_before + 1, int(last)))
