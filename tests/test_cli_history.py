"""`microup stats`, `calendar`, `export` and `import` through the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conftest import Run, file_bytes, make_store, one_line_error, store_state

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=ZoneInfo("Europe/London"))  # Wednesday of 2026-W48


@pytest.fixture
def frozen(local_tz: str) -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def history(run: Run) -> None:
    """Six weeks: met, met, some, none, met (goal raised to 90 meanwhile), this week under way."""
    for when, minutes, topic in [
        ("2026-10-20T08:00", 60, "SQL"),  # W43 met
        ("2026-10-27T08:00", 30, "Rust"),
        ("2026-10-29T08:00", 40, "sql"),  # W44 met
        ("2026-11-04T08:00", 20, "Rust"),  # W45 some
        # W46 none
        ("2026-11-16T08:00", 95, "Go"),  # W47 met (goal 90 from W47 on)
        ("2026-11-24T08:00", 30, "SQL"),  # W48 under way
    ]:
        assert run("log", str(minutes), "-t", topic, "--at", when).exit_code == 0


@pytest.mark.both_engines
def test_stats_json(run: Run, frozen: time_machine.Traveller) -> None:
    frozen.move_to(datetime(2026, 11, 16, 7, 0, tzinfo=ZoneInfo("Europe/London")))
    assert run("goal", "90").exit_code == 0
    frozen.move_to(NOW)
    history(run)
    stats = json.loads(run("stats", "--weeks", "6", "--json").stdout)
    assert stats["total_minutes"] == 275
    assert [(w["week"], w["minutes"], w["goal"], w["met"]) for w in stats["weeks"]] == [
        ("2026-W43", 60, 60, True),
        ("2026-W44", 70, 60, True),
        ("2026-W45", 20, 60, False),
        ("2026-W46", 0, 60, False),
        ("2026-W47", 95, 90, True),
        ("2026-W48", 30, 90, False),
    ]
    assert stats["weeks"][0]["start"] == "2026-10-19"
    assert (stats["streak"], stats["best_streak"]) == (1, 2)
    assert stats["adherence"] == {
        "weeks": 5,
        "met": 3,
        "some": 1,
        "none": 1,
        "verdict": "most weeks",
    }
    assert stats["topics"][0] == {"topic": "SQL", "minutes": 130, "sessions": 3}
    assert len(json.loads(run("stats", "--json").stdout)["weeks"]) == 6  # none before the first


@pytest.mark.both_engines
def test_stats_and_calendar_views(run: Run, frozen: object) -> None:
    history(run)
    shown = run("stats", "--calendar").stdout
    assert "2026-W48" in shown and "│" in shown and "Total: 275 min" in shown
    assert "You manage it: most weeks" in shown
    assert "Mon" in shown and "more  (0, 1-14" in shown
    calendar = run("calendar", "--weeks", "8")
    assert calendar.exit_code == 0 and "The last 8 weeks: 275 min on 6 days" in calendar.stdout


def test_stats_with_nothing_logged(run: Run, frozen: object, db: Path | str) -> None:
    make_store(db)
    stats = json.loads(run("stats", "--json").stdout)
    assert stats["adherence"]["verdict"] == "too early to say"
    assert stats["total_minutes"] == 0
    assert run("stats").exit_code == 0 and run("calendar").exit_code == 0


@pytest.mark.both_engines
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_import_export_round_trip(
    run: Run, frozen: object, tmp_path: Path, fmt: str
) -> None:
    history(run)
    run("log", "20", "-t", "[red]x[/red]", "--at", "2d ago")
    run("log", "5", "-t", "[red]x[/red]", "-n", 'comma, "quote"\nnewline', "--recall", "hard")
    run("goal", "75")
    run("config", "min-gap", "30m")
    exported = tmp_path / f"out.{fmt}"
    assert run("export", "--output", str(exported)).exit_code == 0
    fresh = tmp_path / "fresh.db"
    done = run("--db", str(fresh), "import", str(exported))
    assert done.exit_code == 0 and "Imported 8 entries" in done.stdout
    again = tmp_path / f"again.{fmt}"
    assert run("--db", str(fresh), "export", "-f", fmt, "-o", str(again)).exit_code == 0
    if fmt == "json":
        assert again.read_text() == exported.read_text()
        document = json.loads(exported.read_text())
        assert document["format"] == "microup" and document["version"] == 1
        assert document["goals"] == [{"week_start": "2026-11-23", "minutes": 75}]
        assert document["settings"] == {"min-gap": "30"}
        assert set(document["entries"][0]) == {"minutes", "topic", "note", "at", "recall", "kind"}
    else:
        strip_ids = [line.split(",", 1)[1] for line in exported.read_text().splitlines()]
        assert [line.split(",", 1)[1] for line in again.read_text().splitlines()] == strip_ids


@pytest.mark.both_engines
def test_export_to_stdout(run: Run, frozen: object) -> None:
    history(run)
    assert len(json.loads(run("export").stdout)["entries"]) == 6
    csv_out = run("export", "--format", "csv").stdout.splitlines()
    assert csv_out[0] == "id,at,minutes,topic,note,recall,kind" and len(csv_out) == 7


@pytest.mark.both_engines
def test_importing_twice_adds_nothing(run: Run, frozen: object, tmp_path: Path) -> None:
    history(run)
    exported = tmp_path / "out.json"
    run("export", "-o", str(exported))
    fresh = tmp_path / "fresh.db"
    run("--db", str(fresh), "import", str(exported))
    second = run("--db", str(fresh), "import", str(exported))
    assert "Imported 0 entries" in second.stdout and "6 already there" in second.stdout
    assert "Imported 0 entries" in run("import", str(exported)).stdout  # into the original too


@pytest.mark.both_engines
def test_one_bad_row_imports_nothing(
    run: Run, frozen: object, tmp_path: Path, db: Path | str
) -> None:
    history(run)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "id,at,minutes,topic,note,recall\n1,2026-11-01T10:00,20,SQL,,\n"
        "2,2026-11-02T10:00,20,SQL,,\n3,2026-11-03T10:00,0,SQL,,\n"
    )
    before = store_state(db)
    message = one_line_error(run("import", str(bad)))
    assert "line 4" in message and "between 1 and 600" in message
    assert store_state(db) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "not a text file"),
        (b"just some words\n", "not a microup CSV export"),
        (b'{"hello": "world"}', "not a microup export"),
        (b'{"format": "microup", "version": 1, "settings": {"colour": "blue"}}', "unknown setting"),
    ],
)
def test_files_that_are_not_exports(
    run: Run, frozen: object, tmp_path: Path, db_path: Path, content: bytes, message: str
) -> None:
    run("log", "5")
    before = file_bytes(db_path)
    path = tmp_path / "input.txt"
    path.write_bytes(content)
    assert message in one_line_error(run("import", str(path)))
    assert file_bytes(db_path) == before


def test_import_and_export_file_problems(
    run: Run, frozen: object, tmp_path: Path, db_path: Path
) -> None:
    make_store(db_path)
    assert "cannot read" in one_line_error(run("import", str(tmp_path / "missing.json")))
    one_line_error(run("export", "--format", "xml"))
    assert "cannot write" in one_line_error(run("export", "-o", str(tmp_path / "no" / "x.json")))


def test_export_never_overwrites_the_store(
    run: Run, frozen: object, db_path: Path, tmp_path: Path
) -> None:
    history(run)
    before = db_path.read_bytes()
    assert "store itself" in one_line_error(run("export", "-o", str(db_path)))
    link = tmp_path / "link.json"
    link.symlink_to(db_path)
    assert "store itself" in one_line_error(run("export", "-o", str(link)))
    assert db_path.read_bytes() == before


def test_export_through_a_symbolic_link_writes_its_target(
    run: Run, frozen: object, tmp_path: Path
) -> None:
    history(run)
    target, link = tmp_path / "real.json", tmp_path / "link.json"
    target.write_text("old")
    link.symlink_to(target)
    assert run("export", "-o", str(link)).exit_code == 0
    assert link.is_symlink() and json.loads(target.read_text())["format"] == "microup"


@pytest.mark.both_engines
def test_imported_goals_never_override_your_own(run: Run, frozen: object, tmp_path: Path) -> None:
    path = tmp_path / "goals.json"
    path.write_text(
        json.dumps(
            {
                "format": "microup",
                "version": 1,
                "entries": [],
                "goals": [{"week_start": "2026-11-02", "minutes": 120}],
                "settings": {"min-gap": "5"},
            }
        )
    )
    run("goal", "30")
    run("config", "min-gap", "90")
    result = run("import", str(path))
    assert "kept your own" in result.stdout
    assert "30 min" in run("goal").stdout
    assert "90" in run("config", "min-gap").stdout
    fresh = tmp_path / "fresh.db"
    assert "1 taken from the file" in run("--db", str(fresh), "import", str(path)).stdout
    assert "120 min" in run("--db", str(fresh), "goal").stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('at,minutes,topic\n2026-11-05T12:00:00+00:00,30,"A\n', "not valid CSV"),
        ("at,at,minutes\n2026-11-05,2026-11-05,30\n", "column twice"),
        (
            '{"format": "microup", "version": 1, "entries": [{"at": "2026-11-05", "minutes": '
            + "9" * 5000
            + "}]}",
            "microup can read",
        ),
        ("[" * 100_000, "microup can read"),
        ('{"format": "microup", "version": true}', "version"),
        ('{"format": "microup", "version": 1, "goals": [5]}', "goal 1: not a weekly goal"),
    ],
)
def test_malformed_exports_are_refused(
    run: Run, frozen: object, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / ("bad.csv" if content.startswith("at") else "bad.json")
    path.write_text(content)
    assert message in one_line_error(run("import", str(path)))


def test_calendar_fits_the_terminal(run: Run, frozen: object) -> None:
    history(run)
    for args in (["calendar", "--weeks", "60"], ["stats", "--calendar", "--weeks", "26"]):
        assert max(len(line) for line in run(*args).stdout.splitlines()) <= 100  # COLUMNS


def test_file_names_are_printed_literally(run: Run, frozen: object, tmp_path: Path) -> None:
    history(run)
    odd = tmp_path / "ev\x1b[31mil.json"
    assert "\x1b" not in run("export", "-o", str(odd)).stdout
    assert "\x1b" not in run("import", str(odd)).stdout


@pytest.mark.both_engines
def test_export_and_import_carry_the_kind(run: Run, tmp_path: Path) -> None:
    run("log", "20", "-t", "SQL", "--at", "2026-11-02T10:00")
    run("log", "5", "-t", "SQL", "--review", "--at", "2026-11-09T10:00")
    run("log", "5", "-t", "SQL", "--recall", "hard", "--at", "2026-11-10T10:00")
    document = json.loads(run("export").stdout)
    assert [(e["kind"], e["recall"]) for e in document["entries"]] == [
        ("learn", None),
        ("review", None),
        ("review", 2),
    ]
    older = tmp_path / "older.json"  # an export from before the kind: graded means review
    older.write_text(
        '{"format": "microup", "version": 1, "entries": ['
        '{"at": "2026-10-01T10:00:00+00:00", "minutes": 20, "topic": "Go"},'
        '{"at": "2026-10-08T10:00:00+00:00", "minutes": 5, "topic": "Go", "recall": 3}]}',
        encoding="utf-8",
    )
    assert run("import", str(older)).exit_code == 0
    entries = json.loads(run("entries", "--json", "-t", "go").stdout)["entries"]
    assert [e["kind"] for e in entries] == ["review", "learn"]
    bad = tmp_path / "bad.json"
    bad.write_text(
        '{"format": "microup", "version": 1, "entries": ['
        '{"at": "2026-10-01T10:00:00+00:00", "minutes": 20, "kind": "lecture"}]}',
        encoding="utf-8",
    )
    assert "kind must be" in one_line_error(run("import", str(bad)), code=2)


def test_export_keeps_the_files_mode_and_cleans_up_after_a_killed_export(
    run: Run, frozen: object, tmp_path: Path
) -> None:
    import os

    run("log", "20", "-t", "SQL")
    target = tmp_path / "out.json"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o644)
    stale = tmp_path / ".out.json.k1ll3d.partial"  # what a kill -9 mid-export leaves
    stale.write_text("half", encoding="utf-8")
    os.utime(stale, (1, 1))
    assert run("export", "-o", str(target)).exit_code == 0
    assert oct(target.stat().st_mode & 0o777) == oct(0o644)
    assert json.loads(target.read_text(encoding="utf-8"))["format"] == "microup"
    assert not stale.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out")) == []


@pytest.mark.both_engines
def test_a_new_persons_stats_start_at_their_first_week(
    run: Run, frozen: object, tmp_path: Path
) -> None:
    """Failure 11: the empty weeks before a new person's first entry showed as failures."""
    run("log", "20")
    stats = json.loads(run("stats", "--json").stdout)
    assert [week["week"] for week in stats["weeks"]] == ["2026-W48"]
    shown = run("stats").stdout
    assert "The last 1 week " in shown
    exported = tmp_path / "one.json"
    run("export", "-o", str(exported))
    imported = run("--db", str(tmp_path / "fresh.db"), "import", str(exported)).stdout
    assert imported.startswith("Imported 1 entry from")


def test_a_csv_with_windows_line_endings_and_a_note_on_two_lines_imports(
    run: Run, frozen: object, tmp_path: Path
) -> None:
    run("log", "20", "-t", "SQL", "-n", "joins\nwindow functions")
    exported = tmp_path / "out.csv"
    run("export", "-o", str(exported))
    crlf = tmp_path / "crlf.csv"
    crlf.write_bytes(exported.read_bytes().replace(b"\n", b"\r\n"))
    done = run("--db", str(tmp_path / "fresh.db"), "import", str(crlf))
    assert done.exit_code == 0, done.stderr
    entries = json.loads(run("--db", str(tmp_path / "fresh.db"), "entries", "--json").stdout)
    assert entries["entries"][0]["note"] == "joins\nwindow functions"


def test_a_full_temporary_folder_is_one_line_and_changes_nothing(
    run: Run, frozen: object, tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from microup.store.sqlite import staging

    run("log", "5")
    exported = tmp_path / "out.json"
    run("export", "-o", str(exported))
    before = file_bytes(db_path)

    class FullDisk:
        """The staging file's connection on a disk with no room left."""

        def __init__(self, real: sqlite3.Connection) -> None:
            self.real = real

        def execute(self, sql: str, *args: Any) -> object:
            return self.real.execute(sql, *args)

        def executemany(self, *_: object) -> object:
            raise sqlite3.OperationalError("database or disk is full")

        def close(self) -> None:
            self.real.close()

    real_init = staging.Staging.__init__

    def on_full_disk(self: staging.Staging, folder: Path) -> None:
        real_init(self, folder)
        self.connection = FullDisk(self.connection)  # type: ignore[assignment]

    monkeypatch.setattr(staging.Staging, "__init__", on_full_disk)
    message = one_line_error(run("--db", str(tmp_path / "new.db"), "import", str(exported)), 1)
    assert "cannot stage the import" in message and "TMPDIR" in message
    assert file_bytes(db_path) == before and not (tmp_path / "new.db").exists()


def test_an_import_killed_long_ago_leaves_nothing_for_good(
    run: Run, frozen: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import time

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    old, recent = scratch / "microup-import-old", scratch / "microup-import-running"
    for folder in (old, recent):
        folder.mkdir()
        (folder / "staging.db").write_bytes(b"x")
    now, hours_ago = time.time(), time.time() - 2 * 3600  # the frozen clock's
    for item, when in ((old / "staging.db", hours_ago), (old, hours_ago)):
        os.utime(item, (when, when))
    for item in (recent / "staging.db", recent):
        os.utime(item, (now, now))
    run("log", "5")
    exported = tmp_path / "out.json"
    run("export", "-o", str(exported))
    assert run("--db", str(tmp_path / "b.db"), "import", str(exported)).exit_code == 0
    assert not old.exists() and recent.exists()
