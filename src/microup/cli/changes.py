"""Undo, the history of changes, and topic names: the commands that look back at changes."""

from typing import Annotated

import typer

from microup.cli import common
from microup.cli.common import (
    FromOption,
    JsonOption,
    LastWeekOption,
    ToOption,
    WeekOption,
    app,
    chosen_range,
    completer,
    open_store,
    whole_number,
)
from microup.cli.lazy import LazyGroup
from microup.core.errors import NotFoundError, UsageError
from microup.core.text import clean_topic, plural

HISTORY_LIMIT = 20

topics_app = typer.Typer(
    cls=LazyGroup,
    subcommand_metavar="[COMMAND [ARGS]...]",
    help="Each topic with its minutes and when you last studied it.\n\n"
    "`microup topics rename OLD NEW` respells a topic or merges it into another.",
    invoke_without_command=True,
)
app.add_typer(topics_app, name="topics")


@topics_app.callback()
def topics(
    ctx: typer.Context,
    json: JsonOption = False,
    start: FromOption = None,
    end: ToOption = None,
    week: WeekOption = False,
    last_week: LastWeekOption = False,
) -> None:
    """Each topic with its total minutes, sessions and when you last studied it."""
    from microup.views import render

    if ctx.invoked_subcommand is not None:
        return
    span = chosen_range(start, end, week, last_week)
    with open_store(ctx, write=False) as store:
        if span.bounded:
            from microup.app.ranges import topic_totals

            totals = topic_totals(store, span)
        else:
            totals = store.topic_totals()
    if json:
        render.print_json({"topics": [render.topic_json(topic) for topic in totals]})
    elif not totals:
        render.console().print("No topics yet. Give one with: microup log 20 --topic SQL")
    else:
        render.console().print(render.topics_table(totals))


@topics_app.command("rename")
def rename(
    ctx: typer.Context,
    old: Annotated[
        str,
        typer.Argument(
            metavar="OLD", help="The topic as it is now.", autocompletion=completer("topics")
        ),
    ],
    new: Annotated[
        str,
        typer.Argument(
            metavar="NEW",
            help="Its new name (or a topic to merge into).",
            autocompletion=completer("topics"),
        ),
    ],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Merge without asking.")] = False,
) -> None:
    """Respell or rename a topic, or merge it into another.

    When NEW is already a topic, OLD's entries move into it (after a question, or --yes).
    """
    from microup.app.programme import rename_programme_topic
    from microup.app.programme_rename import check_topic_rename
    from microup.views import render

    old_name, new_name = clean_topic(old), clean_topic(new)
    with open_store(ctx, write=False) as store:
        source, target = store.topic_row(old_name), store.topic_row(new_name)
        moving = len(store.topic_entry_ids(source[0])) if source else 0
    if source is None:
        raise NotFoundError(f"no topic {old_name!r}")
    merge = target is not None and target[0] != source[0]
    if merge and not yes:
        assert target is not None
        question = f"Move {plural(moving, 'entry', 'entries')} from {old_name!r} into {target[1]!r}"
        if not common.stdin_is_terminal():
            raise UsageError(f"{question}? Run again with --yes to merge")
        if not typer.confirm(question + "?", default=False):
            render.console().print("Nothing changed.")
            return
    with open_store(ctx, write=True, create=False) as store:
        source, target = store.topic_row(old_name), store.topic_row(new_name)
        if source is None:
            raise NotFoundError(f"no topic {old_name!r}")
        check_topic_rename(store, source[1], new_name)
        if target is not None and target[0] != source[0]:
            moved = store.topic_entry_ids(source[0])
            store.merge_topic(source[0], target[0])
            rename_programme_topic(store, source[1], target[1])
            count = plural(len(moved), "entry", "entries")
            done = f"Merged {source[1]!r} into {target[1]!r} ({count})"
            back = f"Moved {count} back from {target[1]!r} to {source[1]!r}"
        elif source[1] == new_name:
            render.console().print(render.user_text(f"{source[1]!r} is already its name"))
            return
        else:
            store.rename_topic(source[0], new_name)
            rename_programme_topic(store, source[1], new_name)
            done = f"Renamed {source[1]!r} to {new_name!r}"
            back = f"Renamed {new_name!r} back to {source[1]!r}"
        store.describe(done, back)
    render.console().print(render.user_text(done))


@app.command()
def undo(
    ctx: typer.Context,
    change: Annotated[
        int | None,
        typer.Argument(
            metavar="ID",
            parser=whole_number,
            help="A change from `microup history` (default: the most recent not yet undone).",
        ),
    ] = None,
    show: Annotated[bool, typer.Option("--list", help="Show the last changes instead.")] = False,
) -> None:
    """Revert the most recent change, or change ID.

    Any change to your data: log, edit, delete, import, goal, config, rename, start, stop,
    cancel. Run it again to revert the one before; a change moved on since is refused.
    """
    from microup.views import render

    if show:
        _show_history(ctx, HISTORY_LIMIT, json=False)
        return
    with open_store(ctx, write=True, create=False) as store:
        message = store.undo(change)
    render.console().print(render.user_text(message))


@app.command("history")
def history_command(
    ctx: typer.Context,
    limit: Annotated[
        int,
        typer.Option(
            "--limit",
            metavar="N",
            parser=whole_number,
            show_default=False,
            help=f"At most N changes (default {HISTORY_LIMIT}).",
        ),
    ] = HISTORY_LIMIT,
    json: JsonOption = False,
) -> None:
    """The last changes, newest first, and which were undone.

    The same as `undo --list`.
    """
    _show_history(ctx, limit, json=json)


def _show_history(ctx: typer.Context, limit: int, *, json: bool) -> None:
    from microup.views import render

    with open_store(ctx, write=False) as store:
        changes = store.journal.history(limit)
    if json:
        render.print_json(
            {
                "changes": [
                    {
                        "id": change.id,
                        "at": render.iso(change.at.astimezone()),
                        "summary": change.summary,
                        "undone": change.undone,
                    }
                    for change in changes
                ]
            }
        )
    elif not changes:
        render.console().print("No changes yet.")
    else:
        render.console().print(render.changes_table(changes))
