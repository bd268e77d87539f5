"""Entries as xAPI 1.0.3 statements, the Experience API that Learning Record Stores speak.

Pure: the store's id, the learner's account and the home page come in; statements go out
as plain dicts ready for JSON. Verbs come from ADL's core vocabulary, which every LRS report
knows: `experienced` for new material, and `attempted` for a review, since a review is an
attempt to recall a topic and its grade is the attempt's result (ADL has no "reviewed").

An entry that counted toward a programme's module is about that module: its object is the
module's activity, with the topic as its parent and the programme as its grouping.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, TextIO
from urllib.parse import quote, urlsplit

from microup.core.errors import UsageError
from microup.core.location import shown_url
from microup.core.text import topic_key
from microup.core.values import Entry

XAPI_VERSION = "1.0.3"
EXPERIENCED = "http://adlnet.gov/expapi/verbs/experienced"
ATTEMPTED = "http://adlnet.gov/expapi/verbs/attempted"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
ACTIVITY_TYPE = "http://adlnet.gov/expapi/activities/lesson"
MODULE_TYPE = "http://adlnet.gov/expapi/activities/module"
PROGRAMME_TYPE = "http://adlnet.gov/expapi/activities/course"
MICROUP_NAMESPACE = uuid.UUID("8f3d7c52-5a0e-5b8e-9c4e-6d6375700001")
"""The namespace of every statement id microup makes (a fixed UUID of its own)."""
PASSING_RECALL = 2
"""A review graded hard, good or easy recalled the topic (success); again did not."""


@dataclass(frozen=True)
class Learner:
    """Who the statements are about: an account on the organisation's home page."""

    home: str
    """An absolute http(s) URL (setting `lrs-home`): the account's home and the IRIs' root."""
    name: str


@dataclass(frozen=True)
class Module:
    """The programme module an entry counted toward (`programme_entry`): the programme's
    name, and the module's topic and title as the outline gives them."""

    programme: str
    topic: str
    title: str


def check_home(text: str) -> str:
    """The `lrs-home` setting: an absolute http(s) URL, without a trailing slash."""
    return check_url(text.strip().rstrip("/"), "lrs-home", "https://learning.example.org")


def check_url(text: str, what: str, example: str) -> str:
    """An absolute http(s) URL with a host, for `what` (lrs-home, lrs-endpoint).

    A user name or password in it is refused (credentials travel only in the Authorization
    header, from lrs-username and lrs-password), and so are a query and a fragment (the IRIs
    and the statements' address are made by appending to it); the refusal never shows them."""
    url = text.strip()
    scheme, _, rest = url.partition("://")
    if scheme.lower() not in ("http", "https") or not rest or not url.isprintable():
        raise UsageError(
            f"{what} must be an http(s) URL such as {example}, not {shown_url(url)[:60]!r}"
        )
    if "@" in rest:
        raise UsageError(
            f"{what} must not hold a user name or password (name:password@): "
            + (
                "set lrs-username and lrs-password (or $MICROUP_LRS_USERNAME and "
                "$MICROUP_LRS_PASSWORD) instead"
                if what == "lrs-endpoint"
                else f"give the URL alone, such as {example}"
            )
        )
    if "?" in rest or "#" in rest:
        raise UsageError(
            f"{what} must not have a query (?...) or a fragment (#...): give the URL "
            f"without them, such as {example}"
        )
    try:
        parts = urlsplit(url)
        valid = bool(parts.hostname) and (parts.port is None or parts.port > 0)
    except ValueError:  # an unclosed [IPv6 address, a port that is not a number or too big
        valid = False
    if not valid:
        raise UsageError(f"{what} is not a valid URL (look at its host and port): {url[:60]!r}")
    return url


def duration(minutes: int) -> str:
    """ISO 8601 duration: 25 -> PT25M, 90 -> PT1H30M."""
    hours, rest = divmod(minutes, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{rest}M" if rest or not hours else "")


def timestamp(at: datetime) -> str:
    """The entry's time with the offset it was lived at (xAPI wants seconds at least)."""
    return at.isoformat(timespec="seconds")


@lru_cache(maxsize=4096)
def topic_iri(home: str, topic: str | None) -> str:
    """A stable IRI per topic under the home page: spellings of one topic share it."""
    if topic is None:
        return f"{home}/microup/topics/-"
    return f"{home}/microup/topics/{quote(topic_key(topic), safe='')}"


def _key(text: str) -> str:
    return quote(topic_key(text), safe="")


def programme_iri(home: str, programme: str) -> str:
    """A stable IRI per programme: its case-folded name, which is how microup tells one
    programme from another (`programme add` of an edited outline updates it by name)."""
    return f"{home}/microup/programmes/{_key(programme)}"


def module_iri(home: str, module: Module) -> str:
    """A stable IRI per module: the programme's, then the module's topic and title, case-
    folded. Not its number: an edited outline may insert or move modules, and microup keeps a
    module's progress by topic and title, so the IRI keeps naming the same module."""
    topic, title = _key(module.topic), _key(module.title)
    return f"{programme_iri(home, module.programme)}/modules/{topic}/{title}"


def _activity(home: str, topic: str | None) -> dict[str, Any]:
    name = topic if topic is not None else "(no topic)"
    return {
        "objectType": "Activity",
        "id": topic_iri(home, topic),
        "definition": {"type": ACTIVITY_TYPE, "name": {"en": name}},
    }


def _module_object(home: str, module: Module) -> dict[str, Any]:
    return {
        "objectType": "Activity",
        "id": module_iri(home, module),
        "definition": {"type": MODULE_TYPE, "name": {"en": module.title}},
    }


def _module_context(home: str, topic: str | None, module: Module) -> dict[str, Any]:
    programme = {
        "objectType": "Activity",
        "id": programme_iri(home, module.programme),
        "definition": {"type": PROGRAMME_TYPE, "name": {"en": module.programme}},
    }
    return {"contextActivities": {"parent": [_activity(home, topic)], "grouping": [programme]}}


def _result(entry: Entry, *, with_notes: bool) -> dict[str, Any]:
    result: dict[str, Any] = {"duration": duration(entry.minutes)}
    if entry.kind == "review" and entry.grade is not None:
        result["score"] = {
            "scaled": round((entry.grade - 1) / 3, 4),
            "raw": entry.grade,
            "min": 1,
            "max": 4,
        }
        result["success"] = entry.grade >= PASSING_RECALL
    if with_notes and entry.note:
        result["response"] = entry.note
    return result


def actor(learner: Learner) -> dict[str, Any]:
    return {"objectType": "Agent", "account": {"homePage": learner.home, "name": learner.name}}


def body(
    entry: Entry, learner: Learner, *, with_notes: bool = False, module: Module | None = None
) -> dict[str, Any]:
    """The statement of one entry, without its id: about its topic, or about the `module`
    it counted toward (the topic its parent, the programme its grouping)."""
    verb = ATTEMPTED if entry.kind == "review" else EXPERIENCED
    made: dict[str, Any] = {
        "actor": actor(learner),
        "verb": {"id": verb, "display": {"en": verb.rsplit("/", 1)[1]}},
        "object": _activity(learner.home, entry.topic),
        "result": _result(entry, with_notes=with_notes),
        "timestamp": timestamp(entry.at),
    }
    if module is not None:
        made["object"] = _module_object(learner.home, module)
        made["context"] = _module_context(learner.home, entry.topic, module)
    return made


STATEMENT_FORMAT = 1
"""Part of every id's digest: a change to what statements say (a new field) gives new ids."""


@lru_cache(maxsize=16)
def _namespace(store_id: str) -> uuid.UUID:
    return uuid.uuid5(MICROUP_NAMESPACE, store_id)


def statement_id(
    store_id: str,
    entry: Entry,
    learner: Learner,
    *,
    with_notes: bool = False,
    revision: int = 0,
    module: Module | None = None,
) -> str:
    """UUIDv5 of (the store's id, the entry's id), with a digest of everything the statement
    says and its revision: sending an entry twice gives one id (the LRS keeps one statement),
    an edited entry a new one (the old is voided), and revision n+1 follows each voiding, so a
    voided id is never reused (an entry edited back, or a deletion undone). The module is
    part of what is said, so an entry whose module changed is an edited one; an entry with no
    module keeps the id it always had."""
    said: tuple[object, ...] = (
        STATEMENT_FORMAT,
        learner.home,
        learner.name,
        timestamp(entry.at),
        entry.minutes,
        entry.topic,
        entry.kind,
        entry.grade,
        entry.note if with_notes else None,
    )
    if module is not None:
        said += (topic_key(module.programme), topic_key(module.topic), topic_key(module.title))
    digest = hashlib.sha256(repr(said).encode()).hexdigest()[:16]
    suffix = f"/{revision}" if revision else ""
    return str(uuid.uuid5(_namespace(store_id), f"entry/{entry.id or 0}/{digest}{suffix}"))


def statement(
    entry: Entry,
    learner: Learner,
    store_id: str,
    *,
    with_notes: bool = False,
    revision: int = 0,
    module: Module | None = None,
) -> dict[str, Any]:
    """The full statement of one entry, id first (about `module` if it counted toward one)."""
    made = statement_id(
        store_id, entry, learner, with_notes=with_notes, revision=revision, module=module
    )
    return {"id": made, **body(entry, learner, with_notes=with_notes, module=module)}


def voiding(voided_id: str, learner: Learner) -> dict[str, Any]:
    """The statement that voids `voided_id` (an entry edited or deleted since it was sent);
    its id follows from the voided one, so voiding twice stores one."""
    return {
        "id": str(uuid.uuid5(MICROUP_NAMESPACE, f"void/{voided_id}")),
        "actor": actor(learner),
        "verb": {"id": VOIDED, "display": {"en": "voided"}},
        "object": {"objectType": "StatementRef", "id": voided_id},
    }


def statements(
    entries: Iterable[Entry],
    learner: Learner,
    store_id: str,
    *,
    with_notes: bool = False,
    modules: Mapping[int, Module] | None = None,
) -> Iterator[dict[str, Any]]:
    """One statement per entry, in the entries' order (`modules`: by entry id, the module
    each counted toward)."""
    found = modules or {}
    for entry in entries:
        module = found.get(entry.id or 0)
        yield statement(entry, learner, store_id, with_notes=with_notes, module=module)


def write(stream: TextIO, items: Iterable[dict[str, Any]], *, lines: bool = False) -> int:
    """Statements as a JSON list, or one per line (JSON Lines); how many were written."""
    count = 0
    if lines:
        for item in items:
            stream.write(json.dumps(item, ensure_ascii=False) + "\n")
            count += 1
        return count
    stream.write("[")
    for item in items:
        stream.write((",\n" if count else "\n") + json.dumps(item, ensure_ascii=False))
        count += 1
    stream.write("\n]\n" if count else "]\n")
    return count
