"""Where microup keeps its files; light on purpose, so paths resolve before any heavy import."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

APP_NAME = "microup"
DB_ENV_VAR = "MICROUP_DB"


def default_db_path() -> Path:
    """The per-user store, used when neither `--db` nor MICROUP_DB says otherwise."""
    import platformdirs

    return platformdirs.user_data_path(APP_NAME) / "microup.db"


def resolve_db_path(option: Path | None, environ: Mapping[str, str]) -> Path:
    """`--db PATH` wins over MICROUP_DB, which wins over the per-user data folder."""
    chosen = option or (Path(environ[DB_ENV_VAR]) if environ.get(DB_ENV_VAR) else default_db_path())
    return chosen.expanduser().absolute()


def make_private_folder(folder: Path) -> None:
    """Create `folder` and any missing parents 0700, whatever the umask (never chmod an
    existing folder: it may be shared on purpose)."""
    missing: list[Path] = []
    current = folder
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for part in reversed(missing):
        try:
            part.mkdir(mode=0o700)
        except FileExistsError:
            continue
        part.chmod(0o700)


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


def reminder_log_path() -> Path:
    """Where the cron job appends what `microup remind` says, instead of sending mail."""
    import platformdirs

    return platformdirs.user_log_path(APP_NAME) / "remind.log"
