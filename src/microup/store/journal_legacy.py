"""Changes journaled before schema 6, as steps (see the README of 0.x), turned into row images.

Each old step becomes the rows it would have reverted, imaged as they were before the change
and as they are now, so a migrated store undoes its old changes with the one generic revert.
Runs once, inside the migration's transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, text

from microup.store.journal import Touched, added_range, changed, read_image, write_rows

Step = dict[str, Any]


def convert_legacy_journal(conn: Connection) -> None:
    """Give every change that has steps its journal rows (idempotent: skips converted ones)."""
    changes = conn.execute(
        text(
            "SELECT id, steps FROM journal WHERE steps <> '[]' AND NOT EXISTS"
            " (SELECT 1 FROM journal_row r WHERE r.change_id = journal.id) ORDER BY id"
        )
    ).all()
    for change_id, steps in changes:
        rows = [row for step in json.loads(steps) for row in _rows_of(conn, step)]
        if not rows:
            continue
        write_rows(conn, int(change_id), rows)


def _rows_of(conn: Connection, step: Step) -> Iterator[Touched]:
    ((kind, value),) = step.items()
    if kind == "delete":
        yield added_range("entry", int(value[0]), int(value[1]))
    elif kind == "restore":
        for saved in value:
            yield _entry_restored(conn, saved)
    elif kind in ("goal", "setting"):
        yield _value_set(conn, kind, value)
    elif kind == "topic":
        topic_id, name, key = value
        before = {"id": topic_id, "name": name, "key": key}
        yield changed(
            "topic", {"id": topic_id}, before, read_image(conn, "topic", {"id": topic_id})
        )
    elif kind == "move":
        ids, topic_id = value
        for entry_id in ids:
            now = read_image(conn, "entry", {"id": entry_id})
            if now is not None:
                yield changed("entry", {"id": entry_id}, {**now, "topic_id": topic_id}, now)
    elif kind == "timer":
        yield changed("timer", {"id": 1}, _timer_image(value), read_image(conn, "timer", {"id": 1}))


def _entry_restored(conn: Connection, saved: Step) -> Touched:
    topic_id = None
    if saved["topic"] is not None:
        topic_id = conn.execute(
            text("SELECT id FROM topic WHERE name = :name"), {"name": saved["topic"]}
        ).scalar()
    before = {
        "id": saved["id"],
        "at": saved["at"],
        "utc_offset": saved["offset"],
        "minutes": saved["minutes"],
        "topic_id": topic_id,
        "note": saved["note"],
        "recall": saved["recall"],
        "kind": saved["kind"],
    }
    key = {"id": saved["id"]}
    return changed("entry", key, before, read_image(conn, "entry", key))


def _value_set(conn: Connection, kind: str, value: list[Any]) -> Touched:
    name, old, *_ = value
    table, column, key = (
        ("goal", "minutes", "week_start")
        if kind == "goal"
        else (
            "setting",
            "value",
            "key",
        )
    )
    before = None if old is None else {key: name, column: old}
    return changed(table, {key: name}, before, read_image(conn, table, {key: name}))


def _timer_image(value: Step | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {
        "id": 1,
        "started": value["at"],
        "utc_offset": value["offset"],
        "topic": value["topic"],
        "note": value["note"],
        "kind": value["kind"],
    }
