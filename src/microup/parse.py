"""Turn what a person types into checked values: durations, times, topics, notes, goals.

Pure: no I/O, and the current time is always passed in. Every rule here is shared by
`microup log`, `microup edit` and `microup import`, so a row is valid in all three or in none.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, time, timedelta, timezone, tzinfo

from microup.errors import UsageError

MAX_ENTRY_MINUTES = 600
MAX_GOAL_MINUTES = 7 * 24 * 60
MAX_TOPIC_CHARS = 80
MAX_NOTE_CHARS = 1000
MIDDAY = time(12, 0)
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

_CLOCK_PARTS = re.compile(
    r"(?:(?P<hours>[0-9]{1,4})\s*h(?:ours?|rs?)?)?\s*(?:(?P<minutes>[0-9]{1,5})\s*m(?:in(?:utes?|s)?)?)?",
    re.ASCII | re.IGNORECASE,
)
_BARE_NUMBER = re.compile(r"[0-9]{1,9}", re.ASCII)
_AGO = re.compile(r"(?P<amount>.+?)\s+ago", re.IGNORECASE)
_DAYS = re.compile(r"(?P<days>[0-9]{1,5})\s*d(?:ays?)?", re.ASCII | re.IGNORECASE)
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})
HIDDEN_CHARACTERS = frozenset(
    "\u061c\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff"
)
"""Invisible or direction-changing characters: they can make text look like other text."""


def shown(text: str, limit: int = 40) -> str:
    """Typed text quoted for an error message, cut short so the message stays one short line."""
    return repr(text if len(text) <= limit else text[:limit] + "...")


def _minutes_of(text: str) -> int | None:
    """Read `20`, `20m`, `1h`, `1h30m` (and `1h 30m`, `90min`) as minutes, or None."""
    text = text.strip()
    if _BARE_NUMBER.fullmatch(text):
        return int(text)
    match = _CLOCK_PARTS.fullmatch(text)
    if not match or not (match["hours"] or match["minutes"]):
        return None
    return int(match["hours"] or 0) * 60 + int(match["minutes"] or 0)


def parse_duration(text: str, *, maximum: int = MAX_ENTRY_MINUTES, what: str = "duration") -> int:
    """Whole minutes between 1 and `maximum`; anything else (0, -5, abc, nan, 1e3) is refused."""
    minutes = _minutes_of(text)
    if minutes is None:
        raise UsageError(
            f"invalid {what} {shown(text)}: use whole minutes like 20, or 20m, 1h, 1h30m"
        )
    if not 1 <= minutes <= maximum:
        raise UsageError(f"{what} must be between 1 and {maximum} minutes, not {minutes}")
    return minutes


def parse_goal(text: str) -> int:
    """A weekly goal: whole minutes like 60 or 1h30m, at most a week's worth."""
    return parse_duration(text, maximum=MAX_GOAL_MINUTES, what="goal")


def localize(naive: datetime, tz: tzinfo | None) -> datetime:
    """Give a wall-clock time its offset: in `tz`, or in the system's local zone when None.

    The system zone is consulted through `astimezone()`, which applies the daylight-saving
    rule in force on that date, not the offset in force now.
    """
    if tz is None:
        return naive.astimezone()
    return naive.replace(tzinfo=tz)


def in_zone(moment: datetime, tz: tzinfo | None) -> datetime:
    """The same instant with the offset in force at that instant in `tz` (or the system zone)."""
    return moment.astimezone(tz) if tz is not None else moment.astimezone()


def _on_day(day: date, now: datetime, tz: tzinfo | None, start_of_day: bool) -> datetime:
    """A day without a clock time: its start, or else midday (now, if that is still ahead)."""
    if start_of_day:
        return localize(datetime.combine(day, time(0, 0)), tz)
    midday = localize(datetime.combine(day, MIDDAY), tz)
    return now if day == now.date() and midday > now else midday


def _parse_ago(amount: str, now: datetime) -> datetime | None:
    """Elapsed time, counted in real hours (in UTC) even across a daylight-saving change."""
    days = _DAYS.fullmatch(amount.strip())
    minutes = int(days["days"]) * 24 * 60 if days else _minutes_of(amount)
    return None if minutes is None else now.astimezone(timezone.utc) - timedelta(minutes=minutes)


def _parse_iso(text: str, now: datetime, tz: tzinfo | None, start_of_day: bool) -> datetime | None:
    candidate = text[:-1] + "+00:00" if text[-1:] in "Zz" else text
    try:
        return _on_day(date.fromisoformat(candidate), now, tz, start_of_day)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(candidate)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else localize(parsed, tz)


def _read_when(text: str, now: datetime, tz: tzinfo | None, start_of_day: bool) -> datetime | None:
    word = text.lower()
    if word == "now":
        return now
    if word in ("today", "yesterday"):
        day = now.date() - timedelta(days=1 if word == "yesterday" else 0)
        return _on_day(day, now, tz, start_of_day)
    if ago := _AGO.fullmatch(text):
        return _parse_ago(ago["amount"], now)
    return _parse_iso(text, now, tz, start_of_day) if text else None


def parse_when(
    text: str,
    now: datetime,
    tz: tzinfo | None = None,
    *,
    start_of_day: bool = False,
    keep_offset: bool = False,
) -> datetime:
    """When a session happened: ISO date or date-time, `today`, `yesterday`, `30m ago`, `3d ago`.

    `now` must be aware; the result is aware and never later than `now`, with the offset in
    force at that instant in the local zone (or the offset written, with `keep_offset`, as an
    import does). With `start_of_day`, a day means its first minute (for `--since`).
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    try:
        when = _read_when(text.strip(), now, tz, start_of_day)
        if when is not None and not keep_offset:
            when = in_zone(when, tz)
    except (OverflowError, ValueError):
        raise UsageError(f"time {shown(text)} is out of range") from None
    if when is None:
        raise UsageError(
            f"invalid time {shown(text)}: use an ISO date or date-time (2026-11-20, "
            "2026-11-20T18:30), today, yesterday, or 30m ago / 2h ago / 3d ago"
        )
    if when > now:
        raise UsageError(f"time {shown(text)} is in the future")
    if when < EPOCH:
        raise UsageError(f"time {shown(text)} is before 1970")
    return when


def _refuse_control(text: str, what: str, allowed: str = "") -> None:
    for char in text:
        if char in allowed:
            continue
        if unicodedata.category(char) in _FORBIDDEN_CATEGORIES or char in HIDDEN_CHARACTERS:
            raise UsageError(
                f"{what} may not contain control, invisible or direction-changing characters "
                f"(found U+{ord(char):04X})"
            )


def clean_topic(text: str) -> str:
    """A topic as typed, trimmed: 1 to 80 characters, no control characters."""
    topic = unicodedata.normalize("NFC", text.strip())
    if not topic:
        raise UsageError("topic may not be empty")
    if len(topic) > MAX_TOPIC_CHARS:
        raise UsageError(f"topic is {len(topic)} characters; at most {MAX_TOPIC_CHARS} allowed")
    _refuse_control(topic, "topic")
    if all(unicodedata.category(char) in ("Cf", "Mn", "Zs") for char in topic):
        raise UsageError("topic must contain something visible")
    return topic


def topic_key(topic: str) -> str:
    """What makes two spellings the same topic: `SQL` and `sql` group together."""
    return unicodedata.normalize("NFC", topic.casefold())


def clean_note(text: str) -> str | None:
    """A free note of up to 1,000 characters (line breaks and tabs allowed); empty means none."""
    note = text.strip()
    if len(note) > MAX_NOTE_CHARS:
        raise UsageError(f"note is {len(note)} characters; at most {MAX_NOTE_CHARS} allowed")
    _refuse_control(note, "note", allowed="\n\t")
    return note or None


def parse_fraction(text: str, *, what: str, low: float, high: float) -> float:
    """A finite decimal from `low` to `high` inclusive (also accepts a percentage like 85%)."""
    cleaned = text.strip()
    scale = 100.0 if cleaned.endswith("%") else 1.0
    try:
        value = float(cleaned.rstrip("%")) / scale
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not low <= value <= high:
        raise UsageError(f"{what} must be a number from {low:g} to {high:g}, not {shown(text)}")
    return value


def utc_offset_minutes(when: datetime) -> int:
    """The offset from UTC in force at `when`, in whole minutes east."""
    offset = when.utcoffset()
    if offset is None:
        raise ValueError("datetime must be timezone-aware")
    return round(offset.total_seconds() / 60)


def from_stored(epoch_seconds: int, offset_minutes: int) -> datetime:
    """Rebuild a stored instant as the wall-clock time the person lived it."""
    return datetime.fromtimestamp(epoch_seconds, timezone(timedelta(minutes=offset_minutes)))


def _visible(char: str) -> str:
    if char in "\n\t":
        return " "
    if unicodedata.category(char) == "Cc":
        return f"\\x{ord(char):02x}"
    return f"\\u{ord(char):04x}" if char in HIDDEN_CHARACTERS else char


def printable(text: str) -> str:
    """`text` with control, invisible and direction-changing characters shown as escapes
    (`\\x1b`, `\\u202e`), line breaks and tabs as spaces: nothing reaches the terminal raw."""
    return "".join(map(_visible, text))
