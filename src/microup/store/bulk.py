"""Writes of many rows at once: an import's staged entries and the review cache."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from microup.store.base import BUSY_TIMEOUT_MS
from microup.store.connected import Connected

if TYPE_CHECKING:
    from microup.store.sqlite.staging import Staging


class BulkWrites(Connected):
    """Imports and the review cache: set-wise SQL, never a row at a time through Python."""

    def review_states(self, fold: str) -> dict[str, tuple[int, str]]:
        """Cached memories folded under `fold`: topic -> (cutoff, `TopicMemory.state()` JSON)."""
        rows = self._exec(
            "SELECT t.name, c.cutoff, c.state FROM topic t JOIN review_cache c"
            " ON c.topic_id = t.id WHERE c.fold = :fold",
            {"fold": fold},
        )
        return {name: (cutoff, state) for name, cutoff, state in rows}

    def save_review_states(self, fold: str, cutoff: int, states: Mapping[str, str]) -> None:
        """Keep memories folded through `cutoff`, if the store can take it without waiting.

        A cache, so best effort: inside the command's own transaction, skipped without a
        word when the store is read-only, busy with another writer, or changed since this
        command began reading (the next review command tries again).
        """
        if not states:
            return
        connection = self.connection
        sqlite = connection.dialect.name == "sqlite"
        ids = dict(self._exec("SELECT name, id FROM topic").all())
        rows = [
            {"topic_id": ids[name], "fold": fold, "cutoff": cutoff, "state": state}
            for name, state in states.items()
            if name in ids
        ]
        key = "topic_id" if sqlite else "learner, topic_id"  # keys lead with the learner there
        statement = text(
            "INSERT INTO review_cache (topic_id, fold, cutoff, state)"
            f" VALUES (:topic_id, :fold, :cutoff, :state) ON CONFLICT ({key}) DO UPDATE SET"
            " fold = excluded.fold, cutoff = excluded.cutoff, state = excluded.state"
        )
        if sqlite:
            connection.exec_driver_sql("PRAGMA busy_timeout = 0")
        try:
            with connection.begin_nested():
                connection.execute(statement, rows)
        except DBAPIError:
            pass
        finally:
            if sqlite:
                connection.exec_driver_sql(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def import_entries(self, staging: Staging) -> int:
        """Add staged rows that are not already here (see `store.importing`); how many."""
        from microup.store.importing import import_entries

        return import_entries(self, staging)
