"""Views of `microup session`: the plan, the running block, and the summary at the end.

Every view fits a 40-column terminal: long topics and notes fold, the bar shrinks.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from microup.core.session import SessionBlock, SessionPlan
from microup.core.text import plural
from microup.core.values import Entry
from microup.core.weeks import WeekSummary
from microup.views.render import bar, describe_entry, user_text

KEYS_LINE = "space pause · n end · s skip · q quit"
KEYS_LINE_ASCII = "space pause, n end, s skip, q quit"


def block_title(block: SessionBlock) -> Text:
    """`Review SQL` or `New material: Python, module 3`."""
    if block.kind == "review":
        line = Text("Review ")
        return line.append_text(user_text(block.topic, "bold"))
    line = Text("New material")
    if block.topic:
        line.append(": ").append_text(user_text(block.topic, "bold"))
    else:
        line.append(" (a topic of your choice)")
    if block.module:
        line.append(", ").append_text(user_text(block.module, "bold"))
    return line


def _revisit(block: SessionBlock) -> Text:
    return Text("revisit: ", style="dim").append_text(user_text("; ".join(block.faded)))


def plan_view(plan: SessionPlan, *, heading: str = "Today's session") -> RenderableType:
    """The session's blocks in order, with minutes and what to revisit."""
    parts: list[RenderableType] = [
        Text(f"{heading}: {plan.planned} min, {plural(len(plan.blocks), 'block')}.", style="bold")
    ]
    table = Table(box=None, pad_edge=False, show_edge=False, show_header=False)
    table.add_column("n", justify="right")
    table.add_column("min", justify="right", no_wrap=True)
    table.add_column("block", overflow="fold")
    for index, block in enumerate(plan.blocks, 1):
        what: list[RenderableType] = [block_title(block)]
        if block.faded:
            what.append(_revisit(block))
        table.add_row(f"{index}.", f"{block.minutes} min", Group(*what))
    parts.append(table)
    return Group(*parts)


def _clock(seconds: float) -> str:
    whole = int(seconds + 0.999)  # a countdown shows 00:01 until the last second is gone
    return f"{whole // 60:02d}:{whole % 60:02d}"


def block_view(
    block: SessionBlock,
    position: tuple[int, int],
    remaining: float,
    *,
    paused: bool,
    width: int,
    ascii_only: bool,
) -> RenderableType:
    """The running block: which of how many, its topic and what to revisit, the countdown
    and a progress bar, and the keys."""
    index, total = position
    head = Text(f"Block {index + 1} of {total}: ")
    head.append_text(block_title(block))
    planned = block.minutes * 60
    done = max(0, round(planned - remaining))
    bar_width = max(10, min(40, width - 14))
    line = Text(_clock(remaining), style="bold")
    line.append(" " + bar(done, planned, width=bar_width, ascii_only=ascii_only), style="cyan")
    line.append(f" {100 * done // planned if planned else 100:3d}%")
    parts: list[RenderableType] = [head]
    if block.faded:
        parts.append(_revisit(block))
    parts.append(line)
    if paused:
        parts.append(Text("PAUSED: space resumes", style="bold yellow"))
    else:
        parts.append(Text(KEYS_LINE_ASCII if ascii_only else KEYS_LINE, style="dim"))
    return Group(*parts)


def ended_line(block: SessionBlock, verb: str) -> Text:
    """`Done: Review SQL (5 min).` after a block's live view closes."""
    line = Text(f"{verb}: ")
    return line.append_text(block_title(block)).append(f" ({block.minutes} min planned).")


def log_hint(plan: SessionPlan) -> Text:
    """For a stdin that is not a terminal: how to log the blocks by hand."""
    lines = Text("Not on a terminal, so nothing runs. To run it: microup session, in a terminal.")
    lines.append("\nOr log each block as you finish it:")
    for block in plan.blocks:
        command = f"microup log {block.minutes}"
        if block.topic:
            command += f" -t {shlex.quote(block.topic)}"
        if block.kind == "review":
            command += " --review --recall good"
        lines.append("\n  ").append_text(user_text(command))
    return lines


def summary_view(
    logged: Sequence[Entry],
    skipped: Sequence[SessionBlock],
    week: WeekSummary,
    *,
    next_plan: SessionPlan,
    progress: Text,
) -> RenderableType:
    """What the session logged, the week against the goal, and the next session."""
    minutes = sum(entry.minutes for entry in logged)
    parts: list[RenderableType] = [
        Text(
            f"Session over: {minutes} min logged in {plural(len(logged), 'block')}"
            + (f", {len(skipped)} skipped." if skipped else "."),
            style="bold",
        )
    ]
    for entry in logged:
        verb = "Reviewed" if entry.kind == "review" else "Learnt"
        line = describe_entry(entry, verb)
        if entry.grade is not None:
            from microup.core.grades import Grade

            line.append(f"  recall: {Grade(entry.grade).name.lower()}")
        parts.append(line)
    parts.append(progress)
    if week.met and not next_plan.blocks:
        return Group(*parts)
    parts.append(plan_view(next_plan, heading="Next session"))
    if logged:
        parts.append(Text("Undo the whole session: microup undo", style="dim"))
    return Group(*parts)
