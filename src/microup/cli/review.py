"""The memory commands: what to review now, the scheduler's settings, the forgetting curve."""

from datetime import datetime, timedelta, timezone
from typing import Annotated

import typer

from microup.cli.common import MAX_ID, JsonOption, app, now, open_store, review_suggestions
from microup.errors import NotFoundError
from microup.parse import clean_topic

NOTHING_YET = (
    "Nothing to review yet. Log a session with a topic to start: microup log 20 --topic SQL"
)
CURVE_STEPS = 64


@app.command()
def review(
    ctx: typer.Context,
    show_all: Annotated[
        bool, typer.Option("--all", help="Every topic, due or not, with when it falls due.")
    ] = False,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=MAX_ID, help="Show at most N due topics.")
    ] = 5,
    json: JsonOption = False,
) -> None:
    """Topics to revisit now, most forgotten first, each with a short suggested session."""
    from microup import render, render_memory

    moment = now()
    with open_store(ctx, write=False) as store:
        rows = review_suggestions(store, moment)
    due = [row for row in rows if row.is_due]
    shown = rows if show_all else due[:limit]
    more = 0 if show_all else len(due) - len(shown)
    if json:
        render.print_json(
            {"suggestions": [render_memory.suggestion_json(r) for r in shown], "more": more}
        )
        return
    out = render.console()
    if not rows:
        out.print(NOTHING_YET)
        return
    upcoming = next((row for row in rows if not row.is_due), None)
    out.print(render_memory.review_view(shown, more, upcoming, moment, show_all=show_all))


@app.command()
def config(
    ctx: typer.Context,
    key: Annotated[str | None, typer.Argument(help="A setting's name.")] = None,
    value: Annotated[str | None, typer.Argument(help="Its new value.")] = None,
) -> None:
    """Show or change settings: target-retention, min-gap."""
    from microup import render, render_memory
    from microup.config import SETTINGS, effective, spec_for

    spec = spec_for(key) if key is not None else None
    new_value = spec.normalize(value) if spec is not None and value is not None else None
    with open_store(ctx, write=new_value is not None) as store:
        if spec is not None and new_value is not None:
            store.set_setting(spec.key, new_value)
        values = effective(store.settings())
    names = [spec.key] if spec is not None else list(SETTINGS)
    render.console().print(
        render_memory.settings_table([(n, values[n], SETTINGS[n].help) for n in names])
    )


@app.command()
def curve(
    ctx: typer.Context,
    topic: Annotated[str | None, typer.Argument(help="A topic you have studied.")] = None,
) -> None:
    """Draw the forgetting curve: for material learnt once, or for one of your topics."""
    from microup import render, render_memory
    from microup.config import ReviewSettings
    from microup.memory import (
        SEED_STABILITY_HOURS,
        Grade,
        Session,
        retention,
        retention_series,
    )

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
        settings = ReviewSettings.from_stored(store.settings())
    if not rows:
        raise NotFoundError(f"no sessions logged for topic {wanted!r}")
    sessions = [
        Session(datetime.fromtimestamp(at, timezone.utc), minutes, Grade(grade or Grade.GOOD))
        for _, at, minutes, grade in rows
    ]
    start, end = render_memory.curve_span(sessions[0].at, moment)
    times = [start + (end - start) * i / (width - 1) for i in range(width)]
    out.print(render_memory.topic_curve_title(rows[0][0], settings.target_retention, ascii_only))
    out.print(
        render_memory.curve_chart(
            retention_series(sessions, times),
            start=start,
            end=end,
            now=moment,
            sessions=[session.at for session in sessions],
            target=settings.target_retention,
            ascii_only=ascii_only,
        )
    )
    out.print(render_memory.dated_axis(start, end, width))
