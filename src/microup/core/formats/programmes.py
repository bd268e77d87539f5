"""Programmes and their progress in an export, and read back from one (issue 18).

An export carries `"programmes": [{"name", "start", "by", "parts": [{"topic", "title",
"part", "parts", "minutes", "done_minutes", "done_at"}]}]`; an older export has none, and
imports as before.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from microup.core.errors import UsageError
from microup.core.holiday import FIRST_YEAR, LAST_YEAR
from microup.core.programme import MAX_TITLE_CHARS, Part, Programme
from microup.core.programme.outline import MAX_MODULES, MAX_PARTS, check_name
from microup.core.text import clean_topic, printable, topic_key


def programme_record(programme: Programme) -> dict[str, Any]:
    return {
        "name": programme.name,
        "start": programme.start.isoformat(),
        "by": None if programme.by is None else programme.by.isoformat(),
        "parts": [
            {
                "topic": part.topic,
                "title": part.title,
                "part": part.part,
                "parts": part.parts,
                "minutes": part.minutes,
                "done_minutes": part.done_minutes,
                "done_at": None
                if part.done_at is None
                else datetime.fromtimestamp(part.done_at, timezone.utc).isoformat(),
            }
            for part in programme.parts
        ],
    }


def _number(value: Any, what: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise UsageError(f"{what} must be a whole number from {low} to {high}")
    return value


def _day(value: Any, what: str) -> date:
    """An ISO date in the years `programme add` takes."""
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        raise UsageError(f"{what} is not an ISO date") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise UsageError(f"{what} {day} is out of range (from {FIRST_YEAR} to {LAST_YEAR})")
    return day


def _title(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TITLE_CHARS:
        raise UsageError(f"{what} must be text of 1 to {MAX_TITLE_CHARS} characters")
    if printable(value) != value:
        raise UsageError(f"{what} has control characters")
    return value.strip()


def _done_at(value: Any, what: str) -> int | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise UsageError(f"{what} is not an ISO time") from None
    if moment.tzinfo is None:
        raise UsageError(f"{what} needs its UTC offset")
    return int(moment.timestamp())


def _part(value: Any, seq: int, where: str) -> Part:
    if not isinstance(value, dict):
        raise UsageError(f"{where}: a part must be an object")
    parts = _number(value.get("parts"), f"{where}: parts", 1, 600)
    return Part(
        seq,
        clean_topic(str(value.get("topic", ""))),
        _title(value.get("title"), f"{where}: title"),
        _number(value.get("part"), f"{where}: part", 1, parts),
        parts,
        _number(value.get("minutes"), f"{where}: minutes", 1, 600),
        _number(value.get("done_minutes", 0), f"{where}: done_minutes", 0, 100_000),
        _done_at(value.get("done_at"), f"{where}: done_at"),
    )


def _check_modules(parts: tuple[Part, ...], where: str) -> None:
    """Each module's parts together and numbered 1 to N, no module twice in a topic, and
    no more modules or parts than an outline can give (`programme add`'s rules)."""
    if len(parts) > MAX_PARTS:
        raise UsageError(f"{where}: a programme has at most {MAX_PARTS:,} parts")
    seen: set[tuple[str, str]] = set()
    key: tuple[str, str] | None = None
    expected = 1
    for index, part in enumerate(parts, start=1):
        here = (topic_key(part.topic), topic_key(part.title))
        if here != key:
            if key is not None and expected <= parts[index - 2].parts:
                raise UsageError(f"{where}, part {index - 1}: its module's parts stop short")
            if here in seen:
                raise UsageError(
                    f"{where}, part {index}: {printable(part.title)!r} is already a module "
                    f"of {printable(part.topic)}"
                )
            seen.add(here)
            key, expected = here, 1
        if part.part != expected or part.parts != parts[index - expected].parts:
            raise UsageError(
                f"{where}, part {index}: {printable(part.label)!r} where part {expected} of "
                f"{parts[index - expected].parts} was due"
            )
        expected += 1
    if expected <= parts[-1].parts:
        raise UsageError(f"{where}, part {len(parts)}: its module's parts stop short")
    if len(seen) > MAX_MODULES:
        raise UsageError(f"{where}: a programme has at most {MAX_MODULES} modules")


def read_programme(value: Any, index: int) -> Programme:
    """One programme of an export, checked as `programme add` checks an outline (its id
    and position are the store's to give)."""
    where = f"programme {index}"
    if not isinstance(value, dict) or not isinstance(value.get("parts"), list):
        raise UsageError(f"{where}: must be an object with a list of parts")
    if len(value["parts"]) > MAX_PARTS:
        raise UsageError(f"{where}: a programme has at most {MAX_PARTS:,} parts")
    parts = tuple(
        _part(part, seq, f"{where}, part {seq + 1}") for seq, part in enumerate(value["parts"])
    )
    if not parts:
        raise UsageError(f"{where}: has no parts")
    _check_modules(parts, where)
    try:
        name = check_name(str(value.get("name", "")))
    except UsageError as error:
        raise UsageError(f"{where}: {error}") from None
    start = _day(value.get("start"), f"{where}: start")
    by = None if value.get("by") is None else _day(value.get("by"), f"{where}: by")
    if by is not None and by <= start:
        raise UsageError(f"{where}: by {by.isoformat()} is not after the start {start}")
    return Programme(0, name, start, by, 0, parts)
