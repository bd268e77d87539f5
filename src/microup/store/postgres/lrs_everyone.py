"""Everyone's statements for the LRS, with the reporting role's rights and the learners' consent.

Two SECURITY DEFINER functions, executable by reporting roles (and the administrator) only:
`lrs_consenting(endpoint)` returns, for exactly the learners whose `lrs-consent` setting is
yes, what their statements need (never notes) and what each endpoint already holds of theirs;
`lrs_mark_consenting(endpoint, marks, at)` records what the LRS accepted. The reporting role
holds no right on any table, so it still reads no learner's rows directly.

What was sent lives in the learner's own `lrs_sent`, the table their own `lrs send` keeps:
one record per (learner, endpoint, entry) whoever sent it, so the administrator's send and
the learner's own follow one revision of each entry and an LRS never holds an entry twice. A
learner who never sent gets their store id now (their own send would have made one), under
their write lock, so their own first send cannot make another.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.exc import DBAPIError

from microup.core.errors import StoreError
from microup.core.formats.xapi import Module
from microup.core.location import shown_url
from microup.core.values import Entry
from microup.core.when import from_stored
from microup.store.lrs import STORE_ID_KEY, Sent
from microup.store.postgres.engine import REPORTER_ROLE, SCHEMA, connection, schema_version
from microup.store.programmes import modules_of

CONSENT_KEY, HOME_KEY = "lrs-consent", "lrs-home"

_CONSENTING = f"""SELECT m.id, r.rolname FROM member m
        JOIN pg_catalog.pg_roles r ON r.oid = m.role
        JOIN setting s ON s.learner = m.id AND s.key = '{CONSENT_KEY}' AND s.value = 'yes'
        WHERE m.kind = 'learner'"""
"""The learners who consent now: admitted, with a role, and their setting at yes."""

_REPORTERS_ONLY = """IF EXISTS (SELECT FROM member m JOIN pg_catalog.pg_roles r ON r.oid = m.role
                   WHERE m.kind = 'learner' AND r.rolname = session_user)
        OR NOT (EXISTS (SELECT FROM member m JOIN pg_catalog.pg_roles r ON r.oid = m.role
                        WHERE m.kind = 'reporter' AND r.rolname = session_user)
                OR pg_has_role(session_user, current_user, 'USAGE')) THEN
        RAISE EXCEPTION 'sending everyone''s statements is for reporters of this database'
            USING ERRCODE = '42501';
    END IF;"""
"""Called directly too: only this database's reporters and administrators, never a learner
(not even one who was also made a reporter)."""

CONSENTING_FUNCTION = f"""
CREATE OR REPLACE FUNCTION lrs_consenting(lrs_endpoint TEXT)
RETURNS TABLE (admission BIGINT, account TEXT, store_id TEXT, home TEXT, entries JSONB,
               marks JSONB, programmes JSONB, links JSONB)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = {SCHEMA}, pg_temp AS $lrs$
BEGIN
    {_REPORTERS_ONLY}
    -- The write lock of each consenting learner without a store id (their own send checks
    -- for one under it), then the id their own send will use too.
    PERFORM FROM member m WHERE m.id IN (
        SELECT c.id FROM ({_CONSENTING}) c WHERE NOT EXISTS (
            SELECT FROM setting s WHERE s.learner = c.id AND s.key = '{STORE_ID_KEY}'))
        ORDER BY m.id FOR UPDATE;
    INSERT INTO setting (learner, key, value)
        SELECT c.id, '{STORE_ID_KEY}', gen_random_uuid()::TEXT FROM ({_CONSENTING}) c
        ON CONFLICT DO NOTHING;
    RETURN QUERY SELECT c.id, c.rolname::TEXT,
        (SELECT s.value FROM setting s WHERE s.learner = c.id AND s.key = '{STORE_ID_KEY}'),
        (SELECT s.value FROM setting s WHERE s.learner = c.id AND s.key = '{HOME_KEY}'),
        coalesce((SELECT jsonb_agg(jsonb_build_array(e.id, e.at, e.utc_offset, e.minutes,
                                                     t.name, e.kind, e.recall)
                                   ORDER BY e.at, e.id)
                  FROM entry e LEFT JOIN topic t ON t.learner = e.learner AND t.id = e.topic_id
                  WHERE e.learner = c.id), '[]'::JSONB),
        coalesce((SELECT jsonb_agg(jsonb_build_array(l.entry_id, l.statement_id, l.revision))
                  FROM lrs_sent l WHERE l.learner = c.id AND l.endpoint = lrs_endpoint),
                 '[]'::JSONB),
        -- The module each entry counted toward: the programmes' parts and the links.
        coalesce((SELECT jsonb_agg(jsonb_build_array(p.id, p.name, coalesce(
                      (SELECT jsonb_agg(jsonb_build_array(pp.topic, pp.title) ORDER BY pp.seq)
                       FROM programme_part pp
                       WHERE pp.learner = c.id AND pp.programme_id = p.id), '[]'::JSONB)))
                  FROM programme p WHERE p.learner = c.id), '[]'::JSONB),
        coalesce((SELECT jsonb_agg(jsonb_build_array(pe.entry_id, pe.programme_id, pe.module,
                                                     t.name))
                  FROM programme_entry pe
                  JOIN entry e ON e.learner = pe.learner AND e.id = pe.entry_id
                  LEFT JOIN topic t ON t.learner = e.learner AND t.id = e.topic_id
                  WHERE pe.learner = c.id), '[]'::JSONB)
        FROM ({_CONSENTING}) c ORDER BY c.id;
END
$lrs$"""

_UUID = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
"""A statement id as a send makes them (case aside)."""

MARK_FUNCTION = f"""
CREATE OR REPLACE FUNCTION lrs_mark_consenting(lrs_endpoint TEXT, sent JSONB, at_time BIGINT)
RETURNS BIGINT
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = {SCHEMA}, pg_temp AS $mark$
DECLARE
    marked BIGINT;
BEGIN
    {_REPORTERS_ONLY}
    -- [learner, entry, statement id ('' once voided), revision], for consenting learners
    -- only, and only what a send can give: a statement (a UUID) for an entry of theirs that
    -- exists, or a voiding for an entry this endpoint holds a statement of and that is gone.
    -- The rest is ignored: a reporter writes no mark of their own making.
    INSERT INTO lrs_sent (learner, endpoint, entry_id, statement_id, revision, sent_at)
        SELECT m.learner, lrs_endpoint, m.entry_id, m.statement_id, m.revision, at_time
        FROM (SELECT (x ->> 0)::BIGINT AS learner, (x ->> 1)::BIGINT AS entry_id,
                     x ->> 2 AS statement_id, (x ->> 3)::INTEGER AS revision
              FROM jsonb_array_elements(sent) x) m
        WHERE m.learner IN (SELECT c.id FROM ({_CONSENTING}) c) AND m.revision >= 0
          AND CASE WHEN m.statement_id = '' THEN
                EXISTS (SELECT FROM lrs_sent l WHERE l.learner = m.learner
                          AND l.endpoint = lrs_endpoint AND l.entry_id = m.entry_id
                          AND l.statement_id <> '')
                AND NOT EXISTS (SELECT FROM entry e
                                WHERE e.learner = m.learner AND e.id = m.entry_id)
              ELSE m.statement_id ~* '{_UUID}'
                AND EXISTS (SELECT FROM entry e
                            WHERE e.learner = m.learner AND e.id = m.entry_id) END
        ON CONFLICT (learner, endpoint, entry_id) DO UPDATE SET
            statement_id = excluded.statement_id, revision = excluded.revision,
            sent_at = excluded.sent_at;
    GET DIAGNOSTICS marked = ROW_COUNT;
    RETURN marked;
END
$mark$"""

_SIGNATURES = ("lrs_consenting(TEXT)", "lrs_mark_consenting(TEXT, JSONB, BIGINT)")

LRS_FUNCTIONS = (
    "DROP FUNCTION IF EXISTS lrs_consenting(TEXT)",  # its columns may have grown
    CONSENTING_FUNCTION,
    MARK_FUNCTION,
    *(f"REVOKE ALL ON FUNCTION {name} FROM PUBLIC" for name in _SIGNATURES),
    *(f"GRANT EXECUTE ON FUNCTION {name} TO {REPORTER_ROLE}" for name in _SIGNATURES),
)
"""Made afresh by every `db init` (as the other functions are): no table changes."""


@dataclass
class Consenting:
    """One consenting learner: their account, store id and home page, entries and marks."""

    admission: int
    account: str
    store_id: str
    home: str | None
    entries: list[Entry] = field(default_factory=list)
    sent: dict[int, Sent] = field(default_factory=dict)
    modules: dict[int, Module] = field(default_factory=dict)
    """The module each entry counted toward, by entry id, as their own send finds it."""


def _entry(row: list[object]) -> Entry:
    entry_id, at, offset, minutes, topic, kind, recall = row
    return Entry(
        from_stored(int(str(at)), int(str(offset))),
        int(str(minutes)),
        None if topic is None else str(topic),
        None,
        None if recall is None else int(str(recall)),
        int(str(entry_id)),
        "review" if kind == "review" else "learn",
    )


_NOT_ALLOWED = (
    "sending everyone's statements to an LRS is for the administrator and reporting roles "
    f"of {{where}} (microup db add-reporter NAME grants {REPORTER_ROLE} there)"
)


def _call(
    url: str, function: str, statement: str, parameters: dict[str, object]
) -> list[tuple[object, ...]]:
    """One call of `function` in its own transaction, a refusal told in one line."""
    where = shown_url(url)
    name = f"{SCHEMA}.{function}"
    with connection(url) as conn:
        if schema_version(conn) is None:
            raise StoreError(f"{where} holds no microup store (microup db init URL)")
        present, allowed = conn.exec_driver_sql(
            f"SELECT to_regproc('{name}') IS NOT NULL, to_regproc('{name}') IS NOT NULL"
            f" AND has_function_privilege(to_regproc('{name}')::oid, 'EXECUTE')"
        ).one()
        if not present:
            raise StoreError(f"{where} has an older microup schema: run microup db init URL")
        if not allowed:
            raise StoreError(_NOT_ALLOWED.format(where=where))
        try:
            with conn.begin_nested():
                return [tuple(row) for row in conn.exec_driver_sql(statement, parameters)]
        except DBAPIError as error:
            if getattr(error.orig, "sqlstate", None) == "42501":
                raise StoreError(_NOT_ALLOWED.format(where=where)) from None
            raise


def consenting(url: str, endpoint: str) -> list[Consenting]:
    """Every learner who consents now, with what `endpoint` already holds of theirs."""
    rows = _call(
        url,
        "lrs_consenting",
        f"SELECT admission, account, store_id, home, entries::TEXT, marks::TEXT,"
        f" programmes::TEXT, links::TEXT FROM {SCHEMA}.lrs_consenting(%(endpoint)s)",
        {"endpoint": endpoint},
    )
    found = []
    for admission, account, store_id, home, entries, marks, programmes, links in rows:
        learner = Consenting(
            int(str(admission)), str(account), str(store_id), None if home is None else str(home)
        )
        learner.entries = [_entry(row) for row in json.loads(str(entries))]
        learner.sent = {
            int(entry_id): Sent(str(statement_id), int(revision))
            for entry_id, statement_id, revision in json.loads(str(marks))
        }
        outlines = {
            int(key): (str(name), [(str(t), str(title)) for t, title in parts])
            for key, name, parts in json.loads(str(programmes))
        }
        learner.modules = modules_of(outlines, json.loads(str(links)))
        found.append(learner)
    return found


def mark(url: str, endpoint: str, marks: Sequence[tuple[int, int, Sent]], at: int) -> int:
    """Record what the LRS now holds (after it accepted every batch); how many were kept."""
    if not marks:
        return 0
    sent = [[who, entry_id, item.statement_id, item.revision] for who, entry_id, item in marks]
    ((kept,),) = _call(
        url,
        "lrs_mark_consenting",
        f"SELECT {SCHEMA}.lrs_mark_consenting(%(endpoint)s, %(sent)s::JSONB, %(at)s)",
        {"endpoint": endpoint, "sent": json.dumps(sent), "at": at},
    )
    return int(str(kept))
