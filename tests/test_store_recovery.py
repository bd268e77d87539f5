"""The store after accidents: a restored backup, a crash mid-migration, a damaged page."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from microup.core.errors import StoreError
from microup.core.values import Entry
from microup.store import transaction

UTC = timezone.utc


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def _log(path: Path, count: int, start: int = 0) -> None:
    for number in range(start, start + count):
        with transaction(path, write=True) as store:
            store.add_entry(Entry(at=at(20) - timedelta(hours=number), minutes=20))


def test_a_restored_backup_is_not_rolled_back_by_an_older_wal(tmp_path: Path) -> None:
    """Failure 1: the next command replayed an older -wal and 45 of 50 entries were gone."""
    path = tmp_path / "m.db"
    _log(path, 1)
    holder = sqlite3.connect(path)  # another microup, open while these are logged
    holder.execute("SELECT count(*) FROM entry").fetchone()
    _log(path, 5, start=1)
    old_wal = Path(f"{path}-wal").read_bytes()  # what a crash at this point left
    _log(path, 44, start=6)
    holder.close()
    assert not Path(f"{path}-wal").exists()
    backup = tmp_path / "backup.db"
    shutil.copyfile(path, backup)  # the 50-entry copy the person keeps
    shutil.copyfile(backup, path)  # ... and restores, while the old -wal is back beside it
    Path(f"{path}-wal").write_bytes(old_wal)
    before = path.read_bytes()
    for write in (False, True):
        with (
            pytest.raises(StoreError, match=r"m\.db-wal .*move the -wal file away"),
            transaction(path, write=write),
        ):
            pass
    assert path.read_bytes() == before and Path(f"{path}-wal").read_bytes() == old_wal
    Path(f"{path}-wal").unlink()
    with transaction(path, write=False) as store:
        assert len(store.entries(limit=100)) == 50


def _last_page_one(wal: bytes, page_size: int) -> bytes:
    """The newest copy of page 1 in a WAL: what a checkpoint writes into the file first."""
    newest, offset = b"", 32
    while offset + 24 + page_size <= len(wal):
        if int.from_bytes(wal[offset : offset + 4], "big") == 1:
            newest = wal[offset + 24 : offset + 24 + page_size]
        offset += 24 + page_size
    return newest


def test_a_crash_in_the_middle_of_a_checkpoint_is_recovered_not_called_damage(
    tmp_path: Path,
) -> None:
    """Failure 2: killed while checkpointing a big change, the file is shorter than its new
    header says; the -wal beside it holds the rest, and SQLite recovers it whole."""
    path = tmp_path / "m.db"
    _log(path, 1)
    holder = sqlite3.connect(path)  # keeps the -wal from being checkpointed on close
    holder.execute("SELECT count(*) FROM entry").fetchone()
    with transaction(path, write=True) as store:  # a big change, like a migration
        for number in range(1, 1500):
            store.add_entry(Entry(at=at(20) - timedelta(hours=number), minutes=20, note="x" * 50))
    crashed_file, wal = path.read_bytes(), Path(f"{path}-wal").read_bytes()
    holder.close()
    page_size = int.from_bytes(wal[8:12], "big")
    page_one = _last_page_one(wal, page_size)
    assert page_one, "the big change wrote page 1"
    path.write_bytes(page_one + crashed_file[page_size:])  # the checkpoint's first write
    Path(f"{path}-wal").write_bytes(wal)
    assert int.from_bytes(page_one[28:32], "big") * page_size > path.stat().st_size
    with transaction(path, write=False) as store:
        assert len(store.entries(limit=2000)) == 1500
    with transaction(path, write=True) as store:
        store.add_entry(Entry(at=at(21), minutes=5))
    checker = sqlite3.connect(path)
    assert checker.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    checker.close()


@pytest.fixture(scope="module")
def store_of_3000(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A 3,000-entry store's bytes, built once."""
    path = tmp_path_factory.mktemp("big") / "m.db"
    with transaction(path, write=True) as store:
        store.add_entry(Entry(at=at(20), minutes=20, topic="SQL"))
    writer = sqlite3.connect(path)
    writer.executemany(
        "INSERT INTO entry (at, utc_offset, minutes, kind, topic_id) VALUES (?, 0, 20, 'learn', 1)",
        [(int((at(20) - timedelta(hours=n)).timestamp()),) for n in range(1, 3000)],
    )
    writer.commit()
    writer.close()
    return path.read_bytes()


@pytest.mark.parametrize("where", [0.3, 0.45, 0.5, 0.55, 0.7, "page 2"])
def test_a_write_finds_damage_first_and_changes_nothing(
    tmp_path: Path, store_of_3000: bytes, where: float | str
) -> None:
    """Failure 3: `log` wrote into a store with 4,000 bytes overwritten and exited 0."""
    page_size = int.from_bytes(store_of_3000[16:18], "big")
    start = page_size + 100 if where == "page 2" else int(len(store_of_3000) * float(where))
    damaged = bytearray(store_of_3000)
    damaged[start : start + 4000] = bytes(range(256)) * 15 + bytes(160)
    path = tmp_path / "m.db"
    path.write_bytes(bytes(damaged))
    with (
        pytest.raises(StoreError, match="is damaged") as refused,
        transaction(path, write=True) as store,
    ):
        store.add_entry(Entry(at=at(21), minutes=5, topic="SQL"))
    assert "constraint" not in str(refused.value)
    assert path.read_bytes() == bytes(damaged)
