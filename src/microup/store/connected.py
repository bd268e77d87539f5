"""One transaction on a store, and the one way to change it: `_put` writes a row and keeps
its images before and after, which `finish` journals as one change when the command commits
(so undo never depends on a command remembering to journal)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, text

from microup.store.journal import (
    DEFAULT_KEPT_CHANGES,
    Image,
    Journal,
    OpenChange,
    changed,
    put_image,
    read_image,
)

KEPT_CHANGES_SETTING = "undo-history"


class Connected:
    """A store's open transaction, its journaled writes and its raw reads."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.change = OpenChange()
        self.recorded: int | None = None
        """The journal id this transaction's change was recorded under (after `finish`)."""
        self.before_write: Callable[[], None] | None = None
        """The engine's write lock, until it is taken (see `write_lock`)."""

    def write_lock(self) -> None:
        """Take the engine's write lock now, if it has one not taken yet: a shared store's
        import takes it only once its rows are staged, so others wait for the write alone."""
        take, self.before_write = self.before_write, None
        if take is not None:
            take()

    def settings(self) -> dict[str, str]:
        rows = self._exec("SELECT key, value FROM setting")
        return {str(key): str(value) for key, value in rows}

    def _exec(self, sql: str, parameters: Mapping[str, Any] | None = None) -> Any:
        return self.connection.execute(text(sql), dict(parameters or {}))

    def describe(self, summary: str, undo_message: str) -> None:
        """What this command's change is, as `history` lists it and `undo` will say it."""
        self.change.summary, self.change.undo_message = summary, undo_message

    def continue_change(self, change_id: int | None) -> None:
        """This transaction's change continues change `change_id` (an earlier block of the
        same session): they are recorded as one change, so one undo reverts them together."""
        self.change.joins = change_id

    def finish(self) -> None:
        """Journal what this transaction changed (nothing, if it changed nothing)."""
        rows = [
            row for row in self.change.rows if row.last_id is not None or row.before != row.after
        ]
        if not rows:
            return
        self.change.rows = rows
        self.write_lock()
        if not self.change.summary:
            self.describe(f"Changed {len(rows)} rows", "Reverted a change")
        kept = self.settings().get(KEPT_CHANGES_SETTING, "")
        self.recorded = self.journal.write(
            self.change, int(kept) if kept.isdigit() else DEFAULT_KEPT_CHANGES
        )
        self.change = OpenChange()

    @property
    def journal(self) -> Journal:
        """The record of changes behind `undo` and `history`."""
        return Journal(self.connection)

    def _put(self, table: str, key: Mapping[str, Any], after: Image | None) -> Image | None:
        """Make one row be `after` (None: absent), journaling its images; the row before."""
        before = read_image(self.connection, table, key)
        put_image(self.connection, table, key, after)
        self.change.rows.append(changed(table, key, before, after))
        return before

    def _raw_rows(self, sql: str, parameters: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
        """Rows as plain tuples from the DB-API cursor, inside this transaction: the hot paths
        (replaying and exporting 100,000 entries) skip SQLAlchemy's per-row machinery."""
        connection = self.connection
        if connection.dialect.paramstyle != "qmark":
            sql = sql.replace("?", "%s")  # psycopg's placeholder; our SQL has no other "?"
        driver = connection.connection.driver_connection
        return iter(driver.execute(sql, parameters))  # type: ignore[union-attr]
