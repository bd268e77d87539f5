"""xAPI statements: built from entries (pure), written by `export --format xapi`, planned
for `lrs send` (what is new, edited, deleted)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import Run, one_line_error
from microup.app.lrs import plan
from microup.core.formats import xapi
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
