"""What every command shares: the Typer app, global options, the store, error reporting.

Kept light: SQLModel (through `microup.store`) and Rich (through `microup.views.render`) are
imported inside the commands that need them, so `--help` and completion stay fast.
"""

import errno
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from microup import __version__
from microup.cli.lazy import LazyGroup, serve
from microup.cli.typer_setup import adjust_typer
from microup.core.errors import MicroupError
from microup.core.location import StoreLocation
from microup.core.text import clean_topic, printable, shown
from microup.system.paths import DB_ENV_VAR, resolve_db_path

if TYPE_CHECKING:
    from microup.core.ranges import TimeRange
    from microup.store import Store

PROG = "microup"


def fail(message: str, code: int) -> NoReturn:
    """The one way microup reports a problem: one line on stderr, then exit."""
    _say(f"{PROG}: error: {printable(message)}\n")
    sys.exit(code)


def notice(message: str) -> None:
    """A line on stderr about work under way (a wait, a retry), not a failure."""
    _say(f"{PROG}: {printable(message)}\n")


def _say(line: str) -> None:
    """Write to stderr if anything is there to write to."""
    try:
        if sys.stderr is not None:
            sys.stderr.write(line)
            sys.stderr.flush()
    except (OSError, ValueError):
        pass


_OUTPUT_FAILURES = (errno.EPIPE, errno.ENOSPC, errno.EBADF, errno.EIO, errno.EDQUOT)


def _prepare_streams() -> None:
    """Output degrades instead of failing: what the encoding cannot show is escaped, and a
    closed stdout becomes a sink (the command still runs; the end says output was lost);
    a closed stdin reads as empty and a closed stderr as a sink."""
    global _STDOUT_CLOSED
    if sys.stdin is None:  # closed (`<&-`): nobody can answer, as under cron
        sys.stdin = Path(os.devnull).open(encoding="utf-8")  # noqa: SIM115
    if sys.stderr is None:  # closed (`2>&-`): problems go unsaid, the exit code still tells
        sys.stderr = Path(os.devnull).open("w", encoding="utf-8")  # noqa: SIM115
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    if sys.stdout is None:
        _STDOUT_CLOSED = True
        sys.stdout = Path(os.devnull).open("w", encoding="utf-8")  # noqa: SIM115


_STDOUT_CLOSED = False


def _committed() -> bool:
    """Whether this run committed a change (the store module is loaded only if it was used)."""
    store = sys.modules.get("microup.store.base")
    return bool(getattr(store, "COMMITTED", False))


def _output_lost(detail: str) -> NoReturn:
    """Output could not be written: one line; a command that committed still succeeded."""
    sys.stdout = Path(os.devnull).open("w", encoding="utf-8")  # noqa: SIM115
    if _committed():
        _say(f"{PROG}: the change was saved, but its output could not be written ({detail})\n")
        sys.exit(0)
    fail(f"could not write the output ({detail})", 1)


def _flush_or_report() -> None:
    try:
        sys.stdout.flush()
    except (OSError, ValueError) as error:
        _output_lost(_describe(error))
    if _STDOUT_CLOSED:
        _output_lost("standard output is closed")


def _describe(error: BaseException) -> str:
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return "the disk is full"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__


def _interrupted() -> NoReturn:
    """Ctrl-C: before the commit nothing was saved (exit 130); after it, the command has
    succeeded, and says nothing more (exit 0), so nobody retries a saved change."""
    if _committed():
        sys.exit(0)
    _say("\n")
    fail("interrupted", 130)


def _usage_failed(error: typer.TyperException) -> NoReturn:
    """A usage error as one line, with where to read the command's help."""
    option = getattr(error, "option_name", None)
    if isinstance(option, str) and option[1:2].isdigit():  # `microup log -5`
        fail(f"{shown(option)} is a negative number: durations and ids are positive", 2)
    context = getattr(error, "ctx", None)
    hint = f" (see '{context.command_path} --help')" if context is not None else ""
    fail(error.format_message() + hint, error.exit_code)


def _output_failed(error: BaseException) -> None:
    """An output that could not be written is reported as such; anything else goes on up."""
    if isinstance(error, OSError) and error.errno in _OUTPUT_FAILURES:
        _output_lost(_describe(error))
    if isinstance(error, SystemExit) and isinstance(error.__context__, BrokenPipeError):
        _output_lost("the reader of the output went away")  # Typer exits 1 itself on it
    if isinstance(error, ValueError) and "closed file" in str(error):
        _output_lost("standard output is closed")
    raise error


def _as_typed(word: str) -> str:
    """An argument as the person typed it: on an ASCII locale Python keeps the bytes of
    `ünï` as surrogate escapes (U+DCC3 ...); bytes that are valid UTF-8 were meant as that."""
    if word.isascii() or not any("\udc80" <= char <= "\udcff" for char in word):
        return word
    try:
        return os.fsencode(word).decode("utf-8")
    except (UnicodeError, ValueError):
        return word


class MicroupGroup(LazyGroup):
    """Turns every failure into one line on stderr and an exit code: 2 for usage, 1 otherwise,
    130 when interrupted (also while a command's module is being imported)."""

    def main(  # type: ignore[override]
        self, args: Sequence[str] | None = None, prog_name: str | None = None, **extra: Any
    ) -> NoReturn:
        extra.pop("standalone_mode", None)
        _prepare_streams()
        args = [_as_typed(word) for word in (sys.argv[1:] if args is None else args)]
        store = sys.modules.get("microup.store.base")
        if store is not None:  # a new run (in tests, in the same process): nothing saved yet
            store.COMMITTED = False  # type: ignore[attr-defined]
        try:
            code = super().main(
                args=args, prog_name=prog_name or PROG, standalone_mode=False, **extra
            )
        except MicroupError as error:
            fail(str(error), error.exit_code)
        except typer.TyperException as error:  # click's usage errors
            _usage_failed(error)
        except (typer.Abort, KeyboardInterrupt):
            _interrupted()
        except (OSError, SystemExit, ValueError) as error:
            _output_failed(error)
        if code == 130:  # Typer turns Ctrl-C inside a command into exit code 130
            _interrupted()
        _flush_or_report()
        sys.exit(code if isinstance(code, int) else 0)


def _plain_completion() -> None:
    """Completion's help texts as written: they are plain text (no Rich markup here), and
    Typer would import Rich on every TAB (zsh, fish, PowerShell) only to strip markup."""
    from typer import _completion_classes

    if hasattr(_completion_classes, "_sanitize_help_text"):
        _completion_classes._sanitize_help_text = lambda text: text


adjust_typer()
_plain_completion()

app = typer.Typer(
    cls=MicroupGroup,
    name=PROG,
    help="Track an hour a week of learning, little and often, and review before you forget.",
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
serve(app)


@dataclass(frozen=True)
class Settings:
    """What the global options decided, passed to every command on the Typer context."""

    db: StoreLocation
    explicit: bool
    """Whether the person chose the store (`--db`, MICROUP_DB): reads then never fall back."""


def _show_version(value: bool) -> None:
    if value:
        sys.stdout.write(f"{PROG} {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="PATH|URL",
            help="Database file, or a postgresql:// URL for a shared store "
            "(default: $MICROUP_DB, else the per-user data folder).",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    explicit = db is not None or bool(os.environ.get(DB_ENV_VAR))
    ctx.obj = Settings(db=resolve_db_path(db, os.environ), explicit=explicit)
    show_help_without_command(ctx)


def show_help_without_command(ctx: typer.Context) -> None:
    """`microup` or `microup cron` alone: the help, on stdout, exit 0."""
    if ctx.invoked_subcommand is None:
        sys.stdout.write(ctx.get_help() + "\n")
        raise typer.Exit()


MAX_ID = 2**63 - 1  # SQLite's largest integer


def whole_number(text: str | int) -> int:
    """A whole number from 1 to SQLite's largest integer, for ids and limits."""
    digits = str(text).strip()
    too_long = len(digits.lstrip("0")) > len(str(MAX_ID))  # and never past Python's own limit
    if too_long or not digits.isascii() or not digits.isdigit() or not 1 <= int(digits) <= MAX_ID:
        raise typer.BadParameter(f"{shown(str(text))} is not a whole number from 1 up")
    return int(digits)


def stdin_is_terminal() -> bool:
    """Whether a person can answer a question (false under cron, pipes and scripts)."""
    return sys.stdin.isatty()


def now() -> datetime:
    """The current local time, aware: read once per command and passed down."""
    return datetime.now().astimezone()


@contextmanager
def open_store(
    ctx: typer.Context, *, write: bool, create: bool = True, attach: Path | None = None
) -> Iterator["Store"]:
    """One transaction on the chosen store for the length of the `with` block."""
    from microup.app.access import open_store as transaction

    settings: Settings = ctx.obj
    with transaction(
        settings.db, write=write, explicit=settings.explicit, create=create, attach=attach
    ) as store:
        yield store


RecallOption = Annotated[
    str | None,
    typer.Option(
        "--recall",
        "-r",
        metavar="GRADE",
        help="For a review: how well you recalled it: again, hard, good, easy (or 1-4).",
    ),
]


def optional_topic(text: str | None) -> str | None:
    return None if text is None else clean_topic(text)


Completer = Callable[[typer.Context, str], list[tuple[str, str]]]


def completer(name: str) -> Completer:
    """The completion of the values called `name` (`cli.complete.VALUES`), imported only on
    a TAB."""

    def complete_values(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
        from microup.cli import complete

        return complete.values(name, ctx, incomplete)

    return complete_values


TopicOption = Annotated[
    str | None,
    typer.Option(
        "--topic",
        "-t",
        metavar="TOPIC",
        help="What you studied (1-80 characters).",
        autocompletion=completer("topics"),
    ),
]
NoteOption = Annotated[
    str | None, typer.Option("--note", "-n", metavar="NOTE", help="A note, up to 1,000 characters.")
]
WhenOption = Annotated[
    str | None,
    typer.Option(
        "--at",
        metavar="WHEN",
        help="When: 2026-11-20, 2026-11-20T18:30, today, yesterday, 30m ago, 3d ago.",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


FromOption = Annotated[
    str | None,
    typer.Option("--from", metavar="WHEN", help="From WHEN on (a day: from its start)."),
]
ToOption = Annotated[
    str | None,
    typer.Option("--to", metavar="WHEN", help="Up to WHEN (a day: to its end)."),
]
WeekOption = Annotated[bool, typer.Option("--week", help="This week only (Monday to Sunday).")]
LastWeekOption = Annotated[bool, typer.Option("--last-week", help="Last week only.")]


def chosen_range(start: str | None, end: str | None, week: bool, last_week: bool) -> "TimeRange":
    """The span `--from`/`--to`/`--week`/`--last-week` ask for (everything when unset)."""
    from microup.core.ranges import time_range

    return time_range(start, end, week=week, last_week=last_week, now=now())
