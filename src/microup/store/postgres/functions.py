"""The shared store's functions: who a connection is, its ids, its deletes, its totals.

A learner is an *admission* (a row of `member`), tied to the role's oid, never to its name:
a new role that takes a former learner's name is a stranger to their rows. Rows carry the
admission's id in `learner`; row-level security compares it with `me(current_user)`, which
answers only for the session's own login role (so `SET ROLE alice` from another login reads
nothing of alice's) and only while that role cannot become others or bypass security.

Learners hold no table-level UPDATE or DELETE (either would let them `LOCK` a shared table
and stall everyone): they update named columns and delete through `forget_*`, which reach
their own rows only. Running totals are kept per statement from transition tables, so a bulk
import adds them set-wise instead of rewriting one row a million times.
"""

from __future__ import annotations

from microup.store.layout import TABLES
from microup.store.postgres.engine import LEARNER_ROLE, LEARNER_SETTING, SCHEMA
from microup.store.sqlite.schema import local_day, packed

CONNECTION_LIMIT = 10
"""Connections one learner's role may hold at once (`db add-learner` sets it)."""

LEARNER_DEFAULT = f"nullif(current_setting('{LEARNER_SETTING}', true), '')::BIGINT"
ID_TABLES = ("topic", "entry", "journal")


def id_default(table: str) -> str:
    """The default of `table`'s ids: the learner's own sequence for that table."""
    return (
        f"nextval(('{SCHEMA}.{table}_ids_' || coalesce(nullif(current_setting("
        f"'{LEARNER_SETTING}', true), ''), 'none'))::regclass)"
    )


"""Ids come from the learner's own sequences: they tell nothing of how often others log."""

# Deletes learners may ask for: the table, and the column a range of keys is taken on.
DELETABLE = {
    "entry": "id",
    "topic": "id",
    "journal": "id",
    "journal_row": "change_id",
    "goal": "week_start",
    "setting": "key",
    "timer": "id",
    "review_cache": "topic_id",
    "holiday": "week_start",
    "programme": "id",
}

FORGETTABLE = (
    *DELETABLE,
    "programme_part",
    "programme_entry",
    "lrs_sent",
)
"""Tables whose rows a learner may delete one by one, by their whole key (`forget_row`):
the journal's revert and removing a programme, a week off or a mark of `lrs send`."""


def _json(mapping: dict[str, str] | dict[str, list[str]]) -> str:
    import json

    return "'" + json.dumps(mapping) + "'"


IDENTITY = (
    f"""CREATE OR REPLACE FUNCTION me(who NAME) RETURNS BIGINT
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {SCHEMA}, pg_temp AS $me$
        SELECT m.id FROM member m JOIN pg_catalog.pg_roles r ON r.oid = m.role
        WHERE m.kind = 'learner' AND r.rolname = session_user AND who = session_user
          AND NOT (r.rolsuper OR r.rolbypassrls OR r.rolcreaterole)
    $me$""",
    f"""CREATE OR REPLACE FUNCTION hold_write_lock() RETURNS VOID
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = {SCHEMA}, pg_temp AS $lock$
    BEGIN
        -- A row lock on the learner's own admission: no key another learner could guess.
        PERFORM FROM member WHERE id = me(session_user) FOR UPDATE;
    END
    $lock$""",
    f"""CREATE OR REPLACE FUNCTION forget_range(tbl TEXT, low TEXT, high TEXT) RETURNS BIGINT
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = {SCHEMA}, pg_temp AS $forget$
    DECLARE
        col TEXT := ({_json(DELETABLE)}::jsonb) ->> tbl;
        typ TEXT;
        gone BIGINT;
    BEGIN
        IF col IS NULL THEN
            RAISE EXCEPTION 'no deletes on %', tbl USING ERRCODE = '42501';
        END IF;
        typ := CASE WHEN col IN ('week_start', 'key') THEN 'TEXT' ELSE 'BIGINT' END;
        EXECUTE format('DELETE FROM %I WHERE learner = me(session_user)'
                       ' AND %I BETWEEN $1::%s AND $2::%s', tbl, col, typ, typ)
            USING low, high;
        GET DIAGNOSTICS gone = ROW_COUNT;
        RETURN gone;
    END
    $forget$""",
    f"""CREATE OR REPLACE FUNCTION forget_row(tbl TEXT, row_key JSONB) RETURNS BIGINT
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = {SCHEMA}, pg_temp AS $row$
    DECLARE
        cols JSONB := ({_json({t: list(TABLES[t].key) for t in FORGETTABLE})}::jsonb) -> tbl;
        col TEXT;
        typ TEXT;
        cond TEXT := 'learner = me(session_user)';
        gone BIGINT;
    BEGIN
        IF cols IS NULL OR jsonb_typeof(row_key) IS DISTINCT FROM 'object'
            OR (SELECT count(*) FROM jsonb_object_keys(row_key)) <> jsonb_array_length(cols) THEN
            RAISE EXCEPTION 'no deletes on %', tbl USING ERRCODE = '42501';
        END IF;
        FOR col IN SELECT jsonb_array_elements_text(cols) LOOP
            IF row_key ->> col IS NULL THEN
                RAISE EXCEPTION 'no deletes on %', tbl USING ERRCODE = '42501';
            END IF;
            SELECT format_type(a.atttypid, a.atttypmod) INTO typ FROM pg_catalog.pg_attribute a
                WHERE a.attrelid = format('%I.%I', '{SCHEMA}', tbl)::regclass AND a.attname = col;
            cond := cond || format(' AND %I = (%L)::%s', col, row_key ->> col, typ);
        END LOOP;
        EXECUTE format('DELETE FROM %I WHERE %s', tbl, cond);
        GET DIAGNOSTICS gone = ROW_COUNT;
        RETURN gone;
    END
    $row$""",
    f"""CREATE OR REPLACE FUNCTION forget_unused_topics()
    RETURNS TABLE (id BIGINT, name TEXT, key TEXT)
    LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = {SCHEMA}, pg_temp AS $unused$
        DELETE FROM topic t WHERE t.learner = me(session_user) AND NOT EXISTS (
            SELECT FROM entry e WHERE e.learner = t.learner AND e.topic_id = t.id)
        RETURNING t.id, t.name, t.key
    $unused$""",
)


def _add(rows: str) -> str:
    """SQL adding the entries in transition table `rows` to the running totals, set-wise."""
    return f"""
        INSERT INTO day_total (learner, day, minutes)
            SELECT r.learner, {local_day("r")}, sum(r.minutes) FROM {rows} r GROUP BY 1, 2
            ON CONFLICT (learner, day)
            DO UPDATE SET minutes = day_total.minutes + excluded.minutes;
        INSERT INTO topic_total (learner, topic_id, minutes, sessions, last)
            SELECT r.learner, r.topic_id, sum(r.minutes), count(*), max({packed("r")})
            FROM {rows} r WHERE r.topic_id IS NOT NULL GROUP BY 1, 2
            ON CONFLICT (learner, topic_id) DO UPDATE SET
                minutes = topic_total.minutes + excluded.minutes,
                sessions = topic_total.sessions + excluded.sessions,
                last = greatest(topic_total.last, excluded.last);
        DELETE FROM review_cache c USING (
            SELECT r.learner, r.topic_id, min(r.at) AS at FROM {rows} r GROUP BY 1, 2) x
            WHERE c.learner = x.learner AND c.topic_id = x.topic_id AND c.cutoff > x.at;"""


def _subtract(rows: str) -> str:
    """SQL taking the entries in transition table `rows` off the running totals."""
    return f"""
        UPDATE day_total d SET minutes = d.minutes - x.minutes FROM (
            SELECT r.learner, {local_day("r")} AS day, sum(r.minutes) AS minutes
            FROM {rows} r GROUP BY 1, 2) x WHERE d.learner = x.learner AND d.day = x.day;
        DELETE FROM day_total d USING (SELECT DISTINCT r.learner, {local_day("r")} AS day
            FROM {rows} r) x WHERE d.learner = x.learner AND d.day = x.day AND d.minutes <= 0;
        UPDATE topic_total s SET minutes = s.minutes - x.minutes,
            sessions = s.sessions - x.sessions,
            last = coalesce((SELECT max({packed("e")}) FROM entry e
                             WHERE e.learner = s.learner AND e.topic_id = s.topic_id), 0)
            FROM (SELECT r.learner, r.topic_id, sum(r.minutes) AS minutes, count(*) AS sessions
                  FROM {rows} r WHERE r.topic_id IS NOT NULL GROUP BY 1, 2) x
            WHERE s.learner = x.learner AND s.topic_id = x.topic_id;
        DELETE FROM topic_total s USING (SELECT DISTINCT r.learner, r.topic_id FROM {rows} r) x
            WHERE s.learner = x.learner AND s.topic_id = x.topic_id AND s.sessions <= 0;
        DELETE FROM review_cache c USING (
            SELECT r.learner, r.topic_id, min(r.at) AS at FROM {rows} r GROUP BY 1, 2) x
            WHERE c.learner = x.learner AND c.topic_id = x.topic_id AND c.cutoff > x.at;"""


def _totals_function(name: str, body: str) -> str:
    return f"""CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = {SCHEMA}, pg_temp AS $keep$
    BEGIN {body}
        RETURN NULL;
    END
    $keep$"""


TOTALS = (
    "DROP TRIGGER IF EXISTS entry_totals ON entry",
    "DROP TRIGGER IF EXISTS entry_reviews ON entry",
    "DROP FUNCTION IF EXISTS keep_totals()",
    _totals_function("totals_added", _add("added")),
    _totals_function("totals_removed", _subtract("removed")),
    _totals_function("totals_changed", _subtract("removed") + _add("added")),
    "DROP TRIGGER IF EXISTS entry_added ON entry",
    "DROP TRIGGER IF EXISTS entry_removed ON entry",
    "DROP TRIGGER IF EXISTS entry_changed ON entry",
    """CREATE TRIGGER entry_added AFTER INSERT ON entry REFERENCING NEW TABLE AS added
        FOR EACH STATEMENT EXECUTE FUNCTION totals_added()""",
    """CREATE TRIGGER entry_removed AFTER DELETE ON entry REFERENCING OLD TABLE AS removed
        FOR EACH STATEMENT EXECUTE FUNCTION totals_removed()""",
    """CREATE TRIGGER entry_changed AFTER UPDATE ON entry
        REFERENCING OLD TABLE AS removed NEW TABLE AS added
        FOR EACH STATEMENT EXECUTE FUNCTION totals_changed()""",
)

_STATS_VIEWS = (
    "SELECT format('%I', c.relname) FROM pg_catalog.pg_class c"
    " WHERE c.relnamespace = 'pg_catalog'::regnamespace AND c.relkind = 'v'"
    " AND (c.relname LIKE 'pg\\_stat%' OR c.relname LIKE 'pg\\_statio%'"
    " OR c.relname IN ('pg_locks', 'pg_stats', 'pg_stats_ext', 'pg_stats_ext_exprs'))"
)

HIDE_STATISTICS = f"""DO $hide$
DECLARE
    view_name TEXT;
BEGIN
    -- Row counts, scans and locks of microup's tables would show how often others log.
    -- Only a superuser may change who reads the catalog's views; others leave them be.
    IF NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
        RETURN;
    END IF;
    FOR view_name IN {_STATS_VIEWS} LOOP
        EXECUTE format('REVOKE SELECT ON pg_catalog.%s FROM PUBLIC', view_name);
        EXECUTE format('GRANT SELECT ON pg_catalog.%s TO pg_read_all_stats', view_name);
    END LOOP;
END
$hide$"""


def no_statistics(table: str, columns: tuple[str, ...]) -> tuple[str, ...]:
    """Collect no column statistics: the planner's estimates would confirm others' values."""
    return tuple(
        f"ALTER TABLE {table} ALTER COLUMN {column} SET STATISTICS 0" for column in columns
    )


def learner_grants(table: str, columns: tuple[str, ...], *, derived: bool) -> tuple[str, ...]:
    """Read, insert and update named columns; never table-wide UPDATE, DELETE or TRUNCATE."""
    if derived:
        return (f"GRANT SELECT ON {table} TO {LEARNER_ROLE}",)
    writable = ", ".join(column for column in columns if column != "learner")
    return (
        f"GRANT SELECT, INSERT ON {table} TO {LEARNER_ROLE}",
        f"GRANT UPDATE ({writable}) ON {table} TO {LEARNER_ROLE}",
    )
