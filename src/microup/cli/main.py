"""The console-script entry point, kept free of heavy imports so Ctrl-C during start-up is
answered like Ctrl-C anywhere else: one line and exit 130, never a traceback."""

import contextlib
import os
import signal
import sys


def main() -> None:
    """Run the `microup` command, then leave without the interpreter's teardown.

    By the time the command returns, its transaction is committed and the store closed;
    what remains is freeing SQLAlchemy's and pydantic's objects one by one, about a fifth of
    a one-line command's time. Output is flushed first, and a flush that fails is reported
    as the command itself would have (see `cli.common`).
    """
    try:
        from microup.cli.fast import answer

        quick = answer(sys.argv[1:], os.environ)
        if quick is not None:  # completion or `status --short`, from the hints file
            os._exit(quick)
        from microup.cli.app import app
    except KeyboardInterrupt:
        _say("\nmicroup: error: interrupted\n")
        sys.exit(130)
    try:
        app()
    except SystemExit as exit_:
        code = exit_.code
    except KeyboardInterrupt:  # outside the commands' own handling (see `cli.common`)
        committed = getattr(sys.modules.get("microup.store.base"), "COMMITTED", False)
        code = 0 if committed else 130
        if not committed:
            _say("\nmicroup: error: interrupted\n")
    else:
        code = 0
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the command is done: only flushing is left
    status = code if isinstance(code, int) else (0 if code is None else 1)
    if not isinstance(code, (int, type(None))):
        _say(f"{code}\n")
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, AttributeError):  # None when closed
            stream.flush()
    os._exit(status)


def _say(line: str) -> None:
    """Write to stderr if it is open."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stderr.write(line)
