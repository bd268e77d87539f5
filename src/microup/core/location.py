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
    """A URL as messages show it, with no password in any spelling: everything between the
    user's colon and the last @ (a password may hold / ? # and even @) becomes ***, and so
    does the whole query (`?password=...`, however its name is %-encoded)."""
    from microup.core.text import printable

    start = text.find("://")
    if start >= 0:
        body = start + 3
        at = text.rfind("@")
        colon = text.find(":", body, max(at, body))
        if at >= 0 and colon >= 0:
            text = text[:colon] + ":***" + text[at:]
        query = text.find("?", max(text.find("@", body) + 1, body))
        if query >= 0:
            text = text[:query] + "?***"
    return printable(text)


def has_scheme(text: str) -> bool:
    """Whether `text` starts like a URL (`scheme://`), which is never taken for a file name."""
    return _SCHEME.match(text) is not None


_USER_INFO = re.compile(r"(://)\S*@")
_QUERY = re.compile(r"(://[^\s?#]*)[?#]\S*")


def without_credentials(text: str) -> str:
    """Free text (a change's summary) with any URL's user info and query masked: a journal
    written before endpoints holding them were refused may still name one."""
    return _QUERY.sub(r"\1?***", _USER_INFO.sub(r"\1***@", text))
