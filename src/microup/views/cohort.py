"""The cohort report in the terminal: this week, the adherence bands beside the UK pilot,
a weekly trend chart, and the topics most minutes went to."""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from microup.core.cohort import (
    BANDS,
    MIN_GROUP,
    PILOT_BANDS,
    CohortReport,
    TrendWeek,
    percent,
    share,
    this_week_line,
)
from microup.core.text import plural
from microup.views.render import unicode_ok, user_text

TREND_BAR_WIDTH = 14


def _minutes(value: float) -> str:
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def trend_bar(week: TrendWeek, enrolled: int, *, ascii_only: bool) -> Text:
    """Learners who met their goal (solid), learned without meeting it (shaded), neither."""
    met = round(TREND_BAR_WIDTH * week.met / enrolled)
    active = max(met, round(TREND_BAR_WIDTH * week.active / enrolled))
    solid, shaded, empty = ("#", "+", ".") if ascii_only else ("█", "▒", "░")
    return Text.assemble(
        (solid * met, "green"),
        (shaded * (active - met), "yellow"),
        empty * (TREND_BAR_WIDTH - active),
    )


def cohort_view(report: CohortReport, out: Console) -> RenderableType:
    ascii_only = not unicode_ok(out)
    enrolled = report.enrolled
    parts: list[RenderableType] = [
        Text.assemble(
            ("Cohort ", "bold"),
            user_text(report.cohort, "bold"),
            (f": {plural(enrolled, 'learner')}, the last {plural(report.weeks, 'week')}", "bold"),
        )
    ]
    week = report.this_week
    if week is not None:
        parts.append(Text(this_week_line(week, enrolled)))
    if report.quartiles is not None:
        q1, median, q3 = report.quartiles
        parts.append(
            Text(
                f"Minutes per learner per week (complete weeks): median {_minutes(median)}, "
                f"quartiles {_minutes(q1)} to {_minutes(q3)}."
            )
        )
    bands = Table(box=None, pad_edge=False, show_edge=False, title_justify="left")
    bands.add_column("how often they managed it")
    bands.add_column("cohort", justify="right")
    bands.add_column("UK pilot", justify="right")
    counts = report.bands or {}
    for band in BANDS:
        count = counts.get(band, 0)
        bands.add_row(
            band, f"{count} ({percent(share(count, enrolled))})", percent(PILOT_BANDS.get(band))
        )
    parts.append(bands)
    parts.append(
        Text(
            f"Lapsed (no session for 14 days): {report.lapsed}; not started: {report.not_started}."
            f"\nReview follow-through: {percent(report.follow_through)} of planned review "
            "minutes done."
        )
    )
    if report.trend:
        legend = "met goal #, learned +" if ascii_only else "met goal █, learned ▒"
        chart = Table(box=None, pad_edge=False, show_edge=False, show_header=False)
        for column in ("week", "bar", "active", "met", "median", "reviews"):
            chart.add_column(
                column, justify="left" if column in ("week", "bar") else "right", no_wrap=True
            )
        for row in report.trend:
            if row.few:  # narrow enough for the bar's column, the rest said once below
                chart.add_row(row.label, f"fewer than {MIN_GROUP}", "learned", style="dim")
                continue
            chart.add_row(
                row.label,
                trend_bar(row, enrolled, ascii_only=ascii_only),
                f"{percent(share(row.active, enrolled))} active",
                f"{percent(share(row.met, enrolled))} met",
                f"median {_minutes(row.median_minutes)} min",
                f"reviews {percent(share(row.review_done, row.review_planned))}",
            )
        parts += [Text(f"Weekly trend ({legend}):", style="bold"), chart]
        if any(row.few for row in report.trend):
            parts.append(
                Text(
                    f"A week in which fewer than {MIN_GROUP} learned shows no figures: who "
                    "they were could be known.",
                    style="dim",
                )
            )
    parts += _topic_parts(report)
    if report.programmes:
        parts += [Text("Programme progress:", style="bold"), programme_table(report)]
    return Group(*parts)


def _topic_parts(report: CohortReport) -> list[RenderableType]:
    """The topics most minutes went to, and how many were too few learners' to show."""
    parts: list[RenderableType] = []
    if report.topics:
        topics = Table(box=None, pad_edge=False, show_edge=False)
        topics.add_column("topic", overflow="fold")
        topics.add_column("share of minutes", justify="right")
        topics.add_column("learners", justify="right")
        for topic in report.topics:
            topics.add_row(
                user_text(topic.topic),
                percent(topic.share),
                str(topic.learners),
            )
        parts.append(topics)
    if report.hidden_topics:
        parts.append(
            Text(
                f"{plural(report.hidden_topics, 'topic')} studied by fewer than {MIN_GROUP} "
                "learners not shown.",
                style="dim",
            )
        )
    return parts


def programme_table(report: CohortReport) -> Table:
    """The cohort programmes' progress: modules done (median and quartiles) and the share of
    learners on track for the programme's date."""
    table = Table(box=None, pad_edge=False, show_edge=False)
    table.add_column("programme", overflow="fold")
    table.add_column("learners", justify="right")
    table.add_column("modules done", justify="right")
    table.add_column("quartiles", justify="right")
    table.add_column("on track", justify="right")
    for p in report.programmes:
        of = "" if p.modules is None else f" of {p.modules}"
        low, median, high = p.modules_done
        table.add_row(
            user_text(p.programme),
            str(p.learners),
            f"median {median:g}{of}",
            f"{low:g} to {high:g}",
            percent(p.on_track_share),
        )
    return table
