"""Writing a command's output to a file: whole or not at all, never over the store itself."""

import glob
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from microup.core.errors import UsageError
from microup.core.text import printable
from microup.system.files import hold, remove_dead_leftovers


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


@contextmanager
def output_file(path: Path, store: Path) -> Iterator[TextIO]:
    """The export's destination, never the store: a regular file is replaced whole (written
    beside it, then renamed over it); a device or pipe such as /dev/stdout is written through."""
    import tempfile

    target = path.resolve()  # a symbolic link is followed: its target gets the export
    store_files = [Path(f"{store}{suffix}") for suffix in ("", "-wal", "-shm")]
    if any(target == part.resolve() or _same_file(target, part) for part in store_files):
        raise UsageError(f"{printable(str(path))} is the store itself; choose another file")
    if target.exists() and not target.is_file():
        if target.is_dir():
            raise UsageError(f"{printable(str(path))} is a folder")
        with target.open("w", encoding="utf-8", newline="") as stream:
            yield stream
        return
    remove_dead_leftovers(target.parent, f".{glob.escape(target.name)}.*.partial")
    try:
        descriptor, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".partial"
        )
        hold(descriptor)
    except OSError as error:
        raise UsageError(f"cannot write {printable(str(path))}: {error.strerror}") from None
    staging = Path(temporary)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        if target.exists():  # a file replaced keeps the mode its owner gave it
            staging.chmod(stat.S_IMODE(target.stat().st_mode))
        staging.replace(target)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise
