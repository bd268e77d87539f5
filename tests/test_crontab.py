"""The crontab job: exact text round trips, schedule math, and `crontab` via a stand-in.

Every test here runs with PATH pointing at tests/fake_crontab (or at nothing), so the
real crontab of the machine is never read or written.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microup.core import crontab
from microup.core.crontab import MARKER, find, install, job_line, remove
from microup.core.errors import MicroupError, UsageError
from microup.core.reminder import last_occurrence, next_reminder, should_remind
from microup.core.when import parse_clock, parse_day
from microup.system.schedulers import cron

REALISTIC = (
    "# Edit this file to introduce tasks to be run by cron.\n"
    "#\n"
    "# m h  dom mon dow   command\n"
    'MAILTO=""\n'
    "PATH=/usr/local/bin:/usr/bin:/bin\n"
    "SHELL=/bin/bash\n"
    "\n"
    "# backups, nightly\n"
    "0 2 * * *   /usr/local/bin/backup.sh --quiet\n"
    "*/15 *  * * 1-5  date +\\%H:\\%M >> /tmp/times.log\n"
    "@reboot   sleep 60 && ~/bin/start-syncthing\n"
    "\t30\t7\t*\t*\tmon\techo 'tabs\tand spaces'   \n"
    "0 9 1 * * printf 'a%%b\\n' | mail -s \"monthly\" me@example.com\n"
    "#0 3 * * * /home/me/disabled-job.sh\n"
    "   \n"
    "5 4 * * sun echo crlf\r\n"
    "\n"
    "\n"
    "@weekly echo 'last line, no newline after it'"
)
REALISTIC_VARIANTS = [REALISTIC, REALISTIC + "\n", REALISTIC + "\n\n"]


def make_line(weekday: int = 0, at: time = time(9, 5), root: Path = Path("/opt/mu")) -> str:
    return job_line(
        microup=root / "bin" / "microup",
        db=root / "data" / "store.db",
        log=root / "state" / "remind.log",
        weekday=weekday,
        at=at,
    )


LINE = make_line()


def read_back(line: str) -> tuple[int, time]:
    """The (weekday, time) an installed line runs `remind --scheduled` with, as `show` reads it."""
    from microup.core.reminder import job_from_argv

    words, log = crontab.job_words(line)
    job = job_from_argv(words, log)
    return job.weekday, job.at


@pytest.fixture(autouse=True)
def _always_fake_crontab(fake_crontab: Path) -> Path:
    """Every test in this file runs with the stand-in `crontab` first on PATH."""
    return fake_crontab


# --- install / remove / find -----------------------------------------------------------


@pytest.mark.parametrize("table", REALISTIC_VARIANTS)
def test_realistic_table_survives_install_install_remove(table: str) -> None:
    once = install(table, LINE)
    twice = install(once, LINE)
    assert twice == once
    assert once.endswith((LINE + "\n", LINE + crontab.ADDED_NEWLINE + "\n"))
    assert once.count(MARKER) == 1
    assert find(once) == LINE
    assert remove(twice) == (table if table.endswith("\n") else table + "\n")
    assert find(table) is None


def test_install_keeps_every_other_byte_in_front() -> None:
    table = REALISTIC + "\n"
    assert install(table, LINE) == table + LINE + "\n"


def test_table_without_final_newline_gets_one_and_keeps_it() -> None:
    """Debian's crontab refuses a table without a final newline: giving the user's table
    back without it made `cron remove` fail for good. The newline stays, and is reported."""
    installed = install(REALISTIC, LINE)
    assert installed == REALISTIC + "\n" + LINE + crontab.ADDED_NEWLINE + "\n"
    assert find(installed) == LINE
    assert crontab.added_newline(installed)
    assert remove(installed) == REALISTIC + "\n"


def test_empty_table() -> None:
    assert install("", LINE) == LINE + "\n"
    assert remove(install("", LINE)) == ""
    assert find("") is None
    assert remove("") == ""


def test_reinstall_with_other_schedule_replaces_in_place() -> None:
    table = REALISTIC + "\n"
    other = make_line(4, time(18, 30))
    middle = install(table, LINE) + "0 1 * * * echo added later\n"
    replaced = install(middle, other)
    assert replaced == table + other + "\n" + "0 1 * * * echo added later\n"
    assert find(replaced) == other
    assert remove(replaced) == table + "0 1 * * * echo added later\n"


def test_replacing_keeps_the_added_newline_record() -> None:
    other = make_line(6, time(7, 0))
    replaced = install(install(REALISTIC, LINE), other)
    assert find(replaced) == other
    assert crontab.added_newline(replaced)
    assert remove(replaced) == REALISTIC + "\n"


def test_lines_appended_after_a_tagged_job_are_not_joined_on_remove() -> None:
    edited = install("a", LINE) + "b\n"
    assert remove(edited) == "a\nb\n"


def test_duplicate_jobs_collapse_to_one() -> None:
    doubled = "x\n" + LINE + "\n" + "y\n" + LINE + "\n"
    assert install(doubled, LINE) == "x\n" + LINE + "\n" + "y\n"
    assert remove(doubled) == "x\ny\n"


def test_commented_out_job_is_the_users_and_is_left_alone() -> None:
    table = "#" + LINE + "\n"
    assert find(table) is None
    assert remove(table) == table
    assert install(table, LINE) == table + LINE + "\n"


def test_install_refuses_a_line_that_is_not_ours() -> None:
    with pytest.raises(ValueError):
        install("", "0 9 * * * echo hi")
    with pytest.raises(ValueError):
        install("", LINE + "\n")


table_lines = st.lists(
    st.text(st.characters(exclude_characters="\n", exclude_categories=["Cs"])).filter(
        lambda line: "microup-reminder" not in line
    ),
    max_size=8,
)


@given(
    lines=table_lines,
    final_newline=st.booleans(),
    weekday=st.integers(0, 6),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
)
def test_property_round_trip_and_idempotence(
    lines: list[str], final_newline: bool, weekday: int, hour: int, minute: int
) -> None:
    table = "\n".join(lines) + ("\n" if final_newline and lines else "")
    line = make_line(weekday, time(hour, minute))
    once = install(table, line)
    assert remove(once) == (table + "\n" if table and not table.endswith("\n") else table)
    assert install(once, line) == once
    assert find(once) == line
    assert once.endswith("\n")
    assert once.count("\n") <= table.count("\n") + 2


# --- the job line --------------------------------------------------------------------


def test_job_line_format() -> None:
    line = job_line(
        microup=Path("/home/ann/.local/bin/microup"),
        db=Path("/home/ann/My Data/store.db"),
        log=Path("/home/ann/.local/state/microup/remind.log"),
        weekday=0,
        at=time(9, 5),
    )
    assert line == (
        "5 * * * * umask 077 && mkdir -p /home/ann/.local/state/microup"
        " && /home/ann/.local/bin/microup --db '/home/ann/My Data/store.db'"
        " remind --scheduled --day mon --time 09:05 --notify"
        " >> /home/ann/.local/state/microup/remind.log 2>&1 # microup-reminder"
    )
    assert "%" not in line
    assert read_back(line) == (0, time(9, 5))


@pytest.mark.parametrize("which", ["microup", "db", "log"])
def test_job_line_refuses_percent_in_any_path(which: str) -> None:
    paths = {"microup": Path("/a/microup"), "db": Path("/a/s.db"), "log": Path("/a/r.log")}
    paths[which] = Path(f"/tmp/100%/{which}")
    with pytest.raises(UsageError, match="%"):
        job_line(
            microup=paths["microup"], db=paths["db"], log=paths["log"], weekday=0, at=time(9, 0)
        )


def test_job_line_refuses_relative_paths_and_newlines() -> None:
    with pytest.raises(ValueError, match="absolute"):
        job_line(
            microup=Path("microup"), db=Path("/s.db"), log=Path("/r.log"), weekday=0, at=time()
        )
    with pytest.raises(UsageError, match="control character"):
        job_line(microup=Path("/m"), db=Path("/a\nb.db"), log=Path("/r.log"), weekday=0, at=time())
    with pytest.raises(ValueError):
        make_line(7)
    with pytest.raises(ValueError, match="whole minutes"):
        make_line(0, time(9, 5, 30))


path_part = st.text(
    st.characters(exclude_categories=["Cs", "Cc"], exclude_characters="%/"), min_size=1
).filter(lambda part: part not in {".", ".."})


@given(part=path_part, weekday=st.integers(0, 6), hour=st.integers(0, 23), m=st.integers(0, 59))
def test_property_job_line_reads_back(part: str, weekday: int, hour: int, m: int) -> None:
    db = Path("/data") / part / "store.db"
    line = job_line(
        microup=Path("/bin") / part,
        db=db,
        log=Path("/log") / part,
        weekday=weekday,
        at=time(hour, m),
    )
    assert "%" not in line
    assert "\n" not in line
    assert line.startswith(f"{m} * * * * ")  # hourly at the chosen minute
    assert read_back(line) == (weekday, time(hour, m))
    words = shlex.split(line.split(None, 5)[5], comments=True)
    assert words[words.index("--db") + 1] == str(db)
    assert find(install("", line)) == line


def test_parse_job_refuses_garbage() -> None:
    for bad in ["", "0 9 * * *", "0 9 * * * echo 'unclosed # microup-reminder", "0 9 * * * x"]:
        with pytest.raises(MicroupError, match="install"):
            read_back(bad)
    with pytest.raises(MicroupError):
        read_back("0 9 * * * microup remind --scheduled --day funday --time 09:00")


STAND_IN_MICROUP = """#!/bin/sh
printf '%s\\0' "$@" > {record}
echo "to stdout: PATH=$PATH"
echo "to stderr" >&2
"""


def test_job_command_runs_under_cron_bare_environment(tmp_path: Path) -> None:
    """Run the command part exactly as cron would: /bin/sh -c with a nearly empty env."""
    weird = tmp_path / 'it\'s "quoted" $HOME `x` & ; dir'
    bin_dir = weird / "bin dir"
    bin_dir.mkdir(parents=True)
    record = tmp_path / "argv.bin"
    microup = bin_dir / "micro up"
    microup.write_text(STAND_IN_MICROUP.format(record=shlex.quote(str(record))))
    microup.chmod(0o755)
    db = weird / "store *.db"
    log = weird / "new log dir" / "remind.log"
    line = job_line(microup=microup, db=db, log=log, weekday=2, at=time(7, 30))
    command = line.split(None, 5)[5]
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    bare = ["/usr/bin/env", "-i", "PATH=/usr/bin:/bin", "SHELL=/bin/sh", f"HOME={home}"]
    for _ in range(2):
        done = subprocess.run(
            [*bare, "/bin/sh", "-c", command],
            capture_output=True,
            timeout=10,
            check=False,
            stdin=subprocess.DEVNULL,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout == b""
        assert done.stderr == b""
    argv = record.read_bytes().decode().split("\0")[:-1]
    assert argv == [
        "--db",
        str(db),
        "remind",
        "--scheduled",
        "--day",
        "wed",
        "--time",
        "07:30",
        "--notify",
    ]
    assert log.stat().st_mode & 0o777 == 0o600  # it holds topic names
    # Appended, not overwritten, and both streams land in the log.
    assert log.read_text() == "to stdout: PATH=/usr/bin:/bin\nto stderr\n" * 2


# --- parsing -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mon", 0),
        ("Monday", 0),
        ("TUE", 1),
        ("wednesday", 2),
        ("thu", 3),
        (" Fri ", 4),
        ("saturday", 5),
        ("SUN", 6),
        ("sunday", 6),
    ],
)
def test_parse_day_accepts(text: str, expected: int) -> None:
    assert parse_day(text) == expected


@pytest.mark.parametrize("text", ["", "mo", "mond", "tues", "1", "0", "someday", "mon,tue"])
def test_parse_day_refuses(text: str) -> None:
    with pytest.raises(UsageError, match="day of the week"):
        parse_day(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("09:30", time(9, 30)), ("9:30", time(9, 30)), ("00:00", time(0)), ("23:59", time(23, 59))],
)
def test_parse_clock_accepts(text: str, expected: time) -> None:
    assert parse_clock(text) == expected


@pytest.mark.parametrize(
    "text", ["", "24:00", "12:60", "9", "930", "09:5", "9:30pm", "09:30:00", "-1:00", "٠٩:٣٠"]
)
def test_parse_clock_refuses(text: str) -> None:
    with pytest.raises(UsageError, match="HH:MM"):
        parse_clock(text)


# --- schedule math -------------------------------------------------------------------

TZ = timezone(timedelta(hours=2))
MON, NINE = 0, time(9, 0)


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A moment in June 2024, whose 3rd is a Monday."""
    return datetime(2024, 6, day, hour, minute, second, tzinfo=TZ)


def test_last_occurrence() -> None:
    assert last_occurrence(at(3, 9), MON, NINE) == at(3, 9)  # the boundary minute itself
    assert last_occurrence(at(3, 8, 59, 59), MON, NINE) == at(3, 9) - timedelta(days=7)
    assert last_occurrence(at(9, 23, 59), MON, NINE) == at(3, 9)
    assert last_occurrence(at(5, 12), 2, time(12, 0)) == at(5, 12)
    assert last_occurrence(at(5, 11), 2, time(12, 0)) == at(5, 12) - timedelta(days=7)
    assert last_occurrence(at(3, 9), MON, NINE).tzinfo is TZ


def test_boundary_minute() -> None:
    last = at(3, 9, 0, 4) - timedelta(days=7)
    assert not should_remind(at(3, 8, 59, 59), MON, NINE, last)
    assert should_remind(at(3, 9, 0, 0), MON, NINE, last)


def test_first_run_ever_speaks() -> None:
    assert should_remind(at(5, 9), MON, NINE, None)
    assert next_reminder(at(5, 8), MON, NINE, None) == at(5, 8)  # the next hourly run
    assert next_reminder(at(5, 10, 30), MON, NINE, None) == at(5, 11)


def test_week_where_the_machine_slept_through_the_chosen_day() -> None:
    last = at(3, 9, 0, 3) - timedelta(days=7)  # spoke last Monday
    assert next_reminder(at(2, 20), MON, NINE, last) == at(3, 9)
    # Monday 09:00: asleep, no run.  The first hourly run after waking speaks.
    assert next_reminder(at(3, 10), MON, NINE, last) == at(3, 10)
    assert should_remind(at(4, 9, 0, 1), MON, NINE, last)
    last = at(4, 9, 0, 2)
    # The rest of that week stays quiet ...
    for day in range(5, 10):
        assert not should_remind(at(day, 9, 0, 1), MON, NINE, last)
    assert next_reminder(at(4, 9, 1), MON, NINE, last) == at(10, 9)
    # ... until the chosen moment comes round again.
    assert should_remind(at(10, 9), MON, NINE, last)


def test_next_reminder_at_the_run_minute_is_now() -> None:
    last = at(3, 9) - timedelta(days=6)
    assert next_reminder(at(3, 9), MON, NINE, last) == at(3, 9)


def test_last_reminded_in_another_timezone() -> None:
    last_utc = at(3, 9, 0, 5).astimezone(timezone.utc)
    assert not should_remind(at(4, 9), MON, NINE, last_utc)
    assert next_reminder(at(4, 9), MON, NINE, last_utc) == at(10, 9)


def test_dst_change_keeps_wall_clock_time() -> None:
    zoneinfo = pytest.importorskip("zoneinfo")
    try:
        berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    except zoneinfo.ZoneInfoNotFoundError:
        pytest.skip("no time zone data")
    # Clocks went forward on Sunday 2024-03-31.
    now = datetime(2024, 4, 1, 12, 0, tzinfo=berlin)
    assert last_occurrence(now, 5, NINE) == datetime(2024, 3, 30, 9, 0, tzinfo=berlin)
    last = datetime(2024, 3, 30, 9, 1, tzinfo=berlin)
    assert next_reminder(now, 5, NINE, last) == datetime(2024, 4, 6, 9, 0, tzinfo=berlin)


def brute_force_next(now: datetime, weekday: int, at: time, last: datetime | None) -> datetime:
    run = now.replace(minute=at.minute, second=0, microsecond=0)
    if run < now:
        run += timedelta(hours=1)
    while not should_remind(run, weekday, at, last):
        run += timedelta(hours=1)
    return run


moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1))


@given(
    now=moments,
    weekday=st.integers(0, 6),
    clock=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    last_offset=st.one_of(st.none(), st.timedeltas(timedelta(days=-60), timedelta(days=30))),
)
def test_property_schedule(
    now: datetime, weekday: int, clock: time, last_offset: timedelta | None
) -> None:
    last = None if last_offset is None else now + last_offset
    occurrence = last_occurrence(now, weekday, clock)
    assert occurrence <= now < occurrence + timedelta(days=7)
    assert occurrence.weekday() == weekday
    assert occurrence.time() == clock
    assert should_remind(now, weekday, clock, last) == (last is None or last < occurrence)
    assert next_reminder(now, weekday, clock, last) == brute_force_next(now, weekday, clock, last)


# --- crontab I/O through the stand-in ------------------------------------------------


def test_no_crontab_yet_reads_as_empty(fake_crontab: Path) -> None:
    assert not fake_crontab.exists()
    assert cron.read_table() == ""


def test_install_twice_and_remove_through_crontab_command(fake_crontab: Path) -> None:
    original = REALISTIC.encode() + b"\n# not utf-8: \xff\xfe\n0 0 * * * true"
    fake_crontab.write_bytes(original)
    for _ in range(2):
        cron.write_table(install(cron.read_table(), LINE))
        assert fake_crontab.read_bytes().endswith(b"\n")
        assert find(cron.read_table()) == LINE
    cron.write_table(remove(cron.read_table()))
    assert fake_crontab.read_bytes() == original + b"\n"  # the newline Debian's crontab needs


def test_from_no_crontab_back_to_no_crontab(fake_crontab: Path) -> None:
    cron.write_table(install(cron.read_table(), LINE))
    assert fake_crontab.read_text() == LINE + "\n"
    cron.write_table(remove(cron.read_table()))
    assert not fake_crontab.exists()  # `crontab -r`: no crontab, as before the install
    assert cron.read_table() == ""
    cron.write_table("")  # removing a crontab that is not there is fine


def test_crontab_failures_are_microup_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_CRONTAB_FAIL", "You (ann) are not allowed to use this program")
    with pytest.raises(MicroupError, match=r"crontab -l.*not allowed"):
        cron.read_table()
    with pytest.raises(MicroupError, match=r"crontab -`.*not allowed"):
        cron.write_table(LINE + "\n")


def test_no_crontab_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(MicroupError, match=r"no `crontab` command found.*apt-get install cron"):
        cron.read_table()
    with pytest.raises(MicroupError, match="no `crontab` command found"):
        cron.write_table("")


def test_hanging_crontab_times_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    slow_bin = tmp_path / "slow-bin"
    slow_bin.mkdir()
    slow = slow_bin / "crontab"
    slow.write_text("#!/bin/sh\nexec sleep 30\n")
    slow.chmod(0o755)
    monkeypatch.setenv("PATH", f"{slow_bin}{os.pathsep}/usr/bin{os.pathsep}/bin")
    with pytest.raises(MicroupError, match=r"did not finish within 0\.2 s"):
        cron.read_table(timeout=0.2)
