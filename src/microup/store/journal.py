"""The journal behind `undo`: every change is the rows it touched, as images before and after.

The store records an image for every row it writes (`Store` calls `touched` itself), in the
same transaction as the write, so no command can forget to journal. One generic revert
(`store.journal_revert`) puts each row back as it was; it refuses when a row is no longer
as the change left it, and says which later change moved it. The journal keeps the last
`undo-history` changes (at least 1,000), so it cannot grow without end.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Connection, text

from microup.core.location import without_credentials
from microup.core.settings import MIN_UNDO_HISTORY
from microup.core.values import Change
from microup.store.layout import TABLES

Image = dict[str, Any]
"""A row as a mapping of its columns (the learner column of a shared store left out)."""

DEFAULT_KEPT_CHANGES = MIN_UNDO_HISTORY
"""How many changes the journal keeps unless the `undo-history` setting says more."""


def encoded(image: Mapping[str, Any] | None) -> str | None:
    return None if image is None else json.dumps(image, ensure_ascii=False, sort_keys=True)


def decoded(text_: str | None) -> Image | None:
    return None if text_ is None else dict(json.loads(text_))


@dataclass
class Touched:
    """One row (or a range of entry ids a bulk write added) that the open change touched."""

    table: str
    key: Image
    before: Image | None
    after: Image | None
    last_id: int | None = None


@dataclass
class OpenChange:
    """What the command's transaction has changed so far, and what it says about it."""

    rows: list[Touched] = field(default_factory=list)
    summary: str = ""
    undo_message: str = ""
    joins: int | None = None
    """An earlier change this one continues (a session's blocks): recorded as one with it."""


def _where(table: str) -> str:
    return " AND ".join(f"{column} = :k_{column}" for column in TABLES[table].key)


def _key_parameters(key: Mapping[str, Any]) -> Image:
    return {f"k_{column}": value for column, value in key.items()}


def read_image(conn: Connection, table: str, key: Mapping[str, Any]) -> Image | None:
    """The row of `table` with this key as it is now, or None."""
    columns = TABLES[table].columns
    row = conn.execute(
        text(f"SELECT {', '.join(columns)} FROM {table} WHERE {_where(table)}"),
        _key_parameters(key),
    ).first()
    return None if row is None else dict(zip(columns, row, strict=True))


LOWEST = -(2**63)


def delete_range(conn: Connection, table: str, low: Any, high: Any) -> None:
    """Delete the rows whose key (the first key column) lies in `low`..`high`.

    On PostgreSQL learners hold no DELETE on the shared tables (it would let them lock a
    table against everyone): the store's own function deletes their own rows only.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(
            text("SELECT microup.forget_range(:table, :low, :high)"),
            {"table": table, "low": str(low), "high": str(high)},
        )
        return
    column = TABLES[table].key[0]
    conn.execute(
        text(f"DELETE FROM {table} WHERE {column} BETWEEN :low AND :high"),
        {"low": low, "high": high},
    )


def forget_row(conn: Connection, table: str, key: Mapping[str, Any]) -> None:
    """Delete one of the learner's own rows on PostgreSQL, where learners hold no DELETE."""
    conn.execute(
        text("SELECT microup.forget_row(:table, CAST(:key AS JSONB))"),
        {"table": table, "key": json.dumps(dict(key))},
    )


def put_image(conn: Connection, table: str, key: Mapping[str, Any], image: Image | None) -> None:
    """Make the row with this key be `image` (None: no such row), whatever it is now."""
    current = read_image(conn, table, key)
    if image is None:
        if current is not None and conn.dialect.name == "postgresql":
            forget_row(conn, table, key)
        elif current is not None:
            conn.execute(text(f"DELETE FROM {table} WHERE {_where(table)}"), _key_parameters(key))
    elif current is None:
        columns = ", ".join(image)
        values = ", ".join(f":{column}" for column in image)
        conn.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({values})"), image)
    elif current != image:
        assignments = ", ".join(f"{column} = :{column}" for column in image)
        conn.execute(
            text(f"UPDATE {table} SET {assignments} WHERE {_where(table)}"),
            {**image, **_key_parameters(key)},
        )


def write_rows(conn: Connection, change_id: int, rows: Sequence[Touched]) -> None:
    """The rows a change touched, in order, under its id in `journal_row`."""
    conn.execute(
        text(
            "INSERT INTO journal_row (change_id, seq, tbl, key, last_id, before, after)"
            " VALUES (:change, :seq, :tbl, :key, :last_id, :before, :after)"
        ),
        [
            {
                "change": change_id,
                "seq": seq,
                "tbl": row.table,
                "key": encoded(row.key),
                "last_id": row.last_id,
                "before": encoded(row.before),
                "after": encoded(row.after),
            }
            for seq, row in enumerate(rows)
        ],
    )


class Journal:
    """Writing a change's rows at commit, reading the history, and reverting a change."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def write(self, change: OpenChange, kept: int) -> int | None:
        """Record `change` (if it touched anything) and forget changes beyond the last `kept`;
        the id it was recorded under. A change that `joins` an earlier one (not undone since)
        takes that one's rows in: the earlier change is gone and one undo reverts both."""
        if change.joins is not None:
            change.rows = self._absorb(change.joins, change.rows)
        if not change.rows:
            return None
        at = int(datetime.now(timezone.utc).timestamp())
        change_id = self.conn.execute(
            text(
                "INSERT INTO journal (at, summary, undo_message, steps, undone)"
                " VALUES (:at, :summary, :undo, '[]', false) RETURNING id"
            ),
            {"at": at, "summary": change.summary, "undo": change.undo_message},
        ).scalar_one()
        write_rows(self.conn, int(change_id), change.rows)
        self._trim(max(kept, DEFAULT_KEPT_CHANGES))
        return int(change_id)

    def _absorb(self, earlier: int, rows: list[Touched]) -> list[Touched]:
        """The rows of change `earlier` followed by `rows`, one record a row (its first image
        before, its last after; rows back as they were dropped), and `earlier` removed."""
        found = self.conn.execute(
            text("SELECT undone FROM journal WHERE id = :id"), {"id": earlier}
        ).first()
        if found is None or found[0]:
            return rows
        merged = merged_rows([*self._rows(earlier), *rows])
        for table in ("journal_row", "journal"):
            delete_range(self.conn, table, earlier, earlier)
        return merged

    def _trim(self, kept: int) -> None:
        oldest_kept = self.conn.execute(
            text("SELECT id FROM journal ORDER BY id DESC LIMIT 1 OFFSET :skip"),
            {"skip": kept - 1},
        ).scalar()
        if oldest_kept is not None:
            for table in ("journal_row", "journal"):
                delete_range(self.conn, table, LOWEST, int(oldest_kept) - 1)

    def history(self, limit: int) -> list[Change]:
        """The last changes, newest first."""
        rows = self.conn.execute(
            text("SELECT id, at, summary, undone FROM journal ORDER BY id DESC LIMIT :limit"),
            {"limit": limit},
        )
        return [
            Change(
                change_id,
                datetime.fromtimestamp(at, timezone.utc),
                without_credentials(summary),
                bool(undone),
            )
            for change_id, at, summary, undone in rows
        ]

    def _rows(self, change_id: int) -> list[Touched]:
        rows = self.conn.execute(
            text(
                "SELECT tbl, key, last_id, before, after FROM journal_row"
                " WHERE change_id = :id ORDER BY seq"
            ),
            {"id": change_id},
        )
        return [
            Touched(table, decoded(key) or {}, decoded(before), decoded(after), last_id)
            for table, key, last_id, before, after in rows
        ]


def added_range(table: str, first: int, last: int) -> Touched:
    """Rows a bulk write added with ids from `first` to `last`: one record, not one each."""
    return Touched(table, {"id": first}, None, None, last)


def changed(
    table: str, key: Mapping[str, Any], before: Image | None, after: Image | None
) -> Touched:
    return Touched(table, dict(key), before, after)


def merged_rows(rows: Sequence[Touched]) -> list[Touched]:
    """Rows written several times as one record each (first before, last after), in the
    order first touched; a row back as it was is left out. Ranges of added rows are kept."""
    merged: dict[tuple[str, str], Touched] = {}
    ranges: list[tuple[int, Touched]] = []
    for row in rows:
        if row.last_id is not None:
            ranges.append((len(merged) + len(ranges), row))
            continue
        name = (row.table, encoded(row.key) or "")
        if name in merged:
            merged[name] = Touched(row.table, row.key, merged[name].before, row.after)
        else:
            merged[name] = row
    ordered = [row for row in merged.values() if row.before != row.after]
    for position, row in ranges:
        ordered.insert(min(position, len(ordered)), row)
    return ordered
