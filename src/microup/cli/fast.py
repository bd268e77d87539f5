"""Answers a shell asks for many times a minute, given before Typer builds any command
(building one loads pydantic, most of a command's start-up): the completion of values and
`status --short`, both from the store's hints file. Anything else, or no hints yet, goes
the ordinary way (`answer` returns None)."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

SHORT = (["status", "--short"], ["status", "-s"])


def answer(argv: Sequence[str], environ: Mapping[str, str]) -> int | None:
    """The exit code when answered here; None to run the command as usual."""
    instruction = environ.get("_MICROUP_COMPLETE", "")
    if instruction.startswith("complete_"):
        return _complete(instruction.removeprefix("complete_"))
    return _status_short(list(argv), environ)


def _status_short(words: list[str], environ: Mapping[str, str]) -> int | None:
    from datetime import datetime

    from microup.core.errors import UsageError
    from microup.system.hints import read_hints
    from microup.system.paths import resolve_db_path

    db = None
    if len(words) >= 2 and words[0] == "--db":
        db, words = words[1], words[2:]
    if words not in SHORT or ("MICROUP_DB" in environ and not environ["MICROUP_DB"].strip()):
        return None
    try:
        location = resolve_db_path(db, environ)
    except UsageError:
        return None  # the ordinary way says what is wrong
    hints = read_hints(str(location))
    if hints is None:
        return None
    from microup.views.short import short_line

    return _write(short_line(hints, datetime.now().astimezone()))


def _complete(shell: str) -> int | None:
    from typer._click.shell_completion import CompletionItem, ShellComplete
    from typer._completion_classes import (
        BashComplete,
        FishComplete,
        PowerShellComplete,
        ZshComplete,
    )

    from microup.cli.complete import VALUES, hints_for, position

    kinds: dict[str, type[ShellComplete]] = {
        "bash": BashComplete,
        "zsh": ZshComplete,
        "fish": FishComplete,
        "powershell": PowerShellComplete,
        "pwsh": PowerShellComplete,
    }
    kind = kinds.get(shell)
    if kind is None:
        return None
    completer = kind(None, {}, "microup", "_MICROUP_COMPLETE")  # type: ignore[arg-type]
    args, incomplete = completer.get_completion_args()
    found = position(args, incomplete)
    if found is None:
        return None
    db, name = found
    hints = hints_for(db, os.environ) if name in ("topics", "entry_ids") else {}
    items = [
        CompletionItem(value, help=help or None) for value, help in VALUES[name](hints, incomplete)
    ]
    completer.get_completions = lambda args, incomplete: items  # type: ignore[method-assign]
    return _write(completer.complete())


def _write(text: str) -> int:
    try:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except (OSError, ValueError, AttributeError):
        return 1
    return 0
