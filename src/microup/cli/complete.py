"""Completion of values (topics, entry ids, setting keys, schedulers, days, formats), answered
from the store's hints file (`store.hints`): no database library, so a TAB answers at once.

Imported only while completing: by `cli.common.completer` inside Typer, and before Typer
builds any command by `cli.fast`, which answers the positions `position()` recognises.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import typer

from microup.system.hints import read_hints
from microup.system.paths import resolve_db_path

Candidates = list[tuple[str, str]]
Hints = Mapping[str, Any]


def hints_for(db: str | None, environ: Mapping[str, str]) -> Hints:
    """The hints of the store `--db` (or MICROUP_DB, or the default) names; {} if none."""
    try:
        location = resolve_db_path(db, environ)
    except Exception:  # noqa: BLE001 (completion never fails: no hints is the answer)
        return {}
    return read_hints(str(location)) or {}


def _starting(incomplete: str, values: Sequence[tuple[str, str]]) -> Candidates:
    return [(value, help) for value, help in values if value.startswith(incomplete)]


def _topics(hints: Hints, incomplete: str) -> Candidates:
    """Topics as the store spells them, matched as microup groups them: `s` offers `SQL`."""
    from microup.core.text import topic_key

    typed = topic_key(incomplete)
    names = [str(name) for name in hints.get("topics") or []]
    return [(name, "") for name in names if topic_key(name).startswith(typed)]


def _entry_ids(hints: Hints, incomplete: str) -> Candidates:
    rows = hints.get("entries") or []
    return _starting(
        incomplete,
        [(str(row[0]), f"{row[1] or '(no topic)'} {row[2]} {row[3]} min") for row in rows],
    )


def _setting_keys(hints: Hints, incomplete: str) -> Candidates:
    from microup.core.settings import SETTINGS

    return _starting(incomplete, [(key, spec.help) for key, spec in SETTINGS.items()])


def _vias(hints: Hints, incomplete: str) -> Candidates:
    return _starting(
        incomplete,
        [
            ("auto", "the first that works here"),
            ("systemd", "a user timer"),
            ("launchd", "macOS"),
            ("cron", "your crontab"),
        ],
    )


def _days(hints: Hints, incomplete: str) -> Candidates:
    names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    return _starting(incomplete, [(name, "") for name in names])


def _formats(hints: Hints, incomplete: str) -> Candidates:
    return _starting(
        incomplete,
        [
            ("json", "goals and settings too"),
            ("csv", "entries only"),
            ("xapi", "export: xAPI statements"),
            ("watson", "import: watson log --json"),
            ("timew", "import: timew export"),
            ("toggl", "import: CSV of date,minutes,topic"),
        ],
    )


VALUES: dict[str, Callable[[Hints, str], Candidates]] = {
    "topics": _topics,
    "entry_ids": _entry_ids,
    "setting_keys": _setting_keys,
    "vias": _vias,
    "days": _days,
    "formats": _formats,
}


def values(name: str, ctx: typer.Context, incomplete: str) -> Candidates:
    """Inside Typer: the values called `name`, from the store this command line names."""
    db = ctx.find_root().params.get("db")
    hints = hints_for(db, os.environ) if name in ("topics", "entry_ids") else {}
    return VALUES[name](hints, incomplete)


OPTION_VALUES = {
    "-t": "topics",
    "--topic": "topics",
    "--via": "vias",
    "--day": "days",
    "-f": "formats",
    "--format": "formats",
}
FIRST_ARGUMENT = {("edit",): "entry_ids", ("delete",): "entry_ids", ("config",): "setting_keys"}


def position(words: Sequence[str], incomplete: str) -> tuple[str | None, str] | None:
    """(the store's `--db`, the values to offer) when `words` (after `microup`) end where a
    value is completed; None otherwise (Typer answers then)."""
    db = None
    if len(words) >= 2 and words[0] == "--db":
        db, words = words[1], words[2:]
    if not words or words[0].startswith("-") or incomplete.startswith("-"):
        return None
    if words[-1] in OPTION_VALUES:
        return db, OPTION_VALUES[words[-1]]
    command = tuple(words[:2]) if words[:2] == ["topics", "rename"] else tuple(words[:1])
    rest = words[len(command) :]
    if any(word.startswith("-") for word in rest):
        return None
    if command == ("topics", "rename") and len(rest) < 2:
        return db, "topics"
    if command in FIRST_ARGUMENT and not rest:
        return db, FIRST_ARGUMENT[command]
    return None
