"""Learners hold no DELETE on the shared tables: they delete their own rows through
`forget_row` (by a whole key) and `forget_range`, and nothing else reaches another's rows."""

from __future__ import annotations

import psycopg

from conftest import new_role
from test_postgres import as_role, sql, sql_error


def test_forget_row_deletes_only_the_learners_own_row(pg_admin_url: str) -> None:
    alice, bob = new_role(pg_admin_url), new_role(pg_admin_url)
    for url in (alice, bob):
        sql(url, "INSERT INTO microup.holiday (week_start) VALUES ('2026-11-30')")
        sql(
            url,
            "INSERT INTO microup.lrs_sent (endpoint, entry_id, statement_id, revision, sent_at)"
            " VALUES ('https://lrs.example/', 7, 's', 1, 0)",
        )
    assert "denied" in sql_error(alice, "DELETE FROM microup.holiday")
    gone = sql(alice, """SELECT microup.forget_row('holiday', '{"week_start": "2026-11-30"}')""")
    assert gone == [(1,)]
    mark = """'{"endpoint": "https://lrs.example/", "entry_id": 7}'"""
    assert sql(alice, f"SELECT microup.forget_row('lrs_sent', {mark})") == [(1,)]
    # Bob's rows with the very same keys are still there, and still his.
    assert sql(bob, "SELECT week_start FROM microup.holiday") == [("2026-11-30",)]
    assert sql(bob, "SELECT entry_id FROM microup.lrs_sent") == [(7,)]
    with psycopg.connect(pg_admin_url) as conn:
        left = conn.execute("SELECT count(*) FROM microup.holiday").fetchall()
    assert left == [(1,)]


def test_forget_row_refuses_other_tables_and_partial_keys(pg_admin_url: str) -> None:
    alice = new_role(pg_admin_url)
    for call in (
        """forget_row('member', '{"id": 1}')""",
        """forget_row('cohort_member', '{"cohort": "c", "learner": 1}')""",
        """forget_row('programme_part', '{"programme_id": 1}')""",
        """forget_row('holiday', '{"week_start": "2026-11-30", "learner": 1}')""",
        """forget_row('holiday', '[]')""",
        """forget_range('member', '0', '99')""",
    ):
        assert "no deletes" in sql_error(alice, f"SELECT microup.{call}"), call


def test_a_learner_removes_a_week_off_and_undoes_it(pg_admin_url: str) -> None:
    alice = new_role(pg_admin_url)
    assert as_role(alice, "holiday", "2026-11-30").exit_code == 0
    removed = as_role(alice, "holiday", "2026-11-30", "--remove")
    assert removed.exit_code == 0, removed.stderr
    assert sql(alice, "SELECT week_start FROM microup.holiday") == []
    assert as_role(alice, "undo").exit_code == 0
    assert sql(alice, "SELECT week_start FROM microup.holiday") == [("2026-11-30",)]
