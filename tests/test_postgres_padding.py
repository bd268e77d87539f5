"""A reporter pads a cohort with learners who never logged, so that two reports differ by
one learner's figures while their enrolled names differ by six: refused, because what the
differencing rule compares is the learners whose rows make the figures.

These run against the server MICROUP_TEST_PG_URL names (`.ci/run` starts one).
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from conftest import new_role, one_line_error
from test_postgres import NOW, as_role, frozen, sql, sql_error

__all__ = ["frozen"]  # the fixture, shared with test_postgres

OUTLINE = "# Data analysis\n## SQL\n- Select (20m)\n- Joins (20m)\n- Window functions (20m)\n"


def _name(url: str) -> str:
    return str(make_url(url).username)


def _cohort(admin: str, cohort: str, learners: list[str]) -> None:
    assert as_role(admin, "cohort", "create", cohort).exit_code == 0
    added = as_role(admin, "cohort", "add", cohort, *map(_name, learners))
    assert added.exit_code == 0, added.stderr


def _people(admin: str) -> tuple[list[str], list[str], str]:
    """Six learners who logged (different amounts), five admitted who never log, a reporter."""
    learners = [new_role(admin) for _ in range(6)]
    for index, url in enumerate(learners):
        logged = as_role(url, "log", str(10 + 15 * index), "-t", "SQL")
        assert logged.exit_code == 0, logged.stderr
    return learners, [new_role(admin) for _ in range(5)], new_role(admin, group="reporter")


def test_padding_with_learners_who_never_logged_is_refused(
    pg_admin_url: str, frozen: object
) -> None:
    learners, idle, reporter = _people(pg_admin_url)
    _cohort(pg_admin_url, "c1", learners)
    _cohort(pg_admin_url, "pad", learners[:5] + idle)
    first = as_role(reporter, "cohort", "report", "c1")
    assert first.exit_code == 0, first.stderr
    # Six names apart, but the figures of the two would differ by the sixth learner alone.
    message = one_line_error(as_role(reporter, "cohort", "report", "pad"), code=1)
    assert "differs by fewer than 5 learners who have logged" in message


def test_learners_who_never_logged_change_no_figure_but_the_counts(
    pg_admin_url: str, frozen: object
) -> None:
    learners, idle, reporter = _people(pg_admin_url)
    _cohort(pg_admin_url, "c1", learners)
    _cohort(pg_admin_url, "more", learners + idle)
    monday = NOW.date() - timedelta(days=NOW.weekday())

    def report(cohort: str) -> dict[str, Any]:
        payload = sql(reporter, f"SELECT microup.cohort_report('{cohort}', '{monday}', 8)")
        assert isinstance(payload[0][0], dict)
        return payload[0][0]

    alone = report("c1")
    more = report("more")  # the same learners' rows: nothing new to give, so allowed
    assert (alone["enrolled"], more["enrolled"]) == (6, 11)
    assert (alone["not_started"], more["not_started"]) == (0, 5)
    assert (alone["started"], more["started"]) == (6, 6)
    # The five who never logged are too early to say, as `stats` would have them.
    assert more["bands"].pop("too early to say") == alone["bands"].pop("too early to say", 0) + 5
    for figure in ("enrolled", "not_started"):
        del alone[figure], more[figure]
    assert more | {"cohort": "c1"} == alone


def test_padding_the_programme_report_gives_no_figures(
    pg_admin_url: str, frozen: object, tmp_path: Path
) -> None:
    outline = tmp_path / "course.md"
    outline.write_text(OUTLINE, encoding="utf-8")
    learners, idle, reporter = _people(pg_admin_url)
    for cohort, members in (("c1", learners), ("pad", learners[:5] + idle)):
        _cohort(pg_admin_url, cohort, members)
        given = as_role(
            pg_admin_url, "cohort", "programme", cohort, str(outline), "--by", "2027-03-01"
        )
        assert given.exit_code == 0, given.stderr

    def report(cohort: str) -> list[dict[str, object]]:
        query = f"SELECT microup.cohort_programme_report('{cohort}', current_date)::text"
        return list(json.loads(str(sql(reporter, query)[0][0])))

    assert [p["learners"] for p in report("c1")] == [6]
    # The idle five hold the programme too (given with the cohort), all of it to do: the
    # difference of the two reports would be the sixth learner's progress.
    assert report("pad") == []


def test_the_programme_report_is_as_of_today_only(pg_admin_url: str, frozen: object) -> None:
    """Two reports of chosen days 29 days apart would not overlap, pass the differencing
    check and differ by one learner (their progress): only the server's today is taken."""
    learners, _, reporter = _people(pg_admin_url)
    _cohort(pg_admin_url, "c1", learners)
    for day in ("current_date - 29", "current_date - 2", "current_date + 2", "NULL"):
        refused = sql_error(reporter, f"SELECT microup.cohort_programme_report('c1', {day})")
        assert "a programme report is made as of today only" in refused
    for day in ("current_date - 1", "current_date", "current_date + 1"):
        assert sql(reporter, f"SELECT microup.cohort_programme_report('c1', {day})::text")
