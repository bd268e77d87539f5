"""The SQLModel tables, mirroring the schema `store.MIGRATIONS` creates, column for column."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class TopicRow(SQLModel, table=True):
    """A topic as first spelled; `key` is the case-folded form that groups spellings."""

    __tablename__ = "topic"

    id: int | None = Field(default=None, primary_key=True)
    name: str
    key: str = Field(unique=True)


class EntryRow(SQLModel, table=True):
    """A logged session: `at` in UTC epoch seconds, `utc_offset` in minutes east of UTC."""

    __tablename__ = "entry"
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    at: int = Field(index=True)
    utc_offset: int
    minutes: int
    topic_id: int | None = Field(default=None, foreign_key="topic.id")
    note: str | None = None
    recall: int | None = None
    kind: str = "learn"


class GoalRow(SQLModel, table=True):
    """A weekly goal in minutes, in force from the week starting `week_start` (ISO date)."""

    __tablename__ = "goal"

    week_start: str = Field(primary_key=True)
    minutes: int


class SettingRow(SQLModel, table=True):
    """A named setting, stored as text and validated by the code that reads it."""

    __tablename__ = "setting"

    key: str = Field(primary_key=True)
    value: str


class TimerRow(SQLModel, table=True):
    """The running timer, if any: one row at most (`id` is always 1)."""

    __tablename__ = "timer"

    id: int = Field(default=1, primary_key=True)
    started: int
    utc_offset: int
    topic: str | None = None
    note: str | None = None
    kind: str = "learn"


class JournalRow(SQLModel, table=True):
    """One change: what it did and what undoing it says; its rows are in `journal_row`.
    `steps` holds only what microup before schema 6 recorded (see `store.journal_legacy`)."""

    __tablename__ = "journal"
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    at: int
    summary: str
    undo_message: str
    steps: str
    undone: bool = False


class JournalRowImage(SQLModel, table=True):
    """A row one change touched, as JSON images before and after it (None: absent), so one
    generic revert undoes any change. `last_id` marks a range of ids a bulk import added,
    from the id in `key` to it, instead of one image each."""

    __tablename__ = "journal_row"

    change_id: int = Field(primary_key=True)
    seq: int = Field(primary_key=True)
    tbl: str
    key: str
    last_id: int | None = None
    before: str | None = None
    after: str | None = None


class DayTotalRow(SQLModel, table=True):
    """Minutes of one local day (days since 1970-01-01), kept by triggers on `entry`."""

    __tablename__ = "day_total"

    day: int = Field(primary_key=True)
    minutes: int


class TopicTotalRow(SQLModel, table=True):
    """A topic's minutes, sessions and last entry (time and offset packed), kept by triggers."""

    __tablename__ = "topic_total"

    topic_id: int = Field(primary_key=True)
    minutes: int
    sessions: int
    last: int


class ReviewCacheRow(SQLModel, table=True):
    """A topic's memory folded through the sessions before `cutoff`, as `TopicMemory.state()`
    JSON; triggers drop it when an entry before the cutoff changes (see `store.schema`)."""

    __tablename__ = "review_cache"

    topic_id: int = Field(primary_key=True)
    fold: str
    cutoff: int
    state: str


def layouts() -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Each table's columns and key as this declared schema gives them (`store.layout` must
    say the same: a test compares them)."""
    return {
        table.name: (
            tuple(column.name for column in table.columns),
            tuple(column.name for column in table.primary_key.columns),
        )
        for table in SQLModel.metadata.sorted_tables
    }
