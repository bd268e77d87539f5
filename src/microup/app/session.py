"""The session use cases: plan today's session, and write its blocks as they start and end.

Each block is its own transaction: its start makes it the running timer (the row `microup
start` writes, so a crash leaves it for `status` and `stop`), its end turns that timer into
an entry. Every transaction continues the session's one change in the journal
(`Store.continue_change`), so `undo` reverts a whole session in one step.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from microup.core.errors import UsageError
from microup.core.session import NewMaterial, SessionBlock, SessionPlan

if TYPE_CHECKING:
    from microup.core.review import ReviewView
    from microup.core.values import Entry, Timer
    from microup.store import Store

RECENT_ENTRIES = 200
"""How far back the most recently learnt topic is looked for before any topic will do."""


def new_material(store: Store, moment: datetime) -> NewMaterial | None:
    """What new material a session works on now, or None when nothing was learnt yet.

    The one place that chooses: a programme's next unfinished module (with its `module`)
    where there is a programme; else the topic most recently learnt.
    """
    from microup.app.programme import next_module

    coming = next_module(store, moment)
    if coming is not None:
        return NewMaterial(coming.topic, coming.module)
    for entry in store.entries(limit=RECENT_ENTRIES):
        if entry.kind == "learn" and entry.topic:
            return NewMaterial(entry.topic)
    totals = store.topic_totals()
    return NewMaterial(totals[0].name) if totals else None


def credit_module(
    store: Store, entry: Entry, block: SessionBlock, *, done: bool, moment: datetime
) -> None:
    """A block of new material counts toward its programme module (as `log --module` does),
    and with `done` the learner said the module is finished."""
    from microup.app.programme import count_session

    if entry.kind == "learn" and block.module is not None:
        count_session(store, entry, module=block.module, done=done, moment=moment)


def faded_notes(view: ReviewView, topic: str) -> tuple[str, ...]:
    """The notes of what faded most on a topic, weakest first (pieces without a note left out)."""
    memory = view.outlook.memories.get(topic)
    if memory is None:
        return ()
    pieces = memory.faded(view.now, view.outlook.fit.scale)
    return tuple(piece.note for piece in pieces if piece.note)


def session_plan(
    store: Store, moment: datetime, minutes: int | None = None, topic: str | None = None
) -> SessionPlan:
    """Today's session: this session's review blocks (the plan `review` and `plan` show),
    then new material (`topic` if given) for the rest of `minutes` (default: the week's
    goal left over the sessions left)."""
    from microup.app.review import review_view
    from microup.app.week import this_week
    from microup.core.session import default_minutes, plan_session

    view = review_view(store, moment)
    if minutes is None:
        week = this_week(store, moment)
        minutes = default_minutes(week.remaining, view.outlook.plan.sessions_left)
    reviews = view.this_session()
    faded = {name: faded_notes(view, name) for name, _ in reviews}
    material = (
        NewMaterial(store.find_topic(topic) or topic)
        if topic is not None
        else new_material(store, moment)
    )
    return plan_session(minutes, reviews, material, faded)


Opener = Callable[[], AbstractContextManager["Store"]]
"""Opens one write transaction on the store (committed when the block ends)."""


@dataclass
class SessionLog:
    """Writes a session's blocks, each in its own transaction, as one change in the journal."""

    opener: Opener
    wall: Callable[[], datetime]
    change: int | None = None
    entries: list[Entry] = field(default_factory=list)
    timer: Timer | None = None
    """The running block's timer, as written."""

    def start(self, block: SessionBlock) -> None:
        """The block becomes the running timer (refused if another timer runs)."""
        from microup.core.values import Timer

        timer = Timer(self.wall(), block.topic, None, block.kind)
        with self.opener() as store:
            running = store.timer()
            if running is not None:
                raise UsageError(
                    f"a timer is already running since {running.started:%Y-%m-%d %H:%M}: "
                    "microup stop (or cancel) first"
                )
            if timer.topic is not None:
                timer = replace(timer, topic=store.find_topic(timer.topic) or timer.topic)
            store.set_timer(timer)
            self._describe(store, timer)
        self.change, self.timer = store.recorded or self.change, timer

    def finish(
        self, block: SessionBlock, minutes: int, grade: int | None, *, module_done: bool = False
    ) -> Entry | None:
        """The running block as an entry (a review with its grade, or new material), at the
        time it started; None if its timer was stopped or replaced elsewhere meanwhile."""
        from microup.core.values import Entry

        timer = self.timer
        if timer is None:
            return None
        with self.opener() as store:
            if not _same(store.timer(), timer):
                self.timer = None
                return None
            saved = store.add_entry(
                Entry(timer.started, minutes, timer.topic, None, grade, kind=timer.kind)
            )
            store.set_timer(None)
            credit_module(store, saved, block, done=module_done, moment=self.wall())
            self.entries.append(saved)
            self._describe(store, None)
        self.change, self.timer = store.recorded or self.change, None
        return saved

    def drop(self, block: SessionBlock) -> None:
        """The running block ends with nothing logged (skipped, or less than a minute)."""
        del block
        timer = self.timer
        if timer is None:
            return
        with self.opener() as store:
            ours = _same(store.timer(), timer)
            if ours:
                store.set_timer(None)
                self._describe(store, None)
        if ours:  # the session's change, or none if the session so far nets to nothing
            self.change = store.recorded
        self.timer = None

    def _describe(self, store: Store, running: Timer | None) -> None:
        """The session so far, as `history` lists it and `undo` says it."""
        store.continue_change(self.change)
        logged = ", ".join(entry_label(entry) for entry in self.entries)
        label = f" on {running.topic}" if running is not None and running.topic else ""
        doing = f"block{label} running" if running is not None else ""
        summary = "; ".join(part for part in (logged, doing) if part) or "nothing logged"
        undo = f"Removed {logged}" if logged else "Nothing logged"
        store.describe(
            f"Session: {summary}",
            undo + ("; the running block's timer dropped" if running is not None else ""),
        )


def entry_label(entry: Entry) -> str:
    """`#12 5 min SQL (review, good)`: a session's entry in the journal's wording."""
    from microup.core.grades import Grade

    topic = f" {entry.topic}" if entry.topic else ""
    kind = entry.kind if entry.grade is None else f"review, {Grade(entry.grade).name.lower()}"
    return f"#{entry.id} {entry.minutes} min{topic} ({kind})"


def _same(found: Timer | None, ours: Timer) -> bool:
    """Whether the store's timer is still the block's own (not stopped or replaced)."""
    return (
        found is not None
        and int(found.started.timestamp()) == int(ours.started.timestamp())
        and found.topic == ours.topic
        and found.kind == ours.kind
    )
