"""Where microup keeps its files; light on purpose, so paths resolve before any heavy import."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from microup.core.errors import UsageError

APP_NAME = "microup"
DB_ENV_VAR = "MICROUP_DB"


def default_db_path() -> Path:
    """The per-user store, used when neither `--db` nor MICROUP_DB says otherwise."""
    import platformdirs

    return platformdirs.user_data_path(APP_NAME) / "microup.db"


DATABASE_URL_SCHEMES = ("postgresql", "postgresql+psycopg", "postgres")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*)://")

StoreLocation = Path | str
"""An SQLite file (a path) or a shared PostgreSQL database (a `postgresql://` URL)."""


def is_database_url(location: StoreLocation) -> bool:
    """Whether `--db` named a PostgreSQL server rather than an SQLite file (any case)."""
    scheme = _SCHEME.match(location) if isinstance(location, str) else None
    return scheme is not None and scheme[1].lower() in DATABASE_URL_SCHEMES


def resolve_db_path(option: str | None, environ: Mapping[str, str]) -> StoreLocation:
    """`--db` wins over MICROUP_DB, which wins over the per-user data folder; a
    `postgresql://` URL is kept as it is, another `scheme://` is refused (never taken for a
    file name), anything else is a file path."""
    chosen = option or environ.get(DB_ENV_VAR) or None
    if chosen is not None and _SCHEME.match(chosen):
        if not is_database_url(chosen):
            raise UsageError(
                f"{shown_url(chosen)} is not a store microup can use: give a file path or a "
                "postgresql:// URL"
            )
        return chosen
    path = Path(chosen) if chosen is not None else default_db_path()
    return path.expanduser().absolute()


def shown_url(text: str) -> str:
    """A URL as messages show it: the password (everything between the user's colon and
    the last @ of the authority, however it is written) replaced by ***."""
    from microup.core.text import printable

    start = text.find("://")
    if start >= 0:
        end = len(text)
        for mark in "/?#":
            found = text.find(mark, start + 3)
            end = found if 0 <= found < end else end
        at = text.rfind("@", start + 3, end)
        colon = text.find(":", start + 3, max(at, start + 3))
        if at >= 0 and colon >= 0:
            text = text[:colon] + ":***" + text[at:]
    return printable(text)


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
