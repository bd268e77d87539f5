"""A training programme's outline, read the way a syllabus is copied from a course page.

`# Name` names the programme, `## Topic` starts a topic, and each top-level list item is a
module, with an optional duration in `log`'s grammar at its end: `- Joins (45m)`. Other text
(descriptions, nested items, deeper headings) is left alone. Pure: bytes in, an `Outline` out;
every refusal names the line of the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from microup.core.errors import UsageError
from microup.core.programme.progress import MIN_SESSION_MINUTES
from microup.core.text import clean_topic, printable, topic_key
from microup.core.when import parse_duration

MAX_OUTLINE_BYTES = 1 << 20
"""An outline is a syllabus, not a course: larger files are refused unread."""
MAX_TITLE_CHARS = 200
MAX_MODULES = 500
"""Micro-upskilling runs three to six months at an hour a week (13 to 26 hours): 500 modules
is far beyond that, and keeps every command that walks the parts quick."""
MAX_PROGRAMME_MINUTES = 6000
"""100 hours, four times a six-month programme's; with sessions of at least 5 minutes it
bounds the parts too (at most 1,200 from durations, one more per module)."""
MAX_PARTS = MAX_PROGRAMME_MINUTES // MIN_SESSION_MINUTES + MAX_MODULES
"""The most session-sized parts an accepted outline can make (sessions are 5 min or more)."""

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_ITEM = re.compile(r"^(?:[-*+]|\d{1,4}[.)])\s+(.*)$")
_CHECKBOX = re.compile(r"^\[[ xX]\]\s+")
_DURATION = re.compile(r"^(.*?)\s*\(\s*(\d[^()]*)\)\s*$")


@dataclass(frozen=True)
class OutlineModule:
    """One module as the outline gives it: its topic (None before any `##`), title, minutes
    (None: one session's length) and the line it was on."""

    topic: str | None
    title: str
    minutes: int | None
    line: int


@dataclass(frozen=True)
class Outline:
    """What an outline file says: the programme's name (its first `#` heading) and modules."""

    name: str | None
    modules: tuple[OutlineModule, ...]
    name_line: int = 0
    """The line of the `#` heading that names it (0: none)."""


def _problem(where: str, line: int, what: str) -> UsageError:
    return UsageError(f"{where}, line {line}: {what}")


def decode_outline(data: bytes, where: str) -> str:
    """The outline's text: at most 1 MiB of UTF-8 (a byte-order mark is allowed)."""
    if len(data) > MAX_OUTLINE_BYTES:
        raise UsageError(f"{where}: an outline is at most 1 MiB, this file is {len(data):,} bytes")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise _problem(where, line, "not UTF-8 text (save the outline as UTF-8)") from None


def _module(text: str, topic: str | None, number: int, where: str) -> OutlineModule:
    """A list item as a module: its title and optional trailing `(duration)`."""
    title = _CHECKBOX.sub("", text.strip())
    minutes = None
    found = _DURATION.match(title)
    if found is not None:
        try:
            minutes = parse_duration(found.group(2).replace(" ", ""))
        except UsageError as error:
            raise _problem(where, number, str(error)) from None
        title = found.group(1)
    title = title.strip()
    if not title:
        raise _problem(where, number, "a module needs a title")
    if len(title) > MAX_TITLE_CHARS:
        raise _problem(where, number, f"a module title is at most {MAX_TITLE_CHARS} characters")
    if not printable(title) == title:
        raise _problem(where, number, "a module title has control characters")
    return OutlineModule(topic, title, minutes, number)


def _topic(text: str, number: int, where: str) -> str:
    try:
        return clean_topic(text)
    except UsageError as error:
        raise _problem(where, number, str(error)) from None


def _within_limits(modules: list[OutlineModule], module: OutlineModule, where: str) -> None:
    """Refuse the module that takes the programme past `MAX_MODULES` or its minutes past
    `MAX_PROGRAMME_MINUTES` (modules without a duration count none here)."""
    if len(modules) >= MAX_MODULES:
        raise _problem(where, module.line, f"a programme has at most {MAX_MODULES} modules")
    total = sum(m.minutes or 0 for m in modules) + (module.minutes or 0)
    if total > MAX_PROGRAMME_MINUTES:
        raise _problem(
            where,
            module.line,
            f"a programme is at most {MAX_PROGRAMME_MINUTES // 60} hours "
            f"({MAX_PROGRAMME_MINUTES:,} min); this module takes it to {total:,} min",
        )


def _name(text: str, number: int, where: str) -> str | None:
    """The programme's name from its `#` heading, checked as `programme add` checks it."""
    name = text.strip() or None
    if name is not None:
        try:
            check_name(name)
        except UsageError as error:
            raise _problem(where, number, str(error)) from None
    return name


def check_name(name: str) -> str:
    """A programme's name: 1 to 200 printable characters (no control, zero-width or
    direction characters)."""
    name = name.strip()
    if not name or len(name) > MAX_TITLE_CHARS or printable(name) != name:
        raise UsageError(f"a programme name is 1 to {MAX_TITLE_CHARS} printable characters")
    return name


def parse_outline(text: str, where: str, *, named: bool = False) -> Outline:
    """The programme an outline describes; `where` (the file's name) starts every refusal.
    `named`: the programme is named otherwise (`--name`), so its `#` heading is not checked."""
    name: str | None = None
    name_line = 0
    topic: str | None = None
    modules: list[OutlineModule] = []
    seen: dict[tuple[str, str], int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        heading = _HEADING.match(line)
        item = _ITEM.match(line)
        if heading is not None and len(heading.group(1)) == 1 and name is None:
            name = heading.group(2).strip() if named else _name(heading.group(2), number, where)
            name, name_line = name or None, number
        elif heading is not None and len(heading.group(1)) == 2:
            topic = _topic(heading.group(2), number, where)
        elif item is not None:
            module = _module(item.group(1), topic, number, where)
            key = (topic_key(topic or ""), topic_key(module.title))
            if key in seen:
                raise _problem(
                    where,
                    number,
                    f"{printable(module.title)!r} is already a module of this "
                    f"topic (line {seen[key]})",
                )
            _within_limits(modules, module, where)
            seen[key] = number
            modules.append(module)
    if not modules:
        raise UsageError(f"{where}: no module found (list each module as '- Title (30m)')")
    return Outline(name, tuple(modules), name_line)
