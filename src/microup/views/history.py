"""Views of the long run: weekly bars with the goal marked, adherence, and a calendar heatmap."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from microup.core.text import plural
from microup.core.values import TopicTotal
from microup.core.weeks import Adherence, WeekResult, week_start
from microup.views.render import unicode_ok, user_text

WEEK_BAR_WIDTH = 40
TOPICS_SHOWN = 10
HEAT_LEVELS = (0, 1, 15, 30, 60)  # minutes a day at which each shade starts
HEAT_STYLES = ("dim", "green4", "green3", "green1", "bold bright_green")


@dataclass(frozen=True)
class Stats:
    """Everything `microup stats` shows, computed by the CLI from the store and the core."""

    weeks: Sequence[WeekResult]
    total_minutes: int
    streak: int
    best_streak: int
    adherence: Adherence
    topics: Sequence[TopicTotal]


def stats_json(stats: Stats) -> dict[str, Any]:
    adherence = stats.adherence
    return {
        "total_minutes": stats.total_minutes,
        "weeks": [
            {
                "week": w.label,
                "start": w.start.isoformat(),
                "minutes": w.minutes,
                "goal": w.goal,
                "met": w.met,
            }
            for w in stats.weeks
        ],
        "streak": stats.streak,
        "best_streak": stats.best_streak,
        "adherence": {
            "weeks": adherence.weeks,
            "met": adherence.met,
            "some": adherence.some,
            "none": adherence.none,
            "verdict": adherence.verdict,
        },
        "topics": [
            {"topic": t.name, "minutes": t.minutes, "sessions": t.sessions} for t in stats.topics
        ],
    }


def week_bar(week: WeekResult, scale: int, *, ascii_only: bool) -> Text:
    """A bar of the week's minutes with the goal marked as `|` where it falls."""
    filled = round(WEEK_BAR_WIDTH * week.minutes / scale)
    goal_at = min(WEEK_BAR_WIDTH - 1, round(WEEK_BAR_WIDTH * week.goal / scale))
    full, empty, mark = ("#", ".", "|") if ascii_only else ("█", " ", "│")
    bar = Text()
    for x in range(WEEK_BAR_WIDTH):
        if x == goal_at:
            bar.append(mark, style="bold red" if not week.met else "bold")
        elif x < filled:
            bar.append(full, style="green" if week.met else "yellow")
        else:
            bar.append(empty)
    return bar


def stats_view(stats: Stats, out: Console) -> RenderableType:
    ascii_only = not unicode_ok(out)
    scale = max([w.minutes for w in stats.weeks] + [w.goal for w in stats.weeks] + [1])
    scale = max(scale, round(scale * 1.1))
    chart = Table(box=None, pad_edge=False, show_edge=False, show_header=False)
    chart.add_column("week")
    chart.add_column("bar")
    chart.add_column("minutes", justify="right")
    for week in stats.weeks:
        chart.add_row(
            week.label,
            week_bar(week, scale, ascii_only=ascii_only),
            f"{week.minutes}/{week.goal}{' ✓' if week.met and not ascii_only else ''}",
        )
    adherence = stats.adherence
    summary = Text.assemble(
        (f"Total: {stats.total_minutes} min", "bold"),
        f" ({stats.total_minutes / 60:.1f} h).  Streak: {stats.streak} "
        f"week{'s' if stats.streak != 1 else ''}; best {stats.best_streak}.\n",
        f"Since your first entry ({plural(adherence.weeks, 'week')}): goal met in {adherence.met}, "
        f"some learning in {adherence.some}, none in {adherence.none}.\n",
        ("You manage it: ", "bold"),
        (adherence.verdict, "bold cyan"),
        ".\nIn the UK micro-upskilling pilot: 35% most weeks, 39% some weeks, 26% not very often.",
    )
    parts: list[RenderableType] = [
        Text(f"The last {plural(len(stats.weeks), 'week')} (goal marked |):", style="bold"),
        chart,
        summary,
    ]
    if stats.topics:
        topics = Table(box=None, pad_edge=False, show_edge=False, title_justify="left")
        topics.add_column("topic", overflow="fold")
        topics.add_column("minutes", justify="right")
        topics.add_column("sessions", justify="right")
        for topic in stats.topics[:TOPICS_SHOWN]:
            topics.add_row(user_text(topic.name), str(topic.minutes), str(topic.sessions))
        parts.append(topics)
        if len(stats.topics) > TOPICS_SHOWN:
            parts.append(
                Text(
                    f"... and {len(stats.topics) - TOPICS_SHOWN} more topics (microup topics)",
                    style="dim",
                )
            )
    return Group(*parts)


def _level(minutes: int) -> int:
    return max(i for i, start in enumerate(HEAT_LEVELS) if minutes >= start)


def month_labels(first: date, weeks: int) -> str:
    """The line above the calendar: each month over the week holding its 1st (every month
    that begins in view is named), and the first week's month too if there is room."""
    months = [" "] * (weeks * 2 + 2)
    starts: list[tuple[int, date]] = []
    for column in range(weeks):
        sunday = first + timedelta(weeks=column, days=6)
        if sunday.day <= 7:  # the 1st is in this week
            starts.append((column, sunday))
    if not starts or starts[0][0] > 1:
        starts.insert(0, (0, first))  # the month already under way, when it fits
    for column, day in starts:
        label = day.strftime("%b")
        months[column * 2 : column * 2 + len(label)] = list(label)
    return "".join(months).rstrip()


def calendar_view(
    daily: Mapping[date, int], today: date, weeks: int, out: Console
) -> RenderableType:
    """Days as cells (rows Monday to Sunday, a column a week), shaded by minutes learnt."""
    ascii_only = not unicode_ok(out)
    weeks = max(1, min(weeks, (out.width - 5) // 2))  # never wider than the terminal
    shades = (".", "-", "+", "*", "#") if ascii_only else ("·", "░", "▒", "▓", "█")
    first = week_start(today) - timedelta(weeks=weeks - 1)
    grid = Text("    " + month_labels(first, weeks) + "\n", style="dim")
    for weekday, name in enumerate(("Mon", "", "Wed", "", "Fri", "", "Sun")):
        grid.append(f"{name:<4}", style="dim")
        for column in range(weeks):
            day = first + timedelta(weeks=column, days=weekday)
            if day > today:
                grid.append("  ")
                continue
            level = _level(daily.get(day, 0))
            grid.append(shades[level], style=HEAT_STYLES[level]).append(" ")
        grid.append("\n")
    legend = Text("    less ", style="dim")
    for level, shade in enumerate(shades):
        legend.append(shade, style=HEAT_STYLES[level]).append(" ")
    legend.append("more  (0, 1-14, 15-29, 30-59, 60+ min a day)", style="dim")
    total = sum(m for d, m in daily.items() if first <= d <= today)
    active = sum(1 for d, m in daily.items() if first <= d <= today and m)
    header = Text(
        f"The last {plural(weeks, 'week')}: {total} min on {plural(active, 'day')}", style="bold"
    )
    return Group(header, grid, legend)
