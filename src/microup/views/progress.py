"""A Rich progress bar on stderr for an import or export that takes more than a few seconds,
and only when stderr is a terminal: scripts, pipes and cron see nothing of it."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    import threading

    from rich.progress import Progress, TaskID

T = TypeVar("T")

SHOW_AFTER = 2.0
"""Seconds of work before the bar appears: a quick import or export shows nothing."""
EVERY = 2048
"""Items between two looks at the clock (a look costs little; a million looks do not)."""


def terminal() -> IO[str] | None:
    """Standard error when a person watches it, else None."""
    stream = sys.stderr
    try:
        return stream if stream is not None and stream.isatty() else None
    except (ValueError, OSError):
        return None


class Tracker:
    """Counts work done; shows the bar once SHOW_AFTER seconds have passed."""

    def __init__(self, what: str, stream: IO[str] | None) -> None:
        self.what, self.stream = what, stream
        self.started = time.monotonic()
        self.done = 0
        self.bar: Progress | None = None
        self.task: TaskID | None = None
        self.timer: threading.Timer | None = None

    def count(self, items: Iterable[T]) -> Iterator[T]:
        """`items` as they go, counted."""
        for item in items:
            yield item
            self.done += 1
            if self.stream is not None and self.done % EVERY == 0:
                self._show()

    def step(self, what: str) -> None:
        """A stage without a count (the final write): shown at once if the bar is up, else
        once it has taken SHOW_AFTER seconds (the bar's spinner turns while it works)."""
        self.what = what
        if self.stream is None:
            return
        if self.bar is not None:
            self._show(force=True)
            return
        import threading

        self.timer = threading.Timer(SHOW_AFTER, self._show, kwargs={"force": True})
        self.timer.daemon = True
        self.timer.start()

    def _show(self, *, force: bool = False) -> None:
        if self.bar is None:
            if not force and time.monotonic() - self.started < SHOW_AFTER:
                return
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            console = Console(file=self.stream, stderr=True)
            self.bar = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.completed:,} entries"),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task(self.what, total=None)
        assert self.task is not None
        self.bar.update(self.task, completed=self.done, description=self.what)

    def close(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
        if self.bar is not None:
            self.bar.stop()


@contextmanager
def tracking(what: str) -> Iterator[Tracker]:
    """A tracker for the block; its bar (if it appeared) is gone when the block ends."""
    tracker = Tracker(what, terminal())
    try:
        yield tracker
    finally:
        tracker.close()
