"""The LRS endpoint and home page as typed (`config`, `lrs send --endpoint`, `--everyone`):
a password, a query or a fragment in them is refused in one line, stored nowhere and shown
nowhere; a URL that does not parse is bad input."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from conftest import Run, one_line_error

SECRET = "SECRETPW"
WITH_PASSWORD = [
    f"http://u:{SECRET}@127.0.0.1:54414/xAPI/",
    f"https://lrs-user:{SECRET}@lrs.example.org/xAPI",
    f"http://u:{SECRET}/x?y#z@127.0.0.1/xAPI/",  # a password holding / ? and #
    "http://justauser@127.0.0.1/xAPI/",
]
WITH_QUERY = [
    "http://127.0.0.1:54414/xAPI/?key=SECRETQ",
    "http://127.0.0.1:54414/xAPI?key=SECRETQ",
    "http://127.0.0.1:54414/xAPI/#SECRETQ",
    "http://127.0.0.1:54414/xAPI/?",
]


def everything_shown(run: Run) -> str:
    return "".join(
        result.stdout + result.stderr
        for result in (run("config"), run("history"), run("history", "--json"), run("export"))
    )


def journal_and_settings(db: Path) -> str:
    with sqlite3.connect(db) as connection:
        tables = [
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        rows = [
            repr(connection.execute(f'SELECT * FROM "{name}"').fetchall())
            for name in tables
            if not name.startswith("sqlite_")
        ]
    return "\n".join(rows)


@pytest.mark.parametrize("url", WITH_PASSWORD)
def test_an_endpoint_with_a_password_is_refused_and_kept_nowhere(
    run: Run, db: Path, url: str
) -> None:
    assert run("config", "lrs-home", "https://learning.example.org").exit_code == 0
    assert run("log", "20", "-t", "SQL").exit_code == 0
    before = journal_and_settings(db)
    refused = one_line_error(run("config", "lrs-endpoint", url), code=2)
    assert "lrs-username" in refused and "lrs-password" in refused
    assert SECRET not in refused
    sent = one_line_error(run("lrs", "send", "--endpoint", url), code=2)
    assert sent == refused and SECRET not in sent
    assert journal_and_settings(db) == before
    assert SECRET not in everything_shown(run)
    assert "lrs-endpoint" not in run("history").stdout


@pytest.mark.parametrize("url", WITH_PASSWORD[:1] + WITH_QUERY[:1] + ["http://[::1"])
def test_everyone_refuses_the_same_endpoints_before_anything_else(run: Run, url: str) -> None:
    refused = one_line_error(run("lrs", "send", "--everyone", "--endpoint", url), code=2)
    assert "lrs-endpoint" in refused and SECRET not in refused and "SECRETQ" not in refused


@pytest.mark.parametrize("url", WITH_QUERY)
def test_an_endpoint_with_a_query_or_fragment_is_refused(run: Run, db: Path, url: str) -> None:
    assert run("config", "lrs-home", "https://learning.example.org").exit_code == 0
    assert run("log", "20", "-t", "SQL").exit_code == 0
    before = journal_and_settings(db)
    for args in (("config", "lrs-endpoint", url), ("lrs", "send", "--endpoint", url)):
        refused = one_line_error(run(*args), code=2)
        assert "query" in refused and "fragment" in refused and "SECRETQ" not in refused
    assert journal_and_settings(db) == before


@pytest.mark.parametrize(
    "url", ["http://[::1", "http://127.0.0.1:99999/xAPI/", "http://host:port/", "http:///xAPI/"]
)
def test_a_malformed_endpoint_is_bad_input(run: Run, db: Path, url: str) -> None:
    assert run("config", "lrs-home", "https://learning.example.org").exit_code == 0
    assert run("log", "20", "-t", "SQL").exit_code == 0
    assert "lrs-endpoint" in one_line_error(run("lrs", "send", "--endpoint", url), code=2)
    assert "lrs-endpoint" in one_line_error(run("config", "lrs-endpoint", url), code=2)


@pytest.mark.parametrize(
    "home", ["https://a/b?c#d", "https://a/b?c", "https://a/b#d", "https://u:SECRETPW@a/b"]
)
def test_a_home_page_with_a_query_fragment_or_password_is_refused(run: Run, home: str) -> None:
    assert run("log", "20", "-t", "SQL").exit_code == 0
    refused = one_line_error(run("config", "lrs-home", home), code=2)
    assert "lrs-home" in refused and SECRET not in refused and "?c" not in refused
    assert home not in everything_shown(run)
    assert "(not set)" in run("config", "lrs-home").stdout


def test_a_password_already_stored_in_the_endpoint_is_refused_by_send(run: Run, db: Path) -> None:
    """A store that took such an endpoint before it was refused: `lrs send` refuses it too."""
    assert run("config", "lrs-home", "https://learning.example.org").exit_code == 0
    assert run("log", "20", "-t", "SQL").exit_code == 0
    with sqlite3.connect(db) as connection:
        connection.execute(
            "INSERT INTO setting (key, value) VALUES ('lrs-endpoint', ?)",
            (WITH_PASSWORD[0],),
        )
    refused = one_line_error(run("lrs", "send"), code=2)
    assert "lrs-username" in refused and SECRET not in refused
    assert SECRET not in run("config").stdout


def test_a_plain_endpoint_is_kept_with_its_slash(run: Run) -> None:
    assert run("config", "lrs-endpoint", "https://lrs.example.org/xAPI").exit_code == 0
    shown = json.dumps(run("config", "lrs-endpoint").stdout)
    assert "https://lrs.example.org/xAPI/" in shown


def test_a_password_in_an_older_journal_is_masked(run: Run, db: Path) -> None:
    """A change recorded before such endpoints were refused: history and undo mask it."""
    assert run("log", "20", "-t", "SQL").exit_code == 0
    with sqlite3.connect(db) as connection:
        connection.execute(
            "INSERT INTO journal (at, summary, undo_message, steps, undone)"
            " VALUES (1, ?, ?, '[]', 0)",
            (
                f"Setting lrs-endpoint {WITH_PASSWORD[2]}",
                "Setting lrs-endpoint back to http://h/xAPI/?key=SECRETQ",
            ),
        )
    shown = run("history").stdout + run("history", "--json").stdout
    assert "Setting lrs-endpoint http://***@127.0.0.1/xAPI/" in shown
    undone = run("undo")
    assert SECRET not in shown + undone.stdout + undone.stderr
    assert "SECRETQ" not in undone.stdout + undone.stderr
