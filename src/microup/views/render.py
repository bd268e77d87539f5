"""Every view microup prints: Rich tables and bars for people, plain dicts for `--json`.

User text (topics, notes) only ever enters Rich as `Text`, on a console with markup and
emoji codes off, after control characters are made visible: `[red]x[/red]` prints as typed
and an escape sequence in a note can never reach the terminal.
"""

from __future__ import annotations

import errno
import json
import os
import shlex
import sys
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from microup.core.memory import Grade
from microup.core.text import printable
from microup.core.values import Change, Entry, Timer, TopicTotal
from microup.core.weeks import WeekSummary

BAR_WIDTH = 20


class _Console(Console):
    """Rich's console, except that a closed pipe is an error microup reports itself (Rich
    would exit 1 on its own, even after a command had saved its change)."""

    def on_broken_pipe(self) -> None:
        raise BrokenPipeError(errno.EPIPE, "the reader of the output went away")


def console(*, stderr: bool = False) -> Console:
    """A console that interprets nothing it is given; colour only on a terminal without NO_COLOR."""
    plain = bool(os.environ.get("NO_COLOR"))  # no colour, and no bold or dim either
    return _Console(
        stderr=stderr,
        markup=False,
        emoji=False,
        highlight=False,
        soft_wrap=True,
        color_system=None if plain else "auto",
    )


def user_text(text: str | None, style: str = "") -> Text:
    """User-typed text as a Rich `Text`: never parsed as markup."""
    return Text(printable(text or ""), style=style)


def local_time(when: datetime) -> str:
    """A time as the person lived it, to the minute."""
    return when.strftime("%Y-%m-%d %H:%M")


def iso(when: datetime) -> str:
    """ISO 8601 with offset, to the second, for JSON."""
    return when.isoformat(timespec="seconds")


def bar(done: int, goal: int, *, width: int = BAR_WIDTH, ascii_only: bool = False) -> str:
    """A progress bar of `done` against `goal`, full once the goal is met."""
    filled = width if goal <= 0 else min(width, round(width * done / goal))
    full, empty = ("#", "-") if ascii_only else ("█", "░")
    return full * filled + empty * (width - filled)


def unicode_ok(out: Console) -> bool:
    return (out.encoding or "").lower().replace("-", "").startswith("utf")


def print_json(payload: Any) -> None:
    """JSON for scripts: plain stdout, no Rich, non-ASCII kept as is."""
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
    plain = encoding != "utf8"  # then \u escapes: still valid JSON, whatever the terminal
    sys.stdout.write(json.dumps(payload, ensure_ascii=plain, indent=2) + "\n")


# Entries ------------------------------------------------------------------------------------


def entry_label(entry: Entry) -> str:
    """`#12 20 min SQL`: an entry in a sentence (the journal's wording)."""
    topic = f" {entry.topic}" if entry.topic else ""
    return f"#{entry.id} {entry.minutes} min{topic}"


def entry_changes(before: Entry, after: Entry) -> str:
    """What an edit changed, for the history: `20 to 30 min, topic SQL to Rust, note removed`."""
    parts = []
    if before.minutes != after.minutes:
        parts.append(f"{before.minutes} to {after.minutes} min")
    if before.topic != after.topic:
        parts.append(f"topic {before.topic or '(none)'} to {after.topic or '(none)'}")
    if before.note != after.note:
        parts.append(
            "note removed"
            if after.note is None
            else "note added"
            if before.note is None
            else "note changed"
        )
    if before.at != after.at:
        parts.append(f"time {local_time(before.at)} to {local_time(after.at)}")
    return ", ".join(parts) or "nothing changed"


def spelling_note(typed: str, kept: str) -> Text:
    """Why `--topic SQL` shows `sql`: a topic keeps its first spelling until renamed."""
    return (
        Text("The topic keeps its first spelling, ")
        .append_text(user_text(kept, "bold"))
        .append("; to respell it everywhere: microup topics rename ")
        .append_text(user_text(shlex.quote(kept)))
        .append(" ")
        .append_text(user_text(shlex.quote(typed)))
    )


def describe_entry(entry: Entry, verb: str) -> Text:
    """`Logged #12  20 min  SQL  (2026-11-20 18:30)` with the topic shown literally."""
    line = Text(f"{verb} #{entry.id}  {entry.minutes} min")
    if entry.topic:
        line.append("  ").append_text(user_text(entry.topic, "bold"))
    line.append(f"  ({local_time(entry.at)})", style="dim")
    return line


def entry_json(entry: Entry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "minutes": entry.minutes,
        "topic": entry.topic,
        "note": entry.note,
        "at": iso(entry.at),
        "recall": entry.grade,
        "kind": entry.kind,
    }


def kind_label(entry: Entry) -> str:
    """`learn`, `review`, or `review (again)` with the recall grade."""
    if entry.grade is None:
        return entry.kind
    return f"{entry.kind} ({Grade(entry.grade).name.lower()})"


NARROW = 72  # below this many columns the entries table becomes one line per entry


def entries_view(entries: Sequence[Entry], out: Console) -> RenderableType:
    """The entries as a table, or on a narrow terminal one wrapped line each, id first, so
    nothing (the id least of all) is dropped or squeezed into a column of single letters."""
    if out.width >= NARROW:
        return entries_table(entries)
    lines = []
    for entry in entries:
        line = Text(
            f"#{entry.id}  {local_time(entry.at)}  {entry.minutes} min  {kind_label(entry)}"
        )
        if entry.topic:
            line.append("  ").append_text(user_text(entry.topic, "bold"))
        if entry.note:
            line.append("  ").append_text(user_text(entry.note, "dim"))
        lines.append(line)
    return Group(*lines)


def entries_table(entries: Sequence[Entry]) -> Table:
    table = Table(box=None, pad_edge=False, show_edge=False)
    table.add_column("id", justify="right", no_wrap=True)
    table.add_column("when", no_wrap=True)
    table.add_column("min", justify="right", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("topic", overflow="fold")  # user text is wrapped, never cut short
    table.add_column("note", overflow="fold")
    for entry in entries:
        table.add_row(
            str(entry.id),
            local_time(entry.at),
            str(entry.minutes),
            kind_label(entry),
            user_text(entry.topic),
            user_text(entry.note, "dim"),
        )
    return table


def changes_table(changes: Sequence[Change]) -> Table:
    """The journal, newest first: when, what, and whether it was undone."""
    table = Table(box=None, pad_edge=False, show_edge=False)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("when", no_wrap=True)
    table.add_column("change", overflow="fold")
    for change in changes:
        what = user_text(change.summary, "dim strike" if change.undone else "")
        if change.undone:
            what.append(" (undone)", style="dim")
        table.add_row(str(change.id), local_time(change.at.astimezone()), what)
    return table


def timer_minutes(timer: Timer, now: datetime) -> int:
    """Whole minutes the timer has run (0 for a start a moment in the future)."""
    return max(0, int((now - timer.started).total_seconds() // 60))


def timer_line(timer: Timer, now: datetime) -> Text:
    """`Running since 09:10 (25 min): SQL, review`."""
    line = Text(f"Running since {local_time(timer.started)} ({timer_minutes(timer, now)} min)")
    if timer.topic:
        line.append(": ").append_text(user_text(timer.topic, "bold"))
    if timer.kind == "review":
        line.append(", review")
    return line


def timer_json(timer: Timer | None, now: datetime) -> dict[str, Any]:
    if timer is None:
        return {"running": False}
    return {
        "running": True,
        "started": iso(timer.started),
        "minutes": timer_minutes(timer, now),
        "topic": timer.topic,
        "note": timer.note,
        "kind": timer.kind,
    }


def topics_table(topics: Iterable[TopicTotal]) -> Table:
    table = Table(box=None, pad_edge=False, show_edge=False)
    table.add_column("topic", overflow="fold")
    table.add_column("minutes", justify="right")
    table.add_column("sessions", justify="right")
    table.add_column("last studied")
    for topic in topics:
        table.add_row(
            user_text(topic.name),
            str(topic.minutes),
            str(topic.sessions),
            local_time(topic.last_studied),
        )
    return table


def topic_json(topic: TopicTotal) -> dict[str, Any]:
    return {
        "topic": topic.name,
        "minutes": topic.minutes,
        "sessions": topic.sessions,
        "last_studied": iso(topic.last_studied),
    }


# Weeks --------------------------------------------------------------------------------------


def pace_line(week: WeekSummary) -> str:
    """One sentence on where the week stands and what it still takes."""
    if week.met:
        extra = f", {week.minutes - week.goal} over" if week.minutes > week.goal else ""
        return f"Goal met: {week.minutes}/{week.goal} min{extra}."
    days = "today" if week.days_left == 1 else f"over {week.days_left} days"
    return (
        f"{week.remaining} min to go: {week.per_day_needed} min a day {days} reaches your "
        f"{week.goal}-minute goal."
    )


def progress(week: WeekSummary, out: Console, *, past: bool = False) -> Text:
    """`This week  ████░░ 40/60 min (67%)` followed by the pace line (none for a past week)."""
    percent = 100 * week.minutes // week.goal if week.goal else 100
    line = Text(f"{week.label}  ")
    line.append(
        bar(week.minutes, week.goal, ascii_only=not unicode_ok(out)),
        style="green" if week.met else "yellow",
    )
    line.append(f" {week.minutes}/{week.goal} min ({percent}%)")
    if week.streak:
        line.append(f"  streak: {week.streak} week{'s' if week.streak != 1 else ''}", style="bold")
    if past:
        return Text.assemble(line, f"\nThat was week {week.label} ({week.start} to {week.end}).")
    return Text.assemble(line, "\n", pace_line(week))


def week_view(week: WeekSummary, out: Console) -> RenderableType:
    """The week day by day, then the total against the goal."""
    table = Table(box=None, pad_edge=False, show_edge=False, show_header=False)
    table.add_column("day")
    table.add_column("bar")
    table.add_column("minutes", justify="right")
    biggest = max([minutes for _, minutes in week.days] + [1])
    for day, minutes in week.days:
        table.add_row(
            day.strftime("%a %d %b"),
            bar(minutes, biggest, width=12, ascii_only=not unicode_ok(out)),
            f"{minutes} min",
        )
    return Group(
        Text(f"Week {week.label} ({week.start} to {week.end})", style="bold"),
        table,
        progress(week, out),
    )


def week_json(week: WeekSummary) -> dict[str, Any]:
    return {
        "week": week.label,
        "start": week.start.isoformat(),
        "end": week.end.isoformat(),
        "minutes": week.minutes,
        "goal": week.goal,
        "remaining": week.remaining,
        "met": week.met,
        "days_left": week.days_left,
        "per_day_needed": week.per_day_needed,
        "days": [{"date": day.isoformat(), "minutes": minutes} for day, minutes in week.days],
        "streak": week.streak,
    }
