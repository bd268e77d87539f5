"""xAPI statements: built from entries (pure), written by `export --format xapi`, planned
for `lrs send` (what is new, edited, deleted)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import Run, one_line_error
from microup.app.lrs import plan
from microup.core.formats import xapi
from microup.core.text import topic_key
from microup.core.values import Entry
from microup.store.lrs import Sent

LEARNER = xapi.Learner("https://learning.example.org", "ada")
STORE = "0b7d4c1e-0000-4000-8000-000000000001"
CET = timezone(timedelta(hours=1))


def entry(entry_id: int, minutes: int = 25, **kw: object) -> Entry:
    at = kw.pop("at", datetime(2026, 11, 20, 18, 30, tzinfo=CET))
    return Entry(at=at, minutes=minutes, id=entry_id, **kw)  # type: ignore[arg-type]


def test_a_learning_statement() -> None:
    made = xapi.statement(entry(7, topic="SQL", note="joins"), LEARNER, store_id=STORE)
    assert uuid.UUID(made["id"]).version == 5
    assert made["actor"] == {
        "objectType": "Agent",
        "account": {"homePage": "https://learning.example.org", "name": "ada"},
    }
    assert made["verb"]["id"] == "http://adlnet.gov/expapi/verbs/experienced"
    assert made["object"]["id"] == "https://learning.example.org/microup/topics/sql"
    assert made["result"] == {"duration": "PT25M"}  # the note is left out
    assert made["timestamp"] == "2026-11-20T18:30:00+01:00"


def test_a_graded_review_has_a_score_and_success() -> None:
    again = xapi.statement(entry(1, topic="SQL", grade=1, kind="review"), LEARNER, store_id=STORE)
    easy = xapi.statement(entry(2, topic="SQL", grade=4, kind="review"), LEARNER, store_id=STORE)
    assert again["verb"]["id"] == xapi.ATTEMPTED
    assert again["result"]["score"]["scaled"] == 0 and again["result"]["success"] is False
    assert easy["result"]["score"]["scaled"] == 1 and easy["result"]["success"] is True


@pytest.mark.parametrize(("minutes", "text"), [(25, "PT25M"), (60, "PT1H"), (90, "PT1H30M")])
def test_durations_are_iso_8601(minutes: int, text: str) -> None:
    assert xapi.duration(minutes) == text


def test_ids_are_stable_and_differ_with_content_store_and_revision() -> None:
    one = xapi.statement(entry(3, topic="SQL"), LEARNER, store_id=STORE)["id"]
    assert xapi.statement(entry(3, topic="SQL"), LEARNER, store_id=STORE)["id"] == one
    assert xapi.statement(entry(3, topic="sql"), LEARNER, store_id=STORE)["id"] != one  # a new name
    assert xapi.statement(entry(3, 26, topic="SQL"), LEARNER, store_id=STORE)["id"] != one
    assert xapi.statement(entry(3, topic="SQL"), LEARNER, str(uuid.uuid4()))["id"] != one
    assert xapi.statement(entry(3, topic="SQL"), LEARNER, STORE, revision=1)["id"] != one
    assert xapi.statement(entry(4, topic="SQL"), LEARNER, store_id=STORE)["id"] != one


def test_topic_iris_are_shared_by_spellings_and_quoted() -> None:
    home = LEARNER.home
    assert xapi.topic_iri(home, "SQL") == xapi.topic_iri(home, "sql")
    assert xapi.topic_iri(home, "a/b c?") == f"{home}/microup/topics/a%2Fb%20c%3F"


def test_the_plan_sends_new_voids_edited_and_deleted_and_skips_the_rest() -> None:
    first = plan([entry(1, topic="A"), entry(2, topic="B")], {}, LEARNER, store_id=STORE)
    assert (first.new, first.edited, first.deleted, len(first.statements)) == (2, 0, 0, 2)
    sent = dict(first.marks)
    again = plan([entry(1, topic="A"), entry(2, topic="B")], sent, LEARNER, store_id=STORE)
    assert again.statements == [] and again.unchanged == 2
    changed = plan([entry(1, 30, topic="A")], sent, LEARNER, store_id=STORE)
    voids = [s for s in changed.statements if s["verb"]["id"] == xapi.VOIDED]
    assert (changed.edited, changed.deleted) == (1, 1)
    assert {v["object"]["id"] for v in voids} == {sent[1].statement_id, sent[2].statement_id}
    marks = dict(changed.marks)
    assert marks[2] == Sent("", 1) and marks[1].revision == 1
    # Edited back, or brought back by undo: a new revision, never a voided id again.
    back = plan([entry(1, topic="A"), entry(2, topic="B")], marks, LEARNER, store_id=STORE)
    ids = {s["id"] for s in back.statements}
    assert not ids & {sent[1].statement_id, sent[2].statement_id, marks[1].statement_id}


def test_since_leaves_older_entries_out() -> None:
    old = entry(1, at=datetime(2026, 1, 5, 9, tzinfo=timezone.utc))
    new = entry(2, at=datetime(2026, 11, 5, 9, tzinfo=timezone.utc))
    chosen = plan(
        [old, new], {}, LEARNER, store_id=STORE, since=datetime(2026, 6, 1, tzinfo=timezone.utc)
    )
    assert chosen.new == 1 and chosen.statements[0]["timestamp"].startswith("2026-11-05")


def test_export_xapi_as_list_lines_and_with_notes(run: Run, tmp_path: Path) -> None:
    run("log", "25", "-t", "SQL", "-n", "joins <b>")
    run("log", "10", "-t", "SQL", "-r", "good")
    refused = one_line_error(run("export", "--format", "xapi"), code=2)
    assert "lrs-home" in refused
    assert run("config", "lrs-home", "https://learning.example.org/").exit_code == 0
    assert run("config", "lrs-account", "ada").exit_code == 0
    listed = json.loads(run("export", "-f", "xapi").stdout)
    assert [s["verb"]["display"]["en"] for s in listed] == ["experienced", "attempted"]
    assert all("response" not in s["result"] for s in listed)
    assert {s["actor"]["account"]["name"] for s in listed} == {"ada"}
    lines = run("export", "-f", "xapi", "--lines", "--with-notes").stdout.splitlines()
    ids = [json.loads(line)["id"] for line in lines]
    assert ids[1] == listed[1]["id"]  # no note: the same statement
    assert ids[0] != listed[0]["id"]  # another statement (with its note), so another id
    assert json.loads(lines[0])["result"]["response"] == "joins <b>"
    out = tmp_path / "statements.json"
    assert run("export", "-f", "xapi", "-o", str(out)).exit_code == 0
    assert json.loads(out.read_text()) == listed  # the same ids every time
    assert "--format xapi" in one_line_error(run("export", "--lines"), code=2)
    refused = one_line_error(run("import", str(out), "-f", "xapi"), code=2)
    assert "unknown format 'xapi': use json, csv" in refused  # import reads no xAPI


def test_the_password_is_never_shown_nor_exported(run: Run) -> None:
    secret = "s3cret-pw"
    result = run("config", "lrs-password", secret)
    assert result.exit_code == 0 and secret not in result.stdout and "(set)" in result.stdout
    assert secret not in run("config").stdout
    assert secret not in run("history").stdout
    assert secret not in run("export").stdout
    assert "must be yes or no" in one_line_error(run("config", "lrs-consent", "maybe"))
    assert "http(s) URL" in one_line_error(run("config", "lrs-home", "ftp://x"))


MODULE = xapi.Module("Data analysis", "SQL", "Joins")


def test_a_module_entry_is_about_its_module_with_topic_and_programme_around_it() -> None:
    made = xapi.statement(entry(7, topic="SQL"), LEARNER, STORE, module=MODULE)
    home = LEARNER.home
    assert made["object"] == {
        "objectType": "Activity",
        "id": f"{home}/microup/programmes/data%20analysis/modules/sql/joins",
        "definition": {"type": xapi.MODULE_TYPE, "name": {"en": "Joins"}},
    }
    around = made["context"]["contextActivities"]
    assert [a["id"] for a in around["parent"]] == [f"{home}/microup/topics/sql"]
    assert [a["id"] for a in around["grouping"]] == [f"{home}/microup/programmes/data%20analysis"]
    assert around["grouping"][0]["definition"]["name"] == {"en": "Data analysis"}
    # Without a module, the statement and its id are what they always were.
    plain = xapi.statement(entry(7, topic="SQL"), LEARNER, STORE)
    assert "context" not in plain and plain["object"]["id"] == f"{home}/microup/topics/sql"
    assert plain == xapi.statement(entry(7, topic="SQL"), LEARNER, STORE, module=None)
    assert plain["id"] == "9870ae86-aa4c-597f-ab66-6cbd0580e70b"  # as before modules came
    assert made["id"] != plain["id"]  # it says something else


def test_module_iris_follow_names_not_spellings_or_positions() -> None:
    home = LEARNER.home
    same = xapi.Module("DATA ANALYSIS", "sql", "JOINS")
    assert xapi.module_iri(home, same) == xapi.module_iri(home, MODULE)
    other_topic = xapi.Module("Data analysis", "Statistics", "Joins")
    assert xapi.module_iri(home, other_topic) != xapi.module_iri(home, MODULE)
    odd = xapi.Module("a/b", "c?d", "e f#")
    assert xapi.module_iri(home, odd) == f"{home}/microup/programmes/a%2Fb/modules/c%3Fd/e%20f%23"


names = st.text(st.characters(codec="utf-8"), min_size=1, max_size=20)


@given(names, names, names, names)
def test_module_statements_are_stable_and_differ_from_other_modules(
    programme: str, topic: str, title: str, other: str
) -> None:
    """Any names make a valid IRI (no space, slash only between parts) that spellings share,
    and a statement's id changes exactly when its module does."""
    module = xapi.Module(programme, topic, title)
    iri = xapi.module_iri(LEARNER.home, module)
    tail = iri.removeprefix(f"{LEARNER.home}/microup/programmes/")
    assert not any(c.isspace() for c in iri) and tail.count("/") == 3
    again = xapi.Module(programme.upper(), topic.upper(), title.upper())
    if all(topic_key(t.upper()) == topic_key(t) for t in (programme, topic, title)):
        assert xapi.module_iri(LEARNER.home, again) == iri
    one = xapi.statement(entry(3, topic=topic), LEARNER, STORE, module=module)
    assert xapi.statement(entry(3, topic=topic), LEARNER, STORE, module=module) == one
    moved = xapi.Module(programme, topic, other)
    differs = topic_key(other) != topic_key(title)
    assert (
        xapi.statement(entry(3, topic=topic), LEARNER, STORE, module=moved)["id"] != one["id"]
    ) == differs


def test_a_changed_module_is_sent_as_an_edit() -> None:
    first = plan([entry(1, topic="SQL")], {}, LEARNER, store_id=STORE)
    sent = dict(first.marks)
    linked = plan([entry(1, topic="SQL")], sent, LEARNER, store_id=STORE, modules={1: MODULE})
    assert (linked.new, linked.edited) == (0, 1)
    voiding, made = linked.statements
    assert voiding["object"]["id"] == sent[1].statement_id
    assert made["object"]["id"].endswith("/modules/sql/joins")
    again = plan(
        [entry(1, topic="SQL")], dict(linked.marks), LEARNER, store_id=STORE, modules={1: MODULE}
    )
    assert again.statements == [] and again.unchanged == 1
    exported = list(xapi.statements([entry(1, topic="SQL")], LEARNER, STORE, modules={1: MODULE}))
    assert exported[0]["id"] != made["id"]  # revision 1 after the voiding; the export has 0
    assert exported[0]["object"] == made["object"]


OUTLINE = "# Data analysis\n## SQL\n- Select (20m)\n- Joins (45m)\n## Statistics\n- Joins\n"


def test_export_names_the_module_an_entry_counted_toward(run: Run, tmp_path: Path) -> None:
    outline = tmp_path / "course.md"
    outline.write_text(OUTLINE, encoding="utf-8")
    assert run("programme", "add", str(outline)).exit_code == 0
    assert run("config", "lrs-home", "https://learning.example.org").exit_code == 0
    assert run("log", "20", "-t", "SQL").exit_code == 0  # Select
    assert run("log", "15", "-t", "SQL").exit_code == 0  # Joins
    assert run("log", "10", "--module", "Joins", "-t", "Statistics").exit_code == 0
    assert run("log", "10", "-t", "Go").exit_code == 0  # no programme
    assert run("log", "5", "-t", "SQL", "-r", "good").exit_code == 0  # a review: no module
    listed = json.loads(run("export", "-f", "xapi").stdout)
    home = "https://learning.example.org/microup"
    assert [s["object"]["id"] for s in listed] == [
        f"{home}/programmes/data%20analysis/modules/sql/select",
        f"{home}/programmes/data%20analysis/modules/sql/joins",
        f"{home}/programmes/data%20analysis/modules/statistics/joins",
        f"{home}/topics/go",
        f"{home}/topics/sql",
    ]
    parents = [s.get("context", {}).get("contextActivities", {}).get("parent") for s in listed]
    assert [p[0]["id"] if p else None for p in parents] == [
        f"{home}/topics/sql",
        f"{home}/topics/sql",
        f"{home}/topics/statistics",
        None,
        None,
    ]
    # The programme removed: its entries are about their topics again.
    assert run("programme", "remove", "Data analysis", "--yes").exit_code == 0
    listed = json.loads(run("export", "-f", "xapi").stdout)
    assert all("context" not in s for s in listed)
