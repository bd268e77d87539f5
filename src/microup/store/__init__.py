"""The one place that talks to the database: the schema, the SQLite file, every query."""

from microup.store.queries import Store
from microup.store.schema import _SCHEMA_V1, _SCHEMA_V2, APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from microup.store.sqlite import transaction

__all__ = [
    "APPLICATION_ID",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "_SCHEMA_V1",
    "_SCHEMA_V2",
    "Store",
    "transaction",
]
