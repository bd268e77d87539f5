"""The long-run commands: stats and the calendar, export and import."""

import io
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer

from microup.cli.common import (
    FromOption,
    JsonOption,
    LastWeekOption,
    ToOption,
    WeekOption,
    app,
    chosen_range,
    completer,
    now,
    open_store,
)
from microup.core.errors import UsageError
from microup.core.text import plural, printable

if TYPE_CHECKING:
    from microup.core.ranges import TimeRange
    from microup.core.values import TopicTotal
    from microup.store import Store

MAX_WEEKS = 520

StatsWeeksOption = Annotated[
    int,
    typer.Option(
        "--weeks",
        metavar="N",
        min=1,
        max=MAX_WEEKS,
        show_default=False,
        help=f"How many weeks, 1 to {MAX_WEEKS} (default 12).",
    ),
]
CalendarWeeksOption = Annotated[
    int,
    typer.Option(
        "--weeks",
        metavar="N",
        min=1,
        max=MAX_WEEKS,
        show_default=False,
        help=f"How many weeks, 1 to {MAX_WEEKS} (default 26).",
    ),
]
FormatOption = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        metavar="json|csv",
        help="File format (default: from the extension).",
        autocompletion=completer("formats"),
    ),
]
ExportFormatOption = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        metavar="json|csv|xapi",
        help="File format (default: from the extension); xapi: xAPI statements.",
    ),
]


def _format(
    text: str | None, path: Path | None, *, xapi: bool = False, reading: bool = False
) -> str | None:
    """The chosen format: as given, else from the file's extension, else None (guess)."""
    from microup.core.formats.export import FORMATS, IMPORT_FORMATS

    if text is None:
        suffix = path.suffix.lower().lstrip(".") if path is not None else ""
        return suffix if suffix in FORMATS else None
    known = (*(IMPORT_FORMATS if reading else FORMATS), *(("xapi",) if xapi else ()))
    if text.lower() not in known:
        raise UsageError(f"unknown format {printable(text)!r}: use {', '.join(known)}")
    return text.lower()


@app.command()
def stats(
    ctx: typer.Context,
    weeks: StatsWeeksOption = 12,
    calendar: Annotated[
        bool, typer.Option("--calendar", help="Also show the calendar heatmap.")
    ] = False,
    json: JsonOption = False,
    start: FromOption = None,
    end: ToOption = None,
    week: WeekOption = False,
    last_week: LastWeekOption = False,
    html: Annotated[
        Path | None,
        typer.Option(
            "--html",
            metavar="FILE",
            help="Also write the report as one HTML page (charts included) to FILE.",
        ),
    ] = None,
) -> None:
    """Weeks against the goal, streaks, adherence, time per topic.

    Adherence is how often you meet the goal, in the terms of the UK pilot. With a range
    (--from/--to, --week, --last-week), everything is counted within it. --html writes the
    same figures, the calendar and each topic's forgetting curve as a page to print or send
    (it opens in any browser, offline).
    """
    from microup.core.weeks import (
        adherence,
        best_streak,
        current_streak,
        recent_weeks,
        weekly_totals,
    )
    from microup.views import history as render_history
    from microup.views import render

    moment = now()
    span = chosen_range(start, end, week, last_week)
    today = min(moment.date(), span.last_day() or moment.date())
    with open_store(ctx, write=False) as store:
        daily = store.daily_minutes(span.first_day(), span.last_day())
        goals = store.goals()
        topics = _topic_totals(store, span)
    if span.start is not None:
        weeks = min(weeks, (today - span.start.date()).days // 7 + 1)
    weekly = weekly_totals(daily)
    summary = render_history.Stats(
        weeks=recent_weeks(today, weekly, goals, weeks),
        total_minutes=sum(daily.values()),
        streak=current_streak(today, weekly, goals),
        best_streak=best_streak(today, weekly, goals),
        adherence=adherence(today, weekly, goals),
        topics=sorted(topics, key=lambda topic: (-topic.minutes, topic.name)),
    )
    if html is not None:
        from microup.cli.reports import stats_page

        stats_page(ctx, html, summary, dict(daily), moment)
        return
    if json:
        render.print_json(render_history.stats_json(summary))
        return
    out = render.console()
    out.print(render_history.stats_view(summary, out))
    if calendar:
        out.print()
        out.print(render_history.calendar_view(daily, today, min(weeks * 2, 53), out))


def _topic_totals(store: "Store", span: "TimeRange") -> list["TopicTotal"]:
    from microup.app.ranges import topic_totals

    return topic_totals(store, span)


@app.command("calendar")
def calendar_command(ctx: typer.Context, weeks: CalendarWeeksOption = 26) -> None:
    """A heatmap of minutes a day over the last months.

    A column a week, Monday to Sunday, like a contributions graph.
    """
    from microup.views import history as render_history
    from microup.views import render

    today = now().date()
    with open_store(ctx, write=False) as store:
        daily = store.daily_minutes()
    out = render.console()
    out.print(render_history.calendar_view(daily, today, weeks, out))


@app.command()
def export(
    ctx: typer.Context,
    fmt: ExportFormatOption = None,
    start: FromOption = None,
    end: ToOption = None,
    week: WeekOption = False,
    last_week: LastWeekOption = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write to FILE (replaced whole) instead of standard output.",
        ),
    ] = None,
    lines: Annotated[
        bool, typer.Option("--lines", help="With xapi: one statement a line (JSON Lines).")
    ] = False,
    with_notes: Annotated[
        bool, typer.Option("--with-notes", help="With xapi: include your notes.")
    ] = False,
) -> None:
    """Everything you logged, as JSON (default) or CSV.

    JSON also holds your goals and settings. The format follows the file's extension unless
    --format says otherwise. --format xapi writes one xAPI statement per entry, for a
    Learning Record Store (notes left out unless --with-notes).
    """
    from microup.app.programme import exported_programmes
    from microup.cli.output import output_file
    from microup.core.formats import export
    from microup.core.settings import SETTINGS
    from microup.views import render
    from microup.views.progress import tracking

    chosen = _format(fmt, output, xapi=True) or "json"
    span = chosen_range(start, end, week, last_week)
    if (lines or with_notes) and chosen != "xapi":
        raise UsageError("--lines and --with-notes go with --format xapi")
    if chosen == "xapi":
        from microup.cli.lrs import ensure_store_id

        ensure_store_id(ctx)
    with open_store(ctx, write=False) as store:
        settings = {
            k: v for k, v in store.settings().items() if k in SETTINGS and not SETTINGS[k].secret
        }
        goals, weeks_off = store.goals().changes, store.goals().off
        xapi_source = _xapi_source(store, with_notes, span) if chosen == "xapi" else None

        def write(stream: TextIO) -> int:
            if xapi_source is not None:
                from microup.core.formats import xapi

                return xapi.write(stream, xapi_source(), lines=lines)
            with tracking("Exporting") as tracker:
                chosen_entries = tracker.count(store.all_entries(span.start, span.end))
                if chosen == "csv":
                    return export.write_csv(stream, chosen_entries)
                return export.write_json(
                    stream,
                    chosen_entries,
                    goals,
                    settings,
                    programmes=exported_programmes(store),
                    holidays=weeks_off,
                )

        if output is None:  # data, not display: UTF-8 whatever the terminal's encoding
            sys.stdout.flush()
            stream: TextIO = io.TextIOWrapper(
                sys.stdout.buffer, encoding="utf-8", newline="", write_through=True
            )
            try:
                write(stream)
                stream.flush()
            finally:
                stream.detach()  # type: ignore[attr-defined]  # a TextIOWrapper
            return
        with output_file(output, ctx.obj.db) as stream:
            count = write(stream)
    render.console().print(
        f"Exported {plural(count, 'entry', 'entries')} to {printable(str(output))} ({chosen})."
    )


def _xapi_source(
    store: "Store", with_notes: bool, span: "TimeRange"
) -> Callable[[], Iterator[dict[str, Any]]]:
    """The statements of the span's entries, made as they are written (the learner is
    checked first, so a missing lrs-home fails before any file is touched)."""
    from microup.app.lrs import entry_modules, sent_state
    from microup.cli.lrs import learner_of
    from microup.core.formats import xapi

    learner = learner_of(store)
    store_id = sent_state.store_id(store) or ""
    modules = entry_modules(store)
    return lambda: xapi.statements(
        store.all_entries(span.start, span.end),
        learner,
        store_id,
        with_notes=with_notes,
        modules=modules,
    )


@app.command("import")
def import_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A microup export (JSON or CSV).")],
    fmt: FormatOption = None,
) -> None:
    """Add the entries of an export; all or nothing.

    Entries already in the store are skipped, so importing a file twice adds nothing.
    """
    import tempfile

    from microup.app.rules import require_learnt
    from microup.app.staging import STAGING_PREFIX, Staging, remove_stale_staging
    from microup.app.transfer import adopt_the_rest
    from microup.core.formats import importer
    from microup.core.settings import spec_for
    from microup.views import render
    from microup.views.progress import tracking

    chosen = _format(fmt, file, reading=True) if fmt is not None else None
    hint = _format(None, file)
    try:
        stream = file.open(encoding="utf-8-sig")  # universal newlines, as `read_text` had
    except OSError as error:
        raise UsageError(f"cannot read {printable(str(file))}: {error.strerror}") from None
    remove_stale_staging()
    with (
        tempfile.TemporaryDirectory(prefix=STAGING_PREFIX) as folder,
        stream,
        Staging(Path(folder)) as staging,
        tracking("Reading") as tracker,
    ):
        try:
            entries, batch = importer.stream_export(stream, chosen, now(), hint)
            total = staging.add(tracker.count(entries))  # read and checked: no lock held yet
        except UnicodeDecodeError:
            raise UsageError(f"{printable(str(file))} is not a text file (UTF-8)") from None
        except OSError as error:
            raise UsageError(f"cannot read {printable(str(file))}: {error.strerror}") from None
        settings = {
            spec_for(key).key: spec_for(key).normalize(value)
            for key, value in batch.settings.items()
        }
        tracker.step("Saving")
        with open_store(ctx, write=True, attach=staging.path) as store:
            for topic in staging.unlearnt_reviews():
                require_learnt(store, topic, "nothing was imported (learn it first)")
            added = store.import_entries(staging)
            adopt_goals, new_settings, programmes = adopt_the_rest(store, batch, settings)
            count = plural(added, "entry", "entries")
            store.describe(f"Imported {count} from {file.name}", f"Reverted the import of {count}")
    skipped = total - added
    lines = [
        f"Imported {plural(added, 'entry', 'entries')} from {printable(str(file))} "
        f"({skipped} already there, skipped)."
    ]
    if batch.goals:
        lines.append(
            f"Weekly goals: {len(batch.goals)} taken from the file."
            if adopt_goals
            else f"Weekly goals: kept your own; the file's {len(batch.goals)} were not applied."
        )
    if settings:
        kept = len(settings) - len(new_settings)
        lines.append(f"Settings: {len(new_settings)} taken from the file, {kept} kept your own.")
    lines += _programme_lines(programmes)
    out = render.console()
    for line in lines:
        out.print(render.user_text(line))


def _programme_lines(programmes: dict[str, str]) -> list[str]:
    """What an import did to programmes: added, updated with the file's progress, or kept."""
    said = {
        "added": "added",
        "updated": "already here, took the file's progress where it was further along",
        "kept": "already here, kept as it was",
    }
    return [f"Programme {name}: {said[what]}." for name, what in programmes.items()]
