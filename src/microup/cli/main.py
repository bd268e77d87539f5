"""The console-script entry point, kept free of heavy imports so Ctrl-C during start-up is
answered like Ctrl-C anywhere else: one line and exit 130, never a traceback."""

import contextlib
import os
import sys


def main() -> None:
    """Run the `microup` command, then leave without the interpreter's teardown.

    By the time the command returns, its transaction is committed and the store closed;
    what remains is freeing SQLAlchemy's and pydantic's objects one by one, about a fifth of
    a one-line command's time. Output is flushed first, and a flush that fails is reported
    as the command itself would have (see `cli.common`).
    """
    try:
        from microup.cli.app import app
    except KeyboardInterrupt:
        sys.stderr.write("\nmicroup: error: interrupted\n")
        sys.exit(130)
    try:
        app()
    except SystemExit as exit_:
        code = exit_.code
    else:
        code = 0
    status = code if isinstance(code, int) else (0 if code is None else 1)
    if not isinstance(code, (int, type(None))):
        sys.stderr.write(f"{code}\n")
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, AttributeError):  # None when closed
            stream.flush()
    os._exit(status)
