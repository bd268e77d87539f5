"""Running other programs (crontab, systemctl, launchctl): never a hang, never a traceback."""

from __future__ import annotations

import shutil
import subprocess

from microup.core.errors import MicroupError

TIMEOUT = 10.0
"""Seconds to wait; none of these programs needs long, and microup must never hang."""


def find_program(name: str, hint: str) -> str:
    """The program's path on PATH, or one clear error saying how to get it."""
    path = shutil.which(name)
    if path is None:
        raise MicroupError(f"no `{name}` command found; {hint}")
    return path


def run_program(
    args: list[str], stdin: bytes | None = None, timeout: float = TIMEOUT
) -> subprocess.CompletedProcess[bytes]:
    """Run `args` with `stdin`, capturing output; a timeout or a missing program is one error."""
    shown = " ".join([args[0].rsplit("/", 1)[-1], *args[1:]])
    try:
        return subprocess.run(
            args,
            input=stdin if stdin is not None else b"",
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise MicroupError(f"`{shown}` did not finish within {timeout:g} s") from None
    except OSError as error:
        raise MicroupError(f"cannot run `{shown}`: {error.strerror or error}") from None


def message_of(raw: bytes) -> str:
    """A program's stderr as one line."""
    lines = raw.decode("utf-8", "replace").strip().splitlines()
    return " ".join(line.strip() for line in lines) or "no message"
