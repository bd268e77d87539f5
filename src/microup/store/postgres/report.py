"""The cohort report's one function: aggregates computed where the rows are, never rows.

Two rules keep one person from showing through (see the README, "cohort report"): a report
needs five learners *active in the weeks it covers*, and a report is refused when an earlier
report over overlapping weeks was made from learners differing by one to four (every
report's learners are kept in `report_log`), so no pair of reports differs by one person.
"Learners" there are those whose rows make the figures: the enrolled who had logged
something by the report's end. One enrolled who had not adds nothing but the counts of the
enrolled and the not started (and one "too early to say"), so padding a cohort with learners
who never log cannot make two reports differ by one person's figures.
"""

from __future__ import annotations

from microup.store.postgres.engine import REPORTER_ROLE, SCHEMA
from microup.store.sqlite.schema import local_day

MEMBERSHIP_CHANGED = "MU001"
"""The SQLSTATE of a report refused because its membership differs too little from another."""

REPORT_LOG = """CREATE TABLE IF NOT EXISTS report_log (
    about TEXT NOT NULL DEFAULT '',
    first_day DATE NOT NULL,
    end_day DATE NOT NULL,
    learners BIGINT[] NOT NULL,
    PRIMARY KEY (about, first_day, end_day, learners)
)"""
"""The days and the learners (those whose rows made the figures) of every report given:
what a later report of the same figures must not differ from by fewer than five learners.
`about` is '' for the cohort report, a programme's key for that programme's figures."""


def started_by(enrolled: str, end_day: str) -> str:
    """SQL for the learners of the array `enrolled` who logged something before the day
    numbered `end_day` (days since 1970-01-01, local time), as a sorted array: the learners
    whose rows can change a report ending then. The index on (learner, at) finds them."""
    return f"""coalesce((SELECT array_agg(m.learner ORDER BY m.learner)
        FROM unnest({enrolled}) AS m (learner)
        WHERE EXISTS (SELECT FROM entry WHERE entry.learner = m.learner
                        AND entry.at < ({end_day})::BIGINT * 86400 + 86400
                        AND {local_day("entry")} < ({end_day}))), '{{}}')"""


def differs_little(learners: str, about: str, first_day: str, end_day: str) -> str:
    """SQL: whether a report of `about` over days overlapping [first_day, end_day) was made
    from learners differing from the array `learners` by one to four."""
    return f"""EXISTS (SELECT FROM report_log l
        WHERE l.about = {about} AND l.first_day < {end_day} AND l.end_day > {first_day}
          AND (SELECT count(*) FROM (
                (SELECT unnest(l.learners) EXCEPT SELECT unnest({learners}))
                UNION ALL (SELECT unnest({learners}) EXCEPT SELECT unnest(l.learners))) d)
              BETWEEN 1 AND 4)"""


# The cohort report, computed where the rows are. `stats`'s adherence rule, exactly: a
# learner's weeks run from the week of their first entry to last week, plus this week once
# its goal is met; "most weeks" is the goal met in at least half of them, "some weeks" met in
# at least a quarter or some learning in at least half. Weeks are Monday to Sunday in each
# entry's own local time; a week's goal is the one in force then (60 minutes by default); a
# learner's week off (`holiday`) counts neither way, and plans no reviews. A week in which
# fewer than five learned is in the trend by its date only.
REPORT_FUNCTION = f"""
CREATE OR REPLACE FUNCTION cohort_report(
    cohort_name TEXT, this_monday DATE, weeks INTEGER
) RETURNS JSONB
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = {SCHEMA}, pg_temp
AS $report$
DECLARE
    enrolled BIGINT[];
    members BIGINT[];
    started INTEGER;
    active INTEGER;
    near DATE;
    window_start DATE := this_monday - 7 * (weeks - 1);
    window_day BIGINT := (this_monday - 7 * (weeks - 1)) - DATE '1970-01-01';
    end_day BIGINT := (this_monday + 7) - DATE '1970-01-01';
    now_at BIGINT := extract(epoch FROM now())::BIGINT;
    result JSONB;
BEGIN
    -- Called directly, too: only this database's reporters and administrators, and only
    -- whole weeks up to the current one, so no difference of two reports isolates a day.
    IF NOT (EXISTS (SELECT FROM member m JOIN pg_catalog.pg_roles r ON r.oid = m.role
                    WHERE m.kind = 'reporter' AND r.rolname = session_user)
            OR pg_has_role(session_user, current_user, 'USAGE')) THEN
        RAISE EXCEPTION 'cohort reports are for reporters of this database'
            USING ERRCODE = '42501';
    END IF;
    IF weeks IS NULL OR weeks NOT BETWEEN 1 AND 104 OR this_monday IS NULL
        OR extract(isodow FROM this_monday) <> 1 OR this_monday > current_date + 1 THEN
        RAISE EXCEPTION 'a report covers 1 to 104 whole weeks up to this one'
            USING ERRCODE = '22023';
    END IF;
    IF NOT EXISTS (SELECT FROM cohort WHERE name = cohort_name) THEN
        RAISE EXCEPTION 'no cohort named %', cohort_name USING ERRCODE = 'P0002';
    END IF;
    SELECT coalesce(array_agg(learner ORDER BY learner), '{{}}') INTO enrolled
        FROM cohort_member WHERE cohort = cohort_name;
    -- The learners whose rows make the figures: those who had logged something by the
    -- report's end. The enrolled who had not count only as enrolled and not started.
    members := {started_by("enrolled", "end_day")};
    started := cardinality(members);
    -- Fewer than five learners who have logged anything, or who logged in the weeks
    -- reported: one person's habits would show.
    -- Counted in the weeks five or more learned in only, as every figure of the window is.
    WITH learnt AS (
        SELECT learner, day - (day + 3) % 7 AS monday
        FROM (SELECT learner, {local_day("entry")} AS day, minutes FROM entry
              WHERE learner = ANY (members)) e
        WHERE day >= window_day AND day < end_day
        GROUP BY 1, 2 HAVING sum(minutes) > 0
    )
    SELECT count(DISTINCT learner) INTO active FROM learnt
        WHERE monday IN (SELECT monday FROM learnt GROUP BY monday HAVING count(*) >= 5);
    IF started < 5 OR active < 5 THEN
        RETURN jsonb_build_object('cohort', cohort_name, 'enrolled', cardinality(enrolled),
            'started', started, 'active', active, 'suppressed', true);
    END IF;
    -- Differencing: two reports over overlapping weeks whose learners differ by one to
    -- four would give those learners' figures away. The earliest week a report may start
    -- from instead is the week after the last such report ended.
    SELECT max(l.end_day) INTO near FROM report_log l
        WHERE l.about = '' AND l.first_day < this_monday + 7 AND l.end_day > window_start
          AND (SELECT count(*) FROM (
                (SELECT unnest(l.learners) EXCEPT SELECT unnest(members))
                UNION ALL (SELECT unnest(members) EXCEPT SELECT unnest(l.learners))) d)
              BETWEEN 1 AND 4;
    IF near IS NOT NULL THEN
        RAISE EXCEPTION 'differs by fewer than five learners from an earlier report'
            USING ERRCODE = '{MEMBERSHIP_CHANGED}', DETAIL = near::TEXT;
    END IF;
    INSERT INTO report_log (about, first_day, end_day, learners)
        VALUES ('', window_start, this_monday + 7, members) ON CONFLICT DO NOTHING;
    WITH days AS (
        SELECT learner, {local_day("entry")} AS day, minutes, kind, topic_id, at
        FROM entry WHERE learner = ANY (members) AND {local_day("entry")} < end_day
    ), weekly AS (
        SELECT learner, DATE '1970-01-01' + (day - (day + 3) % 7)::INTEGER AS monday,
               sum(minutes) AS minutes,
               coalesce(sum(minutes) FILTER (WHERE kind = 'review'), 0) AS review_minutes
        FROM days GROUP BY 1, 2
    ), learners AS (
        SELECT m.learner,
               (SELECT min(w.monday) FROM weekly w WHERE w.learner = m.learner) AS first,
               (SELECT min(d.day) FROM days d
                 WHERE d.learner = m.learner AND d.kind = 'learn' AND d.topic_id IS NOT NULL
               ) AS first_learnt,
               (SELECT max(d.at) FROM days d WHERE d.learner = m.learner) AS last_at,
               coalesce((SELECT s.value::INTEGER FROM setting s
                  WHERE s.learner = m.learner AND s.key = 'review-budget'
                    AND s.value ~ '^[0-9]{{1,3}}$'), 20) AS budget
        FROM unnest(members) AS m (learner)
    ), judged AS (
        SELECT l.learner, l.first, g.monday::DATE AS monday,
               coalesce(w.minutes, 0) AS minutes,
               coalesce(w.review_minutes, 0) AS review_minutes,
               coalesce((SELECT goal.minutes FROM goal
                  WHERE goal.learner = l.learner
                    AND goal.week_start <= to_char(g.monday, 'YYYY-MM-DD')
                    AND is_monday(goal.week_start)
                  ORDER BY goal.week_start DESC LIMIT 1), 60) AS goal,
               l.first_learnt IS NOT NULL
                 AND l.first_learnt < g.monday::DATE - DATE '1970-01-01' AS has_material,
               EXISTS (SELECT FROM holiday h WHERE h.learner = l.learner
                         AND h.week_start = to_char(g.monday, 'YYYY-MM-DD')) AS off,
               l.budget
        FROM learners l
        CROSS JOIN LATERAL generate_series(
            least(l.first, window_start), this_monday, INTERVAL '7 days') AS g (monday)
        LEFT JOIN weekly w ON w.learner = l.learner AND w.monday = g.monday::DATE
    ), full_weeks AS (
        -- The weeks five or more learned in: the only weeks any figure of the window sums,
        -- so that two windows differ by such weeks alone, never by one learner's week.
        SELECT monday FROM judged
        GROUP BY monday HAVING count(*) FILTER (WHERE minutes > 0) >= 5
    ), window_days AS (
        SELECT d.* FROM days d
        WHERE d.day >= window_day
          AND DATE '1970-01-01' + (d.day - (d.day + 3) % 7)::INTEGER
              IN (SELECT monday FROM full_weeks)
    ), planned AS (
        SELECT *, CASE WHEN has_material AND NOT off THEN least(budget, goal) ELSE 0 END
                  AS review_planned
        FROM judged WHERE monday >= window_start
    ), counted AS (
        SELECT learner,
               count(*) FILTER (WHERE minutes >= goal) AS met,
               count(*) FILTER (WHERE minutes < goal AND minutes > 0 AND monday < this_monday)
                 AS some,
               count(*) FILTER (WHERE minutes = 0 AND monday < this_monday) AS none
        FROM judged WHERE first IS NOT NULL AND monday >= first AND NOT off
        GROUP BY learner
    ), bands AS (
        SELECT CASE
            WHEN coalesce(c.met + c.some + c.none, 0) = 0 THEN 'too early to say'
            WHEN 2 * c.met >= c.met + c.some + c.none THEN 'most weeks'
            WHEN 4 * c.met >= c.met + c.some + c.none
              OR 2 * (c.met + c.some) >= c.met + c.some + c.none THEN 'some weeks'
            ELSE 'not very often' END AS band
        FROM learners l LEFT JOIN counted c USING (learner)
    ), trend AS (
        SELECT monday,
               count(*) FILTER (WHERE minutes > 0) AS active,
               count(*) FILTER (WHERE minutes >= goal AND NOT off) AS met,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY minutes) AS median_minutes,
               sum(review_planned) AS review_planned,
               sum(least(review_minutes, review_planned)) AS review_done
        FROM planned GROUP BY monday
    ), topics AS (
        -- Shown by its key (case-folded), never one learner's own spelling.
        SELECT t.key AS name, count(DISTINCT d.learner) AS learners, sum(d.minutes) AS minutes
        FROM window_days d JOIN topic t ON t.learner = d.learner AND t.id = d.topic_id
        GROUP BY t.key
    )
    SELECT jsonb_build_object(
        'cohort', cohort_name,
        'enrolled', cardinality(enrolled),
        'started', started,
        'active', active,
        'suppressed', false,
        'week', this_monday,
        'weeks', weeks,
        -- The enrolled who had not started are too early to say, as `stats` has them.
        'bands', (SELECT jsonb_object_agg(band, n)
                  FROM (SELECT band, count(*) AS n FROM (
                          SELECT band FROM bands UNION ALL SELECT 'too early to say'
                          FROM generate_series(1, cardinality(enrolled) - started)) x
                        GROUP BY band) b),
        'quartiles', (SELECT to_jsonb(percentile_cont(ARRAY[0.25, 0.5, 0.75])
                        WITHIN GROUP (ORDER BY minutes))
                      FROM planned WHERE monday < this_monday AND monday >= first
                        AND NOT off AND monday IN (SELECT monday FROM full_weeks)),
        -- A week fewer than five learned in shows none of its figures: who learned in it
        -- could be known to the reader, and the figures would be theirs.
        'trend', (SELECT jsonb_agg(CASE WHEN t.active >= 5 THEN to_jsonb(t)
                                        ELSE jsonb_build_object('monday', t.monday, 'few', true)
                                   END ORDER BY t.monday) FROM trend t),
        'review_planned', (SELECT coalesce(sum(t.review_planned), 0) FROM trend t
                           WHERE t.active >= 5),
        'review_done', (SELECT coalesce(sum(t.review_done), 0) FROM trend t
                        WHERE t.active >= 5),
        'lapsed', (SELECT count(*) FROM learners
                   WHERE last_at IS NOT NULL AND last_at < now_at - 14 * 86400),
        'not_started', cardinality(enrolled) - started,
        -- Shares only, to the hundredth: absolute minutes of two windows would subtract.
        'topics', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                        'topic', name, 'learners', learners,
                        'share', round(minutes::NUMERIC / nullif(
                            (SELECT sum(minutes) FROM window_days), 0), 2))
                        ORDER BY minutes DESC, name), '[]')
                   FROM (SELECT * FROM topics WHERE learners >= 5
                         ORDER BY minutes DESC, name LIMIT 10) shown),
        'hidden_topics', (SELECT count(*) FROM topics WHERE learners < 5)
    ) INTO result;
    RETURN result;
END
$report$
"""

REPORT_GRANTS = (
    "REVOKE ALL ON FUNCTION cohort_report(TEXT, DATE, INTEGER) FROM PUBLIC",
    f"GRANT EXECUTE ON FUNCTION cohort_report(TEXT, DATE, INTEGER) TO {REPORTER_ROLE}",
)
