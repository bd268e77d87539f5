"""The journal behind `undo`: every change is the rows it touched, as images before and after.

The store records an image for every row it writes (`Store` calls `touched` itself), in the
same transaction as the write, so no command can forget to journal. One generic revert puts
each row back as it was; it refuses when a row is no longer as the change left it, and says
which later change moved it. The journal keeps the last `undo-history` changes (at least
1,000), so it cannot grow without end.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Connection, text

from microup.core.errors import NotFoundError, UsageError
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
            Change(change_id, datetime.fromtimestamp(at, timezone.utc), summary, bool(undone))
            for change_id, at, summary, undone in rows
        ]

    def undo(self, change_id: int | None = None) -> str:
        """Revert a change (the most recent one not yet undone); what undoing it says."""
        change_id, summary, message = self._target(change_id)
        rows = self._rows(change_id)
        if not rows:
            raise UsageError(
                f"change {change_id} ({summary}) was recorded by an older microup on a shared "
                "store and cannot be undone"
            )
        from microup.store import journal_shared as shared  # it builds on this module

        for row in rows:
            self._refuse_if_moved(change_id, summary, row)
            self._refuse_if_taken(change_id, summary, rows, row)
        for topic_id in shared.topics_needed(self.conn, rows):
            self._bring_back_topic(change_id, summary, topic_id)
        for row in reversed(rows):
            if not shared.kept_on_revert(row):
                self._revert(row)
        self.conn.execute(
            text("UPDATE journal SET undone = true WHERE id = :id"), {"id": change_id}
        )
        return message

    def _target(self, change_id: int | None) -> tuple[int, str, str]:
        if change_id is None:
            found = self.conn.execute(
                text(
                    "SELECT id, summary, undo_message FROM journal WHERE NOT undone"
                    " ORDER BY id DESC LIMIT 1"
                )
            ).first()
            if found is None:
                raise NotFoundError("nothing to undo")
        else:
            found = self.conn.execute(
                text("SELECT id, summary, undo_message, undone FROM journal WHERE id = :id"),
                {"id": change_id},
            ).first()
            if found is None:
                raise NotFoundError(f"no change {change_id} in the history (microup history)")
            if found[3]:
                raise UsageError(f"change {change_id} ({found[1]}) is already undone")
        return int(found[0]), str(found[1]), str(found[2])

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

    def _revert(self, row: Touched) -> None:
        if row.last_id is not None:
            delete_range(self.conn, row.table, row.key["id"], row.last_id)
        else:
            put_image(self.conn, row.table, row.key, row.before)

    def _refuse_if_moved(self, change_id: int, summary: str, row: Touched) -> None:
        """A row that is no longer as this change left it was changed again since: reverting
        it would throw that later change away, so the undo is refused, naming it."""
        current = read_image(self.conn, row.table, row.key) if row.last_id is None else None
        if row.last_id is None and (current == row.after or _shared_back(row, current)):
            return
        later = self._later_change(change_id, row)
        if row.last_id is not None and later is None:
            return
        if row.table == "timer":
            raise UsageError(
                "a timer is running now; stop or cancel it before undoing "
                f"'{summary}' (undo would start the earlier timer again)"
            )
        what = _describe_row(row)
        since = f" by change {later[0]} ({later[1]})" if later else ""
        raise UsageError(
            f"cannot undo change {change_id} ({summary}): {what} was changed again since{since};"
            " undo that first"
        )

    def _refuse_if_taken(
        self, change_id: int, summary: str, rows: Sequence[Touched], row: Touched
    ) -> None:
        """A row coming back whose unique name another row has taken since is refused."""
        from microup.store.journal_shared import name_taken

        holder = name_taken(self.conn, rows, row)
        if holder is not None and row.before is not None:
            what = f"the {row.table} name {row.before['name']}"
            self._refuse_over(
                change_id, summary, what, Touched(row.table, {"id": holder}, None, None)
            )

    def _bring_back_topic(self, change_id: int, summary: str, topic_id: int) -> None:
        """Put back a topic an entry coming back names (dropped since it was last used)."""
        from microup.store.journal_shared import last_image

        image = last_image(self.conn, "topic", {"id": topic_id})
        row = Touched("topic", {"id": topic_id}, image, None)
        if image is None:
            raise UsageError(
                f"cannot undo change {change_id} ({summary}): topic #{topic_id} is gone and"
                " no longer in the history"
            )
        self._refuse_if_taken(change_id, summary, [row], row)
        put_image(self.conn, "topic", {"id": topic_id}, image)

    def _refuse_over(self, change_id: int, summary: str, what: str, holder: Touched) -> None:
        later = self._later_change(change_id, holder)
        since = f" by change {later[0]} ({later[1]})" if later else ""
        raise UsageError(
            f"cannot undo change {change_id} ({summary}): {what} was changed again since{since};"
            " undo that first"
        )

    def _later_change(self, change_id: int, row: Touched) -> tuple[int, str] | None:
        """The latest change after `change_id`, not undone, that touched the same row(s)."""
        found = self.conn.execute(
            text(
                "SELECT j.id, j.summary, r.key, r.last_id FROM journal_row r JOIN journal j"
                " ON j.id = r.change_id WHERE r.change_id > :id AND NOT j.undone"
                " AND r.tbl = :tbl ORDER BY j.id DESC"
            ),
            {"id": change_id, "tbl": row.table},
        )
        for later_id, later_summary, key, last_id in found:
            if _overlaps(row, decoded(key) or {}, last_id):
                return int(later_id), str(later_summary)
        return None


def _overlaps(row: Touched, key: Mapping[str, Any], last_id: int | None = None) -> bool:
    """Whether a later change's row (`key`, a range up to `last_id`) touched `row`."""
    if row.last_id is None and last_id is not None:
        return bool(key.get("id", -1) <= row.key.get("id", -2) <= last_id)
    if row.last_id is None:
        return dict(key) == row.key
    return bool(row.key["id"] <= key.get("id", -1) <= row.last_id)


def _shared_back(row: Touched, current: Image | None) -> bool:
    """A topic this change dropped that is back as it was (an entry's undo needed it)."""
    return row.table == "topic" and current is not None and current == row.before


def _describe_row(row: Touched) -> str:
    names = {"entry": "entry #{id}", "topic": "topic #{id}", "goal": "the goal from {week_start}"}
    if row.table in names:
        return names[row.table].format(**row.key)
    if row.table == "setting":
        return f"the setting {row.key['key']}"
    return f"the {row.table}"


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
