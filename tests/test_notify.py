"""Desktop notifications: the bus choice, and notify-send stand-ins that succeed, fail or hang."""

from __future__ import annotations

import shlex
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from microup.system.notify import bus_address, send

NO_SUCH_UID = 2**31 - 7  # nobody has /run/user/<this>/bus


def never(_: Path) -> bool:
    return False


def test_bus_from_environment_wins() -> None:
    env = {"DBUS_SESSION_BUS_ADDRESS": "unix:abstract=/tmp/dbus-x", "XDG_RUNTIME_DIR": "/r"}
    assert bus_address(env, 1000, lambda _: True) == "unix:abstract=/tmp/dbus-x"


def test_bus_under_cron_uses_the_user_socket() -> None:
    expected = Path("/run/user/1000/bus")
    assert bus_address({}, 1000, lambda p: p == expected) == "unix:path=/run/user/1000/bus"


def test_bus_prefers_xdg_runtime_dir() -> None:
    env = {"XDG_RUNTIME_DIR": "/custom/run", "DBUS_SESSION_BUS_ADDRESS": "  "}
    assert bus_address(env, 1000, lambda _: True) == "unix:path=/custom/run/bus"
    only_run_user = Path("/run/user/1000/bus")
    assert bus_address(env, 1000, lambda p: p == only_run_user) == f"unix:path={only_run_user}"


def test_no_bus_to_reach() -> None:
    assert bus_address({}, 1000, never) is None
    assert bus_address({}, None, lambda _: True) is None
    assert bus_address({"XDG_RUNTIME_DIR": "/r"}, None, never) is None


@pytest.fixture
def bin_dir(tmp_path: Path) -> Path:
    path = tmp_path / "bin"
    path.mkdir()
    return path


def fake_notify_send(bin_dir: Path, body: str) -> None:
    script = bin_dir / "notify-send"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(0o755)


@pytest.fixture
def recorder(bin_dir: Path, tmp_path: Path) -> Path:
    """A notify-send that records its argv and the bus address it was given."""
    record = tmp_path / "record.bin"
    quoted = shlex.quote(str(record))
    fake_notify_send(
        bin_dir, f'printf \'%s\\0\' "$DBUS_SESSION_BUS_ADDRESS" "$@" > {quoted}\nexit 0\n'
    )
    return record


def recorded(record: Path) -> list[str]:
    return record.read_bytes().decode().split("\0")[:-1]


@pytest.fixture
def bus_socket() -> Iterator[Path]:
    """A real listening unix socket as $XDG_RUNTIME_DIR/bus (short path: sun_path limit)."""
    with tempfile.TemporaryDirectory(prefix="mu") as runtime:
        path = Path(runtime) / "bus"
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            server.bind(str(path))
            server.listen()
            yield path
        finally:
            server.close()


def test_no_notify_send_on_path(bin_dir: Path) -> None:
    env = {"PATH": str(bin_dir), "DBUS_SESSION_BUS_ADDRESS": "unix:path=/x"}
    assert send("t", "b", env=env) is False


def test_notify_send_gets_the_message_and_the_bus(bin_dir: Path, recorder: Path) -> None:
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "DBUS_SESSION_BUS_ADDRESS": "unix:path=/x"}
    assert send("-5 minutes left", "body with 'quotes' & <b>", env=env) is True
    assert recorded(recorder) == [
        "unix:path=/x",
        "--app-name=microup",
        "--",
        "-5 minutes left",
        "body with 'quotes' &amp; &lt;b&gt;",
    ]


def test_under_cron_the_runtime_socket_is_found(
    bin_dir: Path, recorder: Path, bus_socket: Path
) -> None:
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "XDG_RUNTIME_DIR": str(bus_socket.parent)}
    assert send("t", "b", env=env, uid=NO_SUCH_UID) is True
    assert recorded(recorder)[0] == f"unix:path={bus_socket}"


def test_a_plain_file_is_not_a_bus(bin_dir: Path, recorder: Path, tmp_path: Path) -> None:
    (tmp_path / "bus").write_text("")
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "XDG_RUNTIME_DIR": str(tmp_path)}
    assert send("t", "b", env=env, uid=NO_SUCH_UID) is False
    assert not recorder.exists()


def test_no_bus_means_no_attempt(bin_dir: Path, recorder: Path) -> None:
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin"}
    assert send("t", "b", env=env, uid=NO_SUCH_UID) is False
    assert not recorder.exists()


def test_failing_notify_send(bin_dir: Path) -> None:
    fake_notify_send(bin_dir, "echo 'cannot connect' >&2\nexit 1\n")
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "DBUS_SESSION_BUS_ADDRESS": "unix:path=/x"}
    assert send("t", "b", env=env) is False


@pytest.mark.parametrize("body", ["exec sleep 30\n", "sleep 30\nsleep 30\n"])
def test_hanging_notify_send_is_abandoned_quickly(bin_dir: Path, body: str) -> None:
    fake_notify_send(bin_dir, body)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "DBUS_SESSION_BUS_ADDRESS": "unix:path=/x"}
    started = time.monotonic()
    assert send("t", "b", env=env, timeout=0.3) is False
    assert time.monotonic() - started < 3


def test_never_raises(bin_dir: Path, recorder: Path) -> None:
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "DBUS_SESSION_BUS_ADDRESS": "unix:path=/x"}
    assert send("nul\0byte", "b", env=env) is False


def test_the_body_is_shown_literally_and_macos_gets_osascript_with_arguments(
    tmp_path: Path,
) -> None:
    from microup.system.notify import APPLESCRIPT, markup_escaped

    assert markup_escaped("<b>SQL</b> & co") == "&lt;b&gt;SQL&lt;/b&gt; &amp; co"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    record = tmp_path / "argv"
    script = bin_dir / "osascript"
    script.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$@\" > {record}\n")
    script.chmod(0o755)
    sent = send("microup", 'say "hi" <b> & end tell', env={"PATH": str(bin_dir)}, platform="darwin")
    assert sent
    args = record.read_text().splitlines()
    assert args[-2:] == ["microup", 'say "hi" <b> & end tell']  # data, never script
    assert [a for a in args if a != "-e"][:3] == list(APPLESCRIPT)
    assert not send("t", "b", env={"PATH": str(tmp_path / "none")}, platform="darwin")
