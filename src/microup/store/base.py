"""What both store engines share: the flag a committed change sets, and the engine choice.

A store is an SQLite file (one person, one machine) or a shared PostgreSQL database (one
person on several machines, or a cohort). Both open through one call, `transaction`, that
yields a `Store` over a single transaction committed only when the command succeeds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Connection

BUSY_TIMEOUT_MS = 15_000
"""How long a write waits for another microup's write lock on SQLite (see `store.sqlite`)."""

COMMITTED = False
"""Set once this process has committed a change: output failures after it are not failures."""


def mark_committed() -> None:
    global COMMITTED
    COMMITTED = True


def commit(connection: Connection, *, change: bool) -> None:
    """Commit with Ctrl-C held back until it is done, and for a `change`, mark it committed.

    An interrupt landing inside the commit would otherwise report "interrupted" about a
    change that was saved. One held back is dropped once a change is saved (the command has
    succeeded and finishes its report); otherwise it interrupts as asked.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        connection.commit()  # signals reach the main thread only
        if change:
            mark_committed()
        return
    held: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, _frame: held.append(number))
    try:
        connection.commit()
        if change:
            mark_committed()
    finally:
        signal.signal(signal.SIGINT, previous)
    if held and not change:
        raise KeyboardInterrupt
