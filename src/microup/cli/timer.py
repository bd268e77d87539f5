"""A live timer: start a session now, stop it into an entry later, as in Watson or Timewarrior.

The running session is a row in the store, committed at once, so it survives a crash or a
closed terminal; `stop` turns it into an entry and removes the row in one transaction.
"""

from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated

import typer

from microup.app.rules import require_learnt
from microup.app.week import this_week
from microup.cli.common import (
    JsonOption,
    NoteOption,
    RecallOption,
    TopicOption,
    WhenOption,
    app,
    now,
    open_store,
    optional_topic,
)
from microup.core.errors import NotFoundError, UsageError
from microup.core.text import clean_note
from microup.core.when import MAX_ENTRY_MINUTES, parse_duration, parse_when

if TYPE_CHECKING:
    from datetime import datetime

    from microup.core.values import Entry, Kind, Timer
    from microup.store import Store

LONG_RUN = timedelta(hours=3)
"""A timer left running longer than this is not logged without --at or --minutes."""


def _finish(store: "Store", timer: "Timer", minutes: int, recall: int | None) -> "Entry":
    """The timer as an entry, the timer row gone, and the journal told: one transaction."""
    from microup.cli.adding import record_added
    from microup.core.values import Entry

    if not 1 <= minutes <= MAX_ENTRY_MINUTES:
        raise UsageError(
            "less than a minute: nothing logged (microup cancel drops the timer)"
            if minutes < 1
            else f"{minutes} minutes is more than a session ({MAX_ENTRY_MINUTES} at most): "
            "say how long with --minutes"
        )
    kind: Kind = "review" if timer.kind == "review" or recall is not None else "learn"
    if kind == "review" and timer.topic is None:
        raise UsageError("a review needs the topic it reviews; this timer has none")
    if kind == "review":
        require_learnt(store, timer.topic)
    saved = store.add_entry(
        Entry(timer.started, minutes, timer.topic, timer.note, recall, kind=kind)
    )
    store.set_timer(None)
    record_added(store, [saved], "Stopped the timer:", "; the timer runs again")
    return saved


def _refuse_long_run(elapsed: timedelta, timer: "Timer", command: str) -> None:
    """A timer left running for hours was most likely forgotten: ask how long it really was."""
    from microup.views import render

    if elapsed <= LONG_RUN:
        return
    hours, rest = divmod(int(elapsed.total_seconds() // 60), 60)
    raise UsageError(
        f"the timer has run for {hours} h {rest} min since {render.local_time(timer.started)}: "
        "first say when you stopped (microup stop --at WHEN) or how long it was "
        f"(microup stop --minutes D){' and start again' if command != 'stop' else ''}"
    )


def _refuse_clock_behind(timer: "Timer", moment: "datetime") -> None:
    """The clock says now is before the timer started (it was put back, or the timer was
    started on a machine whose clock ran ahead): any entry would lie in the future."""
    from microup.views import render

    if timer.started > moment:
        raise UsageError(
            f"the timer started at {render.local_time(timer.started)}, but the clock now says "
            f"{render.local_time(moment)}: fix the clock, or drop the timer (microup cancel) "
            "and log the session (microup log D --at WHEN)"
        )


@app.command()
def start(
    ctx: typer.Context,
    topic: TopicOption = None,
    note: NoteOption = None,
    at: WhenOption = None,
    review: Annotated[
        bool, typer.Option("--review", help="Time a review of the topic, not new material.")
    ] = False,
    switch: Annotated[
        bool, typer.Option("--switch", help="Stop the running timer first (as an entry).")
    ] = False,
) -> None:
    """Start timing a session; `microup stop` logs it.

    The timer is saved at once, so it survives a crash or a closed terminal.
    """
    from microup.core.values import Timer
    from microup.views import render

    moment = now()
    timer = Timer(
        started=parse_when(at, moment) if at is not None else moment,
        topic=optional_topic(topic),
        note=clean_note(note) if note is not None else None,
        kind="review" if review else "learn",
    )
    if review and timer.topic is None:
        raise UsageError("a review needs the topic it reviews: --topic NAME")
    if at is not None:
        from microup.cli.adding import confirm_backfill

        confirm_backfill(ctx, timer.started)
    out = render.console()
    with open_store(ctx, write=True) as store:
        if review:
            require_learnt(store, timer.topic)
        if timer.topic is not None:  # shown as the topic is already spelt
            timer = replace(timer, topic=store.find_topic(timer.topic) or timer.topic)
        running = store.timer()
        if running is not None:
            if not switch:
                raise UsageError(
                    f"a timer is already running since {render.local_time(running.started)}: "
                    "microup stop, or start --switch"
                )
            if at is None:
                _refuse_clock_behind(running, moment)
            if timer.started < running.started:
                raise UsageError("--at is before the running timer started")
            _refuse_long_run(timer.started - running.started, running, "start --switch")
            minutes = round((timer.started - running.started).total_seconds() / 60)
            stopped = _finish(store, running, minutes, None)
            out.print(render.describe_entry(stopped, "Logged"))
        store.set_timer(timer)
        label = f" on {timer.topic}" if timer.topic else ""
        store.describe(
            f"Started the timer{label}" + (" (and logged the one before)" if running else ""),
            f"Dropped the timer{label}" + ("; the one before runs again" if running else ""),
        )
    out.print(render.timer_line(timer, moment).append(". Stop with: microup stop"))


@app.command()
def stop(
    ctx: typer.Context,
    at: Annotated[
        str | None, typer.Option("--at", metavar="WHEN", help="When you stopped (default now).")
    ] = None,
    minutes: Annotated[
        str | None, typer.Option("--minutes", "-m", metavar="D", help="How long it really was.")
    ] = None,
    recall: RecallOption = None,
) -> None:
    """Stop the running timer and log it as an entry."""
    from microup.core.memory import parse_grade
    from microup.views import render

    moment = now()
    end = parse_when(at, moment) if at is not None else moment
    length = parse_duration(minutes) if minutes is not None else None
    grade = int(parse_grade(recall)) if recall is not None else None
    with open_store(ctx, write=True, create=False) as store:
        timer = store.timer()
        if timer is None:
            raise NotFoundError("no timer is running (start one with: microup start -t TOPIC)")
        _refuse_clock_behind(timer, moment)
        if length is None:
            elapsed = end - timer.started
            if at is None:
                _refuse_long_run(elapsed, timer, "stop")
            if elapsed < timedelta(0):
                raise UsageError("--at is before the timer started")
            length = round(elapsed.total_seconds() / 60)
        saved = _finish(store, timer, length, grade)
        week = this_week(store, moment)
    out = render.console()
    out.print(render.describe_entry(saved, "Logged"))
    out.print(render.progress(week, out))


@app.command()
def status(
    ctx: typer.Context,
    json: JsonOption = False,
    short: Annotated[
        bool,
        typer.Option(
            "--short", "-s", help="One line for a shell prompt or status bar (fast, from a cache)."
        ),
    ] = False,
) -> None:
    """Whether a timer is running, since when, and on what."""
    moment = now()
    if short:
        _short_status(ctx, moment)
        return
    from microup.views import render

    with open_store(ctx, write=False) as store:
        timer = store.timer()
    if json:
        render.print_json(render.timer_json(timer, moment))
    elif timer is None:
        render.console().print("No timer running. Start one with: microup start -t TOPIC")
    else:
        render.console().print(render.timer_line(timer, moment))


@app.command()
def cancel(ctx: typer.Context) -> None:
    """Drop the running timer without logging anything."""
    from microup.views import render

    with open_store(ctx, write=True, create=False) as store:
        timer = store.timer()
        if timer is None:
            raise NotFoundError("no timer is running")
        store.set_timer(None)
        label = f" on {timer.topic}" if timer.topic else ""
        store.describe(f"Cancelled the timer{label}", f"The timer{label} runs again")
    render.console().print(render.timer_line(timer, now()).append(": dropped, nothing logged."))


def _short_status(ctx: typer.Context, moment: "datetime") -> None:
    """From the hints file the store keeps current; the first time, from the store itself
    (which then writes the hints)."""
    import sys

    from microup.system.hints import read_hints, write_hints
    from microup.views.short import short_line

    where = str(ctx.obj.db)
    hints = read_hints(where)
    if hints is None:
        from microup.app.hints import gather

        with open_store(ctx, write=False) as store:
            hints = gather(store, moment)
        write_hints(where, hints)
    sys.stdout.write(short_line(hints, moment) + "\n")


@app.command("continue")
def continue_(
    ctx: typer.Context,
    at: WhenOption = None,
    switch: Annotated[
        bool, typer.Option("--switch", help="Stop the running timer first (as an entry).")
    ] = False,
) -> None:
    """Start the timer again on the topic you last logged or timed."""
    with open_store(ctx, write=False) as store:
        last = next((entry.topic for entry in store.entries(limit=50) if entry.topic), None)
    if last is None:
        raise NotFoundError("no topic logged yet to continue: microup start -t TOPIC")
    start(ctx, topic=last, note=None, at=at, review=False, switch=switch)
