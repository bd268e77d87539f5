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
    """One change, with the JSON steps that revert it (see `store.journal`)."""

    __tablename__ = "journal"
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    at: int
    summary: str
    undo_message: str
    steps: str
    undone: bool = False


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
