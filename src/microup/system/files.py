"""Files only the user may read: private folders, whole-file writes, leftovers cleared."""

from __future__ import annotations

import os
from pathlib import Path


def write_private(path: Path, data: bytes) -> None:
    """Write a file whole (temporary file, then rename), readable by the user only."""
    import tempfile

    make_private_folder(path.parent)
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        Path(name).replace(path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def prepare_log(log: Path) -> list[Path]:
    """The log's folder 0700 and the log 0600 (it holds topic names), before any job runs;
    what it created, so that a refused install can take it away again (`remove_created`)."""
    created = make_private_folder(log.parent)
    if not log.exists():
        created.append(log)
    descriptor = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.close(descriptor)
    log.chmod(0o600)
    return created


def remove_created(paths: list[Path]) -> None:
    """Take away what `prepare_log` created, newest first (a folder only while empty)."""
    for path in reversed(paths):
        try:
            if path.is_dir():
                path.rmdir()
            else:
                path.unlink(missing_ok=True)
        except OSError:
            return


def make_private_folder(folder: Path) -> list[Path]:
    """Create `folder` and any missing parents 0700, whatever the umask (never chmod an
    existing folder: it may be shared on purpose); the folders it created, outermost first."""
    missing: list[Path] = []
    current = folder
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    created: list[Path] = []
    for part in reversed(missing):
        try:
            part.mkdir(mode=0o700)
        except FileExistsError:
            continue
        part.chmod(0o700)
        created.append(part)
    return created


def remove_leftovers(folder: Path, pattern: str, older_than: float = 60.0) -> None:
    """Delete files matching `pattern` in `folder` left by a microup killed mid-write.

    Only files older than `older_than` seconds, so another microup's work in progress stays.
    """
    import time

    cutoff = time.time() - older_than
    try:
        candidates = list(folder.glob(pattern))
    except OSError:
        return
    for leftover in candidates:
        try:
            if leftover.is_file() and leftover.stat().st_mtime < cutoff:
                leftover.unlink()
        except OSError:
            continue


def hold(descriptor: int) -> None:
    """Mark a file being written as alive (a shared lock, released when it closes), so
    `remove_dead_leftovers` never takes another microup's work in progress."""
    import fcntl

    fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)


def remove_dead_leftovers(folder: Path, pattern: str) -> None:
    """Delete files matching `pattern` in `folder` that no live microup holds (`hold`): left
    by one killed mid-write, however recently."""
    import fcntl

    try:
        candidates = list(folder.glob(pattern))
    except OSError:
        return
    for leftover in candidates:
        try:
            descriptor = os.open(leftover, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # held: another export is writing it
        else:
            leftover.unlink(missing_ok=True)
        finally:
            os.close(descriptor)
