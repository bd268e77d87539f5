"""`undo ID` of an earlier change, whatever came after it: rows changes share (topics, the
unique names of topics and programmes) never make the database refuse the revert. It either
reverts exactly that change or is refused with one line naming the later change to undo
first (found by a hostile tester: undoing the first log of a topic broke a foreign key)."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from conftest import LEARNER, Run, _database_url, one_line_error, store_state
from microup.cli.app import app
from microup.store import transaction
from microup.store.journal import decoded
from microup.store.layout import JOURNALED, TABLES

REFUSED = re.compile(
    r"^microup: error: cannot undo change \d+ \(.*\): .+ was changed again since"
    r" by change \d+ \(.*\); undo that first$"
)
OUTLINE = "# Course\n## SQL\n- Select (30m)\n- Joins (45m)\n"


def _entries(run: Run) -> list[dict[str, Any]]:
    return json.loads(run("entries", "--json").stdout)["entries"]  # type: ignore[no-any-return]


@pytest.mark.both_engines
def test_undoing_the_first_log_of_a_topic_keeps_the_topic(run: Run) -> None:
    run("log", "20", "-t", "SQL")
    run("log", "10", "-t", "SQL")
    assert run("undo", "1").stdout == "Removed #1 20 min SQL\n"
    assert [(e["id"], e["topic"]) for e in _entries(run)] == [(2, "SQL")]
    assert run("undo", "2").exit_code == 0
    assert json.loads(run("topics", "--json").stdout)["topics"] == []


@pytest.mark.both_engines
def test_a_topic_dropped_since_comes_back_with_its_entry(run: Run) -> None:
    run("log", "5", "-t", "SQL")
    run("log", "5", "-t", "SQL")
    run("edit", "1", "--topic", "Stats")
    run("delete", "2", "-y")  # the last entry of SQL: the topic goes
    assert run("undo", "3").exit_code == 0
    assert [(e["id"], e["topic"]) for e in _entries(run)] == [(1, "SQL")]
    assert run("undo", "4").stdout == "Restored #2 5 min SQL\n"
    assert [e["topic"] for e in _entries(run)] == ["SQL", "SQL"]


@pytest.mark.both_engines
def test_a_name_taken_again_since_is_refused_and_named(run: Run, db: Path | str) -> None:
    run("log", "5", "-t", "SQL")
    run("log", "5", "-t", "Stats")
    run("delete", "1", "-y")
    run("log", "5", "-t", "sql")
    before = store_state(db)
    refused = one_line_error(run("undo", "3"))
    assert REFUSED.match(refused) and "by change 4 (Logged #3 5 min sql)" in refused
    assert store_state(db) == before
    assert run("undo", "4").exit_code == 0
    assert run("undo", "3").stdout == "Restored #1 5 min SQL\n"


@pytest.mark.both_engines
def test_a_programme_added_again_since_is_refused_and_named(
    run: Run, db: Path | str, tmp_path: Path
) -> None:
    outline = tmp_path / "course.md"
    outline.write_text(OUTLINE, encoding="utf-8")
    run("programme", "add", str(outline))
    run("log", "20", "-t", "SQL")  # credited: the programme's id stays used
    run("programme", "remove", "Course", "-y")
    run("programme", "add", str(outline))
    refused = one_line_error(run("undo", "3"))
    assert REFUSED.match(refused) and "by change 4 (Added programme Course)" in refused
    assert run("undo", "4").exit_code == 0
    assert run("undo", "3").exit_code == 0


# The property: random commands, then `undo ID` of a random earlier change ------------------

TOPICS = ("SQL", "sql", "Stats", "Rust")
COMMAND = st.one_of(
    st.tuples(st.just("log"), st.integers(1, 60).map(str), st.just("-t"), st.sampled_from(TOPICS)),
    st.tuples(st.just("log"), st.integers(1, 60).map(str)),
    st.tuples(
        st.just("edit"), st.integers(1, 6).map(str), st.just("--topic"), st.sampled_from(TOPICS)
    ),
    st.tuples(st.just("edit"), st.integers(1, 6).map(str), st.just("-m"), st.just("7")),
    st.tuples(st.just("delete"), st.integers(1, 6).map(str), st.just("-y")),
    st.tuples(
        st.just("topics"),
        st.just("rename"),
        st.sampled_from(TOPICS),
        st.sampled_from(TOPICS),
        st.just("--yes"),
    ),
    st.tuples(st.just("goal"), st.sampled_from(("45", "90"))),
    st.tuples(st.just("holiday"), st.just("2026-W50")),
    st.tuples(st.just("holiday"), st.just("2026-W50"), st.just("--remove")),
    st.tuples(st.just("programme"), st.just("add"), st.just("{outline}")),
    st.tuples(st.just("programme"), st.just("remove"), st.just("Course"), st.just("-y")),
    st.tuples(st.just("undo")),
    st.tuples(st.just("undo"), st.integers(1, 8).map(str)),
)


def _rows(location: Path | str) -> dict[str, dict[str, dict[str, Any]]]:
    """Every journaled row by table and key (as JSON), and each entry's topic name."""
    found: dict[str, dict[str, dict[str, Any]]] = {}
    with transaction(location, write=False) as store:
        for table in (*JOURNALED, "names"):
            if table == "names":
                rows = store._exec(
                    "SELECT e.id, t.name FROM entry e LEFT JOIN topic t ON t.id = e.topic_id"
                ).all()
                found[table] = {str(i): {"name": n} for i, n in rows}
                continue
            columns = TABLES[table].columns
            images = [
                dict(zip(columns, row, strict=True))
                for row in store._exec(f"SELECT {', '.join(columns)} FROM {table}")
            ]
            found[table] = {_key(table, image): image for image in images}
    return found


def _key(table: str, image: dict[str, Any]) -> str:
    return json.dumps({column: image[column] for column in TABLES[table].key}, sort_keys=True)


def _touched(location: Path | str, change_id: int) -> list[tuple[str, str, Any, Any]]:
    with transaction(location, write=False) as store:
        rows = store._exec(
            "SELECT tbl, key, before, after FROM journal_row WHERE change_id = :id ORDER BY seq",
            {"id": change_id},
        ).all()
    return [
        (t, json.dumps(decoded(k), sort_keys=True), decoded(b), decoded(a)) for t, k, b, a in rows
    ]


def _check_reverted(before: Any, after: Any, touched: list[tuple[str, str, Any, Any]]) -> None:
    """Exactly the change's rows are back as they were before it (topics: as needed)."""
    reverted = {(table, key): image for table, key, image, _ in touched}
    used = {image["topic_id"] for image in after["entry"].values()}
    assert used <= {image["id"] for image in after["topic"].values()} | {None}
    assert {image["id"] for image in after["topic"].values()} <= used  # none left unused
    for table in JOURNALED:
        for key in {*before[table], *after[table]}:
            now = after[table].get(key)
            if (table, key) in reverted:
                expected = reverted[(table, key)]
                if table == "topic" and (expected is None or now is None):
                    continue  # shared: kept while used, dropped when not
                assert now == expected, (table, key)
            elif table == "topic" and now is None:
                assert before[table][key]["id"] not in used
            elif table == "topic" and key not in before[table]:
                assert now["id"] in used  # brought back for an entry that came back
            else:
                assert now == before[table].get(key), (table, key)
    topics = {json.loads(key)["id"] for table, key, _, _ in touched if table == "topic"}
    for entry_id, name in after["names"].items():
        entry = after["entry"][json.dumps({"id": int(entry_id)})]
        if ("entry", json.dumps({"id": int(entry_id)})) not in reverted and (
            entry["topic_id"] not in topics  # a topic renamed back names its entries so
        ):
            assert name == before["names"][entry_id]


def _check_undo_of_any_change(
    location: Path | str, commands: list[tuple[str, ...]], pick: int, outline: Path
) -> None:
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(app, list(args))

    outline.write_text(OUTLINE, encoding="utf-8")
    for command in commands:
        result = run(*(str(outline) if part == "{outline}" else part for part in command))
        assert "database refused" not in result.stderr, (command, result.stderr)
    history = run("history", "--json")
    if not history.stdout.strip():
        return  # nothing ever written: no store
    changes = [c["id"] for c in json.loads(history.stdout)["changes"] if not c["undone"]]
    if not changes:
        return
    change_id = changes[pick % len(changes)]
    before = _rows(location)
    touched = _touched(location, change_id)
    result = run("undo", str(change_id))
    if result.exit_code != 0:
        assert result.exit_code == 2 and REFUSED.match(result.stderr.strip()), result.stderr
        assert _rows(location) == before
        return
    _check_reverted(before, _rows(location), touched)


SOME_COMMANDS = st.lists(COMMAND, min_size=1, max_size=9)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(commands=SOME_COMMANDS, pick=st.integers(0, 50))
def test_undo_of_any_earlier_change_reverts_it_or_is_refused(
    commands: list[tuple[str, ...]], pick: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    location = tmp_path / f"{uuid.uuid4().hex}.db"
    monkeypatch.setenv("MICROUP_DB", str(location))
    _check_undo_of_any_change(location, commands, pick, tmp_path / "course.md")


@pytest.fixture
def pg_databases(pg_template: tuple[str, str] | None) -> Iterator[Any]:
    """A fresh learner database a call (copies of the template), dropped after the test."""
    if pg_template is None:
        pytest.skip("no PostgreSQL server: set MICROUP_TEST_PG_URL (CI does)")
    import psycopg

    server, template = pg_template
    made: list[str] = []

    def fresh() -> str:
        name = f"microup_t_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
        made.append(name)
        return _database_url(_database_url(server, name), name, LEARNER)

    yield fresh
    with psycopg.connect(server, autocommit=True) as conn:
        for name in made:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(commands=SOME_COMMANDS, pick=st.integers(0, 50))
def test_undo_of_any_earlier_change_on_postgresql(
    commands: list[tuple[str, ...]],
    pick: int,
    pg_databases: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    location = pg_databases()
    monkeypatch.setenv("MICROUP_DB", location)
    _check_undo_of_any_change(location, commands, pick, tmp_path / "course.md")
