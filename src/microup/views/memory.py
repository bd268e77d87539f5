"""Views of the forgetting curve: the review list and the curve drawn in the terminal."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from microup.core.memory import Material, TopicMemory
from microup.core.review import ReviewView
from microup.core.text import printable
from microup.core.weeks import WeekSummary
from microup.views.render import iso, user_text

SEED_TITLE = Text(
    "Material learnt once and never reviewed (50% forgotten in an hour, 90% in a week):",
    style="bold",
)
CURVE_HEIGHT = 11
NOTE_WIDTH = 40  # a note in the review table is cut to this; `entries` shows it whole
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


def _at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc).astimezone()


WIDE_RANGE = 0.15
"""An interval at least this wide is shown as a range (`SQL 55-85%`), not one figure."""


def _faded(memory: TopicMemory, view: ReviewView) -> list[Material]:
    return memory.faded(view.now, view.outlook.fit.scale)


def retention_label(memory: TopicMemory, view: ReviewView) -> str:
    """`70%`, or `55-85%` while the fit is unsure enough that one figure would mislead."""
    point, low, high = view.outlook.fit.retention(memory.materials, view.now)
    if high - low >= WIDE_RANGE:
        return f"{round(low * 100)}-{round(high * 100)}%"
    return f"{point:.0%}"


def faded_label(memory: TopicMemory, view: ReviewView) -> Text:
    """`window functions, 12 Oct; joins, 3 Oct`: the notes of what faded most."""
    text = Text()
    for index, piece in enumerate(_faded(memory, view)):
        if index:
            text.append("; ")
        note = piece.note or "no note"
        if len(note) > NOTE_WIDTH:
            note = note[: NOTE_WIDTH - 1] + "\u2026"
        text.append_text(user_text(note, "" if piece.note else "dim"))
        learnt = _at(piece.learnt_at)
        shape = "%d %b" if learnt.year == view.moment.year else "%d %b %Y"
        text.append(f", {learnt.strftime(shape)}", style="dim")
    return text


def suggestion_json(memory: TopicMemory, minutes: int, view: ReviewView) -> dict[str, Any]:
    """One topic as `review --json` shows it."""
    k = view.outlook.fit.scale
    point, low, high = view.outlook.fit.retention(memory.materials, view.now)
    return {
        "topic": memory.topic,
        "minutes": minutes,
        "retention": round(point, 4),
        "retention_low": round(low, 4),
        "retention_high": round(high, 4),
        "due": iso(_at(memory.due(view.settings.target_retention, k))),
        "last_studied": iso(_at(memory.last_studied)),
        "sessions": memory.sessions,
        "stability_hours": round(memory.stability_hours(k), 3),
        "faded": [
            {
                "note": piece.note,
                "at": iso(_at(piece.learnt_at)),
                "retention": round(piece.retention(view.now, k), 4),
            }
            for piece in _faded(memory, view)
        ],
    }


def budget_json(view: ReviewView) -> dict[str, int]:
    plan = view.outlook.plan
    return {"week_minutes": plan.budget, "used": plan.used, "left": plan.left}


def review_table(rows: Sequence[tuple[TopicMemory, int]], view: ReviewView) -> Table:
    """Topic, recall now, last studied, minutes to review, and what faded most."""
    table = Table(box=None, pad_edge=False, show_edge=False)
    table.add_column("topic", overflow="fold")
    table.add_column("recall", justify="right")
    table.add_column("last studied")
    table.add_column("review", justify="right")
    table.add_column("faded most", overflow="fold")
    for memory, minutes in rows:
        table.add_row(
            user_text(memory.topic, "bold" if minutes else ""),
            retention_label(memory, view),
            relative(_at(memory.last_studied), view.moment),
            f"{minutes} min" if minutes else "-",
            faded_label(memory, view),
        )
    return table


def fit_line(view: ReviewView) -> Text:
    """How far the person's own memory differs from the seed curve, and how sure that is."""
    fit = view.outlook.fit
    ask = "" if fit.settled else " Grade your next review (--recall good, again...) to narrow it."
    if not fit.reviews:
        return Text(
            "Recall is predicted from the standard curve; a range (55-85%) shows how much "
            "people differ." + ask,
            style="dim",
        )
    reviews = f"{fit.reviews} graded review{'s' if fit.reviews != 1 else ''}"
    likely = ", the furthest this fit goes" if fit.at_limit else ""
    likely = likely or f" (likely x{fit.low:.2f} to x{fit.high:.2f})"
    text = f"Fitted to you: memory lasts x{fit.multiplier:.2f} the standard curve{likely}, "
    return Text(f"{text}reviews add x{fit.scale.growth:.2f} (from {reviews})." + ask, style="dim")


def review_view(
    rows: Sequence[tuple[TopicMemory, int]], more: int, view: ReviewView, *, show_all: bool
) -> RenderableType:
    """What to revisit now, how it fits the week's budget, and what else waits."""
    plan = view.outlook.plan
    total = sum(minutes for _, minutes in rows)
    parts: list[RenderableType] = []
    if show_all:
        parts.append(Text(f"All topics ({total} min of review suggested now):", style="bold"))
    elif rows:
        parts.append(
            Text(
                f"Review now: {len(rows)} topic{'s' if len(rows) != 1 else ''}, {total} min "
                f"({plan.left} of {plan.budget} min of this week's review budget left).",
                style="bold",
            )
        )
    elif plan.budget == 0:
        parts.append(
            Text("Review suggestions are off (review-budget 0): microup config review-budget 20")
        )
    elif plan.left == 0:
        waiting = [block.topic for block in plan.blocks if block.left]
        line = Text(f"This week's review budget is used ({plan.used}/{plan.budget} min).")
        if waiting:
            line.append(" Planned but not reviewed, for next week: ")
            line.append_text(user_text(", ".join(dict.fromkeys(waiting))))
        else:
            line.append(" Well kept!")
        parts.append(line)
    else:
        parts.append(
            Text("Nothing to review right now; the rest of the week's plan: microup plan")
            if plan.blocks
            else Text(
                "Nothing to review this week: what you learn this week joins next week's plan."
            )
        )
    if rows:
        parts.append(review_table(rows, view))
    if more:
        parts.append(
            Text(f"{more} more block{'s' if more != 1 else ''} later this week: microup plan")
        )
    parts.append(fit_line(view))
    return Group(*parts)


def plan_json(view: ReviewView) -> dict[str, Any]:
    plan = view.outlook.plan
    return {
        "week": view.week_label,
        "budget": budget_json(view),
        "blocks": [
            {
                "topic": block.topic,
                "minutes": block.minutes,
                "done": block.done,
                "retention": round(block.retention, 4),
            }
            for block in plan.blocks
        ],
        "sessions": [
            [{"topic": topic, "minutes": minutes} for topic, minutes in session]
            for session in plan.sessions()
        ],
        "sessions_left": plan.sessions_left,
        "new_minutes_left": plan.new_minutes_left,
    }


def plan_view(view: ReviewView) -> RenderableType:
    """The week's review blocks by session, what is done, and what is left for new material."""
    plan = view.outlook.plan
    parts: list[RenderableType] = [
        Text(
            f"Review plan for {view.week_label}: {plan.budget} min "
            f"({plan.used} used, {plan.left} left).",
            style="bold",
        )
    ]
    if not plan.blocks:
        parts.append(
            Text(
                "No review planned this week: review-budget is 0."
                if plan.budget == 0
                else "No review planned this week: nothing was learnt before it began."
            )
        )
    else:
        table = Table(box=None, pad_edge=False, show_edge=False)
        table.add_column("when")
        table.add_column("topic", overflow="fold")
        table.add_column("min", justify="right")
        table.add_column("recall at week start", justify="right")
        recall = {block.topic: block.retention for block in plan.blocks}
        for block in plan.blocks:
            if block.done:
                table.add_row(
                    "done", user_text(block.topic), str(block.done), f"{block.retention:.0%}"
                )
        for index, session in enumerate(plan.sessions()):
            label = "this session" if index == 0 else f"session +{index}"
            for topic, minutes in session:
                table.add_row(label, user_text(topic, "bold"), str(minutes), f"{recall[topic]:.0%}")
        pending = sum(minutes for _, minutes in plan.pending())
        undone = sum(block.left for block in plan.blocks) - pending
        if undone > 0:
            table.add_row("over budget", Text("reviews outside the plan used it"), str(undone), "")
        parts.append(table)
    parts.append(
        Text(
            f"New material: {plan.new_minutes_left} min left this week "
            f"({plan.sessions_left} session{'s' if plan.sessions_left != 1 else ''} to go)."
        )
    )
    return Group(*parts)


def blocks_line(blocks: Sequence[tuple[str, int]]) -> Text:
    """`Review next: SQL 5 min, Python 5 min (microup review).`"""
    line = Text("Review next: ")
    for index, (topic, minutes) in enumerate(blocks):
        if index:
            line.append(", ")
        line.append_text(user_text(topic, "bold")).append(f" {minutes} min")
    return line.append(" (microup review).")


def _column(
    moment: datetime, start: datetime, end: datetime, width: int, *, log_scale: bool
) -> int:
    """The chart column of ``moment``, on a linear or logarithmic time axis."""
    if log_scale:
        span = math.log((end - start).total_seconds())
        fraction = math.log(max((moment - start).total_seconds(), 1.0)) / span
    else:
        fraction = (moment - start) / (end - start)
    return min(width - 1, max(0, round((width - 1) * fraction)))


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
        return _column(moment, start, end, width, log_scale=log_scale)

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


def topic_curve_title(topic: str, target: float, *, ascii_only: bool) -> Text:
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
        table.add_row(*(Text(cell) for cell in row))  # values a person typed, shown literally
    return table


def curve_span(first: datetime, now: datetime) -> tuple[datetime, datetime]:
    """From the first session (at most eight weeks back) to four weeks ahead."""
    return max(first, now - timedelta(weeks=8)), now + timedelta(weeks=4)


def reminder_lines(week: WeekSummary, blocks: Sequence[tuple[str, int]]) -> list[str]:
    """The reminder in a few plain lines: the week, then this session's review blocks."""
    lines = [f"This week ({week.label}): {week.minutes}/{week.goal} min."]
    if week.met:
        lines[0] += " Goal met, well done!"
    else:
        days = "today, the last day" if week.days_left == 1 else f"{week.days_left} days left"
        lines[0] += f" {week.remaining} min to go: about {week.per_day_needed} min a day ({days})."
        if week.minutes == 0:
            lines.append("Even ten minutes today counts: microup log 10 --topic ...")
    if blocks:
        topics = ", ".join(f"{printable(topic)} ({minutes} min)" for topic, minutes in blocks)
        lines.append(f"Review next: {topics}. See: microup review")
    elif week.met:
        lines.append("Nothing to review now. Keep it up!")
    return lines
