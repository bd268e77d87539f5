"""Bringing an older shared store up to date: `db init` runs each step from its version on.

Each step is one tuple of statements, run in `db init`'s one transaction; the functions,
triggers, grants and policies are made afresh after the steps, whatever the version was.
"""

from __future__ import annotations

from microup.store.postgres.engine import LEARNER_SETTING
from microup.store.postgres.functions import ID_TABLES, LEARNER_DEFAULT, id_default
from microup.store.postgres.report import started_by
from microup.store.postgres.weeks import WEEK_UPGRADE

# 1 -> 2: undo from row images (see `store.journal`). Changes journaled before keep their
# place in the history but have no images, so undo refuses them with a message.
_JOURNAL_ROW = (
    """CREATE TABLE journal_row (
        learner TEXT COLLATE "C" NOT NULL DEFAULT current_user,
        change_id BIGINT NOT NULL,
        seq INTEGER NOT NULL,
        tbl TEXT NOT NULL,
        key TEXT NOT NULL,
        last_id BIGINT,
        before TEXT,
        after TEXT,
        PRIMARY KEY (learner, change_id, seq)
    )""",
)

_OLD_LEARNER = 'learner TEXT COLLATE "C" NOT NULL DEFAULT current_user'

# 2 -> 3: programmes (issue 18), the learner's own tables and the cohorts' programmes.
_PROGRAMMES = (
    f"""CREATE TABLE programme (
        {_OLD_LEARNER},
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
        {_OLD_LEARNER},
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
        {_OLD_LEARNER},
        entry_id BIGINT NOT NULL,
        programme_id BIGINT NOT NULL,
        module TEXT NOT NULL,
        minutes INTEGER NOT NULL,
        PRIMARY KEY (learner, entry_id)
    )""",
    """CREATE INDEX ix_programme_entry_learner_programme
        ON programme_entry (learner, programme_id, entry_id)""",
    # The administrator's: which programme each cohort was given (an outline as JSON parts).
    """CREATE TABLE cohort_programme (
        cohort TEXT NOT NULL REFERENCES cohort (name) ON DELETE CASCADE,
        key TEXT NOT NULL,
        name TEXT NOT NULL,
        PRIMARY KEY (cohort, key)
    )""",
    "REVOKE ALL ON cohort_programme FROM PUBLIC",
)

# 3 -> 4: what `lrs send` stored in a Learning Record Store (issue 21).
_LRS_SENT = (
    f"""CREATE TABLE lrs_sent (
        {_OLD_LEARNER},
        endpoint TEXT NOT NULL,
        entry_id BIGINT NOT NULL,
        statement_id TEXT NOT NULL,
        revision INTEGER NOT NULL,
        sent_at BIGINT NOT NULL,
        PRIMARY KEY (learner, endpoint, entry_id)
    )""",
)

# 4 -> 5 (issue 20): weeks off, a table of their own.
_HOLIDAY = (
    f"""CREATE TABLE holiday (
        {_OLD_LEARNER},
        week_start TEXT NOT NULL,
        PRIMARY KEY (learner, week_start)
    )""",
)

_LEARNER_TABLES = (
    "topic",
    "entry",
    "goal",
    "setting",
    "timer",
    "journal",
    "journal_row",
    "day_total",
    "topic_total",
    "review_cache",
    "holiday",
    "programme",
    "programme_part",
    "programme_entry",
    "lrs_sent",
)
_NAMED = " UNION ".join(f"SELECT learner FROM {table}" for table in _LEARNER_TABLES)

# 5 -> 6: rows belong to admissions tied to a role's oid, not to role names. Each admitted
# name becomes an admission of the role that has that name now; a name found in rows with no
# admission (or whose role is gone) becomes an admission no role holds: its rows stay, seen
# by nobody. Ids continue from each learner's own sequence; old ids are kept.
_ADMISSIONS = (
    "ALTER TABLE member ADD COLUMN id BIGINT GENERATED ALWAYS AS IDENTITY, ADD COLUMN role OID",
    "UPDATE member m SET role = r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = m.name",
    "ALTER TABLE member DROP CONSTRAINT member_pkey, ADD PRIMARY KEY (id), ADD UNIQUE (role, kind)",
    f"""INSERT INTO member (role, name, kind)
        SELECT DISTINCT NULL::OID, x.learner, 'learner'
        FROM ({_NAMED} UNION SELECT learner FROM cohort_member) x
        WHERE NOT EXISTS (SELECT FROM member m WHERE m.name = x.learner AND m.kind = 'learner')""",
    """CREATE FUNCTION upgrade_admission(who TEXT) RETURNS BIGINT LANGUAGE sql STABLE AS
        $$ SELECT id FROM microup.member WHERE name = who AND kind = 'learner' $$""",
    "DROP TRIGGER IF EXISTS entry_totals ON entry",
    "DROP TRIGGER IF EXISTS entry_reviews ON entry",
    "ALTER TABLE entry DROP CONSTRAINT entry_learner_topic_id_fkey",
    *(f"DROP POLICY IF EXISTS own_rows ON {table}" for table in _LEARNER_TABLES),
    *(
        f"""ALTER TABLE {table} ALTER COLUMN learner DROP DEFAULT,
            ALTER COLUMN learner TYPE BIGINT USING upgrade_admission(learner),
            ALTER COLUMN learner SET DEFAULT {LEARNER_DEFAULT}"""
        for table in _LEARNER_TABLES
    ),
    """ALTER TABLE cohort_member
        ALTER COLUMN learner TYPE BIGINT USING upgrade_admission(learner),
        ADD FOREIGN KEY (learner) REFERENCES member (id)""",
    "ALTER TABLE entry ADD FOREIGN KEY (learner, topic_id) REFERENCES topic (learner, id)",
    "DROP FUNCTION upgrade_admission(TEXT)",
    "DROP FUNCTION registered(TEXT, TEXT)",
    *(
        f"ALTER TABLE {table} ALTER COLUMN id DROP IDENTITY, ALTER COLUMN id SET DEFAULT"
        f" {id_default(table)}"
        for table in ID_TABLES
    ),
    f"""DO $ids$
    DECLARE
        m RECORD;
        tbl TEXT;
    BEGIN
        FOR m IN SELECT a.id, r.rolname FROM member a
                 LEFT JOIN pg_catalog.pg_roles r ON r.oid = a.role WHERE a.kind = 'learner' LOOP
            FOREACH tbl IN ARRAY ARRAY['topic', 'entry', 'journal'] LOOP
                EXECUTE format('CREATE SEQUENCE %s_ids_%s', tbl, m.id);
                EXECUTE format('SELECT setval(%L, 1 + coalesce((SELECT max(id) FROM %I'
                               ' WHERE learner = %s), 0), false)',
                               format('%s_ids_%s', tbl, m.id), tbl, m.id);
                IF m.rolname IS NOT NULL THEN
                    EXECUTE format('GRANT USAGE ON SEQUENCE %s_ids_%s TO %I',
                                   tbl, m.id, m.rolname);
                END IF;
            END LOOP;
            IF m.rolname IS NOT NULL THEN
                EXECUTE format('ALTER ROLE %I IN DATABASE %I SET {LEARNER_SETTING} = %L',
                               m.rolname, current_database(), m.id);
            END IF;
        END LOOP;
    END
    $ids$""",
    "DROP SEQUENCE IF EXISTS topic_id_seq, entry_id_seq, journal_id_seq",
    """ALTER TABLE goal ADD CONSTRAINT goal_week_start_check
        CHECK (week_start ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') NOT VALID""",
    """CREATE TABLE IF NOT EXISTS report_log (
        first_day DATE NOT NULL,
        end_day DATE NOT NULL,
        learners BIGINT[] NOT NULL,
        PRIMARY KEY (first_day, end_day, learners)
    )""",
    *(f"CREATE SEQUENCE {table}_ids_none" for table in ID_TABLES),
)

# 6 -> 7: a cohort programme keeps its outline and date, for learners who join later.
_COHORT_OUTLINE = ("ALTER TABLE cohort_programme ADD COLUMN outline JSONB, ADD COLUMN due TEXT",)

# 7 -> 8: a report's learners are those whose rows made its figures (the enrolled who had
# logged by its end), kept per kind of figures; a goal's or a week off's week is a Monday.
# Reports kept before are taken as the cohort report's, their learners narrowed the same way.
_END_DAY = "l.end_day - DATE '1970-01-01'"
_REPORTED_AND_WEEKS = (
    "ALTER TABLE report_log DROP CONSTRAINT report_log_pkey",
    "ALTER TABLE report_log ADD COLUMN about TEXT NOT NULL DEFAULT ''",
    f"UPDATE report_log l SET learners = {started_by('l.learners', _END_DAY)}",
    """DELETE FROM report_log a USING report_log b
        WHERE a.ctid > b.ctid AND a.first_day = b.first_day AND a.end_day = b.end_day
          AND a.learners = b.learners""",
    "ALTER TABLE report_log ADD PRIMARY KEY (about, first_day, end_day, learners)",
    *WEEK_UPGRADE,
)

UPGRADES = {
    1: _JOURNAL_ROW,
    2: _PROGRAMMES,
    3: _LRS_SENT,
    4: _HOLIDAY,
    5: _ADMISSIONS,
    6: _COHORT_OUTLINE,
    7: _REPORTED_AND_WEEKS,
}
"""What `db init` runs to bring an older shared store up to date, by the version it has."""
