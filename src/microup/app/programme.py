"""The programme use cases (issue 18): add (or update) a programme from its outline, remove
it, count a session toward it, mark a module done, and where each one stands.

`next_module(store, moment)` is the one question other commands ask: the next unfinished
module of the programmes, in the order they were added, with the minutes it has left.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from microup.core.errors import NotFoundError, UsageError
from microup.core.programme import (
    PACE_WEEKS,
    NewBlock,
    Outline,
    Part,
    Programme,
    Projection,
    credit,
    find_parts,
    finish,
    planned_end,
    project,
    session_minutes,
    split_minutes,
)
from microup.core.programme.outline import check_name
from microup.core.text import printable, topic_key

if TYPE_CHECKING:
    from microup.core.values import Entry
    from microup.store import Store


def new_minutes_per_week(store: Store, today: date) -> int:
    """The minutes a week leaves for new material: the goal less the review budget."""
    from microup.core.settings import ReviewSettings
    from microup.core.weeks import week_start

    goal = store.goals().goal_for(week_start(today))
    budget = ReviewSettings.from_stored(store.settings()).review_budget
    return max(0, goal - min(budget, goal))


def _session(store: Store, today: date) -> int:
    from microup.core.plan import DEFAULT_SESSIONS_PER_WEEK
    from microup.core.weeks import week_start

    return session_minutes(store.goals().goal_for(week_start(today)), DEFAULT_SESSIONS_PER_WEEK)


def outline_parts(outline: Outline, topic: str, session: int) -> tuple[Part, ...]:
    """The outline's modules as session-sized parts (a module without a duration: one session)."""
    parts: list[Part] = []
    for module in outline.modules:
        sizes = split_minutes(module.minutes or session, session)
        for number, minutes in enumerate(sizes, start=1):
            parts.append(
                Part(len(parts), module.topic or topic, module.title, number, len(sizes), minutes)
            )
    return tuple(parts)


def _old_progress(old: Programme) -> dict[tuple[str, str], tuple[int, int | None, int]]:
    """Each old module's minutes logged, when it was marked done (None unless every part is
    done and one with fewer minutes than its length: marked, not reached), and its last
    done time (0: none)."""
    found: dict[tuple[str, str], list[Part]] = {}
    for part in old.parts:
        found.setdefault((topic_key(part.topic), topic_key(part.title)), []).append(part)
    out: dict[tuple[str, str], tuple[int, int | None, int]] = {}
    for key, parts in found.items():
        latest = max(part.done_at or 0 for part in parts)
        marked = all(p.done for p in parts) and any(p.done_minutes < p.minutes for p in parts)
        out[key] = (sum(part.done_minutes for part in parts), latest if marked else None, latest)
    return out


def _carried(old: Programme, parts: tuple[Part, ...], at: int) -> tuple[Part, ...]:
    """New parts with the progress of the old module of the same topic and title: its
    minutes logged fill the new parts in order (what is left over stays with its last
    part, as `log` leaves it), a part is done once full (at the module's last done time,
    else `at`), and a module marked done stays done."""
    progress = _old_progress(old)
    left = {key: minutes for key, (minutes, _, _) in progress.items()}
    out: list[Part] = []
    for index, part in enumerate(parts):
        key = (topic_key(part.topic), topic_key(part.title))
        _, marked, latest = progress.get(key, (0, None, 0))
        following = parts[index + 1] if index + 1 < len(parts) else None
        last = following is None or (following.topic, following.title) != (part.topic, part.title)
        take = left.get(key, 0) if last else min(left.get(key, 0), part.minutes)
        left[key] = left.get(key, 0) - take
        when = marked or ((latest or at) if take >= part.minutes else None)
        out.append(replace(part, done_minutes=take, done_at=when))
    return tuple(out)


@dataclass(frozen=True)
class Added:
    """What `programme add` understood and did."""

    programme: Programme
    updated: bool
    new_per_week: int
    planned_end: date | None


def add_programme(
    store: Store,
    outline: Outline,
    *,
    name: str | None,
    start: date,
    by: date | None,
    at: int = 0,
) -> Added:
    """Add the programme, or update the one of the same name in place, keeping the progress
    of modules whose titles did not change (a part it fills is done `at`, epoch seconds)."""
    from microup.store import programmes as rows

    chosen = name or outline.name
    if chosen is None:
        raise UsageError("the outline has no '# Name' heading: give the programme --name NAME")
    chosen = check_name(chosen)
    parts = outline_parts(outline, chosen[:80], _session(store, start))
    old = rows.find_programme(store, chosen)
    if old is None:
        programme_id, position = rows.new_programme_id(store)
        programme = Programme(programme_id, chosen, start, by, position, parts)
    else:
        programme = Programme(
            old.id, old.name, old.start, by, old.position, _carried(old, parts, at)
        )
    rows.put_programme(store, programme)
    verb = "Updated" if old else "Added"
    store.describe(
        f"{verb} programme {chosen}",
        f"Removed programme {chosen}" if old is None else f"Programme {chosen} back as it was",
    )
    per_week = new_minutes_per_week(store, start)
    end = planned_end(programme.minutes_total - programme.minutes_done, per_week, start)
    return Added(programme, old is not None, per_week, end)


def rename_programme_topic(store: Store, old: str, new: str) -> None:
    """`topics rename`: the programmes' modules of topic `old` move to `new` with its entries,
    in the same change (so logging under the new name counts, and undo puts both back)."""
    from microup.store import programmes as rows

    rows.rename_topic(store, old, new)


def remove_programme(store: Store, name: str) -> Programme:
    from microup.store import programmes as rows

    found = rows.find_programme(store, name)
    if found is None:
        raise NotFoundError(f"no programme named {printable(name)!r} (microup programme list)")
    rows.delete_programme(store, found)
    store.describe(f"Removed programme {found.name}", f"Programme {found.name} back")
    return found


def _module_parts(
    store: Store, title: str, *, topic: str | None = None, unfinished: bool = True
) -> tuple[Programme, list[Part]]:
    """The first running programme with a module of this title (and topic) and its parts."""
    from microup.store import programmes as rows

    for programme in rows.programmes(store):
        if programme.finished_at is not None:
            continue
        wanted = [
            part
            for part in programme.parts
            if topic_key(part.title) == topic_key(title)
            and (topic is None or topic_key(part.topic) == topic_key(topic))
        ]
        if wanted and (not unfinished or any(not part.done for part in wanted)):
            return programme, [part for part in wanted if not part.done] or wanted
    if topic is not None:
        try:
            elsewhere = _module_parts(store, title, unfinished=unfinished)[1][0].topic
        except NotFoundError:
            pass
        else:
            raise NotFoundError(
                f"{printable(title)!r} is a module of {printable(elsewhere)}, "
                f"not {printable(topic)} (log it with -t {printable(elsewhere)})"
            )
    raise NotFoundError(f"no unfinished module titled {printable(title)!r} in your programmes")


def module_topic(store: Store, title: str) -> str:
    """The topic of the unfinished module `title` (for `log --module` without `-t`)."""
    return _module_parts(store, title)[1][0].topic


@dataclass(frozen=True)
class Counted:
    """What a logged session did to a programme."""

    programme: Programme
    parts: list[Part]
    finished: bool


def count_session(
    store: Store, entry: Entry, *, module: str | None, done: bool, moment: datetime
) -> Counted | None:
    """Credit a logged session of new material to the next unfinished module of its topic
    (or `module`), and with `done` mark that module finished."""
    from microup.store import programmes as rows

    if entry.kind != "learn" or entry.id is None or (entry.topic is None and module is None):
        return None
    if module is not None:
        programme, parts = _module_parts(store, module, topic=entry.topic)
        if programme.start > entry.at.date():
            raise UsageError(
                f"programme {printable(programme.name)} starts on {programme.start}: time "
                "before its start does not count toward it"
            )
    else:
        started = [p for p in rows.programmes(store) if p.start <= entry.at.date()]
        found = [(p, find_parts(p, topic=entry.topic)) for p in started]
        first = next(((p, ps) for p, ps in found if ps), None)
        if first is None:
            return None
        programme, parts = first  # what is left over flows on to the topic's next module
    at = int(moment.timestamp())
    changed = credit(parts, entry.minutes, at)
    if done:
        changed = finish([*changed, *parts[len(changed) :]], at)
    rows.put_parts(store, programme.id, changed)
    rows.link_entry(store, entry.id, programme.id, module=parts[0].title, minutes=entry.minutes)
    after = rows.find_programme(store, programme.name)
    assert after is not None
    return Counted(after, changed, after.finished_at is not None)


def mark_done(store: Store, title: str, moment: datetime) -> Counted:
    """`programme done TITLE`: the module finished, whatever minutes it had."""
    from microup.store import programmes as rows

    programme, parts = _module_parts(store, title)
    changed = finish(parts, int(moment.timestamp()))
    if all(part.done for part in parts):
        raise UsageError(f"{printable(title)!r} is already done")
    rows.put_parts(store, programme.id, changed)
    store.describe(
        f"Module {parts[0].title} of {programme.name} done",
        f"Module {parts[0].title} of {programme.name} not done",
    )
    after = rows.find_programme(store, programme.name)
    assert after is not None
    return Counted(after, changed, after.finished_at is not None)


def standing(
    store: Store, moment: datetime, *, name: str | None = None, finished: bool = False
) -> list[tuple[Programme, Projection]]:
    """Each programme (running ones, or all) with its projection at the recent pace."""
    from microup.store import programmes as rows

    since = int((moment - timedelta(weeks=PACE_WEEKS)).timestamp())
    chosen = rows.programmes(store)
    if name is not None:
        chosen = [p for p in chosen if topic_key(p.name) == topic_key(name)]
        if not chosen:
            raise NotFoundError(f"no programme named {printable(name)!r} (microup programme list)")
    elif not finished:
        chosen = [p for p in chosen if p.finished_at is None]
    return [(p, _projection(store, p, since, moment)) for p in chosen]


def _projection(store: Store, programme: Programme, since: int, moment: datetime) -> Projection:
    """At the recent pace; before its start, at the pace `programme add` planned with."""
    from microup.store import programmes as rows

    today = moment.date()
    planned = new_minutes_per_week(store, programme.start) if programme.start > today else 0
    recent = rows.recent_minutes(store, programme.id, _from(programme, since, moment))
    return project(programme, recent, today, planned)


def _from(programme: Programme, since: int, moment: datetime) -> int:
    """The pace counts minutes from the programme's start on (epoch seconds), no earlier."""
    start = datetime.combine(programme.start, time(), moment.tzinfo)
    return max(since, int(start.timestamp()))


@dataclass(frozen=True)
class NextModule:
    """The next unfinished module: what `microup session` starts on."""

    programme: str
    topic: str
    module: str
    part: int
    parts: int
    minutes_left: int
    """Minutes of this part's estimate not yet done."""
    module_minutes_left: int
    """Minutes of the whole module's estimate not yet done."""


def next_module(store: Store, moment: datetime) -> NextModule | None:
    """The next unfinished module of the programmes, in the order they were added (None when
    every programme is finished, or there is none); a programme not started by `moment`
    waits (time before its start does not count toward it)."""
    from microup.store import programmes as rows

    for programme in rows.programmes(store):
        if programme.start > moment.date():
            continue
        for part in programme.parts:
            if part.done:
                continue
            same = [p for p in programme.parts if (p.topic, p.title) == (part.topic, part.title)]
            return NextModule(
                programme.name,
                part.topic,
                part.title,
                part.part,
                part.parts,
                max(0, part.minutes - part.done_minutes),
                sum(p.minutes - p.credited for p in same),
            )
    return None


def running(store: Store) -> list[Programme]:
    """The programmes not yet finished, in the order added."""
    from microup.store import programmes as rows

    return [p for p in rows.programmes(store) if p.finished_at is None]


def week_news(
    store: Store, new_minutes_left: int, sessions_left: int, today: date
) -> list[NewBlock | None]:
    """The new material of each session left this week: the week's new minutes shared out
    evenly, walked through the next unfinished modules of the programmes started by `today`
    (time before a programme's start does not count toward it)."""
    from microup.core.programme import coming

    count = max(1, sessions_left)
    base, extra = divmod(max(0, new_minutes_left), count)
    started = [p for p in running(store) if p.start <= today]
    return coming(started, [base + (1 if i < extra else 0) for i in range(count)])


def exported_programmes(store: Store) -> list[dict[str, object]]:
    """Every programme with its progress, as an export carries it."""
    from microup.core.formats.programmes import programme_record
    from microup.store import programmes as rows

    return [programme_record(programme) for programme in rows.programmes(store)]


def _merged_part(mine: Part, theirs: Part | None) -> Part:
    """A part's progress from both sides: the more minutes, and done if either was."""
    if theirs is None or mine.done:
        return mine
    done_at = theirs.done_at
    return replace(mine, done_minutes=max(mine.done_minutes, theirs.done_minutes), done_at=done_at)


def import_programmes(store: Store, imported: list[Programme]) -> dict[str, str]:
    """Add the programmes of an import; one already here by name keeps its outline and takes
    the file's progress where it is further along (so importing twice adds nothing). What
    happened to each, by name: "added", "updated" (progress taken) or "kept" (as it was)."""
    from microup.store import programmes as rows

    said: dict[str, str] = {}
    for programme in imported:
        found = rows.find_programme(store, programme.name)
        if found is None:
            programme_id, position = rows.new_programme_id(store)
            rows.put_programme(store, replace(programme, id=programme_id, position=position))
            said[programme.name] = "added"
            continue
        theirs = {(topic_key(p.topic), topic_key(p.title), p.part): p for p in programme.parts}
        merged = [
            _merged_part(
                part, theirs.get((topic_key(part.topic), topic_key(part.title), part.part))
            )
            for part in found.parts
        ]
        changed = [m for m, p in zip(merged, found.parts, strict=True) if m != p]
        rows.put_parts(store, found.id, changed)
        said[found.name] = "updated" if changed else "kept"
    return said
