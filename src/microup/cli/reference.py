"""The README's command reference, written from the commands themselves so it cannot drift.

The README marks each generated part with cog (`<!-- [[[cog heading("log") ]]] -->` ...
`<!-- [[[end]]] -->`): a command's heading is its synopsis, built from the same parameters
its `--help` shows, and the "Usage" section holds `microup --help` itself.

    python -m microup.cli.reference           # rewrite README.md
    python -m microup.cli.reference --check   # exit 1 if README.md is out of date (CI)

`tests/test_readme.py` runs the check. Never imported by the `microup` command.
"""

import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import typer
from typer.main import get_command

from microup.cli.common import PROG, app

WIDTH = 80
PROLOGUE = (
    "from microup.cli import reference\n"
    "def heading(*paths): cog.outl(reference.heading(*paths))\n"
    "def usage(): cog.out(reference.usage())\n"
)
README = Path("README.md")
"""The README this rewrites by default: the one in the folder it runs in (the repository)."""


def _command(path: str) -> tuple[Any, typer.Context]:
    """The command at PATH ("remind install"), loaded as running it would load it."""
    command: Any = get_command(app)
    context = typer.Context(command, info_name=PROG, terminal_width=WIDTH)
    for name in path.split():
        command = command.get_command(context, name)
        if command is None:
            raise LookupError(f"no command '{PROG} {path}'")
        context = typer.Context(command, info_name=name, parent=context)
    return command, context


def _param(param: Any) -> str | None:
    """One parameter as a synopsis shows it: `DURATION`, `[--topic/-t TOPIC]`, `[--json]`."""
    if getattr(param, "hidden", False) or not param.expose_value:
        return None
    if param.param_type_name == "argument":
        name = str(param.metavar or param.name).upper()
        if param.nargs == -1 and not name.endswith("..."):
            name += "..."
        return name if param.required else f"[{name}]"
    names = sorted(param.opts, key=lambda opt: not opt.startswith("--"))
    text = "/".join(names + list(param.secondary_opts))
    if not param.is_flag:
        text += f" {param.metavar or str(param.name).upper()}"
    return text if param.required else f"[{text}]"


def synopsis(path: str) -> str:
    """`microup PATH` and its arguments and options, in the order `--help` lists them."""
    command, _ = _command(path)
    parts = [part for param in command.params if (part := _param(param)) is not None]
    return " ".join([PROG, path, *parts])


def heading(*paths: str) -> str:
    """A README heading for one or more commands: "### `microup a ...` and `microup b ...`"."""
    shown = [f"`{synopsis(path)}`" for path in paths]
    joined = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
    return f"### {joined}"


def usage() -> str:
    """`microup --help` as an 80-column terminal shows it, in a fenced block."""
    command = get_command(app)
    context = typer.Context(
        command, info_name=PROG, terminal_width=WIDTH, max_content_width=WIDTH, **_settings()
    )
    return f"```console\n$ {PROG} --help\n{command.get_help(context)}\n```\n"


def _settings() -> dict[str, Any]:
    settings = app.info.context_settings
    return dict(settings) if isinstance(settings, dict) else {}


def regenerate(text: str) -> str:
    """The README text with every generated part written afresh (needs cogapp)."""
    cogapp = importlib.import_module("cogapp")
    cog = cogapp.Cog()
    cog.options.prologue = PROLOGUE
    return str(cog.process_string(text, fname="README.md"))


def main(argv: Sequence[str] | None = None) -> int:
    """Rewrite README.md (or the file named), or with --check say whether it is up to date."""
    args = list(sys.argv[1:] if argv is None else argv)
    named = [arg for arg in args if not arg.startswith("--")]
    readme = Path(named[0]) if named else README
    old = readme.read_text(encoding="utf-8")
    new = regenerate(old)
    if "--check" in args:
        if new != old:
            print(f"{readme} is out of date: run python -m microup.cli.reference")
            return 1
        return 0
    if new != old:
        readme.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
