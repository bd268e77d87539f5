"""What the review commands show: the week's plan and each topic's memory, under the person's
settings, at one moment. A pure value: the views read it, `app.review` builds it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from microup.core.plan import Outlook
from microup.core.settings import ReviewSettings


@dataclass(frozen=True)
class ReviewView:
    """What the review commands show: the week's plan and memory, under the person's settings."""

    outlook: Outlook
    settings: ReviewSettings
    moment: datetime
    week_label: str

    @property
    def now(self) -> int:
        """The moment as epoch seconds, as the memory model counts time."""
        return int(self.moment.timestamp())

    def held(self) -> set[str]:
        """Topics studied less than min-gap ago: review leaves them for later."""
        gap = self.settings.min_gap.total_seconds()
        return {
            topic
            for topic, memory in self.outlook.memories.items()
            if self.now - memory.last_studied < gap
        }

    def this_session(self) -> list[tuple[str, int]]:
        """The review blocks for now: this session's share of what is left of the week."""
        return self.outlook.plan.this_session(self.held())
