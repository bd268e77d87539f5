"""Completion of values (topics, entry ids, setting keys, schedulers, days, formats), answered
from the store's hints file (`store.hints`): no SQLAlchemy, so a TAB answers at once.

Imported only while completing (`cli.common.completer`), never on an ordinary run."""

from __future__ import annotations

import os
from typing import Any

import typer

from microup.system.hints import read_hints
from microup.system.paths import resolve_db_path

Candidates = list[tuple[str, str]]


def _hints(ctx: typer.Context) -> dict[str, Any]:
    """The hints of the store this command line names (`--db`, MICROUP_DB or the default)."""
    root = ctx.find_root()
    try:
        location = resolve_db_path(root.params.get("db"), os.environ)
    except Exception:
        return {}
    return read_hints(str(location)) or {}


def _starting(incomplete: str, values: list[tuple[str, str]]) -> Candidates:
    wanted = incomplete.casefold()
    return [(value, help) for value, help in values if value.casefold().startswith(wanted)]


def topics(ctx: typer.Context, incomplete: str) -> Candidates:
    """Topic names as the store spells them."""
    names = _hints(ctx).get("topics") or []
    return _starting(incomplete, [(str(name), "") for name in names])


def entry_ids(ctx: typer.Context, incomplete: str) -> Candidates:
    """The latest entries' ids, each with its topic, date and minutes."""
    rows = _hints(ctx).get("entries") or []
    return [
        (str(row[0]), f"{row[1] or '(no topic)'} {row[2]} {row[3]} min")
        for row in rows
        if str(row[0]).startswith(incomplete)
    ]


def setting_keys(ctx: typer.Context, incomplete: str) -> Candidates:
    """`microup config` keys, with what each is."""
    from microup.core.settings import SETTINGS

    return _starting(incomplete, [(key, spec.help) for key, spec in SETTINGS.items()])


def vias(ctx: typer.Context, incomplete: str) -> Candidates:
    return _starting(
        incomplete,
        [
            ("auto", "the first that works here"),
            ("systemd", "a user timer"),
            ("launchd", "macOS"),
            ("cron", "your crontab"),
        ],
    )


def days(ctx: typer.Context, incomplete: str) -> Candidates:
    names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    return _starting(incomplete, [(name, "") for name in names])


def formats(ctx: typer.Context, incomplete: str) -> Candidates:
    return _starting(incomplete, [("json", "goals and settings too"), ("csv", "entries only")])
