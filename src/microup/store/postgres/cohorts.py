"""Cohorts on the shared store: named groups of learners, kept by the administrator, and the
report a reporting role may read (aggregates only, computed in SQL by `cohort_report`)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from microup.core.errors import NotFoundError, StoreError, UsageError
from microup.core.location import shown_url
from microup.core.text import printable
from microup.store.postgres.engine import REPORTER_ROLE, connection, require_current_schema
from microup.store.postgres.report import MEMBERSHIP_CHANGED

COHORT_LOCK = 1
MAX_COHORT_NAME = 80


def check_cohort_name(name: str) -> str:
    if not name.strip() or len(name) > MAX_COHORT_NAME or not name.isprintable():
        raise UsageError(f"a cohort name is 1 to {MAX_COHORT_NAME} printable characters")
    return name


def _require_administrator(conn: Connection, url: str) -> None:
    """Cohorts are the administrator's: learners may not see who else is in one. A store of
    another version is refused before anything is written, as learners' commands are."""
    allowed = conn.exec_driver_sql(
        "SELECT to_regclass('microup.cohort') IS NOT NULL"
        " AND has_table_privilege('microup.cohort', 'INSERT')"
    ).scalar_one()
    if not allowed:
        raise StoreError(
            f"only the administrator of {shown_url(url)} manages cohorts "
            "(and the store must exist: microup db init URL)"
        )
    require_current_schema(conn, url)


def _require_cohort(conn: Connection, name: str) -> None:
    found = conn.exec_driver_sql(
        "SELECT count(*) FROM microup.cohort WHERE name = %(name)s", {"name": name}
    ).scalar_one()
    if not found:
        raise NotFoundError(f"no cohort named '{printable(name)}'")


def create_cohort(url: str, name: str, now_at: int) -> None:
    with connection(url, lock=COHORT_LOCK) as conn:
        _require_administrator(conn, url)
        created = conn.exec_driver_sql(
            "INSERT INTO microup.cohort (name, created) VALUES (%(name)s, %(at)s)"
            " ON CONFLICT DO NOTHING",
            {"name": name, "at": now_at},
        ).rowcount
        if not created:
            raise UsageError(f"there is already a cohort named '{printable(name)}'")


@contextmanager
def _changing(url: str, name: str) -> Iterator[Connection]:
    """The administrator's transaction on an existing cohort, under the cohorts' lock."""
    with connection(url, lock=COHORT_LOCK) as conn:
        _require_administrator(conn, url)
        _require_cohort(conn, name)
        yield conn


def delete_cohort(url: str, name: str) -> int:
    """Forget a cohort and its membership (never anyone's entries); how many it held."""
    with _changing(url, name) as conn:
        members = int(
            conn.exec_driver_sql(
                "SELECT count(*) FROM microup.cohort_member WHERE cohort = %(name)s",
                {"name": name},
            ).scalar_one()
        )
        conn.exec_driver_sql("DELETE FROM microup.cohort WHERE name = %(name)s", {"name": name})
        return members


def add_members(url: str, name: str, learners: Sequence[str]) -> list[str]:
    """Enrol learners (roles granted microup_learner); those newly added, in order."""
    with _changing(url, name) as conn:
        return [learner for learner, _ in enrol(conn, name, learners)]


def enrol(conn: Connection, name: str, learners: Sequence[str]) -> list[tuple[str, int]]:
    """In the administrator's transaction: the learners newly added, with their admissions."""
    known: dict[str, int] = dict(
        conn.exec_driver_sql(
            "SELECT r.rolname, m.id FROM microup.member m JOIN pg_roles r ON r.oid = m.role"
            " WHERE m.kind = 'learner' AND r.rolname = ANY(%(names)s)",
            {"names": list(learners)},
        ).all()
    )
    unknown = [learner for learner in learners if learner not in known]
    if unknown:
        raise UsageError(
            f"'{printable(unknown[0])}' is not a learner here; add it first with "
            f"microup db add-learner {printable(unknown[0])}"
        )
    added = []
    for learner in dict.fromkeys(learners):
        if conn.exec_driver_sql(
            "INSERT INTO microup.cohort_member (cohort, learner) VALUES (%(c)s, %(l)s)"
            " ON CONFLICT DO NOTHING",
            {"c": name, "l": known[learner]},
        ).rowcount:
            added.append((learner, known[learner]))
    return added


_NAMES = (
    "SELECT m.id, coalesce(r.rolname::TEXT, m.name) AS name FROM microup.member m"
    " LEFT JOIN pg_roles r ON r.oid = m.role"
)
"""Admissions by the name of their role now (or at admission, for a role that is gone)."""


def remove_members(url: str, name: str, learners: Sequence[str]) -> list[str]:
    """Take learners out of a cohort (their entries stay theirs); those removed."""
    with _changing(url, name) as conn:
        removed = list(
            conn.exec_driver_sql(
                f"DELETE FROM microup.cohort_member c USING ({_NAMES}) n"
                " WHERE c.cohort = %(c)s AND c.learner = n.id AND n.name = ANY(%(l)s)"
                " RETURNING n.name",
                {"c": name, "l": list(learners)},
            ).scalars()
        )
        missing = [learner for learner in learners if learner not in removed]
        if missing:
            raise UsageError(f"'{printable(missing[0])}' is not in cohort '{printable(name)}'")
        return removed


def list_cohorts(url: str) -> list[tuple[str, list[str]]]:
    """Every cohort with its learners, by name."""
    with connection(url) as conn:
        _require_administrator(conn, url)
        rows = conn.exec_driver_sql(
            "SELECT c.name, coalesce(array_agg(n.name ORDER BY n.name)"
            " FILTER (WHERE n.name IS NOT NULL), '{}')"
            " FROM microup.cohort c LEFT JOIN microup.cohort_member m ON m.cohort = c.name"
            f" LEFT JOIN ({_NAMES}) n ON n.id = m.learner"
            " GROUP BY c.name ORDER BY c.name"
        ).all()
        return [(name, list(members)) for name, members in rows]


_REPORTERS_ONLY = (
    "cohort reports on {where} are for its administrator and reporting roles "
    f"(microup db add-reporter NAME grants {REPORTER_ROLE} here)"
)


def cohort_report(url: str, name: str, this_monday: date, weeks: int) -> Any:
    """The report's figures as the database computed them (see `postgres_schema`)."""
    with connection(url) as conn:
        allowed = conn.exec_driver_sql(
            "SELECT to_regprocedure('microup.cohort_report(text,date,integer)') IS NOT NULL"
            " AND has_function_privilege("
            "'microup.cohort_report(text,date,integer)', 'EXECUTE')"
        ).scalar_one()
        if not allowed:
            raise StoreError(_REPORTERS_ONLY.format(where=shown_url(url)))
        try:
            payload = conn.exec_driver_sql(
                "SELECT microup.cohort_report(%(name)s, %(monday)s, %(weeks)s)::text",
                {"name": name, "monday": this_monday, "weeks": weeks},
            ).scalar_one()
        except DBAPIError as error:
            state = getattr(error.orig, "sqlstate", None)
            if state == "P0002":
                raise NotFoundError(f"no cohort named '{printable(name)}'") from None
            if state == "42501":
                raise StoreError(_REPORTERS_ONLY.format(where=shown_url(url))) from None
            if state == MEMBERSHIP_CHANGED:
                since = getattr(getattr(error.orig, "diag", None), "message_detail", "")
                raise StoreError(
                    f"cohort '{printable(name)}' differs by fewer than 5 learners who have "
                    "logged from a report given earlier over some of these weeks, so the "
                    "difference would show those learners; report weeks from "
                    f"{since} on (fewer --weeks), or later"
                ) from None
            raise
        return json.loads(payload)
