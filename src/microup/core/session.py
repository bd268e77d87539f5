"""A session's plan: which blocks `microup session` runs, in what order, for how long.

Pure: the caller passes this session's review blocks (from the week's plan, as `review` and
`plan` show them), what each review should revisit, the new material, and the minutes the
week leaves; the session is the reviews first (retrieval before new material), then the new
material filling the rest.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from microup.core.grades import Grade, parse_grade

BlockKind = Literal["review", "learn"]

MIN_SESSION_MINUTES = 10
"""The default session once the week's goal is met: a short one keeps the habit."""
MAX_SESSION_MINUTES = 600


@dataclass(frozen=True)
class NewMaterial:
    """What new material this session works on: a topic, and a programme's module if any."""

    topic: str | None
    module: str | None = None
    """The programme's next unfinished module; only then does the session ask if it is done."""


@dataclass(frozen=True)
class SessionBlock:
    """One block of a session: a review of a topic, or new material."""

    kind: BlockKind
    topic: str | None
    minutes: int
    module: str | None = None
    faded: tuple[str, ...] = ()
    """For a review: the notes of what faded most, weakest first."""


@dataclass(frozen=True)
class SessionPlan:
    """The blocks of one session, in the order they run."""

    minutes: int
    blocks: tuple[SessionBlock, ...]

    @property
    def planned(self) -> int:
        """Minutes the blocks add up to."""
        return sum(block.minutes for block in self.blocks)


def default_minutes(remaining: int, sessions_left: int) -> int:
    """This session's share of the week: what the goal leaves over the sessions left (as
    `plan` spreads the week), at least `MIN_SESSION_MINUTES`."""
    share = math.ceil(max(0, remaining) / max(1, sessions_left))
    return min(MAX_SESSION_MINUTES, max(MIN_SESSION_MINUTES, share))


def plan_session(
    minutes: int,
    reviews: Sequence[tuple[str, int]],
    new: NewMaterial | None,
    faded: Mapping[str, Sequence[str]] | None = None,
) -> SessionPlan:
    """The reviews this session's plan gives (cut to fit `minutes`), then new material for
    the rest. ``new`` None: no new material is known, the block has no topic."""
    left = minutes
    blocks: list[SessionBlock] = []
    for topic, length in reviews:
        take = min(length, left)
        if take <= 0:
            break
        notes = tuple((faded or {}).get(topic, ()))
        blocks.append(SessionBlock("review", topic, take, faded=notes))
        left -= take
    if left > 0:
        material = new or NewMaterial(None)
        blocks.append(SessionBlock("learn", material.topic, left, module=material.module))
    return SessionPlan(minutes, tuple(blocks))


def plan_json(plan: SessionPlan) -> dict[str, object]:
    """`session --plan --json`: the minutes and each block."""
    return {
        "minutes": plan.minutes,
        "blocks": [
            {
                "kind": block.kind,
                "topic": block.topic,
                "module": block.module,
                "minutes": block.minutes,
                "faded": list(block.faded),
            }
            for block in plan.blocks
        ],
    }


def answer_grade(text: str) -> Grade:
    """The answer to "how well did you recall it?": 1-4 or a grade's name; Enter is good."""
    return Grade.GOOD if not text.strip() else parse_grade(text)


def answer_yes(text: str, *, default: bool) -> bool | None:
    """y/yes or n/no (Enter: the default); None for anything else, to ask again."""
    word = text.strip().lower()
    if not word:
        return default
    if word in ("y", "yes"):
        return True
    if word in ("n", "no"):
        return False
    return None
