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

LEARNER_SETTING = "microup.learner"
"""The setting holding a learner's admission id: the default of `learner` and of ids."""

try:
    import psycopg
except ImportError:  # the optional extra is not installed
    raise StoreError(
        'a postgresql:// store needs the PostgreSQL driver: pip install "microup[postgres]"'
    ) from None

SCHEMA = "microup"
PG_SCHEMA_VERSION = 8
"""The version of the PostgreSQL schema `db init` creates (SQLite's is counted apart)."""
FIRST_PG_SCHEMA_VERSION = 1
"""The oldest version `db init` upgrades; a store claiming an older one no microup made."""

LOCK_NAMESPACE = 0x6D637570  # "mcup": the first key of every advisory lock microup takes
CONNECT_TIMEOUT_SECONDS = 10
LOCK_TIMEOUT = "1min"
STATEMENT_TIMEOUT = "10min"
"""Every statement's limits, unless the administrator set the role's own (ALTER ROLE SET)."""
INIT_LOCK = 0
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


def failure(url: str, error: Exception, *, stage: str = "connect") -> StoreError:
    """One line for what the server said; the URL shown without its password.

    `stage` is how far the transaction got: "connect" (nothing began), "work" (a lost
    connection rolled it back) or "commit" (the outcome of a lost commit is unknown).
    """
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
    if code == "57014":
        return StoreBusyError(
            f"{where}: a statement ran past its time limit ({detail}); nothing was saved"
        )
    lost = code.startswith(("57P", "08")) or (
        isinstance(error, (OperationalError, psycopg.OperationalError)) and not code
    )
    return (
        _lost(where, detail, stage) if lost else StoreError(f"{where}: {detail}; nothing was saved")
    )


def _lost(where: str, detail: str, stage: str) -> StoreError:
    """A lost connection, told by how far the transaction got."""
    if stage == "commit":
        return StoreError(
            f"lost the connection to {where} while committing ({detail}): the change may or "
            "may not have been saved; look with `microup history`"
        )
    if stage == "work":
        return StoreError(
            f"lost the connection to {where} ({detail}); nothing was saved: the "
            "transaction rolled back"
        )
    return StoreError(f"cannot connect to {where}: {detail}")


def _limits(conn: Connection) -> None:
    """Bound every statement's waits, where the administrator set no limit of their own."""
    for name, value in (("lock_timeout", LOCK_TIMEOUT), ("statement_timeout", STATEMENT_TIMEOUT)):
        conn.exec_driver_sql(
            f"SELECT set_config('{name}', '{value}', true) WHERE current_setting('{name}') = '0'"
        )


@contextmanager
def connection(url: str, *, lock: int | None = None) -> Iterator[Connection]:
    """One transaction on the database as whoever the URL names (administration, reports).

    With `lock`, the transaction first takes that advisory lock, so two administrators never
    change the schema or a cohort at once.
    """
    engine = _engine(url)
    stage = "connect"
    try:
        with engine.connect() as conn, conn.begin():
            stage = "work"
            _limits(conn)
            if lock is not None:
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({LOCK_NAMESPACE}, {lock})")
            yield conn
            stage = "commit"
    except (DBAPIError, psycopg.Error) as error:  # the latter from `run_all`
        raise failure(url, error, stage=stage) from None
    finally:
        engine.dispose()


def schema_version(conn: Connection) -> int | None:
    """The microup schema's version in this database, None where there is none."""
    if conn.exec_driver_sql(f"SELECT to_regclass('{SCHEMA}.microup_schema')").scalar() is None:
        return None
    return int(conn.exec_driver_sql(f"SELECT version FROM {SCHEMA}.microup_schema").scalar_one())


def require_current_schema(conn: Connection, url: str) -> None:
    """Refuse a database without our schema, or with one of another version."""
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
    if version < FIRST_PG_SCHEMA_VERSION:
        raise StoreError(
            f"{where} has microup schema version {version}, which no microup made; left untouched"
        )
    if version < PG_SCHEMA_VERSION:
        raise StoreError(
            f"{where} has an older microup schema; its administrator upgrades it with "
            "`microup db init URL`"
        )


def _check_learner(conn: Connection, url: str) -> None:
    """Refuse a database without our schema, a schema of another version, and a role that
    is not an admitted learner (an administrator would see, and mix in, everyone's rows)."""
    require_current_schema(conn, url)
    where = shown_url(url)
    role, learner, isolated = conn.exec_driver_sql(
        f"SELECT current_user, {SCHEMA}.me(current_user), row_security_active('{SCHEMA}.entry')"
    ).one()
    if not isolated:
        raise StoreError(
            f"{printable(role)} administers {where} and would see every learner's rows: "
            "log as a learner (microup db add-learner NAME)"
        )
    if learner is None:
        raise StoreError(
            f"{printable(role)} is not a learner in {where}; its administrator adds one with "
            f"`microup db add-learner {printable(role)}`"
        )
    # The defaults of `learner` and of the ids read it (also set per role, for psql).
    conn.exec_driver_sql(f"SELECT set_config('{LEARNER_SETTING}', '{int(learner)}', true)")


@contextmanager
def transaction(url: str, *, write: bool, staged: bool = False) -> Iterator[Store]:
    """One learner's transaction on the shared store, committed only if the block succeeds.

    A command that writes first takes a lock on the learner's own admission, so one
    person's commands queue behind each other as they do on SQLite (`BEGIN IMMEDIATE`)
    while other learners write alongside. An import (`staged`) takes it only once its rows
    are staged, so a `log` beside it waits for the final write alone.
    """
    engine = _engine(url)
    stage = "connect"
    try:
        with engine.connect() as conn:
            stage = "work"
            _limits(conn)
            _check_learner(conn, url)
            store = Store(conn)
            if write:
                store.before_write = lambda: _hold_write_lock(conn)
                if not staged:
                    store.write_lock()
            yield store
            store.finish()
            stage = "commit"
            commit(conn, change=write)
    except (DBAPIError, psycopg.Error) as error:  # the latter from `Store._raw_rows`
        raise failure(url, error, stage=stage) from None
    finally:
        engine.dispose()


def _hold_write_lock(conn: Connection) -> None:
    conn.exec_driver_sql(f"SELECT {SCHEMA}.hold_write_lock()")


def quoted(conn: Connection, name: str) -> str:
    """A role name quoted as an SQL identifier by the server itself."""
    return str(conn.exec_driver_sql("SELECT quote_ident(%(name)s)", {"name": name}).scalar_one())


def run_all(conn: Connection, statements: tuple[str, ...]) -> None:
    """Run DDL through the driver as written (no parameters, so `%` is just an operator)."""
    driver = conn.connection.driver_connection
    for statement in statements:
        driver.execute(statement)  # type: ignore[union-attr]
