"""The README's command reference is written from the code (cog): it must match it."""

from __future__ import annotations

import re
from pathlib import Path

from microup.cli.commands import COMMANDS
from microup.cli.common import show_help_without_command
from microup.cli.reference import regenerate

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def test_the_readme_reference_is_the_code_s() -> None:
    """Failing? Run `python -m microup.cli.reference` and commit the README."""
    text = README.read_text(encoding="utf-8")
    assert regenerate(text) == text, "README.md is out of date: python -m microup.cli.reference"


def _runs_on_its_own(name: str) -> bool:
    """Whether a group does something itself (`topics`, `remind`) rather than show its help."""
    from microup.cli.common import app
    from microup.cli.lazy import load

    load(COMMANDS[name])
    [info] = [group for group in app.registered_groups if group.name == name]
    assert info.typer_instance is not None and info.typer_instance.registered_callback
    return info.typer_instance.registered_callback.callback is not show_help_without_command


def test_every_command_has_a_generated_heading() -> None:
    text = README.read_text(encoding="utf-8")
    generated = re.findall(r"\[\[\[cog heading\((.*?)\) \]\]\]", text)
    covered = {path for call in generated for path in re.findall(r'"([^"]+)"', call)}
    expected = set()
    for name, command in COMMANDS.items():
        if not command.commands or _runs_on_its_own(name):
            expected.add(name)
        expected |= {f"{name} {sub.name}" for sub in command.commands}
    assert covered == expected


def test_the_check_ci_runs_passes_and_fails(tmp_path: Path) -> None:
    from microup.cli import reference

    assert reference.main(["--check", str(README)]) == 0
    stale = README.read_text(encoding="utf-8").replace("[--switch]", "[--swap]", 1)
    assert regenerate(stale) != stale
