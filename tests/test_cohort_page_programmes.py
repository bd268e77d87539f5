"""The cohort programme's progress on the cohort report (issue 21): a chart and a table on
the HTML page, drawn by headless Chromium, and the same figures in the terminal's table
view; under the five-learner rule, on the page as in the database."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from rich.console import Console

from microup.core.cohort import CohortReport, ProgrammeFigures
from microup.views.cohort import cohort_view
from microup.views.pages import cohort_page
from test_pages import HOSTILE, REPORT, SVG, chromium, rendered, strict_parse, text_of

__all__ = ["chromium"]  # the browser fixture, shared with the other page tests

GENERATED = datetime(2026, 11, 27, 9, tzinfo=timezone.utc)
PROGRAMMES = [
    {
        "programme": f"Data {HOSTILE}",
        "learners": 6,
        "modules_done_quartiles": [1.25, 3, 4.75],
        "modules": 8,
        "on_track_share": 0.67,
    },
    {
        "programme": "Undated",
        "learners": 5,
        "modules_done_quartiles": [0, 1, 2],
        "modules": None,
        "on_track_share": None,
    },
    {  # fewer than five: never shown, whatever the database sent
        "programme": "Few",
        "learners": 4,
        "modules_done_quartiles": [1, 1, 1],
        "modules": 3,
        "on_track_share": 1,
    },
]


def with_programmes(payload: list[dict[str, object]]) -> CohortReport:
    report = CohortReport.from_payload(REPORT)
    from dataclasses import replace

    return replace(report, programmes=ProgrammeFigures.from_payload(payload))


def test_figures_under_five_learners_are_left_out() -> None:
    shown = ProgrammeFigures.from_payload(PROGRAMMES)
    assert [p.programme for p in shown] == [f"Data {HOSTILE}", "Undated"]
    assert shown[0] == ProgrammeFigures(f"Data {HOSTILE}", 6, (1.25, 3.0, 4.75), 0.67, 8)


def test_the_programme_section_in_a_browser(tmp_path: Path, chromium: str) -> None:
    html = cohort_page(with_programmes(PROGRAMMES), GENERATED)
    strict_parse(html)
    assert "<script" not in html and "&lt;script&gt;" in html
    page = tmp_path / "cohort.html"
    page.write_text(html, encoding="utf-8")
    tree = rendered(chromium, page, tmp_path / "cohort.png")
    text = text_of(tree)
    assert "Programme progress" in text and tree.find(".//body//script") is None  # type: ignore[attr-defined]
    assert f"Data {HOSTILE} 6 8 3 1.25 to 4.75 67%" in text  # the table row, typed text as is
    assert "Undated 5 - 1 0 to 2 -" in text
    assert "Few" not in text
    charts = tree.findall(f".//{SVG}svg")  # type: ignore[attr-defined]
    progress = [c for c in charts if c.find(f".//{SVG}line[@class='median']") is not None]
    assert len(progress) == 2
    dated, undated = progress
    box = dated.find(f".//{SVG}rect[@class='quartiles']")
    track = dated.find(f".//{SVG}rect[@class='track']")
    median = dated.find(f".//{SVG}line[@class='median']")
    left, width = float(track.get("x")), float(track.get("width"))
    assert float(box.get("x")) == pytest.approx(left + width * 1.25 / 8, abs=0.1)
    assert float(box.get("width")) == pytest.approx(width * 3.5 / 8, abs=0.1)
    assert float(median.get("x1")) == pytest.approx(left + width * 3 / 8, abs=0.1)
    on_track = dated.find(f".//{SVG}rect[@class='on-track']")
    assert float(on_track.get("width")) == pytest.approx(width * 0.67, abs=0.1)
    assert undated.find(f".//{SVG}rect[@class='on-track']") is None  # no date, no share
    assert "Modules done of 8: median 3, quartiles 1.25 to 4.75; 67% on track" in (
        dated.get("aria-label") or ""
    )


def test_no_programme_no_section() -> None:
    html = cohort_page(with_programmes(PROGRAMMES[2:]), GENERATED)
    assert "Programme progress" not in html
    assert html == cohort_page(CohortReport.from_payload(REPORT), GENERATED)


def test_the_table_view_shows_the_same_figures() -> None:
    out = Console(width=120, record=True, color_system=None)
    out.print(cohort_view(with_programmes(PROGRAMMES), out))
    shown = out.export_text()
    assert "Programme progress:" in shown
    row = next(line for line in shown.splitlines() if line.startswith(f"Data {HOSTILE}"))
    assert row.split()[-8:] == ["6", "median", "3", "of", "8", "1.25", "to", "4.75", "67%"][1:]
    undated = next(line for line in shown.splitlines() if line.startswith("Undated"))
    assert undated.split() == ["Undated", "5", "median", "1", "0", "to", "2", "-"]
    assert "Few" not in shown


OUTLINE = "# Data analysis\n## SQL\n- Select (20m)\n- Joins (20m)\n## Stats\n- Tests (20m)\n"


def test_the_cohort_programme_on_the_page_and_in_the_table(
    pg_admin_url: str, tmp_path: Path, chromium: str
) -> None:
    """Five learners on a cohort programme: the page and the table view show its figures,
    which match --json; one learner drops it, and four are too few: no figures anywhere."""
    from sqlalchemy.engine import make_url

    from conftest import new_role
    from test_postgres import as_role

    outline = tmp_path / "course.md"
    outline.write_text(OUTLINE, encoding="utf-8")
    learners = [new_role(pg_admin_url) for _ in range(5)]
    names = [str(make_url(url).username) for url in learners]
    assert as_role(pg_admin_url, "cohort", "create", "pilot").exit_code == 0
    assert as_role(pg_admin_url, "cohort", "add", "pilot", *names).exit_code == 0
    given = as_role(
        pg_admin_url, "cohort", "programme", "pilot", str(outline), "--by", "2099-01-01"
    )
    assert given.exit_code == 0, given.stderr
    for index, url in enumerate(learners):  # modules done: 0, 1, 1, 2, 3
        for module in ("Select", "Joins", "Tests")[: (0, 1, 1, 2, 3)[index]]:
            assert as_role(url, "log", "20", "--module", module, "--done").exit_code == 0
        if index == 0:
            assert as_role(url, "log", "5", "-t", "SQL").exit_code == 0
    reporter = new_role(pg_admin_url, group="reporter")
    figures = json.loads(as_role(reporter, "cohort", "report", "pilot", "--json").stdout)
    assert figures["programmes"] == [
        {
            "programme": "Data analysis",
            "learners": 5,
            "modules": 3,
            "modules_done_quartiles": [1, 1, 2],
            "on_track_share": 1,
        }
    ]
    table = as_role(reporter, "cohort", "report", "pilot")
    assert table.exit_code == 0, table.stderr
    assert "Programme progress:" in table.stdout
    row = next(line for line in table.stdout.splitlines() if line.startswith("Data analysis"))
    assert row.split() == [
        "Data",
        "analysis",
        "5",
        "median",
        "1",
        "of",
        "3",
        "1",
        "to",
        "2",
        "100%",
    ]
    page = tmp_path / "pilot.html"
    assert as_role(reporter, "cohort", "report", "pilot", "--html", str(page)).exit_code == 0
    strict_parse(page.read_text(encoding="utf-8"))
    tree = rendered(chromium, page, tmp_path / "pilot.png")
    assert "Programme progress" in text_of(tree)
    assert "Data analysis 5 3 1 1 to 2 100%" in text_of(tree)
    charts = tree.findall(f".//{SVG}svg")  # type: ignore[attr-defined]
    assert sum(c.find(f".//{SVG}rect[@class='quartiles']") is not None for c in charts) == 1

    assert as_role(learners[4], "programme", "remove", "Data analysis", "--yes").exit_code == 0
    four = json.loads(as_role(reporter, "cohort", "report", "pilot", "--json").stdout)
    assert four["programmes"] == []
    assert "Programme progress" not in as_role(reporter, "cohort", "report", "pilot").stdout
    assert as_role(reporter, "cohort", "report", "pilot", "--html", str(page)).exit_code == 0
    assert "Programme progress" not in page.read_text(encoding="utf-8")
