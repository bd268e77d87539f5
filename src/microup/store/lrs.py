"""The store's side of `lrs send`: its id, and what was stored in which LRS (`lrs_sent`).

Bookkeeping, not the person's data: written directly, never journaled, so `undo` leaves it
alone (an entry brought back by undo is simply sent again, under a new revision).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import text

from microup.store.queries import Store

STORE_ID_KEY = "store-id"
"""A random UUID naming this store in statement ids (kept with the settings, never exported)."""


class Sent(NamedTuple):
    """What an LRS holds for one entry: the live statement's id ("" once voided)."""

    statement_id: str
    revision: int


def store_id(store: Store) -> str | None:
    return store.settings().get(STORE_ID_KEY)


def keep_store_id(store: Store, value: str) -> None:
    store.remember(STORE_ID_KEY, value)


def account(store: Store) -> str | None:
    """On a shared store, the role this learner logs in as (their account); None locally."""
    if store.connection.dialect.name != "postgresql":
        return None
    return str(store.connection.exec_driver_sql("SELECT current_user").scalar_one())


def sent(store: Store, endpoint: str) -> dict[int, Sent]:
    rows = store.connection.execute(
        text("SELECT entry_id, statement_id, revision FROM lrs_sent WHERE endpoint = :e"),
        {"e": endpoint},
    )
    return {int(entry_id): Sent(str(sid), int(rev)) for entry_id, sid, rev in rows}


def mark(store: Store, endpoint: str, marks: Sequence[tuple[int, Sent]], at: int) -> None:
    """Record what the LRS now holds (after it accepted every batch)."""
    if not marks:
        return
    store.connection.execute(
        text(
            "INSERT INTO lrs_sent (endpoint, entry_id, statement_id, revision, sent_at)"
            " VALUES (:e, :i, :s, :r, :t) ON CONFLICT (endpoint, entry_id) DO UPDATE SET"
            " statement_id = excluded.statement_id, revision = excluded.revision,"
            " sent_at = excluded.sent_at"
            if store.connection.dialect.name == "sqlite"
            else "INSERT INTO lrs_sent (endpoint, entry_id, statement_id, revision, sent_at)"
            " VALUES (:e, :i, :s, :r, :t) ON CONFLICT (learner, endpoint, entry_id) DO UPDATE"
            " SET statement_id = excluded.statement_id, revision = excluded.revision,"
            " sent_at = excluded.sent_at"
        ),
        [
            {"e": endpoint, "i": entry_id, "s": item.statement_id, "r": item.revision, "t": at}
            for entry_id, item in marks
        ],
    )
