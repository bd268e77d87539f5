"""The shared PostgreSQL store's administration: creating the schema, admitting learners and
reporters, cohorts, their programmes and their report. Each use case takes the store's URL;
the SQL, the locks and the rights are in `store.postgres`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from microup.core.cohort import CohortReport, ProgrammeFigures
from microup.core.errors import UsageError
from microup.core.programme import Outline, Programme, session_minutes
from microup.core.text import printable
from microup.core.weeks import week_start
from microup.store.postgres import cohorts, members, programmes
from microup.store.postgres import schema as postgres_schema
from microup.store.postgres.engine import LEARNER_ROLE, REPORTER_ROLE

__all__ = [
    "LEARNER_ROLE",
    "REPORTER_ROLE",
    "CohortFigures",
    "admit",
    "cohort_report",
    "create_cohort",
    "delete_cohort",
    "enrol",
    "give_programme",
    "init_store",
    "list_cohorts",
    "unenrol",
]


def init_store(url: str) -> bool:
    """Create the store (True) or bring it up to date (False), in one transaction."""
    return postgres_schema.init_database(url)


def admit(url: str, names: Sequence[str], kind: str) -> list[tuple[str, bool]]:
    """Admit each role as a learner or reporter, every name checked before any is admitted;
    each name with whether its login role was created."""
    checked = [members.check_role_name(name) for name in names]
    return [(name, members.grant_role(url, name, kind)) for name in checked]


def create_cohort(url: str, name: str, moment: datetime) -> None:
    """A new, empty cohort."""
    cohorts.create_cohort(url, cohorts.check_cohort_name(name), int(moment.timestamp()))


def enrol(url: str, name: str, learners: Sequence[str], today: date) -> tuple[list[str], list[str]]:
    """Enrol learners, handing them the cohort's programmes in the same transaction; those
    newly added, and the programmes handed to them."""
    return programmes.add_to_cohort(url, name, learners, today)


def unenrol(url: str, name: str, learners: Sequence[str]) -> list[str]:
    """Take learners out of a cohort (their entries stay theirs); those removed."""
    return cohorts.remove_members(url, name, learners)


def delete_cohort(url: str, name: str) -> int:
    """Forget a cohort and who was in it (never anyone's entries); how many it held."""
    return cohorts.delete_cohort(url, name)


def list_cohorts(url: str) -> list[tuple[str, list[str]]]:
    """Every cohort with its learners, by name (administrators only)."""
    return cohorts.list_cohorts(url)


def give_programme(
    url: str, name: str, outline: Outline, *, by: str | None, today: date
) -> tuple[str, list[str]]:
    """Give every learner of the cohort the outline's programme, due `by` (a date, or none);
    the programme's name and the learners given it now."""
    from microup.app.programme import outline_parts

    if outline.name is None:
        raise UsageError("the outline needs a '# Name' heading to name the programme")
    try:
        due = None if by is None else date.fromisoformat(by)
    except ValueError:
        raise UsageError(f"--by {printable(by or '')!r} is not a date like 2027-03-31") from None
    parts = outline_parts(outline, outline.name[:80], session_minutes(60, 3))
    programme = Programme(0, outline.name, today, due, 0, parts)
    return outline.name, programmes.give_programme(url, name, programme)


@dataclass(frozen=True)
class CohortFigures:
    """A cohort report with its programmes' progress, and the programmes as the database
    gave them (for `--json`, which shows them as they are)."""

    report: CohortReport
    programmes: list[Any]


def cohort_report(url: str, name: str, moment: datetime, weeks: int) -> CohortFigures:
    """The cohort's report over `weeks` up to this one, with its programmes' progress (none
    under five learners; a suppressed report has no programmes either)."""
    payload = cohorts.cohort_report(url, name, week_start(moment.date()), weeks)
    report = CohortReport.from_payload(payload)
    given = programmes.programme_report(url, name)
    if not report.suppressed:
        report = replace(report, programmes=ProgrammeFigures.from_payload(given))
    return CohortFigures(report, given)
