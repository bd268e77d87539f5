"""Where the store's hints file lives (see `store.hints`), and reading and writing it: light
on purpose (json and platformdirs only), for completion and `status --short`."""

from __future__ import annotations

import hashlib
import json
from contextlib import suppress
from pathlib import Path
from typing import Any

from microup.system.paths import APP_NAME


def hints_path(store: str) -> Path:
    """One file per store, named by a digest of its location, in the user's cache folder."""
    import platformdirs

    digest = hashlib.sha256(store.encode("utf-8", "surrogateescape")).hexdigest()[:24]
    return platformdirs.user_cache_path(APP_NAME) / "hints" / f"{digest}.json"


def read_hints(store: str) -> dict[str, Any] | None:
    """The hints, or None when there are none yet (or they are unreadable)."""
    try:
        data = json.loads(hints_path(store).read_bytes())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_hints(store: str, hints: dict[str, Any]) -> None:
    """Best effort: a cache that cannot be written is simply older."""
    from microup.system.files import write_private

    with suppress(OSError):
        write_private(hints_path(store), json.dumps(hints, ensure_ascii=False).encode("utf-8"))
