"""Views of the forgetting curve: the review list and the curve drawn in the terminal."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from microup.memory import Suggestion
from microup.parse import printable
from microup.render import iso, local_time, user_text
from microup.weeks import WeekSummary

SEED_TITLE = Text(
    "Material learnt once and never reviewed (50% forgotten in an hour, 90% in a week):",
    style="bold",
)
CURVE_HEIGHT = 11
AXIS_WIDTH = 6


def relative(when: datetime, now: datetime) -> str:
    """`3 days ago`, `in 5 h`, `now`: how far `when` is from `now`, roughly."""
    seconds = (when - now).total_seconds()
    size = abs(seconds)
    if size < 60:
        return "now"
    for unit, length in (("week", 604_800), ("day", 86_400), ("h", 3_600), ("min", 60)):
        if size >= length or unit == "min":
            count = int(size // length)
            label = unit if unit in ("h", "min") or count == 1 else unit + "s"
            return f"{count} {label} ago" if seconds < 0 else f"in {count} {label}"
    return "now"  # pragma: no cover - the loop always returns


def suggestion_json(row: Suggestion) -> dict[str, Any]:
    return {
        "topic": row.topic,
        "retention": round(row.retention, 4),
        "due": iso(row.due.astimezone()),
        "suggested_minutes": row.suggested_minutes,
        "last_studied": iso(row.last_studied.astimezone()),
        "sessions": row.sessions,
        "stability_hours": round(row.stability_hours, 3),
    }


def review_table(rows: Sequence[Suggestion], now: datetime, *, show_due: bool) -> Table:
    table = Table(box=None, pad_edge=False, show_edge=False)
    table.add_column("topic", overflow="fold")
    table.add_column("recall", justify="right")
    table.add_column("last studied")
    if show_due:
        table.add_column("due")
    table.add_column("review", justify="right")
    for row in rows:
        cells: list[Text | str] = [
            user_text(row.topic, "bold" if row.is_due else ""),
            f"{row.retention:.0%}",
            relative(row.last_studied, now),
        ]
        if show_due:
            cells.append("now" if row.is_due else relative(row.due, now))
        cells.append(f"{row.suggested_minutes} min")
        table.add_row(*cells)
    return table


def review_view(
    shown: Sequence[Suggestion],
    more: int,
    upcoming: Suggestion | None,
    now: datetime,
    *,
    show_all: bool,
) -> RenderableType:
    """The short list of what to revisit now, how many more wait, and what falls due next."""
    parts: list[RenderableType] = []
    due_count = sum(row.is_due for row in shown) + more
    if show_all:
        parts.append(Text(f"All topics ({due_count} due now):", style="bold"))
    elif due_count:
        total = sum(row.suggested_minutes for row in shown)
        parts.append(
            Text(
                f"Review now: {len(shown)} topic{'s' if len(shown) != 1 else ''}, "
                f"about {total} min.",
                style="bold",
            )
        )
    else:
        parts.append(Text("Nothing is due for review. Well kept!"))
    if shown:
        parts.append(review_table(shown, now, show_due=show_all))
    if more:
        parts.append(
            Text(f"{more} more waiting; they will keep. See them all: microup review --all")
        )
    if upcoming is not None and not show_all:
        parts.append(
            Text("Next due: ")
            .append_text(user_text(upcoming.topic))
            .append(f" {relative(upcoming.due, now)} ({local_time(upcoming.due.astimezone())}).")
        )
    return Group(*parts)


def curve_chart(
    series: Sequence[float | None],
    *,
    start: datetime,
    end: datetime,
    now: datetime | None = None,
    sessions: Sequence[datetime] = (),
    target: float | None = None,
    log_scale: bool = False,
    ascii_only: bool = False,
) -> Text:
    """Retention (0-100%) against time as a character plot, with sessions and now marked."""
    width = len(series)
    rows = [[" "] * width for _ in range(CURVE_HEIGHT)]

    def column(moment: datetime) -> int:
        if log_scale:
            span = math.log((end - start).total_seconds())
            offset = math.log(max((moment - start).total_seconds(), 1.0))
            return min(width - 1, max(0, round((width - 1) * offset / span)))
        fraction = (moment - start) / (end - start)
        return min(width - 1, max(0, round((width - 1) * fraction)))

    if target is not None:
        rows[CURVE_HEIGHT - 1 - round(target * (CURVE_HEIGHT - 1))] = ["·"] * width
    if now is not None and start <= now <= end:
        for row in rows:
            row[column(now)] = "|" if ascii_only else "┆"
    point = "*" if ascii_only else "●"
    for x, value in enumerate(series):
        if value is not None:
            rows[CURVE_HEIGHT - 1 - round(value * (CURVE_HEIGHT - 1))][x] = point
    chart = Text()
    for index, row in enumerate(rows):
        fraction = (CURVE_HEIGHT - 1 - index) / (CURVE_HEIGHT - 1)
        label = f"{fraction:4.0%} " if index % 5 == 0 else " " * (AXIS_WIDTH - 1)
        chart.append(label + ("|" if ascii_only else "│"), style="dim")
        chart.append("".join(row), style="cyan").append("\n")
    axis = ["-" if ascii_only else "─"] * width
    for moment in sessions:
        if start <= moment <= end:
            axis[column(moment)] = "^" if ascii_only else "▲"
    chart.append(" " * (AXIS_WIDTH - 1) + ("+" if ascii_only else "└"), style="dim")
    chart.append("".join(axis), style="yellow")
    return chart


def seed_axis(width: int) -> Text:
    """Tick labels for the seed curve's logarithmic axis, from one minute to a month."""
    ticks = (
        ("1m", 60),
        ("10m", 600),
        ("1h", 3600),
        ("1d", 86_400),
        ("1w", 604_800),
        ("1mo", 2_592_000),
    )
    line = [" "] * (width + AXIS_WIDTH)
    span = math.log(2_592_000 / 60)
    for label, seconds in ticks:
        x = AXIS_WIDTH + round((width - 1) * math.log(seconds / 60) / span)
        first = min(x, len(line) - len(label))
        line[first : first + len(label)] = list(label)
    return Text("".join(line), style="dim")


def dated_axis(start: datetime, end: datetime, width: int) -> Text:
    """Dates under a linear time axis: start, middle and end."""
    middle = start + (end - start) / 2
    labels = [(0, start), (width // 2, middle), (width - 1, end)]
    line = [" "] * (width + AXIS_WIDTH + 6)
    for x, moment in labels:
        text = moment.astimezone().strftime("%d %b")
        position = max(0, min(AXIS_WIDTH + x - len(text) // 2, len(line) - len(text)))
        line[position : position + len(text)] = list(text)
    return Text("".join(line).rstrip(), style="dim")


def topic_curve_title(topic: str, target: float, ascii_only: bool) -> Text:
    marks = "sessions ^, now |" if ascii_only else "sessions ▲, now ┆"
    return (
        Text("Recall of ")
        .append_text(user_text(topic, "bold"))
        .append(f" ({marks}, target {target:.0%} dotted):")
    )


def settings_table(rows: Sequence[tuple[str, str, str]]) -> Table:
    """Settings as `name  value  what it means`."""
    table = Table(box=None, pad_edge=False, show_edge=False, show_header=False)
    table.add_column("setting", style="bold")
    table.add_column("value")
    table.add_column("meaning", style="dim")
    for row in rows:
        table.add_row(*row)
    return table


def curve_span(first: datetime, now: datetime) -> tuple[datetime, datetime]:
    """From the first session (at most eight weeks back) to four weeks ahead."""
    return max(first, now - timedelta(weeks=8)), now + timedelta(weeks=4)


def reminder_lines(week: WeekSummary, due: Sequence[Suggestion], due_total: int) -> list[str]:
    """The reminder in a few plain lines: the week, then what to review."""
    lines = [f"This week ({week.label}): {week.minutes}/{week.goal} min."]
    if week.met:
        lines[0] += " Goal met, well done!"
    else:
        days = "today, the last day" if week.days_left == 1 else f"{week.days_left} days left"
        lines[0] += f" {week.remaining} min to go: about {week.per_day_needed} min a day ({days})."
        if week.minutes == 0:
            lines.append("Even ten minutes today counts: microup log 10 --topic ...")
    if due:
        topics = ", ".join(f"{printable(row.topic)} ({row.suggested_minutes} min)" for row in due)
        extra = f", and {due_total - len(due)} more" if due_total > len(due) else ""
        lines.append(f"Due for review: {topics}{extra}. See: microup review")
    elif week.met:
        lines.append("Nothing due for review. Keep it up!")
    return lines
