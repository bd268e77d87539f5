"""A goal's or a week off's week is a Monday's date in the shared store, written by microup
or by a learner with psql; one stored before the check (or past it) stops nothing.

These run against the server MICROUP_TEST_PG_URL names (`.ci/run` starts one).
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy.engine import make_url

from conftest import new_role
from microup.store.postgres.engine import PG_SCHEMA_VERSION
from test_postgres import admission, as_role, frozen, sql, sql_error

__all__ = ["frozen"]  # the fixture, shared with test_postgres

NOT_MONDAYS = ("2026-13-45", "2026-02-30", "garbage", "0000-01-03", "2026-12-01", "2026-11-3O")


@pytest.mark.parametrize("week", NOT_MONDAYS)
def test_a_week_that_is_not_a_mondays_date_cannot_be_written(pg_admin_url: str, week: str) -> None:
    learner = new_role(pg_admin_url)
    for insert in (
        f"INSERT INTO microup.goal (learner, week_start, minutes)"
        f" VALUES (microup.me(current_user), '{week}', 60)",
        f"INSERT INTO microup.holiday (learner, week_start)"
        f" VALUES (microup.me(current_user), '{week}')",
    ):
        assert "violates check constraint" in sql_error(learner, insert)
    # A Monday is what microup itself writes, and goes in.
    sql(
        learner,
        "INSERT INTO microup.goal (learner, week_start, minutes)"
        " VALUES (microup.me(current_user), '2026-11-23', 75);"
        " INSERT INTO microup.holiday (learner, week_start)"
        " VALUES (microup.me(current_user), '2026-11-16')",
    )
    assert json.loads(as_role(learner, "week", "--json").stdout)["goal"] == 75


def test_bad_weeks_stored_before_the_check_stop_nothing(pg_admin_url: str, frozen: object) -> None:
    learner = new_role(pg_admin_url)
    assert as_role(learner, "goal", "75").exit_code == 0
    assert as_role(learner, "log", "20", "-t", "SQL").exit_code == 0
    # As an older store may hold them: written when only a pattern (or nothing) checked.
    sql(
        pg_admin_url,
        "ALTER TABLE microup.goal DROP CONSTRAINT goal_week_start_check;"
        " ALTER TABLE microup.holiday DROP CONSTRAINT holiday_week_start_check",
    )
    me = admission(pg_admin_url, str(make_url(learner).username))
    sql(
        pg_admin_url,
        f"INSERT INTO microup.goal (learner, week_start, minutes) VALUES ({me}, '2026-13-45', 5);"
        f" INSERT INTO microup.holiday (learner, week_start) VALUES ({me}, 'garbage')",
    )
    for command in ("week", "stats"):
        done = as_role(learner, command, "--json")
        assert done.exit_code == 0 and done.stderr == "", done.stderr
    assert json.loads(as_role(learner, "week", "--json").stdout)["goal"] == 75


def test_db_init_upgrades_a_version_7_store(pg_admin_url: str, frozen: object) -> None:
    """Schema 8: reports kept before count only learners who had logged by their end, and
    weeks are checked; a bad week stored before stays (microup reads past it)."""
    learners = [new_role(pg_admin_url) for _ in range(3)]
    assert as_role(learners[0], "log", "20").exit_code == 0
    ids = [admission(pg_admin_url, str(make_url(url).username)) for url in learners]
    sql(
        pg_admin_url,
        "SET search_path = microup;"
        " ALTER TABLE report_log DROP CONSTRAINT report_log_pkey, DROP COLUMN about,"
        " ADD PRIMARY KEY (first_day, end_day, learners);"
        " ALTER TABLE holiday DROP CONSTRAINT holiday_week_start_check;"
        " ALTER TABLE goal DROP CONSTRAINT goal_week_start_check,"
        " ADD CONSTRAINT goal_week_start_check CHECK (week_start ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$');"
        f" INSERT INTO goal (learner, week_start, minutes) VALUES ({ids[1]}, '2026-13-45', 5);"
        " INSERT INTO report_log VALUES"
        f" ('2026-11-16', '2026-11-30', '{{{ids[0]},{ids[1]},{ids[2]}}}'),"
        f" ('2026-11-16', '2026-11-30', '{{{ids[0]},{ids[2]}}}');"
        " UPDATE microup_schema SET version = 7",
    )
    upgraded = as_role(pg_admin_url, "db", "init")
    assert upgraded.exit_code == 0, upgraded.stderr
    assert sql(pg_admin_url, "SELECT version FROM microup.microup_schema") == [(PG_SCHEMA_VERSION,)]
    kept = sql(pg_admin_url, "SELECT about, learners FROM microup.report_log")
    assert kept == [("", [ids[0]])]
    assert "violates check constraint" in sql_error(
        learners[2],
        "INSERT INTO microup.goal (learner, week_start, minutes)"
        " VALUES (microup.me(current_user), '2026-13-45', 60)",
    )
    assert json.loads(as_role(learners[1], "week", "--json").stdout)["goal"] == 60
