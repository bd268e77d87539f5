"""Issue 20: a progress bar on stderr for a long import or export, only on a terminal
(scaled down: shown at once, the clock looked at every entry)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from conftest import Run
from microup.views import progress


class Terminal(io.StringIO):
    """Standard error as a person's terminal."""

    def isatty(self) -> bool:
        return True


def _file(tmp_path: Path, count: int) -> Path:
    source = tmp_path / "many.csv"
    lines = [
        f"2026-11-{1 + day % 20:02d}T{8 + day % 10:02d}:{day % 60:02d},5,SQL"
        for day in range(count)
    ]
    source.write_text("date,minutes,topic\n" + "\n".join(lines) + "\n")
    return source


def test_a_long_import_and_export_show_a_bar_on_a_terminal(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    screen = Terminal()
    monkeypatch.setattr(progress, "terminal", lambda: screen)
    monkeypatch.setattr(progress, "SHOW_AFTER", 0.0)
    monkeypatch.setattr(progress, "EVERY", 1)
    done = run("import", str(_file(tmp_path, 50)))
    assert done.exit_code == 0, done.stderr
    assert "Imported 50 entries" in done.stdout and done.stderr == ""
    assert "Reading" in screen.getvalue() or "Saving" in screen.getvalue()
    screen.seek(0)
    screen.truncate()
    exported = run("export")
    assert len(json.loads(exported.stdout)["entries"]) == 50  # stdout untouched by the bar
    assert "Exporting" in screen.getvalue()


def test_nothing_is_shown_when_stderr_is_not_a_terminal(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(progress, "SHOW_AFTER", 0.0)
    monkeypatch.setattr(progress, "EVERY", 1)
    done = run("import", str(_file(tmp_path, 50)))
    assert done.exit_code == 0 and done.stderr == ""
    assert run("export", "-o", str(tmp_path / "out.json")).stderr == ""
