"""Entries as xAPI 1.0.3 statements, the Experience API that Learning Record Stores speak.

Pure: the store's id, the learner's account and the home page come in; statements go out
as plain dicts ready for JSON. Verbs come from ADL's core vocabulary, which every LRS report
knows: `experienced` for new material, and `attempted` for a review, since a review is an
attempt to recall a topic and its grade is the attempt's result (ADL has no "reviewed").
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, TextIO
from urllib.parse import quote

from microup.core.errors import UsageError
from microup.core.text import topic_key
from microup.core.values import Entry

XAPI_VERSION = "1.0.3"
EXPERIENCED = "http://adlnet.gov/expapi/verbs/experienced"
ATTEMPTED = "http://adlnet.gov/expapi/verbs/attempted"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
ACTIVITY_TYPE = "http://adlnet.gov/expapi/activities/lesson"
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


def check_home(text: str) -> str:
    """The `lrs-home` setting: an absolute http(s) URL, without a trailing slash."""
    home = text.strip().rstrip("/")
    scheme, _, rest = home.partition("://")
    if scheme.lower() not in ("http", "https") or not rest or any(c.isspace() for c in home):
        raise UsageError(
            f"lrs-home must be an http(s) URL such as https://learning.example.org, "
            f"not {text.strip()[:60]!r}"
        )
    return home


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


def _activity(home: str, topic: str | None) -> dict[str, Any]:
    name = topic if topic is not None else "(no topic)"
    return {
        "objectType": "Activity",
        "id": topic_iri(home, topic),
        "definition": {"type": ACTIVITY_TYPE, "name": {"en": name}},
    }


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


def body(entry: Entry, learner: Learner, *, with_notes: bool = False) -> dict[str, Any]:
    """The statement of one entry, without its id."""
    verb = ATTEMPTED if entry.kind == "review" else EXPERIENCED
    return {
        "actor": actor(learner),
        "verb": {"id": verb, "display": {"en": verb.rsplit("/", 1)[1]}},
        "object": _activity(learner.home, entry.topic),
        "result": _result(entry, with_notes=with_notes),
        "timestamp": timestamp(entry.at),
    }


STATEMENT_FORMAT = 1
"""Part of every id's digest: a change to what statements say (a new field) gives new ids."""


@lru_cache(maxsize=16)
def _namespace(store_id: str) -> uuid.UUID:
    return uuid.uuid5(MICROUP_NAMESPACE, store_id)


def statement_id(
    store_id: str, entry: Entry, learner: Learner, *, with_notes: bool = False, revision: int = 0
) -> str:
    """UUIDv5 of (the store's id, the entry's id), with a digest of everything the statement
    says and its revision: sending an entry twice gives one id (the LRS keeps one statement),
    an edited entry a new one (the old is voided), and revision n+1 follows each voiding, so a
    voided id is never reused (an entry edited back, or a deletion undone)."""
    said = (
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
    digest = hashlib.sha256(repr(said).encode()).hexdigest()[:16]
    suffix = f"/{revision}" if revision else ""
    return str(uuid.uuid5(_namespace(store_id), f"entry/{entry.id or 0}/{digest}{suffix}"))


def statement(
    entry: Entry, learner: Learner, store_id: str, *, with_notes: bool = False, revision: int = 0
) -> dict[str, Any]:
    """The full statement of one entry, id first."""
    made = statement_id(store_id, entry, learner, with_notes=with_notes, revision=revision)
    return {"id": made, **body(entry, learner, with_notes=with_notes)}


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
    entries: Iterable[Entry], learner: Learner, store_id: str, *, with_notes: bool = False
) -> Iterator[dict[str, Any]]:
    """One statement per entry, in the entries' order."""
    for entry in entries:
        yield statement(entry, learner, store_id, with_notes=with_notes)


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
