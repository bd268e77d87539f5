"""Who may use a shared store: admitting learners and reporters (`db add-learner`).

An admission is a row of `member` tied to the role's oid. `admit` (run by the administrator,
from microup or from psql) refuses a role that could see or become others: a superuser, one
with BYPASSRLS or CREATEROLE, the administrator or a member of its role, and one that is a
member of another learner's role (or has one as a member). A learner gets a sequence of its
own for ids, a role-level setting naming its admission, and a connection limit.
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

from microup.core.errors import UsageError
from microup.core.text import printable
from microup.store.postgres.engine import (
    INIT_LOCK,
    LEARNER_ROLE,
    LEARNER_SETTING,
    REPORTER_ROLE,
    SCHEMA,
    connection,
    require_current_schema,
)
from microup.store.postgres.functions import CONNECTION_LIMIT

GROUPS = {"learner": LEARNER_ROLE, "reporter": REPORTER_ROLE}
REFUSED = "22023"
"""The SQLSTATE `admit` raises for a role it will not admit."""

ADMIT = f"""CREATE OR REPLACE FUNCTION admit(role_name TEXT, as_kind TEXT) RETURNS BIGINT
LANGUAGE plpgsql VOLATILE SET search_path = {SCHEMA}, pg_temp AS $admit$
DECLARE
    r pg_catalog.pg_roles%ROWTYPE;
    admission BIGINT;
    why TEXT;
    tbl TEXT;
BEGIN
    SELECT * INTO r FROM pg_catalog.pg_roles WHERE rolname = role_name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no role named %', role_name USING ERRCODE = '{REFUSED}';
    END IF;
    why := CASE
        WHEN r.rolsuper OR r.rolbypassrls OR r.rolname = current_user
          OR pg_has_role(r.oid, current_user, 'MEMBER')
            THEN 'administers the server or this database and would see every learner''s rows'
        WHEN r.rolcreaterole THEN 'may create roles (CREATEROLE), so it could become others'
        WHEN EXISTS (SELECT FROM member m JOIN pg_catalog.pg_roles o ON o.oid = m.role
                     WHERE m.kind = 'learner' AND o.oid <> r.oid
                       AND (pg_has_role(r.oid, o.oid, 'MEMBER')
                            OR pg_has_role(o.oid, r.oid, 'MEMBER')))
            THEN 'is a member of another learner''s role (or has one as a member)'
    END;
    IF why IS NOT NULL THEN
        RAISE EXCEPTION '% %', role_name, why USING ERRCODE = '{REFUSED}';
    END IF;
    EXECUTE format('GRANT %I TO %I', CASE as_kind WHEN 'learner' THEN '{LEARNER_ROLE}'
                                                  ELSE '{REPORTER_ROLE}' END, role_name);
    INSERT INTO member (role, name, kind) VALUES (r.oid, role_name, as_kind)
        ON CONFLICT (role, kind) DO NOTHING RETURNING id INTO admission;
    IF admission IS NULL OR as_kind <> 'learner' THEN
        RETURN admission;
    END IF;
    FOREACH tbl IN ARRAY ARRAY['topic', 'entry', 'journal'] LOOP
        EXECUTE format('CREATE SEQUENCE %s_ids_%s', tbl, admission);
        EXECUTE format('GRANT USAGE ON SEQUENCE %s_ids_%s TO %I', tbl, admission, role_name);
    END LOOP;
    EXECUTE format('ALTER ROLE %I IN DATABASE %I SET {LEARNER_SETTING} = %L',
                   role_name, current_database(), admission);
    IF r.rolconnlimit < 0 THEN
        EXECUTE format('ALTER ROLE %I CONNECTION LIMIT {CONNECTION_LIMIT}', role_name);
    END IF;
    RETURN admission;
END
$admit$"""

ADMIT_GRANTS = ("REVOKE ALL ON FUNCTION admit(TEXT, TEXT) FROM PUBLIC",)


def grant_role(url: str, name: str, kind: str) -> bool:
    """Admit `name` to this database as a learner or reporter (`kind`), creating it as a
    login role if new; True if created. Roles that could see or become others are refused."""
    with connection(url, lock=INIT_LOCK) as conn:
        require_current_schema(conn, url)
        found = conn.exec_driver_sql(
            "SELECT 1 FROM pg_roles WHERE rolname = %(name)s", {"name": name}
        ).first()
        if found is None:
            role = conn.exec_driver_sql("SELECT quote_ident(%(name)s)", {"name": name}).scalar_one()
            conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN")
        try:
            with conn.begin_nested():
                conn.exec_driver_sql(
                    f"SELECT {SCHEMA}.admit(%(name)s, %(kind)s)", {"name": name, "kind": kind}
                )
        except DBAPIError as error:
            if getattr(error.orig, "sqlstate", None) != REFUSED:
                raise
            detail = str(error.orig).strip().splitlines()[0]
            raise UsageError(f"{printable(detail)}; choose a role of its own") from None
        return found is None


def admitted_learners(url: str, names: list[str]) -> dict[str, int]:
    """The admission ids of the learners `names` names (their current roles), by name."""
    with connection(url) as conn:
        rows = conn.exec_driver_sql(
            f"SELECT r.rolname, m.id FROM {SCHEMA}.member m JOIN pg_roles r ON r.oid = m.role"
            " WHERE m.kind = 'learner' AND r.rolname = ANY(%(names)s)",
            {"names": names},
        ).all()
    return {str(name): int(admission) for name, admission in rows}


RESERVED_ROLE_NAMES = frozenset({"public", "none", "current_user", "current_role", "session_user"})


def check_role_name(name: str) -> str:
    """A PostgreSQL role name microup will create: at most 63 bytes, no control characters."""
    if not name or len(name.encode()) > 63 or any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise UsageError("a role name is 1 to 63 bytes without control characters")
    if (
        name.lower().startswith("pg_")
        or name.lower() in RESERVED_ROLE_NAMES
        or name in (LEARNER_ROLE, REPORTER_ROLE)
    ):
        raise UsageError(f"'{printable(name)}' is reserved; choose another role name")
    return name
