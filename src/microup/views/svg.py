"""Charts as inline SVG, built as text: no JavaScript, no fonts or files to fetch.

Each chart has a `<title>` and `role="img"` with an `aria-label` saying what it shows, and
every label that could hold text a learner typed passes through `esc`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from html import escape

from microup.core.weeks import WeekResult, week_start

HEAT_LEVELS = (0, 1, 15, 30, 60)
HEAT_COLOURS = ("#ebedf0", "#c6e48b", "#7bc96f", "#239a3b", "#196127")
MET, SHORT, GOAL = "#2e7d32", "#f0a202", "#c62828"


def esc(text: object) -> str:
    """Text for HTML or SVG, quotes included: what a learner typed is never markup."""
    return escape(str(text), quote=True)


def _svg(width: int, height: int, label: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{esc(label)}">'
        f"<title>{esc(label)}</title>{''.join(body)}</svg>"
    )


def _text(x: float, y: float, text: object, *, anchor: str = "start", size: int = 11) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}">'
        f"{esc(text)}</text>"
    )


def week_bars(weeks: Sequence[WeekResult]) -> str:
    """A bar a week, green where the goal was met, with the goal as a red tick on each."""
    row, left, width = 22, 80, 520
    scale = max([w.minutes for w in weeks] + [w.goal for w in weeks] + [1]) * 1.1
    body: list[str] = []
    for index, week in enumerate(weeks):
        y = index * row + 4
        bar = width * week.minutes / scale
        goal_x = left + width * week.goal / scale
        colour = MET if week.met else SHORT
        body += [
            _text(0, y + 13, week.label),
            f'<rect class="bar" x="{left}" y="{y}" width="{bar:.1f}" height="16" '
            f'fill="{colour}"><title>{esc(f"{week.label}: {week.minutes} of {week.goal} min")}'
            "</title></rect>",
            f'<line class="goal" x1="{goal_x:.1f}" y1="{y - 2}" x2="{goal_x:.1f}" '
            f'y2="{y + 18}" stroke="{GOAL}" stroke-width="2"/>',
            _text(left + width + 8, y + 13, f"{week.minutes}/{week.goal}"),
        ]
    label = f"Minutes a week against the goal, the last {len(weeks)} weeks"
    return _svg(left + width + 70, max(1, len(weeks)) * row + 8, label, body)


def _level(minutes: int) -> int:
    return max(i for i, start in enumerate(HEAT_LEVELS) if minutes >= start)


def heatmap(daily: dict[date, int], today: date, weeks: int) -> str:
    """A cell a day (rows Monday to Sunday, a column a week), darker for more minutes."""
    cell, top, left = 13, 16, 30
    first = week_start(today) - timedelta(weeks=weeks - 1)
    names = ((0, "Mon"), (2, "Wed"), (4, "Fri"), (6, "Sun"))
    body = [_text(0, top + d * cell + 10, name, size=9) for d, name in names]
    for column in range(weeks):
        monday = first + timedelta(weeks=column)
        if column == 0 or monday.day <= 7:
            body.append(_text(left + column * cell, 11, monday.strftime("%b"), size=9))
        for weekday in range(7):
            day = monday + timedelta(days=weekday)
            if day > today:
                continue
            minutes = daily.get(day, 0)
            body.append(
                f'<rect class="day" x="{left + column * cell}" y="{top + weekday * cell}" '
                f'width="{cell - 2}" height="{cell - 2}" fill="{HEAT_COLOURS[_level(minutes)]}">'
                f"<title>{day.isoformat()}: {minutes} min</title></rect>"
            )
    label = f"Minutes a day over the last {weeks} weeks"
    return _svg(left + weeks * cell + 4, top + 7 * cell + 4, label, body)


@dataclass(frozen=True)
class Curve:
    """One topic's predicted recall over time, and its sessions."""

    topic: str
    times: Sequence[datetime]
    retention: Sequence[float | None]
    sessions: Sequence[datetime]
    now: datetime
    target: float


def curve(data: Curve) -> str:
    """Predicted recall (0-100%) from the first session to four weeks ahead: a line, the
    sessions as dots on it, today as a dashed line and the review threshold as a dotted one."""
    width, height, left, top = 560, 150, 36, 8
    plot_w, plot_h = width - left - 8, height - top - 22
    start, end = data.times[0], data.times[-1]
    span = max((end - start).total_seconds(), 1.0)

    def x(moment: datetime) -> float:
        return left + plot_w * (moment - start).total_seconds() / span

    def y(value: float) -> float:
        return top + plot_h * (1 - value)

    points = [
        f"{x(t):.1f},{y(v):.1f}"
        for t, v in zip(data.times, data.retention, strict=True)
        if v is not None
    ]
    body = [
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#fafafa" '
        'stroke="#ccc"/>',
        _text(left - 4, top + 8, "100%", anchor="end", size=9),
        _text(left - 4, top + plot_h, "0%", anchor="end", size=9),
        f'<line class="target" x1="{left}" x2="{left + plot_w}" y1="{y(data.target):.1f}" '
        f'y2="{y(data.target):.1f}" stroke="{GOAL}" stroke-dasharray="2 3"/>',
        f'<line class="now" x1="{x(data.now):.1f}" x2="{x(data.now):.1f}" y1="{top}" '
        f'y2="{top + plot_h}" stroke="#555" stroke-dasharray="5 4"/>',
        _text(left, height - 6, start.strftime("%d %b"), size=9),
        _text(left + plot_w, height - 6, end.strftime("%d %b"), anchor="end", size=9),
    ]
    if left + 50 < x(data.now) < left + plot_w - 50:  # clear of the dates at both ends
        body.append(_text(x(data.now), height - 6, "today", anchor="middle", size=9))
    if points:
        body.append(
            f'<polyline class="recall" fill="none" stroke="#1565c0" stroke-width="2" '
            f'points="{" ".join(points)}"/>'
        )
    for session in data.sessions:
        if start <= session <= end:
            body.append(
                f'<circle class="session" cx="{x(session):.1f}" cy="{top + plot_h - 4}" r="3.5" '
                f'fill="#1565c0"><title>{esc(session.strftime("%Y-%m-%d %H:%M"))}</title>'
                "</circle>"
            )
    label = f"Predicted recall of {data.topic}, with its sessions"
    return _svg(width, height, label, body)


def share_bars(rows: Sequence[tuple[str, float | None, float | None]]) -> str:
    """Paired horizontal bars: each band's share here (solid) beside the pilot's (light)."""
    row, left, width = 34, 130, 380
    body: list[str] = []
    for index, (name, here, pilot) in enumerate(rows):
        y = index * row + 4
        body.append(_text(0, y + 12, name))
        for offset, value, colour, who in (
            (0, here, "#1565c0", "here"),
            (14, pilot, "#90caf9", "pilot"),
        ):
            if value is None:
                continue
            body += [
                f'<rect class="share" x="{left}" y="{y + offset}" width="{width * value:.1f}" '
                f'height="12" fill="{colour}"><title>{esc(f"{name}, {who}: {value:.0%}")}'
                "</title></rect>",
                _text(left + width * value + 6, y + offset + 10, f"{value:.0%} {who}", size=10),
            ]
    return _svg(left + width + 90, len(rows) * row + 6, "Adherence bands beside the pilot", body)


def minute_bars(rows: Sequence[tuple[str, float]], label: str) -> str:
    """Vertical bars, one per labelled value (a cohort's median minutes a week)."""
    column, height, bottom = 44, 140, 20
    scale = max([value for _, value in rows] + [1.0]) * 1.1
    body: list[str] = []
    for index, (name, value) in enumerate(rows):
        bar = (height - bottom - 14) * value / scale
        x = index * column + 6
        body += [
            f'<rect class="bar" x="{x}" y="{height - bottom - bar:.1f}" width="{column - 12}" '
            f'height="{bar:.1f}" fill="{MET}"><title>{esc(f"{name}: {value:g} min")}'
            "</title></rect>",
            _text(
                x + (column - 12) / 2,
                height - bottom - bar - 3,
                f"{value:g}",
                anchor="middle",
                size=9,
            ),
            _text(x + (column - 12) / 2, height - 6, name[-3:], anchor="middle", size=9),
        ]
    return _svg(max(1, len(rows)) * column + 12, height, label, body)


def programme_progress(
    modules_done: tuple[float, float, float], modules: int | None, on_track: float | None
) -> str:
    """A cohort programme's progress: the modules done by the middle half of its learners (a
    box from the lower to the upper quartile, the median a line in it) along the whole
    programme, and below it the share of learners on track for its date."""
    left, width, row = 110, 380, 30
    low, median, high = modules_done
    scale = max(float(modules or 0), high, 1.0)

    def x(value: float) -> float:
        return left + width * value / scale

    shown = f"median {median:g}, quartiles {low:g} to {high:g}"
    of = f" of {modules}" if modules else ""
    body = [
        _text(0, 17, "modules done"),
        f'<rect class="track" x="{left}" y="6" width="{width}" height="16" fill="#e3eaf2">'
        f"<title>{esc(f'0 to {scale:g} modules')}</title></rect>",
        f'<rect class="quartiles" x="{x(low):.1f}" y="6" width="{x(high) - x(low):.1f}" '
        f'height="16" fill="#90caf9"><title>{esc(f"Modules done{of}: {shown}")}</title></rect>',
        f'<line class="median" x1="{x(median):.1f}" y1="2" x2="{x(median):.1f}" y2="26" '
        'stroke="#0d47a1" stroke-width="3"/>',
        _text(left, 38, "0", anchor="middle", size=9),
        _text(left + width, 38, f"{scale:g}", anchor="middle", size=9),
        _text(left + width + 10, 17, f"median {median:g}{of}", size=10),
    ]
    if on_track is not None:
        y = 6 + row + 14
        body += [
            _text(0, y + 11, "on track"),
            f'<rect class="track" x="{left}" y="{y}" width="{width}" height="14" fill="#eeeeee"/>',
            f'<rect class="on-track" x="{left}" y="{y}" width="{width * on_track:.1f}" '
            f'height="14" fill="{MET}"><title>{esc(f"On track: {on_track:.0%}")}</title></rect>',
            _text(left + width + 10, y + 11, f"{on_track:.0%} of learners", size=10),
        ]
    height = 6 + row + 14 + (row if on_track is not None else 0)
    label = f"Modules done{of}: {shown}" + (
        "" if on_track is None else f"; {on_track:.0%} on track"
    )
    return _svg(left + width + 120, height, label, body)
