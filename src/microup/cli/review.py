"""The memory commands: what to review now, the scheduler's settings, the forgetting curve."""

import math
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from microup.app.programme import running, week_news
from microup.app.review import review_view
from microup.cli.common import JsonOption, app, completer, now, open_store
from microup.core.errors import NotFoundError, UsageError
from microup.core.weeks import week_start
from microup.core.when import parse_duration

if TYPE_CHECKING:
    from microup.core.programme import Programme
    from microup.core.review import ReviewView
from microup.core.text import clean_topic, plural, printable

NOTHING_YET = (
    "Nothing to review yet. Log a session with a topic to start: microup log 20 --topic SQL"
)
CURVE_STEPS = 64
MAX_SESSION_MINUTES = 600


@app.command()
def review(
    ctx: typer.Context,
    minutes: Annotated[
        str | None,
        typer.Option(
            "--minutes",
            "-m",
            metavar="D",
            help="Minutes you have now (20, 1h, 1:30, 1.5h), up to 600 "
            "(default: this session's share of the week's budget).",
        ),
    ] = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="Every topic with its recall, planned or not.")
    ] = False,
    json: JsonOption = False,
) -> None:
    """What to review now, and what faded most.

    This session's share of the week's review budget, or the --minutes you have.
    """
    from microup.core.plan import BLOCK_MINUTES
    from microup.views import memory as render_memory
    from microup.views import render

    have = (
        parse_duration(minutes, maximum=MAX_SESSION_MINUTES, what="--minutes")
        if minutes is not None
        else None
    )
    with open_store(ctx, write=False) as store:
        moment = now()
        view = review_view(store, moment)
        plan = view.outlook.plan
        news = week_news(store, plan.new_minutes_left, plan.sessions_left, moment.date())
    plan = view.outlook.plan
    memories = view.outlook.memories
    held = view.held()
    blocks = view.this_session() if have is None else plan.fit(have, held)
    planned = dict(blocks)
    if show_all:
        scale = view.outlook.fit.scale
        ordered = sorted(memories.values(), key=lambda m: (m.retention(view.now, scale), m.topic))
        rows = [(memory, planned.get(memory.topic, 0)) for memory in ordered]
        more = 0
    else:
        rows = [(memories[topic], length) for topic, length in blocks]
        rest = sum(length for _, length in plan.pending()) - sum(planned.values())
        more = max(0, math.ceil(rest / BLOCK_MINUTES))
    if json:
        render.print_json(
            {
                "suggestions": [
                    render_memory.suggestion_json(memory, length, view) for memory, length in rows
                ],
                "more": more,
                "budget": render_memory.budget_json(view),
            }
            | ({} if news[0] is None else {"new": news[0].json()})
        )
        return
    out = render.console()
    if news[0] is not None:
        out.print(render.user_text(news[0].line()))
    if not memories:
        out.print(NOTHING_YET)
        return
    out.print(render_memory.review_view(rows, more, view, show_all=show_all))


@app.command()
def plan(
    ctx: typer.Context,
    json: JsonOption = False,
    ics: Annotated[
        Path | None,
        typer.Option(
            "--ics",
            metavar="FILE",
            help="Also write the week's sessions as recurring events to an iCalendar file.",
        ),
    ] = None,
    slots: Annotated[
        str | None,
        typer.Option(
            "--slots",
            metavar="DAY@HH:MM,...",
            help="When you learn, for --ics (default mon@12:30,wed@12:30,fri@12:30).",
        ),
    ] = None,
) -> None:
    """This week's review plan, session by session.

    What is done and what is left for new material; --ics puts the sessions in your calendar.
    """
    from microup.views import memory as render_memory
    from microup.views import render

    if slots is not None and ics is None:
        raise UsageError("--slots goes with --ics FILE")
    moment = now()
    with open_store(ctx, write=False) as store:
        view = review_view(store, moment)
        goal = store.goals().goal_for(week_start(moment.date()))
        programmes = running(store)
        left = view.outlook.plan
        news = week_news(store, left.new_minutes_left, left.sessions_left, moment.date())
    if ics is not None:
        _write_ics(ctx, ics, slots, goal, view, moment, programmes)
        return
    if json:
        render.print_json(
            render_memory.plan_json(view)
            | (
                {"new": [None if block is None else block.json() for block in news]}
                if any(news)
                else {}
            )
        )
    else:
        out = render.console()
        out.print(render_memory.plan_view(view))
        for number, block in enumerate(news, start=1):
            if block is not None:
                out.print(render.user_text(f"Session {number}, {block.line()}"))


def _write_ics(
    ctx: typer.Context,
    path: Path,
    slots: str | None,
    goal: int,
    view: "ReviewView",
    moment: datetime,
    programmes: "list[Programme]",
) -> None:
    """The calendar file, written whole; the reviews planned for each session go with it."""
    from microup.app.access import mark_saved
    from microup.cli.output import output_file
    from microup.core.formats import ics
    from microup.system.timezone import local_zone
    from microup.views import render

    chosen = ics.parse_slots(ics.DEFAULT_SLOTS if slots is None else slots)
    data = ics.calendar_bytes(
        chosen, goal, view.outlook.plan.sessions(), moment, zone=local_zone(), programmes=programmes
    )
    with output_file(path, ctx.obj.db) as stream:
        stream.write(data.decode("utf-8"))
    mark_saved()  # the file is written: a report that cannot be shown is no failure
    render.console().print(
        f"Wrote {plural(len(chosen), 'weekly session')} ({goal} min a week) to "
        f"{printable(str(path))}; "
        "import it into your calendar (importing again updates the same events)."
    )


@app.command()
def config(
    ctx: typer.Context,
    key: Annotated[
        str | None,
        typer.Argument(
            metavar="KEY",
            help="A setting's name.",
            show_default=False,
            autocompletion=completer("setting_keys"),
        ),
    ] = None,
    value: Annotated[
        str | None, typer.Argument(metavar="VALUE", help="Its new value.", show_default=False)
    ] = None,
) -> None:
    """Show or change the review planner's settings.

    The review planner's settings are review-budget, target-retention and min-gap; the
    lrs-* settings say where `lrs send` sends and as whom. `microup config` shows each
    with its value and meaning (a password only as set or not).
    """
    from microup.core.settings import SETTINGS, effective, shown_value, spec_for
    from microup.views import memory as render_memory
    from microup.views import render

    spec = spec_for(key) if key is not None else None
    new_value = spec.normalize(value) if spec is not None and value is not None else None
    with open_store(ctx, write=new_value is not None) as store:
        before = effective(store.settings())
        if spec is not None and new_value is not None and new_value != before[spec.key]:
            store.set_setting(spec.key, new_value)
            store.describe(
                f"Setting {spec.key} {shown_value(spec.key, new_value)}",
                f"Setting {spec.key} back to {shown_value(spec.key, before[spec.key])}",
            )
        values = effective(store.settings())
    names = [spec.key] if spec is not None else list(SETTINGS)
    render.console().print(
        render_memory.settings_table(
            [(n, shown_value(n, values[n]), SETTINGS[n].help) for n in names]
        )
    )


@app.command()
def curve(
    ctx: typer.Context,
    topic: Annotated[
        str | None,
        typer.Argument(metavar="TOPIC", help="A topic you have studied.", show_default=False),
    ] = None,
) -> None:
    """Draw the forgetting curve, of all material or of one topic.

    Without a topic, the curve of material learnt once; with one, its predicted recall.
    """
    from microup.core.memory import SEED_STABILITY_HOURS, retention, retention_series
    from microup.views import memory as render_memory
    from microup.views import render

    moment = now()
    out = render.console()
    width = max(20, min(CURVE_STEPS, out.width - render_memory.AXIS_WIDTH - 2))
    ascii_only = not render.unicode_ok(out)
    if topic is None:
        minutes = [43_200 ** (i / (width - 1)) for i in range(width)]  # 1 min to 30 days
        series: list[float | None] = [retention(m / 60, SEED_STABILITY_HOURS) for m in minutes]
        origin = moment - timedelta(minutes=1)
        out.print(render_memory.SEED_TITLE)
        out.print(
            render_memory.curve_chart(
                series,
                start=origin,
                end=origin + timedelta(days=30),
                log_scale=True,
                ascii_only=ascii_only,
            )
        )
        out.print(render_memory.seed_axis(width))
        return
    wanted = clean_topic(topic)
    with open_store(ctx, write=False) as store:
        rows = list(store.study_sessions(wanted))
        view = review_view(store, moment)
    if not rows:
        raise NotFoundError(f"no sessions logged for topic {wanted!r}")
    first = datetime.fromtimestamp(rows[0][1], timezone.utc)
    start, end = render_memory.curve_span(first, moment)
    times = [start + (end - start) * i / (width - 1) for i in range(width)]
    target = view.settings.target_retention
    out.print(render_memory.topic_curve_title(rows[0][0], target, ascii_only=ascii_only))
    out.print(
        render_memory.curve_chart(
            retention_series(rows, [int(t.timestamp()) for t in times], view.outlook.fit.scale),
            start=start,
            end=end,
            now=moment,
            sessions=[datetime.fromtimestamp(row[1], timezone.utc) for row in rows],
            target=target,
            ascii_only=ascii_only,
        )
    )
    out.print(render_memory.dated_axis(start, end, width))
