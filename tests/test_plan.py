"""The week's review plan, for all inputs: within the budget and the time, distinct topics."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from microup.core.plan import BLOCK_MINUTES, expected_sessions, make_plan, outlook, sessions_left

recalls = st.dictionaries(
    st.text(alphabet="abcdefgh", min_size=1, max_size=3),
    st.floats(min_value=0.0, max_value=1.0),
    max_size=12,
)
budgets = st.integers(min_value=0, max_value=600)


@st.composite
def plans(draw: st.DrawFn) -> tuple[object, dict[str, float], int]:
    recall = draw(recalls)
    reviewed = draw(
        st.dictionaries(
            st.sampled_from(sorted(recall) or ["zz"]), st.integers(min_value=1, max_value=60)
        )
    )
    budget = draw(budgets)
    plan = make_plan(
        recall,
        reviewed,
        budget=budget,
        goal=draw(st.integers(min_value=1, max_value=6000)),
        learnt_this_week=draw(st.integers(min_value=0, max_value=600)),
        sessions_left=draw(st.integers(min_value=1, max_value=7)),
    )
    return plan, recall, budget


@given(plans(), st.integers(min_value=1, max_value=600))
def test_the_plan_never_exceeds_the_budget_or_the_time_given(
    case: tuple[Any, ...], minutes: int
) -> None:
    plan, _, budget = case
    assert sum(block.minutes for block in plan.blocks) <= budget
    assert sum(length for _, length in plan.pending()) <= plan.left <= budget
    assert sum(length for _, length in plan.fit(minutes)) <= min(minutes, plan.left)
    assert sum(length for _, length in plan.this_session()) <= plan.left


@given(plans())
def test_blocks_cover_the_most_faded_different_topics_first(case: tuple[Any, ...]) -> None:
    plan, recall, _ = case
    topics = [block.topic for block in plan.blocks]
    first_round = topics[: len(recall)]
    assert len(set(first_round)) == len(first_round)
    assert first_round == sorted(recall, key=lambda t: (recall[t], t))[: len(first_round)]
    for session in plan.sessions():
        assert len({topic for topic, _ in session}) == len(session)


@given(plans())
def test_skipped_sessions_are_carried_not_multiplied(case: tuple[Any, ...]) -> None:
    plan, _, _ = case
    spread = plan.sessions()
    assert sum(m for session in spread for _, m in session) == sum(m for _, m in plan.pending())
    assert len(spread) <= plan.sessions_left


@given(recalls, budgets)
def test_after_any_break_the_plan_is_one_week_in_size(
    recall: dict[str, float], budget: int
) -> None:
    faded = dict.fromkeys(recall, 0.0)  # everything forgotten after a long break
    plan = make_plan(faded, {}, budget=budget, goal=60, learnt_this_week=0, sessions_left=3)
    assert sum(block.minutes for block in plan.blocks) == (budget if recall else 0)
    assert all(block.minutes <= BLOCK_MINUTES for block in plan.blocks)


def test_a_zero_budget_turns_suggestions_off() -> None:
    plan = make_plan({"SQL": 0.1}, {}, budget=0, goal=60, learnt_this_week=0, sessions_left=3)
    assert plan.blocks == () and plan.this_session() == [] and plan.new_minutes_left == 60


def test_sessions_left_and_expected_sessions() -> None:
    assert expected_sessions([]) == 3
    assert expected_sessions([0, 2, 3, 4]) == 3
    assert expected_sessions([9, 9]) == 7
    assert sessions_left(3, 1, 6) == 2
    assert sessions_left(3, 5, 2) == 1
    assert sessions_left(5, 0, 2) == 2


def test_outlook_plans_from_the_week_start_and_counts_the_weeks_reviews() -> None:
    week = 7 * 86_400
    rows = [
        ("A", 0, 20, None, False, None),
        ("B", 3 * 86_400, 20, None, False, None),
        ("A", week + 3600, 5, 3, True, None),
        ("C", week + 7200, 20, None, False, None),  # learnt this week: not planned yet
    ]
    view = outlook(rows, week_start=week, budget=20, goal=60, sessions_left=2)
    plan = view.plan
    assert [block.topic for block in plan.blocks] == ["A", "B", "A", "B"]
    assert plan.used == 5 and plan.blocks[0].done == 5
    assert plan.new_minutes_left == 60 - 20 - 20
    assert view.fit.reviews == 1
