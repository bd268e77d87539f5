"""An entry that counted toward a programme's module, deleted or edited: its minutes are
taken back from the module (issue 18), in the same change, so `undo` puts them back too.

An entry counts toward a module when it is logged; a later edit of its minutes or topic
counts it again as if it had been logged so (toward the same module while its topic is the
same), and an edit that leaves them alone changes no progress. An entry that never counted
is not counted by an edit.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from microup.core.programme import Part, Programme, credit, find_parts, take_back
from microup.core.text import topic_key

if TYPE_CHECKING:
    from microup.core.values import Entry
    from microup.store import Store


def _credited_order(programme: Programme, module: str, topic: str | None) -> list[Part]:
    """Where an entry's minutes went, the latest first: an entry fills the module's parts in
    order and flows on to its topic's later parts, so its minutes are taken back from the
    last part of the topic with minutes, backwards to the module's first part (exact for the
    topic's latest entry; for an earlier one, the same minutes from the latest parts)."""
    key = topic_key(module)
    own = [
        p
        for p in programme.parts
        if topic_key(p.title) == key and (topic is None or topic_key(p.topic) == topic_key(topic))
    ] or [p for p in programme.parts if topic_key(p.title) == key]
    if not own:
        return []
    module_topic = topic_key(own[0].topic)
    return [
        p
        for p in reversed(programme.parts)
        if p.seq >= own[0].seq and topic_key(p.topic) == module_topic
    ]


def take_back_entry(store: Store, entry: Entry) -> str | None:
    """Take back what the entry credited, and forget the link; the module's title, if any."""
    from microup.store import programmes as rows

    if entry.id is None:
        return None
    link = rows.entry_link(store, entry.id)
    if link is None:
        return None
    programme_id, module, minutes = link
    programme = next((p for p in rows.programmes(store) if p.id == programme_id), None)
    if programme is not None:
        order = _credited_order(programme, module, entry.topic)
        rows.put_parts(store, programme.id, take_back(order, minutes))
    rows.unlink_entry(store, entry.id)
    return module


def _target(
    programmes: list[Programme], entry: Entry, module: str | None
) -> tuple[Programme, list[Part]] | None:
    """Where `log` would count the entry: the unfinished parts of `module` (of its topic),
    else the next unfinished parts of its topic, in the programmes' order."""
    if entry.kind != "learn" or entry.topic is None:
        return None
    topic = topic_key(entry.topic)
    programmes = [p for p in programmes if p.start <= entry.at.date()]  # none before its start
    for programme in programmes if module is not None else ():
        wanted = [
            p
            for p in programme.parts
            if not p.done
            and topic_key(p.title) == topic_key(module or "")
            and topic_key(p.topic) == topic
        ]
        if wanted and programme.finished_at is None:
            return programme, wanted
    return next(((p, ps) for p in programmes if (ps := find_parts(p, topic=entry.topic))), None)


def _without(
    programmes: list[Programme], link: tuple[int, str, int], topic: str | None
) -> tuple[list[Programme], dict[int, dict[int, Part]]]:
    """The programmes with the linked minutes taken back, and the parts changed by id."""
    programme_id, module, minutes = link
    taken: dict[int, dict[int, Part]] = {}
    out: list[Programme] = []
    for programme in programmes:
        if programme.id == programme_id:
            changed = {
                p.seq: p for p in take_back(_credited_order(programme, module, topic), minutes)
            }
            taken[programme.id] = changed
            programme = replace(
                programme, parts=tuple(changed.get(p.seq, p) for p in programme.parts)
            )
        out.append(programme)
    return out, taken


def recount_entry(store: Store, before: Entry, after: Entry, moment: datetime) -> None:
    """An edited entry: if it counted and its minutes, topic or kind changed, take back what
    it credited and count it again as edited (toward the same module while its topic is the
    same). Each row is written once, so the edit's one change undoes whole."""
    from microup.store import programmes as rows

    said = (before.minutes, before.topic, before.kind)
    if after.id is None or said == (after.minutes, after.topic, after.kind):
        return
    link = rows.entry_link(store, after.id)
    if link is None:
        return
    found, taken = _without(rows.programmes(store), link, before.topic)
    same = before.topic is not None and topic_key(before.topic) == topic_key(after.topic or "")
    target = _target(found, after, link[1] if same else None)
    if target is not None:
        programme, parts = target
        changed = credit(parts, after.minutes, int(moment.timestamp()))
        taken.setdefault(programme.id, {}).update({p.seq: p for p in changed})
        rows.link_entry(store, after.id, programme.id, module=parts[0].title, minutes=after.minutes)
    else:
        rows.unlink_entry(store, after.id)
    for changed_id, written in taken.items():
        rows.put_parts(store, changed_id, list(written.values()))
