"""The command table (`cli.commands`) against the commands themselves, lazy loading, and the
help texts people read."""

from __future__ import annotations

import importlib
import os
import pkgutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.core import TyperGroup
from typer.main import get_command, get_command_name

import microup.cli
from conftest import Run
from microup.cli.commands import COMMANDS, PANELS, Command
from microup.cli.common import app

ENTRY_MODULES = {"microup.cli", "microup.cli.app", "microup.cli.common", "microup.cli.commands"}
ENTRY_MODULES |= {"microup.cli.lazy", "microup.cli.main", "microup.cli.typer_setup"}


def _all_paths() -> list[tuple[str, ...]]:
    """Every command as typed: ("log",), ("remind",), ("remind", "install"), ..."""
    paths: list[tuple[str, ...]] = []
    for command in COMMANDS.values():
        paths.append((command.name,))
        paths.extend((command.name, sub.name) for sub in command.commands)
    return paths


def _module_of(name: str, group: bool) -> str:
    """The module that registered a command (or, for a group, that holds its Typer app)."""
    if not group:
        [info] = [
            i
            for i in app.registered_commands
            if (i.name or get_command_name(i.callback.__name__ if i.callback else "")) == name
        ]
        assert info.callback is not None
        return info.callback.__module__
    [group_info] = [g for g in app.registered_groups if g.name == name]
    for module_name, module in sys.modules.items():
        if module_name.startswith("microup.cli.") and any(
            value is group_info.typer_instance for value in vars(module).values()
        ):
            return module_name
    raise AssertionError(f"no module holds the Typer app of {name!r}")


def _actual(command: Any, name: str, module: str) -> Command:
    help_text = command.get_short_help_str(10_000)
    subcommands = getattr(command, "commands", {})
    return Command(
        name,
        module.rpartition(".")[2],
        help_text,
        tuple(
            _actual(sub, sub_name, module)
            for sub_name, sub in sorted(subcommands.items(), key=lambda item: _order(name, item[0]))
        ),
    )


def _order(group: str, name: str) -> int:
    names = [sub.name for sub in COMMANDS[group].commands] if group in COMMANDS else []
    return names.index(name) if name in names else len(names)


def test_the_command_table_matches_the_commands() -> None:
    """Every module's commands, built eagerly as Typer would, against the lazy table."""
    for module in pkgutil.iter_modules(microup.cli.__path__):
        importlib.import_module(f"microup.cli.{module.name}")
    group = get_command(app)
    assert isinstance(group, TyperGroup)
    actual = {
        name: _actual(command, name, _module_of(name, isinstance(command, TyperGroup)))
        for name, command in group.commands.items()
    }
    listed = [command.name for panel in PANELS for command in panel.commands]
    expected = "\n".join(repr(actual[name]) for name in listed if name in actual)
    missing = sorted(set(actual) - set(listed))
    assert sorted(listed) == sorted(set(listed)), "a command is listed twice"
    assert not missing, f"add to cli/commands.py: {[actual[name] for name in missing]}"
    assert set(listed) == set(actual), f"not a command: {sorted(set(listed) - set(actual))}"
    for name in listed:
        assert COMMANDS[name] == actual[name], f"cli/commands.py should read:\n{expected}"


def _run_isolated(code: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


LOADED = (
    "import sys\n"
    "from microup.cli.app import app\n"
    "try:\n"
    "    app(sys.argv[1:], prog_name='microup')\n"
    "except SystemExit:\n"
    "    pass\n"
    "print(' '.join(sorted(m for m in sys.modules if m.startswith('microup.cli'))))\n"
    "heavy = ('sqlmodel', 'sqlalchemy', 'rich', 'pydantic')\n"
    "print(' '.join(sorted(m for m in heavy if m in sys.modules)))\n"
)


def _loaded(*args: str, env: dict[str, str] | None = None) -> tuple[set[str], str, str]:
    """The `microup.cli` modules and heavy libraries imported by one run, and its output."""
    code = LOADED.replace("sys.argv[1:]", repr(list(args)))
    *output, modules, heavy = _run_isolated(code, env).split("\n")[:-1]
    return set(modules.split()), heavy, "\n".join(output)


def test_help_lists_every_command_without_importing_one() -> None:
    modules, heavy, output = _loaded("--help")
    assert modules <= ENTRY_MODULES and not heavy, (modules, heavy)
    for name, command in COMMANDS.items():
        assert f"  {name} " in output and command.help[:30] in output


def test_completion_lists_commands_with_their_help_without_importing_one() -> None:
    env = {"_MICROUP_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "microup "}
    modules, heavy, output = _loaded(env=env)
    assert modules <= ENTRY_MODULES and not heavy, (modules, heavy)
    for name in COMMANDS:
        assert f'"{name}":"' in output
    env = {"_MICROUP_COMPLETE": "complete_bash", "COMP_WORDS": "microup lo", "COMP_CWORD": "1"}
    modules, _, output = _loaded(env=env)
    assert output.split() == ["log"] and modules <= ENTRY_MODULES


def test_a_command_imports_only_its_own_module() -> None:
    modules, heavy, output = _loaded("log", "--help")
    assert modules - ENTRY_MODULES <= {"microup.cli.journal", "microup.cli.adding"}, modules
    assert "microup.cli.journal" in modules
    assert heavy in ("", "pydantic"), heavy  # Typer checks the root's --db with pydantic
    assert "Usage: microup log [OPTIONS] DURATION" in output
    modules, _, output = _loaded("cohort", "report", "--help")
    assert modules - ENTRY_MODULES == {"microup.cli.admin"}, modules


def test_ctrl_c_while_a_command_loads_is_130_and_one_line(tmp_path: Path) -> None:
    script = (
        "import importlib, sys\n"
        "real = importlib.import_module\n"
        "def slow(name, *args, **kwargs):\n"
        "    if name == 'microup.cli.journal':\n"
        "        raise KeyboardInterrupt\n"
        "    return real(name, *args, **kwargs)\n"
        "importlib.import_module = slow\n"
        "sys.argv = ['microup', 'week']\n"
        "from microup.cli.main import main\n"
        "main()\n"
    )
    env = {**os.environ, "MICROUP_DB": str(tmp_path / "m.db")}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=env
    )
    assert done.returncode == 130 and "Traceback" not in done.stderr
    assert done.stderr.strip() == "microup: error: interrupted"


def test_a_typo_suggests_the_command(run: Run) -> None:
    result = run("lgo", "20")
    assert result.exit_code == 2 and "Did you mean 'log'?" in result.stderr


def test_help_lists_commands_in_panels_in_the_table_order(run: Run) -> None:
    lines = run("--help").stdout.splitlines()
    titles = [line[:-1] for line in lines if line.endswith(":") and not line.startswith(" ")]
    assert titles == ["Usage", "Options", *(panel.title for panel in PANELS)] or titles == [
        "Options",
        *(panel.title for panel in PANELS),
    ]
    names = [line.split()[0] for line in lines if line.startswith("  ") and line[2] != "-"]
    listed = [command.name for panel in PANELS for command in panel.commands]
    assert [name for name in names if name in COMMANDS] == listed


@pytest.mark.parametrize("path", _all_paths(), ids=" ".join)
def test_every_help_is_plain(run: Run, path: tuple[str, ...]) -> None:
    """No framework internals: ranges, defaults said twice, the scheduler's own options."""
    result = run(*path, "--help")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    for internal in ("<=x", "x<=", "[default:", "--scheduled", "<str>", "<int", "{", " None "):
        assert internal not in text, (path, internal, text)
    help_line = COMMANDS[path[0]].help
    if len(path) == 2:
        help_line = next(sub.help for sub in COMMANDS[path[0]].commands if sub.name == path[1])
    assert " ".join(help_line.split()) in " ".join(text.split())
    if path == ("remind",):
        assert "--day" not in text and "--time" not in text
