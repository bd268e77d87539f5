"""What both store engines share: the flag a committed change sets, and the engine choice.

A store is an SQLite file (one person, one machine) or a shared PostgreSQL database (one
person on several machines, or a cohort). Both open through one call, `transaction`, that
yields a `Store` over a single transaction committed only when the command succeeds.
"""

from __future__ import annotations

BUSY_TIMEOUT_MS = 15_000
"""How long a write waits for another microup's write lock on SQLite (see `store.sqlite`)."""

COMMITTED = False
"""Set once this process has committed a change: output failures after it are not failures."""


def mark_committed() -> None:
    global COMMITTED
    COMMITTED = True
