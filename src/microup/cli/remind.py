"""The weekly reminder and the cron job that runs it, so the habit survives busy weeks."""

import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from microup.cli.common import (
    app,
    now,
    open_store,
    review_view,
    show_help_without_command,
    this_week,
)
from microup.errors import MicroupError, StoreBusyError

if TYPE_CHECKING:
    from microup.store import Store

REMINDED_AT = "reminded-at"  # internal setting: when the scheduled reminder last spoke
DEFAULT_DAY = "mon"
DEFAULT_TIME = "09:00"

DayOption = Annotated[
    str, typer.Option("--day", metavar="DAY", help="Day of the weekly reminder: mon..sun.")
]
ClockOption = Annotated[
    str, typer.Option("--time", metavar="HH:MM", help="Time of the reminder (24 h).")
]

cron_app = typer.Typer(
    help="Install, remove or show the daily cron job behind the weekly reminder.",
    invoke_without_command=True,
)
app.add_typer(cron_app, name="cron")
cron_app.callback()(show_help_without_command)


def _reminded_at(store: "Store") -> datetime | None:
    text = store.settings().get(REMINDED_AT)
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


@app.command()
def remind(
    ctx: typer.Context,
    notify: Annotated[
        bool, typer.Option("--notify/--no-notify", help="Also show a desktop notification.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Say nothing when all is well.")
    ] = False,
    scheduled: Annotated[
        bool,
        typer.Option(
            "--scheduled",
            help="As run by cron: speak at most once a week, on the "
            "first run on or after --day at --time.",
        ),
    ] = False,
    day: DayOption = DEFAULT_DAY,
    at: ClockOption = DEFAULT_TIME,
) -> None:
    """Where this week stands and what to review; never prompts, never needs a terminal."""
    from microup import crontab, render, render_memory
    from microup import notify as desktop

    weekday, clock = crontab.parse_day(day), crontab.parse_clock(at)
    moment = now()
    try:
        with open_store(ctx, write=scheduled) as store:
            if scheduled and not crontab.should_remind(moment, weekday, clock, _reminded_at(store)):
                return
            week = this_week(store, moment)
            blocks = review_view(store, moment).this_session()
            timer = store.timer()
            if scheduled:
                store.set_setting(REMINDED_AT, moment.isoformat())
    except StoreBusyError:  # busy is not broken: the next run (or the person) tries again
        render.console().print(
            f"[{render.local_time(moment)}] microup: the store is busy; no reminder this time"
        )
        return
    lines = render_memory.reminder_lines(week, blocks)
    if timer is not None:
        lines.append(render.timer_line(timer, moment).plain + " (microup stop logs it)")
    if quiet and week.met and not blocks:
        return
    if scheduled:
        lines.insert(0, f"[{render.local_time(moment)}] microup weekly reminder")
    out = render.console()
    for line in lines:
        out.print(line)
    if notify:
        desktop.send("microup", "\n".join(lines[1:] if scheduled else lines))


def _microup_executable() -> Path:
    """This installation's `microup` script: beside the Python that runs us, as pip puts it."""
    candidate = Path(sys.executable).parent / "microup"
    if candidate.is_file():
        return candidate
    argv0 = Path(sys.argv[0]).absolute()
    if argv0.name == "microup" and argv0.is_file():
        return argv0
    raise MicroupError(
        f"cannot find the microup command next to {sys.executable}; install microup with pip "
        "and run `microup cron install` from that installation"
    )


@cron_app.command("install")
def cron_install(
    ctx: typer.Context,
    day: DayOption = DEFAULT_DAY,
    at: ClockOption = DEFAULT_TIME,
) -> None:
    """Install (or update) the one microup job: it runs daily and reminds once a week."""
    from microup import crontab, render
    from microup.locations import reminder_log_path

    weekday, clock = crontab.parse_day(day), crontab.parse_clock(at)
    settings = ctx.obj
    log = reminder_log_path()
    line = crontab.job_line(
        microup=_microup_executable(), db=settings.db, log=log, weekday=weekday, at=clock
    )
    table = crontab.read_table()
    moment = now()
    # The store first: a job pointing at a store that cannot be opened is never installed.
    with open_store(ctx, write=True) as store:  # the first reminder is the next chosen day
        if _reminded_at(store) is None:
            store.set_setting(REMINDED_AT, moment.isoformat())
        last = _reminded_at(store)
    crontab.write_table(crontab.install(table, line))
    next_time = crontab.next_reminder(moment, weekday, clock, last)
    out = render.console()
    out.print(
        f"Installed: microup checks in daily at {clock:%H:%M} and reminds you once a week, "
        f"on the first run on or after {crontab.DAY_NAMES[weekday]} {clock:%H:%M}."
    )
    out.print(f"Next reminder: {render.local_time(next_time)}. Output goes to {log}")


@cron_app.command("remove")
def cron_remove() -> None:
    """Remove the microup job; the rest of your crontab stays exactly as it was."""
    from microup import crontab, render

    table = crontab.read_table()
    if crontab.find(table) is None:
        render.console().print("No microup job is installed.")
        return
    crontab.write_table(crontab.remove(table))
    render.console().print("Removed the microup job from your crontab.")


@cron_app.command("show")
def cron_show(ctx: typer.Context) -> None:
    """Print the installed job and when it next reminds you."""
    from microup import crontab, render

    line = crontab.find(crontab.read_table())
    out = render.console()
    if line is None:
        out.print("No microup job is installed. Add one with: microup cron install")
        return
    weekday, clock = crontab.parse_job(line)
    with open_store(ctx, write=False) as store:
        last = _reminded_at(store)
    next_time = crontab.next_reminder(now(), weekday, clock, last)
    out.print(line)
    out.print(
        f"Reminds once a week, first run on or after {crontab.DAY_NAMES[weekday]} "
        f"{clock:%H:%M}; next: {render.local_time(next_time)}."
    )
