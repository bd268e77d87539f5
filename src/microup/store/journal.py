"""The journal of changes, so `microup undo` undoes: every change records, in its own
transaction, the steps that revert it and what undoing it will say.

Steps are plain JSON, so they mean the same to any later microup:
- ``{"delete": [first_id, last_id]}``: entries the change added (a log, a stop, an import);
- ``{"restore": [entry, ...]}``: entries as they were before an edit or a delete, ids kept;
- ``{"goal": [week_start, minutes or null, minutes set]}``, ``{"setting": [key, value or
  null, value set]}``: put back only if nothing changed it again since;
- ``{"topic": [id, name, key]}``: a topic's name before a rename (recreated if merged away);
- ``{"move": [[entry_id, ...], topic_id]}``: entries moved back to the topic they came from;
- ``{"timer": timer or null}``: the running timer as it was.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any

from sqlmodel import col, delete, select

from microup.core.errors import NotFoundError, UsageError
from microup.core.values import Change, Entry, Timer
from microup.core.when import from_stored, utc_offset_minutes
from microup.store.tables import EntryRow, GoalRow, JournalRow, SettingRow, TimerRow, TopicRow

if TYPE_CHECKING:
    from microup.store.queries import Store


def entry_step(entry: Entry) -> dict[str, Any]:
    """An entry as a restore step stores it: everything needed to put it back, id included."""
    return {
        "id": entry.id,
        "at": int(entry.at.timestamp()),
        "offset": utc_offset_minutes(entry.at),
        "minutes": entry.minutes,
        "topic": entry.topic,
        "note": entry.note,
        "recall": entry.recall,
        "kind": entry.kind,
    }


def _entry_of(step: dict[str, Any]) -> Entry:
    return Entry(
        at=from_stored(step["at"], step["offset"]),
        minutes=step["minutes"],
        topic=step["topic"],
        note=step["note"],
        recall=step["recall"],
        id=step["id"],
        kind="review" if step["kind"] == "review" else "learn",
    )


def timer_step(timer: Timer | None) -> dict[str, Any] | None:
    if timer is None:
        return None
    return {
        "at": int(timer.started.timestamp()),
        "offset": utc_offset_minutes(timer.started),
        "topic": timer.topic,
        "note": timer.note,
        "kind": timer.kind,
    }


class Journal:
    """Recording and reverting changes, inside the store's open transaction."""

    def __init__(self, store: Store) -> None:
        """Work through `store`'s session."""
        self.store = store
        self.session = store.session

    def record(self, summary: str, undo_message: str, steps: list[dict[str, Any]]) -> None:
        """Note a change just made, with what reverts it."""
        self.session.add(
            JournalRow(
                at=int(datetime.now(timezone.utc).timestamp()),
                summary=summary,
                undo_message=undo_message,
                steps=json.dumps(steps, ensure_ascii=False),
            )
        )
        self.session.flush()

    def history(self, limit: int) -> list[Change]:
        """The last changes, newest first."""
        rows = self.session.exec(
            select(JournalRow).order_by(col(JournalRow.id).desc()).limit(limit)
        )
        return [
            Change(
                row.id or 0, datetime.fromtimestamp(row.at, timezone.utc), row.summary, row.undone
            )
            for row in rows
        ]

    def undo_last(self) -> str:
        """Revert the most recent change not yet undone; what was reverted."""
        row = self.session.exec(
            select(JournalRow)
            .where(col(JournalRow.undone).is_(False))
            .order_by(col(JournalRow.id).desc())
            .limit(1)
        ).first()
        if row is None:
            raise NotFoundError("nothing to undo")
        for step in reversed(json.loads(row.steps)):
            self._revert(step)
        row.undone = True
        self.session.add(row)
        self.session.flush()
        self.store.drop_unused_topics()
        return row.undo_message

    def _revert(self, step: dict[str, Any]) -> None:
        ((kind, value),) = step.items()
        if kind == "delete":
            first, last = value
            self.session.exec(
                delete(EntryRow).where(col(EntryRow.id) >= first, col(EntryRow.id) <= last)
            )
        elif kind == "restore":
            for saved in value:
                self.store.put_entry(_entry_of(saved))
        elif kind == "goal":
            week, minutes, *set_to = value
            current = self.session.get(GoalRow, week)
            if set_to and (current is None or current.minutes != set_to[0]):
                return  # changed again since: the later change stands
            if minutes is None:
                self.session.exec(delete(GoalRow).where(col(GoalRow.week_start) == week))
            else:
                self.store.set_goal(date.fromisoformat(week), minutes)
        elif kind == "setting":
            key, setting, *set_to = value
            now_value = self.store.settings().get(key)
            if set_to and now_value != set_to[0]:
                return  # changed again since: the later change stands
            if setting is None:
                self.session.exec(delete(SettingRow).where(col(SettingRow.key) == key))
            else:
                self.store.set_setting(key, setting)
        elif kind == "topic":
            topic_id, name, key = value
            self.session.merge(TopicRow(id=topic_id, name=name, key=key))
        elif kind == "move":
            ids, topic_id = value
            for entry_id in ids:
                row = self.session.get(EntryRow, entry_id)
                if row is not None:
                    row.topic_id = topic_id
                    self.session.add(row)
        elif kind == "timer":
            running = self.session.get(TimerRow, 1)
            if running is not None and value is not None:
                raise UsageError(
                    "a timer is running now; stop or cancel it before undoing the stop "
                    "(undo would start the earlier timer again)"
                )
            self.session.exec(delete(TimerRow))
            if value is not None:
                self.session.add(
                    TimerRow(
                        id=1,
                        started=value["at"],
                        utc_offset=value["offset"],
                        topic=value["topic"],
                        note=value["note"],
                        kind=value["kind"],
                    )
                )
        self.session.flush()
