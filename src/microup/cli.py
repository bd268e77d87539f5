"""The `microup` command: parse what was typed, call the core and the store, hand results to render.

Kept thin and light: SQLModel (through `microup.store`) and Rich (through `microup.render`)
are imported inside the commands that need them, so `--help` and completion stay fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from microup import __version__
from microup.domain import Entry
from microup.errors import MicroupError, NotFoundError, UsageError
from microup.locations import resolve_db_path
from microup.parse import (
    clean_note,
    clean_topic,
    parse_duration,
    parse_goal,
    parse_when,
)

if TYPE_CHECKING:
    from microup.store import Store
    from microup.weeks import WeekSummary

PROG = "microup"


def fail(message: str, code: int) -> NoReturn:
    """The one way microup reports a problem: one line on stderr, then exit."""
    sys.stderr.write(f"{PROG}: error: {message}\n")
    sys.exit(code)


class MicroupGroup(TyperGroup):
    """Turns every failure into one line on stderr and an exit code: 2 for usage, 1 otherwise."""

    def main(  # type: ignore[override]
        self, args: Sequence[str] | None = None, prog_name: str | None = None, **extra: Any
    ) -> NoReturn:
        extra.pop("standalone_mode", None)
        try:
            code = super().main(
                args=args, prog_name=prog_name or PROG, standalone_mode=False, **extra
            )
        except MicroupError as error:
            fail(str(error), error.exit_code)
        except typer.TyperException as error:  # click's usage errors
            context = getattr(error, "ctx", None)
            hint = f" (see '{context.command_path} --help')" if context is not None else ""
            fail(error.format_message() + hint, error.exit_code)
        except typer.Abort:
            fail("aborted", 1)
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(
    cls=MicroupGroup,
    name=PROG,
    help="Track an hour a week of learning, little and often, and review before you forget.",
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@dataclass(frozen=True)
class Settings:
    """What the global options decided, passed to every command on the Typer context."""

    db: Path


def _show_version(value: bool) -> None:
    if value:
        sys.stdout.write(f"{PROG} {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            metavar="PATH",
            help="Database file (default: $MICROUP_DB, else the per-user data folder).",
            dir_okay=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    ctx.obj = Settings(db=resolve_db_path(db, os.environ))


def stdin_is_terminal() -> bool:
    """Whether a person can answer a question (false under cron, pipes and scripts)."""
    return sys.stdin.isatty()


def now() -> datetime:
    """The current local time, aware: read once per command and passed down."""
    return datetime.now().astimezone()


@contextmanager
def open_store(ctx: typer.Context, *, write: bool) -> Iterator[Store]:
    """One transaction on the chosen store for the length of the `with` block."""
    from microup.store import transaction

    settings: Settings = ctx.obj
    with transaction(settings.db, write=write) as store:
        yield store


def this_week(store: Store, moment: datetime) -> WeekSummary:
    from microup.weeks import summarize_week

    return summarize_week(moment.date(), store.daily_minutes(), store.goals())


def _optional_topic(text: str | None) -> str | None:
    return None if text is None else clean_topic(text)


TopicOption = Annotated[
    str | None, typer.Option("--topic", "-t", help="What you studied (1-80 characters).")
]
NoteOption = Annotated[
    str | None, typer.Option("--note", "-n", help="A note, up to 1,000 characters.")
]
WhenOption = Annotated[
    str | None,
    typer.Option(
        "--at",
        metavar="WHEN",
        help="When: 2026-11-20, 2026-11-20T18:30, today, yesterday, 30m ago, 3d ago.",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


@app.command()
def log(
    ctx: typer.Context,
    duration: Annotated[str, typer.Argument(help="Minutes: 20, 20m, 1h or 1h30m (1 to 600).")],
    topic: TopicOption = None,
    note: NoteOption = None,
    at: WhenOption = None,
) -> None:
    """Record a learning session and show this week's progress."""
    from microup import render

    moment = now()
    entry = Entry(
        at=parse_when(at, moment) if at is not None else moment,
        minutes=parse_duration(duration),
        topic=_optional_topic(topic),
        note=clean_note(note) if note is not None else None,
    )
    with open_store(ctx, write=True) as store:
        saved = store.add_entry(entry)
        week = this_week(store, moment)
    out = render.console()
    out.print(render.describe_entry(saved, "Logged"))
    out.print(render.progress(week, out))


@app.command()
def week(ctx: typer.Context, json: JsonOption = False) -> None:
    """This week (Monday to Sunday, local time) against your goal, day by day."""
    from microup import render

    with open_store(ctx, write=False) as store:
        summary = this_week(store, now())
    if json:
        render.print_json(render.week_json(summary))
    else:
        out = render.console()
        out.print(render.week_view(summary, out))


@app.command()
def goal(
    ctx: typer.Context,
    minutes: Annotated[
        str | None, typer.Argument(help="New weekly goal: minutes like 60 or 1h30m.")
    ] = None,
) -> None:
    """Show or set the weekly goal (default 60 minutes); a new goal applies from this week on."""
    from microup import render
    from microup.weeks import week_label, week_start

    new_goal = parse_goal(minutes) if minutes is not None else None
    today = now().date()
    monday = week_start(today)
    with open_store(ctx, write=new_goal is not None) as store:
        if new_goal is not None:
            store.set_goal(monday, new_goal)
        current = store.goals().goal_for(monday)
    out = render.console()
    if new_goal is not None:
        out.print(f"Weekly goal set to {current} min from this week ({week_label(today)}) on.")
    else:
        out.print(f"Weekly goal: {current} min.")


@app.command()
def entries(
    ctx: typer.Context,
    since: Annotated[
        str | None, typer.Option("--since", metavar="WHEN", help="Only entries from WHEN on.")
    ] = None,
    topic: Annotated[str | None, typer.Option("--topic", "-t", help="Only this topic.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most N entries.")] = 20,
    json: JsonOption = False,
) -> None:
    """Recent entries, newest first, with the ids that edit and delete take."""
    from microup import render

    start = parse_when(since, now()) if since is not None else None
    wanted_topic = _optional_topic(topic)
    with open_store(ctx, write=False) as store:
        found = store.entries(since=start, topic=wanted_topic, limit=limit)
    if json:
        render.print_json({"entries": [render.entry_json(entry) for entry in found]})
    elif not found:
        render.console().print("No entries yet. Start with: microup log 20 --topic SQL")
    else:
        render.console().print(render.entries_table(found))


@app.command()
def edit(
    ctx: typer.Context,
    entry_id: Annotated[int, typer.Argument(metavar="ID", min=1, help="The entry's id.")],
    minutes: Annotated[
        str | None, typer.Option("--minutes", "-m", metavar="D", help="New duration.")
    ] = None,
    topic: Annotated[
        str | None, typer.Option("--topic", "-t", help='New topic ("" removes it).')
    ] = None,
    note: Annotated[
        str | None, typer.Option("--note", "-n", help='New note ("" removes it).')
    ] = None,
    at: WhenOption = None,
) -> None:
    """Change an entry's duration, topic, note or time."""
    from microup import render

    if minutes is None and topic is None and note is None and at is None:
        raise UsageError("nothing to change: give --minutes, --topic, --note or --at")
    changes: dict[str, Any] = {}
    if minutes is not None:
        changes["minutes"] = parse_duration(minutes)
    if topic is not None:
        changes["topic"] = clean_topic(topic) if topic.strip() else None
    if note is not None:
        changes["note"] = clean_note(note)
    if at is not None:
        changes["at"] = parse_when(at, now())
    with open_store(ctx, write=True) as store:
        updated = store.replace_entry(entry_id, replace(store.get_entry(entry_id), **changes))
    render.console().print(render.describe_entry(updated, "Updated"))


@app.command()
def delete(
    ctx: typer.Context,
    entry_id: Annotated[int, typer.Argument(metavar="ID", min=1, help="The entry's id.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete one entry (asks first, unless --yes)."""
    from microup import render

    if not yes:
        if not stdin_is_terminal():
            raise UsageError(f"not on a terminal: run 'microup delete {entry_id} --yes' to delete")
        with open_store(ctx, write=False) as store:
            target = store.get_entry(entry_id)
        if not typer.confirm(render.describe_entry(target, "Delete").plain + "?", default=False):
            render.console().print("Nothing deleted.")
            return
    with open_store(ctx, write=True) as store:
        removed = store.delete_entry(entry_id)
    render.console().print(render.describe_entry(removed, "Deleted"))


@app.command()
def undo(ctx: typer.Context) -> None:
    """Remove the most recently logged entry and say which it was."""
    from microup import render

    with open_store(ctx, write=True) as store:
        last = store.last_logged_id()
        if last is None:
            raise NotFoundError("nothing to undo: no entries yet")
        removed = store.delete_entry(last)
    render.console().print(render.describe_entry(removed, "Removed"))


@app.command()
def topics(ctx: typer.Context, json: JsonOption = False) -> None:
    """Each topic with its total minutes, sessions and when you last studied it."""
    from microup import render

    with open_store(ctx, write=False) as store:
        totals = store.topic_totals()
    if json:
        render.print_json({"topics": [render.topic_json(topic) for topic in totals]})
    elif not totals:
        render.console().print("No topics yet. Give one with: microup log 20 --topic SQL")
    else:
        render.console().print(render.topics_table(totals))


def main() -> None:
    """Console-script entry point."""
    app()
