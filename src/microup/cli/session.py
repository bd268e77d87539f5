"""`microup session`: today's session, run block by block in the terminal, and logged.

The runner (`app.runner`) decides; this module is the terminal around it: keys read one at
a time (cbreak mode, so Ctrl-C still interrupts), a Rich Live countdown, the questions after
each block, and what Ctrl-C does to the block under way.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from typing import TYPE_CHECKING, Annotated

import typer

from microup.cli.common import (
    JsonOption,
    app,
    now,
    open_store,
    optional_topic,
    stdin_is_terminal,
)
from microup.core.errors import UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from microup.app.runner import SessionRunner
    from microup.app.session import SessionLog
    from microup.core.session import SessionPlan

MAX_MINUTES = 600


@app.command()
def session(
    ctx: typer.Context,
    minutes: Annotated[
        int | None,
        typer.Option(
            "--minutes",
            "-m",
            metavar="N",
            help="Minutes you have, 1 to 600 (default: this session's share of the week).",
        ),
    ] = None,
    topic: Annotated[
        str | None,
        typer.Option("--topic", "-t", metavar="TOPIC", help="The new material's topic."),
    ] = None,
    plan_only: Annotated[
        bool, typer.Option("--plan", help="Show the session without running it.")
    ] = False,
    json: JsonOption = False,
) -> None:
    """Run today's session block by block, timed and logged.

    Keys while a block runs: space pauses, n ends it now, s skips it, q ends the session.
    Each block is logged as it ends; `microup undo` removes the whole session.
    """
    from microup.app.session import session_plan
    from microup.core.session import plan_json
    from microup.views import render
    from microup.views import session as views

    if minutes is not None and not 1 <= minutes <= MAX_MINUTES:
        raise UsageError(f"--minutes is from 1 to {MAX_MINUTES}, not {minutes}")
    typed = optional_topic(topic)
    runs = not (json or plan_only) and stdin_is_terminal()
    with open_store(ctx, write=runs) as store:  # a session that runs creates the store
        plan = session_plan(store, now(), minutes, typed)
        running = store.timer()
    if json:
        render.print_json(plan_json(plan))
        return
    out = render.console()
    out.soft_wrap = False  # wrapped by Rich at the terminal's width, however narrow
    if not runs:
        out.print(views.plan_view(plan))
        if not plan_only:
            out.print(views.log_hint(plan))
        return
    if running is not None:
        raise UsageError(
            f"a timer is already running since {render.local_time(running.started)}: "
            "microup stop (or cancel) first"
        )
    plan = _ask_topic(out, plan)
    out.print(views.plan_view(plan))
    _run(ctx, out, plan, typed)


def _ask_topic(out: Console, plan: SessionPlan) -> SessionPlan:
    """New material with no topic known: ask for one (Enter: none)."""
    from microup.core.errors import MicroupError
    from microup.core.text import clean_topic

    blocks = list(plan.blocks)
    if not blocks or blocks[-1].kind != "learn" or blocks[-1].topic is not None:
        return plan
    out.print("What will you learn? Nothing learnt yet says which topic.")
    while True:
        answer = out.input("Topic (Enter: none): ")
        try:
            topic = clean_topic(answer) if answer.strip() else None
        except MicroupError as error:
            out.print(str(error))
            continue
        blocks[-1] = replace(blocks[-1], topic=topic)
        return replace(plan, blocks=tuple(blocks))


def _run(ctx: typer.Context, out: Console, plan: SessionPlan, typed: str | None) -> None:
    """Wait for Enter, run the blocks, handle Ctrl-C, and sum up."""
    import time

    from microup.app.runner import SessionRunner
    from microup.app.session import SessionLog
    from microup.cli.terminal import TerminalKeys, TerminalScreen

    keys = TerminalKeys(sys.stdin.fileno())
    screen = TerminalScreen(out, keys)
    log = SessionLog(lambda: open_store(ctx, write=True), now)
    runner = SessionRunner(plan, time.monotonic, keys, screen, log)
    out.print("Enter starts the session; q leaves.")
    try:
        try:
            if keys.wait_start():
                runner.run()
        finally:
            screen.abandon()
    except (KeyboardInterrupt, EOFError):
        _interrupted(out, runner, log)
    _summary(ctx, out, runner, typed)


def _interrupted(out: Console, runner: SessionRunner, log: SessionLog) -> None:
    """Ctrl-C: what finished is logged; ask about the running block (no answer: keep it)."""
    from microup.app.runner import Outcome
    from microup.core.session import answer_yes
    from microup.views import session as views

    run = runner.current
    if run is None or log.timer is None:
        out.print("\nInterrupted.")
        return
    minutes = run.minutes(Outcome.ENDED)
    title = views.block_title(run.block)
    question = title.append(f" ran {minutes} min. Log it? y logs it, n drops it, k keeps it ")
    question.append("running as the timer (microup stop logs it).")
    out.print()
    out.print(question)
    while True:
        try:
            answer = out.input("[Y/n/k]: ").strip().lower()
        except (KeyboardInterrupt, EOFError):
            answer = "k"
        if answer in ("k", "keep"):
            out.print("The block's timer keeps running: microup stop logs it.")
            return
        choice = answer_yes(answer, default=True)
        if choice is not None:
            break
    if choice:
        entry = log.finish(run.block, minutes, None)
        if entry is not None:
            runner.logged.append(entry)
    else:
        log.drop(run.block)


def _summary(ctx: typer.Context, out: Console, runner: SessionRunner, typed: str | None) -> None:
    """What was logged, the week against the goal, and the next session's blocks."""
    from microup.app.session import session_plan
    from microup.app.week import this_week
    from microup.views import render
    from microup.views import session as views

    moment = now()
    with open_store(ctx, write=False) as store:
        week = this_week(store, moment)
        upcoming = session_plan(store, moment, None, typed)
    out.print(
        views.summary_view(
            runner.logged,
            runner.skipped,
            week,
            next_plan=upcoming,
            progress=render.progress(week, out),
        )
    )
