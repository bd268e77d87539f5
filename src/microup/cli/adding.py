"""Rules every way of adding entries shares (log, start, stop, session): how the change is
named in the history, and a question before logging a time long before the first entry."""

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import typer

from microup.cli import common
from microup.cli.common import (
    open_store,
)
from microup.core.errors import UsageError

if TYPE_CHECKING:
    from microup.core.values import Entry
    from microup.store import Store


BACKFILL_LIMIT = timedelta(weeks=4)


def record_added(store: "Store", added: list["Entry"], verb: str, undo_note: str = "") -> None:
    """Say what adding these entries (by log or stop) was, for history and undo."""
    from microup.views import render

    labels = ", ".join(render.entry_label(entry) for entry in added)
    store.describe(f"{verb} {labels}", f"Removed {labels}{undo_note}")


def confirm_backfill(ctx: typer.Context, at: datetime) -> None:
    """A time long before the first entry is usually a typo (2016 for 2026): ask first, on a
    terminal; in a script, refuse without --yes. Nothing is written before the answer."""
    from microup.core.errors import NoStoreError

    try:
        with open_store(ctx, write=False) as store:
            first = store.first_entry_at()
    except NoStoreError:
        return
    if first is None or at >= first - BACKFILL_LIMIT:
        return
    weeks = (first - at).days // 7
    question = f"{at.date()} is {weeks} weeks before your first entry ({first.astimezone().date()})"
    if not common.stdin_is_terminal():
        raise UsageError(f"{question}; if that is right, log it again with --yes")
    if not typer.confirm(question + ". Log it anyway?", default=False):
        raise UsageError("nothing logged")
