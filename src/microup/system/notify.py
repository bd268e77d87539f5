"""Best-effort desktop notifications: `notify-send` on Linux, `osascript` on macOS.

The reminder runs under cron, where there is no DBUS_SESSION_BUS_ADDRESS and maybe no
desktop at all; a notification is a bonus on top of the log, so every failure is silent.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

APP_NAME = "microup"


def bus_address(
    env: Mapping[str, str], uid: int | None, socket_exists: Callable[[Path], bool]
) -> str | None:
    """The session-bus address to hand to notify-send, or None when there is none to reach.

    Pure apart from `socket_exists`, so the choice can be tested without a desktop:
    the address already in the environment wins; otherwise (as under cron) the
    per-user bus socket that systemd puts in the runtime directory.
    """
    address = env.get("DBUS_SESSION_BUS_ADDRESS", "").strip()
    if address:
        return address
    candidates: list[Path] = []
    runtime_dir = env.get("XDG_RUNTIME_DIR", "").strip()
    if runtime_dir:
        candidates.append(Path(runtime_dir) / "bus")
    if uid is not None:
        candidates.append(Path("/run/user") / str(uid) / "bus")
    for socket in candidates:
        if socket_exists(socket):
            return f"unix:path={socket}"
    return None


def _is_socket(path: Path) -> bool:
    try:
        return stat.S_ISSOCK(path.stat().st_mode)
    except OSError:
        return False


def _current_uid() -> int | None:
    getuid: Callable[[], int] | None = getattr(os, "getuid", None)
    return getuid() if getuid is not None else None


def markup_escaped(text: str) -> str:
    """Text for notify-send's body, which notification daemons read as markup: `<`, `>` and
    `&` are shown literally, never taken as tags."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


APPLESCRIPT = (
    "on run argv",
    "display notification (item 2 of argv) with title (item 1 of argv)",
    "end run",
)
"""The text arrives as arguments, never inside the script, so nothing in it is run."""


def send(
    title: str,
    body: str,
    *,
    env: Mapping[str, str] | None = None,
    uid: int | None = None,
    timeout: float = 5,
    platform: str = sys.platform,
) -> bool:
    """Show a desktop notification; True if the notifier reported success.

    Never raises and never waits longer than `timeout`: the caller has already written
    the reminder to stdout (the log), this is only the visible nudge.
    """
    try:
        environment = dict(os.environ if env is None else env)
        if platform == "darwin":
            osascript = shutil.which("osascript", path=environment.get("PATH", os.defpath))
            if osascript is None:
                return False
            script = [arg for line in APPLESCRIPT for arg in ("-e", line)]
            return _run([osascript, *script, title, body], environment, timeout)
        program = shutil.which("notify-send", path=environment.get("PATH", os.defpath))
        if program is None:
            return False
        address = bus_address(environment, _current_uid() if uid is None else uid, _is_socket)
        if address is None:
            return False
        environment["DBUS_SESSION_BUS_ADDRESS"] = address
        return _run(
            [program, f"--app-name={APP_NAME}", "--", title, markup_escaped(body)],
            environment,
            timeout,
        )
    except Exception:  # noqa: BLE001 (a notification must never break the reminder)
        return False


def _run(args: list[str], env: dict[str, str], timeout: float) -> bool:
    """Run with no terminal and kill the whole process group if it overstays."""
    process = subprocess.Popen(
        args,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        return process.wait(timeout=timeout) == 0
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except OSError:
            process.kill()
        process.wait()
        return False
