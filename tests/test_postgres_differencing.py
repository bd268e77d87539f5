"""Two cohort reports over windows of different lengths, the same learners in both: their
difference is made only of weeks five or more learned in, and gives no absolute minutes.

These run against the server MICROUP_TEST_PG_URL names (`.ci/run` starts one).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import make_url

from conftest import new_role
from test_postgres import as_role, frozen, sql

__all__ = ["frozen"]  # the fixture, shared with test_postgres

THIS_MONDAY = "2026-11-23"  # the frozen day's week


def _log(url: str, minutes: int, topic: str, day: str) -> None:
    done = as_role(url, "log", str(minutes), "-t", topic, "--at", f"{day}T10:00", "--yes")
    assert done.exit_code == 0, done.stderr


def test_windows_of_8_and_9_weeks_say_nothing_of_a_lone_weeks_learner(
    pg_admin_url: str, frozen: object
) -> None:
    """The tester's attack: five learn in weeks -3 to -1 only, a sixth alone in week -8 and
    on a topic of their own; the 9-week report less the 8-week one would be the sixth's."""
    five = [new_role(pg_admin_url) for _ in range(5)]
    sixth = new_role(pg_admin_url)
    for index, url in enumerate(five):
        for day in ("2026-11-03", "2026-11-10", "2026-11-17"):
            _log(url, 20 + 5 * index, "SQL", day)
            _log(url, 15 + index, "Go", day)
    _log(sixth, 28, "Haskell", "2026-09-29")
    _log(sixth, 13, "Go", "2026-09-29")
    assert as_role(pg_admin_url, "cohort", "create", "c").exit_code == 0
    names = [str(make_url(url).username) for url in (*five, sixth)]
    assert as_role(pg_admin_url, "cohort", "add", "c", *names).exit_code == 0
    reporter = new_role(pg_admin_url, group="reporter")

    def report(weeks: int) -> dict[str, Any]:
        (payload,) = sql(reporter, f"SELECT microup.cohort_report('c', '{THIS_MONDAY}', {weeks})")[
            0
        ]
        assert isinstance(payload, dict) and payload["suppressed"] is False, payload
        assert payload.pop("weeks") == weeks
        return payload

    eight, nine = report(8), report(9)
    # The only difference: the row of week -8, which carries no figures.
    assert nine["trend"][0] == {"monday": "2026-09-28", "few": True}
    del nine["trend"][0]
    assert nine == eight
    # And no absolute minutes at all: topics as shares.
    assert "window_minutes" not in eight
    assert [set(t) for t in eight["topics"]] == [{"topic", "learners", "share"}] * 2
    assert sum(t["share"] for t in eight["topics"]) == 1.0
