"""Writing the HTML reports of `stats --html` and `cohort report --html`: whole or not at all."""

from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from microup.core.errors import MicroupError, UsageError

if TYPE_CHECKING:
    from microup.core.cohort import CohortReport
    from microup.store import Store
    from microup.views.history import Stats
    from microup.views.svg import Curve

CURVE_POINTS = 120
CALENDAR_WEEKS = 26


def write_page(ctx: typer.Context, path: Path, html: str) -> None:
    """The page written beside its place and renamed over it: a failure leaves no partial
    file (and an existing one as it was); one line and exit 1."""
    from microup.app.access import mark_saved
    from microup.cli.output import output_file
    from microup.views import render

    try:
        with output_file(path, ctx.obj.db) as stream:
            stream.write(html)
    except UsageError as error:  # cannot be written there: not a mistake in the command line
        raise MicroupError(str(error)) from None
    mark_saved()  # the file is written: a message that cannot be shown is no failure
    render.console().print(render.user_text(f"Wrote the report to {path}."))


def topic_curves(store: "Store", moment: datetime, names: list[str]) -> list["Curve"]:
    """Each named topic's predicted recall, first session (at most 8 weeks back) to 4 ahead."""
    from microup.app.review import review_view
    from microup.core.memory import retention_series
    from microup.views.memory import curve_span
    from microup.views.svg import Curve

    view = review_view(store, moment)
    curves = []
    for name in names:
        rows = list(store.study_sessions(name))
        if not rows:
            continue
        start, end = curve_span(datetime.fromtimestamp(rows[0][1], timezone.utc), moment)
        times = [start + (end - start) * i / (CURVE_POINTS - 1) for i in range(CURVE_POINTS)]
        series = retention_series(rows, [int(t.timestamp()) for t in times], view.outlook.fit.scale)
        sessions = [datetime.fromtimestamp(row[1], timezone.utc) for row in rows]
        target = view.settings.target_retention
        curves.append(Curve(rows[0][0], times, series, sessions, moment, target))
    return curves


def stats_page(
    ctx: typer.Context, path: Path, summary: "Stats", daily: dict[date, int], moment: datetime
) -> None:
    from microup.cli.common import open_store
    from microup.views import pages
    from microup.views.history import TOPICS_SHOWN

    names = [topic.name for topic in summary.topics[:TOPICS_SHOWN]]
    with open_store(ctx, write=False) as store:
        curves = topic_curves(store, moment, names)
    write_page(
        ctx,
        path,
        pages.stats_page(summary, daily, curves, generated=moment, calendar_weeks=CALENDAR_WEEKS),
    )


def cohort_page(ctx: typer.Context, path: Path, report: "CohortReport", moment: datetime) -> None:
    from microup.views import pages

    write_page(ctx, path, pages.cohort_page(report, moment))
