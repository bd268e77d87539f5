"""Where microup keeps its files; light on purpose, so paths resolve before any heavy import."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from microup.core.errors import UsageError
from microup.core.location import StoreLocation, has_scheme, is_database_url, shown_url

APP_NAME = "microup"
DB_ENV_VAR = "MICROUP_DB"


def default_db_path() -> Path:
    """The per-user store, used when neither `--db` nor MICROUP_DB says otherwise."""
    import platformdirs

    return platformdirs.user_data_path(APP_NAME) / "microup.db"


def resolve_db_path(option: str | None, environ: Mapping[str, str]) -> StoreLocation:
    """`--db` wins over MICROUP_DB, which wins over the per-user data folder; a
    `postgresql://` URL is kept as it is, another `scheme://` is refused (never taken for a
    file name), anything else is a file path."""
    if option is not None and not option.strip():
        raise UsageError("--db is empty: give a file path or a postgresql:// URL")
    chosen = option or environ.get(DB_ENV_VAR) or None
    if chosen is not None and has_scheme(chosen):
        if not is_database_url(chosen):
            raise UsageError(
                f"{shown_url(chosen)} is not a store microup can use: give a file path or a "
                "postgresql:// URL"
            )
        return chosen
    path = Path(chosen) if chosen is not None else default_db_path()
    return path.expanduser().absolute()


def reminder_log_path() -> Path:
    """Where the cron job appends what `microup remind` says, instead of sending mail."""
    import platformdirs

    return platformdirs.user_log_path(APP_NAME) / "remind.log"


def reminder_mark_path(store: str) -> Path:
    """When the scheduled reminder last spoke for `store`, kept here when the store itself
    cannot be written (a read-only place): one small file per store, named by a digest."""
    import hashlib

    import platformdirs

    digest = hashlib.sha256(store.encode("utf-8", "surrogateescape")).hexdigest()[:24]
    return platformdirs.user_state_path(APP_NAME) / "reminded" / digest
