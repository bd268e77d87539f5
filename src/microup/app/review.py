"""The review use case: fold every topic, fit the person and plan the week, from one read of
the store (folding only what the store's review cache does not already hold)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from microup.core.memory import TopicMemory
    from microup.core.review import ReviewView
    from microup.store import Store


def review_view(store: Store, moment: datetime) -> ReviewView:
    """Fold every topic, fit the person, and plan the week, from one read of the store."""

    from microup.core.plan import expected_sessions, outlook, sessions_left
    from microup.core.review import ReviewView
    from microup.core.settings import ReviewSettings
    from microup.core.weeks import week_label, week_start

    settings = ReviewSettings.from_stored(store.settings())
    today = moment.date()
    monday = week_start(today)
    daily = store.daily_minutes(monday - timedelta(weeks=4), today)
    active_weeks = [
        sum(daily.get(monday - timedelta(weeks=back) + timedelta(days=d), 0) > 0 for d in range(7))
        for back in range(1, 5)
    ]
    held = sum(daily.get(monday + timedelta(days=d), 0) > 0 for d in range(today.weekday()))
    left = sessions_left(expected_sessions(active_weeks), held, 7 - today.weekday())
    start = int(datetime.combine(monday, datetime.min.time()).astimezone().timestamp())
    goal = store.goals().goal_for(monday)
    cached = _cached_memories(store, start)
    view = outlook(
        store.study_sessions(after={topic: cutoff for topic, (cutoff, _) in cached.items()}),
        week_start=start,
        budget=min(settings.review_budget, goal),  # review lives inside the weekly goal
        goal=goal,
        sessions_left=left,
        start={topic: memory for topic, (_, memory) in cached.items()},
    )
    _keep_memories(store, view.memories, cached, start)
    return ReviewView(view, settings, moment, week_label(today))


def _cached_memories(store: Store, week_start: int) -> dict[str, tuple[int, TopicMemory]]:
    """Topics already folded through a time no later than this week's start (see
    `Store.review_states`): only the sessions since then need folding now."""

    from microup.core.memory import FOLD_KEY, TopicMemory

    return {
        topic: (cutoff, TopicMemory.from_state(topic, json.loads(state)))
        for topic, (cutoff, state) in store.review_states(FOLD_KEY).items()
        if cutoff <= week_start
    }


def _keep_memories(
    store: Store,
    memories: Mapping[str, TopicMemory],
    cached: Mapping[str, tuple[int, TopicMemory]],
    week_start: int,
) -> None:
    """Cache each topic as it stood at this week's start, where the cache was older."""

    from microup.core.memory import FOLD_KEY

    fresh = {
        topic: json.dumps(memory.checkpoint.state(), separators=(",", ":"))
        for topic, memory in memories.items()
        if memory.checkpoint is not None and cached.get(topic, (-1, None))[0] < week_start
    }
    store.save_review_states(FOLD_KEY, week_start, fresh)
