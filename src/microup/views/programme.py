"""Programmes as people read them and as scripts read them (issue 18). Imports core only."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from microup.core.programme import NewBlock, Part, Programme, Projection
from microup.core.programme.progress import BEYOND, HORIZON
from microup.core.text import plural, printable


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def programme_json(programme: Programme, projection: Projection) -> dict[str, Any]:
    """One programme in `programme --json`'s shape."""
    return {
        "name": programme.name,
        "start": programme.start.isoformat(),
        "by": _iso(programme.by),
        "modules": [
            {
                "title": part.title,
                "topic": part.topic,
                "part": part.part,
                "parts": part.parts,
                "minutes": part.minutes,
                "done_minutes": part.credited,
                "done": part.done,
            }
            for part in programme.parts
        ],
        "minutes_total": projection.minutes_total,
        "minutes_done": projection.minutes_done,
        "pace_per_week": round(projection.pace_per_week, 1),
        "projected_end": _iso(projection.projected_end),
        "projected_end_reason": projection.no_end,
        "on_track": projection.on_track,
        "minutes_per_week_needed": projection.minutes_per_week_needed,
    }


def _part_row(part: Part) -> tuple[Text, Text, Text, Text]:
    mark = Text("done" if part.done else f"{part.credited}/{part.minutes} min")
    return (
        Text("x" if part.done else " "),
        Text(printable(part.topic)),
        Text(printable(part.label)),
        mark,
    )


def standing_line(projection: Projection, by: date | None) -> str:
    """`Pace 35 min a week: finishes 2027-03-01, on track for 2027-04-01.`"""
    pace = f"Pace {projection.pace_per_week:.0f} min a week (last 4 weeks)"
    if projection.planned:
        pace = f"Not started; at {projection.pace_per_week:.0f} new min a week from its start"
    if projection.minutes_left == 0 and projection.projected_end is not None:
        return f"Finished on {projection.projected_end.isoformat()}."
    if projection.projected_end is None and projection.no_end == BEYOND:
        line = f"{pace}: finishes {BEYOND} at this pace"
    elif projection.projected_end is None:
        line = f"{pace}: no finish date until you log time on it"
    else:
        line = f"{pace}: finishes about {projection.projected_end.isoformat()}"
    if by is not None:
        verdict = "on track" if projection.on_track else "not on track"
        line += f", {verdict} for {by.isoformat()}"
        if not projection.on_track and projection.minutes_per_week_needed is not None:
            line += f" ({projection.minutes_per_week_needed} new min a week would make it)"
    return line + "."


def programme_view(programme: Programme, projection: Projection) -> RenderableType:
    """Every module with its progress, the minutes, the pace and the finish."""
    table = Table(box=None, pad_edge=False, show_edge=False)
    for column in ("", "topic", "module", "done"):
        table.add_column(column, overflow="fold")
    for part in programme.parts:
        table.add_row(*_part_row(part))
    title = Text(printable(programme.name), style="bold")
    title.append(f" (from {programme.start.isoformat()})", style="")
    totals = Text(
        f"{projection.minutes_done} of {projection.minutes_total} min done, "
        f"{projection.minutes_left} left."
    )
    return Group(title, table, totals, Text(standing_line(projection, programme.by)))


def programmes_view(shown: Sequence[tuple[Programme, Projection]]) -> RenderableType:
    if not shown:
        return Text("No programme running. Add one: microup programme add OUTLINE.md")
    parts: list[RenderableType] = []
    for programme, projection in shown:
        if parts:
            parts.append(Text(""))
        parts.append(programme_view(programme, projection))
    return Group(*parts)


def list_view(shown: Sequence[tuple[Programme, Projection]]) -> RenderableType:
    """One line a programme: name, modules done, minutes, finish."""
    if not shown:
        return Text("No programme yet. Add one: microup programme add OUTLINE.md")
    table = Table(box=None, pad_edge=False, show_edge=False)
    for column in ("programme", "modules done", "minutes", "finish"):
        table.add_column(column, overflow="fold")
    for programme, projection in shown:
        titles = programme.module_titles()
        done = sum(
            all(p.done for p in programme.parts if (p.topic, p.title) == key) for key in titles
        )
        end = projection.projected_end
        table.add_row(
            Text(printable(programme.name)),
            Text(f"{done} of {len(titles)}"),
            Text(f"{projection.minutes_done}/{projection.minutes_total}"),
            Text(end.isoformat() if end is not None else projection.no_end or "-"),
        )
    return table


def added_lines(
    programme: Programme, *, updated: bool, per_week: int, end: date | None
) -> list[str]:
    """What `programme add` understood: modules, minutes, and when it would finish."""
    modules = len(programme.module_titles())
    verb = "Updated" if updated else "Added"
    lines = [
        f"{verb} {printable(programme.name)}: {plural(modules, 'module')} in "
        f"{plural(len(programme.parts), 'session-sized part')}, "
        f"{programme.minutes_total} min in all ({programme.minutes_done} done)."
    ]
    if per_week <= 0:
        lines.append(
            "Your week leaves no minutes for new material (goal minus review-budget): "
            "no finish date."
        )
    elif end is None:
        lines.append(
            f"At {per_week} new min a week (your goal minus the review budget) it finishes "
            f"{BEYOND}."
        )
    else:
        lines.append(
            f"At {per_week} new min a week (your goal minus the review budget) it finishes "
            f"about {end.isoformat()}."
        )
    if programme.by is not None and (end is not None or programme.by < HORIZON) and per_week > 0:
        verdict = "in time for" if end is not None and end <= programme.by else "after"
        lines[-1] += f" That is {verdict} {programme.by.isoformat()}."
    return lines


def new_line(block: NewBlock | None) -> str | None:
    return None if block is None else printable(block.line())
