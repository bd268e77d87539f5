"""An import, set-wise on both engines: staged rows in, the new ones added in one statement.

Duplicates (a copy of an entry the store already holds, counted per copy) and the running
totals are worked out over whole sets, never row by row, so an import is linear in its size;
on PostgreSQL the rows are staged with COPY and the learner's write lock is taken only for
the final write, so their other commands wait for that alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Connection

from microup.store.journal import added_range
from microup.store.sqlite.schema import INSERT_TRIGGERS, REBUILD_DERIVED

if TYPE_CHECKING:
    from microup.store.connected import Connected
    from microup.store.sqlite.staging import Staging

BULK_IMPORT_ROWS = 50_000
"""From this many rows on, an import into SQLite rebuilds the totals once instead of per row."""

_NEW_COPIES = """(SELECT s.*, row_number() OVER
    (PARTITION BY s.at, s.minutes, s.key, s.note ORDER BY s.seq) AS copy FROM {source} s) i
    LEFT JOIN topic t ON t.key = i.key
    LEFT JOIN (SELECT e.at, e.minutes, coalesce(et.key, '') AS key, et.key IS NULL AS no_key,
                      coalesce(e.note, '') AS note, e.note IS NULL AS no_note, count(*) AS n
               FROM entry e LEFT JOIN topic et ON et.id = e.topic_id
               WHERE e.at BETWEEN (SELECT min(at) FROM {source}) AND (SELECT max(at) FROM {source})
               GROUP BY 1, 2, 3, 4, 5, 6) x
      ON x.at = i.at AND x.minutes = i.minutes AND x.key = coalesce(i.key, '')
     AND x.no_key = (i.key IS NULL) AND x.note = coalesce(i.note, '')
     AND x.no_note = (i.note IS NULL)
    WHERE i.copy > coalesce(x.n, 0)"""
"""The staged rows that are new: each copy beyond those the store already holds (counted
once per distinct entry, set-wise, so importing a file twice adds nothing)."""


def import_entries(store: Connected, staging: Staging) -> int:
    """Add staged rows (`store.staging`, in file order) that are not already here,
    counting copies, so importing a file twice adds nothing; how many were added.

    SQLite reads the staging file in place (attached by `transaction(attach=...)`);
    PostgreSQL gets the rows in a temporary table. Topics (first spelling in the file,
    unless the store has one) and the multiset difference are then worked out in SQL,
    along the index on time, never loading the store's entries into memory.
    """
    connection = store.connection
    postgres = connection.dialect.name == "postgresql"
    attached = not postgres and any(
        row[1] == "staging" for row in connection.exec_driver_sql("PRAGMA database_list")
    )
    if attached:
        source = "staging.staged"
        staged = int(connection.exec_driver_sql(f"SELECT count(*) FROM {source}").scalar_one())
    else:
        source = "import_row"
        staged = _stage(connection, staging, postgres=postgres)
    store.write_lock()  # the rows are staged: from here on this is the final write
    # A large import into SQLite skips the per-row triggers and sums the totals afresh
    # (the same transaction: on failure the triggers come back with everything else).
    # PostgreSQL's triggers work per statement already, set-wise from transition tables.
    bulk = not postgres and staged >= BULK_IMPORT_ROWS
    for name in INSERT_TRIGGERS if bulk else ():
        connection.exec_driver_sql(f"DROP TRIGGER {name}")
    last_topic = store._exec("SELECT max(id) FROM topic").scalar() or 0
    last_entry = store._exec("SELECT max(id) FROM entry").scalar() or 0
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
        statement = f"{columns} {chosen} FROM {_NEW_COPIES.format(source=source)}"
    added = connection.exec_driver_sql(f"{statement} ORDER BY i.seq").rowcount
    if not attached:
        connection.exec_driver_sql(f"DROP TABLE {'pg_temp' if postgres else 'temp'}.{source}")
    for statement in (*REBUILD_DERIVED, *INSERT_TRIGGERS.values()) if bulk else ():
        connection.exec_driver_sql(statement)
    _added_since(store, "topic", last_topic)
    _added_since(store, "entry", last_entry)
    return int(added)


def _stage(connection: Connection, staging: Staging, *, postgres: bool) -> int:
    """Put the staged rows in a temporary table (PostgreSQL: by COPY); how many."""
    connection.exec_driver_sql(
        "CREATE TEMP TABLE import_row (seq BIGINT PRIMARY KEY, at BIGINT,"
        " utc_offset INTEGER, minutes INTEGER, topic TEXT, key TEXT, note TEXT,"
        " recall INTEGER, kind TEXT)" + (" ON COMMIT DROP" if postgres else "")
    )
    driver = connection.connection.driver_connection
    cursor = driver.cursor()  # type: ignore[union-attr]
    staged = 0
    if postgres:
        with cursor.copy("COPY import_row FROM STDIN") as copy:
            for batch in staging.batches():
                for row in batch:
                    copy.write_row(row)
                staged += len(batch)
    else:
        for batch in staging.batches():
            cursor.executemany(f"INSERT INTO import_row VALUES ({', '.join('?' * 9)})", batch)
            staged += len(batch)
    if postgres:
        connection.exec_driver_sql("ANALYZE import_row")  # so the planner sees its size
    return staged


def _added_since(store: Connected, table: str, last_before: int) -> None:
    """Journal the rows a bulk write added (ids only grow) as one range."""
    last = store._exec(f"SELECT max(id) FROM {table}").scalar()
    if last is not None and last > last_before:
        store.change.rows.append(added_range(table, last_before + 1, int(last)))
