"""Where a store lives, as text: an SQLite path or a PostgreSQL URL, shown without secrets."""

from __future__ import annotations

import re
from pathlib import Path

DATABASE_URL_SCHEMES = ("postgresql", "postgresql+psycopg", "postgres")


_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*)://")


StoreLocation = Path | str
"""An SQLite file (a path) or a shared PostgreSQL database (a `postgresql://` URL)."""


def is_database_url(location: StoreLocation) -> bool:
    """Whether `--db` named a PostgreSQL server rather than an SQLite file (any case)."""
    scheme = _SCHEME.match(location) if isinstance(location, str) else None
    return scheme is not None and scheme[1].lower() in DATABASE_URL_SCHEMES


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


def has_scheme(text: str) -> bool:
    """Whether `text` starts like a URL (`scheme://`), which is never taken for a file name."""
    return _SCHEME.match(text) is not None
