"""Rules a change must keep, checked against what the store holds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from microup.core.errors import UsageError
from microup.core.text import shown

if TYPE_CHECKING:
    from microup.store import Store


def require_learnt(
    store: Store, topic: str | None, way_out: str = "record it without --review"
) -> None:
    """A review re-exposes what was learnt: refuse one of a topic with nothing learnt yet."""
    if topic is not None and store.find_topic(topic) is None:
        raise UsageError(f"nothing learnt on {shown(topic)} yet to review: {way_out}")
