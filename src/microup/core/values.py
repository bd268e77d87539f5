"""Plain values that cross between the store, the core and the views (no SQLModel here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Kind = Literal["learn", "review"]
KINDS: tuple[Kind, ...] = ("learn", "review")


@dataclass(frozen=True, slots=True)
class Entry:
    """One logged learning session; `at` carries the UTC offset in force when it was logged."""

    at: datetime
    minutes: int
    topic: str | None = None
    note: str | None = None
    grade: int | None = None
    id: int | None = None
    kind: Kind = "learn"
    """"learn" records new material; "review" revisits what was learnt on the topic before."""


@dataclass(frozen=True)
class Change:
    """One recorded change, for `microup history`."""

    id: int
    at: datetime
    summary: str
    undone: bool


@dataclass(frozen=True)
class Timer:
    """A session under way (`microup start`), kept in the store so a crash cannot lose it."""

    started: datetime
    topic: str | None = None
    note: str | None = None
    kind: Kind = "learn"


@dataclass(frozen=True)
class TopicTotal:
    """How much a topic has been studied, for `microup topics`."""

    name: str
    minutes: int
    sessions: int
    last_studied: datetime
