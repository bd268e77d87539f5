"""The HTML reports: valid HTML5 (html5lib's strict parser), self-contained, text escaped,
written whole or not at all, and drawn by a real browser (headless Chromium: the rendered
page's text, its SVG charts' elements, a screenshot). Without Chromium the browser checks
skip, except in CI (`CI` set), where that is a failure."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import html5lib
import pytest
from rich.console import Console

from conftest import Run, one_line_error
from microup.core.cohort import CohortReport, report_json
from microup.views.cohort import cohort_view
from microup.views.pages import cohort_page

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script> & <b>bold</b>'


def strict_parse(text: str) -> object:
    """html5lib's strict mode raises on the first parse error."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(text)


@pytest.fixture(scope="session")
def chromium() -> Iterator[str]:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser tests: Debian's chromium is not installed")
        pytest.skip("no chromium: `apt-get install chromium` (CI does)")
    yield found


def browse(chromium: str, page: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    # A short profile folder: a long temporary path fails ("socket path too long").
    with tempfile.TemporaryDirectory(prefix="mu", dir="/tmp") as profile:
        return subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                f"--user-data-dir={profile}",
                *flags,
                page.resolve().as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )


def rendered(chromium: str, page: Path, shot: Path) -> object:
    """The page as Chromium built it (its DOM after loading), and a screenshot of it."""
    browse(chromium, page, f"--screenshot={shot}", "--window-size=1000,2400")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    dom = browse(chromium, page, "--dump-dom").stdout
    return html5lib.parse(dom, namespaceHTMLElements=False)


def text_of(tree: object) -> str:
    body = tree.find("body")  # type: ignore[attr-defined]
    return " ".join(" ".join(body.itertext()).split())


def logged(run: Run) -> None:
    for args in (
        ("log", "40", "-t", "SQL", "--at", "20d ago"),
        ("log", "30", "-t", HOSTILE, "--at", "9d ago"),
        ("log", "15", "-t", "SQL", "-r", "good", "--at", "3d ago"),
        ("log", "25", "-t", "Python", "--at", "1d ago"),
    ):
        assert run(*args).exit_code == 0


def test_the_stats_page_is_valid_self_contained_and_escaped(run: Run, tmp_path: Path) -> None:
    logged(run)
    page = tmp_path / "stats.html"
    result = run("stats", "--html", str(page))
    assert result.exit_code == 0 and "Wrote the report" in result.stdout
    html = page.read_text(encoding="utf-8")
    strict_parse(html)
    assert "<script" not in html and "&lt;script&gt;" in html  # typed text, never markup
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # nothing fetched
    assert "@media print" in html and "size: A4" in html
    assert html.count("<svg") == 3 + 3  # weeks, calendar, bands; a curve per topic
    assert "most weeks" in html and "35% most weeks, 39% some weeks, 26% not very often" in html


def test_the_stats_page_in_a_browser(run: Run, tmp_path: Path, chromium: str) -> None:
    logged(run)
    page = tmp_path / "stats.html"
    assert run("stats", "--html", str(page)).exit_code == 0
    tree = rendered(chromium, page, tmp_path / "stats.png")
    text = text_of(tree)
    assert "Your learning" in text and "Total: 110 min" in text
    assert HOSTILE in text  # shown as typed, not run or styled
    assert tree.find(".//body//script") is None and tree.find(".//b") is None  # type: ignore[attr-defined]
    charts = tree.findall(f".//{SVG}svg")  # type: ignore[attr-defined]
    assert len(charts) == 6
    assert len(charts[0].findall(f".//{SVG}rect[@class='bar']")) >= 3  # a bar a week
    assert len(charts[0].findall(f".//{SVG}line[@class='goal']")) >= 3  # the goal on each
    assert len(charts[1].findall(f".//{SVG}rect[@class='day']")) > 150  # 26 weeks of days
    curves = [c for c in charts if c.find(f".//{SVG}polyline[@class='recall']") is not None]
    assert len(curves) == 3
    assert sum(len(c.findall(f".//{SVG}circle[@class='session']")) for c in curves) == 4


def test_an_html_file_that_cannot_be_written_leaves_nothing(run: Run, tmp_path: Path) -> None:
    logged(run)
    folder = tmp_path / "reports"
    folder.mkdir()
    message = one_line_error(run("stats", "--html", str(folder / "missing" / "s.html")), 1)
    assert "cannot write" in message
    assert "is a folder" in one_line_error(run("stats", "--html", str(folder)), 1)
    assert list(folder.iterdir()) == []  # no partial file left behind


REPORT = {
    "cohort": HOSTILE,
    "enrolled": 6,
    "suppressed": False,
    "started": 6,
    "weeks": 3,
    "bands": {"most weeks": 3, "some weeks": 2, "not very often": 1},
    "quartiles": [20, 45, 60],
    "trend": [
        {
            "monday": monday,
            "active": active,
            "met": met,
            "median_minutes": median,
            "review_planned": 60,
            "review_done": done,
        }
        for monday, active, met, median, done in (
            ("2026-11-09", 6, 4, 55.0, 40),
            ("2026-11-16", 5, 3, 48.5, 30),
            ("2026-11-23", 6, 5, 62.0, 50),
        )
    ],
    "lapsed": 1,
    "not_started": 0,
    "topics": [{"topic": "sql", "learners": 6, "share": 0.7}],
    "hidden_topics": 2,
}


def test_a_week_fewer_than_five_learned_in_shows_no_figures(tmp_path: Path, chromium: str) -> None:
    """Who learned in a quiet week may be known to the reader: its figures would be theirs."""
    quiet = {"monday": "2026-11-30", "few": True}
    weeks: list[object] = list(REPORT["trend"])  # type: ignore[call-overload]
    payload = {**REPORT, "trend": [*weeks, quiet]}
    report = CohortReport.from_payload(payload)
    assert report_json(report)["active_this_week"] is None
    assert report_json(report)["trend"][-1] == {
        "week": "2026-W49",
        "start": "2026-11-30",
        "few": True,
        "active": None,
        "met": None,
        "median_minutes": None,
        "review_follow_through": None,
    }
    html = cohort_page(report, datetime(2026, 12, 3, 9, tzinfo=timezone.utc))
    strict_parse(html)
    page = tmp_path / "cohort.html"
    page.write_text(html, encoding="utf-8")
    text = text_of(rendered(chromium, page, tmp_path / "cohort.png"))
    assert "This week (2026-W49): fewer than 5 have learned so far." in text
    assert "2026-W49 fewer than 5 learned: not shown" in text
    terminal = Console(width=100, record=True, color_system=None)
    terminal.print(cohort_view(report, terminal))
    shown = terminal.export_text()
    assert re.search(r"2026-W49 +fewer than 5 +learned *\n", shown), shown
    assert "A week in which fewer than 5 learned shows no figures" in shown


def test_the_cohort_page_in_a_browser(tmp_path: Path, chromium: str) -> None:
    html = cohort_page(
        CohortReport.from_payload(REPORT), datetime(2026, 11, 27, 9, tzinfo=timezone.utc)
    )
    strict_parse(html)
    page = tmp_path / "cohort.html"
    page.write_text(html, encoding="utf-8")
    tree = rendered(chromium, page, tmp_path / "cohort.png")
    text = text_of(tree)
    assert f"Cohort {HOSTILE}" in text and tree.find(".//body//script") is None  # type: ignore[attr-defined]
    assert "This week (2026-W48): 6 of 6 learned (100%), 5 met their own goal (83%)" in text
    assert "most weeks 3 50% 35%" in text and "2 topics studied by fewer than 5" in text
    charts = tree.findall(f".//{SVG}svg")  # type: ignore[attr-defined]
    assert len(charts[0].findall(f".//{SVG}rect[@class='share']")) == 4 + 3  # 4 bands, 3 pilot
    assert len(charts[1].findall(f".//{SVG}rect[@class='bar']")) == 3  # a week each


def test_cohort_report_html_on_the_shared_store(pg_admin_url: str, tmp_path: Path) -> None:
    from sqlalchemy.engine import make_url
    from typer.testing import CliRunner

    from conftest import new_role
    from microup.cli.app import app

    def as_role(url: str, *args: str) -> object:
        return CliRunner().invoke(app, ["--db", url, *args])

    learners = [new_role(pg_admin_url) for _ in range(5)]
    for url in learners:
        as_role(url, "log", "30", "-t", "SQL")
    names = [str(make_url(url).username) for url in learners]
    as_role(pg_admin_url, "cohort", "create", "pilot")
    as_role(pg_admin_url, "cohort", "add", "pilot", *names)
    reporter = new_role(pg_admin_url, group="reporter")
    page = tmp_path / "pilot.html"
    result = as_role(reporter, "cohort", "report", "pilot", "--html", str(page))
    assert result.exit_code == 0, result.stderr  # type: ignore[attr-defined]
    strict_parse(page.read_text(encoding="utf-8"))
    assert "Cohort pilot" in page.read_text(encoding="utf-8")
    as_role(pg_admin_url, "cohort", "create", "small")
    as_role(pg_admin_url, "cohort", "add", "small", names[0])
    small = tmp_path / "small.html"
    refused = as_role(reporter, "cohort", "report", "small", "--html", str(small))
    assert refused.exit_code == 1 and not small.exists()  # type: ignore[attr-defined]
