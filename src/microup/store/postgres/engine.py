"""Opening a shared PostgreSQL store: one learner's transaction, or the administrator's.

The store is the same schema and the same queries as the SQLite file, in the database schema
`microup`. Each learner connects as their own database role; every table carries the role
that wrote the row and row-level security shows a connection only its own rows, so the
queries in `store.queries` never name the learner. The driver (psycopg 3) is imported only
here, so SQLite start-up never pays for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.pool import NullPool

from microup.core.errors import StoreBusyError, StoreError
from microup.core.location import shown_url
from microup.core.text import printable
from microup.store.base import commit
from microup.store.queries import Store

try:
    import psycopg
except ImportError:  # the optional extra is not installed
    raise StoreError(
        'a postgresql:// store needs the PostgreSQL driver: pip install "microup[postgres]"'
    ) from None

SCHEMA = "microup"
PG_SCHEMA_VERSION = 5
"""The version of the PostgreSQL schema `db init` creates (SQLite's is counted apart)."""

LOCK_NAMESPACE = 0x6D637570  # "mcup": the first key of every advisory lock microup takes
CONNECT_TIMEOUT_SECONDS = 10
LEARNER_ROLE = "microup_learner"
REPORTER_ROLE = "microup_reporter"


def _url(text: str) -> URL:
    """The URL for SQLAlchemy's psycopg 3 dialect, or one line on what is wrong with it."""
    try:
        url = make_url(text)
        url.port  # noqa: B018  # a port that is not a number fails here, not mid-connect
        if "@" in (url.host or ""):
            raise ValueError("an @ in the password was not %-encoded")
    except (ArgumentError, ValueError):
        raise StoreError(
            "that postgresql:// URL is not valid (check the host and port; an @, : or / in "
            "the password must be %-encoded)"  # never shown: the password may be anywhere in it
        ) from None
    return url.set(drivername="postgresql+psycopg")


def _engine(text: str) -> Engine:
    return create_engine(
        _url(text),
        poolclass=NullPool,
        connect_args={
            "connect_timeout": CONNECT_TIMEOUT_SECONDS,
            "application_name": "microup",
            "options": f"-c search_path={SCHEMA}",
        },
    )


def failure(url: str, error: Exception) -> StoreError:
    """One line for what the server said; the URL shown without its password."""
    original = getattr(error, "orig", None) or error
    detail = printable(str(original).strip().splitlines()[0] if str(original).strip() else "")
    code = getattr(original, "sqlstate", None) or ""
    where = shown_url(url)
    if isinstance(error, (IntegrityError, psycopg.IntegrityError)):
        return StoreError(f"the database refused the change ({detail}); nothing was saved")
    if code == "42501":
        return StoreError(f"{where}: permission denied ({detail}); nothing was saved")
    if code in ("40001", "40P01", "55P03"):
        return StoreBusyError(f"{where} is busy ({detail}); nothing was saved, try again")
    if isinstance(error, (OperationalError, psycopg.OperationalError)) and not code:
        return StoreError(f"cannot connect to {where}: {detail}")
    return StoreError(f"{where}: {detail}; nothing was saved")


@contextmanager
def connection(url: str, *, lock: int | None = None) -> Iterator[Connection]:
    """One transaction on the database as whoever the URL names (administration, reports).

    With `lock`, the transaction first takes that advisory lock, so two administrators never
    change the schema or a cohort at once.
    """
    engine = _engine(url)
    try:
        with engine.connect() as conn, conn.begin():
            if lock is not None:
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({LOCK_NAMESPACE}, {lock})")
            yield conn
    except (DBAPIError, psycopg.Error) as error:  # the latter from `run_all`
        raise failure(url, error) from None
    finally:
        engine.dispose()


def schema_version(conn: Connection) -> int | None:
    """The microup schema's version in this database, None where there is none."""
    if conn.exec_driver_sql(f"SELECT to_regclass('{SCHEMA}.microup_schema')").scalar() is None:
        return None
    return int(conn.exec_driver_sql(f"SELECT version FROM {SCHEMA}.microup_schema").scalar_one())


def _check_learner(conn: Connection, url: str) -> None:
    """Refuse a database without our schema, a schema of another version, and a role that
    is not a learner (an administrator would see, and mix in, everyone's rows)."""
    where = shown_url(url)
    version = schema_version(conn)
    if version is None:
        raise StoreError(
            f"{where} holds no microup store; its administrator creates one with "
            "`microup db init URL`"
        )
    if version > PG_SCHEMA_VERSION:
        raise StoreError(
            f"{where} was set up by a newer microup (schema {version}, this one knows "
            f"{PG_SCHEMA_VERSION}); upgrade microup"
        )
    if version < PG_SCHEMA_VERSION:
        raise StoreError(
            f"{where} has an older microup schema; its administrator upgrades it with "
            "`microup db init URL`"
        )
    role, learner, isolated = conn.exec_driver_sql(
        f"SELECT current_user, pg_has_role(current_user, '{LEARNER_ROLE}', 'USAGE')"
        f" AND {SCHEMA}.registered(current_user, 'learner'),"
        f" row_security_active('{SCHEMA}.entry')"
    ).one()
    if not isolated:
        raise StoreError(
            f"{printable(role)} administers {where} and would see every learner's rows: "
            "log as a learner (microup db add-learner NAME)"
        )
    if not learner:
        raise StoreError(
            f"{printable(role)} is not a learner in {where}; its administrator adds one with "
            f"`microup db add-learner {printable(role)}`"
        )


@contextmanager
def transaction(url: str, *, write: bool) -> Iterator[Store]:
    """One learner's transaction on the shared store, committed only if the block succeeds.

    A command that writes first takes the learner's own advisory lock, so one person's
    commands queue behind each other as they do on SQLite (`BEGIN IMMEDIATE`) while other
    learners write alongside.
    """
    engine = _engine(url)
    try:
        with engine.connect() as conn:
            _check_learner(conn, url)
            if write:
                conn.exec_driver_sql(
                    f"SELECT pg_advisory_xact_lock({LOCK_NAMESPACE}, hashtext(current_user))"
                )
            store = Store(conn)
            yield store
            store.finish()
            commit(conn, change=write)
    except (DBAPIError, psycopg.Error) as error:  # the latter from `Store._raw_rows`
        raise failure(url, error) from None
    finally:
        engine.dispose()


def quoted(conn: Connection, name: str) -> str:
    """A role name quoted as an SQL identifier by the server itself."""
    return str(conn.exec_driver_sql("SELECT quote_ident(%(name)s)", {"name": name}).scalar_one())


def run_all(conn: Connection, statements: tuple[str, ...]) -> None:
    """Run DDL through the driver as written (no parameters, so `%` is just an operator)."""
    driver = conn.connection.driver_connection
    for statement in statements:
        driver.execute(statement)  # type: ignore[union-attr]
