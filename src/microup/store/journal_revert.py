"""Undo: one generic revert of a change's rows, refused when a later change moved them.

Each row goes back to its image before the change; when a row is no longer as the change
left it, the undo is refused and the later change named, so an undo never throws a later
change away. Rows that changes share are treated as such: a topic is made by the first entry
that names it and is then used by every later entry of that name, so it is not one change's
own: reverting the change that made it keeps it (the store drops a topic once no entry uses
it). An entry brought back needs its topic: one a later change (or an undo) dropped comes
back from its last recorded image. A row brought back whose unique name another row has
taken since cannot come back: that undo is refused, naming the change that took the name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, text

from microup.core.errors import NotFoundError, UsageError
from microup.core.location import without_credentials
from microup.store.journal import (
    Image,
    Journal,
    Touched,
    decoded,
    delete_range,
    encoded,
    put_image,
    read_image,
)


class Revert(Journal):
    """Reverting a change recorded in the journal."""

    def undo(self, change_id: int | None = None) -> str:
        """Revert a change (the most recent one not yet undone); what undoing it says."""
        change_id, summary, message = self._target(change_id)
        rows = self._rows(change_id)
        if not rows:
            raise UsageError(
                f"change {change_id} ({summary}) was recorded by an older microup on a shared "
                "store and cannot be undone"
            )
        for row in rows:
            self._refuse_if_moved(change_id, summary, row)
            self._refuse_if_taken(change_id, summary, rows, row)
        for topic_id in topics_needed(self.conn, rows):
            self._bring_back_topic(change_id, summary, topic_id)
        for row in reversed(rows):
            if not kept_on_revert(row):
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
                summary = without_credentials(str(found[1]))
                raise UsageError(f"change {change_id} ({summary}) is already undone")
        return int(found[0]), without_credentials(str(found[1])), without_credentials(str(found[2]))

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
        holder = name_taken(self.conn, rows, row)
        if holder is not None and row.before is not None:
            what = f"the {row.table} name {row.before['name']}"
            self._refuse_over(
                change_id, summary, what, Touched(row.table, {"id": holder}, None, None)
            )

    def _bring_back_topic(self, change_id: int, summary: str, topic_id: int) -> None:
        """Put back a topic an entry coming back names (dropped since it was last used)."""
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
                return int(later_id), without_credentials(str(later_summary))
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
