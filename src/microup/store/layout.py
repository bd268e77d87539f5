"""The tables a change may touch, as plain data: their columns and keys.

The declared schema is `store/tables.py` (SQLModel); this is its plain copy, compared
with it by the tests (`tables.layouts()`), so the queries and the journal know each table
without importing SQLModel (or pydantic) on every command.
"""

from __future__ import annotations

from typing import NamedTuple


class TableLayout(NamedTuple):
    """A table's columns in order and the columns of its primary key."""

    columns: tuple[str, ...]
    key: tuple[str, ...]


TABLES: dict[str, TableLayout] = {
    "topic": TableLayout(("id", "name", "key"), ("id",)),
    "entry": TableLayout(
        ("id", "at", "utc_offset", "minutes", "topic_id", "note", "recall", "kind"), ("id",)
    ),
    "goal": TableLayout(("week_start", "minutes"), ("week_start",)),
    "holiday": TableLayout(("week_start",), ("week_start",)),
    "setting": TableLayout(("key", "value"), ("key",)),
    "timer": TableLayout(("id", "started", "utc_offset", "topic", "note", "kind"), ("id",)),
    "journal": TableLayout(("id", "at", "summary", "undo_message", "steps", "undone"), ("id",)),
    "journal_row": TableLayout(
        ("change_id", "seq", "tbl", "key", "last_id", "before", "after"), ("change_id", "seq")
    ),
    "day_total": TableLayout(("day", "minutes"), ("day",)),
    "topic_total": TableLayout(("topic_id", "minutes", "sessions", "last"), ("topic_id",)),
    "review_cache": TableLayout(("topic_id", "fold", "cutoff", "state"), ("topic_id",)),
    "programme": TableLayout(("id", "name", "key", "position", "start", "due"), ("id",)),
    "programme_part": TableLayout(
        (
            "programme_id",
            "seq",
            "topic",
            "title",
            "part",
            "parts",
            "minutes",
            "done_minutes",
            "done_at",
        ),
        ("programme_id", "seq"),
    ),
    "programme_entry": TableLayout(
        ("entry_id", "programme_id", "module", "minutes"), ("entry_id",)
    ),
    "lrs_sent": TableLayout(
        ("endpoint", "entry_id", "statement_id", "revision", "sent_at"), ("endpoint", "entry_id")
    ),
}

JOURNALED = (
    "topic",
    "entry",
    "goal",
    "setting",
    "timer",
    "programme",
    "programme_part",
    "programme_entry",
    "holiday",
)
"""The person's own data: every change to these is journaled and can be undone. The rest is
the journal itself, or derived (kept by triggers, or a cache) and follows on its own."""
