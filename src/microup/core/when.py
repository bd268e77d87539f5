"""Times and durations as people type them, and as the store keeps them.

Pure: no I/O, and the current time is always passed in (with the zone it is read in).
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, time, timedelta, timezone, tzinfo

from microup.core.errors import UsageError
from microup.core.text import shown

MAX_ENTRY_MINUTES = 600


MAX_GOAL_MINUTES = 7 * 24 * 60


MIDDAY = time(12, 0)


EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


_CLOCK_PARTS = re.compile(
    r"(?:(?P<hours>[0-9]{1,4})\s*h(?:ours?|rs?)?)?\s*(?:(?P<minutes>[0-9]{1,5})\s*m(?:in(?:utes?|s)?)?)?",
    re.ASCII | re.IGNORECASE,
)


_BARE_NUMBER = re.compile(r"[0-9]{1,9}", re.ASCII)


_AGO = re.compile(r"(?P<amount>.+?)\s+ago", re.IGNORECASE)


_EXPORTED = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{2}:[0-9]{2}", re.ASCII
)
"""A time exactly as `export` writes it: to the second, with its offset."""


_ABSOLUTE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9:.,+\-Zz]*)?", re.ASCII)


_DAYS = re.compile(r"(?P<days>[0-9]{1,5})\s*d(?:ays?)?", re.ASCII | re.IGNORECASE)


_HOURS_MINUTES = re.compile(r"(?P<hours>[0-9]{1,3}):(?P<minutes>[0-5][0-9])", re.ASCII)
"""`1:30`: an hour and a half, as a stopwatch shows it."""


_DECIMAL = re.compile(
    r"(?P<number>[0-9]{1,4}(?:\.[0-9]{1,4})?|\.[0-9]{1,4})\s*"
    r"(?P<unit>h|hr|hrs|hours?|m|min|mins|minutes?|d|days?|w|wk|wks|weeks?)",
    re.ASCII | re.IGNORECASE,
)
"""`1.5h`, `90 min`, `2 days`, `1 week`: a number and a unit."""


_UNIT_MINUTES = {"h": 60, "m": 1, "d": 24 * 60, "w": 7 * 24 * 60}


def _decimal_minutes(text: str, *, long_units: bool) -> int | None:
    """`1.5h` as 90; days and weeks only where `long_units` (for `ago`); None if it is not a
    whole number of minutes."""
    match = _DECIMAL.fullmatch(text)
    if match is None:
        return None
    unit = match["unit"].lower()[0]
    if unit in "dw" and not long_units:
        return None
    from fractions import Fraction

    minutes = Fraction(match["number"]) * _UNIT_MINUTES[unit]
    return int(minutes) if minutes.denominator == 1 else None


def _minutes_of(text: str, *, long_units: bool = False) -> int | None:
    """Read `20`, `20m`, `1h`, `1h30m` (and `1h 30m`, `90min`), `1:30` and `1.5h` as
    minutes, or None."""
    text = text.strip()
    if _BARE_NUMBER.fullmatch(text):
        return int(text)
    if clock := _HOURS_MINUTES.fullmatch(text):
        return int(clock["hours"]) * 60 + int(clock["minutes"])
    if (decimal := _decimal_minutes(text, long_units=long_units)) is not None:
        return decimal
    match = _CLOCK_PARTS.fullmatch(text)
    if not match or not (match["hours"] or match["minutes"]):
        return None
    if match["hours"] and match["minutes"] and int(match["minutes"]) >= 60:
        return None  # `1h61m` is a typo, not 121 minutes
    return int(match["hours"] or 0) * 60 + int(match["minutes"] or 0)


def parse_duration(
    text: str, *, maximum: int = MAX_ENTRY_MINUTES, what: str = "duration", minimum: int = 1
) -> int:
    """Whole minutes between `minimum` and `maximum`; anything else (0, -5, abc, nan, 1e3) is
    refused."""
    minutes = _minutes_of(text)
    if minutes is None:
        raise UsageError(
            f"invalid {what} {shown(text)}: use whole minutes like 20, or 20m, 1h, 1h30m, "
            "1:30, 1.5h"
        )
    if not minimum <= minutes <= maximum:
        raise UsageError(f"{what} must be between {minimum} and {maximum} minutes, not {minutes}")
    return minutes


def parse_goal(text: str) -> int:
    """A weekly goal: whole minutes like 60 or 1h30m, at most a week's worth."""
    return parse_duration(text, maximum=MAX_GOAL_MINUTES, what="goal")


def localize(naive: datetime, tz: tzinfo | None) -> datetime:
    """Give a wall-clock time its offset: in `tz`, or in the system's local zone when None.

    The system zone is consulted through `astimezone()`, which applies the daylight-saving
    rule in force on that date, not the offset in force now.
    """
    local = naive.astimezone() if tz is None else naive.replace(tzinfo=tz)
    back = local.astimezone(timezone.utc).astimezone(tz) if tz is not None else None
    lived = back if back is not None else local.astimezone(timezone.utc).astimezone()
    if lived.replace(tzinfo=None) != naive:
        raise UsageError(
            f"{naive.isoformat(timespec='minutes')} does not exist in the local time zone: "
            "the clocks skip it when daylight saving starts"
        )
    return local


def in_zone(moment: datetime, tz: tzinfo | None) -> datetime:
    """The same instant with the offset in force at that instant in `tz` (or the system zone)."""
    return moment.astimezone(tz) if tz is not None else moment.astimezone()


def _on_day(day: date, now: datetime, tz: tzinfo | None, *, start_of_day: bool) -> datetime:
    """A day without a clock time: its start, or else midday (now, if that is still ahead)."""
    if start_of_day:
        return localize(datetime.combine(day, time(0, 0)), tz)
    midday = localize(datetime.combine(day, MIDDAY), tz)
    return now if day == now.date() and midday > now else midday


def _parse_ago(amount: str, now: datetime) -> datetime | None:
    """Elapsed time, counted in real hours (in UTC) even across a daylight-saving change."""
    days = _DAYS.fullmatch(amount.strip())
    minutes = int(days["days"]) * 24 * 60 if days else _minutes_of(amount, long_units=True)
    return None if minutes is None else now.astimezone(timezone.utc) - timedelta(minutes=minutes)


_DAY_AND_CLOCK = re.compile(
    r"(?:(?P<last>last)\s+)?(?P<day>[a-z]+)?\s*(?P<clock>[0-9]{1,2}:[0-9]{2})?",
    re.ASCII | re.IGNORECASE,
)
"""`9:30`, `yesterday 18:00`, `monday`, `monday 9:00`, `last friday`, `last fri 18:00`."""


def _named_day(word: str, today: date, *, last: bool) -> date | None:
    """`today`, `yesterday`, or a weekday: the latest one not after today (`last`: before)."""
    if word in ("today", "yesterday"):
        return None if last else today - timedelta(days=1 if word == "yesterday" else 0)
    for names in (DAY_NAMES, _LONG_DAY_NAMES):
        if word in names:
            back = (today.weekday() - names.index(word)) % 7
            return today - timedelta(days=back if back or not last else 7)
    return None


def _parse_day_and_clock(
    text: str, now: datetime, tz: tzinfo | None, *, start_of_day: bool
) -> datetime | None:
    match = _DAY_AND_CLOCK.fullmatch(text)
    if match is None or not (match["day"] or match["clock"]):
        return None
    today = in_zone(now, tz).date()
    day = (
        today
        if match["day"] is None
        else _named_day(match["day"].lower(), today, last=bool(match["last"]))
    )
    if day is None or (match["last"] and match["day"] is None):
        return None
    if match["clock"] is None:
        return _on_day(day, now, tz, start_of_day=start_of_day)
    return localize(datetime.combine(day, parse_clock(match["clock"])), tz)


def _parse_iso(
    text: str, now: datetime, tz: tzinfo | None, *, start_of_day: bool
) -> datetime | None:
    candidate = text[:-1] + "+00:00" if text[-1:] in "Zz" else text
    try:
        return _on_day(date.fromisoformat(candidate), now, tz, start_of_day=start_of_day)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(candidate)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else localize(parsed, tz)


def _read_when(
    text: str, now: datetime, tz: tzinfo | None, *, start_of_day: bool
) -> datetime | None:
    word = text.lower()
    if word == "now":
        return now
    if ago := _AGO.fullmatch(text):
        return _parse_ago(ago["amount"], now)
    if (named := _parse_day_and_clock(text, now, tz, start_of_day=start_of_day)) is not None:
        return named
    return _parse_iso(text, now, tz, start_of_day=start_of_day) if text else None


ACCEPTED_TIMES = (
    "use 2026-11-20 or 2026-11-20T18:30, 9:30, today, yesterday 18:00, monday 9:00, "
    "last friday, or 90m ago / 2h ago / 3d ago / 1 week ago"
)
"""The one message that names every form of time microup reads."""


def parse_when(
    text: str,
    now: datetime,
    tz: tzinfo | None = None,
    *,
    start_of_day: bool = False,
    keep_offset: bool = False,
    absolute: bool = False,
) -> datetime:
    """When a session happened: ISO date or date-time, `today`, `yesterday`, `30m ago`, `3d ago`.

    `now` must be aware; the result is aware and never later than `now`, with the offset in
    force at that instant in the local zone (or the offset written, with `keep_offset`, as an
    import does). With `start_of_day`, a day means its first minute (for `--since`). With
    `absolute` (imports), words and `ago` are refused, so a file means the same every day.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if keep_offset and _EXPORTED.fullmatch(text):  # as `export` writes it: the import's path
        try:
            when: datetime | None = datetime.fromisoformat(text)
        except ValueError:
            raise UsageError(f"time {shown(text)} is out of range") from None
        return _within_range(text, when, now)
    if absolute and not _ABSOLUTE.fullmatch(text.strip()):
        raise UsageError(
            f"time {shown(text)} is not an absolute date or date-time (like 2026-11-20T18:30)"
        )
    try:
        when = _read_when(text.strip(), now, tz, start_of_day=start_of_day)
        if when is not None and not keep_offset:
            when = in_zone(when, tz)
    except UsageError:
        raise
    except (OverflowError, ValueError):
        raise UsageError(f"time {shown(text)} is out of range") from None
    return _within_range(text, when, now)


def _within_range(text: str, when: datetime | None, now: datetime) -> datetime:
    if when is None:
        raise UsageError(f"invalid time {shown(text)}: {ACCEPTED_TIMES}")
    if when > now:
        raise UsageError(f"time {shown(text)} is in the future")
    if when < EPOCH:
        raise UsageError(f"time {shown(text)} is before 1970")
    return when


def utc_offset_minutes(when: datetime) -> int:
    """The offset from UTC in force at `when`, in whole minutes east."""
    offset = when.utcoffset()
    if offset is None:
        raise ValueError("datetime must be timezone-aware")
    return round(offset.total_seconds() / 60)


@functools.lru_cache(maxsize=64)
def _zone(offset_minutes: int) -> timezone:
    return timezone(timedelta(minutes=offset_minutes))


def from_stored(epoch_seconds: int, offset_minutes: int) -> datetime:
    """Rebuild a stored instant as the wall-clock time the person lived it (one zone object
    per offset: an export of a million entries uses a handful)."""
    return datetime.fromtimestamp(epoch_seconds, _zone(offset_minutes))


DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


_LONG_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


_CLOCK = re.compile(r"([0-9]{1,2}):([0-9]{2})")


def parse_day(text: str) -> int:
    """'mon'..'sun' or 'monday'..'sunday', any case, to 0 (Monday)..6."""
    word = text.strip().lower()
    for names in (DAY_NAMES, _LONG_DAY_NAMES):
        if word in names:
            return names.index(word)
    raise UsageError(f"not a day of the week: {shown(text)} (use mon, tue, ... sun)")


def parse_clock(text: str) -> time:
    """'HH:MM' on a 24-hour clock (a one-digit hour is accepted)."""
    match = _CLOCK.fullmatch(text.strip())
    if match is not None:
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour < 24 and minute < 60:
            return time(hour, minute)
    raise UsageError(f"not a time of day: {shown(text)} (use HH:MM, 24-hour, e.g. 09:30)")
