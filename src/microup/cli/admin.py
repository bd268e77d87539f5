"""The shared PostgreSQL store's administration: `db init`, learners and reporters, cohorts
and the cohort report. Each command works on the store `--db`/MICROUP_DB names (a URL)."""

from pathlib import Path
from typing import Annotated

import typer

from microup.cli import common
from microup.cli.common import JsonOption, app, show_help_without_command
from microup.cli.lazy import LazyGroup
from microup.core.errors import MicroupError, UsageError
from microup.core.location import is_database_url
from microup.core.text import plural, printable

MAX_REPORT_WEEKS = 104

db_app = typer.Typer(
    cls=LazyGroup,
    help="Set up a shared store and its learners (for its administrator).\n\n"
    "A shared store is a PostgreSQL database, named by a postgresql:// URL in --db or "
    "MICROUP_DB.",
    invoke_without_command=True,
)
app.add_typer(db_app, name="db")
db_app.callback()(show_help_without_command)

cohort_app = typer.Typer(
    cls=LazyGroup,
    help="Groups of learners on a shared store, and their report.\n\n"
    "Kept by the administrator; the report gives aggregates only.",
    invoke_without_command=True,
)
app.add_typer(cohort_app, name="cohort")
cohort_app.callback()(show_help_without_command)


def _shared_url(ctx: typer.Context, given: str | None = None) -> str:
    """The PostgreSQL URL to work on: the argument, else --db / MICROUP_DB."""
    location = given if given is not None else ctx.obj.db
    if not is_database_url(location):
        shown = printable(str(location))
        raise UsageError(
            f"{shown} is not a postgresql:// URL: this command works on a shared store "
            "(give --db postgresql://ROLE@HOST/DATABASE or set MICROUP_DB)"
        )
    return str(location)


def _say(text: str) -> None:
    """Lines that may hold names people typed: shown literally, one per line."""
    from microup.views import render

    out = render.console()
    for line in text.split("\n"):
        out.print(render.user_text(line))


@db_app.command("init")
def init(
    ctx: typer.Context,
    url: Annotated[
        str | None,
        typer.Argument(
            metavar="URL", help="postgresql://ADMIN@HOST/DATABASE (default: --db / MICROUP_DB)."
        ),
    ] = None,
) -> None:
    """Create or upgrade the store in an existing database.

    The schema, the group roles and the row-level security policies; run it again to upgrade.
    """
    target = _shared_url(ctx, url)
    from microup.app.shared_store import LEARNER_ROLE, REPORTER_ROLE, init_store
    from microup.core.location import shown_url

    created = init_store(target)
    where = shown_url(target)
    _say(
        f"{'Created the microup store in' if created else 'The microup store is up to date in'} "
        f"{where}.\n"
        f"Each learner connects as their own login role, a member of {LEARNER_ROLE}:\n"
        f"  microup --db {where} db add-learner NAME\n"
        f"  (in SQL: CREATE ROLE name LOGIN; GRANT {LEARNER_ROLE} TO name;\n"
        "   SELECT microup.admit('name', 'learner');)\n"
        "A reporting role may read cohort reports and send the statements of learners who\n"
        f"consented (lrs send --everyone), and nothing else ({REPORTER_ROLE}):\n"
        f"  microup --db {where} db add-reporter NAME\n"
        "Learners then use postgresql://NAME@HOST/DATABASE as their --db or MICROUP_DB."
    )


RoleNames = Annotated[list[str], typer.Argument(metavar="NAME...", help="Database role names.")]


def _add_roles(ctx: typer.Context, names: list[str], what: str) -> None:
    url = _shared_url(ctx)
    from microup.app.shared_store import admit

    for name, created in admit(url, names, what):
        made = " (a new login role: give it a password with \\password in psql)" if created else ""
        _say(f"{name} is now a {what}{made}.")


@db_app.command("add-learner")
def add_learner(ctx: typer.Context, names: RoleNames) -> None:
    """Let roles log their own sessions.

    Login roles that do not exist yet are created.
    """
    _add_roles(ctx, names, "learner")


@db_app.command("add-reporter")
def add_reporter(ctx: typer.Context, names: RoleNames) -> None:
    """Let roles read cohort reports, and send consenting learners' statements.

    Aggregates only, never anyone's entries, except those a learner consented to send to
    the LRS (lrs send --everyone).
    """
    _add_roles(ctx, names, "reporter")


CohortName = Annotated[str, typer.Argument(metavar="NAME", help="The cohort's name.")]
Learners = Annotated[list[str], typer.Argument(metavar="LEARNER...", help="Learner role names.")]


@cohort_app.command("create")
def create(ctx: typer.Context, name: CohortName) -> None:
    """Start a new, empty cohort."""
    url = _shared_url(ctx)  # before the store is imported: a file path needs no driver
    from microup.app.shared_store import create_cohort

    create_cohort(url, name, common.now())
    _say(f"Created cohort '{name}'; enrol learners with: microup cohort add NAME LEARNER...")


@cohort_app.command("add")
def add(ctx: typer.Context, name: CohortName, learners: Learners) -> None:
    """Enrol learners in a cohort."""
    url = _shared_url(ctx)
    from microup.app.shared_store import enrol

    added, handed = enrol(url, name, learners, common.now().date())
    _say(f"Added {plural(len(added), 'learner')} to '{name}'.")
    for programme in handed:
        _say(f"Gave them the cohort's programme {programme}.")


@cohort_app.command("remove")
def remove(ctx: typer.Context, name: CohortName, learners: Learners) -> None:
    """Take learners out of a cohort (their entries stay)."""
    url = _shared_url(ctx)
    from microup.app.shared_store import unenrol

    removed = unenrol(url, name, learners)
    _say(f"Removed {plural(len(removed), 'learner')} from '{name}'.")


@cohort_app.command("delete")
def delete(ctx: typer.Context, name: CohortName) -> None:
    """Forget a cohort and who was in it (entries stay)."""
    url = _shared_url(ctx)
    from microup.app.shared_store import delete_cohort

    members = delete_cohort(url, name)
    _say(f"Deleted cohort '{name}' ({plural(members, 'learner')} enrolled; entries kept).")


@cohort_app.command("list")
def list_(ctx: typer.Context, json: JsonOption = False) -> None:
    """Every cohort and its learners (administrators only)."""
    from microup.views import render

    url = _shared_url(ctx)
    from microup.app.shared_store import list_cohorts

    found = list_cohorts(url)
    if json:
        render.print_json({"cohorts": [{"name": n, "learners": m} for n, m in found]})
    elif not found:
        _say("No cohorts yet. Start one with: microup cohort create NAME")
    else:
        for name, members in found:
            _say(f"{name}  ({plural(len(members), 'learner')}): {', '.join(members)}")


@cohort_app.command("programme")
def programme(
    ctx: typer.Context,
    name: CohortName,
    file: Annotated[str, typer.Argument(metavar="FILE", help="The programme's outline.")],
    by: Annotated[
        str | None,
        typer.Option("--by", metavar="DATE", help="When it should be finished: 2027-03-31."),
    ] = None,
) -> None:
    """Give every learner of a cohort a programme, as their own."""
    url = _shared_url(ctx)
    from microup.app.shared_store import give_programme
    from microup.cli.programme import _read_outline

    outline = _read_outline(Path(file))
    title, given = give_programme(url, name, outline, by=by, today=common.now().date())
    _say(f"Gave {title} to {plural(len(given), 'learner')} of '{name}'.")


@cohort_app.command("report")
def report(
    ctx: typer.Context,
    name: CohortName,
    weeks: Annotated[
        int,
        typer.Option(
            "--weeks",
            "-w",
            metavar="N",
            min=1,
            max=MAX_REPORT_WEEKS,
            show_default=False,
            help=f"Weeks shown, 1 to {MAX_REPORT_WEEKS} (default 8).",
        ),
    ] = 8,
    json: JsonOption = False,
    csv: Annotated[bool, typer.Option("--csv", help="Print the weekly trend as CSV.")] = False,
    html: Annotated[
        Path | None,
        typer.Option("--html", metavar="FILE", help="Write the report as one HTML page to FILE."),
    ] = None,
) -> None:
    """How the cohort is managing, beside the UK pilot.

    This week, adherence beside the pilot's figures, and the weekly trend; --html writes
    them as a page with charts, to print or send.
    """
    import sys

    if sum((json, csv, html is not None)) > 1:
        raise UsageError("choose one of --json, --csv and --html")
    url = _shared_url(ctx)
    from microup.app.shared_store import cohort_report
    from microup.core.cohort import report_json, report_rows
    from microup.views import render

    moment = common.now()
    figures = cohort_report(url, name, moment, weeks)
    result = figures.report
    if json:
        render.print_json(report_json(result) | {"programmes": figures.programmes})
        return
    if result.suppressed:
        raise MicroupError(result.suppressed_reason)
    if html is not None:
        from microup.cli.reports import cohort_page

        cohort_page(ctx, html, result, moment)
        return
    if csv:
        import csv as csv_module

        csv_module.writer(sys.stdout, lineterminator="\n").writerows(report_rows(result))
        return
    from microup.views.cohort import cohort_view

    out = render.console()
    out.print(cohort_view(result, out))
