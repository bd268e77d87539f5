"""The programme commands (issue 18): add a training programme from its outline, see where
it stands and when it finishes, mark modules done, list and remove programmes."""

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from microup.cli import common
from microup.cli.common import JsonOption, app, now, open_store
from microup.cli.lazy import LazyGroup
from microup.core.errors import UsageError
from microup.core.text import plural, printable, shown

if TYPE_CHECKING:
    from typer._click import Context

    from microup.core.programme import Outline


class ProgrammeGroup(LazyGroup):
    """`programme [NAME]` shows one programme; `programme add FILE` and the rest are commands.
    A first word that names no command is the programme's name."""

    def parse_args(self, ctx: "Context", args: list[str]) -> list[str]:
        for index, arg in enumerate(args):
            if arg == "--":
                break
            if arg.startswith("-"):
                continue
            if arg not in self.commands:
                ctx.meta["programme_name"] = arg
                args = args[:index] + args[index + 1 :]
            break
        return super().parse_args(ctx, args)


programme_app = typer.Typer(
    cls=ProgrammeGroup,
    subcommand_metavar="[NAME] | COMMAND [ARGS]...",
    help="Training programmes: modules, pace, and when you finish.\n\n"
    "`programme NAME` shows one programme; `programme add OUTLINE.md` adds one.",
    invoke_without_command=True,
)
app.add_typer(programme_app, name="programme")

ShowAll = Annotated[bool, typer.Option("--all", help="Finished programmes too.")]


@programme_app.callback()
def programme(ctx: typer.Context, json: JsonOption = False, show_all: ShowAll = False) -> None:
    """Training programmes: modules, pace, and when you finish.

    Without a NAME every running programme (--all: finished ones too); `programme add
    OUTLINE.md` adds one.
    """
    if ctx.invoked_subcommand is not None:
        if json or show_all:
            raise UsageError("--json and --all go before no command: microup programme --json")
        return
    from microup.app.programme import standing
    from microup.views import programme as views
    from microup.views import render

    name = ctx.meta.get("programme_name")
    with open_store(ctx, write=False) as store:
        shown_ = standing(store, now(), name=name, finished=show_all)
    if json:
        render.print_json({"programmes": [views.programme_json(p, j) for p, j in shown_]})
        return
    render.console().print(views.programmes_view(shown_))


def _read_outline(path: Path, *, named: bool = False) -> "Outline":
    """The outline file, refused with one line naming the line and the problem (`named`:
    the programme has a `--name`, so its heading is not checked)."""
    from microup.core.programme import MAX_OUTLINE_BYTES, decode_outline, parse_outline

    where = printable(str(path))
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_OUTLINE_BYTES + 1)
    except OSError as error:
        raise UsageError(f"cannot read {where}: {error.strerror or error}") from None
    return parse_outline(decode_outline(data, where), where, named=named)


def _day(text: str, what: str, moment: datetime) -> date:
    """A date typed for `what`, in the years microup takes (as `holiday` does)."""
    from microup.core.holiday import FIRST_YEAR, LAST_YEAR
    from microup.core.when import parse_when

    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        try:
            day = parse_when(text, moment).date()
        except UsageError:
            raise UsageError(f"{what} {shown(text)} is not a date like 2027-03-31") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise UsageError(f"{what} {shown(text)} is out of range (from {FIRST_YEAR} to {LAST_YEAR})")
    return day


@programme_app.command("add")
def add(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="The outline: Markdown or plain text.")
    ],
    name: Annotated[
        str | None,
        typer.Option(
            "--name", metavar="NAME", help="The programme's name (default: its # heading)."
        ),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option("--start", metavar="WHEN", help="When it starts (default today)."),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", metavar="DATE", help="When it should be finished: 2027-03-31."),
    ] = None,
) -> None:
    """Add a programme from its outline, or update it in place.

    `# Name`, then `## Topic` headings and `- Module (30m)` items; a module longer than a
    session becomes session-sized parts. Adding an edited file again keeps the progress of
    modules whose titles did not change.
    """
    from microup.app.programme import add_programme
    from microup.views import programme as views
    from microup.views import render

    moment = now()
    outline = _read_outline(file, named=name is not None)
    first = _day(start, "--start", moment) if start is not None else moment.date()
    due = _day(by, "--by", moment) if by is not None else None
    if due is not None and due <= first:
        raise UsageError(f"--by {due.isoformat()} is not after the start {first.isoformat()}")
    with open_store(ctx, write=True) as store:
        added = add_programme(
            store, outline, name=name, start=first, by=due, at=int(moment.timestamp())
        )
    out = render.console()
    for line in views.added_lines(
        added.programme,
        updated=added.updated,
        per_week=added.new_per_week,
        end=added.planned_end,
    ):
        out.print(render.user_text(line))


@programme_app.command("list")
def list_(ctx: typer.Context, json: JsonOption = False) -> None:
    """Every programme, running and finished, in the order added."""
    from microup.app.programme import standing
    from microup.views import programme as views
    from microup.views import render

    with open_store(ctx, write=False) as store:
        shown_ = standing(store, now(), finished=True)
    if json:
        render.print_json({"programmes": [views.programme_json(p, j) for p, j in shown_]})
        return
    render.console().print(views.list_view(shown_))


@programme_app.command("remove")
def remove(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The programme's name.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Remove a programme and its progress (asks first, unless --yes; undo brings it back).

    The entries you logged stay.
    """
    from microup.app.programme import remove_programme
    from microup.views import render

    if not yes:
        if not common.stdin_is_terminal():
            raise UsageError(
                f"not on a terminal: run 'microup programme remove {printable(name)} --yes'"
            )
        if not typer.confirm(
            f"Remove programme {printable(name)} and its progress?", default=False
        ):
            raise UsageError("nothing removed")
    with open_store(ctx, write=True) as store:
        gone = remove_programme(store, name)
    render.console().print(
        render.user_text(f"Removed programme {gone.name} (microup undo brings it back).")
    )


@programme_app.command("done")
def done(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(metavar="TITLE", help="The module's title.")],
) -> None:
    """Mark a module finished, whatever minutes it had."""
    from microup.app.programme import mark_done
    from microup.views import render

    moment = now()
    with open_store(ctx, write=True) as store:
        counted = mark_done(store, title, moment)
    out = render.console()
    for line in counted_lines(counted, moment):
        out.print(render.user_text(line))


def counted_lines(counted: Any, moment: datetime) -> list[str]:
    """What a session or `done` did to a programme: the module, and a finish when it came."""
    from microup.app.programme import Counted

    assert isinstance(counted, Counted)
    programme = counted.programme
    part = counted.parts[-1] if counted.parts else None
    lines = []
    if part is not None:
        after = next(p for p in programme.parts if p.seq == part.seq)
        state = "done" if after.done else f"{after.credited} of {after.minutes} min"
        lines.append(f"{programme.name}: {after.topic}, {after.label} ({state}).")
    if counted.finished:
        weeks = max(1, (moment.date() - programme.start).days // 7 + 1)
        lines.append(
            f"Programme {programme.name} finished: {programme.minutes_total} min over "
            f"{plural(weeks, 'week')}, {programme.start.isoformat()} to "
            f"{moment.date().isoformat()}."
        )
    return lines
