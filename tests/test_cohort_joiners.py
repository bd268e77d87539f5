"""A learner who joins a cohort after it was given a programme gets it too, as their own
(issue 18's leftover); one who already has a programme of that name keeps theirs."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy.engine import make_url

from conftest import new_role
from test_postgres import as_role, sql

OUTLINE = "# Data analysis\n## SQL\n- Select (20m)\n- Joins (20m)\n"


def programmes(url: str) -> list[dict[str, object]]:
    shown = as_role(url, "programme", "--all", "--json")
    assert shown.exit_code == 0, shown.stderr
    return list(json.loads(shown.stdout)["programmes"])


def test_later_joiners_are_given_the_cohort_programme(pg_admin_url: str, tmp_path: Path) -> None:
    outline = tmp_path / "course.md"
    outline.write_text(OUTLINE, encoding="utf-8")
    first, late, own = (new_role(pg_admin_url) for _ in range(3))
    name = {url: str(make_url(url).username) for url in (first, late, own)}
    assert as_role(pg_admin_url, "cohort", "create", "pilot").exit_code == 0
    assert as_role(pg_admin_url, "cohort", "add", "pilot", name[first]).exit_code == 0
    given = as_role(
        pg_admin_url, "cohort", "programme", "pilot", str(outline), "--by", "2099-01-01"
    )
    assert given.exit_code == 0, given.stderr
    assert as_role(first, "log", "20", "-t", "SQL").exit_code == 0
    mine = tmp_path / "mine.md"
    mine.write_text("# Data analysis\n## Go\n- Tour (30m)\n", encoding="utf-8")
    assert as_role(own, "programme", "add", str(mine)).exit_code == 0

    added = as_role(pg_admin_url, "cohort", "add", "pilot", name[late], name[own])
    assert added.exit_code == 0, added.stderr
    assert "Added 2 learners to 'pilot'." in added.stdout
    assert "Gave them the cohort's programme Data analysis." in added.stdout
    [theirs] = programmes(late)
    assert theirs["by"] == "2099-01-01" and theirs["minutes_done"] == 0  # nobody's progress
    assert [(m["topic"], m["title"]) for m in theirs["modules"]] == [  # type: ignore[attr-defined]
        ("SQL", "Select"),
        ("SQL", "Joins"),
    ]
    assert programmes(first)[0]["minutes_done"] == 20
    [kept] = programmes(own)
    assert {m["title"] for m in kept["modules"]} == {"Tour"}  # type: ignore[attr-defined]
    # Joining again changes nothing and says nothing of programmes.
    again = as_role(pg_admin_url, "cohort", "add", "pilot", name[late])
    assert "Added 0 learners" in again.stdout and "Gave" not in again.stdout
    assert len(programmes(late)) == 1
    assert sql(pg_admin_url, "SELECT due FROM microup.cohort_programme") == [("2099-01-01",)]
