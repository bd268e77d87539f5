"""`db init` brings a shared store of schema 2 or 5 (rows owned by role names) up to schema 6
(rows owned by admissions tied to a role's oid) and on, keeping everyone's rows and nothing
more.

`data/pg_store_v2.sql` is a store microup 2's `db init` made (pg_dump --inserts): alice
and bob, learners in cohort `c`, and a former learner `microup_t_up_gone` whose role is gone.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url

from conftest import TEST_PREFIX
from microup.store.postgres.engine import PG_SCHEMA_VERSION
from test_postgres import as_role, sql

DUMP = Path(__file__).with_name("data") / "pg_store_v2.sql"
ALICE, BOB, GONE = (f"{TEST_PREFIX}up_{who}" for who in ("alice", "bob", "gone"))


def _restore(pg_template: tuple[str, str] | None, dump: Path) -> Iterator[str]:
    """A database holding the store `dump` made, and its learners' roles (not the gone one)."""
    if pg_template is None:
        pytest.skip("no PostgreSQL server: set MICROUP_TEST_PG_URL (CI does)")
    server = pg_template[0]
    name = f"{TEST_PREFIX}{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
        conn.execute(f"DROP ROLE IF EXISTS {GONE}")  # an earlier test may have made one
        for role in (ALICE, BOB):
            conn.execute(
                f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}')"
                f" THEN CREATE ROLE {role} LOGIN; END IF; END $$"
            )
            conn.execute(f"GRANT microup_learner TO {role}")
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(dump.read_text())
    yield url
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture
def v2_store(pg_template: tuple[str, str] | None) -> Iterator[str]:
    """The version 2 store (see the module's docstring)."""
    yield from _restore(pg_template, DUMP)


@pytest.fixture
def v5_store(pg_template: tuple[str, str] | None) -> Iterator[str]:
    """A store microup 5's `db init` made (programmes, `lrs_sent`, weeks off): alice (20 and
    15 minutes, a goal of 90, 2026-11-30 off) and bob (30) in cohort `c`, and the former
    learner `microup_t_up_gone` whose role is gone; ids from one sequence shared by all."""
    yield from _restore(pg_template, DUMP.with_name("pg_store_v5.sql"))


def _as(admin: str, role: str, *args: str) -> dict[str, Any]:
    url = make_url(admin).set(username=role).render_as_string(hide_password=False)
    result = as_role(url, *args)
    assert result.exit_code == 0, result.stderr
    return dict(json.loads(result.stdout)) if "--json" in args else {}


def test_db_init_upgrades_a_version_2_store(v2_store: str) -> None:
    upgraded = as_role(v2_store, "db", "init")
    assert upgraded.exit_code == 0 and "up to date" in upgraded.stdout, upgraded.stderr
    assert sql(v2_store, "SELECT version FROM microup.microup_schema") == [(PG_SCHEMA_VERSION,)]

    alice = _as(v2_store, ALICE, "entries", "--json")["entries"]
    assert isinstance(alice, list)
    assert sorted((e["minutes"], e["note"]) for e in alice) == [(15, None), (20, "alice note")]
    assert len(_as(v2_store, BOB, "entries", "--json")["entries"]) == 1
    # Totals and goals came through; new ids continue after the old ones.
    assert sql(
        make_url(v2_store).set(username=ALICE).render_as_string(False),
        "SELECT sum(minutes) FROM microup.day_total",
    ) == [(35,)]
    _as(v2_store, ALICE, "log", "5", "-t", "SQL")
    ids = [e["id"] for e in _as(v2_store, ALICE, "entries", "--json")["entries"]]
    assert sorted(ids) == [1, 2, 3]  # her own sequence, after her own ids
    cohorts = json.loads(as_role(v2_store, "cohort", "list", "--json").stdout)
    assert cohorts == {"cohorts": [{"name": "c", "learners": sorted([ALICE, BOB])}]}
    # The former learner's rows stay, seen by nobody: a new role with the name is a stranger.
    assert as_role(v2_store, "db", "add-learner", GONE).exit_code == 0
    assert _as(v2_store, GONE, "entries", "--json")["entries"] == []
    assert sql(v2_store, "SELECT count(*) FROM microup.entry WHERE note = 'gone private'") == [(1,)]


def test_db_init_upgrades_a_version_5_store(v5_store: str) -> None:
    upgraded = as_role(v5_store, "db", "init")
    assert upgraded.exit_code == 0 and "up to date" in upgraded.stdout, upgraded.stderr
    assert sql(v5_store, "SELECT version FROM microup.microup_schema") == [(PG_SCHEMA_VERSION,)]
    # Schema 7: cohort programmes keep their outline (none for those given before).
    assert sql(v5_store, "SELECT count(outline), count(due) FROM microup.cohort_programme") == [
        (0, 0)
    ]
    alice_url = make_url(v5_store).set(username=ALICE).render_as_string(False)
    bob_url = make_url(v5_store).set(username=BOB).render_as_string(False)
    alice = _as(v5_store, ALICE, "entries", "--json")["entries"]
    assert isinstance(alice, list)
    assert sorted((e["minutes"], e["note"]) for e in alice) == [(15, None), (20, "alice note")]
    assert [e["minutes"] for e in _as(v5_store, BOB, "entries", "--json")["entries"]] == [30]
    # Her week off came through, hers alone; taking it back is a delete she may make.
    assert sql(alice_url, "SELECT week_start FROM microup.holiday") == [("2026-11-30",)]
    assert sql(bob_url, "SELECT week_start FROM microup.holiday") == []
    _as(v5_store, ALICE, "holiday", "2026-11-30", "--remove")
    assert sql(alice_url, "SELECT week_start FROM microup.holiday") == []
    _as(v5_store, ALICE, "undo")
    assert sql(alice_url, "SELECT week_start FROM microup.holiday") == [("2026-11-30",)]
    _as(v5_store, ALICE, "log", "5", "-t", "SQL")
    ids = [e["id"] for e in _as(v5_store, ALICE, "entries", "--json")["entries"]]
    assert sorted(ids) == [1, 2, 3]  # her own sequence, after her own ids
    cohorts = json.loads(as_role(v5_store, "cohort", "list", "--json").stdout)
    assert cohorts == {"cohorts": [{"name": "c", "learners": sorted([ALICE, BOB])}]}
    assert as_role(v5_store, "db", "add-learner", GONE).exit_code == 0
    assert _as(v5_store, GONE, "entries", "--json")["entries"] == []
    assert sql(v5_store, "SELECT count(*) FROM microup.entry WHERE note = 'gone private'") == [(1,)]
