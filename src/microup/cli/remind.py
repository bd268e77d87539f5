"""The weekly reminder and the cron job that runs it, so the habit survives busy weeks."""

import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from microup.cli.common import app, completer, now, open_store, show_help_without_command
from microup.cli.lazy import LazyGroup
from microup.cli.reminded import REMINDED_AT, Seen, reminded_at, scheduled_view, view
from microup.core.errors import MicroupError, StoreBusyError, UsageError
from microup.core.text import printable

DEFAULT_DAY = "mon"
DEFAULT_TIME = "09:00"

DayOption = Annotated[
    str,
    typer.Option(
        "--day",
        metavar="DAY",
        show_default=False,
        help=f"Day of the weekly reminder: mon..sun (default {DEFAULT_DAY}).",
        autocompletion=completer("days"),
    ),
]
ClockOption = Annotated[
    str,
    typer.Option(
        "--time",
        metavar="HH:MM",
        show_default=False,
        help=f"Time of the reminder, 24 h (default {DEFAULT_TIME}).",
    ),
]
# The scheduler's own mode (`remind --scheduled --day DAY --time HH:MM`, written into the
# job by `remind install`): hidden from --help, which is for people.
ScheduledDayOption = Annotated[str, typer.Option("--day", metavar="DAY", hidden=True)]
ScheduledClockOption = Annotated[str, typer.Option("--time", metavar="HH:MM", hidden=True)]

cron_app = typer.Typer(
    cls=LazyGroup,
    help="The weekly reminder as a cron job, for cron only.\n\n"
    "The same as `remind install --via cron`, `remind remove` and `remind show`.",
    invoke_without_command=True,
)
app.add_typer(cron_app, name="cron")
cron_app.callback()(show_help_without_command)


remind_app = typer.Typer(
    cls=LazyGroup,
    subcommand_metavar="[COMMAND [ARGS]...]",
    help="Where this week stands and what to review, in a few lines.\n\n"
    "It never asks anything and needs no terminal. `remind install` schedules it weekly; "
    "`remind show` and `remind remove` manage that.",
    invoke_without_command=True,
)
app.add_typer(remind_app, name="remind")


@remind_app.callback()
def remind(
    ctx: typer.Context,
    notify: Annotated[
        bool,
        typer.Option(
            "--notify/--no-notify", show_default=False, help="Also show a desktop notification."
        ),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Say nothing when all is well.")
    ] = False,
    scheduled: Annotated[
        bool,
        typer.Option(
            "--scheduled",
            hidden=True,
            help="As run by the scheduler: speak at most once a week, on the "
            "first run on or after --day at --time.",
        ),
    ] = False,
    day: ScheduledDayOption = DEFAULT_DAY,
    at: ScheduledClockOption = DEFAULT_TIME,
) -> None:
    """Where this week stands and what to review; never prompts, never needs a terminal.

    `remind install`, `remind remove` and `remind show` manage the scheduled reminder.
    """
    from microup.core import when
    from microup.system import notify as desktop
    from microup.views import render

    if ctx.invoked_subcommand is not None:
        return

    weekday, clock = when.parse_day(day), when.parse_clock(at)
    moment = now()
    try:
        seen = scheduled_view(ctx, moment, weekday, clock) if scheduled else view(ctx, moment)
    except StoreBusyError:  # busy is not broken: the next run (or the person) tries again
        render.console().print(
            f"[{render.local_time(moment)}] microup: the store is busy; no reminder this time"
        )
        return
    if seen is None or (quiet and seen[0].met and not seen[1]):
        return
    lines = _reminder_lines(seen, moment, scheduled=scheduled)
    out = render.console()
    for line in lines:
        out.print(line)
    if notify:
        desktop.send("microup", "\n".join(lines[1:] if scheduled else lines))


def _reminder_lines(seen: Seen, moment: datetime, *, scheduled: bool) -> list[str]:
    """What the reminder says, a line each: the week, what to review, what is new, a running
    timer, and (scheduled) when it spoke."""
    from microup.views import memory as render_memory
    from microup.views import render

    week, blocks, timer, note, new = seen
    lines = render_memory.reminder_lines(week, blocks)
    if new is not None:
        lines.append(printable(new))
    if timer is not None:
        lines.append(render.timer_line(timer, moment).plain + " (microup stop logs it)")
    if scheduled:
        lines.insert(0, f"[{render.local_time(moment)}] microup weekly reminder")
    if note:
        lines.append(note)
    return lines


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
        "and install the reminder from that installation"
    )


ViaOption = Annotated[
    str,
    typer.Option(
        "--via",
        metavar="SCHEDULER",
        show_default=False,
        autocompletion=completer("vias"),
        help="systemd (a user timer), launchd (macOS) or cron; "
        "default auto, the first that works here.",
    ),
]
NotifyOption = Annotated[
    bool,
    typer.Option(
        "--notify/--no-notify",
        show_default=False,
        help="Also show a desktop notification (default on).",
    ),
]


def _install(ctx: typer.Context, via: str, day: str, at: str, notify: bool) -> None:
    """Install the reminder with one scheduler, removing any other microup reminder first so
    that exactly one speaks. The store is checked (and marked) in the same transaction: if the
    scheduler refuses, the store is left unchanged."""
    from microup.core import reminder, when
    from microup.core.reminder import ReminderJob
    from microup.system.files import prepare_log, remove_created
    from microup.system.paths import reminder_log_path
    from microup.system.schedulers.registry import VIAS, choose
    from microup.views import render

    if via not in VIAS:
        raise UsageError(f"unknown scheduler {via!r}: use {', '.join(VIAS)}")
    weekday, clock = when.parse_day(day), when.parse_clock(at)
    scheduler = choose(via)
    job = ReminderJob(
        microup=_microup_executable().absolute(),
        db=ctx.obj.db,
        log=reminder_log_path(),
        weekday=weekday,
        at=clock,
        notify=notify,
    )
    moment = now()
    with open_store(ctx, write=True) as store:  # the first reminder is the next chosen day
        if reminded_at(store) is None:
            store.remember(REMINDED_AT, moment.isoformat())
        last = reminded_at(store)
        created = prepare_log(job.log)
        try:
            where = scheduler.install(job)  # first: if it fails, the reminder there stays
        except BaseException:
            remove_created(created)
            raise
    leftovers = _remove_others(scheduler.name)
    next_time = reminder.next_reminder(moment, weekday, clock, last)
    out = render.console()
    for line in leftovers:
        out.print(line)
    out.print(
        f"Installed in {where}: microup checks hourly and reminds you once a week, "
        f"on {when.DAY_NAMES[weekday]} at {clock:%H:%M} or the first time after it that "
        "the machine is awake."
    )
    out.print(f"Next reminder: {render.local_time(next_time)}. Output goes to {job.log}")


def _remove_others(kept: str) -> list[str]:
    """After an install: take any other scheduler's microup reminder away, even one too
    damaged to read, so that exactly one speaks. The install has succeeded whatever happens
    here; what could not be removed is said (with the way out), not reported as a failure."""
    from microup.system.schedulers.registry import all_schedulers

    said: list[str] = []
    for other in all_schedulers():
        if other.name == kept:
            continue
        try:
            other.remove()
        except MicroupError as error:
            if other.name != "cron" or other.available():
                said.append(
                    f"The {other.name} reminder could not be removed ({error}); "
                    "`microup remind remove` removes every microup reminder."
                )
    return said


def _show(kinds: list[str]) -> None:
    """Which reminder is installed and when it next speaks, from the store it was installed
    with (not the default one)."""
    from microup.app.access import open_store as transaction
    from microup.core import reminder, when
    from microup.system.schedulers.registry import all_schedulers
    from microup.views import render

    out = render.console()
    found = False
    for scheduler in all_schedulers():
        if scheduler.name not in kinds:
            continue
        job = scheduler.installed()
        if job is None:
            continue
        found = True
        with transaction(job.db, write=False) as store:
            last = reminded_at(store)
        next_time = reminder.next_reminder(now(), job.weekday, job.at, last)
        out.print(
            f"{scheduler.name}: {when.DAY_NAMES[job.weekday]} at {job.at:%H:%M} "
            f"({'with' if job.notify else 'without'} a desktop notification), store {job.db}"
        )
        out.print(f"Next reminder: {render.local_time(next_time)}. Output goes to {job.log}")
    if not found:
        out.print("No microup reminder is installed. Add one with: microup remind install")


def _remove(kinds: list[str]) -> None:
    from microup.system.schedulers.registry import all_schedulers
    from microup.views import render

    done = [message for s in all_schedulers() if s.name in kinds and (message := s.remove())]
    out = render.console()
    for message in done:
        out.print(message)
    if not done:
        out.print("No microup reminder is installed.")


@remind_app.command("install")
def remind_install(
    ctx: typer.Context,
    via: ViaOption = "auto",
    day: DayOption = DEFAULT_DAY,
    at: ClockOption = DEFAULT_TIME,
    notify: NotifyOption = True,
) -> None:
    """Schedule the weekly reminder.

    A systemd user timer, a launchd agent (macOS) or a cron job runs `microup remind` hourly;
    it speaks once a week, on the chosen day and time or the first time after it that the
    machine is awake.
    """
    _install(ctx, via, day, at, notify)


@remind_app.command("remove")
def remind_remove() -> None:
    """Remove the scheduled reminder, wherever it is."""
    _remove(["systemd", "launchd", "cron"])


@remind_app.command("show")
def remind_show() -> None:
    """Which scheduler holds the reminder and when it next speaks.

    Read from the store the reminder was installed with.
    """
    _show(["systemd", "launchd", "cron"])


@cron_app.command("install")
def cron_install(
    ctx: typer.Context,
    day: DayOption = DEFAULT_DAY,
    at: ClockOption = DEFAULT_TIME,
    notify: NotifyOption = True,
) -> None:
    """Install (or update) the one microup cron job.

    It runs hourly and reminds you once a week; the rest of your crontab is kept as it is.
    """
    _install(ctx, "cron", day, at, notify)


@cron_app.command("remove")
def cron_remove() -> None:
    """Remove the microup job; the rest of your crontab stays."""
    _remove(["cron"])


@cron_app.command("show")
def cron_show() -> None:
    """When the cron job next reminds you.

    Read from the store it was installed with.
    """
    _show(["cron"])
