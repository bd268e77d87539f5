"""`lrs send --everyone` on the shared store: a reporting role sends the statements of the
learners who consented, with the ids their own sends give, and reads nobody's rows itself.

The tests that send need both the PostgreSQL server (MICROUP_TEST_PG_URL) and the LRS
(MICROUP_TEST_LRS_URL); the others the server alone. Each skips without them, as in CI it
fails instead.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from conftest import new_role, one_line_error
from microup.store.postgres.schema import grant_role
from test_lrs import lrs, read_back
from test_postgres import admission, as_role, sql, sql_error

__all__ = ["lrs"]  # the fixture, shared with test_lrs

HOME = "https://learning.example.org"


def name_of(url: str) -> str:
    return str(make_url(url).username)


def learner(admin: str, *, consent: bool, home: bool = True) -> str:
    """A new learner's URL, with the home page and consent given (or not)."""
    url = new_role(admin)
    if home:
        assert as_role(url, "config", "lrs-home", HOME).exit_code == 0
    if consent:
        assert as_role(url, "config", "lrs-consent", "yes").exit_code == 0
    return url


def log(url: str, *sessions: tuple[int, str]) -> None:
    for minutes, topic in sessions:
        done = as_role(url, "log", str(minutes), "-t", topic, "-n", f"private {topic}")
        assert done.exit_code == 0, done.stderr


def everyone(reporter: str, endpoint: str, *args: str) -> Any:
    return as_role(reporter, "lrs", "send", "--everyone", "--endpoint", endpoint, *args)


def own_ids(url: str) -> list[str]:
    """The statement ids of the learner's own export (those their own send would post)."""
    exported = as_role(url, "export", "-f", "xapi")
    assert exported.exit_code == 0, exported.stderr
    return [statement["id"] for statement in json.loads(exported.stdout)]


def sent_rows(admin: str) -> list[tuple[object, ...]]:
    return sql(admin, "SELECT learner, entry_id, statement_id, revision FROM microup.lrs_sent")


def test_only_consenting_learners_are_sent_under_their_own_ids(
    pg_admin_url: str, lrs: tuple[str, str, str], tmp_path: Path
) -> None:
    endpoint = lrs[0]
    alice = learner(pg_admin_url, consent=True)
    bob = learner(pg_admin_url, consent=False)
    carol = learner(pg_admin_url, consent=True, home=False)
    outline = tmp_path / "course.md"
    outline.write_text("# Data analysis\n## SQL\n- Select (20m)\n", "utf-8")
    assert as_role(alice, "programme", "add", str(outline)).exit_code == 0
    log(alice, (25, "SQL"), (15, "Python"))  # SQL counts toward her module "Select"
    log(bob, (20, "SQL"))
    log(carol, (10, "Go"))
    alice_ids = own_ids(alice)  # alice's store id is made by her own export
    reporter = new_role(pg_admin_url, group="reporter")

    no_home = one_line_error(everyone(reporter, endpoint), code=2)
    assert "1 consenting learner has no lrs-home" in no_home and "--home" in no_home
    dry = everyone(reporter, endpoint, "--home", HOME, "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    assert "Would send 3 statements (2 consenting learners: 3 new entries" in dry.stdout
    assert read_back(*lrs) == [] and sent_rows(pg_admin_url) == []

    sent = everyone(reporter, endpoint, "--home", HOME)
    assert sent.exit_code == 0 and "Sent 3 statements" in sent.stdout, sent.stderr
    stored = read_back(*lrs)
    assert as_role(carol, "config", "lrs-home", HOME).exit_code == 0
    assert sorted(s["id"] for s in stored) == sorted(alice_ids + own_ids(carol))
    modules = [s["object"]["id"] for s in stored if "/modules/" in s["object"]["id"]]
    assert modules == [f"{HOME}/microup/programmes/data%20analysis/modules/sql/select"]
    names = {s["actor"]["account"]["name"] for s in stored}
    assert names == {name_of(alice), name_of(carol)}
    assert not any("response" in s["result"] for s in stored)  # never a note
    assert "private" not in json.dumps(stored)

    again = everyone(reporter, endpoint, "--home", HOME)
    assert "Sent 0 statements" in again.stdout and "3 already there" in again.stdout
    assert as_role(alice, "config", "lrs-endpoint", endpoint).exit_code == 0
    own = as_role(alice, "lrs", "send")  # what the reporter sent is hers already
    assert "Sent 0 statements" in own.stdout and "2 already there" in own.stdout
    assert len(read_back(*lrs)) == 3

    # As if the send had stopped between the LRS's answer and the marks: the same statements
    # are posted again, and the LRS still holds each once.
    sql(pg_admin_url, "DELETE FROM microup.lrs_sent")
    resent = everyone(reporter, endpoint, "--home", HOME)
    assert "Sent 3 statements (2 consenting learners: 3 new entries" in resent.stdout
    assert len(read_back(*lrs)) == 3 and len(sent_rows(pg_admin_url)) == 3


def test_edits_are_voided_and_a_withdrawn_consent_stops_the_sending(
    pg_admin_url: str, lrs: tuple[str, str, str]
) -> None:
    endpoint = lrs[0]
    alice, carol = (learner(pg_admin_url, consent=True) for _ in range(2))
    log(alice, (25, "SQL"), (15, "Python"))
    log(carol, (10, "Go"))
    reporter = new_role(pg_admin_url, group="reporter")
    assert "Sent 3 statements" in everyone(reporter, endpoint).stdout
    first = own_ids(alice)
    assert set(first) <= {s["id"] for s in read_back(*lrs)}

    assert as_role(alice, "edit", "1", "--minutes", "30").exit_code == 0
    assert as_role(alice, "delete", "2", "--yes").exit_code == 0
    changed = everyone(reporter, endpoint)
    assert (
        "Sent 3 statements (2 consenting learners: 0 new entries, 1 edited, 1 deleted, "
        "1 already there)" in changed.stdout
    ), changed.stdout
    stored = read_back(*lrs)
    voided = {s["object"]["id"] for s in stored if s["verb"]["id"].endswith("/voided")}
    assert voided == set(first) and len(stored) == 6
    assert any(s["result"]["duration"] == "PT30M" for s in stored if "result" in s)
    assert as_role(alice, "config", "lrs-endpoint", endpoint).exit_code == 0
    assert "Sent 0 statements" in as_role(alice, "lrs", "send").stdout  # her own send agrees

    assert as_role(alice, "config", "lrs-consent", "no").exit_code == 0
    log(alice, (40, "SQL"))
    after = everyone(reporter, endpoint)
    assert "Sent 0 statements (1 consenting learner:" in after.stdout, after.stdout
    assert len(read_back(*lrs)) == 6
    assert as_role(carol, "config", "lrs-consent", "no").exit_code == 0
    nobody = one_line_error(everyone(reporter, endpoint), code=1)
    assert "has consented" in nobody and "lrs-consent yes" in nobody


def test_learners_and_local_stores_are_refused_and_nothing_is_marked(
    pg_admin_url: str, tmp_path: Path
) -> None:
    endpoint = "http://127.0.0.1:9/xAPI/"  # never reached: each is refused before
    alice = learner(pg_admin_url, consent=True)
    log(alice, (25, "SQL"))
    refused = one_line_error(everyone(alice, endpoint), code=1)
    assert "administrator and reporting roles" in refused
    local = one_line_error(everyone(str(tmp_path / "microup.db"), endpoint), code=2)
    assert "shared store" in local
    reporter = new_role(pg_admin_url, group="reporter")
    no_endpoint = as_role(reporter, "lrs", "send", "--everyone")
    assert "--endpoint" in one_line_error(no_endpoint, code=2)
    assert "--everyone" in one_line_error(as_role(alice, "lrs", "send", "--home", "x"), 2)
    password = "s3cret-pw"
    with_password = make_url(reporter).set(password=password).render_as_string(False)
    unreachable = one_line_error(everyone(with_password, endpoint), code=1)
    assert "cannot be reached" in unreachable and password not in unreachable
    assert sent_rows(pg_admin_url) == []


def test_the_functions_answer_for_consenting_learners_only(pg_admin_url: str) -> None:
    """The functions called directly, as psql would: a learner is refused (even one made a
    reporter too), a reporter reads no table, and gets no note and no one who said no."""
    alice = learner(pg_admin_url, consent=True)
    bob = learner(pg_admin_url, consent=False)
    log(alice, (25, "SQL"))
    log(bob, (20, "SQL"))
    call = "SELECT account, entries::TEXT FROM microup.lrs_consenting('http://x/')"
    for who in (alice, bob):
        assert "permission denied" in sql_error(who, call)
        mark = "SELECT microup.lrs_mark_consenting('http://x/', '[]', 0)"
        assert "permission denied" in sql_error(who, mark)
    reporter = new_role(pg_admin_url, group="reporter")
    for table in ("entry", "setting", "lrs_sent", "topic"):
        assert "permission denied" in sql_error(reporter, f"SELECT * FROM microup.{table}")

    rows = sql(reporter, call)
    assert [row[0] for row in rows] == [name_of(alice)]
    assert "private" not in str(rows) and '"SQL"' in str(rows[0][1])
    bob_id = admission(pg_admin_url, name_of(bob))
    marks = json.dumps([[bob_id, 1, "made-up", 0]])
    kept = sql(reporter, f"SELECT microup.lrs_mark_consenting('http://x/', '{marks}', 0)")
    assert kept == [(0,)] and sent_rows(pg_admin_url) == []

    grant_role(pg_admin_url, name_of(alice), "reporter")  # a learner made a reporter too
    assert "for reporters of this database" in sql_error(alice, call)
    assert as_role(alice, "config", "lrs-consent", "no").exit_code == 0
    assert sql(reporter, call) == []


def test_a_reporter_marks_only_what_a_send_could(pg_admin_url: str) -> None:
    """Called directly, the marking function keeps a statement only for an entry that
    exists, and a voiding only for an entry the endpoint held and that is gone: no made-up
    entries, no voids of entries never sent, no ids that are not statement ids."""
    alice = learner(pg_admin_url, consent=True)
    log(alice, (25, "SQL"), (20, "Go"))
    who = admission(pg_admin_url, name_of(alice))
    entries = [
        row[0]
        for row in sql(
            pg_admin_url, f"SELECT id FROM microup.entry WHERE learner = {who} ORDER BY id"
        )
    ]
    assert len(entries) == 2 and not {7, 8, 999} & set(entries)
    endpoint = "http://lrs.example/xAPI/"
    reporter = new_role(pg_admin_url, group="reporter")

    def marking(marks: list[list[object]]) -> object:
        text = json.dumps(marks)
        return sql(reporter, f"SELECT microup.lrs_mark_consenting('{endpoint}', '{text}', 0)")

    uuid = "00000000-0000-0000-0000-000000000000"
    assert marking([[who, 7, uuid, 0], [who, 8, "", 0], [who, 999, "x", 0]]) == [(0,)]
    assert sent_rows(pg_admin_url) == []
    # An entry the endpoint held, since deleted: its voiding is what a send gives.
    sql(
        pg_admin_url,
        "INSERT INTO microup.lrs_sent (learner, endpoint, entry_id, statement_id, revision,"
        f" sent_at) VALUES ({who}, '{endpoint}', 500, '{uuid}', 0, 0)",
    )
    first, second = entries
    kept = marking(
        [
            [who, first, uuid.replace("0", "a"), 0],  # a statement of an entry that exists
            [who, second, "", 0],  # a void of an entry that exists and was never sent
            [who, second, "not-a-statement-id", 0],
            [who, 500, "", 1],  # the void of the deleted entry
        ]
    )
    assert kept == [(2,)]
    assert sorted(sent_rows(pg_admin_url)) == sorted(
        [(who, first, uuid.replace("0", "a"), 0), (who, 500, "", 1)]
    )
