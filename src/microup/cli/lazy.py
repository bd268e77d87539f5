"""Lazy commands: a Typer group that lists its commands from the command table and imports
a command's module only when that command is resolved (to run it or show its own help).

Typer builds a command's parameters from its function signature, about half a millisecond a
function; building all of them on every run, and importing every command module to do so,
was most of what `microup --help` and completion cost. Now the root group is built with no
commands at all, listing and completing read `cli.commands`, and `get_command` imports the
one module asked for and builds only the command asked for.
"""

import importlib
from collections.abc import Iterator
from difflib import get_close_matches
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperCommand, TyperGroup

from microup.cli.commands import COMMANDS, PANELS, Command

if TYPE_CHECKING:  # Typer 0.29 keeps its own copy of click; these are its types
    from typer._click import Context, HelpFormatter
    from typer._click.core import Command as ClickCommand
    from typer._click.shell_completion import CompletionItem

PACKAGE = "microup.cli"
COMPLETION_HELP_WIDTH = 45  # what click gives each completion's help


class LazyGroup(TyperGroup):
    """A group whose commands come from the command table: the root (`microup`) or one of its
    groups (`remind`, `cohort`, ...), whose commands are defined in the group's own module."""

    def _table(self) -> tuple[Command, ...]:
        group = COMMANDS.get(self.name or "")
        if group is not None:
            return group.commands
        return tuple(COMMANDS.values())

    def _panels(self) -> Iterator[tuple[str, tuple[Command, ...]]]:
        if self.name in COMMANDS:
            yield "Commands", self._table()
        else:
            for panel in PANELS:
                yield panel.title, panel.commands

    def list_commands(self, ctx: "Context") -> list[str]:
        """Every command's name, from the table: nothing is imported."""
        return [command.name for command in self._table()]

    def get_command(self, ctx: "Context", cmd_name: str) -> "ClickCommand | None":
        """The command itself, its module imported and the command built on first use."""
        found = self.commands.get(cmd_name)
        if found is None and self.name not in COMMANDS and cmd_name in COMMANDS:
            found = self.commands[cmd_name] = load(COMMANDS[cmd_name])
        return found

    def format_commands(self, ctx: "Context", formatter: "HelpFormatter") -> None:
        """The commands under their panels' headings, each with its one-line help."""
        width = max(len(command.name) for command in self._table())
        limit = formatter.width - 6 - width
        for title, commands in self._panels():  # one column for every panel
            rows = [(c.name.ljust(width), _stub(c).get_short_help_str(limit)) for c in commands]
            with formatter.section(title):
                formatter.write_dl(rows)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: "Context | None" = None,
        **extra: Any,
    ) -> "Context":
        """Completing the first word (`microup lo<TAB>`) processes no option: Typer would
        build a pydantic adapter for each one, importing pydantic on every TAB."""
        if extra.get("resilient_parsing") and not args and parent is None:
            settings = {**self.context_settings, **extra}
            return self.context_class(self, info_name=info_name, **settings)
        return super().make_context(info_name, args, parent, **extra)

    def shell_complete(self, ctx: "Context", incomplete: str) -> list["CompletionItem"]:
        """Completion of a command name, from the table (options as click completes them)."""
        from typer._click.shell_completion import CompletionItem

        items: list[CompletionItem] = [
            CompletionItem(c.name, help=_stub(c).get_short_help_str(COMPLETION_HELP_WIDTH))
            for c in self._table()
            if c.name.startswith(incomplete)
        ]
        return items + super(TyperGroup, self).shell_complete(ctx, incomplete)

    def resolve_command(
        self, ctx: "Context", args: list[str]
    ) -> "tuple[str | None, ClickCommand | None, list[str]]":
        """As Typer resolves it, with `Did you mean 'log'?` drawn from the table."""
        try:
            return super().resolve_command(ctx, args)
        except typer.TyperException as error:
            message = getattr(error, "message", "")
            if args and self.suggest_commands and "Did you mean" not in message:
                matches = get_close_matches(args[0], self.list_commands(ctx))
                if matches:
                    suggestions = ", ".join(repr(match) for match in matches)
                    error.message = f"{message.rstrip('.')}. Did you mean {suggestions}?"
            raise


def _stub(command: Command) -> TyperCommand:
    """A parameterless stand-in, so the one-line help is shortened exactly as click does."""
    return TyperCommand(command.name, help=command.help)


_APPS: list[typer.Typer] = []
"""The Typer app whose commands the lazy groups load (set once by `cli.common`)."""


def serve(app: typer.Typer) -> None:
    """Make `app` the one whose registered commands `load` builds."""
    _APPS[:] = [app]


def load(command: Command) -> "ClickCommand":
    """Import the command's module (which registers it on the app) and build that command."""
    from typer.main import get_command_from_info, get_command_name, get_group_from_info

    (app,) = _APPS
    importlib.import_module(f"{PACKAGE}.{command.module}")
    for info in app.registered_commands:
        callback = info.callback
        name = info.name or (get_command_name(callback.__name__) if callback else "")
        if name == command.name:
            return get_command_from_info(
                info,
                pretty_exceptions_short=app.pretty_exceptions_short,
                rich_markup_mode=app.rich_markup_mode,
            )
    for group in app.registered_groups:
        if group.name == command.name:
            return get_group_from_info(
                group,
                pretty_exceptions_short=app.pretty_exceptions_short,
                suggest_commands=app.suggest_commands,
                rich_markup_mode=app.rich_markup_mode,
            )
    raise LookupError(f"{PACKAGE}.{command.module} defines no command {command.name!r}")
