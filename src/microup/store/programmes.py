"""The programme queries (issue 18): programmes and their parts in, `Programme` values out.

Every write goes through `Store._put`, so the journal holds each row's images and `undo`
reverts adding, updating, removing a programme and any progress, like any other change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from microup.core.formats.xapi import Module
from microup.core.programme import Part, Programme
from microup.core.text import topic_key
from microup.store.layout import TABLES
from microup.store.queries import Store

_PART_COLUMNS = ", ".join(TABLES["programme_part"].columns)


def _part_image(programme_id: int, part: Part) -> dict[str, Any]:
    return {
        "programme_id": programme_id,
        "seq": part.seq,
        "topic": part.topic,
        "title": part.title,
        "part": part.part,
        "parts": part.parts,
        "minutes": part.minutes,
        "done_minutes": part.done_minutes,
        "done_at": part.done_at,
    }


def _parts(store: Store, programme_id: int) -> tuple[Part, ...]:
    rows = store._exec(
        f"SELECT {_PART_COLUMNS} FROM programme_part WHERE programme_id = :id ORDER BY seq",
        {"id": programme_id},
    )
    return tuple(
        Part(seq, topic, title, part, parts, minutes, done_minutes, done_at)
        for _, seq, topic, title, part, parts, minutes, done_minutes, done_at in rows
    )


def programmes(store: Store) -> list[Programme]:
    """Every programme, in the order they were added."""
    return _programmes(store, None)


def _programmes(store: Store, key: str | None) -> list[Programme]:
    """The programmes (of this name key, if given), in the order they were added."""
    rows = store._exec(
        "SELECT id, name, position, start, due FROM programme"
        + ("" if key is None else " WHERE key = :key")
        + " ORDER BY position, id",
        {"key": key},
    ).all()
    return [
        Programme(
            int(programme_id),
            str(name),
            date.fromisoformat(start),
            None if due is None else date.fromisoformat(due),
            int(position),
            _parts(store, int(programme_id)),
        )
        for programme_id, name, position, start, due in rows
    ]


def find_programme(store: Store, name: str) -> Programme | None:
    """The programme named `name` in any case, or None (only its own parts are read)."""
    return next(iter(_programmes(store, topic_key(name))), None)


def new_programme_id(store: Store) -> tuple[int, int]:
    """An id no programme row, part or entry link has used, and the next position."""
    used = store._exec(
        "SELECT max(id) FROM (SELECT max(id) AS id FROM programme"
        " UNION ALL SELECT max(programme_id) FROM programme_part"
        " UNION ALL SELECT max(programme_id) FROM programme_entry) ids"
    ).scalar()
    position = store._exec("SELECT max(position) FROM programme").scalar()
    return int(used or 0) + 1, int(position or 0) + 1


def put_programme(store: Store, programme: Programme) -> None:
    """Write the programme and its parts as given; parts beyond its last are removed."""
    store._put(
        "programme",
        {"id": programme.id},
        {
            "id": programme.id,
            "name": programme.name,
            "key": topic_key(programme.name),
            "position": programme.position,
            "start": programme.start.isoformat(),
            "due": None if programme.by is None else programme.by.isoformat(),
        },
    )
    stale = store._exec(
        "SELECT seq FROM programme_part WHERE programme_id = :id AND seq >= :count",
        {"id": programme.id, "count": len(programme.parts)},
    ).scalars()
    for seq in list(stale):
        store._put("programme_part", {"programme_id": programme.id, "seq": seq}, None)
    put_parts(store, programme.id, programme.parts)


def put_parts(store: Store, programme_id: int, parts: Sequence[Part]) -> None:
    """Write these parts (progress on them) over what they were."""
    for part in parts:
        key = {"programme_id": programme_id, "seq": part.seq}
        store._put("programme_part", key, _part_image(programme_id, part))


def rename_topic(store: Store, old: str, new: str) -> int:
    """Give the parts of topic `old` (any case, any width) the topic `new`, as `topics
    rename` does to entries; how many parts changed."""
    key = topic_key(old)
    changed = 0
    for programme in programmes(store):
        parts = [
            replace(p, topic=new)
            for p in programme.parts
            if topic_key(p.topic) == key and p.topic != new
        ]
        put_parts(store, programme.id, parts)
        changed += len(parts)
    return changed


def rename_clash(store: Store, old: str, new: str) -> tuple[str, str, str, str] | None:
    """A programme that would hold a module twice under one topic if topic `old` became
    `new` (its export would not import): (programme, module, old's spelling, new's), or None."""
    old_key, new_key = topic_key(old), topic_key(new)
    if old_key == new_key:
        return None
    for programme in programmes(store):
        staying = {
            topic_key(p.title): p.topic for p in programme.parts if topic_key(p.topic) == new_key
        }
        for part in programme.parts:
            if topic_key(part.topic) == old_key and topic_key(part.title) in staying:
                return programme.name, part.title, part.topic, staying[topic_key(part.title)]
    return None


def delete_programme(store: Store, programme: Programme) -> None:
    """Remove a programme and its parts (the entries that counted toward it stay)."""
    for part in programme.parts:
        store._put("programme_part", {"programme_id": programme.id, "seq": part.seq}, None)
    store._put("programme", {"id": programme.id}, None)


def link_entry(
    store: Store, entry_id: int, programme_id: int, *, module: str, minutes: int
) -> None:
    """Remember that an entry counted toward a module (for reviews and the pace)."""
    store._put(
        "programme_entry",
        {"entry_id": entry_id},
        {"entry_id": entry_id, "programme_id": programme_id, "module": module, "minutes": minutes},
    )


def entry_link(store: Store, entry_id: int) -> tuple[int, str, int] | None:
    """What an entry counted toward: (programme id, module title, minutes), or None."""
    row = store._exec(
        "SELECT programme_id, module, minutes FROM programme_entry WHERE entry_id = :id",
        {"id": entry_id},
    ).first()
    return None if row is None else (int(row[0]), str(row[1]), int(row[2]))


def unlink_entry(store: Store, entry_id: int) -> None:
    store._put("programme_entry", {"entry_id": entry_id}, None)


def recent_minutes(store: Store, programme_id: int, since: int) -> int:
    """Minutes credited to a programme by entries from `since` (UTC epoch seconds) on."""
    found = store._exec(
        "SELECT coalesce(sum(pe.minutes), 0) FROM programme_entry pe"
        " JOIN entry e ON e.id = pe.entry_id WHERE pe.programme_id = :id AND e.at >= :since",
        {"id": programme_id, "since": since},
    ).scalar()
    return int(found or 0)


def entry_modules(store: Store) -> dict[int, Module]:
    """The module each entry counted toward, by entry id (see `modules_of`)."""
    outlines = {
        programme.id: (programme.name, [(p.topic, p.title) for p in programme.parts])
        for programme in programmes(store)
    }
    rows = store._exec(
        "SELECT pe.entry_id, pe.programme_id, pe.module, t.name FROM programme_entry pe"
        " JOIN entry e ON e.id = pe.entry_id LEFT JOIN topic t ON t.id = e.topic_id"
    ).all()
    return modules_of(outlines, rows)


def modules_of(
    outlines: Mapping[int, tuple[str, Sequence[tuple[str, str]]]],
    links: Iterable[Sequence[Any]],
) -> dict[int, Module]:
    """The module each linked entry counted toward, by entry id, from each programme's name
    and (topic, title) parts by programme id, and (entry id, programme id, module title, the
    entry's topic) links: the programme's name, and the module's topic as its outline gives
    it (the entry's own topic's module first, should two topics have a module of that title;
    the entry's topic for a module since dropped from the outline). A link whose programme
    was removed names none. Each programme's titles are indexed once, so this is linear in
    entries and parts."""
    indexed = {key: (name, _titles_index(parts)) for key, (name, parts) in outlines.items()}
    modules: dict[int, Module] = {}
    for entry_id, programme_id, title, topic in links:
        if int(programme_id) not in indexed:
            continue
        name, index = indexed[int(programme_id)]
        topics = index.get(topic_key(str(title)), [])
        module = _pick(name, topics, str(title), None if topic is None else str(topic))
        if module is not None:
            modules[int(entry_id)] = module
    return modules


def _titles_index(parts: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
    """The topics of each module title (by its key), in the outline's order."""
    index: dict[str, list[str]] = {}
    for topic, title in parts:
        index.setdefault(topic_key(title), []).append(topic)
    return index


def _pick(programme: str, topics: Sequence[str], title: str, topic: str | None) -> Module | None:
    mine = [t for t in topics if t and topic is not None and topic_key(t) == topic_key(topic)]
    candidates: list[str | None] = [*(mine or topics)] or [topic]
    chosen = candidates[0]
    return None if chosen is None else Module(programme, str(chosen), title)
