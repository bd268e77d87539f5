"""The one place that talks to the database: the schema, both engines, every query."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from microup.core.location import StoreLocation, is_database_url
from microup.store.queries import Store
from microup.store.sqlite.schema import (
    _SCHEMA_V1,
    _SCHEMA_V2,
    APPLICATION_ID,
    MIGRATIONS,
    SCHEMA_VERSION,
)

__all__ = [
    "APPLICATION_ID",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "_SCHEMA_V1",
    "_SCHEMA_V2",
    "Store",
    "transaction",
]


@contextmanager
def transaction(
    location: StoreLocation,
    *,
    write: bool,
    explicit: bool = True,
    create: bool = True,
    attach: Path | None = None,
) -> Iterator[Store]:
    """One transaction on the store at `location`, committed only if the block succeeds.

    A path is an SQLite file (see `store.sqlite`); a `postgresql://` URL is a shared
    database (see `store.postgres`), whose driver is imported only then. `attach` names an
    import's staging file, which SQLite reads in place (`Store.import_entries`).
    """
    hints: dict[str, Any] | None = None
    if is_database_url(location):
        from microup.store.postgres import engine as postgres

        with postgres.transaction(str(location), write=write, staged=attach is not None) as store:
            yield store
            if write:
                hints = _hints(store)
    else:
        from microup.store.sqlite import engine as sqlite

        with sqlite.transaction(
            Path(location), write=write, explicit=explicit, create=create, attach=attach
        ) as store:
            yield store
            if write:
                hints = _hints(store)
    if hints is not None:  # committed: the hints file follows the store
        from microup.system.hints import write_hints

        write_hints(str(location), hints)


def _hints(store: Store) -> dict[str, Any] | None:
    """The store's hints, read before the commit; None if they cannot be read."""
    from datetime import datetime

    from sqlalchemy.exc import SQLAlchemyError

    from microup.store.hints import gather

    try:
        with store.connection.begin_nested():
            return gather(store, datetime.now().astimezone())
    except SQLAlchemyError:
        return None
