"""Every test runs in a temporary home: no test can touch the real home, store or crontab."""

from __future__ import annotations

import os
import shutil
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from typer.testing import CliRunner, Result

from microup.cli.app import app

# Property tests are judged by their examples, not by wall-clock time on a busy 2-core machine.
settings.register_profile("microup", deadline=None)
settings.load_profile("microup")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point HOME, the XDG folders and MICROUP_DB into the test's own temporary folder."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name, sub in (
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_STATE_HOME", ".local/state"),
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_CACHE_HOME", ".cache"),
    ):
        monkeypatch.setenv(name, str(home / sub))
    monkeypatch.delenv("MICROUP_DB", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")
    return home


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store path given through MICROUP_DB, as a person might."""
    path = tmp_path / "store" / "microup.db"
    monkeypatch.setenv("MICROUP_DB", str(path))
    return path


# Both engines ---------------------------------------------------------------------------------

ENGINES = ("sqlite", "postgresql")
PG_URL_VARIABLE = "MICROUP_TEST_PG_URL"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked `both_engines` that use `db` run on SQLite and on PostgreSQL."""
    if "store_engine" in metafunc.fixturenames:
        both = metafunc.definition.get_closest_marker("both_engines") is not None
        metafunc.parametrize("store_engine", ENGINES if both else ENGINES[:1])


TEST_PREFIX = "microup_t_"


@pytest.fixture(scope="session")
def pg_template() -> Iterator[tuple[str, str] | None]:
    """(server URL, template database) on the test server, with the schema and one learner.

    The server comes from MICROUP_TEST_PG_URL (a superuser's URL; `.ci/run` starts one).
    Without it the PostgreSQL cases skip, except in CI, where that is a failure.
    """
    server = os.environ.get(PG_URL_VARIABLE)
    if not server:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the PostgreSQL tests: {PG_URL_VARIABLE} is not set")
        yield None
        return
    import uuid

    import psycopg

    from microup.store.postgres.schema import init_database

    template = f"{TEST_PREFIX}{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {template}")
    init_database(_database_url(server, template))
    new_role(_database_url(server, template), LEARNER)
    yield server, template
    with psycopg.connect(server, autocommit=True) as conn:
        databases = conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", (f"{TEST_PREFIX}%",)
        ).fetchall()
        for (name,) in databases:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        roles = conn.execute(
            "SELECT rolname FROM pg_roles WHERE rolname LIKE %s", (f"{TEST_PREFIX}%",)
        ).fetchall()
        for (role,) in roles:
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')


LEARNER = f"{TEST_PREFIX}learner"


def _database_url(server: str, database: str, user: str | None = None) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(server).set(database=database)
    if user is not None:
        url = url.set(username=user, password=None)
    return url.render_as_string(hide_password=False)


def new_role(admin: str, name: str | None = None, group: str = "learner") -> str:
    """A login role (new unless named), a member of `group`; its URL for `admin`'s database."""
    import uuid

    from sqlalchemy.engine import make_url

    from microup.store.postgres.schema import grant_role

    name = name or f"{TEST_PREFIX}{uuid.uuid4().hex[:10]}"
    grant_role(admin, name, group)
    return _database_url(admin, str(make_url(admin).database), name)


@pytest.fixture
def pg_admin_url(pg_template: tuple[str, str] | None) -> Iterator[str]:
    """A database of this test's own, copied from the template: ids start at 1 again."""
    if pg_template is None:
        pytest.skip(f"no PostgreSQL server: set {PG_URL_VARIABLE} (CI does)")
    import uuid

    import psycopg

    server, template = pg_template
    name = f"{TEST_PREFIX}{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
    yield _database_url(server, name)
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture
def learner_url(pg_admin_url: str) -> str:
    """The learner's URL for this test's own database."""
    from sqlalchemy.engine import make_url

    return _database_url(pg_admin_url, str(make_url(pg_admin_url).database), LEARNER)


@pytest.fixture
def db(store_engine: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The store given through MICROUP_DB: a file, or a learner's URL on PostgreSQL."""
    location: Path | str
    if store_engine == "postgresql":
        location = request.getfixturevalue("learner_url")
    else:
        location = request.getfixturevalue("tmp_path") / "store" / "microup.db"
    monkeypatch.setenv("MICROUP_DB", str(location))
    return location


def store_state(location: Path | str) -> object:
    """Everything a store holds, to check that a refused command changed nothing."""
    if isinstance(location, Path):
        return file_bytes(location)
    import psycopg

    with psycopg.connect(location) as conn:
        return [
            conn.execute(f"SELECT * FROM microup.{table} ORDER BY 1, 2").fetchall()
            for table in ("topic", "entry", "goal", "setting", "timer", "journal")
        ]


@pytest.fixture
def local_tz(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run in Europe/London, a zone with daylight saving, whatever the machine's zone is."""
    monkeypatch.setenv("TZ", "Europe/London")
    time.tzset()
    yield "Europe/London"
    monkeypatch.undo()
    time.tzset()


Run = Callable[..., Result]


def make_store(location: Path | str) -> None:
    """Create an empty store at `location`, as a first writing command would."""
    from microup.store import transaction

    with transaction(location, write=True):
        pass


@pytest.fixture
def run(db: Path | str) -> Run:
    """Invoke the CLI in-process the way a person would type it (stdout and stderr apart)."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        return runner.invoke(app, list(args), input=input)

    return invoke


def one_line_error(result: Result, code: int = 2) -> str:
    """Assert the failure contract: the exit code, nothing on stdout, one line on stderr."""
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("microup: error: "), result.stderr
    return lines[0]


def file_bytes(path: Path) -> bytes:
    """A file's bytes, or none if it does not exist: for 'the store is unchanged' checks."""
    return path.read_bytes() if path.exists() else b""


FAKE_CRONTAB = Path(__file__).with_name("fake_crontab")


@pytest.fixture
def fake_crontab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Put the stand-in `crontab` first on PATH; the returned file is its table.

    The machine's real crontab is never read or written by a test that uses this.
    """
    bin_dir = tmp_path / "fake-bin"
    bin_dir.mkdir()
    for name in ("crontab", "systemctl", "launchctl"):  # never the machine's real schedulers
        fake = bin_dir / name
        shutil.copyfile(FAKE_CRONTAB.with_name(f"fake_{name}"), fake)
        fake.chmod(fake.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin")
    monkeypatch.setenv("FAKE_SCHEDULER_LOG", str(tmp_path / "scheduler-calls"))
    for name in ("FAKE_SYSTEMCTL_OK", "FAKE_SYSTEMCTL_FAIL", "FAKE_LAUNCHCTL_FAIL"):
        monkeypatch.delenv(name, raising=False)
    table = tmp_path / "crontab-table"
    monkeypatch.setenv("FAKE_CRONTAB_FILE", str(table))
    monkeypatch.delenv("FAKE_CRONTAB_FAIL", raising=False)
    assert shutil.which("crontab") == str(bin_dir / "crontab")
    return table
