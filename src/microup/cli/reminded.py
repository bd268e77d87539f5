"""What the reminder reads, and when it last spoke: kept apart from the scheduling commands.

A scheduled run marks in the store when it spoke; a store that cannot be written still
reminds, and the mark then goes to a small file of microup's own (`reminder_mark_path`).
"""

from contextlib import suppress
from datetime import datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from microup.app.review import review_view
from microup.app.week import this_week
from microup.cli.common import open_store
from microup.core.errors import NoStoreError, StoreBusyError, StoreError

if TYPE_CHECKING:
    from microup.core.values import Timer
    from microup.core.weeks import WeekSummary
    from microup.store import Store

REMINDED_AT = "reminded-at"  # internal setting: when the scheduled reminder last spoke


def reminded_at(store: "Store") -> datetime | None:
    text = store.settings().get(REMINDED_AT)
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


Seen = tuple["WeekSummary", list[tuple[str, int]], "Timer | None", str, str | None]
"""What a reminder says: the week, what to review, a running timer, a note, and the new
material a programme has next (issue 18)."""


def _read(store: "Store", moment: datetime, note: str = "") -> Seen:
    from microup.app.programme import week_news

    week = this_week(store, moment)
    review = review_view(store, moment)
    plan = review.outlook.plan
    new = week_news(store, plan.new_minutes_left, plan.sessions_left, moment.date())[0]
    line = None if new is None else new.line()
    return week, review.this_session(), store.timer(), note, line


def view(ctx: typer.Context, moment: datetime) -> Seen:
    with open_store(ctx, write=False) as store:
        return _read(store, moment)


def scheduled_view(ctx: typer.Context, moment: datetime, weekday: int, clock: time) -> Seen | None:
    """As the scheduler runs it: speak at most once a week, and mark that it spoke. A store
    that cannot be written (a read-only place) still reminds from what it holds; when it last
    spoke is then kept in a small file of microup's own."""
    from microup.core import reminder

    try:
        with open_store(ctx, write=True) as store:
            if not reminder.should_remind(moment, weekday, clock, reminded_at(store)):
                return None
            seen = _read(store, moment)
            store.remember(REMINDED_AT, reminder.reminded_for(moment, weekday, clock).isoformat())
            return seen
    except (StoreBusyError, NoStoreError):
        raise
    except StoreError as error:
        refused = str(error)
    return _read_only_view(ctx, moment, weekday, clock, refused)


def _read_only_view(
    ctx: typer.Context, moment: datetime, weekday: int, clock: time, refused: str
) -> Seen | None:
    from microup.core import reminder
    from microup.system.paths import reminder_mark_path

    mark = reminder_mark_path(str(ctx.obj.db))
    with open_store(ctx, write=False) as store:
        last = max(
            (t for t in (reminded_at(store), _read_mark(mark)) if t is not None),
            default=None,
        )
        if not reminder.should_remind(moment, weekday, clock, last):
            return None
        note = f"Note: the store cannot be written ({refused}); reminding from what it holds."
        seen = _read(store, moment, note)
    _write_mark(mark, reminder.reminded_for(moment, weekday, clock))
    return seen


def _read_mark(mark: Path) -> datetime | None:
    try:
        return datetime.fromisoformat(mark.read_text(encoding="ascii").strip())
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def _write_mark(mark: Path, moment: datetime) -> None:
    """Best effort: without it, the next hourly run reminds again (better than never)."""
    from microup.system.files import write_private

    with suppress(OSError):
        write_private(mark, moment.isoformat().encode("ascii"))
