"""What `lrs send` sends: the statements an LRS lacks, and what to mark once it has them.

Pure once the entries and the sent marks are read: each entry's statement is compared with
the one the LRS holds; a new entry is sent, an edited one is voided and sent again under the
next revision, a deleted one is voided. Statement ids follow from the entry, so a plan made
again after a crash sends the same statements, and the LRS stores nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from microup.core.formats import xapi
from microup.core.values import Entry
from microup.store import lrs as _sent_marks
from microup.store.lrs import Sent

if TYPE_CHECKING:
    from microup.store import Store

sent_state = _sent_marks
"""What was sent where (`store.lrs`), as the commands read and mark it."""

BATCH = 1000
"""Statements per POST."""


def entry_modules(store: Store) -> dict[int, xapi.Module]:
    """The programme module each entry counted toward, by entry id (what its statement is
    about, for `export --format xapi` and `lrs send` alike)."""
    from microup.store.programmes import entry_modules as linked

    return linked(store)


@dataclass
class Plan:
    """The statements to send, in order (each voiding before its replacement), and the marks
    to keep once the LRS has accepted all of them."""

    statements: list[dict[str, Any]] = field(default_factory=list)
    marks: list[tuple[int, Sent]] = field(default_factory=list)
    new: int = 0
    edited: int = 0
    deleted: int = 0
    unchanged: int = 0

    def batches(self, size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
        for start in range(0, len(self.statements), size):
            yield self.statements[start : start + size]


def plan(
    entries: Iterable[Entry],
    sent: Mapping[int, Sent],
    learner: xapi.Learner,
    *,
    store_id: str,
    since: datetime | None = None,
    modules: Mapping[int, xapi.Module] | None = None,
) -> Plan:
    """What to send so the LRS matches the entries (from `since` on, if given); `modules`
    by entry id, the module each counted toward (a changed module is an edited entry)."""
    result = Plan()
    seen: set[int] = set()
    found = modules or {}
    for entry in entries:
        entry_id = entry.id or 0
        seen.add(entry_id)
        if since is not None and entry.at < since:
            continue
        module = found.get(entry_id)
        _entry(result, entry, sent.get(entry_id), learner=learner, store_id=store_id, module=module)
    for entry_id, held in sent.items():
        if entry_id not in seen and held.statement_id:
            result.statements.append(xapi.voiding(held.statement_id, learner))
            result.marks.append((entry_id, Sent("", held.revision + 1)))
            result.deleted += 1
    return result


def _entry(
    result: Plan,
    entry: Entry,
    held: Sent | None,
    *,
    learner: xapi.Learner,
    store_id: str,
    module: xapi.Module | None = None,
) -> None:
    revision = held.revision if held is not None else 0
    statement = xapi.statement(entry, learner, store_id, revision=revision, module=module)
    if held is not None and held.statement_id == statement["id"]:
        result.unchanged += 1
        return
    if held is not None and held.statement_id:
        result.statements.append(xapi.voiding(held.statement_id, learner))
        revision += 1
        statement = xapi.statement(entry, learner, store_id, revision=revision, module=module)
        result.edited += 1
    else:
        result.new += 1
    result.statements.append(statement)
    result.marks.append((entry.id or 0, Sent(str(statement["id"]), revision)))
