"""The shared store attacked as a hostile learner, a curious reporter and a careless
administrator would (issue 17): each test is the attack, on a real server.

These run against the server MICROUP_TEST_PG_URL names (`.ci/run` starts one).
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any
from urllib.parse import quote, unquote

import psycopg
import pytest
from sqlalchemy.engine import make_url

from conftest import TEST_PREFIX, new_role, one_line_error
from microup.store.postgres.engine import LOCK_NAMESPACE
from test_postgres import admission, as_role, frozen, sql, sql_autocommit, sql_error

__all__ = ["frozen"]  # the fixture, shared with test_postgres


def name_of(url: str) -> str:
    return str(make_url(url).username)


def url_for(admin: str, name: str) -> str:
    return make_url(admin).set(username=name, password=None).render_as_string(False)


def fresh_name() -> str:
    return f"{TEST_PREFIX}{uuid.uuid4().hex[:10]}"


def test_a_role_that_can_become_others_is_refused_and_reads_nothing(pg_admin_url: str) -> None:
    alice = new_role(pg_admin_url)
    assert as_role(alice, "log", "20", "-t", "SQL", "-n", "alice only").exit_code == 0
    mgr = fresh_name()
    sql(pg_admin_url, f"CREATE ROLE {mgr} LOGIN CREATEROLE")
    refused = one_line_error(as_role(pg_admin_url, "db", "add-learner", mgr), code=2)
    assert "CREATEROLE" in refused
    member = fresh_name()
    sql(pg_admin_url, f"CREATE ROLE {member} LOGIN; GRANT {name_of(alice)} TO {member}")
    refused = one_line_error(as_role(pg_admin_url, "db", "add-learner", member), code=2)
    assert "member of another learner's role" in refused
    # Admitted or not, a role that becomes alice with SET ROLE reads and writes nothing of
    # hers: rows answer to the session's own login role only.
    sql(pg_admin_url, f"GRANT microup_learner TO {mgr}")
    stolen = sql(
        url_for(pg_admin_url, mgr),
        f"GRANT {name_of(alice)} TO {mgr}; SET ROLE {name_of(alice)};"
        " SELECT note FROM microup.entry",
    )
    assert stolen == []
    # A learner given CREATEROLE after admission is no learner any more.
    sql(pg_admin_url, f"ALTER ROLE {name_of(alice)} CREATEROLE")
    assert "is not a learner" in one_line_error(as_role(alice, "entries"), code=1)


def _printed_sql(admin: str) -> str:
    """The SQL `db init` prints for creating a learner, as one statement list."""
    out = as_role(admin, "db", "init").stdout
    start = out.index("(in SQL: ") + len("(in SQL: ")
    return out[start : out.index(";)", start) + 1]


def test_a_new_role_with_a_former_learners_name_sees_nothing(
    pg_admin_url: str, frozen: object
) -> None:
    dave = new_role(pg_admin_url)
    name = name_of(dave)
    assert as_role(dave, "log", "20", "-t", "Secrets", "-n", "dave's private note").exit_code == 0
    sql(pg_admin_url, f"DROP OWNED BY {name}; DROP ROLE {name}")
    sql(pg_admin_url, _printed_sql(pg_admin_url).replace("name", name))
    assert json.loads(as_role(dave, "entries", "--json").stdout)["entries"] == []
    assert sql(dave, "SELECT note FROM microup.entry") == []
    # Deleting the admission and admitting the same name again: a new identity too.
    assert as_role(dave, "log", "5", "-n", "second dave").exit_code == 0
    sql(pg_admin_url, f"DELETE FROM microup.member WHERE name = '{name}'")
    assert sql(dave, "SELECT note FROM microup.entry") == []  # reads need admission
    assert as_role(pg_admin_url, "db", "add-learner", name).exit_code == 0
    assert sql(dave, "SELECT note FROM microup.entry") == []


def _cohort(admin: str, learners: list[str], cohort: str = "c") -> None:
    as_role(admin, "cohort", "create", cohort)
    assert as_role(admin, "cohort", "add", cohort, *map(name_of, learners)).exit_code == 0


def test_a_past_week_with_one_learner_is_not_reported(pg_admin_url: str, frozen: object) -> None:
    learners = [new_role(pg_admin_url) for _ in range(6)]
    for url in learners:
        assert as_role(url, "log", "30", "-t", "SQL").exit_code == 0
    past = date(2026, 11, 2)  # a Monday three weeks before the frozen day
    lonely = as_role(learners[0], "log", "47", "-t", "SQL", "--at", "2026-11-03T10:00", "--yes")
    assert lonely.exit_code == 0, lonely.stderr
    _cohort(pg_admin_url, learners)
    reporter = new_role(pg_admin_url, group="reporter")
    (payload,) = sql(reporter, f"SELECT microup.cohort_report('c', '{past}', 1)")[0]
    assert isinstance(payload, dict)
    assert payload["suppressed"] is True and "trend" not in payload


def test_reports_that_differ_by_one_learner_are_refused(pg_admin_url: str, frozen: object) -> None:
    learners = [new_role(pg_admin_url) for _ in range(7)]
    for url in learners[:6]:
        assert as_role(url, "log", "30", "-t", "SQL").exit_code == 0
    early = as_role(learners[6], "log", "1", "--at", "2026-10-05T10:00", "--yes")
    assert early.exit_code == 0, early.stderr
    _cohort(pg_admin_url, learners[:6])
    reporter = new_role(pg_admin_url, group="reporter")
    first = as_role(reporter, "cohort", "report", "c", "--weeks", "2", "--json")
    assert first.exit_code == 0, first.stderr
    assert as_role(pg_admin_url, "cohort", "remove", "c", name_of(learners[0])).exit_code == 0
    message = one_line_error(as_role(reporter, "cohort", "report", "c", "-w", "2"), code=1)
    assert "differs by fewer than 5 learners" in message
    as_role(pg_admin_url, "cohort", "add", "c", name_of(learners[0]), name_of(learners[6]))
    message = one_line_error(as_role(reporter, "cohort", "report", "c", "--json"), code=1)
    assert "differs by fewer than 5 learners" in message
    # Another cohort one learner apart is no way round it either.
    _cohort(pg_admin_url, learners[1:6], cohort="d")
    assert "differs by fewer" in one_line_error(as_role(reporter, "cohort", "report", "d"), 1)


@pytest.mark.parametrize("secret", ["S3cr/etPW", "S3cr#etPW", "S3cr?etPW", "S3cretPW"])
def test_no_password_is_shown_in_any_spelling(pg_admin_url: str, secret: str) -> None:
    server = make_url(pg_admin_url)
    base = f"postgresql://{server.username}:{{pw}}@{server.host}:{server.port}/{server.database}"
    urls = [
        base.format(pw=secret),
        base.format(pw=quote(secret, safe="")),
        f"postgresql://{server.username}@{server.host}:{server.port}/{server.database}"
        f"?password={quote(secret, safe='')}",
        f"postgresql://{server.username}@{server.host}:{server.port}/{server.database}"
        f"?p%61ssword={quote(secret, safe='')}",
    ]
    for url in urls:
        for command in (
            ["db", "init", url],
            ["--db", url, "entries"],
            ["--db", url, "cohort", "list"],
            ["--db", url, "db", "add-learner", "PUBLIC"],
        ):
            result = as_role(url, *command) if command[0] == "db" else _run(command)
            shown = result.stdout + result.stderr
            for spelling in {secret, quote(secret, safe=""), unquote(secret), "etPW"}:
                assert spelling not in shown, (url, command, shown)


def _run(args: list[str]) -> Any:
    from typer.testing import CliRunner

    from microup.cli.app import app

    return CliRunner().invoke(app, args)


def test_a_learner_cannot_lock_the_shared_tables(pg_admin_url: str) -> None:
    bob = new_role(pg_admin_url)
    for table in ("entry", "topic", "goal", "journal", "day_total", "topic_total"):
        message = sql_error(bob, f"LOCK TABLE microup.{table} IN ACCESS EXCLUSIVE MODE")
        assert "permission denied" in message
        message = sql_error(bob, f"LOCK TABLE microup.{table} IN SHARE MODE")
        assert "permission denied" in message


@pytest.fixture
def holder(pg_admin_url: str) -> Iterator[list[psycopg.Connection[Any]]]:
    """Connections a test holds open (locks and all), closed whatever happens."""
    held: list[psycopg.Connection[Any]] = []
    yield held
    for conn in held:
        conn.close()


def test_another_learners_advisory_lock_stalls_nobody(
    pg_admin_url: str, holder: list[psycopg.Connection[Any]]
) -> None:
    alice, bob = new_role(pg_admin_url), new_role(pg_admin_url)
    sql(pg_admin_url, f"ALTER ROLE {name_of(alice)} SET lock_timeout = '2s'")
    conn = psycopg.connect(bob, autocommit=True)
    holder.append(conn)
    for key in (f"hashtext('{name_of(alice)}')", str(admission(pg_admin_url, name_of(alice)))):
        conn.execute(f"SELECT pg_advisory_lock({LOCK_NAMESPACE}, {key})")
    done = as_role(alice, "log", "5", "-t", "SQL")
    assert done.exit_code == 0, done.stderr


def test_every_statement_has_time_limits_and_says_so(
    pg_admin_url: str, holder: list[psycopg.Connection[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = new_role(pg_admin_url)
    from microup.store import transaction
    from microup.store.postgres import engine

    with transaction(alice, write=False) as store:
        limits = store.connection.exec_driver_sql(
            "SELECT current_setting('lock_timeout'), current_setting('statement_timeout')"
        ).one()
    assert tuple(limits) == (engine.LOCK_TIMEOUT, engine.STATEMENT_TIMEOUT)
    monkeypatch.setattr(engine, "LOCK_TIMEOUT", "300ms")
    admin = psycopg.connect(pg_admin_url)
    holder.append(admin)
    admin.execute("LOCK TABLE microup.entry IN ACCESS EXCLUSIVE MODE")
    release = threading.Timer(30, admin.rollback)  # without a limit, the log would wait
    release.start()
    try:
        message = one_line_error(as_role(alice, "log", "5"), code=1)
    finally:
        release.cancel()
    assert "is busy" in message and "nothing was saved" in message
    with psycopg.connect(alice) as conn, pytest.raises(psycopg.Error) as caught:
        conn.execute("SET statement_timeout = '10ms'; SELECT pg_sleep(1)")
    said = str(engine.failure(alice, caught.value, stage="work"))
    assert "time limit" in said and "nothing was saved" in said


def test_a_learner_gets_a_connection_limit(pg_admin_url: str) -> None:
    name = fresh_name()
    assert as_role(pg_admin_url, "db", "add-learner", name).exit_code == 0
    assert sql(pg_admin_url, f"SELECT rolconnlimit FROM pg_roles WHERE rolname = '{name}'") == [
        (10,)
    ]


def test_db_init_refuses_a_foreign_schema_without_tables(pg_admin_url: str) -> None:
    server = make_url(pg_admin_url)
    other_db = f"{server.database}_f"
    other = server.set(database=other_db).render_as_string(hide_password=False)
    sql_autocommit(pg_admin_url, f'CREATE DATABASE "{other_db}"')
    try:
        sql(
            other,
            "CREATE SCHEMA microup; CREATE SEQUENCE microup.s;"
            " CREATE VIEW microup.v AS SELECT 1 AS x;"
            " CREATE FUNCTION microup.f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        )
        message = one_line_error(as_role(other, "db", "init", other), code=1)
        assert "did not make; left untouched" in message
        objects = "SELECT count(*) FROM pg_class WHERE relnamespace = 'microup'::regnamespace"
        assert sql(other, objects) == [(2,)]
        assert sql(other, "SELECT has_schema_privilege('public', 'microup', 'USAGE')") == [(False,)]
    finally:
        sql_autocommit(pg_admin_url, f'DROP DATABASE "{other_db}" WITH (FORCE)')


def test_administrator_commands_refuse_a_newer_store(pg_admin_url: str) -> None:
    sql(pg_admin_url, "UPDATE microup.microup_schema SET version = 99")
    name = fresh_name()
    assert "newer microup" in one_line_error(
        as_role(pg_admin_url, "db", "add-learner", name), code=1
    )
    assert sql(pg_admin_url, f"SELECT count(*) FROM pg_roles WHERE rolname = '{name}'") == [(0,)]
    assert "newer microup" in one_line_error(as_role(pg_admin_url, "cohort", "create", "c"), 1)
    assert sql(pg_admin_url, "SELECT count(*) FROM microup.cohort") == [(0,)]


def test_an_import_keeps_the_totals_set_wise(
    learner_url: str, pg_admin_url: str, tmp_path: Any
) -> None:
    """Thousands of rows on one topic and day: the totals are kept per statement (one
    update of the day's row, not one per entry), and a second import adds nothing."""
    rows = [
        {"at": f"2026-03-02T09:{i // 60 % 60:02d}:{i % 60:02d}+00:00", "minutes": 1 + i % 7}
        for i in range(3000)
    ]
    for row in rows:
        row["topic"] = "SQL"
    exported = tmp_path / "rows.json"
    exported.write_text(json.dumps({"format": "microup", "version": 1, "entries": rows}))
    first = as_role(learner_url, "import", str(exported))
    assert first.exit_code == 0, first.stderr
    assert "Imported 0 entries" in as_role(learner_url, "import", str(exported)).stdout
    total = sum(int(str(row["minutes"])) for row in rows)
    assert sql(learner_url, "SELECT minutes FROM microup.day_total") == [(total,)]
    assert sql(learner_url, "SELECT minutes, sessions FROM microup.topic_total") == [(total, 3000)]
    per_row = sql(
        pg_admin_url,
        "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'microup.entry'::regclass"
        " AND NOT tgisinternal AND tgtype & 1 = 1",  # FOR EACH ROW
    )
    assert per_row == [(0,)]


def test_a_connection_lost_mid_command_says_nothing_was_saved(
    pg_admin_url: str, holder: list[psycopg.Connection[Any]]
) -> None:
    alice = new_role(pg_admin_url)
    admin = psycopg.connect(pg_admin_url)
    holder.append(admin)
    admin.execute("LOCK TABLE microup.entry IN ACCESS EXCLUSIVE MODE")

    def kill_when_waiting() -> None:
        with psycopg.connect(pg_admin_url, autocommit=True) as watcher:
            for _ in range(300):
                killed = watcher.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    f" WHERE usename = '{name_of(alice)}' AND wait_event_type = 'Lock'"
                ).fetchall()
                if killed:
                    return
                time.sleep(0.1)

    killer = threading.Thread(target=kill_when_waiting)
    killer.start()
    message = one_line_error(as_role(alice, "log", "5"), code=1)
    killer.join()
    assert "nothing was saved" in message and "rolled back" in message, message
    assert "cannot connect" not in message


def test_a_store_of_version_0_is_not_sent_to_an_upgrade(
    pg_admin_url: str, learner_url: str
) -> None:
    sql(pg_admin_url, "UPDATE microup.microup_schema SET version = 0")
    message = one_line_error(as_role(learner_url, "week"), code=1)
    assert "which no microup made" in message and "upgrade" not in message
    assert "which no microup made" in one_line_error(as_role(pg_admin_url, "db", "init"), 1)


def test_a_damaged_goal_row_is_left_out(pg_admin_url: str) -> None:
    learner_url = new_role(pg_admin_url)
    assert "violates check constraint" in sql_error(
        learner_url, "INSERT INTO microup.goal (week_start, minutes) VALUES ('0000', 30)"
    )
    # One written before the check existed (or by hand past it): the learner could not
    # correct it with microup, so it is no goal of theirs; `week` and `stats` go on.
    sql(pg_admin_url, "ALTER TABLE microup.goal DROP CONSTRAINT goal_week_start_check")
    learner = admission(pg_admin_url, name_of(learner_url))
    sql(
        pg_admin_url,
        f"INSERT INTO microup.goal (learner, week_start, minutes) VALUES ({learner}, '0000', 30)",
    )
    for command in ("week", "stats"):
        done = as_role(learner_url, command)
        assert done.exit_code == 0 and done.stderr == "", done.stderr


def test_the_sql_db_init_prints_makes_a_learner(pg_admin_url: str) -> None:
    name = fresh_name()
    sql(pg_admin_url, _printed_sql(pg_admin_url).replace("name", name))
    done = as_role(url_for(pg_admin_url, name), "log", "5")
    assert done.exit_code == 0, done.stderr


def test_side_channels_that_can_be_closed_are(pg_admin_url: str, frozen: object) -> None:
    alice, bob = new_role(pg_admin_url), new_role(pg_admin_url)
    for _ in range(5):
        assert as_role(alice, "log", "5", "-t", "SQL").exit_code == 0
    assert as_role(bob, "log", "5", "-t", "Go").exit_code == 0
    # Ids are bob's own: they do not count alice's sessions.
    assert json.loads(as_role(bob, "entries", "--json").stdout)["entries"][0]["id"] == 1
    assert "denied" in sql_error(bob, "SELECT n_live_tup FROM pg_stat_user_tables")
    assert "denied" in sql_error(bob, "SELECT * FROM pg_stats WHERE schemaname = 'microup'")
    assert "registered" in sql_error(bob, f"SELECT microup.registered('{name_of(alice)}', 'x')")
    assert sql(bob, f"SELECT microup.me('{name_of(alice)}')") == [(None,)]
    # Planner estimates: a value alice used 200 times looks like any other to bob.
    sql(
        alice,
        "INSERT INTO microup.entry (at, utc_offset, minutes, note)"
        " SELECT 1700000000 + g, 0, 7, 'alice-secret' FROM generate_series(1, 200) g",
    )
    sql(pg_admin_url, "ANALYZE microup.entry")

    def estimate(condition: str) -> str:
        plan = sql(bob, f"EXPLAIN SELECT * FROM microup.entry WHERE {condition}")
        found = re.search(r"rows=(\d+)", str(plan[0][0]))
        return found[1] if found else ""

    assert estimate("note = 'alice-secret'") == estimate("note = 'nobody-wrote-this'")
    assert estimate("minutes = 7") == estimate("minutes = 8")
