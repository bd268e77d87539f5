"""Programmes on the shared store (issue 18): the learner's own tables, and the cohort
programme an administrator gives every learner of a cohort, with its aggregate report.

The tables are SQLite's (`store.tables`), plus `learner` leading every key, under the same
row-level security as entries (`schema.STORE_TABLES`). `cohort_programme` is the
administrator's, like `cohort`; the report function returns aggregates only, and nothing at
all under five learners who have logged.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from microup.core.programme import Programme

from microup.store.postgres.functions import LEARNER_DEFAULT
from microup.store.postgres.report import differs_little, started_by

_LEARNER = f"learner BIGINT NOT NULL DEFAULT {LEARNER_DEFAULT}"

PROGRAMME_TABLES = ("programme", "programme_part", "programme_entry")

PROGRAMME_DDL = (
    f"""CREATE TABLE programme (
        {_LEARNER},
        id BIGINT NOT NULL,
        name TEXT NOT NULL,
        key TEXT NOT NULL,
        position INTEGER NOT NULL,
        start TEXT NOT NULL,
        due TEXT,
        PRIMARY KEY (learner, id),
        UNIQUE (learner, key)
    )""",
    f"""CREATE TABLE programme_part (
        {_LEARNER},
        programme_id BIGINT NOT NULL,
        seq INTEGER NOT NULL,
        topic TEXT NOT NULL,
        title TEXT NOT NULL,
        part INTEGER NOT NULL CHECK (part BETWEEN 1 AND parts),
        parts INTEGER NOT NULL,
        minutes INTEGER NOT NULL CHECK (minutes >= 1),
        done_minutes INTEGER NOT NULL CHECK (done_minutes >= 0),
        done_at BIGINT,
        PRIMARY KEY (learner, programme_id, seq)
    )""",
    f"""CREATE TABLE programme_entry (
        {_LEARNER},
        entry_id BIGINT NOT NULL,
        programme_id BIGINT NOT NULL,
        module TEXT NOT NULL,
        minutes INTEGER NOT NULL,
        PRIMARY KEY (learner, entry_id)
    )""",
    """CREATE INDEX ix_programme_entry_learner_programme
        ON programme_entry (learner, programme_id, entry_id)""",
    # The administrator's: which programme each cohort was given, its outline as parts
    # (`[topic, title, part, parts, minutes]` each) and date, for learners who join later.
    """CREATE TABLE cohort_programme (
        cohort TEXT NOT NULL REFERENCES cohort (name) ON DELETE CASCADE,
        key TEXT NOT NULL,
        name TEXT NOT NULL,
        outline JSONB,
        due TEXT,
        PRIMARY KEY (cohort, key)
    )""",
    "REVOKE ALL ON cohort_programme FROM PUBLIC",
)
"""The programme tables as `db init` creates them (`upgrade` keeps the older ones' DDL)."""

MIN_LEARNERS = 5

# Each programme shown (held, with its parts, by five or more learners who logged): its key
# and those learners, whose rows alone make its figures.
_HOLDERS = f"""SELECT cp.key, array_agg(p.learner ORDER BY p.learner) AS learners
    FROM cohort_programme cp JOIN programme p ON p.key = cp.key AND p.learner = ANY (members)
    WHERE cp.cohort = cohort_name AND EXISTS (SELECT FROM programme_part pp
        WHERE pp.learner = p.learner AND pp.programme_id = p.id)
    GROUP BY cp.key HAVING count(*) >= {MIN_LEARNERS}"""

PROGRAMME_REPORT_FUNCTION = f"""
CREATE OR REPLACE FUNCTION cohort_programme_report(cohort_name TEXT, today DATE)
RETURNS JSONB
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = microup, pg_temp
AS $programmes$
DECLARE
    enrolled BIGINT[];
    members BIGINT[];
    end_day BIGINT := (today + 1) - DATE '1970-01-01';
    since BIGINT := extract(epoch FROM (today - 28)::TIMESTAMP)::BIGINT;
    result JSONB;
BEGIN
    IF NOT (EXISTS (SELECT FROM member m JOIN pg_catalog.pg_roles r ON r.oid = m.role
                    WHERE m.kind = 'reporter' AND r.rolname = session_user)
            OR pg_has_role(session_user, current_user, 'USAGE')) THEN
        RAISE EXCEPTION 'cohort reports are for reporters of this database'
            USING ERRCODE = '42501';
    END IF;
    -- Today only (a day either way for time zones): the learners counted are those who had
    -- logged by `today` but progress is as of now, so two reports of chosen days four weeks
    -- apart would not overlap, pass the differencing check and differ by one learner.
    IF today IS NULL OR today NOT BETWEEN current_date - 1 AND current_date + 1 THEN
        RAISE EXCEPTION 'a programme report is made as of today only' USING ERRCODE = '22023';
    END IF;
    SELECT coalesce(array_agg(learner ORDER BY learner), '{{}}') INTO enrolled
        FROM cohort_member WHERE cohort = cohort_name;
    -- Only learners who had logged something count: one who never did holds the programme
    -- untouched, a known figure, and would let a padded cohort differ by one learner.
    members := {started_by("enrolled", "end_day")};
    IF cardinality(members) < {MIN_LEARNERS} THEN
        RETURN '[]'::JSONB;
    END IF;
    -- Differencing (see `report`), programme by programme: no figures when an earlier
    -- report over these four weeks gave a programme's from learners differing by one to
    -- four; the learners of each programme shown are kept for later ones.
    IF EXISTS (SELECT FROM ({_HOLDERS}) h
               WHERE {differs_little("h.learners", "h.key", "today - 28", "today + 1")}) THEN
        RETURN '[]'::JSONB;
    END IF;
    INSERT INTO report_log (about, first_day, end_day, learners)
        SELECT key, today - 28, today + 1, learners FROM ({_HOLDERS}) h
        ON CONFLICT DO NOTHING;
    WITH given AS (
        SELECT p.learner, p.id, cp.name, p.due,
               sum(pp.minutes) AS total,
               sum(CASE WHEN pp.done_at IS NOT NULL THEN pp.minutes
                        ELSE least(pp.minutes, pp.done_minutes) END) AS done,
               max(pp.done_at) AS last_done,
               bool_and(pp.done_at IS NOT NULL) AS finished
        FROM cohort_programme cp
        JOIN programme p ON p.key = cp.key AND p.learner = ANY (members)
        JOIN programme_part pp ON pp.learner = p.learner AND pp.programme_id = p.id
        WHERE cp.cohort = cohort_name
        GROUP BY p.learner, p.id, cp.name, p.due
    ), modules AS (
        SELECT g.learner, g.id, count(*) FILTER (WHERE m.done) AS modules_done,
               count(*) AS modules_total
        FROM given g
        JOIN (SELECT learner, programme_id, topic, title, bool_and(done_at IS NOT NULL) AS done
              FROM programme_part WHERE learner = ANY (members)
              GROUP BY learner, programme_id, topic, title) m
          ON m.learner = g.learner AND m.programme_id = g.id
        GROUP BY g.learner, g.id
    ), paced AS (
        SELECT g.*, coalesce(md.modules_done, 0) AS modules_done,
               coalesce(md.modules_total, 0) AS modules_total,
               coalesce((SELECT sum(pe.minutes) FROM programme_entry pe
                   JOIN entry e ON e.learner = pe.learner AND e.id = pe.entry_id
                   WHERE pe.learner = g.learner AND pe.programme_id = g.id
                     AND e.at >= since), 0) / 4.0 AS pace
        FROM given g LEFT JOIN modules md ON md.learner = g.learner AND md.id = g.id
    ), judged AS (
        SELECT name, modules_done, modules_total,
               CASE WHEN due IS NULL THEN NULL
                    WHEN finished THEN to_timestamp(last_done)::DATE <= due::DATE
                    WHEN pace <= 0 THEN false
                    ELSE today + ceil(7 * (total - done) / pace)::INTEGER <= due::DATE
               END AS on_track
        FROM paced
    )
    SELECT coalesce(jsonb_agg(jsonb_build_object(
        'programme', name,
        'learners', learners,
        'modules_done_quartiles', quartiles,
        'modules', modules,
        'on_track_share', share) ORDER BY name), '[]')
    INTO result
    FROM (SELECT name, count(*) AS learners,
                 to_jsonb(percentile_cont(ARRAY[0.25, 0.5, 0.75])
                     WITHIN GROUP (ORDER BY modules_done)) AS quartiles,
                 percentile_disc(0.5) WITHIN GROUP (ORDER BY modules_total) AS modules,
                 CASE WHEN count(on_track) = 0 THEN NULL
                      ELSE round(avg(CASE WHEN on_track THEN 1 ELSE 0 END)
                                 FILTER (WHERE on_track IS NOT NULL), 2) END AS share
          FROM judged GROUP BY name HAVING count(*) >= {MIN_LEARNERS}) shown;
    RETURN result;
END
$programmes$
"""

PROGRAMME_REPORT_GRANTS = (
    "REVOKE ALL ON FUNCTION cohort_programme_report(TEXT, DATE) FROM PUBLIC",
    "GRANT EXECUTE ON FUNCTION cohort_programme_report(TEXT, DATE) TO microup_reporter",
)


def give_programme(url: str, cohort: str, programme: Programme) -> list[str]:
    """Give every learner of the cohort the programme as their own (learners who have one of
    that name keep theirs and their progress), and keep its outline for later joiners; the
    learners given it now."""
    import json

    from microup.core.text import topic_key
    from microup.store.postgres.cohorts import _changing

    outline = [[p.topic, p.title, p.part, p.parts, p.minutes] for p in programme.parts]
    with _changing(url, cohort) as conn:
        conn.exec_driver_sql(
            "INSERT INTO microup.cohort_programme (cohort, key, name, outline, due)"
            " VALUES (%(c)s, %(k)s, %(n)s, %(o)s, %(d)s) ON CONFLICT (cohort, key) DO UPDATE"
            " SET name = excluded.name, outline = excluded.outline, due = excluded.due",
            {
                "c": cohort,
                "k": topic_key(programme.name),
                "n": programme.name,
                "o": json.dumps(outline),
                "d": None if programme.by is None else programme.by.isoformat(),
            },
        )
        members = conn.exec_driver_sql(
            "SELECT c.learner, m.name FROM microup.cohort_member c"
            " JOIN microup.member m ON m.id = c.learner WHERE c.cohort = %(c)s ORDER BY m.name",
            {"c": cohort},
        ).all()
        return [str(name) for learner, name in members if _hand(conn, int(learner), programme)]


def _hand(conn: Connection, learner: int, programme: Programme) -> bool:
    """Give one learner the programme, unless they have one of that name (theirs is kept)."""
    from microup.core.text import topic_key

    key = topic_key(programme.name)
    ids = conn.exec_driver_sql(
        "SELECT coalesce(max(id), 0) + 1, coalesce(max(position), 0) + 1,"
        " count(*) FILTER (WHERE key = %(k)s) FROM microup.programme WHERE learner = %(l)s",
        {"l": learner, "k": key},
    ).one()
    if ids[2]:
        return False
    _insert(conn, learner, int(ids[0]), position=int(ids[1]), key=key, p=programme)
    return True


def add_to_cohort(
    url: str, cohort: str, learners: Sequence[str], today: date
) -> tuple[list[str], list[str]]:
    """`cohort add`: enrol the learners and, in the same transaction, hand them the cohort's
    programmes; the learners newly added and the programmes handed to them."""
    from microup.store.postgres.cohorts import _changing, enrol

    with _changing(url, cohort) as conn:
        added = enrol(conn, cohort, learners)
        if not added:
            return [], []
        handed = hand_to_joiners(conn, cohort, [admission for _, admission in added], today)
        return [name for name, _ in added], handed


def hand_to_joiners(conn: Connection, cohort: str, learners: list[int], today: date) -> list[str]:
    """Give learners who just joined the cohort its programmes (those given since outlines
    were kept); the programmes' names, each once."""
    from microup.core.programme import Part, Programme

    given = conn.exec_driver_sql(
        "SELECT name, outline, due FROM microup.cohort_programme"
        " WHERE cohort = %(c)s AND outline IS NOT NULL ORDER BY key",
        {"c": cohort},
    ).all()
    handed: list[str] = []
    for name, outline, due in given:
        parts = tuple(Part(seq, *row) for seq, row in enumerate(outline))
        by = None if due is None else date.fromisoformat(due)
        programme = Programme(0, str(name), today, by, 0, parts)
        if [learner for learner in learners if _hand(conn, learner, programme)]:
            handed.append(str(name))
    return handed


def _insert(
    conn: Connection, learner: int, programme_id: int, *, position: int, key: str, p: Programme
) -> None:
    conn.exec_driver_sql(
        "INSERT INTO microup.programme (learner, id, name, key, position, start, due)"
        " VALUES (%(l)s, %(id)s, %(n)s, %(k)s, %(pos)s, %(s)s, %(d)s)",
        {
            "l": learner,
            "id": programme_id,
            "n": p.name,
            "k": key,
            "pos": position,
            "s": p.start.isoformat(),
            "d": None if p.by is None else p.by.isoformat(),
        },
    )
    conn.exec_driver_sql(
        "INSERT INTO microup.programme_part (learner, programme_id, seq, topic, title, part,"
        " parts, minutes, done_minutes) VALUES (%(l)s, %(id)s, %(seq)s, %(topic)s, %(title)s,"
        " %(part)s, %(parts)s, %(minutes)s, 0)",
        [
            {
                "l": learner,
                "id": programme_id,
                "seq": part.seq,
                "topic": part.topic,
                "title": part.title,
                "part": part.part,
                "parts": part.parts,
                "minutes": part.minutes,
            }
            for part in p.parts
        ],
    )


def programme_report(url: str, cohort: str) -> list[Any]:
    """Each cohort programme's aggregates (empty under five learners who have logged), as of
    the server's today: the only day the function accepts."""
    import json

    from microup.store.postgres.engine import connection

    with connection(url) as conn:
        payload = conn.exec_driver_sql(
            "SELECT microup.cohort_programme_report(%(c)s, current_date)::text",
            {"c": cohort},
        ).scalar_one()
        return list(json.loads(payload))
