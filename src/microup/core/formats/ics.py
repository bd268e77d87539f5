"""The weekly hour blocked in a calendar: an iCalendar file of recurring learning sessions.

Built with the `icalendar` library (imported only by `plan --ics`). Each slot is a weekly
event whose UID depends only on its day and time, so importing a newer file updates the
events instead of adding copies; SEQUENCE grows with every export.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from microup.core.errors import UsageError
from microup.core.programme import Programme, coming
from microup.core.text import plural, shown
from microup.core.when import DAY_NAMES, parse_clock, parse_day

DEFAULT_SLOTS = "mon@12:30,wed@12:30,fri@12:30"
ALERT_MINUTES = 5
UID_DOMAIN = "microup.invalid"


def parse_slots(text: str) -> list[tuple[int, time]]:
    """`mon@12:30,thu@08:00` as (weekday, time) pairs, in week order, each slot once."""
    slots: list[tuple[int, time]] = []
    for part in text.split(","):
        day, _, clock = part.strip().partition("@")
        if not clock:
            raise UsageError(f"slot {shown(part.strip())} is not DAY@HH:MM (like mon@12:30)")
        slot = (parse_day(day), parse_clock(clock))
        if slot in slots:
            raise UsageError(f"slot {shown(part.strip())} is given twice")
        slots.append(slot)
    if not 1 <= len(slots) <= 21:
        raise UsageError("give 1 to 21 slots, like mon@12:30,thu@08:00")
    return sorted(slots)


def check_overlap(slots: Sequence[tuple[int, time]], minutes: Sequence[int]) -> None:
    """Refuse slots whose sessions would overlap within the week."""
    spans = sorted(
        (weekday * 1440 + clock.hour * 60 + clock.minute, length, weekday, clock)
        for (weekday, clock), length in zip(slots, minutes, strict=True)
    )
    for (start, length, day, clock), (after, _, next_day, next_clock) in zip(
        spans, [*spans[1:], (spans[0][0] + 7 * 1440, 0, spans[0][2], spans[0][3])], strict=True
    ):
        if start + length > after:
            raise UsageError(
                f"the sessions at {DAY_NAMES[day]}@{clock:%H:%M} and "
                f"{DAY_NAMES[next_day]}@{next_clock:%H:%M} would overlap"
            )


def split_goal(goal: int, count: int) -> list[int]:
    """The weekly goal in `count` parts that add up to it, the first ones a minute longer."""
    base, extra = divmod(goal, count)
    if base == 0:
        raise UsageError(f"a {goal}-minute goal cannot fill {count} sessions of a minute or more")
    return [base + (1 if index < extra else 0) for index in range(count)]


def calendar_bytes(
    slots: Sequence[tuple[int, time]],
    goal: int,
    reviews: Sequence[Sequence[tuple[str, int]]],
    now: datetime,
    *,
    zone: tzinfo,
    programmes: Sequence[Programme] = (),
) -> bytes:
    """The calendar: one weekly event per slot, lasting its share of the goal, with a
    5-minute alert, and the planned reviews and new material of that session (the next
    modules of the `programmes`) in its description."""
    from icalendar import Alarm, Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//microup//weekly learning sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "microup learning")
    sequence = int(now.timestamp())  # grows with every export (a second apart at least)
    local_now = now.astimezone(zone)
    starts = []
    for weekday, clock in slots:
        day = local_now.date() + timedelta(days=(weekday - local_now.weekday()) % 7)
        start = datetime.combine(day, clock, tzinfo=zone)
        starts.append(start if start >= local_now else start + timedelta(weeks=1))
    soonest = sorted(range(len(slots)), key=lambda index: starts[index])
    planned_for = {slot: reviews[rank] for rank, slot in enumerate(soonest) if rank < len(reviews)}
    lengths = split_goal(goal, len(slots))
    check_overlap(slots, lengths)
    new_minutes = [lengths[slot] - sum(m for _, m in planned_for.get(slot, [])) for slot in soonest]
    news = dict(zip(soonest, coming(programmes, new_minutes), strict=True))
    for index, ((weekday, clock), minutes) in enumerate(zip(slots, lengths, strict=True)):
        start = starts[index]
        planned = planned_for.get(index, [])
        lines = [f"{minutes} minutes of learning ({plural(goal, 'minute')} a week in all)."]
        if planned:
            lines.append("Review first: " + ", ".join(f"{t} ({m} min)" for t, m in planned))
        new = news.get(index)
        if new is not None:
            lines.append(new.line())
        lines.append(f"Then log it: microup log {minutes} -t TOPIC")
        event = Event()
        event.add("uid", f"microup-{DAY_NAMES[weekday]}-{clock:%H%M}@{UID_DOMAIN}")
        event.add("dtstamp", now.astimezone(timezone.utc))
        event.add("sequence", sequence)
        event.add("summary", f"microup: {minutes} min of learning")
        event.add("description", "\n".join(lines))
        # A named zone travels as a VTIMEZONE; a bare offset (no DST to follow) as UTC.
        event.add(
            "dtstart", start if isinstance(zone, ZoneInfo) else start.astimezone(timezone.utc)
        )
        event.add("duration", timedelta(minutes=minutes))
        event.add("rrule", {"freq": "weekly"})
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"microup: {minutes} min of learning in {ALERT_MINUTES} minutes")
        alarm.add("trigger", timedelta(minutes=-ALERT_MINUTES))
        event.add_component(alarm)
        calendar.add_component(event)
    today = local_now.date()  # the zone's rules from a year back to five years ahead
    calendar.add_missing_timezones(
        first_date=today - timedelta(days=366), last_date=today + timedelta(days=5 * 366)
    )
    data: bytes = calendar.to_ical()
    return data
