"""Issue 20, failure 8: a writer waits for an import's long final write instead of failing
"busy", and says what it waits for (scaled down: a short busy timeout, a slow import)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import Run, make_store
from microup.store.sqlite import engine, waiting

HOLD_AN_IMPORT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from microup.store import transaction

    store, staging, seconds = Path(sys.argv[1]), Path(sys.argv[2]), float(sys.argv[3])
    with transaction(store, write=True, attach=staging):
        print("holding", flush=True)
        time.sleep(seconds)  # the injected delay: an import's long final write
    """
)


@pytest.fixture
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """The busy timeout scaled down from 15 s to 0.3 s."""
    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 300)


@contextmanager
def holding(db_path: Path, tmp_path: Path, seconds: float) -> Iterator[None]:
    """Another process holds the store as an import does, for `seconds`."""
    with subprocess.Popen(
        [sys.executable, "-c", HOLD_AN_IMPORT, str(db_path), str(tmp_path / "s.db"), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
        yield
        assert holder.wait(timeout=60) == 0


def test_a_log_waits_for_an_import_longer_than_the_busy_timeout(
    run: Run, db_path: Path, tmp_path: Path, short_busy_timeout: None
) -> None:
    make_store(db_path)
    with holding(db_path, tmp_path, 2.0):
        done = run("log", "5", "-t", "SQL")
    assert done.exit_code == 0, done.stderr
    assert "waiting for another microup to finish an import" in done.stderr
    assert "Logged #1" in done.stdout
    assert not waiting.marker(db_path).exists()


def test_without_an_import_a_writer_still_gives_up_after_the_busy_timeout(
    run: Run, db_path: Path, tmp_path: Path, short_busy_timeout: None
) -> None:
    make_store(db_path)
    with holding(db_path, tmp_path, 3.0):
        waiting.marker(db_path).unlink()  # as if an ordinary command held the lock
        done = run("log", "5", "-t", "SQL")
    assert done.exit_code == 1
    assert "is busy" in done.stderr


def test_the_import_command_announces_itself_while_it_writes(
    run: Run, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from microup.store.queries import Store

    seen: list[str] = []
    real = Store.import_entries

    def watched(self: Store, staging: object) -> int:
        seen.append(waiting.marker(db_path).read_text())
        return real(self, staging)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "import_entries", watched)
    source = tmp_path / "in.csv"
    source.write_text("at,minutes,topic,note\n2026-11-20T18:30:00+00:00,20,SQL,\n")
    done = run("import", str(source))
    assert done.exit_code == 0, done.stderr
    assert seen and seen[0].endswith("\nan import\n")
    assert not waiting.marker(db_path).exists()
