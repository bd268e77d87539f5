"""The cohort report as people read it: shares of the enrolled learners, beside the UK pilot.

Pure: the figures arrive as the database computed them (`store.cohorts.cohort_report`);
this turns counts into shares and lays them out for JSON and CSV.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from microup.core.weeks import MOST_WEEKS, NOT_OFTEN, SOME_WEEKS, TOO_EARLY, week_label

MIN_GROUP = 5
"""Groups smaller than this are never reported: one person's habits would show through."""

PILOT_BANDS = {MOST_WEEKS: 0.35, SOME_WEEKS: 0.39, NOT_OFTEN: 0.26}
"""The UK micro-upskilling pilot (about 150 learners, 16 organisations), asked afterwards."""

BANDS = (MOST_WEEKS, SOME_WEEKS, NOT_OFTEN, TOO_EARLY)


def share(part: float, whole: float) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class TrendWeek:
    """One week of the cohort: how many learned, met their own goal, and did their reviews."""

    start: date
    active: int = 0
    met: int = 0
    median_minutes: float = 0.0
    review_planned: int = 0
    review_done: int = 0
    few: bool = False
    """Fewer than five learned in it: its figures are not given (all zero here)."""

    @classmethod
    def from_payload(cls, row: Mapping[str, Any]) -> TrendWeek:
        start = date.fromisoformat(row["monday"])
        if row.get("few"):
            return cls(start, few=True)
        return cls(
            start,
            int(row["active"]),
            int(row["met"]),
            float(row["median_minutes"]),
            int(row["review_planned"]),
            int(row["review_done"]),
        )

    @property
    def label(self) -> str:
        return week_label(self.start)


@dataclass(frozen=True)
class TopicShare:
    """A topic's share of the window's minutes (to the hundredth, as the database gives it:
    never its minutes, which two windows' reports would subtract)."""

    topic: str
    learners: int
    share: float | None


@dataclass(frozen=True)
class ProgrammeFigures:
    """A cohort programme's progress as the database gives it (`cohort_programme_report`):
    the quartiles of modules done, the share of learners on track for its date (None without
    one), and its number of modules (the median over the learners' copies)."""

    programme: str
    learners: int
    modules_done: tuple[float, float, float]
    on_track_share: float | None
    modules: int | None = None

    @classmethod
    def from_payload(cls, payload: Sequence[Mapping[str, Any]]) -> tuple[ProgrammeFigures, ...]:
        """The programmes reported; one of fewer than five learners is left out here too."""
        found = []
        for item in payload:
            if int(item["learners"]) < MIN_GROUP:
                continue
            q1, median, q3 = (float(q) for q in item["modules_done_quartiles"])
            track, modules = item.get("on_track_share"), item.get("modules")
            found.append(
                cls(
                    str(item["programme"]),
                    int(item["learners"]),
                    (q1, median, q3),
                    None if track is None else float(track),
                    None if modules is None else int(modules),
                )
            )
        return tuple(found)


@dataclass(frozen=True)
class CohortReport:
    cohort: str
    enrolled: int
    suppressed: bool
    started: int = 0
    """Enrolled learners with at least one entry: the group the figures describe."""
    active: int = 0
    """Of them, those who logged in the weeks reported that five or more learned in (five at
    least, or no report)."""
    weeks: int = 0
    bands: Mapping[str, int] | None = None
    quartiles: tuple[float, float, float] | None = None
    trend: tuple[TrendWeek, ...] = ()
    lapsed: int = 0
    not_started: int = 0
    topics: tuple[TopicShare, ...] = ()
    hidden_topics: int = 0
    programmes: tuple[ProgrammeFigures, ...] = ()
    """The cohort programmes' progress (`ProgrammeFigures.from_payload`), where there is one."""
    review_totals: tuple[int, int] = (0, 0)
    """Planned and done review minutes over the window's weeks five or more learned in."""

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> CohortReport:
        if payload["suppressed"]:
            return cls(
                str(payload["cohort"]),
                int(payload["enrolled"]),
                suppressed=True,
                started=int(payload["started"]),
                active=int(payload.get("active", payload["started"])),
            )
        quartiles = payload.get("quartiles")
        return cls(
            cohort=str(payload["cohort"]),
            enrolled=int(payload["enrolled"]),
            suppressed=False,
            started=int(payload["started"]),
            active=int(payload.get("active", payload["started"])),
            weeks=int(payload["weeks"]),
            bands={band: int((payload.get("bands") or {}).get(band, 0)) for band in BANDS},
            quartiles=None if quartiles is None else (quartiles[0], quartiles[1], quartiles[2]),
            trend=tuple(TrendWeek.from_payload(row) for row in payload.get("trend") or ()),
            lapsed=int(payload["lapsed"]),
            not_started=int(payload["not_started"]),
            topics=tuple(_topic(t) for t in payload.get("topics") or ()),
            hidden_topics=int(payload["hidden_topics"]),
            review_totals=_review_totals(payload),
        )

    @property
    def this_week(self) -> TrendWeek | None:
        return self.trend[-1] if self.trend else None

    @property
    def follow_through(self) -> float | None:
        """Planned review minutes done, over the whole window."""
        planned, done = self.review_totals
        return share(done, planned)

    @property
    def suppressed_reason(self) -> str:
        if self.started >= MIN_GROUP:
            return (
                f"cohort '{self.cohort}' has {self.active} of {self.enrolled} learners who "
                f"logged in the weeks reported; reports need at least {MIN_GROUP}, so that no "
                "one's habits can be picked out"
            )
        return (
            f"cohort '{self.cohort}' has {self.started} of {self.enrolled} learners who have "
            f"logged anything; reports need at least {MIN_GROUP}, so that no one's habits can "
            "be picked out"
        )


FEW = f"fewer than {MIN_GROUP} learned: not shown"
"""What a week's row says when fewer than five learned in it."""


def this_week_line(week: TrendWeek, enrolled: int) -> str:
    """The headline of the current week (plain text, for the terminal and the page)."""
    if week.few:
        return f"This week ({week.label}): fewer than {MIN_GROUP} have learned so far."
    return (
        f"This week ({week.label}): {week.active} of {enrolled} learned "
        f"({percent(share(week.active, enrolled))}), {week.met} met their own goal "
        f"({percent(share(week.met, enrolled))})."
    )


def _topic(row: Mapping[str, Any]) -> TopicShare:
    value = row.get("share")
    return TopicShare(
        str(row["topic"]), int(row["learners"]), None if value is None else float(value)
    )


def _review_totals(payload: Mapping[str, Any]) -> tuple[int, int]:
    """Planned and done review minutes over the window (summed from the weeks when the
    database's function predates the totals: `db init` replaces it)."""
    weeks = payload.get("trend") or ()
    return tuple(  # type: ignore[return-value]
        int(payload.get(key, sum(int(w.get(key) or 0) for w in weeks)))
        for key in ("review_planned", "review_done")
    )


def percent(value: float | None) -> str:
    """A share as a whole percentage, "-" for none (the terminal, the page and the text)."""
    return "-" if value is None else f"{value:.0%}"


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def report_json(report: CohortReport) -> dict[str, Any]:
    if report.suppressed:
        return {
            "cohort": report.cohort,
            "enrolled": report.enrolled,
            "started": report.started,
            "suppressed": True,
            "reason": report.suppressed_reason,
        }
    week = report.this_week
    bands = report.bands or {}
    return {
        "cohort": report.cohort,
        "enrolled": report.enrolled,
        "started": report.started,
        "suppressed": False,
        "week": week.label if week else None,
        "active_this_week": _this_week(week, week.active if week else 0, report.enrolled),
        "met_goal_this_week": _this_week(week, week.met if week else 0, report.enrolled),
        "minutes_per_learner_week": None
        if report.quartiles is None
        else dict(zip(("q1", "median", "q3"), report.quartiles, strict=True)),
        "adherence": {
            band: {
                "learners": bands.get(band, 0),
                "share": _rounded(share(bands.get(band, 0), report.enrolled)),
                "pilot": PILOT_BANDS.get(band),
            }
            for band in BANDS
        },
        "lapsed": report.lapsed,
        "not_started": report.not_started,
        "review_follow_through": _rounded(report.follow_through),
        "trend": [_trend_json(w, report.enrolled) for w in report.trend],
        "topics": [
            {
                "topic": t.topic,
                "learners": t.learners,
                "share": t.share,
            }
            for t in report.topics
        ],
        "topics_hidden": report.hidden_topics,
    }


def _this_week(week: TrendWeek | None, count: int, enrolled: int) -> float | None:
    return None if week is None or week.few else _rounded(share(count, enrolled))


def _trend_json(week: TrendWeek, enrolled: int) -> dict[str, Any]:
    """One week's figures; a week fewer than five learned in has its date and none."""
    figures = {
        "active": _rounded(share(week.active, enrolled)),
        "met": _rounded(share(week.met, enrolled)),
        "median_minutes": week.median_minutes,
        "review_follow_through": _rounded(share(week.review_done, week.review_planned)),
    }
    return {
        "week": week.label,
        "start": week.start.isoformat(),
        "few": week.few,
        **{key: None if week.few else value for key, value in figures.items()},
    }


CSV_HEADER = ("week", "start", "active", "met", "median_minutes", "review_follow_through")


def report_rows(report: CohortReport) -> list[tuple[str, ...]]:
    """The weekly trend as CSV rows, header first (shares as fractions; blank when none)."""
    rows: list[tuple[str, ...]] = [CSV_HEADER]
    for week in report.trend:
        values = _trend_json(week, report.enrolled)
        rows.append(tuple("" if values[k] is None else str(values[k]) for k in CSV_HEADER))
    return rows
