"""The session runner: a small state machine that runs a session's blocks one after another.

Its clock, its keys, its screen and its log are passed in, so tests run a twenty-minute
session in no time with a fake clock and scripted keys; the terminal (raw keys, Rich Live)
lives in `cli.session`, the store in `app.session`.

Keys: space pauses and resumes, `n` ends the block now (the minutes spent, at least one),
`s` skips it (nothing logged), `q` ends the session (the minutes spent on the block so far
are logged if there is a minute of them).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from microup.core.session import SessionBlock, SessionPlan
    from microup.core.values import Entry

TICK_SECONDS = 0.5
"""How often the screen is redrawn while no key comes."""

Clock = Callable[[], float]
"""Monotonic seconds (`time.monotonic` in the terminal)."""
Keys = Callable[[float], "str | None"]
"""The next key pressed within that many seconds, or None."""


class Outcome(enum.Enum):
    """How a block ended."""

    DONE = "done"  # the countdown reached zero
    ENDED = "ended"  # `n`: ended early, the minutes spent count
    SKIPPED = "skipped"  # `s`: nothing logged
    QUIT = "quit"  # `q`: the session ends here


@dataclass
class BlockRun:
    """One block under way: how much of it ran (pauses excluded), and whether it is paused."""

    block: SessionBlock
    index: int
    last: float
    active: float = 0.0
    paused: bool = False

    @property
    def planned(self) -> float:
        return self.block.minutes * 60.0

    @property
    def remaining(self) -> float:
        """Seconds left on the countdown."""
        return max(0.0, self.planned - self.active)

    def tick(self, now: float) -> None:
        """Count the time since the last tick, unless paused."""
        if not self.paused:
            self.active = min(self.planned, self.active + max(0.0, now - self.last))
        self.last = now

    def press(self, key: str, now: float) -> Outcome | None:
        """Apply a key; the outcome if it ends the block."""
        self.tick(now)
        if key == " ":
            self.paused = not self.paused
            return None
        return {"n": Outcome.ENDED, "s": Outcome.SKIPPED, "q": Outcome.QUIT}.get(key.lower())

    def minutes(self, outcome: Outcome) -> int:
        """Minutes to log: never more than ran; `n` counts at least one, `q` drops less."""
        spent = round(self.active / 60)
        if outcome is Outcome.DONE:
            return self.block.minutes
        if outcome is Outcome.ENDED:
            return max(1, spent)
        return spent if outcome is Outcome.QUIT else 0


class Screen(Protocol):
    """What the runner shows and asks (the terminal, or a test's script)."""

    def show(self, run: BlockRun, total: int) -> None: ...

    def close(self, run: BlockRun, outcome: Outcome) -> None: ...

    def bell(self, run: BlockRun) -> None: ...

    def ask_grade(self, block: SessionBlock) -> int: ...

    def ask_module_done(self, block: SessionBlock) -> bool: ...


class Log(Protocol):
    """Where blocks are written as they start and end (`app.session.SessionLog`)."""

    def start(self, block: SessionBlock) -> None: ...

    def finish(
        self, block: SessionBlock, minutes: int, grade: int | None, *, module_done: bool = False
    ) -> Entry | None: ...

    def drop(self, block: SessionBlock) -> None: ...


@dataclass
class SessionRunner:
    """Runs a plan's blocks; `current` is the block under way (for Ctrl-C), `logged` what
    was written, `skipped` the blocks skipped."""

    plan: SessionPlan
    clock: Clock
    keys: Keys
    screen: Screen
    log: Log
    current: BlockRun | None = None
    logged: list[Entry] = field(default_factory=list)
    skipped: list[SessionBlock] = field(default_factory=list)
    quit: bool = False

    def run(self) -> None:
        """Every block in turn, until the plan ends or `q`."""
        total = len(self.plan.blocks)
        for index, block in enumerate(self.plan.blocks):
            self.log.start(block)
            self.current = BlockRun(block, index, self.clock())
            outcome = self._countdown(self.current, total)
            self._end(self.current, outcome)
            self.current = None
            if outcome is Outcome.QUIT:
                self.quit = True
                break

    def _countdown(self, run: BlockRun, total: int) -> Outcome:
        """Show the block and wait for keys until its countdown ends or a key ends it."""
        while True:
            self.screen.show(run, total)
            wait = TICK_SECONDS if run.paused else min(TICK_SECONDS, run.remaining)
            key = self.keys(wait)
            now = self.clock()
            if key is None:
                run.tick(now)
                outcome = None
            else:
                outcome = run.press(key, now)
            if outcome is None and run.remaining <= 0:
                outcome = Outcome.DONE
            if outcome is not None:
                self.screen.close(run, outcome)
                return outcome

    def _end(self, run: BlockRun, outcome: Outcome) -> None:
        """Log the block as the kind it was (with its grade), or drop it."""
        minutes = run.minutes(outcome)
        if minutes < 1:
            self.log.drop(run.block)
            if outcome is Outcome.SKIPPED:
                self.skipped.append(run.block)
            return
        self.screen.bell(run)
        block = run.block
        grade = self.screen.ask_grade(block) if block.kind == "review" else None
        module_done = block.module is not None and self.screen.ask_module_done(block)
        entry = self.log.finish(block, minutes, grade, module_done=module_done)
        if entry is not None:
            self.logged.append(entry)
