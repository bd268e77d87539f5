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
from microup.core.text import clean_topic, printable, topic_key
from microup.core.when import parse_duration

MAX_OUTLINE_BYTES = 1 << 20
"""An outline is a syllabus, not a course: larger files are refused unread."""
MAX_TITLE_CHARS = 200

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


def parse_outline(text: str, where: str) -> Outline:
    """The programme an outline describes; `where` (the file's name) starts every refusal."""
    name: str | None = None
    topic: str | None = None
    modules: list[OutlineModule] = []
    seen: dict[tuple[str, str], int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        heading = _HEADING.match(line)
        item = _ITEM.match(line)
        if heading is not None and len(heading.group(1)) == 1 and name is None:
            name = heading.group(2).strip() or None
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
            seen[key] = number
            modules.append(module)
    if not modules:
        raise UsageError(f"{where}: no module found (list each module as '- Title (30m)')")
    return Outline(name, tuple(modules))
