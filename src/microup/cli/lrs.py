"""`lrs send`: your entries as xAPI statements in your organisation's Learning Record Store."""

import os
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from microup.cli import common
from microup.cli.common import app, open_store, show_help_without_command
from microup.cli.lazy import LazyGroup
from microup.core.errors import UsageError
from microup.core.text import plural

if TYPE_CHECKING:
    from microup.core.formats.xapi import Learner
    from microup.store import Store
    from microup.system.lrs import Client, Credentials

USERNAME_ENV, PASSWORD_ENV = "MICROUP_LRS_USERNAME", "MICROUP_LRS_PASSWORD"
TIMEOUT_ENV = "MICROUP_LRS_TIMEOUT"
"""Seconds each request waits for the LRS's answer (default 30; 0.1 to 600)."""

lrs_app = typer.Typer(
    cls=LazyGroup,
    help="Your entries in your organisation's Learning Record Store (xAPI).\n\n"
    "Set lrs-home, lrs-endpoint and the LRS credentials with `microup config` first.",
    invoke_without_command=True,
)
app.add_typer(lrs_app, name="lrs")
lrs_app.callback()(show_help_without_command)


def learner_of(store: "Store") -> "Learner":
    """The xAPI account: on a shared store the role, else lrs-account or the user name."""
    import getpass

    from microup.app.lrs import sent_state
    from microup.core.formats.xapi import Learner, check_home

    settings = store.settings()
    home = settings.get("lrs-home", "")
    if not home:
        raise UsageError(
            "set your organisation's home page first: microup config lrs-home https://..."
        )
    name = sent_state.account(store) or settings.get("lrs-account") or getpass.getuser()
    return Learner(check_home(home), name)


def ensure_store_id(ctx: typer.Context) -> None:
    """Name this store once (a random UUID), so its statement ids never clash with
    another store's; a short write of bookkeeping only, before the command's own work."""
    import uuid

    from microup.app.lrs import sent_state

    with open_store(ctx, write=False) as store:
        if sent_state.store_id(store):
            return
    with open_store(ctx, write=True) as store:
        if not sent_state.store_id(store):
            sent_state.keep_store_id(store, str(uuid.uuid4()))


def _credentials(settings: dict[str, str]) -> "Credentials | None":
    from microup.system.lrs import Credentials

    username = os.environ.get(USERNAME_ENV) or settings.get("lrs-username", "")
    password = os.environ.get(PASSWORD_ENV) or settings.get("lrs-password", "")
    return Credentials(username, password) if username else None


def client(url: str, credentials: "Credentials | None") -> "Client":
    """The LRS at `url`, waiting $MICROUP_LRS_TIMEOUT seconds for each answer, and saying on
    stderr when it tries again after waiting that long for nothing."""
    from microup.system.lrs import READ_TIMEOUT, Client

    text = os.environ.get(TIMEOUT_ENV, "").strip()
    try:
        timeout = float(text) if text else READ_TIMEOUT
    except ValueError:
        timeout = -1.0
    if not 0.1 <= timeout <= 600:  # also refuses nan
        raise UsageError(f"${TIMEOUT_ENV} must be a number of seconds from 0.1 to 600")
    return Client(url, credentials, timeout=timeout, notify=common.notice)


def _say(line: str) -> None:
    from microup.views import render

    render.console().print(render.user_text(line))


def _since(text: str | None) -> datetime | None:
    from microup.core.when import parse_when

    return None if text is None else parse_when(text, common.now(), start_of_day=True)


@lrs_app.command("send")
def send(
    ctx: typer.Context,
    endpoint: Annotated[
        str | None,
        typer.Option(
            "--endpoint", metavar="URL", help="The LRS's xAPI endpoint (default: lrs-endpoint)."
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since", metavar="WHEN", help="Only entries from WHEN on (2026-11-01, 30d ago)."
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what would be sent; send nothing.")
    ] = False,
    everyone: Annotated[
        bool,
        typer.Option(
            "--everyone",
            help="On a shared store, as its administrator or a reporting role: every learner "
            "who consented (lrs-consent yes).",
        ),
    ] = False,
    home: Annotated[
        str | None,
        typer.Option(
            "--home",
            metavar="URL",
            help="With --everyone: the home page for consenting learners without lrs-home.",
        ),
    ] = None,
) -> None:
    """Send your entries to the LRS as xAPI statements.

    Only what the LRS lacks is sent: new entries, and for an entry edited or deleted since,
    a statement voiding the old one (plus the new one). Notes are never sent. With
    --everyone, the statements of every learner who consented, as their own send makes them.
    """
    from microup.app.lrs import entry_modules, plan, sent_state
    from microup.core.settings import spec_for

    start = _since(since)
    url = spec_for("lrs-endpoint").normalize(endpoint) if endpoint is not None else None
    if everyone:
        from microup.cli.lrs_everyone import send_everyone

        send_everyone(
            ctx, url, start, home, credentials=_credentials({}), dry_run=dry_run, connect=client
        )
        return
    if home is not None:
        raise UsageError("--home goes with --everyone (your own home page is lrs-home)")
    ensure_store_id(ctx)
    with open_store(ctx, write=False) as store:
        settings = store.settings()
        stored = settings.get("lrs-endpoint")  # checked again: taken before checks were
        url = url or (spec_for("lrs-endpoint").normalize(stored) if stored else None)
        if not url:
            raise UsageError("no LRS: give --endpoint URL or set lrs-endpoint with microup config")
        learner = learner_of(store)
        store_id = sent_state.store_id(store) or ""
        work = plan(
            store.all_entries(),
            sent_state.sent(store, url),
            learner,
            store_id=store_id,
            since=start,
            modules=entry_modules(store),
        )
    counts = (
        f"{plural(work.new, 'new entry', 'new entries')}, {work.edited} edited, "
        f"{work.deleted} deleted, {work.unchanged} already there"
    )
    if dry_run or not work.statements:
        verb = "Would send" if dry_run else "Sent"
        _say(f"{verb} {plural(len(work.statements), 'statement')} ({counts}).")
        return
    lrs = client(url, _credentials(settings))
    for batch in work.batches():
        lrs.post(batch)
    with open_store(ctx, write=True) as store:
        sent_state.mark(store, url, work.marks, int(common.now().timestamp()))
    _say(f"Sent {plural(len(work.statements), 'statement')} ({counts}).")
