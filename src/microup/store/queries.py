"""Every query microup makes, over one open transaction: rows in, domain values out."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from microup.core.errors import NotFoundError
from microup.core.memory import StudyRow
from microup.core.text import topic_key
from microup.core.values import Entry, Timer, TopicTotal
from microup.core.weeks import GoalHistory
from microup.core.when import from_stored, utc_offset_minutes
from microup.store.bulk import BulkWrites
from microup.store.journal import (
    Image,
    changed,
    put_image,
    read_image,
)
from microup.store.layout import TABLES
from microup.store.sqlite.schema import OFFSET_SPAN

if TYPE_CHECKING:
    pass


def _columns(entry: Entry, topic_id: int | None) -> dict[str, Any]:
    """An entry as the columns of its row: UTC seconds plus the offset it was lived at."""
    return {
        "at": int(entry.at.timestamp()),
        "utc_offset": utc_offset_minutes(entry.at),
        "minutes": entry.minutes,
        "topic_id": topic_id,
        "note": entry.note,
        "recall": entry.grade,
        "kind": entry.kind,
    }


def _to_entry(row: Image, topic: str | None) -> Entry:
    return Entry(
        id=row["id"],
        at=from_stored(row["at"], row["utc_offset"]),
        minutes=row["minutes"],
        topic=topic,
        note=row["note"],
        grade=row["recall"],
        kind="review" if row["kind"] == "review" else "learn",
    )


EPOCH_DAY = date(1970, 1, 1)
ENTRY_COLUMNS = ", ".join(TABLES["entry"].columns)


def _stored_day(text_: object) -> date | None:
    """The date a stored week starts on, or None if the text is no date."""
    try:
        return date.fromisoformat(str(text_))
    except ValueError:
        return None


def _day_number(day: date) -> int:
    return (day - EPOCH_DAY).days


class Store(BulkWrites):
    """Every query microup makes, over one open transaction. Rows in, domain values out.

    Every write goes through `_put` (see `store.connected`), so every change is journaled.
    """

    # The journal --------------------------------------------------------------------------

    def undo(self, change_id: int | None = None) -> str:
        """Revert a change without journaling the revert itself; what undoing it says."""
        from microup.store.journal_revert import Revert

        message = Revert(self.connection).undo(change_id)
        self.drop_unused_topics(journaled=False)
        return message

    # Topics -------------------------------------------------------------------------------

    def _topic_id(self, name: str) -> int:
        """The id of the topic spelled `name` in any case, created with this spelling if new."""
        key = topic_key(name)
        found = self._exec("SELECT id FROM topic WHERE key = :key", {"key": key}).scalar()
        if found is not None:
            return int(found)
        # Two writers may create the same topic at once (on PostgreSQL, where writes do not
        # queue behind one file lock): the loser's insert does nothing and reads the winner's.
        created = self._exec(
            "INSERT INTO topic (name, key) VALUES (:name, :key) ON CONFLICT DO NOTHING"
            " RETURNING id",
            {"name": name, "key": key},
        ).scalar()
        if created is None:
            return int(
                self._exec("SELECT id FROM topic WHERE key = :key", {"key": key}).scalar_one()
            )
        image = {"id": created, "name": name, "key": key}
        self.change.rows.append(changed("topic", {"id": created}, None, image))
        return int(created)

    def drop_unused_topics(self, *, journaled: bool = True) -> None:
        """Topics with no entries left are forgotten (their spelling with them)."""
        if self.connection.dialect.name == "postgresql":  # learners delete through it
            gone = self._exec("SELECT id, name, key FROM microup.forget_unused_topics()").all()
        else:
            gone = self._exec(
                "DELETE FROM topic WHERE id NOT IN"
                " (SELECT topic_id FROM entry WHERE topic_id IS NOT NULL) RETURNING id, name, key"
            ).all()
        for topic_id, name, key in gone if journaled else ():
            image = {"id": topic_id, "name": name, "key": key}
            self.change.rows.append(changed("topic", {"id": topic_id}, image, None))

    def _topic_names(self, ids: Iterable[int | None]) -> dict[int, str]:
        wanted = sorted({topic_id for topic_id in ids if topic_id is not None})
        if not wanted:
            return {}
        marks = ", ".join(f":t{index}" for index in range(len(wanted)))
        rows = self._exec(
            f"SELECT id, name FROM topic WHERE id IN ({marks})",
            {f"t{index}": topic_id for index, topic_id in enumerate(wanted)},
        )
        return {int(topic_id): str(name) for topic_id, name in rows}

    def find_topic(self, name: str) -> str | None:
        """The stored spelling of a topic, matched case-insensitively."""
        found = self._exec("SELECT name FROM topic WHERE key = :key", {"key": topic_key(name)})
        return found.scalar()  # type: ignore[no-any-return]

    def topic_totals(self) -> list[TopicTotal]:
        """Each topic with its total minutes, sessions and last study, most recent first
        (from `topic_total`, which triggers keep: a row a topic, whatever the history)."""
        rows = self._exec(
            "SELECT t.name, s.minutes, s.sessions, s.last FROM topic t"
            " JOIN topic_total s ON s.topic_id = t.id ORDER BY s.last DESC"
        )
        totals = []
        for name, minutes, sessions, packed in rows:
            at, offset = divmod(int(packed), OFFSET_SPAN)
            totals.append(TopicTotal(name, minutes, sessions, from_stored(at, offset - 1440)))
        return totals

    # Entries ------------------------------------------------------------------------------

    def add_entry(self, entry: Entry) -> Entry:
        columns = _columns(entry, self._topic_id(entry.topic) if entry.topic else None)
        names = ", ".join(columns)
        values = ", ".join(f":{name}" for name in columns)
        new_id = self._exec(
            f"INSERT INTO entry ({names}) VALUES ({values}) RETURNING id",
            columns,
        ).scalar_one()
        image = {"id": new_id, **columns}
        self.change.rows.append(changed("entry", {"id": new_id}, None, image))
        return _to_entry(image, self.find_topic(entry.topic) if entry.topic else None)

    def _row(self, entry_id: int) -> Image:
        row = read_image(self.connection, "entry", {"id": entry_id})
        if row is None:
            raise NotFoundError(f"no entry with id {entry_id}")
        return row

    def get_entry(self, entry_id: int) -> Entry:
        row = self._row(entry_id)
        return _to_entry(row, self._topic_names([row["topic_id"]]).get(row["topic_id"] or 0))

    def replace_entry(self, entry_id: int, entry: Entry) -> Entry:
        """Overwrite every field of an existing entry, keeping its id."""
        self._row(entry_id)
        columns = _columns(entry, self._topic_id(entry.topic) if entry.topic else None)
        self._put("entry", {"id": entry_id}, {"id": entry_id, **columns})
        self.drop_unused_topics()
        return self.get_entry(entry_id)

    def delete_entry(self, entry_id: int) -> Entry:
        entry = self.get_entry(entry_id)
        self._put("entry", {"id": entry_id}, None)
        self.drop_unused_topics()
        return entry

    def put_entry(self, entry: Entry) -> None:
        """Write an entry with its own id, over what has that id now."""
        assert entry.id is not None
        columns = _columns(entry, self._topic_id(entry.topic) if entry.topic else None)
        self._put("entry", {"id": entry.id}, {"id": entry.id, **columns})

    # The timer ----------------------------------------------------------------------------

    def timer(self) -> Timer | None:
        row = read_image(self.connection, "timer", {"id": 1})
        if row is None:
            return None
        return Timer(
            from_stored(row["started"], row["utc_offset"]),
            row["topic"],
            row["note"],
            "review" if row["kind"] == "review" else "learn",
        )

    def set_timer(self, timer: Timer | None) -> None:
        """Start (or replace) the running timer; None stops it."""
        image = None
        if timer is not None:
            image = {
                "id": 1,
                "started": int(timer.started.timestamp()),
                "utc_offset": utc_offset_minutes(timer.started),
                "topic": timer.topic,
                "note": timer.note,
                "kind": timer.kind,
            }
        self._put("timer", {"id": 1}, image)

    # Topic names --------------------------------------------------------------------------

    def topic_row(self, name: str) -> tuple[int, str, str] | None:
        """(id, spelling, key) of the topic spelled `name` in any case."""
        row = self._exec(
            "SELECT id, name, key FROM topic WHERE key = :key", {"key": topic_key(name)}
        ).first()
        return None if row is None else (int(row[0]), str(row[1]), str(row[2]))

    def topic_entry_ids(self, topic_id: int) -> list[int]:
        found = self._exec(
            "SELECT id FROM entry WHERE topic_id = :id ORDER BY id", {"id": topic_id}
        )
        return [int(entry_id) for entry_id in found.scalars()]

    def rename_topic(self, topic_id: int, name: str) -> None:
        """Respell a topic, or give it a new name that no other topic has."""
        self._put("topic", {"id": topic_id}, {"id": topic_id, "name": name, "key": topic_key(name)})

    def merge_topic(self, source_id: int, target_id: int) -> None:
        """Move every entry of one topic to another, and forget the first."""
        for entry_id in self.topic_entry_ids(source_id):
            self._put("entry", {"id": entry_id}, {**self._row(entry_id), "topic_id": target_id})
        self.drop_unused_topics()

    def first_entry_at(self) -> datetime | None:
        """When the earliest entry happened, or None without entries."""
        first = self._exec("SELECT min(at) FROM entry").scalar()
        return None if first is None else datetime.fromtimestamp(first, timezone.utc)

    def last_logged_id(self) -> int | None:
        """The id of the most recently logged entry (ids only grow, never reused)."""
        return self._exec("SELECT max(id) FROM entry").scalar()  # type: ignore[no-any-return]

    def entries(
        self,
        *,
        since: datetime | None = None,
        topic: str | None = None,
        limit: int | None = None,
        until: datetime | None = None,
    ) -> list[Entry]:
        """Entries newest first, optionally from `since` on, before `until`, for one topic."""
        conditions: list[str] = ["true"]
        parameters: dict[str, Any] = {}
        if since is not None:
            conditions.append("at >= :since")
            parameters["since"] = int(since.timestamp())
        if until is not None:
            conditions.append("at < :until")
            parameters["until"] = int(until.timestamp())
        if topic is not None:
            conditions.append("topic_id = (SELECT id FROM topic WHERE key = :key)")
            parameters["key"] = topic_key(topic)
        query = (
            f"SELECT {ENTRY_COLUMNS} FROM entry WHERE {' AND '.join(conditions)}"
            " ORDER BY at DESC, id DESC"
        )
        if limit is not None:
            query += f" LIMIT {int(limit)}"
        columns = TABLES["entry"].columns
        rows = [dict(zip(columns, row, strict=True)) for row in self._exec(query, parameters)]
        names = self._topic_names(row["topic_id"] for row in rows)
        return [_to_entry(row, names.get(row["topic_id"] or 0)) for row in rows]

    def daily_minutes(self, first: date | None = None, last: date | None = None) -> dict[date, int]:
        """Minutes per local calendar day (optionally only `first`..`last`), from `day_total`,
        which triggers keep: one row a day, whatever the number of entries."""
        low = _day_number(first) if first is not None else -(2**62)
        high = _day_number(last) if last is not None else 2**62
        rows = self._exec(
            "SELECT day, minutes FROM day_total WHERE day BETWEEN :low AND :high",
            {"low": low, "high": high},
        )
        return {EPOCH_DAY + timedelta(days=day): minutes for day, minutes in rows}

    def study_sessions(
        self, topic: str | None = None, after: Mapping[str, int] | None = None
    ) -> Iterator[StudyRow]:
        """Sessions with a topic as (topic, UTC epoch seconds, minutes, recall, is_review, note),
        by topic then time: one range of the index on (topic, at) a topic, streamed. For the
        topics in `after`, only the sessions from that time on (the rest is in the cache).
        """
        if topic is None:
            topics = self._exec("SELECT id, name FROM topic ORDER BY id").all()
        else:
            topics = self._exec(
                "SELECT id, name FROM topic WHERE key = :key", {"key": topic_key(topic)}
            ).all()
        # Material learnt on a programme's module is remembered as that module (issue 18).
        columns = (
            "SELECT e.at, e.minutes, e.recall, e.kind, coalesce(m.module, e.note) FROM entry e"
            " LEFT JOIN programme_entry m ON m.entry_id = e.id WHERE e.topic_id = ?"
        )
        for topic_id, name in topics:
            since = (after or {}).get(name)
            rows = self._raw_rows(
                columns
                + (
                    " ORDER BY e.at, e.id"
                    if since is None
                    else " AND e.at >= ? ORDER BY e.at, e.id"
                ),
                (topic_id,) if since is None else (topic_id, since),
            )
            for at, minutes, recall, kind, note in rows:
                yield name, at, minutes, recall, kind == "review", note

    def all_entries(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> Iterator[Entry]:
        """Every entry (from `since`, before `until`), oldest first, streamed with its topic
        name: for export."""
        names = dict(self._exec("SELECT id, name FROM topic").all())
        low = int(since.timestamp()) if since is not None else -(2**62)
        high = int(until.timestamp()) if until is not None else 2**62
        rows = self._raw_rows(
            "SELECT id, at, utc_offset, minutes, topic_id, note, recall, kind FROM entry"
            " WHERE at >= ? AND at < ? ORDER BY at, id",
            (low, high),
        )
        for entry_id, at, offset, minutes, topic_id, note, recall, kind in rows:
            yield Entry(
                from_stored(at, offset),
                minutes,
                names.get(topic_id),
                note,
                recall,
                entry_id,
                "review" if kind == "review" else "learn",
            )

    # Goals and settings -------------------------------------------------------------------

    def goals(self) -> GoalHistory:
        """The goals and weeks off. A row whose week is no date (written past microup, before
        the store checked it) is left out: the person cannot correct it with microup, and one
        bad row must not stop `week` or `stats`; no microup wrote it, so it was never a goal
        they set."""
        rows = self._exec("SELECT week_start, minutes FROM goal").all()
        off = self._exec("SELECT week_start FROM holiday").scalars().all()
        return GoalHistory.of(
            ((start, minutes) for text_, minutes in rows if (start := _stored_day(text_))),
            (start for text_ in off if (start := _stored_day(text_))),
        )

    def set_goal(self, monday: date, minutes: int) -> None:
        """The goal from the week starting `monday` on; earlier weeks keep theirs."""
        week = monday.isoformat()
        self._put("goal", {"week_start": week}, {"week_start": week, "minutes": minutes})

    def set_setting(self, key: str, value: str | None) -> None:
        """Set (or, with None, remove) a setting the person chose: journaled like any change."""
        self._put("setting", {"key": key}, None if value is None else {"key": key, "value": value})

    def remember(self, key: str, value: str) -> None:
        """Keep microup's own bookkeeping (when the reminder last spoke): not the person's
        change, so not journaled, and never undone."""
        put_image(self.connection, "setting", {"key": key}, {"key": key, "value": value})
