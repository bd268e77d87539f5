"""A span of time as people ask for it: `--from WHEN --to WHEN`, `--week`, `--last-week`.

Pure: the current time is passed in. A day given to `--to` means the whole of that day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from microup.core.errors import UsageError
from microup.core.when import localize, parse_when


@dataclass(frozen=True)
class TimeRange:
    """From `start` (inclusive) to `end` (exclusive); None is open."""

    start: datetime | None = None
    end: datetime | None = None

    @property
    def bounded(self) -> bool:
        return self.start is not None or self.end is not None

    def first_day(self) -> date | None:
        return None if self.start is None else self.start.date()

    def last_day(self) -> date | None:
        """The last day the range touches."""
        return None if self.end is None else (self.end - timedelta(microseconds=1)).date()


def _week(monday: date, tz: tzinfo | None) -> TimeRange:
    return TimeRange(
        localize(datetime.combine(monday, time(0, 0)), tz),
        localize(datetime.combine(monday + timedelta(days=7), time(0, 0)), tz),
    )


def _end_of(text: str, now: datetime, tz: tzinfo | None) -> datetime:
    """`--to`: an instant as typed, or for a day (no clock time) the start of the next day."""
    as_day = parse_when(text, now, tz, start_of_day=True)
    as_instant = parse_when(text, now, tz)
    if as_day == as_instant:
        return as_instant
    return localize(datetime.combine(as_day.date() + timedelta(days=1), time(0, 0)), tz)


def time_range(
    start: str | None,
    end: str | None,
    *,
    week: bool,
    last_week: bool,
    now: datetime,
    tz: tzinfo | None = None,
) -> TimeRange:
    """The span the options ask for; all of them unset is everything."""
    if week and last_week:
        raise UsageError("give --week or --last-week, not both")
    if (week or last_week) and (start is not None or end is not None):
        raise UsageError("--week and --last-week stand alone: leave out --from and --to")
    if week or last_week:
        today = now.date()
        monday = today - timedelta(days=today.weekday() + (7 if last_week else 0))
        return _week(monday, tz)
    found = TimeRange(
        parse_when(start, now, tz, start_of_day=True) if start is not None else None,
        _end_of(end, now, tz) if end is not None else None,
    )
    if found.start is not None and found.end is not None and found.start >= found.end:
        raise UsageError("--from must come before --to")
    return found
