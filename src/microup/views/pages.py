"""Reports as one self-contained HTML page: `stats --html` and `cohort report --html`.

Styles and charts are inline (SVG built in `views.svg`), nothing is fetched and no script
runs, so the file opens anywhere, offline, and prints on A4. The figures are the terminal's;
every text a learner typed (topics, a cohort's name) is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from microup.core.cohort import (
    BANDS,
    FEW,
    MIN_GROUP,
    PILOT_BANDS,
    CohortReport,
    ProgrammeFigures,
    TrendWeek,
    percent,
    share,
    this_week_line,
)
from microup.core.text import plural
from microup.core.weeks import MOST_WEEKS, NOT_OFTEN, SOME_WEEKS
from microup.views import svg
from microup.views.history import TOPICS_SHOWN, Stats
from microup.views.svg import esc

PILOT_LINE = "In the UK micro-upskilling pilot: 35% most weeks, 39% some weeks, 26% not very often."

STYLE = """
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: #1a1a1a; max-width: 860px; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.15em; margin-top: 1.6em; border-bottom: 1px solid #ddd; }
h3 { font-size: 1em; margin: 1em 0 0.3em; }
p.meta { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { text-align: left; padding: 0.2em 0.8em 0.2em 0; border-bottom: 1px solid #eee; }
td.num, th.num { text-align: right; }
.verdict { font-size: 1.15em; font-weight: bold; color: #0d47a1; }
.legend span { display: inline-block; width: 10px; height: 10px; margin: 0 2px; }
svg { max-width: 100%; height: auto; display: block; }
svg text { font-family: system-ui, sans-serif; fill: #333; }
section { break-inside: avoid; }
@page { size: A4; margin: 15mm; }
@media print {
  body { max-width: none; margin: 0; font-size: 11pt; }
  h2 { break-after: avoid; }
  section, figure, table { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""


def page(title: str, generated: datetime, sections: Sequence[str]) -> str:
    """The whole document: valid HTML5, UTF-8, its styles inline."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{esc(title)}</h1>\n"
        f'<p class="meta">Made by microup on {esc(generated.strftime("%Y-%m-%d %H:%M"))}.</p>\n'
        + "\n".join(sections)
        + "\n</body>\n</html>\n"
    )


def _section(heading: str, *parts: str) -> str:
    return f"<section>\n<h2>{esc(heading)}</h2>\n" + "\n".join(parts) + "\n</section>"


def _table(head: Sequence[str], rows: Sequence[Sequence[object]], numeric: int = 1) -> str:
    """A table whose first `numeric`-excluded columns are text and the rest figures."""
    cells = "".join(
        f"<th{' class=num' if i >= numeric else ''}>{esc(h)}</th>" for i, h in enumerate(head)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{' class=num' if i >= numeric else ''}>{esc(v)}</td>" for i, v in enumerate(row)
        )
        + "</tr>\n"
        for row in rows
    )
    return f"<table>\n<thead><tr>{cells}</tr></thead>\n<tbody>\n{body}</tbody>\n</table>"


def stats_page(
    stats: Stats,
    daily: dict[date, int],
    curves: Sequence[svg.Curve],
    *,
    generated: datetime,
    calendar_weeks: int,
) -> str:
    """`microup stats` as a page: weeks against the goal, the calendar, adherence beside the
    pilot, topics, and each topic's forgetting curve with its sessions."""
    adherence = stats.adherence
    weeks = _section(
        f"The last {plural(len(stats.weeks), 'week')} against the goal",
        svg.week_bars(stats.weeks) if stats.weeks else "<p>Nothing logged yet.</p>",
        f"<p>Total: <strong>{stats.total_minutes} min</strong> ({stats.total_minutes / 60:.1f}"
        f" h). Streak: {plural(stats.streak, 'week')}; best {stats.best_streak}.</p>",
    )
    calendar = _section(
        "Calendar",
        svg.heatmap(daily, generated.date(), calendar_weeks),
        '<p class="legend">Less <span style="background:#ebedf0"></span>'
        '<span style="background:#c6e48b"></span><span style="background:#7bc96f"></span>'
        '<span style="background:#239a3b"></span><span style="background:#196127"></span> '
        "more (0, 1-14, 15-29, 30-59, 60+ min a day)</p>",
    )
    total = adherence.weeks or None
    rows = [
        (MOST_WEEKS, None if total is None else adherence.met / total, PILOT_BANDS[MOST_WEEKS]),
        (SOME_WEEKS, None if total is None else adherence.some / total, PILOT_BANDS[SOME_WEEKS]),
        (NOT_OFTEN, None if total is None else adherence.none / total, PILOT_BANDS[NOT_OFTEN]),
    ]
    managing = _section(
        "How often you manage it",
        f"<p>Since your first entry ({plural(adherence.weeks, 'week')}): goal met in "
        f"{adherence.met}, some learning in {adherence.some}, none in {adherence.none}.</p>",
        f'<p>You manage it: <span class="verdict">{esc(adherence.verdict)}</span>.</p>',
        svg.share_bars(rows),
        f"<p>{esc(PILOT_LINE)} (Your bars: the share of your weeks with the goal met, some "
        "learning, and none.)</p>",
    )
    shown = stats.topics[:TOPICS_SHOWN]
    topics = _section(
        "Topics",
        _table(("topic", "minutes", "sessions"), [(t.name, t.minutes, t.sessions) for t in shown])
        if shown
        else "<p>No topics yet.</p>",
        f"<p>... and {len(stats.topics) - TOPICS_SHOWN} more topics.</p>"
        if len(stats.topics) > TOPICS_SHOWN
        else "",
    )
    forgetting = _section(
        "Forgetting curves",
        "<p>Predicted recall of each topic, from its first session (at most eight weeks back)"
        " to four weeks ahead; dots are sessions, the dotted line is the level at which a"
        " topic is due for review, the dashed one today.</p>",
        *(f"<figure>\n<h3>{esc(c.topic)}</h3>\n{svg.curve(c)}\n</figure>" for c in curves),
    )
    return page("Your learning", generated, [weeks, calendar, managing, topics, forgetting])


def _trend_row(week: TrendWeek, enrolled: int) -> tuple[str, ...]:
    if week.few:
        return (week.label, FEW, "", "", "")
    return (
        week.label,
        percent(share(week.active, enrolled)),
        percent(share(week.met, enrolled)),
        f"{week.median_minutes:g}",
        percent(share(week.review_done, week.review_planned)),
    )


def cohort_page(report: CohortReport, generated: datetime) -> str:
    """`microup cohort report` as a page, under the same five-learner rule (a suppressed
    report never reaches here)."""
    enrolled = report.enrolled
    parts = [
        f"<p>{plural(enrolled, 'learner')} enrolled, {report.started} started; the last "
        f"{plural(report.weeks, 'week')}.</p>"
    ]
    week = report.this_week
    if week is not None:
        parts.append(f"<p>{esc(this_week_line(week, enrolled))}</p>")
    if report.quartiles is not None:
        q1, median, q3 = report.quartiles
        parts.append(
            f"<p>Minutes per learner per week (complete weeks): median {median:g}, quartiles "
            f"{q1:g} to {q3:g}.</p>"
        )
    counts = report.bands or {}
    bands = _section(
        "How often they managed it",
        svg.share_bars([(b, share(counts.get(b, 0), enrolled), PILOT_BANDS.get(b)) for b in BANDS]),
        _table(
            ("band", "learners", "cohort", "UK pilot"),
            [
                (
                    b,
                    counts.get(b, 0),
                    percent(share(counts.get(b, 0), enrolled)),
                    percent(PILOT_BANDS.get(b)),
                )
                for b in BANDS
            ],
        ),
        f"<p>Lapsed (no session for 14 days): {report.lapsed}; not started: "
        f"{report.not_started}. Review follow-through: {percent(report.follow_through)} of "
        "planned review minutes done.</p>",
    )
    trend = _section(
        "Weekly minutes",
        svg.minute_bars(
            [(w.label, w.median_minutes) for w in report.trend if not w.few],
            "Median minutes a week",
        ),
        _table(
            ("week", "active", "met goal", "median min", "reviews done"),
            [_trend_row(w, enrolled) for w in report.trend],
        ),
    )
    topics = _section(
        "Topics",
        _table(
            ("topic", "share of minutes", "learners"),
            [(t.topic, percent(t.share), t.learners) for t in report.topics],
        )
        if report.topics
        else "<p>No topic studied by enough learners to show.</p>",
        f"<p>{plural(report.hidden_topics, 'topic')} studied by fewer than {MIN_GROUP} learners"
        " not shown.</p>"
        if report.hidden_topics
        else "",
    )
    sections = [_section("Summary", *parts), bands, trend, topics]
    if report.programmes:
        sections.append(programme_section(report.programmes))
    return page(f"Cohort {report.cohort}", generated, sections)


def programme_section(programmes: Sequence[ProgrammeFigures]) -> str:
    """The cohort programmes' progress: a chart each and one table (only programmes followed
    by five learners or more ever reach here)."""
    charts = (
        f"<figure>\n<h3>{esc(p.programme)}</h3>\n"
        f"{svg.programme_progress(p.modules_done, p.modules, p.on_track_share)}\n</figure>"
        for p in programmes
    )
    rows = [
        (
            p.programme,
            p.learners,
            "-" if p.modules is None else p.modules,
            f"{p.modules_done[1]:g}",
            f"{p.modules_done[0]:g} to {p.modules_done[2]:g}",
            percent(p.on_track_share),
        )
        for p in programmes
    ]
    return _section(
        "Programme progress",
        "<p>Modules done per learner: the box spans the middle half of the learners (lower to"
        " upper quartile), the line is the median; on track means on course to finish by the"
        " programme's date at the pace of the last four weeks.</p>",
        *charts,
        _table(("programme", "learners", "modules", "median done", "quartiles", "on track"), rows),
    )
