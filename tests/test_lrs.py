"""`lrs send` against a real LRS (Ralph, started by `.ci/lrs`; CI sets MICROUP_TEST_LRS_URL
and MICROUP_TEST_LRS_DIR): statements read back through its own GET /statements, voiding, a
second send adding nothing, a restart; and each way a send can fail, marking nothing."""

from __future__ import annotations

import base64
import itertools
import json
import os
import socket
import sqlite3
import subprocess
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from conftest import Run, one_line_error

URL_VARIABLE, DIR_VARIABLE = "MICROUP_TEST_LRS_URL", "MICROUP_TEST_LRS_DIR"
USERS = [
    tuple(line.strip().split(":", 1))
    for line in (Path(__file__).parents[1] / ".ci" / "lrs-users").read_text().splitlines()
    if line.strip() and not line.startswith("#")
]
_next_user, _tried = itertools.count(), itertools.count()


@pytest.fixture
def lrs(monkeypatch: pytest.MonkeyPatch) -> tuple[str, str, str]:
    """The test LRS's endpoint and a user of this test's own (its statements kept apart)."""
    endpoint = os.environ.get(URL_VARIABLE)
    if not endpoint:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the LRS tests: {URL_VARIABLE} is not set")
        pytest.skip(f"no LRS: set {URL_VARIABLE} (see .ci/lrs; CI does)")
    for name, password in iter(lambda: USERS[next(_next_user) % len(USERS)], None):
        if not read_back(endpoint, name, password):  # a user nothing was sent as yet
            break
        if next(_tried) > len(USERS):
            pytest.fail("every user of the test LRS holds statements: restart it (.ci/lrs)")
    monkeypatch.setenv("MICROUP_LRS_USERNAME", name)
    monkeypatch.setenv("MICROUP_LRS_PASSWORD", password)
    return endpoint, name, password


def read_back(endpoint: str, name: str, password: str) -> list[dict[str, Any]]:
    """Every statement the LRS holds for this user, through its GET /statements."""
    auth = base64.b64encode(f"{name}:{password}".encode()).decode()
    found: list[dict[str, Any]] = []
    url: str | None = endpoint + "statements?limit=500"
    root = endpoint.split("/xAPI")[0]
    while url:
        request = urllib.request.Request(
            url, headers={"Authorization": f"Basic {auth}", "X-Experience-API-Version": "1.0.3"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            page = json.load(response)
        found += page["statements"]
        more = page.get("more")
        url = root + more if more and page["statements"] else None
    return found


def sent_rows(db: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT * FROM lrs_sent ORDER BY entry_id").fetchall()


def setup(run: Run, endpoint: str) -> None:
    assert run("config", "lrs-home", "https://learning.example.org").exit_code == 0
    assert run("config", "lrs-endpoint", endpoint).exit_code == 0


def test_statements_arrive_once_and_edits_are_voided(
    run: Run, db: Path, lrs: tuple[str, str, str]
) -> None:
    endpoint = lrs[0]
    setup(run, endpoint)
    for minutes, topic in ((25, "SQL"), (15, "Python"), (10, "SQL")):
        assert run("log", str(minutes), "-t", topic).exit_code == 0
    exported = json.loads(run("export", "-f", "xapi").stdout)
    assert "Would send 3 statements" in run("lrs", "send", "--dry-run").stdout
    assert read_back(*lrs) == []  # a dry run sends nothing
    sent = run("lrs", "send")
    assert sent.exit_code == 0 and "Sent 3 statements (3 new entries" in sent.stdout
    stored = read_back(*lrs)
    assert sorted(s["id"] for s in stored) == sorted(s["id"] for s in exported)
    assert {s["result"]["duration"] for s in stored} == {"PT25M", "PT15M", "PT10M"}

    again = run("lrs", "send")
    assert "Sent 0 statements" in again.stdout and "3 already there" in again.stdout
    assert len(read_back(*lrs)) == 3

    assert run("edit", "1", "--minutes", "30").exit_code == 0
    assert run("delete", "2", "--yes").exit_code == 0
    changed = run("lrs", "send")
    assert "Sent 3 statements (0 new entries, 1 edited, 1 deleted" in changed.stdout
    stored = read_back(*lrs)
    voided = {s["object"]["id"] for s in stored if s["verb"]["id"].endswith("/voided")}
    assert voided == {exported[0]["id"], exported[1]["id"]}
    assert len(stored) == 3 + 3
    assert any(s["result"]["duration"] == "PT30M" for s in stored if "result" in s)
    assert [row[2] for row in sent_rows(db)][1] == ""  # the deleted entry: nothing live
    assert "Sent 0 statements" in run("lrs", "send").stdout


def test_a_send_lost_after_the_post_is_sent_again_and_stored_once(
    run: Run, db: Path, lrs: tuple[str, str, str]
) -> None:
    """A crash between the LRS's answer and the mark: the next send posts the same
    statements again, and the LRS still holds each once."""
    endpoint, *_ = lrs
    setup(run, endpoint)
    run("log", "20", "-t", "SQL")
    run("log", "20", "-t", "Go")
    assert run("lrs", "send").exit_code == 0
    with sqlite3.connect(db) as connection:
        connection.execute("DELETE FROM lrs_sent")  # as if the marks had never been written
    resent = run("lrs", "send")
    assert resent.exit_code == 0 and "Sent 2 statements" in resent.stdout
    assert len(read_back(*lrs)) == 2


def test_a_batch_the_lrs_partly_holds_is_sent_and_marked(
    run: Run, db: Path, lrs: tuple[str, str, str]
) -> None:
    """Ralph answers such a batch with the ids of the new statements only (and 204 when it
    holds them all): both are its answer to the whole batch, and every entry is marked."""
    endpoint, *_ = lrs
    setup(run, endpoint)
    run("log", "20", "-t", "SQL")
    assert run("lrs", "send").exit_code == 0
    with sqlite3.connect(db) as connection:
        connection.execute("DELETE FROM lrs_sent")
    run("log", "15", "-t", "Go")
    resent = run("lrs", "send")
    assert resent.exit_code == 0 and "Sent 2 statements (2 new entries" in resent.stdout
    assert len(read_back(*lrs)) == 2 and len(sent_rows(db)) == 2


def test_the_lrs_stopped_then_restarted(run: Run, db: Path, lrs: tuple[str, str, str]) -> None:
    folder = os.environ.get(DIR_VARIABLE)
    if not folder:
        pytest.skip(f"{DIR_VARIABLE} names the test LRS's folder, to stop and start it")
    endpoint, *_ = lrs
    setup(run, endpoint)
    run("log", "20", "-t", "SQL")
    script = Path(__file__).parents[1] / ".ci" / "lrs"
    subprocess.run([str(script), "stop", folder], check=True)
    try:
        message = one_line_error(run("lrs", "send"), code=1)
        assert "cannot be reached" in message and "nothing was marked" in message
        assert sent_rows(db) == []
    finally:
        started = subprocess.run(
            [str(script), "start", folder], check=True, capture_output=True, text=True
        )
    assert started.stdout.strip() == endpoint
    assert "Sent 1 statement" in run("lrs", "send").stdout
    assert len(read_back(*lrs)) == 1 and len(sent_rows(db)) == 1


def test_wrong_password_and_tls_are_one_line_and_mark_nothing(
    run: Run, db: Path, lrs: tuple[str, str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint, _, password = lrs
    setup(run, endpoint)
    run("log", "20", "-t", "SQL")
    monkeypatch.setenv("MICROUP_LRS_PASSWORD", "wrong-" + password)
    refused = one_line_error(run("lrs", "send"), code=1)
    assert "HTTP 401" in refused and "wrong-" not in refused
    monkeypatch.setenv("MICROUP_LRS_PASSWORD", password)
    tls = one_line_error(run("lrs", "send", "--endpoint", endpoint.replace("http:", "https:")), 1)
    assert "TLS" in tls
    assert sent_rows(db) == []


ECHO = b"ECHO"
"""A scripted body that stands for the ids of the statements posted, as an LRS answers."""


class _Scripted(BaseHTTPRequestHandler):
    """A web server that answers POST with the next of its scripted answers."""

    answers: ClassVar[list[tuple[int, str, bytes]]] = []
    posts: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:
        self.posts.append(self.rfile.read(int(self.headers["Content-Length"])))
        status, kind, body = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if body == ECHO:
            body = json.dumps(
                [statement["id"] for statement in json.loads(self.posts[-1])]
            ).encode()
        auth = self.headers.get("Authorization", "")
        decoded = base64.b64decode(auth.removeprefix("Basic ")).decode() if auth else ""
        body = body.replace(b"{auth}", auth.encode()).replace(b"{decoded}", decoded.encode())
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def scripted() -> Iterator[tuple[str, type[_Scripted]]]:
    handler = type("Handler", (_Scripted,), {"answers": [], "posts": []})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/xapi/", handler
    server.shutdown()
    server.server_close()


def test_each_bad_answer_is_one_line_and_marks_nothing(
    run: Run, db: Path, scripted: tuple[str, type[_Scripted]]
) -> None:
    endpoint, handler = scripted
    setup(run, endpoint)
    run("log", "20", "-t", "SQL")
    cases = [
        (
            (400, "application/json", b'{"error": "statement 3: actor is missing"}'),
            "refused a statement (HTTP 400: statement 3: actor is missing)",
        ),
        ((200, "text/html", b"<html><body>Welcome</body></html>"), "does not answer as an xAPI"),
        ((404, "text/html", b"<html>Not found</html>"), "does not answer as an xAPI"),
    ]
    for answer, expected in cases:
        handler.answers[:] = [answer]
        assert expected in one_line_error(run("lrs", "send"), code=1)
    assert sent_rows(db) == []
    closed = one_line_error(run("lrs", "send", "--endpoint", "http://127.0.0.1:9/xapi"), 1)
    assert "cannot be reached" in closed
    assert sent_rows(db) == []


def test_an_lrs_that_echoes_the_password_does_not_get_it_shown(
    run: Run, db: Path, scripted: tuple[str, type[_Scripted]], monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint, handler = scripted
    setup(run, endpoint)
    monkeypatch.setenv("MICROUP_LRS_USERNAME", "alice")
    monkeypatch.setenv("MICROUP_LRS_PASSWORD", "Sup3rS3cret")
    run("log", "20", "-t", "SQL")
    secret = base64.b64encode(b"alice:Sup3rS3cret").decode()
    for status in (400, 409):
        handler.answers[:] = [
            (status, "application/json", b'{"message": "bad: {decoded} with {auth}"}')
        ]
        done = run("lrs", "send")
        said = done.stdout + done.stderr
        assert done.exit_code == 1 and "bad: *** with Basic ***" in said, said
        assert "Sup3rS3cret" not in said and secret not in said and secret[:12] not in said
    assert sent_rows(db) == []


def test_5xx_answers_are_tried_again(
    run: Run, db: Path, scripted: tuple[str, type[_Scripted]]
) -> None:
    endpoint, handler = scripted
    setup(run, endpoint)
    run("log", "20", "-t", "SQL")
    handler.answers[:] = [
        (503, "text/plain", b"busy"),
        (502, "text/plain", b"gateway"),
        (200, "application/json", ECHO),
    ]
    assert "Sent 1 statement" in run("lrs", "send").stdout
    assert len(handler.posts) == 3 and len(set(handler.posts)) == 1  # the same batch
    assert handler.posts[0].startswith(b"[{") and len(sent_rows(db)) == 1


def test_a_learner_on_the_shared_store_sends_as_their_role(
    learner_url: str, lrs: tuple[str, str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.engine import make_url
    from typer.testing import CliRunner

    from microup.cli.app import app

    monkeypatch.setenv("MICROUP_DB", learner_url)
    runner = CliRunner()

    def run(*args: str) -> Any:
        return runner.invoke(app, list(args))

    setup(run, lrs[0])
    assert run("config", "lrs-account", "someone-else").exit_code == 0  # the role wins
    run("log", "20", "-t", "SQL")
    assert "Sent 1 statement" in run("lrs", "send").stdout
    assert "Sent 0 statements" in run("lrs", "send").stdout
    stored = read_back(*lrs)
    assert [s["actor"]["account"]["name"] for s in stored] == [make_url(learner_url).username]


def test_a_module_entry_arrives_as_its_module_within_topic_and_programme(
    run: Run, tmp_path: Path, lrs: tuple[str, str, str]
) -> None:
    endpoint = lrs[0]
    setup(run, endpoint)
    outline = tmp_path / "course.md"
    outline.write_text("# Data analysis\n## SQL\n- Select (20m)\n- Joins (45m)\n", "utf-8")
    assert run("programme", "add", str(outline)).exit_code == 0
    assert run("log", "20", "-t", "SQL").exit_code == 0  # Select
    assert run("log", "10", "-t", "Go").exit_code == 0  # no programme
    assert "Sent 2 statements (2 new entries" in run("lrs", "send").stdout
    stored = {s["object"]["id"]: s for s in read_back(*lrs)}
    home = "https://learning.example.org/microup"
    module = stored[f"{home}/programmes/data%20analysis/modules/sql/select"]
    assert module["object"]["definition"]["name"] == {"en": "Select"}
    around = module["context"]["contextActivities"]
    assert [a["id"] for a in around["parent"]] == [f"{home}/topics/sql"]
    assert [a["id"] for a in around["grouping"]] == [f"{home}/programmes/data%20analysis"]
    assert "context" not in stored[f"{home}/topics/go"]
    # The module link gone (the programme removed): an edited entry, voided and sent again.
    assert run("programme", "remove", "Data analysis", "--yes").exit_code == 0
    assert "Sent 2 statements (0 new entries, 1 edited" in run("lrs", "send").stdout
    after = read_back(*lrs)
    voided = [s["object"]["id"] for s in after if s["verb"]["id"].endswith("/voided")]
    assert voided == [module["id"]]
    assert len([s for s in after if s["object"]["id"] == f"{home}/topics/sql"]) == 1


def test_an_answer_that_does_not_name_the_statements_sent_is_not_an_lrs(
    run: Run, db: Path, scripted: tuple[str, type[_Scripted]]
) -> None:
    """xAPI: the LRS answers a POST with the ids it stored; `200 []`, ids of other
    statements, or anything but a list of ids marks nothing."""
    endpoint, handler = scripted
    setup(run, endpoint)
    run("log", "20", "-t", "SQL")
    run("log", "10", "-t", "Go")
    ours = [s["id"] for s in json.loads(run("export", "-f", "xapi").stdout)]
    for body in (
        b"[]",
        b'["x"]',
        json.dumps([*ours, "x"]).encode(),
        json.dumps([ours[0], ours[0]]).encode(),
        json.dumps([{"id": ours[0]}]).encode(),
        b'{"ok": true}',
    ):
        handler.answers[:] = [(200, "application/json", body)]
        refused = one_line_error(run("lrs", "send"), code=1)
        assert "does not answer as an xAPI LRS" in refused and "nothing was marked" in refused
    assert sent_rows(db) == []
    handler.answers[:] = [(200, "application/json", json.dumps(ours[1:]).encode())]
    assert "Sent 2 statements" in run("lrs", "send").stdout  # Ralph names only the new ones
    assert len(sent_rows(db)) == 2


def test_a_server_that_never_answers_is_given_up_on_and_said_so(
    run: Run, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It accepts the connection and says nothing: each try waits $MICROUP_LRS_TIMEOUT, the
    waits are said on stderr, and the send gives up within two timeouts' worth of tries."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)  # connections complete in the backlog; none is ever answered
    try:
        setup(run, f"http://127.0.0.1:{silent.getsockname()[1]}/xAPI/")
        run("log", "20", "-t", "SQL")
        monkeypatch.setenv("MICROUP_LRS_TIMEOUT", "1")
        result = run("lrs", "send")
    finally:
        silent.close()
    assert result.exit_code == 1 and result.stdout == ""
    *waits, last = result.stderr.splitlines()
    assert last.startswith("microup: error: ") and "did not answer within 1 s" in last
    assert "nothing was marked" in last and sent_rows(db) == []
    assert waits and all("has not answered in 1 s; trying again" in w for w in waits)
    assert len(waits) < 4  # given up before the five tries: about 2 s of waiting


@pytest.mark.parametrize("value", ["0", "-1", "soon", "nan", "601"])
def test_a_bad_timeout_is_refused(
    run: Run, db: Path, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup(run, "http://127.0.0.1:9/xAPI/")
    run("log", "20", "-t", "SQL")
    monkeypatch.setenv("MICROUP_LRS_TIMEOUT", value)
    assert "MICROUP_LRS_TIMEOUT" in one_line_error(run("lrs", "send"), code=2)
    assert sent_rows(db) == []
