"""`lrs send --everyone`: the administrator's (or a reporting role's) send of the statements
of every learner on a shared store who consented, each as their own send makes them."""

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

import typer

from microup.cli import common
from microup.core.errors import MicroupError, UsageError
from microup.core.location import is_database_url, shown_url
from microup.core.text import plural

if TYPE_CHECKING:
    from microup.system.lrs import Client, Credentials


def _say(line: str) -> None:
    from microup.views import render

    render.console().print(render.user_text(line))


def _shared_url(ctx: typer.Context) -> str:
    location = ctx.obj.db
    if not is_database_url(location):
        raise UsageError(
            "--everyone works on a shared store, as its administrator or a reporting role "
            "(give --db postgresql://ROLE@HOST/DATABASE or set MICROUP_DB)"
        )
    return str(location)


def send_everyone(
    ctx: typer.Context,
    endpoint: str | None,
    since: datetime | None,
    home: str | None,
    *,
    credentials: "Credentials | None",
    dry_run: bool,
    connect: Callable[[str, "Credentials | None"], "Client"],
) -> None:
    """Plan every consenting learner's statements, post them, then mark them in one go.

    The LRS credentials come from the environment (`lrs send` reads them): the administrator
    has no settings on a shared store. `connect` makes the client, as `lrs send` does."""
    url = _shared_url(ctx)
    if endpoint is None:
        raise UsageError("--everyone needs --endpoint URL, the LRS's xAPI endpoint")
    from microup.app.lrs_everyone import plan_everyone, shared_sent
    from microup.core.formats.xapi import check_home

    fallback = None if home is None else check_home(home)
    found = shared_sent.consenting(url, endpoint)
    if not found:
        raise MicroupError(
            f"no learner of {shown_url(url)} has consented to sending their statements "
            "(each opts in with: microup config lrs-consent yes); nothing was sent"
        )
    work = plan_everyone(found, home=fallback, since=since)
    total = work.total
    counts = (
        f"{plural(work.learners, 'consenting learner')}: "
        f"{plural(total.new, 'new entry', 'new entries')}, {total.edited} edited, "
        f"{total.deleted} deleted, {total.unchanged} already there"
    )
    statements = plural(len(total.statements), "statement")
    if dry_run or not total.statements:
        _say(f"{'Would send' if dry_run else 'Sent'} {statements} ({counts}).")
        return
    lrs = connect(endpoint, credentials)
    for batch in work.batches():
        lrs.post(batch)
    shared_sent.mark(url, endpoint, work.marks, int(common.now().timestamp()))
    _say(f"Sent {statements} ({counts}).")
