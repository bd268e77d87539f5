"""The store: where it lives, what it refuses to touch, and that SQL agrees with the core."""

from __future__ import annotations

import os
import random
import sqlite3
import stat
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from microup.core.errors import NoStoreError, NotFoundError, StoreError
from microup.core.values import Entry
from microup.core.when import from_stored
from microup.store import APPLICATION_ID, SCHEMA_VERSION, transaction
from microup.store.tables import (
    DayTotalRow,
    EntryRow,
    GoalRow,
    JournalRow,
    SettingRow,
    TimerRow,
    TopicRow,
    TopicTotalRow,
)
from microup.system.paths import default_db_path, resolve_db_path

UTC = timezone.utc


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def test_path_precedence(tmp_path: Path, isolated_home: Path) -> None:
    option, env = tmp_path / "option.db", tmp_path / "env.db"
    assert resolve_db_path(str(option), {"MICROUP_DB": str(env)}) == option
    assert resolve_db_path(None, {"MICROUP_DB": str(env)}) == env
    assert resolve_db_path(None, {"MICROUP_DB": ""}) == default_db_path()
    assert default_db_path().is_relative_to(isolated_home)
    assert Path(resolve_db_path("rel.db", {})).is_absolute()
    url = "postgresql://me@host/db"
    assert resolve_db_path("db.sqlite", {"MICROUP_DB": url}) == Path("db.sqlite").absolute()
    assert resolve_db_path(None, {"MICROUP_DB": url}) == url
    assert resolve_db_path("POSTGRES://me@host/db", {}) == "POSTGRES://me@host/db"


def test_new_store_folder_and_file_are_private(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "microup.db"
    with transaction(path, write=True) as store:
        store.add_entry(Entry(at=at(20), minutes=20))
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_schema_is_marked_as_ours(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    with transaction(path, write=True):
        pass
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    connection.close()


def test_models_mirror_the_migrated_schema(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    with transaction(path, write=True):
        pass
    connection = sqlite3.connect(path)
    for model in (
        EntryRow,
        TopicRow,
        GoalRow,
        SettingRow,
        TimerRow,
        JournalRow,
        DayTotalRow,
        TopicTotalRow,
    ):
        table = getattr(model, "__table__")  # noqa: B009 (SQLModel sets it on table classes)
        stored = {row[1] for row in connection.execute(f"PRAGMA table_info({table.name})")}
        assert stored == {column.name for column in table.columns}, table.name
    connection.close()


def _foreign_sqlite(path: Path) -> None:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    connection.execute("INSERT INTO invoices (total) VALUES (12.5)")
    connection.commit()
    connection.close()


def _newer_microup(path: Path) -> None:
    with transaction(path, write=True) as store:
        store.add_entry(Entry(at=at(20), minutes=20))
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.commit()
    connection.close()


def _not_sqlite(path: Path) -> None:
    path.write_text("date,minutes\n2026-11-20,20\n")


def _truncated(path: Path) -> None:
    with transaction(path, write=True) as store:
        for day in range(1, 20):
            store.add_entry(Entry(at=at(day), minutes=20, topic=f"topic {day}", note="n" * 900))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_foreign_sqlite, "another program"),
        (_newer_microup, "newer microup"),
        (_not_sqlite, "not an SQLite file"),
        (_truncated, "damaged"),
    ],
)
@pytest.mark.parametrize("write", [False, True])
def test_refused_files_are_left_byte_for_byte(
    tmp_path: Path, make: object, message: str, write: bool
) -> None:
    path = tmp_path / "victim.db"
    make(path)  # type: ignore[operator]
    before = path.read_bytes()
    siblings = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(StoreError, match=message), transaction(path, write=write) as store:
        store.add_entry(Entry(at=at(21), minutes=5))
        store.daily_minutes()
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == siblings


def test_empty_and_odd_files_are_refused_and_left_alone(tmp_path: Path) -> None:
    empty = tmp_path / "notes.txt"
    empty.touch()
    with pytest.raises(StoreError, match="empty file"), transaction(empty, write=True):
        pass
    assert empty.read_bytes() == b""
    folder = tmp_path / "folder.db"
    folder.mkdir()
    with pytest.raises(StoreError, match="is a folder"), transaction(folder, write=False):
        pass
    fifo = tmp_path / "pipe.db"
    os.mkfifo(fifo)
    with pytest.raises(StoreError, match="not a regular file"), transaction(fifo, write=False):
        pass
    dangling = tmp_path / "link.db"
    dangling.symlink_to(tmp_path / "nowhere" / "x.db")
    with pytest.raises(StoreError, match="broken symbolic link"), transaction(dangling, write=True):
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "folder.db",
        "home",
        "link.db",
        "notes.txt",
        "pipe.db",
    ]


def test_blank_sqlite_file_with_a_version_is_not_adopted(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA user_version = 7")
    connection.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="another program"), transaction(path, write=True):
        pass
    assert path.read_bytes() == before


def test_a_new_store_appears_whole(tmp_path: Path) -> None:
    path = tmp_path / "new" / "m.db"
    with transaction(path, write=True) as store:
        assert store.entries() == []
    assert sorted(p.name for p in path.parent.iterdir()) == ["m.db"]  # no staging leftovers


def test_a_failed_command_leaves_nothing_behind(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    with pytest.raises(RuntimeError), transaction(path, write=True) as store:
        store.add_entry(Entry(at=at(20), minutes=20))
        raise RuntimeError("crash half-way")
    assert not path.exists()  # nor a store: a first command that fails creates none
    with transaction(path, write=False, explicit=False) as store:
        assert store.entries() == []


def test_sql_local_day_agrees_with_python(tmp_path: Path) -> None:
    rng = random.Random(47)
    expected: dict[date, int] = {}
    with transaction(tmp_path / "m.db", write=True) as store:
        for _ in range(400):
            epoch = rng.randrange(0, 4_000_000_000)
            offset = rng.randrange(-12 * 60, 14 * 60 + 1, 15)
            lived = from_stored(epoch, offset)
            minutes = rng.randrange(1, 601)
            store.add_entry(Entry(at=lived, minutes=minutes))
            expected[lived.date()] = expected.get(lived.date(), 0) + minutes
        assert store.daily_minutes() == expected
        first, last = sorted(expected)[100], sorted(expected)[300]
        window = {day: m for day, m in expected.items() if first <= day <= last}
        assert store.daily_minutes(first, last) == window


def test_topics_group_case_insensitively_and_keep_first_spelling(tmp_path: Path) -> None:
    with transaction(tmp_path / "m.db", write=True) as store:
        store.add_entry(Entry(at=at(18), minutes=20, topic="PostgreSQL"))
        saved = store.add_entry(Entry(at=at(19), minutes=10, topic="postgresql"))
        store.add_entry(Entry(at=at(20), minutes=5, topic="Rust"))
        assert saved.topic == "PostgreSQL"
        totals = {t.name: (t.minutes, t.sessions) for t in store.topic_totals()}
        assert totals == {"PostgreSQL": (30, 2), "Rust": (5, 1)}
        assert [e.minutes for e in store.entries(topic="POSTGRESQL")] == [10, 20]


def test_ids_only_grow_and_undo_targets_the_last_logged(tmp_path: Path) -> None:
    with transaction(tmp_path / "m.db", write=True) as store:
        first = store.add_entry(Entry(at=at(20), minutes=20))
        second = store.add_entry(Entry(at=at(10), minutes=10))  # logged later, dated earlier
        assert store.last_logged_id() == second.id
        store.delete_entry(second.id or 0)
        third = store.add_entry(Entry(at=at(11), minutes=11))
        assert (third.id or 0) > (second.id or 0) > (first.id or 0)
        with pytest.raises(NotFoundError):
            store.get_entry(second.id or 0)


def test_times_keep_the_offset_they_were_logged_with(tmp_path: Path) -> None:
    tokyo = datetime(2026, 11, 20, 23, 30, tzinfo=timezone(timedelta(hours=9)))
    with transaction(tmp_path / "m.db", write=True) as store:
        saved = store.add_entry(Entry(at=tokyo, minutes=20))
    assert saved.at == tokyo and saved.at.utcoffset() == timedelta(hours=9)
    with transaction(tmp_path / "m.db", write=False) as store:
        assert store.daily_minutes() == {date(2026, 11, 20): 20}


def test_goals_and_settings(tmp_path: Path) -> None:
    with transaction(tmp_path / "m.db", write=True) as store:
        store.set_goal(date(2026, 11, 16), 90)
        store.set_goal(date(2026, 11, 16), 120)
        store.set_setting("target_retention", "0.85")
    with transaction(tmp_path / "m.db", write=False) as store:
        assert store.goals().goal_for(date(2026, 11, 16)) == 120
        assert store.goals().goal_for(date(2026, 11, 9)) == 60
        assert store.settings() == {"target_retention": "0.85"}


def test_a_version_1_store_migrates_in_place_graded_entries_become_reviews(
    tmp_path: Path,
) -> None:
    """A store written by the first microup (schema 1) gains the kind, in place, once."""
    from microup.store import _SCHEMA_V1

    path = tmp_path / "old.db"
    connection = sqlite3.connect(path)
    for statement in _SCHEMA_V1:
        connection.execute(statement)
    connection.execute("INSERT INTO topic (id, name, key) VALUES (1, 'SQL', 'sql')")
    connection.executemany(
        "INSERT INTO entry (at, utc_offset, minutes, topic_id, note, recall) VALUES (?,0,?,1,?,?)",
        [(1_700_000_000, 20, "joins", None), (1_700_600_000, 5, None, 3)],
    )
    connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    connection.execute("PRAGMA user_version = 1")
    connection.commit()
    connection.close()
    with transaction(path, write=False) as store:
        kinds = [(entry.note, entry.kind) for entry in store.all_entries()]
        rows = list(store.study_sessions())
    assert kinds == [("joins", "learn"), (None, "review")]
    assert [row[4] for row in rows] == [False, True]
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 9
    index = connection.execute("PRAGMA index_info(ix_entry_topic_at)").fetchall()
    assert [row[2] for row in index] == [
        "topic_id",
        "at",
        "minutes",
        "recall",
        "kind",
        "utc_offset",
    ]
    connection.close()


def test_migration_regroups_topics_that_differ_only_in_width(tmp_path: Path) -> None:
    """Version 3: `SQL` and full-width `SQL` were two topics; now they are one, kept first."""
    from microup.store import _SCHEMA_V1, _SCHEMA_V2

    path = tmp_path / "v2.db"
    connection = sqlite3.connect(path)
    for statement in (*_SCHEMA_V1, *_SCHEMA_V2):
        connection.execute(statement)
    connection.executemany(
        "INSERT INTO topic (id, name, key) VALUES (?, ?, ?)",
        [(1, "SQL", "sql"), (2, "\uff33\uff31\uff2c", "\uff53\uff51\uff4c"), (3, "Go", "go")],
    )
    connection.executemany(
        "INSERT INTO entry (at, utc_offset, minutes, topic_id) VALUES (?, 0, 20, ?)",
        [(1_700_000_000, 1), (1_700_100_000, 2), (1_700_200_000, 3)],
    )
    connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    connection.execute("PRAGMA user_version = 2")
    connection.commit()
    connection.close()
    with transaction(path, write=False) as store:
        totals = {total.name: total.sessions for total in store.topic_totals()}
    assert totals == {"SQL": 2, "Go": 1}


def test_reads_never_create_a_store(tmp_path: Path) -> None:
    chosen = tmp_path / "typo" / "m.db"
    with pytest.raises(NoStoreError, match="no store at"), transaction(chosen, write=False):
        pass
    assert not chosen.parent.exists()
    with transaction(chosen, write=False, explicit=False) as store:  # the default path
        assert store.entries() == [] and store.settings() == {}
    assert not chosen.parent.exists()


def test_a_wal_from_another_database_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    with transaction(path, write=True) as store:
        store.add_entry(Entry(at=at(20), minutes=20))
    other = tmp_path / "other.db"  # another program's database, its WAL kept by a crash
    connection = sqlite3.connect(other)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA wal_autocheckpoint = 0")
    connection.execute("CREATE TABLE t (x)")
    connection.execute("INSERT INTO t VALUES (1)")
    connection.commit()
    (tmp_path / "other.db-wal").rename(tmp_path / "m.db-wal")  # a copy left beside ours
    connection.close()
    before = path.read_bytes()
    for write in (False, True):
        with (
            pytest.raises(StoreError, match=r"m\.db-wal belongs to another database"),
            transaction(path, write=write),
        ):
            pass
    assert path.read_bytes() == before


def test_a_wal_that_looks_foreign_for_a_moment_is_looked_at_again(tmp_path: Path) -> None:
    """A frame being written shows its header before its page: the stale page under it can
    look like another database's for a moment (seen with many writers at once), so a
    foreign-looking -wal is looked at again before it is refused."""
    import threading

    path = tmp_path / "m.db"
    with transaction(path, write=True) as store:
        store.add_entry(Entry(at=at(20), minutes=20))
    other = tmp_path / "other.db"  # a -wal whose page 1 is not microup's
    connection = sqlite3.connect(other)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA wal_autocheckpoint = 0")
    connection.execute("CREATE TABLE t (x)")
    connection.commit()
    wal = Path(f"{path}-wal")
    wal.write_bytes(Path(f"{other}-wal").read_bytes())
    connection.close()
    mended = threading.Timer(0.3, wal.unlink)  # the writer's frame complete, checkpointed
    mended.start()
    try:
        with transaction(path, write=False) as store:
            assert len(store.entries()) == 1
    finally:
        mended.join()


def test_a_wal_left_from_a_deleted_store_is_named(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    Path(f"{path}-wal").write_bytes(b"\x37\x7f\x06\x82" + bytes(28))
    with (
        pytest.raises(StoreError, match=r"m\.db-wal is left from a database"),
        transaction(path, write=True),
    ):
        pass
    assert not path.exists()


def test_leftovers_of_a_killed_creation_are_cleaned_up(tmp_path: Path) -> None:
    import os

    stale = tmp_path / ".m.db.abc123.new"
    stale.write_bytes(b"half")
    os.utime(stale, (1, 1))
    fresh = tmp_path / ".m.db.def456.new"  # another microup's, still at work
    fresh.write_bytes(b"half")
    with transaction(tmp_path / "m.db", write=True):
        pass
    assert not stale.exists() and fresh.exists()


def test_new_folders_are_private_whatever_the_umask(tmp_path: Path) -> None:
    import os

    old = os.umask(0)
    try:
        with transaction(tmp_path / "a" / "b" / "m.db", write=True):
            pass
    finally:
        os.umask(old)
    for folder in (tmp_path / "a", tmp_path / "a" / "b"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_a_read_only_store_is_read_without_leaving_files(tmp_path: Path) -> None:
    import os

    folder = tmp_path / "ro"
    path = folder / "m.db"
    with transaction(path, write=True) as store:
        store.add_entry(Entry(at=at(20), minutes=20))
    path.chmod(0o444)
    folder.chmod(0o555)
    try:
        if os.access(path, os.W_OK):
            pytest.skip("running as a user who may write anything (root)")
        with transaction(path, write=False) as store:
            assert len(store.entries()) == 1
        assert sorted(p.name for p in folder.iterdir()) == ["m.db"]
    finally:
        folder.chmod(0o700)
        path.chmod(0o600)


def test_a_file_briefly_short_during_a_checkpoint_is_waited_for(tmp_path: Path) -> None:
    """Failure 1: while another microup checkpoints, the file is for a moment shorter than
    its header says; a read then must wait and succeed, not report damage."""
    import threading

    path = tmp_path / "m.db"
    with transaction(path, write=True) as store:
        for day in range(200):
            store.add_entry(Entry(at=at(20) - timedelta(days=day), minutes=20, note="x" * 200))
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])  # what a reader can see mid-checkpoint
    restore = threading.Timer(0.3, path.write_bytes, args=(whole,))
    restore.start()
    try:
        with transaction(path, write=False) as store:
            assert len(store.entries(limit=500)) == 200
    finally:
        restore.join()


def test_a_read_on_a_full_disk_reads_the_file_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Failure 4: with no room for -wal and -shm, reads failed with "disk I/O error"."""
    from sqlalchemy.exc import OperationalError

    from microup.store.sqlite import engine as engine_module

    path = tmp_path / "m.db"
    with transaction(path, write=True) as store:
        store.add_entry(Entry(at=at(20), minutes=20))
    real_open = engine_module._open

    def full_disk(stack: Any, where: Path, *, write: bool, frozen: bool, **more: Any) -> Any:
        if not frozen:
            raise OperationalError("PRAGMA journal_mode = WAL", {}, Exception("disk I/O error"))
        return real_open(stack, where, write=write, frozen=frozen, **more)

    monkeypatch.setattr(engine_module, "_open", full_disk)
    with transaction(path, write=False) as store:
        assert len(store.entries()) == 1
    with pytest.raises(StoreError, match="disk I/O error"), transaction(path, write=True):
        pass


def _wal_of_another_database(tmp_path: Path) -> bytes:
    """A WAL that holds no page 1: another database's change to one of its tables."""
    other = tmp_path / "other.db"
    connection = sqlite3.connect(other)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("CREATE TABLE t (x)")
    connection.execute("INSERT INTO t VALUES ('a')")
    connection.commit()
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.execute("PRAGMA wal_autocheckpoint = 0")
    connection.execute("UPDATE t SET x = 'b'")
    connection.commit()
    data = Path(f"{other}-wal").read_bytes()
    connection.close()
    return data


def test_a_foreign_wal_without_page_one_is_refused_too(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    with transaction(path, write=True) as store:
        for day in range(30):
            store.add_entry(Entry(at=at(20) - timedelta(days=day), minutes=20))
    Path(f"{path}-wal").write_bytes(_wal_of_another_database(tmp_path))
    before, wal_before = path.read_bytes(), Path(f"{path}-wal").read_bytes()
    with (
        pytest.raises(StoreError, match=r"m\.db-wal belongs to another database"),
        transaction(path, write=False),
    ):
        pass
    assert path.read_bytes() == before and Path(f"{path}-wal").read_bytes() == wal_before


def test_a_wal_left_by_a_crash_of_our_own_is_replayed(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    with transaction(path, write=True) as store:
        store.add_entry(Entry(at=at(20), minutes=20))
    writer = sqlite3.connect(path)
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute(
        "INSERT INTO entry (at, utc_offset, minutes, kind) VALUES (?, 0, 30, 'learn')",
        (int(at(10).timestamp()),),
    )
    writer.commit()
    crashed = Path(f"{path}-wal").read_bytes()  # what kill -9 would have left
    writer.close()
    Path(f"{path}-wal").write_bytes(crashed)
    with transaction(path, write=False) as store:
        assert sorted(entry.minutes for entry in store.entries()) == [20, 30]


def test_day_and_topic_totals_read_the_covering_indexes_only(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    with transaction(path, write=True) as store:
        store.add_entry(Entry(at=at(20), minutes=20, topic="SQL"))
    connection = sqlite3.connect(path)
    plans = {
        "days": "SELECT (at + utc_offset * 60) / 86400 AS d, sum(minutes) FROM entry"
        " WHERE at >= 0 GROUP BY d",
        "topics": "SELECT topic_id, sum(minutes), count(id),"
        " max(at * 4096 + utc_offset + 1440) FROM entry WHERE topic_id IS NOT NULL"
        " GROUP BY topic_id",
    }
    for query in plans.values():
        plan = " ".join(row[-1] for row in connection.execute(f"EXPLAIN QUERY PLAN {query}"))
        assert "COVERING INDEX" in plan, plan


def _recomputed_totals(store: Any) -> tuple[dict[date, int], list[tuple[str, int, int, datetime]]]:
    """Day and topic totals summed from the entries themselves, as the triggers must keep them."""
    days: dict[date, int] = {}
    topics: dict[str, list[Any]] = {}
    for entry in store.all_entries():
        day = entry.at.date()
        days[day] = days.get(day, 0) + entry.minutes
        if entry.topic is not None:
            key = store.find_topic(entry.topic)
            minutes, sessions, last = topics.get(key, [0, 0, None])
            latest = entry.at if last is None or entry.at >= last else last
            topics[key] = [minutes + entry.minutes, sessions + 1, latest]
    totals = sorted((name, m, s, last) for name, (m, s, last) in topics.items())
    return days, totals


@pytest.mark.both_engines
def test_running_totals_match_the_entries_after_any_change(db: Path | str, tmp_path: Path) -> None:
    """Whatever writes (log, edit, delete, undo's put-back, import, merge), the per-day and
    per-topic totals the triggers keep equal a fresh sum over the entries."""
    rng = random.Random(12)
    names = ["SQL", "sql", "Stats", "Go", None]

    def random_entry(entry_id: int | None = None) -> Entry:
        offset = rng.choice((-300, 0, 60, 330))
        when = from_stored(1_790_000_000 + rng.randrange(0, 40 * 86_400), offset)
        return Entry(at=when, minutes=rng.randint(1, 90), topic=rng.choice(names), id=entry_id)

    for round_ in range(6):
        with transaction(db, write=True) as store:
            for _ in range(25):
                ids = [entry.id for entry in store.entries() if entry.id is not None]
                action = rng.choice(("add", "add", "replace", "delete", "put", "batch", "merge"))
                if action == "add" or not ids:
                    store.add_entry(random_entry())
                elif action == "replace":
                    store.replace_entry(rng.choice(ids), random_entry())
                elif action == "delete":
                    store.delete_entry(rng.choice(ids))
                elif action == "put":
                    gone = store.delete_entry(rng.choice(ids))
                    store.put_entry(gone)
                elif action == "batch":
                    _imported(store, [random_entry() for _ in range(5)], tmp_path)
                else:
                    source, target = store.topic_row("Go"), store.topic_row("Stats")
                    if source and target:
                        store.merge_topic(source[0], target[0])
        with transaction(db, write=False) as store:
            days, topics = _recomputed_totals(store)
            assert store.daily_minutes() == days, round_
            shown = sorted(
                (t.name, t.minutes, t.sessions, t.last_studied) for t in store.topic_totals()
            )
            assert shown == topics, round_


def _imported(store: Any, entries: list[Entry], folder: Path) -> int:
    import tempfile

    from microup.store.sqlite.staging import Staging

    with Staging(Path(tempfile.mkdtemp(dir=folder))) as staging:
        staging.add(entries)
        return int(store.import_entries(staging))


@pytest.mark.both_engines
def test_an_import_adds_only_copies_the_store_lacks(db: Path | str, tmp_path: Path) -> None:
    """Duplicates are a multiset on (time, minutes, topic in any case, note): a file with an
    entry twice adds it twice, and importing the same file again adds nothing."""
    a = Entry(at=at(20), minutes=20, topic="SQL", note="x")
    same_but_case = Entry(at=at(20), minutes=20, topic="sql", note="x")
    b = Entry(at=at(20), minutes=21, topic="SQL", note="x")
    plain = Entry(at=at(21), minutes=5)
    with transaction(db, write=True) as store:
        store.add_entry(same_but_case)
        assert _imported(store, [a, a, b, plain], tmp_path) == 3
        assert _imported(store, [a, a, b, plain], tmp_path) == 0
        assert _imported(store, [a, a, a, plain, plain], tmp_path) == 2
        assert store.find_topic("SQL") == "sql"  # the store's spelling wins
        assert len(store.entries()) == 6


def test_an_older_store_that_cannot_be_written_is_read_through_a_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store from before schema 5 in a read-only place (or on a full disk) is migrated in
    memory for the read, and the file is left exactly as it was."""
    from microup.store import _SCHEMA_V1
    from microup.store.sqlite import engine as engine_module

    path = tmp_path / "old.db"
    connection = sqlite3.connect(path)
    for statement in _SCHEMA_V1:
        connection.execute(statement)
    connection.execute("INSERT INTO entry (at, utc_offset, minutes) VALUES (1700000000, 0, 25)")
    connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    connection.execute("PRAGMA user_version = 1")
    connection.commit()
    connection.close()
    before = path.read_bytes()
    monkeypatch.setattr(engine_module, "_must_read_frozen", lambda where: True)
    with transaction(path, write=False) as store:
        assert sum(store.daily_minutes().values()) == 25
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.glob("old.db*")) == ["old.db"]


def _schema_of(path: Path) -> dict[str, object]:
    """Each table's columns (name, type, not null, default, key), indexes and triggers."""
    connection = sqlite3.connect(path)
    tables = [
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    shape: dict[str, object] = {}
    for table in tables:
        columns = connection.execute(f"PRAGMA table_info({table})").fetchall()
        shape[table] = [  # an INTEGER PRIMARY KEY is never null, said or not
            (name, kind, notnull or key, str(default).strip("'") if default else None, key)
            for _, name, kind, notnull, default, key in columns
        ]
    for (index,) in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
    ):
        shape[f"index {index}"] = [
            row[2] for row in connection.execute(f"PRAGMA index_info({index})")
        ]
    shape["triggers"] = sorted(
        name
        for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    )
    connection.close()
    return shape


def test_a_new_store_has_the_schema_an_old_one_migrates_to(tmp_path: Path) -> None:
    """New stores come from the declared tables (`store.tables`); a store of schema 1
    migrated step by step ends with the same tables, columns, keys, indexes and triggers."""
    from microup.store import _SCHEMA_V1

    new, old = tmp_path / "new.db", tmp_path / "old.db"
    with transaction(new, write=True):
        pass
    connection = sqlite3.connect(old)
    for statement in _SCHEMA_V1:
        connection.execute(statement)
    connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    connection.execute("PRAGMA user_version = 1")
    connection.commit()
    connection.close()
    with transaction(old, write=True):
        pass
    assert _schema_of(new) == _schema_of(old)


def test_the_plain_layout_is_the_declared_schema() -> None:
    from microup.store.layout import TABLES
    from microup.store.tables import layouts

    assert {name: tuple(layout) for name, layout in TABLES.items()} == layouts()
