"""What `lrs send --everyone` sends: each consenting learner's plan, exactly as their own.

Each learner's statements come from `app.lrs.plan` with their own account, home page, store
id and sent marks, so every id is the one their own `lrs send` would give, and the LRS keeps
one statement per entry whoever sent it. The store's side (`shared_sent`): who consents, with
what, and marking what was sent.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from microup.app.lrs import BATCH, Plan, plan
from microup.core.errors import UsageError
from microup.core.formats import xapi
from microup.core.text import plural
from microup.store.lrs import Sent
from microup.store.postgres import lrs_everyone as shared_sent
from microup.store.postgres.lrs_everyone import Consenting

__all__ = ["EveryonePlan", "plan_everyone", "shared_sent"]


@dataclass
class EveryonePlan:
    """Every consenting learner's statements in one list, and the marks to keep per learner."""

    learners: int = 0
    total: Plan = field(default_factory=Plan)
    marks: list[tuple[int, int, Sent]] = field(default_factory=list)

    def batches(self, size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
        return self.total.batches(size)


def _home(learner: Consenting, fallback: str | None) -> str:
    return xapi.check_home(learner.home or fallback or "")


def plan_everyone(
    found: Sequence[Consenting], *, home: str | None, since: datetime | None = None
) -> EveryonePlan:
    """What to send so the LRS holds every consenting learner's entries (from `since`).

    A learner's own `lrs-home` is their account's home page, as in their own send; `home`
    stands in for those who set none (refused if needed and not given)."""
    homeless = sum(1 for learner in found if not learner.home)
    if homeless and home is None:
        raise UsageError(
            f"{plural(homeless, 'consenting learner has', 'consenting learners have')} no "
            "lrs-home: give --home URL, your organisation's home page, for them"
        )
    result = EveryonePlan(learners=len(found))
    for learner in found:
        who = xapi.Learner(_home(learner, home), learner.account)
        work = plan(
            learner.entries,
            learner.sent,
            who,
            store_id=learner.store_id,
            since=since,
            modules=learner.modules,
        )
        result.total.statements += work.statements
        result.marks += [(learner.admission, entry_id, sent) for entry_id, sent in work.marks]
        for name in ("new", "edited", "deleted", "unchanged"):
            setattr(result.total, name, getattr(result.total, name) + getattr(work, name))
    return result
