"""Weeks off: a holiday neither breaks nor extends a streak, and plans nothing for it."""

from datetime import date, timedelta
from typing import Annotated

import typer

from microup.cli.common import app, now, open_store


@app.command()
def holiday(
    ctx: typer.Context,
    week: Annotated[
        str,
        typer.Argument(
            metavar="WEEK",
            help="this (default), next, last, 2026-W52, or a date in that week.",
            show_default=False,
        ),
    ] = "this",
    remove: Annotated[
        bool, typer.Option("--remove", help="It is not a week off after all.")
    ] = False,
) -> None:
    """Mark a week off: it neither breaks nor extends your streak.

    Its goal and review budget are nothing, so the plan does not pile up behind it.
    """
    from microup.core.holiday import parse_week

    monday = parse_week(week, now().date())
    mark_week_off(ctx, monday, off=not remove)


def mark_week_off(ctx: typer.Context, monday: date, *, off: bool) -> None:
    """Record the week as off (or not), journaled so that undo covers it, and say so."""
    from microup.app.holiday import set_week_off
    from microup.core.weeks import week_label
    from microup.views import render

    label = week_label(monday)
    with open_store(ctx, write=True) as store:
        changed = set_week_off(store, monday, off=off)
    span = f"{label} ({monday} to {monday + timedelta(days=6)})"
    render.console().print(
        f"{span} is a week off already."
        if not changed
        else f"{span} is a week off: it neither breaks nor extends your streak."
        if off
        else f"{span} counts again, with its usual goal."
    )
