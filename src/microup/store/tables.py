"""The declared schema: every table once, with its types, keys, checks and indexes.

Both engines' tables come from here (`ddl`): SQLite creates a new store from it, PostgreSQL
adds the learner to each table and key (`store.postgres.schema`). What only one engine has
(triggers, row-level security, functions) stays in that engine's folder. Imported only to
create or migrate a store: the queries use the plain copy in `store.layout`.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
)
from sqlalchemy.schema import CreateIndex, CreateTable
from sqlmodel import Field, SQLModel

BIG = BigInteger().with_variant(Integer(), "sqlite")
"""64-bit on PostgreSQL; on SQLite every integer is, and a key stays the rowid's alias."""
_OFFSET = "utc_offset BETWEEN -1440 AND 1440"
_KIND = "kind IN ('learn', 'review')"


def _text(*, nullable: bool = False, unique: bool = False) -> Column:  # type: ignore[type-arg]
    return Column(Text, nullable=nullable, unique=unique)


def _int(*, nullable: bool = False, big: bool = False) -> Column:  # type: ignore[type-arg]
    return Column(BIG if big else Integer, nullable=nullable)


def _kind() -> Column:  # type: ignore[type-arg]
    return Column(Text, nullable=False, server_default="learn")


class TopicRow(SQLModel, table=True):
    """A topic as first spelled; `key` is the case-folded form that groups spellings."""

    __tablename__ = "topic"

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    name: str = Field(sa_column=_text())
    key: str = Field(sa_column=_text(unique=True))


class EntryRow(SQLModel, table=True):
    """A logged session: `at` in UTC epoch seconds, `utc_offset` in minutes east of UTC."""

    __tablename__ = "entry"
    __table_args__ = (
        CheckConstraint("at BETWEEN 0 AND 32503680000"),
        CheckConstraint(_OFFSET),
        CheckConstraint("minutes BETWEEN 1 AND 600"),
        CheckConstraint("recall BETWEEN 1 AND 4"),
        CheckConstraint(_KIND),
        Index("ix_entry_at", "at", "id", "utc_offset", "minutes"),
        Index("ix_entry_topic_at", "topic_id", "at", "minutes", "recall", "kind", "utc_offset"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    at: int = Field(sa_column=_int(big=True))
    utc_offset: int = Field(sa_column=_int())
    minutes: int = Field(sa_column=_int())
    topic_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("topic.id"), nullable=True)
    )
    note: str | None = Field(default=None, sa_column=_text(nullable=True))
    recall: int | None = Field(default=None, sa_column=_int(nullable=True))
    kind: str = Field(
        default="learn", sa_column=Column(Text, nullable=False, server_default="learn")
    )


class GoalRow(SQLModel, table=True):
    """A weekly goal in minutes, in force from the week starting `week_start` (ISO date)."""

    __tablename__ = "goal"
    __table_args__ = (CheckConstraint("minutes >= 1"),)

    week_start: str = Field(sa_column=Column(Text, primary_key=True))
    minutes: int = Field(sa_column=_int())


class HolidayRow(SQLModel, table=True):
    """A week off (`microup holiday`, `goal 0 --week`): it neither breaks nor extends a
    streak, and its goal (and review budget) is nothing."""

    __tablename__ = "holiday"

    week_start: str = Field(sa_column=Column(Text, primary_key=True))


class SettingRow(SQLModel, table=True):
    """A named setting, stored as text and validated by the code that reads it."""

    __tablename__ = "setting"

    key: str = Field(sa_column=Column(Text, primary_key=True))
    value: str = Field(sa_column=_text())


class TimerRow(SQLModel, table=True):
    """The running timer, if any: one row at most (`id` is always 1)."""

    __tablename__ = "timer"
    __table_args__ = (CheckConstraint("id = 1"), CheckConstraint(_OFFSET), CheckConstraint(_KIND))

    id: int = Field(default=1, sa_column=Column(Integer, primary_key=True))
    started: int = Field(sa_column=_int(big=True))
    utc_offset: int = Field(sa_column=_int())
    topic: str | None = Field(default=None, sa_column=_text(nullable=True))
    note: str | None = Field(default=None, sa_column=_text(nullable=True))
    kind: str = Field(
        default="learn", sa_column=Column(Text, nullable=False, server_default="learn")
    )


class JournalRow(SQLModel, table=True):
    """One change: what it did and what undoing it says; its rows are in `journal_row`.
    `steps` holds only what microup before schema 6 recorded (see `store.journal_legacy`)."""

    __tablename__ = "journal"
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    at: int = Field(sa_column=_int(big=True))
    summary: str = Field(sa_column=_text())
    undo_message: str = Field(sa_column=_text())
    steps: str = Field(sa_column=_text())
    undone: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default="0")
    )


class JournalRowImage(SQLModel, table=True):
    """A row one change touched, as JSON images before and after it (None: absent), so one
    generic revert undoes any change. `last_id` marks a range of ids a bulk import added,
    from the id in `key` to it, instead of one image each."""

    __tablename__ = "journal_row"

    change_id: int = Field(sa_column=Column(BIG, primary_key=True))
    seq: int = Field(sa_column=Column(Integer, primary_key=True))
    tbl: str = Field(sa_column=_text())
    key: str = Field(sa_column=_text())
    last_id: int | None = Field(default=None, sa_column=_int(nullable=True, big=True))
    before: str | None = Field(default=None, sa_column=_text(nullable=True))
    after: str | None = Field(default=None, sa_column=_text(nullable=True))


class DayTotalRow(SQLModel, table=True):
    """Minutes of one local day (days since 1970-01-01), kept by triggers on `entry`."""

    __tablename__ = "day_total"

    day: int = Field(sa_column=Column(BIG, primary_key=True))
    minutes: int = Field(sa_column=_int(big=True))


class TopicTotalRow(SQLModel, table=True):
    """A topic's minutes, sessions and last entry (time and offset packed), kept by triggers."""

    __tablename__ = "topic_total"

    topic_id: int = Field(sa_column=Column(BIG, primary_key=True))
    minutes: int = Field(sa_column=_int(big=True))
    sessions: int = Field(sa_column=_int(big=True))
    last: int = Field(sa_column=_int(big=True))


class ReviewCacheRow(SQLModel, table=True):
    """A topic's memory folded through the sessions before `cutoff`, as `TopicMemory.state()`
    JSON; triggers drop it when an entry before the cutoff changes (see `store.sqlite`)."""

    __tablename__ = "review_cache"

    topic_id: int = Field(sa_column=Column(BIG, primary_key=True))
    fold: str = Field(sa_column=_text())
    cutoff: int = Field(sa_column=_int(big=True))
    state: str = Field(sa_column=_text())


class ProgrammeRow(SQLModel, table=True):
    """A training programme the person follows (issue 18): `key` is its case-folded name,
    `position` the order it was added in, `start` and `due` ISO dates (`due`: `--by`)."""

    __tablename__ = "programme"

    id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    name: str = Field(sa_column=_text())
    key: str = Field(sa_column=_text(unique=True))
    position: int = Field(sa_column=_int())
    start: str = Field(sa_column=_text())
    due: str | None = Field(default=None, sa_column=_text(nullable=True))


class ProgrammePartRow(SQLModel, table=True):
    """One session-sized part of a programme's module, with the minutes credited to it and
    when it was finished (UTC epoch seconds; None while it is not)."""

    __tablename__ = "programme_part"
    __table_args__ = (
        CheckConstraint("minutes >= 1"),
        CheckConstraint("done_minutes >= 0"),
        CheckConstraint("part BETWEEN 1 AND parts"),
    )

    programme_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    seq: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    topic: str = Field(sa_column=_text())
    title: str = Field(sa_column=_text())
    part: int = Field(sa_column=_int())
    parts: int = Field(sa_column=_int())
    minutes: int = Field(sa_column=_int())
    done_minutes: int = Field(sa_column=_int())
    done_at: int | None = Field(default=None, sa_column=_int(nullable=True, big=True))


class ProgrammeEntryRow(SQLModel, table=True):
    """An entry that counted toward a programme's module: the module's title (what reviews
    call the material) and the minutes credited (the programme's pace)."""

    __tablename__ = "programme_entry"
    __table_args__ = (Index("ix_programme_entry_programme", "programme_id", "entry_id"),)

    entry_id: int = Field(sa_column=Column(BIG, primary_key=True, autoincrement=False))
    programme_id: int = Field(sa_column=_int())
    module: str = Field(sa_column=_text())
    minutes: int = Field(sa_column=_int())


PROGRAMME_TABLES = ("programme", "programme_part", "programme_entry")


class LrsSentRow(SQLModel, table=True):
    """What `lrs send` has stored in an LRS: per endpoint and entry, the statement's id. An
    entry whose statement now has another id (edited) or is gone (deleted) is voided there.
    Marked only after the LRS accepted the batch; statement ids are derived from the entry,
    so a batch sent again after a crash stores nothing twice."""

    __tablename__ = "lrs_sent"

    endpoint: str = Field(sa_column=Column(Text, primary_key=True))
    entry_id: int = Field(sa_column=Column(BIG, primary_key=True))
    statement_id: str = Field(sa_column=_text())
    """The live statement's id; empty once voided (the entry was deleted)."""
    revision: int = Field(sa_column=_int())
    """How many times the entry's statement was voided: the next id's revision."""
    sent_at: int = Field(sa_column=_int(big=True))


TABLE_ORDER = (
    "topic",
    "entry",
    "goal",
    "holiday",
    "setting",
    "timer",
    "journal",
    "journal_row",
    "day_total",
    "topic_total",
    "review_cache",
    *PROGRAMME_TABLES,
    "lrs_sent",
)


def declared() -> MetaData:
    """The declared tables (SQLModel's metadata)."""
    return SQLModel.metadata


def ddl(
    dialect: str, tables: dict[str, Table] | None = None, names: tuple[str, ...] = TABLE_ORDER
) -> list[str]:
    """CREATE TABLE and CREATE INDEX statements for `dialect`, in dependency order (of the
    tables in `names` only, for a migration step that adds them)."""
    from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
    from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite

    compiler = (SQLiteDialect_pysqlite if dialect == "sqlite" else PGDialect_psycopg)()
    chosen = tables or dict(declared().tables)
    statements = []
    for name in names:
        table = chosen[name]
        statements.append(str(CreateTable(table).compile(dialect=compiler)).strip())
        statements.extend(
            str(CreateIndex(index).compile(dialect=compiler)).strip()
            for index in sorted(table.indexes, key=lambda index: str(index.name))
        )
    return statements


def layouts() -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Each table's columns and key as this declared schema gives them (`store.layout` must
    say the same: a test compares them)."""
    return {
        table.name: (
            tuple(column.name for column in table.columns),
            tuple(column.name for column in table.primary_key.columns),
        )
        for table in declared().sorted_tables
    }
