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


def reminder_log_path() -> Path:
    """Where the cron job appends what `microup remind` says, instead of sending mail."""
    import platformdirs

    return platformdirs.user_log_path(APP_NAME) / "remind.log"
