"""Rows that changes share, as undo must treat them: topics, and names that must stay unique.

A topic is made by the first entry that names it and is then used by every later entry of
that name, so it is not one change's own: reverting the change that made it keeps it (the
store drops a topic once no entry uses it). An entry brought back needs its topic: one a
later change (or an undo) dropped comes back from its last recorded image. A row brought
back whose unique name another row has taken since cannot come back: that undo is refused,
naming the change that took the name, as any other conflict is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, text

from microup.store.journal import Image, Touched, decoded, encoded, read_image

UNIQUE_NAMES = {"topic": "key", "programme": "key"}
"""Tables whose rows have a unique column besides their key (case-folded names)."""


def kept_on_revert(row: Touched) -> bool:
    """A topic the change made (one row, or a range an import added) outlives its revert."""
    return row.table == "topic" and row.before is None


def _removed_by(rows: Sequence[Touched], table: str, row_id: Any) -> bool:
    return any(
        row.table == table and row.key == {"id": row_id} and row.before is None
        for row in rows
        if not kept_on_revert(row)
    )


def name_taken(conn: Connection, rows: Sequence[Touched], row: Touched) -> int | None:
    """The id of another row that holds the unique name `row` would come back with, if any
    (one this same revert removes does not count)."""
    column = UNIQUE_NAMES.get(row.table)
    if column is None or row.before is None or row.last_id is not None:
        return None
    holders = conn.execute(
        text(f"SELECT id FROM {row.table} WHERE {column} = :name AND id <> :id"),
        {"name": row.before[column], "id": row.key["id"]},
    ).scalars()
    return next((int(h) for h in holders if not _removed_by(rows, row.table, h)), None)


def topics_needed(conn: Connection, rows: Sequence[Touched]) -> list[int]:
    """Ids of the topics the entries this revert brings back name, absent now, and not
    brought back by the revert itself."""
    restored = {row.key["id"] for row in rows if row.table == "topic" and row.before}
    wanted = {
        int(row.before["topic_id"])
        for row in rows
        if row.table == "entry" and row.before and row.before.get("topic_id") is not None
    }
    return sorted(
        topic_id
        for topic_id in wanted - restored
        if read_image(conn, "topic", {"id": topic_id}) is None
    )


def last_image(conn: Connection, table: str, key: Image) -> Image | None:
    """The row as the journal last recorded it (after a change, or before one that removed
    it), or None if the journal no longer holds it."""
    found = conn.execute(
        text(
            "SELECT before, after FROM journal_row WHERE tbl = :tbl AND key = :key"
            " ORDER BY change_id DESC, seq DESC LIMIT 1"
        ),
        {"tbl": table, "key": encoded(key)},
    ).first()
    if found is None:
        return None
    return decoded(found[1]) or decoded(found[0])
