"""The shared PostgreSQL store: isolation between learners enforced by the database itself,
the administrator's commands, the cohort report, and the failures people meet.

These run against the server MICROUP_TEST_PG_URL names (`.ci/run` starts one); without it
they skip, except in CI.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy.engine import make_url
from typer.testing import CliRunner, Result

from conftest import new_role, one_line_error, store_state
from microup.cli.app import app

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=LONDON)
MICROUP = Path(sys.executable).parent / "microup"


@pytest.fixture
def frozen(local_tz: str) -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def as_role(url: str, *args: str) -> Result:
    """The CLI as the role `url` names, with nothing else pointing at a store."""
    return CliRunner().invoke(app, ["--db", url, *args])


def sql(url: str, statement: str) -> list[tuple[object, ...]]:
    """Plain SQL as that role, as a learner with psql would: no microup in between."""
    import psycopg

    with psycopg.connect(url) as conn:
        cursor = conn.execute(statement)
        return cursor.fetchall() if cursor.description else []


def admission(admin: str, name: str | None) -> int:
    """A learner's admission id (what their rows carry), as the administrator reads it."""
    found = sql(
        admin,
        "SELECT m.id FROM microup.member m JOIN pg_roles r ON r.oid = m.role"
        f" WHERE r.rolname = '{name}' AND m.kind = 'learner'",
    )
    return int(str(found[0][0]))


def sql_error(url: str, statement: str) -> str:
    import psycopg

    with pytest.raises(psycopg.Error) as caught:
        sql(url, statement)
    return str(caught.value)


def test_a_learner_cannot_read_or_change_anothers_rows(pg_admin_url: str, frozen: object) -> None:
    alice, bob = new_role(pg_admin_url), new_role(pg_admin_url)
    assert as_role(alice, "log", "20", "-t", "SQL", "-n", "private").exit_code == 0
    assert as_role(alice, "goal", "90").exit_code == 0
    entry_id = json.loads(as_role(alice, "entries", "--json").stdout)["entries"][0]["id"]

    # Through microup: Bob sees an empty store, and Alice's id is not there for him.
    assert json.loads(as_role(bob, "entries", "--json").stdout)["entries"] == []
    assert json.loads(as_role(bob, "week", "--json").stdout)["goal"] == 60
    before = store_state(alice)
    for command in (["edit", str(entry_id), "--minutes", "5"], ["delete", str(entry_id), "--yes"]):
        assert f"no entry with id {entry_id}" in one_line_error(as_role(bob, *command), code=1)
    assert "nothing to undo" in one_line_error(as_role(bob, "undo"), code=1)
    assert store_state(alice) == before

    # Through plain SQL: row-level security hides and protects every table.
    for table in ("entry", "topic", "goal", "journal"):
        assert sql(bob, f"SELECT * FROM microup.{table}") == []
    assert (
        sql(bob, f"UPDATE microup.entry SET minutes = 1 WHERE id = {entry_id} RETURNING id") == []
    )
    # No DELETE at all (it would let a learner LOCK the table): microup deletes through a
    # function that reaches the caller's own rows only.
    assert "denied" in sql_error(bob, "DELETE FROM microup.entry RETURNING id")
    alice_name = make_url(alice).username
    alice_id = admission(pg_admin_url, alice_name)
    message = sql_error(
        bob,
        "INSERT INTO microup.entry (learner, at, utc_offset, minutes)"
        f" VALUES ({alice_id}, 1, 0, 5)",
    )
    assert "row-level security" in message
    assert store_state(alice) == before
    assert len(sql(alice, "SELECT * FROM microup.entry")) == 1


def test_the_administrator_is_refused_as_a_learner(pg_admin_url: str) -> None:
    message = one_line_error(as_role(pg_admin_url, "log", "20"), code=1)
    assert "would see every learner's rows" in message
    stranger = new_role(pg_admin_url, group="reporter")
    assert "is not a learner" in one_line_error(as_role(stranger, "entries"), code=1)


def test_reporting_role_sees_aggregates_only(pg_admin_url: str, frozen: object) -> None:
    learners = [new_role(pg_admin_url) for _ in range(5)]
    for url in learners:
        assert as_role(url, "log", "30", "-t", "SQL").exit_code == 0
    names = [str(make_url(url).username) for url in learners]
    assert as_role(pg_admin_url, "cohort", "create", "pilot").exit_code == 0
    assert as_role(pg_admin_url, "cohort", "add", "pilot", *names).exit_code == 0
    reporter = new_role(pg_admin_url, group="reporter")

    report = as_role(reporter, "cohort", "report", "pilot", "--json")
    assert report.exit_code == 0, report.stderr
    figures = json.loads(report.stdout)
    assert figures["enrolled"] == 5 and figures["active_this_week"] == 1.0
    assert figures["topics"] == [{"topic": "sql", "learners": 5, "share": 1.0}]  # the key
    assert "denied" in sql_error(reporter, "SELECT * FROM microup.entry")
    assert "denied" in sql_error(reporter, "SELECT * FROM microup.cohort_member")
    assert "is not a learner" in one_line_error(as_role(reporter, "entries"), code=1)
    # Learners cannot see who else is enrolled, nor read the report.
    assert "denied" in sql_error(learners[0], "SELECT * FROM microup.cohort_member")
    assert "administrator" in one_line_error(as_role(learners[0], "cohort", "list"), code=1)
    refused = one_line_error(as_role(learners[0], "cohort", "report", "pilot"), code=1)
    assert "reporting roles" in refused


def test_a_cohort_under_five_is_suppressed(pg_admin_url: str, frozen: object) -> None:
    """Five enrolled is not enough: four who never logged cannot hide the one who did."""
    learners = [new_role(pg_admin_url) for _ in range(5)]
    assert as_role(learners[0], "log", "60", "-t", "SQL").exit_code == 0
    names = [str(make_url(url).username) for url in learners]
    as_role(pg_admin_url, "cohort", "create", "small")
    as_role(pg_admin_url, "cohort", "add", "small", *names)
    reporter = new_role(pg_admin_url, group="reporter")
    message = one_line_error(as_role(reporter, "cohort", "report", "small"), code=1)
    assert "has 1 of 5 learners who have logged anything; reports need at least 5" in message
    for url in learners[1:4]:
        as_role(url, "log", "5")
    assert "has 4 of 5 learners" in one_line_error(
        as_role(reporter, "cohort", "report", "small"), 1
    )
    suppressed = json.loads(as_role(reporter, "cohort", "report", "small", "--json").stdout)
    assert suppressed["suppressed"] is True and "trend" not in suppressed
    assert "no cohort named 'nope'" in one_line_error(
        as_role(reporter, "cohort", "report", "nope"), code=1
    )


def test_cohort_management(pg_admin_url: str) -> None:
    admin = pg_admin_url
    names = [str(make_url(new_role(admin)).username) for _ in range(2)]
    assert as_role(admin, "cohort", "create", "a").exit_code == 0
    assert "already a cohort" in one_line_error(as_role(admin, "cohort", "create", "a"))
    assert "not a learner here" in one_line_error(as_role(admin, "cohort", "add", "a", "ghost"))
    assert "Added 2 learners" in as_role(admin, "cohort", "add", "a", *names).stdout
    assert "Added 0 learners" in as_role(admin, "cohort", "add", "a", names[0]).stdout
    listed = json.loads(as_role(admin, "cohort", "list", "--json").stdout)
    assert listed == {"cohorts": [{"name": "a", "learners": sorted(names)}]}
    assert "Removed 1 learner" in as_role(admin, "cohort", "remove", "a", names[0]).stdout
    assert "is not in cohort" in one_line_error(as_role(admin, "cohort", "remove", "a", names[0]))
    assert "1 learner enrolled" in as_role(admin, "cohort", "delete", "a").stdout
    assert "No cohorts yet" in as_role(admin, "cohort", "list").stdout


def test_db_init_is_idempotent_and_refuses_a_foreign_schema(pg_admin_url: str) -> None:
    again = as_role(pg_admin_url, "db", "init")
    assert again.exit_code == 0 and "up to date" in again.stdout
    assert "GRANT microup_learner TO name" in again.stdout
    server = make_url(pg_admin_url)
    other = server.set(database=f"{server.database}_other").render_as_string(hide_password=False)
    sql_autocommit(pg_admin_url, f'CREATE DATABASE "{server.database}_other"')
    try:
        sql(other, "CREATE SCHEMA microup; CREATE TABLE microup.topic (x int)")
        message = one_line_error(as_role(other, "db", "init", other), code=1)
        assert "did not make; left untouched" in message
        assert sql(other, "SELECT count(*) FROM pg_tables WHERE schemaname = 'microup'") == [(1,)]
    finally:
        sql_autocommit(pg_admin_url, f'DROP DATABASE "{server.database}_other" WITH (FORCE)')


def sql_autocommit(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(statement)


def test_a_newer_or_missing_schema_is_one_line_and_writes_nothing(
    pg_admin_url: str, learner_url: str
) -> None:
    sql(pg_admin_url, "UPDATE microup.microup_schema SET version = 99")
    message = one_line_error(as_role(learner_url, "log", "20"), code=1)
    assert "set up by a newer microup (schema 99" in message
    assert "newer microup" in one_line_error(as_role(pg_admin_url, "db", "init"), code=1)
    sql(pg_admin_url, "UPDATE microup.microup_schema SET version = 1")
    assert sql(pg_admin_url, "SELECT count(*) FROM microup.entry") == [(0,)]
    sql(pg_admin_url, "DROP SCHEMA microup CASCADE")
    assert "holds no microup store" in one_line_error(as_role(learner_url, "week"), code=1)


def test_unreachable_server_and_wrong_password(pg_admin_url: str) -> None:
    closed = "postgresql://nobody:secret@127.0.0.1:9/none"
    message = one_line_error(as_role(closed, "log", "20"), code=1)
    assert message.startswith("microup: error: cannot connect to postgresql://nobody:***@")
    assert "secret" not in message
    role = new_role(pg_admin_url)
    wrong = make_url(role).set(username="no_such_role_here").render_as_string()
    assert "cannot connect" in one_line_error(as_role(wrong, "week"), code=1)


def test_commands_that_need_a_url_say_so(tmp_path: Path) -> None:
    message = one_line_error(as_role(str(tmp_path / "x.db"), "cohort", "list"), code=2)
    assert "is not a postgresql:// URL" in message
    assert "is not a postgresql:// URL" in one_line_error(as_role("x", "db", "init"), code=2)


def test_without_the_driver_one_line_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in list(sys.modules):
        if name == "psycopg" or name.startswith(("psycopg.", "microup.store.postgres")):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "psycopg", None)
    import microup.store

    monkeypatch.delattr(microup.store, "postgres", raising=False)
    message = one_line_error(as_role("postgresql://x@127.0.0.1/db", "log", "20"), code=1)
    assert 'pip install "microup[postgres]"' in message
    for command in (["cohort", "list"], ["cohort", "report", "c", "--csv"], ["db", "init"]):
        refused = one_line_error(as_role("local.db", *command), code=2)  # no driver needed
        assert "is not a postgresql:// URL" in refused


def test_four_processes_logging_at_once_all_arrive(learner_url: str) -> None:
    script = (
        "import sys\nfrom microup.cli.app import app\n"
        "for i in range(10):\n"
        "    try:\n"
        "        app(['--db', sys.argv[1], 'log', '1', '-t', f'w{sys.argv[2]}', '-n', str(i)])\n"
        "    except SystemExit as e:\n"
        "        assert e.code in (0, None), e.code\n"
    )
    workers = [
        subprocess.Popen([sys.executable, "-c", script, learner_url, str(worker)])
        for worker in range(4)
    ]
    assert [worker.wait(timeout=300) for worker in workers] == [0, 0, 0, 0]
    rows = sql(learner_url, "SELECT count(*), count(DISTINCT topic_id) FROM microup.entry")
    assert rows == [(40, 4)]


def test_the_installed_command_on_postgresql(learner_url: str, tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "MICROUP_DB": learner_url}
    done = subprocess.run(
        [str(MICROUP), "log", "20", "-t", "SQL"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert not list(tmp_path.rglob("*.db"))  # no SQLite store appears beside
    week = subprocess.run([str(MICROUP), "week", "--json"], env=env, capture_output=True, text=True)
    assert json.loads(week.stdout)["minutes"] == 20


def test_a_sqlite_history_moves_into_the_shared_store(
    learner_url: str, tmp_path: Path, frozen: object
) -> None:
    local = str(tmp_path / "laptop.db")
    for args in (["log", "20", "-t", "SQL", "--at", "3d ago"], ["log", "15", "-t", "Stats"]):
        assert as_role(local, *args).exit_code == 0
    as_role(local, "goal", "45")
    exported = tmp_path / "history.json"
    assert as_role(local, "export", "-o", str(exported)).exit_code == 0
    moved = as_role(learner_url, "import", str(exported))
    assert moved.exit_code == 0 and "Imported 2 entries" in moved.stdout
    assert "Imported 0 entries" in as_role(learner_url, "import", str(exported)).stdout
    back = tmp_path / "back.json"
    assert as_role(learner_url, "export", "-o", str(back)).exit_code == 0
    assert back.read_text() == exported.read_text()


def _random_history(rng: random.Random, today: date) -> list[list[str]]:
    """Commands for one learner's patchy months, as `microup` arguments."""
    commands: list[list[str]] = []
    start = today - timedelta(days=rng.randrange(0, 120))
    if rng.random() < 0.5:
        commands.append(["goal", str(rng.choice((30, 45, 60, 90)))])
    day = start
    while day < today:
        if rng.random() < rng.choice((0.1, 0.3, 0.6)):
            minutes = rng.choice((5, 10, 20, 30, 45))
            at = f"{day.isoformat()}T{rng.randrange(6, 23):02d}:{rng.randrange(60):02d}"
            commands.append(["log", str(minutes), "-t", rng.choice("ABC"), "--at", at, "--yes"])
        if day.weekday() == 0 and rng.random() < 0.15:  # a week off, learnt in or not
            commands.append(["holiday", day.isoformat()])
        day += timedelta(days=1)
    return commands


def test_the_cohort_bands_use_exactly_the_stats_rule(pg_admin_url: str, frozen: object) -> None:
    rng = random.Random(2026)
    learners = [new_role(pg_admin_url) for _ in range(8)]
    expected: dict[str, int] = {}
    for url in learners:
        for command in _random_history(rng, NOW.date()):
            result = as_role(url, *command)
            assert result.exit_code == 0, (command, result.stderr)
        verdict = json.loads(as_role(url, "stats", "--json").stdout)["adherence"]["verdict"]
        expected[verdict] = expected.get(verdict, 0) + 1
    names = [str(make_url(url).username) for url in learners]
    as_role(pg_admin_url, "cohort", "create", "c")
    as_role(pg_admin_url, "cohort", "add", "c", *names)
    report = json.loads(as_role(pg_admin_url, "cohort", "report", "c", "--json").stdout)
    bands = {band: value["learners"] for band, value in report["adherence"].items()}
    assert {band: n for band, n in bands.items() if n} == expected
    assert report["adherence"]["most weeks"]["pilot"] == 0.35
    this_week = [json.loads(as_role(url, "week", "--json").stdout)["minutes"] for url in learners]
    active = sum(m > 0 for m in this_week)  # a week fewer than five learned in: no figures
    assert report["active_this_week"] == (round(active / 8, 3) if active >= 5 else None)
    assert report["trend"][-1]["few"] == (active < 5)
    text = as_role(pg_admin_url, "cohort", "report", "c", "--weeks", "4")
    assert text.exit_code == 0 and "UK pilot" in text.stdout and "Weekly trend" in text.stdout
    rows = as_role(pg_admin_url, "cohort", "report", "c", "--csv").stdout.splitlines()
    assert rows[0] == "week,start,active,met,median_minutes,review_follow_through"
    assert len(rows) == 9


def test_a_week_off_counts_neither_way_in_the_cohort_report(
    pg_admin_url: str, frozen: object
) -> None:
    """Issue 20: a learner who met the goal and then took two weeks off is "most weeks" in
    `stats`, and so in the cohort's bands; the weeks off plan no reviews either."""
    monday = NOW.date() - timedelta(days=NOW.weekday())
    learners = [new_role(pg_admin_url) for _ in range(5)]
    for url in learners:
        at = f"{monday - timedelta(weeks=3)}T10:00"
        assert as_role(url, "log", "60", "-t", "SQL", "--at", at, "--yes").exit_code == 0
        for weeks_ago in (2, 1):
            assert as_role(url, "holiday", str(monday - timedelta(weeks=weeks_ago))).exit_code == 0
        verdict = json.loads(as_role(url, "stats", "--json").stdout)["adherence"]["verdict"]
        assert verdict == "most weeks"
    as_role(pg_admin_url, "cohort", "create", "c")
    as_role(pg_admin_url, "cohort", "add", "c", *(str(make_url(u).username) for u in learners))
    report = json.loads(as_role(pg_admin_url, "cohort", "report", "c", "--json").stdout)
    assert report["adherence"]["most weeks"]["learners"] == 5


def test_a_week_fewer_than_five_learned_in_gives_no_figures(
    pg_admin_url: str, frozen: object
) -> None:
    """Six learned last week, one this week: the reader may know who that one is, so this
    week's figures (who met the goal, the median minutes, reviews) are not given."""
    monday = NOW.date() - timedelta(days=NOW.weekday())
    learners = [new_role(pg_admin_url) for _ in range(6)]
    for url in learners:
        at = f"{monday - timedelta(days=5)}T10:00"
        assert as_role(url, "log", "30", "-t", "SQL", "--at", at, "--yes").exit_code == 0
    assert as_role(learners[0], "log", "75", "-t", "SQL").exit_code == 0
    as_role(pg_admin_url, "cohort", "create", "c")
    as_role(pg_admin_url, "cohort", "add", "c", *(str(make_url(u).username) for u in learners))
    report = json.loads(as_role(pg_admin_url, "cohort", "report", "c", "--json").stdout)
    last, this = report["trend"][-2:]
    assert not last["few"] and last["active"] == 1.0 and last["median_minutes"] == 30
    assert this["few"] and this["median_minutes"] is None and this["met"] is None
    assert report["active_this_week"] is None and report["met_goal_this_week"] is None
    csv = as_role(pg_admin_url, "cohort", "report", "c", "--csv").stdout.splitlines()
    assert csv[-1] == f"{this['week']},{monday},,,,"
    assert "75" not in as_role(pg_admin_url, "cohort", "report", "c").stdout


def test_a_learners_queries_can_use_the_indexes_that_lead_with_the_learner(
    learner_url: str,
) -> None:
    assert as_role(learner_url, "log", "20", "-t", "SQL").exit_code == 0
    import psycopg

    with psycopg.connect(learner_url) as conn:
        conn.execute("SET enable_seqscan = off")
        for query in (
            "SELECT min(at) FROM microup.entry",
            "SELECT max(id) FROM microup.entry",
            "SELECT topic_id, at FROM microup.entry WHERE topic_id IS NOT NULL"
            " ORDER BY topic_id, at",
        ):
            plan = " ".join(row[0] for row in conn.execute(f"EXPLAIN {query}"))
            # The learner is the session's admission, found once per statement (InitPlan).
            leading = "ix_entry_learner" in plan or "entry_pkey" in plan  # (learner, id)
            assert leading and "(learner = $0)" in plan, plan


def test_rows_written_without_microup_keep_the_totals_right(
    pg_admin_url: str, learner_url: str
) -> None:
    """Triggers work whatever the connection's search path: an administrator's bulk load in
    psql counts in the learner's week like a `microup log`."""
    learner = make_url(learner_url).username
    sql(
        pg_admin_url,
        "INSERT INTO microup.entry (learner, at, utc_offset, minutes)"
        f" VALUES ({admission(pg_admin_url, learner)}, extract(epoch from now())::bigint - 60,"
        " 0, 25)",
    )
    assert json.loads(as_role(learner_url, "week", "--json").stdout)["minutes"] == 25


def test_a_learner_cannot_squat_ids_or_totals_of_others(pg_admin_url: str, frozen: object) -> None:
    """Hand-picked ids and rows in the derived tables never reach another learner."""
    alice, bob = new_role(pg_admin_url), new_role(pg_admin_url)
    sql(
        alice,
        "INSERT INTO microup.entry (id, at, utc_offset, minutes)"
        " SELECT g, 1795505902, 0, 1 FROM generate_series(1, 40) g",
    )
    sql(
        alice,
        "INSERT INTO microup.journal (id, at, summary, undo_message, steps)"
        " SELECT g, 1, 'x', 'x', '[]' FROM generate_series(1, 40) g",
    )
    for command in (["log", "10", "-t", "Brand new"], ["goal", "80"], ["log", "5", "-t", "Go"]):
        result = as_role(bob, *command)
        assert result.exit_code == 0, result.stderr
    assert "denied" in sql_error(
        alice,
        "INSERT INTO microup.topic_total (topic_id, minutes, sessions, last) VALUES (1,1,1,1)",
    )
    assert "denied" in sql_error(
        alice, "INSERT INTO microup.day_total (day, minutes) VALUES (1, 1)"
    )
    assert json.loads(as_role(bob, "week", "--json").stdout)["minutes"] == 15


def test_roles_of_another_database_on_the_server_are_not_admitted(
    pg_admin_url: str, frozen: object
) -> None:
    """Group roles are the server's: a learner or reporter of another database is refused."""
    import uuid

    outsider_db = f"microup_t_{uuid.uuid4().hex[:10]}"
    sql_autocommit(pg_admin_url, f"CREATE DATABASE {outsider_db}")
    try:
        other_admin = make_url(pg_admin_url).set(database=outsider_db).render_as_string(False)
        as_role(other_admin, "db", "init")
        stranger = new_role(other_admin)
        reporter = new_role(other_admin, group="reporter")
        here = make_url(pg_admin_url)
        stranger_here = here.set(username=make_url(stranger).username).render_as_string(False)
        reporter_here = here.set(username=make_url(reporter).username).render_as_string(False)
        assert "is not a learner" in one_line_error(as_role(stranger_here, "log", "5"), code=1)
        assert "security" in sql_error(
            stranger_here, "INSERT INTO microup.entry (at, utc_offset, minutes) VALUES (1, 0, 5)"
        )
        as_role(pg_admin_url, "cohort", "create", "c")
        message = one_line_error(as_role(reporter_here, "cohort", "report", "c"), code=1)
        assert "reporting roles" in message
        assert "reporters of this database" in sql_error(
            reporter_here, "SELECT microup.cohort_report('c', date_trunc('week', now())::date, 1)"
        )
    finally:
        sql_autocommit(pg_admin_url, f"DROP DATABASE {outsider_db} WITH (FORCE)")


def test_the_report_function_refuses_odd_windows(pg_admin_url: str) -> None:
    """Called from psql: whole weeks only, up to this one, at most 104 of them."""
    as_role(pg_admin_url, "cohort", "create", "c")
    for call in (
        "cohort_report('c', date_trunc('week', now())::date + 1, 1)",
        "cohort_report('c', date_trunc('week', now())::date + 14, 1)",
        "cohort_report('c', date_trunc('week', now())::date, 200000)",
        "cohort_report('c', date_trunc('week', now())::date, 0)",
    ):
        assert "whole weeks" in sql_error(pg_admin_url, f"SELECT microup.{call}")


def test_administrators_and_odd_names_are_never_learners(pg_admin_url: str) -> None:
    admin_name = str(make_url(pg_admin_url).username)
    message = one_line_error(as_role(pg_admin_url, "db", "add-learner", admin_name), code=2)
    assert "would see every learner's rows" in message
    assert "reserved" in one_line_error(as_role(pg_admin_url, "db", "add-learner", "PUBLIC"))
    as_role(pg_admin_url, "cohort", "create", "c")
    assert "not a learner here" in one_line_error(
        as_role(pg_admin_url, "cohort", "add", "c", admin_name)
    )


def test_urls_are_never_taken_for_file_names_and_passwords_never_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    mixed = "Postgresql://nobody:S3cretPW@127.0.0.1:9/none"
    assert "cannot connect" in one_line_error(as_role(mixed, "log", "5"), code=1)
    for url, code in (
        ("postgresql+psycopg2://u:S3cretPW@h/db", 2),
        ("mysql://u:S3cretPW@h/db", 2),
        ("postgresql://x@[::1", 1),
        ("postgresql://u:S3cretPW@h:S3cretPW/db", 1),
        ("postgresql://u:a@S3cretPW@127.0.0.1:9/db", 1),
    ):
        message = one_line_error(as_role(url, "entries"), code=code)
        assert "S3cretPW" not in message, message
    assert list(folder.iterdir()) == []
