"""The shared store's schema on PostgreSQL, its roles, and the cohort report's one function.

The tables are SQLite's, column for column, plus `learner`: the admission that wrote the
row (see `postgres.functions`: tied to the role's oid, never its name), filled in by the
server and enforced by row-level security, so a learner who connects with psql cannot read
or change another's rows either. Indexes lead with the learner, so one person's queries cost
what they cost alone.

Roles: `microup_learner` (granted to each learner's login role) may use the store tables;
`microup_reporter` may only call `cohort_report`, a SECURITY DEFINER function that returns
aggregates and suppresses groups under five learners, and the two that send the statements
of learners who consented to an LRS (`postgres.lrs_everyone`). Cohort tables are the
administrator's.
"""

from __future__ import annotations

from sqlalchemy import Connection

from microup.core.errors import StoreError
from microup.core.location import shown_url
from microup.store.layout import TABLES
from microup.store.postgres import functions
from microup.store.postgres.engine import (
    FIRST_PG_SCHEMA_VERSION,
    INIT_LOCK,
    LEARNER_ROLE,
    PG_SCHEMA_VERSION,
    REPORTER_ROLE,
    SCHEMA,
    connection,
    run_all,
    schema_version,
)
from microup.store.postgres.lrs_everyone import LRS_FUNCTIONS
from microup.store.postgres.members import (
    ADMIT,
    ADMIT_GRANTS,
    GROUPS,
    RESERVED_ROLE_NAMES,
    check_role_name,
    grant_role,
)
from microup.store.postgres.programmes import (
    PROGRAMME_DDL,
    PROGRAMME_REPORT_FUNCTION,
    PROGRAMME_REPORT_GRANTS,
    PROGRAMME_TABLES,
)
from microup.store.postgres.report import REPORT_FUNCTION, REPORT_GRANTS, REPORT_LOG
from microup.store.postgres.upgrade import UPGRADES
from microup.store.postgres.weeks import IS_MONDAY, IS_MONDAY_GRANT, WEEK_CHECKS

__all__ = [
    "GROUPS",
    "RESERVED_ROLE_NAMES",
    "UPGRADES",
    "check_role_name",
    "grant_role",
    "init_database",
]

DERIVED_TABLES = ("day_total", "topic_total")
"""Kept by triggers that run as the administrator; learners only read them."""

STORE_TABLES = (
    "topic",
    "entry",
    "goal",
    "setting",
    "timer",
    "journal",
    "journal_row",
    "day_total",
    "topic_total",
    "review_cache",
    "holiday",
    *PROGRAMME_TABLES,
    "lrs_sent",
)

_LEARNER = f"learner BIGINT NOT NULL DEFAULT {functions.LEARNER_DEFAULT}"


def _id(table: str) -> str:
    return f"id BIGINT NOT NULL DEFAULT {functions.id_default(table)}"


_TABLES = (
    """CREATE TABLE microup_schema (
        version INTEGER NOT NULL,
        only_row BOOLEAN PRIMARY KEY DEFAULT true CHECK (only_row)
    )""",
    f"INSERT INTO microup_schema (version) VALUES ({PG_SCHEMA_VERSION})",
    # Who may use this database: learners (their own rows) and reporters (cohort reports).
    # Group roles are the server's, so membership alone would admit a learner of another
    # database on the same server. An admission is tied to the role's oid: a new role with
    # a former learner's name is not admitted by the name alone.
    """CREATE TABLE member (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        role OID,
        name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('learner', 'reporter')),
        UNIQUE (role, kind)
    )""",
    # Keys lead with the learner: ids come from the learner's own sequence, and a row one
    # learner writes with a hand-picked id can never collide with another learner's row.
    f"""CREATE TABLE topic (
        {_id("topic")},
        {_LEARNER},
        name TEXT NOT NULL,
        key TEXT NOT NULL,
        PRIMARY KEY (learner, id),
        UNIQUE (learner, key)
    )""",
    f"""CREATE TABLE entry (
        {_id("entry")},
        {_LEARNER},
        at BIGINT NOT NULL CHECK (at BETWEEN 0 AND 32503680000),
        utc_offset INTEGER NOT NULL CHECK (utc_offset BETWEEN -1440 AND 1440),
        minutes INTEGER NOT NULL CHECK (minutes BETWEEN 1 AND 600),
        topic_id BIGINT,
        note TEXT,
        recall INTEGER CHECK (recall BETWEEN 1 AND 4),
        kind TEXT NOT NULL DEFAULT 'learn' CHECK (kind IN ('learn', 'review')),
        PRIMARY KEY (learner, id),
        FOREIGN KEY (learner, topic_id) REFERENCES topic (learner, id)
    )""",
    "CREATE INDEX ix_entry_learner_at ON entry (learner, at) INCLUDE (utc_offset, minutes)",
    """CREATE INDEX ix_entry_learner_topic_at ON entry (learner, topic_id, at)
        INCLUDE (minutes, recall, kind, utc_offset)""",
    f"""CREATE TABLE goal (
        {_LEARNER},
        week_start TEXT NOT NULL,
        minutes INTEGER NOT NULL CHECK (minutes >= 1),
        PRIMARY KEY (learner, week_start)
    )""",
    f"""CREATE TABLE setting (
        {_LEARNER},
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (learner, key)
    )""",
    f"""CREATE TABLE timer (
        {_LEARNER},
        id INTEGER NOT NULL DEFAULT 1 CHECK (id = 1),
        started BIGINT NOT NULL,
        utc_offset INTEGER NOT NULL CHECK (utc_offset BETWEEN -1440 AND 1440),
        topic TEXT,
        note TEXT,
        kind TEXT NOT NULL DEFAULT 'learn' CHECK (kind IN ('learn', 'review')),
        PRIMARY KEY (learner, id)
    )""",
    f"""CREATE TABLE journal (
        {_id("journal")},
        {_LEARNER},
        at BIGINT NOT NULL,
        summary TEXT NOT NULL,
        undo_message TEXT NOT NULL,
        steps TEXT NOT NULL,
        undone BOOLEAN NOT NULL DEFAULT false,
        PRIMARY KEY (learner, id)
    )""",
    *(
        _JOURNAL_ROW := (
            f"""CREATE TABLE journal_row (
        {_LEARNER},
        change_id BIGINT NOT NULL,
        seq INTEGER NOT NULL,
        tbl TEXT NOT NULL,
        key TEXT NOT NULL,
        last_id BIGINT,
        before TEXT,
        after TEXT,
        PRIMARY KEY (learner, change_id, seq)
    )""",
        )
    ),
    f"""CREATE TABLE day_total (
        {_LEARNER},
        day BIGINT NOT NULL,
        minutes BIGINT NOT NULL,
        PRIMARY KEY (learner, day)
    )""",
    f"""CREATE TABLE topic_total (
        {_LEARNER},
        topic_id BIGINT NOT NULL,
        minutes BIGINT NOT NULL,
        sessions BIGINT NOT NULL,
        last BIGINT NOT NULL,
        PRIMARY KEY (learner, topic_id)
    )""",
    "CREATE INDEX ix_topic_total_learner ON topic_total (learner, last)",
    f"""CREATE TABLE review_cache (
        {_LEARNER},
        topic_id BIGINT NOT NULL,
        fold TEXT NOT NULL,
        cutoff BIGINT NOT NULL,
        state TEXT NOT NULL,
        PRIMARY KEY (learner, topic_id)
    )""",
    """CREATE FUNCTION forget_reviews() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = microup, pg_temp AS $forget$
    BEGIN
        DELETE FROM review_cache WHERE learner = OLD.learner AND topic_id = OLD.id;
        RETURN NULL;
    END
    $forget$""",
    """CREATE TRIGGER topic_reviews AFTER DELETE ON topic
        FOR EACH ROW EXECUTE FUNCTION forget_reviews()""",
    f"""CREATE TABLE holiday (
        {_LEARNER},
        week_start TEXT NOT NULL,
        PRIMARY KEY (learner, week_start)
    )""",
    f"""CREATE TABLE lrs_sent (
        {_LEARNER},
        endpoint TEXT NOT NULL,
        entry_id BIGINT NOT NULL,
        statement_id TEXT NOT NULL,
        revision INTEGER NOT NULL,
        sent_at BIGINT NOT NULL,
        PRIMARY KEY (learner, endpoint, entry_id)
    )""",
    "CREATE TABLE cohort (name TEXT PRIMARY KEY, created BIGINT NOT NULL)",
    """CREATE TABLE cohort_member (
        cohort TEXT NOT NULL REFERENCES cohort (name) ON DELETE CASCADE,
        learner BIGINT NOT NULL REFERENCES member (id),
        PRIMARY KEY (cohort, learner)
    )""",
    *PROGRAMME_DDL,
    REPORT_LOG,
    IS_MONDAY,
    *WEEK_CHECKS,
    *(f"CREATE SEQUENCE {table}_ids_none" for table in functions.ID_TABLES),
)

_ROLES = tuple(
    f"""DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN
            CREATE ROLE {role} NOLOGIN;
        END IF;
    END $$"""
    for role in (LEARNER_ROLE, REPORTER_ROLE)
)

_ME = f"(SELECT {SCHEMA}.me(current_user))"

_OWN_ROWS = tuple(
    statement
    for table in STORE_TABLES
    for statement in (
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS own_rows ON {table}",
        # Reads, writes and deletes alike need the session's own, current admission.
        f"""CREATE POLICY own_rows ON {table} TO {LEARNER_ROLE}
            USING (learner = {_ME}) WITH CHECK (learner = {_ME})""",
        f"REVOKE ALL ON {table} FROM PUBLIC, {LEARNER_ROLE}",
        *functions.learner_grants(
            table, ("learner", *TABLES[table].columns), derived=table in DERIVED_TABLES
        ),
        *functions.no_statistics(table, ("learner", *TABLES[table].columns)),
    )
)
_ISOLATION = (
    *_OWN_ROWS,
    f"REVOKE ALL ON SCHEMA {SCHEMA} FROM PUBLIC",
    f"GRANT USAGE ON SCHEMA {SCHEMA} TO {LEARNER_ROLE}, {REPORTER_ROLE}",
    f"GRANT SELECT ON microup_schema TO {LEARNER_ROLE}, {REPORTER_ROLE}",
    f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {SCHEMA} FROM PUBLIC, {LEARNER_ROLE}",
    # Ids for a role with no admission: so its insert meets row-level security, not this.
    *(f"GRANT USAGE ON SEQUENCE {t}_ids_none TO {LEARNER_ROLE}" for t in functions.ID_TABLES),
    "REVOKE ALL ON cohort, cohort_member, member, report_log FROM PUBLIC",
    f"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {SCHEMA} FROM PUBLIC",
    f"GRANT EXECUTE ON FUNCTION me(NAME) TO {LEARNER_ROLE}, {REPORTER_ROLE}",
    IS_MONDAY_GRANT,
    *(
        f"GRANT EXECUTE ON FUNCTION {name} TO {LEARNER_ROLE}"
        for name in (
            "hold_write_lock()",
            "forget_range(TEXT, TEXT, TEXT)",
            "forget_row(TEXT, JSONB)",
            "forget_unused_topics()",
        )
    ),
    functions.HIDE_STATISTICS,
)


def init_database(url: str) -> bool:
    """Create (or bring up to date) the schema, roles, policies and the report function.

    All in one transaction under an advisory lock: two administrators never half-create it,
    and a failure leaves the database as it was. True if the schema was created now.
    """
    with connection(url, lock=INIT_LOCK) as conn:
        version = schema_version(conn)
        if version is not None and version > PG_SCHEMA_VERSION:
            raise StoreError(
                f"{shown_url(url)} was set up by a newer microup (schema {version}, this one "
                f"knows {PG_SCHEMA_VERSION}); upgrade microup"
            )
        if version is not None and version < FIRST_PG_SCHEMA_VERSION:
            raise StoreError(
                f"{shown_url(url)} has microup schema version {version}, which no microup "
                "made; left untouched"
            )
        conn.exec_driver_sql(f"SET LOCAL search_path = {SCHEMA}")
        if version is None:
            _refuse_foreign_schema(conn, url)
            conn.exec_driver_sql(f"CREATE SCHEMA {SCHEMA}")
            run_all(conn, _TABLES)
        for step in range(version or PG_SCHEMA_VERSION, PG_SCHEMA_VERSION):
            run_all(conn, UPGRADES[step])
        conn.exec_driver_sql(f"UPDATE microup_schema SET version = {PG_SCHEMA_VERSION}")
        run_all(conn, _ROLES + functions.IDENTITY + functions.TOTALS + (ADMIT, *ADMIT_GRANTS))
        run_all(conn, (*_ISOLATION, REPORT_FUNCTION, *REPORT_GRANTS))
        run_all(conn, (PROGRAMME_REPORT_FUNCTION, *PROGRAMME_REPORT_GRANTS))
        run_all(conn, LRS_FUNCTIONS)
        return version is None


def _refuse_foreign_schema(conn: Connection, url: str) -> None:
    """Any schema called microup without our version table is not ours: tables or not."""
    found = conn.exec_driver_sql(
        "SELECT count(*) FROM pg_namespace WHERE nspname = %(schema)s", {"schema": SCHEMA}
    ).scalar_one()
    if found:
        raise StoreError(
            f"{shown_url(url)} has a schema named {SCHEMA} that microup did not make; "
            "left untouched"
        )
