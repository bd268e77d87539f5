"""The journal commands: log a session, see the week, set the goal, list, fix and remove entries."""

from dataclasses import replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Annotated, Any

import typer

from microup.app.programme import count_session, module_topic, week_news
from microup.app.programme_entries import recount_entry, take_back_entry
from microup.app.rules import require_learnt
from microup.app.week import this_week
from microup.cli import common
from microup.cli.adding import confirm_backfill, record_added
from microup.cli.common import (
    FromOption,
    JsonOption,
    LastWeekOption,
    NoteOption,
    RecallOption,
    ToOption,
    TopicOption,
    WeekOption,
    WhenOption,
    app,
    chosen_range,
    completer,
    now,
    open_store,
    optional_topic,
    whole_number,
)
from microup.core.errors import UsageError

if TYPE_CHECKING:
    pass
from microup.core.text import clean_note, clean_topic
from microup.core.weeks import week_start
from microup.core.when import MAX_GOAL_MINUTES, parse_duration, parse_goal, parse_when


@app.command()
def log(
    ctx: typer.Context,
    duration: Annotated[
        str, typer.Argument(metavar="DURATION", help="Minutes: 20, 20m, 1h or 1h30m (1 to 600).")
    ],
    topic: TopicOption = None,
    note: NoteOption = None,
    at: WhenOption = None,
    recall: RecallOption = None,
    review: Annotated[
        bool,
        typer.Option(
            "--review", help="A review of what you learnt on the topic before, not new material."
        ),
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Log a time long before your first entry.")
    ] = False,
    module: Annotated[
        str | None,
        typer.Option("--module", metavar="TITLE", help="The programme module it counts toward."),
    ] = None,
    done: Annotated[
        bool, typer.Option("--done", help="The module is finished with this session.")
    ] = False,
) -> None:
    """Record a session and see the week's progress.

    A session is new material unless --review (or --recall) says it revisits a topic. New
    material counts toward the next module of its topic in your programmes (or --module).
    """
    from microup.core.memory import parse_grade
    from microup.core.values import Entry
    from microup.views import render

    moment = now()
    entry = Entry(
        at=parse_when(at, moment) if at is not None else moment,
        minutes=parse_duration(duration),
        topic=optional_topic(topic),
        note=clean_note(note) if note is not None else None,
        grade=int(parse_grade(recall)) if recall is not None else None,
        kind="review" if review or recall is not None else "learn",
    )
    if entry.kind == "review" and entry.topic is None:
        raise UsageError("a review needs the topic it reviews: --topic NAME")
    if at is not None and not yes:
        confirm_backfill(ctx, entry.at)
    if entry.kind == "review" and (module is not None or done):
        raise UsageError("--module and --done are for new material, not a review")
    with open_store(ctx, write=True) as store:
        if entry.kind == "review":
            require_learnt(store, entry.topic)
        if module is not None and entry.topic is None:
            entry = replace(entry, topic=module_topic(store, module))
        saved = store.add_entry(entry)
        counted = count_session(store, saved, module=module, done=done, moment=moment)
        if done and counted is None:
            raise UsageError("--done needs a module: --module TITLE, or a programme's topic")
        record_added(store, [saved], "Logged")
        past = week_start(saved.at.date()) < week_start(moment.date())
        week = this_week(store, saved.at if past else moment)
    out = render.console()
    out.print(render.describe_entry(saved, "Reviewed" if saved.kind == "review" else "Logged"))
    out.print(render.progress(week, out, past=past))
    if entry.topic and saved.topic and entry.topic != saved.topic:
        out.print(render.spelling_note(entry.topic, saved.topic))
    if counted is not None:
        from microup.cli.programme import counted_lines

        for line in counted_lines(counted, moment):
            out.print(render.user_text(line))


@app.command()
def week(ctx: typer.Context, json: JsonOption = False) -> None:
    """This week against your goal, day by day.

    Monday to Sunday in local time, with this session's reviews and a running timer.
    """
    from microup.app.review import review_view
    from microup.views import render

    moment = now()
    with open_store(ctx, write=False) as store:
        summary = this_week(store, moment)
        view = review_view(store, moment)
        blocks = view.this_session()
        timer = store.timer()
        plan = view.outlook.plan
        new = week_news(store, plan.new_minutes_left, plan.sessions_left, moment.date())[0]
    if json:
        render.print_json(
            render.week_json(summary)
            | {"review_next": [{"topic": t, "minutes": m} for t, m in blocks]}
            | {"timer": render.timer_json(timer, moment)}
            | ({} if new is None else {"new": new.json()})
        )
    else:
        from microup.views import memory as render_memory

        out = render.console()
        out.print(render.week_view(summary, out))
        if blocks:
            out.print(render_memory.blocks_line(blocks))
        if new is not None:
            out.print(render.user_text(new.line()))
        if timer is not None:
            out.print(render.timer_line(timer, moment))


def _goal_this_week(ctx: typer.Context, monday: date, minutes: int) -> None:
    """`goal N --week`: 0 is a week off; another goal holds this week, and the next week
    goes back to the goal it had."""
    from microup.cli.holiday import mark_week_off
    from microup.core.weeks import week_label
    from microup.views import render

    if minutes == 0:
        mark_week_off(ctx, monday, off=True)
        return
    following = monday + timedelta(weeks=1)
    with open_store(ctx, write=True) as store:
        goals = store.goals()
        if goals.standing_goal(monday) != minutes:
            if following not in dict(goals.changes):
                store.set_goal(following, goals.standing_goal(following))
            store.set_goal(monday, minutes)
            store.describe(
                f"Weekly goal {minutes} min for {week_label(monday)} only",
                f"Weekly goal for {week_label(monday)} back to what it was",
            )
    render.console().print(f"Weekly goal {minutes} min for this week ({week_label(monday)}) only.")


@app.command()
def goal(
    ctx: typer.Context,
    minutes: Annotated[
        str | None,
        typer.Argument(metavar="MINUTES", help="New weekly goal: minutes like 60 or 1h30m."),
    ] = None,
    this_week: Annotated[
        bool,
        typer.Option("--week", help="For this week only (0: a week off, as `microup holiday`)."),
    ] = False,
) -> None:
    """Show or set the weekly goal (default 60 minutes).

    A new goal applies from this week on; past weeks keep the goal they had.
    """
    from microup.core.weeks import week_label, week_start
    from microup.views import render

    today = now().date()
    monday = week_start(today)
    if this_week:
        if minutes is None:
            raise UsageError("--week needs the goal for this week (0 for a week off)")
        _goal_this_week(
            ctx, monday, parse_duration(minutes, maximum=MAX_GOAL_MINUTES, minimum=0, what="goal")
        )
        return
    new_goal = parse_goal(minutes) if minutes is not None else None
    with open_store(ctx, write=new_goal is not None) as store:
        if new_goal is not None and store.goals().goal_for(monday) != new_goal:
            before = dict(store.goals().changes).get(monday)
            store.set_goal(monday, new_goal)
            store.describe(
                f"Weekly goal {new_goal} min from {week_label(today)}",
                f"Weekly goal from {week_label(today)} back to "
                + (f"{before} min" if before else "what it was"),
            )
        current = store.goals().goal_for(monday)
    out = render.console()
    if new_goal is not None:
        out.print(f"Weekly goal set to {current} min from this week ({week_label(today)}) on.")
    else:
        out.print(f"Weekly goal: {current} min.")


@app.command()
def entries(
    ctx: typer.Context,
    since: Annotated[
        str | None, typer.Option("--since", metavar="WHEN", help="Only entries from WHEN on.")
    ] = None,
    topic: Annotated[
        str | None,
        typer.Option(
            "--topic",
            "-t",
            metavar="TOPIC",
            help="Only this topic.",
            autocompletion=completer("topics"),
        ),
    ] = None,
    limit: Annotated[
        int,
        typer.Option(
            "--limit",
            metavar="N",
            parser=whole_number,
            show_default=False,
            help="At most N entries (default 20).",
        ),
    ] = 20,
    json: JsonOption = False,
    start: FromOption = None,
    end: ToOption = None,
    week: WeekOption = False,
    last_week: LastWeekOption = False,
) -> None:
    """Recent entries, newest first, with their ids.

    The ids are what edit and delete take.
    """
    from microup.views import render

    if since is not None and start is not None:
        raise UsageError("--since and --from say the same: give one")
    span = chosen_range(start if since is None else since, end, week, last_week)
    wanted_topic = optional_topic(topic)
    with open_store(ctx, write=False) as store:
        found = store.entries(since=span.start, until=span.end, topic=wanted_topic, limit=limit)
    if json:
        render.print_json({"entries": [render.entry_json(entry) for entry in found]})
    elif not found:
        filtered = span.bounded or topic is not None
        render.console().print(
            "No entries match." if filtered else "No entries yet. Start with: microup log 20"
        )
    else:
        out = render.console()
        out.print(render.entries_view(found, out))


@app.command()
def edit(
    ctx: typer.Context,
    entry_id: Annotated[
        int,
        typer.Argument(
            metavar="ID",
            parser=whole_number,
            help="The entry's id.",
            autocompletion=completer("entry_ids"),
        ),
    ],
    minutes: Annotated[
        str | None, typer.Option("--minutes", "-m", metavar="D", help="New duration.")
    ] = None,
    topic: Annotated[
        str | None,
        typer.Option(
            "--topic",
            "-t",
            metavar="TOPIC",
            help='New topic ("" removes it).',
            autocompletion=completer("topics"),
        ),
    ] = None,
    note: Annotated[
        str | None, typer.Option("--note", "-n", metavar="NOTE", help='New note ("" removes it).')
    ] = None,
    at: WhenOption = None,
) -> None:
    """Change an entry's duration, topic, note or time."""
    from microup.views import render

    if minutes is None and topic is None and note is None and at is None:
        raise UsageError("nothing to change: give --minutes, --topic, --note or --at")
    changes: dict[str, Any] = {}
    if minutes is not None:
        changes["minutes"] = parse_duration(minutes)
    if topic is not None:
        changes["topic"] = clean_topic(topic) if topic.strip() else None
    if note is not None:
        changes["note"] = clean_note(note)
    if at is not None:
        changes["at"] = parse_when(at, now())
    with open_store(ctx, write=True, create=False) as store:
        before = store.get_entry(entry_id)
        changed = replace(before, **changes)
        if changed.kind == "review" and changed.topic is None:
            raise UsageError(f"#{entry_id} is a review: it needs the topic it reviews")
        if changed.kind == "review" and "topic" in changes:
            require_learnt(store, changed.topic, f"#{entry_id} is a review, left as it was")
        updated = store.replace_entry(entry_id, changed)
        recount_entry(store, before, updated, now())
        store.describe(
            f"Edited {render.entry_label(updated)}: {render.entry_changes(before, updated)}",
            f"Restored {render.entry_label(before)} as it was before the edit",
        )
    out = render.console()
    out.print(render.describe_entry(updated, "Updated"))
    if changed.topic and updated.topic and changed.topic != updated.topic:
        out.print(render.spelling_note(changed.topic, updated.topic))


@app.command()
def delete(
    ctx: typer.Context,
    entry_id: Annotated[
        int,
        typer.Argument(
            metavar="ID",
            parser=whole_number,
            help="The entry's id.",
            autocompletion=completer("entry_ids"),
        ),
    ],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete one entry (asks first, unless --yes)."""
    from microup.views import render

    if not yes:
        if not common.stdin_is_terminal():
            raise UsageError(f"not on a terminal: run 'microup delete {entry_id} --yes' to delete")
        with open_store(ctx, write=False) as store:
            target = store.get_entry(entry_id)
        if not typer.confirm(render.describe_entry(target, "Delete").plain + "?", default=False):
            render.console().print("Nothing deleted.")
            return
    with open_store(ctx, write=True, create=False) as store:
        removed = store.delete_entry(entry_id)
        take_back_entry(store, removed)
        store.describe(
            f"Deleted {render.entry_label(removed)}", f"Restored {render.entry_label(removed)}"
        )
    render.console().print(render.describe_entry(removed, "Deleted"))
