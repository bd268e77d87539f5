"""`microup plan --ics`: the week's sessions as recurring events, read back with icalendar."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from icalendar import Calendar

from conftest import Run, one_line_error
from microup.core.formats.ics import parse_slots, split_goal

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture
def frozen(local_tz: str) -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def events(path: Path) -> tuple[Calendar, list[object]]:
    calendar = Calendar.from_ical(path.read_bytes())
    return calendar, list(calendar.walk("VEVENT"))


def test_sessions_add_up_to_the_goal_with_alerts_a_time_zone_and_stable_uids(
    run: Run, frozen: time_machine.Traveller, tmp_path: Path
) -> None:
    run("log", "20", "-t", "SQL", "--at", "8d ago")
    run("goal", "70")
    path = tmp_path / "week.ics"
    done = run("plan", "--ics", str(path), "--slots", "thu@08:00,mon@12:30,sat@10:00")
    assert done.exit_code == 0, done.stderr
    calendar, found = events(path)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    durations = [event["DURATION"].dt for event in found]  # type: ignore[index]
    assert sum(durations, timedelta()) == timedelta(minutes=70)
    starts = [event["DTSTART"].dt for event in found]  # type: ignore[index]
    assert [(s.weekday(), s.hour, s.minute) for s in starts] == [(0, 12, 30), (3, 8, 0), (5, 10, 0)]
    assert all(str(s.tzinfo) == "Europe/London" for s in starts)
    for event in found:
        assert event["RRULE"]["FREQ"] == ["WEEKLY"]  # type: ignore[index]
        [alarm] = event.walk("VALARM")  # type: ignore[attr-defined]
        assert alarm["TRIGGER"].dt == timedelta(minutes=-5)
        assert "DTSTAMP" in event  # type: ignore[operator]
    # On a Tuesday the next session is Thursday's: this week's first reviews go there.
    assert "Review first: SQL" in str(found[1]["DESCRIPTION"])  # type: ignore[index]
    first_uids = [str(event["UID"]) for event in found]  # type: ignore[index]
    first_sequence = [int(event["SEQUENCE"]) for event in found]  # type: ignore[index]
    frozen.shift(timedelta(days=1))
    assert (
        run("plan", "--ics", str(path), "--slots", "mon@12:30,thu@08:00,sat@10:00").exit_code == 0
    )
    _, again = events(path)
    assert [str(event["UID"]) for event in again] == first_uids  # type: ignore[index]
    assert all(
        int(event["SEQUENCE"]) > before  # type: ignore[index]
        for event, before in zip(again, first_sequence, strict=True)
    )


def test_bad_slots_are_refused_and_write_nothing(run: Run, frozen: object, tmp_path: Path) -> None:
    run("log", "20")
    path = tmp_path / "week.ics"
    for slots in (
        "mon",
        "mon@25:00",
        "funday@10:00",
        "mon@10:00,mon@10:00",
        "",
        "mon@10:00,mon@10:10",
    ):
        one_line_error(run("plan", "--ics", str(path), "--slots", slots))
    assert not path.exists()
    assert "--ics" in one_line_error(run("plan", "--slots", "mon@10:00"))


def test_slot_parsing_and_goal_split() -> None:
    assert parse_slots(" wed@7:05 , mon@12:30") == [
        (0, datetime(1, 1, 1, 12, 30).time()),
        (2, datetime(1, 1, 1, 7, 5).time()),
    ]
    assert split_goal(60, 3) == [20, 20, 20] and split_goal(70, 3) == [24, 23, 23]


def test_a_zone_without_a_name_keeps_the_local_offset(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    monkeypatch.setenv("TZ", "<+0530>-5:30")
    time.tzset()
    try:
        run("log", "20")
        path = tmp_path / "week.ics"
        assert run("plan", "--ics", str(path), "--slots", "mon@12:30").exit_code == 0
        _, [event] = events(path)
        start = event["DTSTART"].dt  # type: ignore[index]
        assert start.utcoffset() in (None, timedelta(0)) or start.hour == 12
        local = start.astimezone(__import__("datetime").timezone(timedelta(hours=5, minutes=30)))
        assert (local.hour, local.minute) == (12, 30)
    finally:
        monkeypatch.undo()
        time.tzset()
