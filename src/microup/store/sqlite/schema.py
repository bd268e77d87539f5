"""The schema: versioned migrations, and the marks that tell a microup database from others.

Each step takes the schema from version N to N+1 and runs inside the same write transaction
as the version bump, so a failed step rolls back whole and two processes never migrate twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from microup.core.errors import StoreError
from microup.core.text import topic_key

APPLICATION_ID = 0x6D637570  # "mcup" in the SQLite header marks a file as ours

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
    "UPDATE entry SET kind = 'review' WHERE recall IS NOT NULL AND topic_id IS NOT NULL",
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


# Version 4: the running timer and the journal of changes behind `undo`.
_SCHEMA_V4 = (
    """CREATE TABLE timer (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        started INTEGER NOT NULL,
        utc_offset INTEGER NOT NULL CHECK (utc_offset BETWEEN -1440 AND 1440),
        topic TEXT,
        note TEXT,
        kind TEXT NOT NULL DEFAULT 'learn' CHECK (kind IN ('learn', 'review'))
    )""",
    """CREATE TABLE journal (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        summary TEXT NOT NULL,
        undo_message TEXT NOT NULL,
        steps TEXT NOT NULL,
        undone BOOLEAN NOT NULL DEFAULT 0
    )""",
)

# Version 5: what grows with the history is summed as it is written. `day_total` holds the
# minutes of each local day and `topic_total` each topic's minutes, sessions and last entry,
# kept by triggers on every insert, update and delete (whoever makes it: a command, undo, an
# import), so `week`, `log`, `stats` and `topics` read a few hundred rows, not every entry.
# The entry index covers (at, id) order and the per-day sums (issue 12).
OFFSET_SPAN = 4096
"""`at * OFFSET_SPAN + offset + 1440` packs a time and its UTC offset (-1440..1440) into one
integer that orders like the time, so `max()` keeps the last entry's offset with its time."""


def local_day(row: str) -> str:
    """SQL for the local day of `row` (days since 1970-01-01), in integer arithmetic both
    engines do alike."""
    return f"(({row}.at + {row}.utc_offset * 60) / 86400)"


def packed(row: str) -> str:
    """SQL for `row`'s time and offset packed into one integer (see `OFFSET_SPAN`)."""
    return f"({row}.at * {OFFSET_SPAN} + {row}.utc_offset + 1440)"


def _add_to_totals(row: str) -> str:
    return f"""
        INSERT INTO day_total (day, minutes) VALUES ({local_day(row)}, {row}.minutes)
            ON CONFLICT (day) DO UPDATE SET minutes = minutes + excluded.minutes;
        INSERT INTO topic_total (topic_id, minutes, sessions, last)
            SELECT {row}.topic_id, {row}.minutes, 1, {packed(row)}
            WHERE {row}.topic_id IS NOT NULL
            ON CONFLICT (topic_id) DO UPDATE SET minutes = minutes + excluded.minutes,
                sessions = sessions + 1, last = max(last, excluded.last);"""


_TAKE_FROM_TOTALS = f"""
        UPDATE day_total SET minutes = minutes - old.minutes WHERE day = {local_day("old")};
        DELETE FROM day_total WHERE day = {local_day("old")} AND minutes <= 0;
        UPDATE topic_total SET minutes = minutes - old.minutes, sessions = sessions - 1,
            last = coalesce((SELECT max({packed("entry")}) FROM entry
                             WHERE entry.topic_id = old.topic_id), 0)
            WHERE topic_id = old.topic_id;
        DELETE FROM topic_total WHERE topic_id = old.topic_id AND sessions <= 0;"""

_SUM_TOTALS = (
    f"""INSERT INTO day_total (day, minutes)
        SELECT {local_day("entry")}, sum(minutes) FROM entry GROUP BY 1""",
    f"""INSERT INTO topic_total (topic_id, minutes, sessions, last)
        SELECT topic_id, sum(minutes), count(*), max({packed("entry")})
        FROM entry WHERE topic_id IS NOT NULL GROUP BY topic_id""",
)
REBUILD_DERIVED = (
    "DELETE FROM day_total",
    "DELETE FROM topic_total",
    *_SUM_TOTALS,
    "DELETE FROM review_cache",
)
"""Totals summed afresh and the review cache emptied: after a bulk insert made without the
insert triggers (see `Store.import_entries`)."""

INSERT_TRIGGERS = {
    "entry_added": f"""CREATE TRIGGER entry_added AFTER INSERT ON entry
        BEGIN {_add_to_totals("new")} END""",
    "review_cache_added": """CREATE TRIGGER review_cache_added AFTER INSERT ON entry BEGIN
        DELETE FROM review_cache WHERE topic_id = new.topic_id AND cutoff > new.at; END""",
}
"""The per-row work of an insert, which a bulk import replaces by `REBUILD_DERIVED`."""

TRIGGERS = (
    INSERT_TRIGGERS["entry_added"],
    f"CREATE TRIGGER entry_removed AFTER DELETE ON entry BEGIN {_TAKE_FROM_TOTALS} END",
    f"""CREATE TRIGGER entry_changed AFTER UPDATE OF at, utc_offset, minutes, topic_id ON entry
        BEGIN {_TAKE_FROM_TOTALS} {_add_to_totals("new")} END""",
    # A topic's memory folded through the sessions before `cutoff` (the review commands keep
    # it, `Store.save_review_states`): any change to a session before the cutoff drops it.
    INSERT_TRIGGERS["review_cache_added"],
    """CREATE TRIGGER review_cache_removed AFTER DELETE ON entry BEGIN
        DELETE FROM review_cache WHERE topic_id = old.topic_id AND cutoff > old.at; END""",
    """CREATE TRIGGER review_cache_changed AFTER UPDATE ON entry BEGIN
        DELETE FROM review_cache WHERE (topic_id = old.topic_id AND cutoff > old.at)
            OR (topic_id = new.topic_id AND cutoff > new.at); END""",
    """CREATE TRIGGER review_cache_topic_gone AFTER DELETE ON topic BEGIN
        DELETE FROM review_cache WHERE topic_id = old.id; END""",
)
"""What only SQLite has: the running totals and the cache's invalidation, as triggers."""

_SCHEMA_V5 = (
    "DROP INDEX ix_entry_at",
    "CREATE INDEX ix_entry_at ON entry (at, id, utc_offset, minutes)",
    "DROP INDEX ix_entry_topic_at",
    "CREATE INDEX ix_entry_topic_at ON entry (topic_id, at, minutes, recall, kind, utc_offset)",
    "CREATE TABLE day_total (day INTEGER PRIMARY KEY, minutes INTEGER NOT NULL)",
    """CREATE TABLE topic_total (
        topic_id INTEGER PRIMARY KEY,
        minutes INTEGER NOT NULL,
        sessions INTEGER NOT NULL,
        last INTEGER NOT NULL
    )""",
    *_SUM_TOTALS,
    """CREATE TABLE review_cache (
        topic_id INTEGER PRIMARY KEY,
        fold TEXT NOT NULL,
        cutoff INTEGER NOT NULL,
        state TEXT NOT NULL
    )""",
    *TRIGGERS,
)

# Version 6: undo from row images. Each change's rows before and after it, written by the
# store in the change's own transaction; the steps older changes kept become such images.
_SCHEMA_V6 = (
    """CREATE TABLE journal_row (
        change_id INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        tbl TEXT NOT NULL,
        key TEXT NOT NULL,
        last_id INTEGER,
        before TEXT,
        after TEXT,
        PRIMARY KEY (change_id, seq)
    )""",
)


def _journal_rows(connection: Connection) -> None:
    from microup.store.journal_legacy import convert_legacy_journal

    _run_statements(_SCHEMA_V6)(connection)
    convert_legacy_journal(connection)


def _programmes(connection: Connection) -> None:
    """Version 7: programmes, their session-sized parts, and the entries that counted toward
    them (issue 18), as `store.tables` declares them."""
    from microup.store.tables import PROGRAMME_TABLES, ddl

    _run_statements(ddl("sqlite", names=PROGRAMME_TABLES))(connection)


def _lrs_sent(connection: Connection) -> None:
    """Version 8: what `lrs send` has stored in a Learning Record Store (issue 21)."""
    from microup.store.tables import ddl

    _run_statements(ddl("sqlite", names=("lrs_sent",)))(connection)


def _holidays(connection: Connection) -> None:
    """Version 9: weeks off (issue 20), as `store.tables` declares them."""
    from microup.store.tables import ddl

    _run_statements(ddl("sqlite", names=("holiday",)))(connection)


def _create(connection: Connection) -> None:
    """A new store: the declared tables (`store.tables`), then SQLite's own triggers."""
    from microup.store.tables import ddl

    _run_statements((*ddl("sqlite"), *TRIGGERS))(connection)


MIGRATIONS: tuple[Callable[[Connection], None], ...] = (
    _run_statements(_SCHEMA_V1),
    _run_statements(_SCHEMA_V2),
    _regroup_topics,
    _run_statements(_SCHEMA_V4),
    _run_statements(_SCHEMA_V5),
    _journal_rows,
    _programmes,
    _lrs_sent,
    _holidays,
)
SCHEMA_VERSION = len(MIGRATIONS)


def read_marks(read: Callable[[str], Any], path: Path) -> int:
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


def migrate(connection: Connection, path: Path) -> None:
    """Bring the schema up to date inside the command's own BEGIN IMMEDIATE transaction.

    The marks are read again under the write lock, so two processes never migrate twice
    and a file that changed since `_inspect` is still refused.
    """
    version = read_marks(lambda sql: connection.exec_driver_sql(sql).scalar_one(), path)
    if version == SCHEMA_VERSION:
        return
    for step in MIGRATIONS[version:] if version else (_create,):
        step(connection)
    connection.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
    connection.exec_driver_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")
