--
-- PostgreSQL database dump
--


-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: microup; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA microup;


--
-- Name: cohort_programme_report(text, date); Type: FUNCTION; Schema: microup; Owner: -
--

CREATE FUNCTION microup.cohort_programme_report(cohort_name text, today date) RETURNS jsonb
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'microup', 'pg_temp'
    AS $$
DECLARE
    members TEXT[] COLLATE "C";
    started INTEGER;
    since BIGINT := extract(epoch FROM (today - 28)::TIMESTAMP)::BIGINT;
    result JSONB;
BEGIN
    IF NOT (registered(session_user, 'reporter')
            OR pg_has_role(session_user, current_user, 'USAGE')) THEN
        RAISE EXCEPTION 'cohort reports are for reporters of this database'
            USING ERRCODE = '42501';
    END IF;
    IF today IS NULL OR today > current_date + 1 THEN
        RAISE EXCEPTION 'a report is made up to today' USING ERRCODE = '22023';
    END IF;
    SELECT coalesce(array_agg(learner ORDER BY learner), '{}') INTO members
        FROM cohort_member WHERE cohort = cohort_name;
    SELECT count(DISTINCT learner) INTO started FROM entry WHERE learner = ANY (members);
    IF started < 5 THEN
        RETURN '[]'::JSONB;
    END IF;
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
        SELECT g.learner, g.id, count(*) FILTER (WHERE m.done) AS modules_done
        FROM given g
        JOIN (SELECT learner, programme_id, topic, title, bool_and(done_at IS NOT NULL) AS done
              FROM programme_part WHERE learner = ANY (members)
              GROUP BY learner, programme_id, topic, title) m
          ON m.learner = g.learner AND m.programme_id = g.id
        GROUP BY g.learner, g.id
    ), paced AS (
        SELECT g.*, coalesce(md.modules_done, 0) AS modules_done,
               coalesce((SELECT sum(pe.minutes) FROM programme_entry pe
                   JOIN entry e ON e.learner = pe.learner AND e.id = pe.entry_id
                   WHERE pe.learner = g.learner AND pe.programme_id = g.id
                     AND e.at >= since), 0) / 4.0 AS pace
        FROM given g LEFT JOIN modules md ON md.learner = g.learner AND md.id = g.id
    ), judged AS (
        SELECT name, modules_done,
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
        'on_track_share', share) ORDER BY name), '[]')
    INTO result
    FROM (SELECT name, count(*) AS learners,
                 to_jsonb(percentile_cont(ARRAY[0.25, 0.5, 0.75])
                     WITHIN GROUP (ORDER BY modules_done)) AS quartiles,
                 CASE WHEN count(on_track) = 0 THEN NULL
                      ELSE round(avg(CASE WHEN on_track THEN 1 ELSE 0 END)
                                 FILTER (WHERE on_track IS NOT NULL), 2) END AS share
          FROM judged GROUP BY name HAVING count(*) >= 5) shown;
    RETURN result;
END
$$;


--
-- Name: cohort_report(text, date, integer); Type: FUNCTION; Schema: microup; Owner: -
--

CREATE FUNCTION microup.cohort_report(cohort_name text, this_monday date, weeks integer) RETURNS jsonb
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'microup', 'pg_temp'
    AS $_$
DECLARE
    members TEXT[] COLLATE "C";
    started INTEGER;
    window_start DATE := this_monday - 7 * (weeks - 1);
    window_day BIGINT := (this_monday - 7 * (weeks - 1)) - DATE '1970-01-01';
    end_day BIGINT := (this_monday + 7) - DATE '1970-01-01';
    now_at BIGINT := extract(epoch FROM now())::BIGINT;
    result JSONB;
BEGIN
    -- Called directly, too: only this database's reporters and administrators, and only
    -- whole weeks up to the current one, so no difference of two reports isolates a day.
    IF NOT (registered(session_user, 'reporter')
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
    SELECT coalesce(array_agg(learner ORDER BY learner), '{}') INTO members
        FROM cohort_member WHERE cohort = cohort_name;
    -- Fewer than five learners who have logged anything: one person's habits would show.
    SELECT count(DISTINCT learner) INTO started FROM entry WHERE learner = ANY (members);
    IF started < 5 THEN
        RETURN jsonb_build_object('cohort', cohort_name, 'enrolled', cardinality(members),
            'started', started, 'suppressed', true);
    END IF;
    WITH days AS (
        SELECT learner, ((entry.at + entry.utc_offset * 60) / 86400) AS day, minutes, kind, topic_id, at
        FROM entry WHERE learner = ANY (members) AND ((entry.at + entry.utc_offset * 60) / 86400) < end_day
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
                    AND s.value ~ '^[0-9]{1,3}$'), 20) AS budget
        FROM unnest(members) AS m (learner)
    ), judged AS (
        SELECT l.learner, l.first, g.monday::DATE AS monday,
               coalesce(w.minutes, 0) AS minutes,
               coalesce(w.review_minutes, 0) AS review_minutes,
               coalesce((SELECT goal.minutes FROM goal
                  WHERE goal.learner = l.learner
                    AND goal.week_start <= to_char(g.monday, 'YYYY-MM-DD')
                  ORDER BY goal.week_start DESC LIMIT 1), 60) AS goal,
               l.first_learnt IS NOT NULL
                 AND l.first_learnt < g.monday::DATE - DATE '1970-01-01' AS has_material,
               l.budget
        FROM learners l
        CROSS JOIN LATERAL generate_series(
            least(l.first, window_start), this_monday, INTERVAL '7 days') AS g (monday)
        LEFT JOIN weekly w ON w.learner = l.learner AND w.monday = g.monday::DATE
    ), planned AS (
        SELECT *, CASE WHEN has_material THEN least(budget, goal) ELSE 0 END AS review_planned
        FROM judged WHERE monday >= window_start
    ), counted AS (
        SELECT learner,
               count(*) FILTER (WHERE minutes >= goal) AS met,
               count(*) FILTER (WHERE minutes < goal AND minutes > 0 AND monday < this_monday)
                 AS some,
               count(*) FILTER (WHERE minutes = 0 AND monday < this_monday) AS none
        FROM judged WHERE first IS NOT NULL AND monday >= first
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
               count(*) FILTER (WHERE minutes >= goal) AS met,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY minutes) AS median_minutes,
               sum(review_planned) AS review_planned,
               sum(least(review_minutes, review_planned)) AS review_done
        FROM planned GROUP BY monday
    ), topics AS (
        -- Shown by its key (case-folded), never one learner's own spelling.
        SELECT t.key AS name, count(DISTINCT d.learner) AS learners, sum(d.minutes) AS minutes
        FROM days d JOIN topic t ON t.learner = d.learner AND t.id = d.topic_id
        WHERE d.day >= window_day GROUP BY t.key
    )
    SELECT jsonb_build_object(
        'cohort', cohort_name,
        'enrolled', cardinality(members),
        'started', started,
        'suppressed', false,
        'week', this_monday,
        'weeks', weeks,
        'bands', (SELECT jsonb_object_agg(band, n)
                  FROM (SELECT band, count(*) AS n FROM bands GROUP BY band) b),
        'quartiles', (SELECT to_jsonb(percentile_cont(ARRAY[0.25, 0.5, 0.75])
                        WITHIN GROUP (ORDER BY minutes))
                      FROM planned WHERE monday < this_monday AND monday >= first),
        'trend', (SELECT jsonb_agg(to_jsonb(trend) ORDER BY monday) FROM trend),
        'lapsed', (SELECT count(*) FROM learners
                   WHERE last_at IS NOT NULL AND last_at < now_at - 14 * 86400),
        'not_started', (SELECT count(*) FROM learners WHERE last_at IS NULL),
        'window_minutes', (SELECT coalesce(sum(minutes), 0) FROM days
                           WHERE day >= window_day),
        'topics', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                        'topic', name, 'learners', learners, 'minutes', minutes)
                        ORDER BY minutes DESC, name), '[]')
                   FROM (SELECT * FROM topics WHERE learners >= 5
                         ORDER BY minutes DESC, name LIMIT 10) shown),
        'hidden_topics', (SELECT count(*) FROM topics WHERE learners < 5)
    ) INTO result;
    RETURN result;
END
$_$;


--
-- Name: forget_reviews(); Type: FUNCTION; Schema: microup; Owner: -
--

CREATE FUNCTION microup.forget_reviews() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'microup', 'pg_temp'
    AS $$
    BEGIN
        IF TG_TABLE_NAME = 'topic' THEN
            DELETE FROM review_cache WHERE learner = OLD.learner AND topic_id = OLD.id;
            RETURN NULL;
        END IF;
        IF TG_OP IN ('DELETE', 'UPDATE') THEN
            DELETE FROM review_cache
                WHERE learner = OLD.learner AND topic_id = OLD.topic_id AND cutoff > OLD.at;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            DELETE FROM review_cache
                WHERE learner = NEW.learner AND topic_id = NEW.topic_id AND cutoff > NEW.at;
        END IF;
        RETURN NULL;
    END
    $$;


--
-- Name: keep_totals(); Type: FUNCTION; Schema: microup; Owner: -
--

CREATE FUNCTION microup.keep_totals() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'microup', 'pg_temp'
    AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'UPDATE') THEN
            UPDATE day_total SET minutes = minutes - OLD.minutes
                WHERE learner = OLD.learner AND day = ((OLD.at + OLD.utc_offset * 60) / 86400);
            DELETE FROM day_total WHERE learner = OLD.learner
                AND day = ((OLD.at + OLD.utc_offset * 60) / 86400) AND minutes <= 0;
            UPDATE topic_total SET minutes = minutes - OLD.minutes, sessions = sessions - 1,
                last = coalesce((SELECT max((e.at * 4096 + e.utc_offset + 1440)) FROM entry e
                                 WHERE e.learner = OLD.learner AND e.topic_id = OLD.topic_id), 0)
                WHERE learner = OLD.learner AND topic_id = OLD.topic_id;
            DELETE FROM topic_total
                WHERE learner = OLD.learner AND topic_id = OLD.topic_id AND sessions <= 0;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO day_total (learner, day, minutes)
                VALUES (NEW.learner, ((NEW.at + NEW.utc_offset * 60) / 86400), NEW.minutes)
                ON CONFLICT (learner, day)
                DO UPDATE SET minutes = day_total.minutes + excluded.minutes;
            IF NEW.topic_id IS NOT NULL THEN
                INSERT INTO topic_total (learner, topic_id, minutes, sessions, last)
                    VALUES (NEW.learner, NEW.topic_id, NEW.minutes, 1,
                            (NEW.at * 4096 + NEW.utc_offset + 1440))
                    ON CONFLICT (learner, topic_id) DO UPDATE SET
                        minutes = topic_total.minutes + excluded.minutes,
                        sessions = topic_total.sessions + 1,
                        last = greatest(topic_total.last, excluded.last);
            END IF;
        END IF;
        RETURN NULL;
    END
    $$;


--
-- Name: registered(text, text); Type: FUNCTION; Schema: microup; Owner: -
--

CREATE FUNCTION microup.registered(who text, as_kind text) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'microup', 'pg_temp'
    AS $$
        SELECT EXISTS (SELECT FROM member WHERE name = who AND kind = as_kind)
    $$;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: cohort; Type: TABLE; Schema: microup; Owner: -
--

CREATE TABLE microup.cohort (
    name text NOT NULL,
    created bigint NOT NULL
);


--
-- Name: cohort_member; Type: TABLE; Schema: microup; Owner: -
--

CREATE TABLE microup.cohort_member (
    cohort text NOT NULL,
    learner text NOT NULL COLLATE pg_catalog."C"
);


--
-- Name: cohort_programme; Type: TABLE; Schema: microup; Owner: -
--

CREATE TABLE microup.cohort_programme (
    cohort text NOT NULL,
    key text NOT NULL,
    name text NOT NULL
);


--
-- Name: day_total; Type: TABLE; Schema: microup; Owner: -
--

CREATE TABLE microup.day_total (
    learner text DEFAULT CURRENT_USER NOT NULL COLLATE pg_catalog."C",
    day bigint NOT NULL,
    minutes bigint NOT NULL
);


--
-- Name: entry; Type: TABLE; Schema: microup; Owner: -
--

CREATE TABLE microup.entry (
    id bigint NOT NULL,
    learner text DEFAULT CURRENT_USER NOT NULL COLLATE pg_catalog."C",
    at bigint NOT NULL,
    utc_offset integer NOT NULL,
    minutes integer NOT NULL,
    topic_id bigint,
    note text,
    recall integer,
    kind text DEFAULT 'learn'::text NOT NULL,
    CONSTRAINT entry_at_check CHECK (((at >= 0) AND (at <= '32503680000'::bigint))),
    CONSTRAINT entry_kind_check CHECK ((kind = ANY (ARRAY['learn'::text, 'review'::text]))),
    CONSTRAINT entry_minutes_check CHECK (((minutes >= 1) AND (minutes <= 600))),
    CONSTRAINT entry_recall_check CHECK (((recall >= 1) AND (recall <= 4))),
    CONSTRAINT entry_utc_offset_check CHECK (((utc_offset >= '-1440'::integer) AND (utc_offset <= 1440)))
);


--
-- Name: entry_id_seq; Type: SEQUENCE; Schema: microup; Owner: -
--

ALTER TABLE microup.entry ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME microup.entry_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: goal; Type: TABLE; Schema: microup; Owner: -
--

CREATE TABLE microup.goal (
    learner text DEFAULT CURRENT_USER NOT NULL COLLATE pg_catalog."C",
    week_start text NOT NULL,
    minutes integer NOT NULL,
    CONSTRAINT goal_minutes_check CHECK ((minutes >= 1))
);


--
-- Name: holiday; Type: TABLE; Schema: microup; Owner: -
--

CREATE TABLE microup.holiday (
    learner text DEFAULT CURRENT_USER NOT NULL COLLATE pg_catalog."C",
    week_start text NOT NULL
);


--
-- Name: journal; Type: TABLE; Schema: microup; Owner: -
--

CREATE TABLE microup.journal (
    id bigint NOT NULL,
    learner text DEFAULT CURRENT_USER NOT NULL COLLATE pg_catalog."C",
    at bigint NOT NULL,
    summary text NOT NULL,
    undo_message text NOT NULL,
    steps text NOT NULL,
    undone boolean DEFAULT false NOT NULL
);


--
-- Name: journal_id_seq; Type: SEQUENCE; Schema: microup; Owner: -
--

ALTER TABLE microup.journal ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME microup.journal_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: journal_row; Type: TABLE; Schema: microup; Owner: -
--

CREATE TABLE microup.journal_row (
    learner text DEFAULT CURRENT_USER NOT NULL COLLATE pg_catalog."C",
    change_id bigint NOT NULL,
    seq integer NOT NULL,
    tbl text NOT NULL,
    key text NOT NULL,
    last_id bigint,
    before text,
    after text
);


--
-- Name: lrs_sent; Type: TABLE; Schema: microup; Owner: -
--

CREATE TABLE microup.lrs_sent (
    learner text DEFAULT CURRENT_USER NOT NULL COLLATE pg_catalog."C",
    endpoint text NOT NULL,
    entry_id bigint NOT NULL,
    statement_id text NOT NULL,
    revision integer NOT NULL,
    sent_at bigint NOT NULL
);


--
-- Name: member; Type: TABLE; Schema: microup; Owner: -
--

CREATE TABLE microup.member (
    name text NOT NULL COLLATE pg_catalog."C",
    kind text NOT NULL,
    CONSTRAINT member_kind_check CHECK ((kind = ANY (ARRAY['learner'::text, 'reporter'::text])))
);


--
-- Name: microup_schema; Type: TABLE; Schema: microup; Owner: -
--

CREATE TABLE microup.microup_schema (
    version integer NOT NULL,
    only_row boolean DEFAULT true NOT NULL,
    CONSTRAINT microup_schema_only_row_check CHECK (only_row)
);


--
-- Name: programme; Type: TABLE; Schema: microup; Owner: -
--

CREATE TABLE microup.programme (
    learner text DEFAULT CURRENT_USER NOT NULL COLLATE pg_catalog."C",
    id bigint NOT NULL,
    name text NOT NULL,
    key text NOT NULL,
    "position" integer NOT NULL,
    start text NOT NULL,
    due text
);


--
-- Name: programme_entry; Type: TABLE; Schema: microup; Owner: -
--

CREATE TABLE microup.programme_entry (
    learner text DEFAULT CURRENT_USER NOT NULL COLLATE pg_catalog."C",
    entry_id bigint NOT NULL,
    programme_id bigint NOT NULL,
    module text NOT NULL,
    minutes integer NOT NULL
);


--
-- Name: programme_part; Type: TABLE; Schema: microup; Owner: -
--

CREATE TABLE microup.programme_part (
    learner text DEFAULT CURRENT_USER NOT NULL COLLATE pg_catalog."C",
    programme_id bigint NOT NULL,
    seq integer NOT NULL,
    topic text NOT NULL,
    title text NOT NULL,
    part integer NOT NULL,
    parts integer NOT NULL,
    minutes integer NOT NULL,
    done_minutes integer NOT NULL,
    done_at bigint,
    CONSTRAINT programme_part_check CHECK (((part >= 1) AND (part <= parts))),
    CONSTRAINT programme_part_done_minutes_check CHECK ((done_minutes >= 0)),
    CONSTRAINT programme_part_minutes_check CHECK ((minutes >= 1))
);


--
-- Name: review_cache; Type: TABLE; Schema: microup; Owner: -
--

CREATE TABLE microup.review_cache (
    learner text DEFAULT CURRENT_USER NOT NULL COLLATE pg_catalog."C",
    topic_id bigint NOT NULL,
    fold text NOT NULL,
    cutoff bigint NOT NULL,
    state text NOT NULL
);


--
-- Name: setting; Type: TABLE; Schema: microup; Owner: -
--

CREATE TABLE microup.setting (
    learner text DEFAULT CURRENT_USER NOT NULL COLLATE pg_catalog."C",
    key text NOT NULL,
    value text NOT NULL
);


--
-- Name: timer; Type: TABLE; Schema: microup; Owner: -
--

CREATE TABLE microup.timer (
    learner text DEFAULT CURRENT_USER NOT NULL COLLATE pg_catalog."C",
    id integer DEFAULT 1 NOT NULL,
    started bigint NOT NULL,
    utc_offset integer NOT NULL,
    topic text,
    note text,
    kind text DEFAULT 'learn'::text NOT NULL,
    CONSTRAINT timer_id_check CHECK ((id = 1)),
    CONSTRAINT timer_kind_check CHECK ((kind = ANY (ARRAY['learn'::text, 'review'::text]))),
    CONSTRAINT timer_utc_offset_check CHECK (((utc_offset >= '-1440'::integer) AND (utc_offset <= 1440)))
);


--
-- Name: topic; Type: TABLE; Schema: microup; Owner: -
--

CREATE TABLE microup.topic (
    id bigint NOT NULL,
    learner text DEFAULT CURRENT_USER NOT NULL COLLATE pg_catalog."C",
    name text NOT NULL,
    key text NOT NULL
);


--
-- Name: topic_id_seq; Type: SEQUENCE; Schema: microup; Owner: -
--

ALTER TABLE microup.topic ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME microup.topic_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: topic_total; Type: TABLE; Schema: microup; Owner: -
--

CREATE TABLE microup.topic_total (
    learner text DEFAULT CURRENT_USER NOT NULL COLLATE pg_catalog."C",
    topic_id bigint NOT NULL,
    minutes bigint NOT NULL,
    sessions bigint NOT NULL,
    last bigint NOT NULL
);


--
-- Data for Name: cohort; Type: TABLE DATA; Schema: microup; Owner: -
--

INSERT INTO microup.cohort VALUES ('c', 1796294166);


--
-- Data for Name: cohort_member; Type: TABLE DATA; Schema: microup; Owner: -
--

INSERT INTO microup.cohort_member VALUES ('c', 'microup_t_up_alice');
INSERT INTO microup.cohort_member VALUES ('c', 'microup_t_up_bob');


--
-- Data for Name: cohort_programme; Type: TABLE DATA; Schema: microup; Owner: -
--



--
-- Data for Name: day_total; Type: TABLE DATA; Schema: microup; Owner: -
--

INSERT INTO microup.day_total VALUES ('microup_t_up_alice', 20790, 35);
INSERT INTO microup.day_total VALUES ('microup_t_up_bob', 20790, 30);
INSERT INTO microup.day_total VALUES ('microup_t_up_gone', 20790, 10);


--
-- Data for Name: entry; Type: TABLE DATA; Schema: microup; Owner: -
--

INSERT INTO microup.entry VALUES (1, 'microup_t_up_alice', 1796294163, 0, 20, 1, 'alice note', NULL, 'learn');
INSERT INTO microup.entry VALUES (2, 'microup_t_up_alice', 1796294163, 0, 15, 2, NULL, NULL, 'learn');
INSERT INTO microup.entry VALUES (3, 'microup_t_up_bob', 1796294165, 0, 30, 3, NULL, NULL, 'learn');
INSERT INTO microup.entry VALUES (4, 'microup_t_up_gone', 1796294165, 0, 10, 4, 'gone private', NULL, 'learn');


--
-- Data for Name: goal; Type: TABLE DATA; Schema: microup; Owner: -
--

INSERT INTO microup.goal VALUES ('microup_t_up_alice', '2026-11-30', 90);


--
-- Data for Name: holiday; Type: TABLE DATA; Schema: microup; Owner: -
--

INSERT INTO microup.holiday VALUES ('microup_t_up_alice', '2026-11-30');


--
-- Data for Name: journal; Type: TABLE DATA; Schema: microup; Owner: -
--

INSERT INTO microup.journal VALUES (1, 'microup_t_up_alice', 1796294163, 'Logged #1 20 min SQL', 'Removed #1 20 min SQL', '[]', false);
INSERT INTO microup.journal VALUES (2, 'microup_t_up_alice', 1796294164, 'Logged #2 15 min Stats', 'Removed #2 15 min Stats', '[]', false);
INSERT INTO microup.journal VALUES (3, 'microup_t_up_alice', 1796294164, 'Weekly goal 90 min from 2026-W49', 'Weekly goal from 2026-W49 back to what it was', '[]', false);
INSERT INTO microup.journal VALUES (4, 'microup_t_up_bob', 1796294165, 'Logged #3 30 min SQL', 'Removed #3 30 min SQL', '[]', false);
INSERT INTO microup.journal VALUES (5, 'microup_t_up_gone', 1796294166, 'Logged #4 10 min Gone', 'Removed #4 10 min Gone', '[]', false);
INSERT INTO microup.journal VALUES (6, 'microup_t_up_alice', 1796294172, 'Week 2026-W49 off', 'Week 2026-W49 counts again', '[]', false);


--
-- Data for Name: journal_row; Type: TABLE DATA; Schema: microup; Owner: -
--

INSERT INTO microup.journal_row VALUES ('microup_t_up_alice', 1, 0, 'topic', '{"id": 1}', NULL, NULL, '{"id": 1, "key": "sql", "name": "SQL"}');
INSERT INTO microup.journal_row VALUES ('microup_t_up_alice', 1, 1, 'entry', '{"id": 1}', NULL, NULL, '{"at": 1796294163, "id": 1, "kind": "learn", "minutes": 20, "note": "alice note", "recall": null, "topic_id": 1, "utc_offset": 0}');
INSERT INTO microup.journal_row VALUES ('microup_t_up_alice', 2, 0, 'topic', '{"id": 2}', NULL, NULL, '{"id": 2, "key": "stats", "name": "Stats"}');
INSERT INTO microup.journal_row VALUES ('microup_t_up_alice', 2, 1, 'entry', '{"id": 2}', NULL, NULL, '{"at": 1796294163, "id": 2, "kind": "learn", "minutes": 15, "note": null, "recall": null, "topic_id": 2, "utc_offset": 0}');
INSERT INTO microup.journal_row VALUES ('microup_t_up_alice', 3, 0, 'goal', '{"week_start": "2026-11-30"}', NULL, NULL, '{"minutes": 90, "week_start": "2026-11-30"}');
INSERT INTO microup.journal_row VALUES ('microup_t_up_bob', 4, 0, 'topic', '{"id": 3}', NULL, NULL, '{"id": 3, "key": "sql", "name": "SQL"}');
INSERT INTO microup.journal_row VALUES ('microup_t_up_bob', 4, 1, 'entry', '{"id": 3}', NULL, NULL, '{"at": 1796294165, "id": 3, "kind": "learn", "minutes": 30, "note": null, "recall": null, "topic_id": 3, "utc_offset": 0}');
INSERT INTO microup.journal_row VALUES ('microup_t_up_gone', 5, 0, 'topic', '{"id": 4}', NULL, NULL, '{"id": 4, "key": "gone", "name": "Gone"}');
INSERT INTO microup.journal_row VALUES ('microup_t_up_gone', 5, 1, 'entry', '{"id": 4}', NULL, NULL, '{"at": 1796294165, "id": 4, "kind": "learn", "minutes": 10, "note": "gone private", "recall": null, "topic_id": 4, "utc_offset": 0}');
INSERT INTO microup.journal_row VALUES ('microup_t_up_alice', 6, 0, 'holiday', '{"week_start": "2026-11-30"}', NULL, NULL, '{"week_start": "2026-11-30"}');


--
-- Data for Name: lrs_sent; Type: TABLE DATA; Schema: microup; Owner: -
--



--
-- Data for Name: member; Type: TABLE DATA; Schema: microup; Owner: -
--

INSERT INTO microup.member VALUES ('microup_t_up_alice', 'learner');
INSERT INTO microup.member VALUES ('microup_t_up_bob', 'learner');
INSERT INTO microup.member VALUES ('microup_t_up_gone', 'learner');


--
-- Data for Name: microup_schema; Type: TABLE DATA; Schema: microup; Owner: -
--

INSERT INTO microup.microup_schema VALUES (5, true);


--
-- Data for Name: programme; Type: TABLE DATA; Schema: microup; Owner: -
--



--
-- Data for Name: programme_entry; Type: TABLE DATA; Schema: microup; Owner: -
--



--
-- Data for Name: programme_part; Type: TABLE DATA; Schema: microup; Owner: -
--



--
-- Data for Name: review_cache; Type: TABLE DATA; Schema: microup; Owner: -
--



--
-- Data for Name: setting; Type: TABLE DATA; Schema: microup; Owner: -
--



--
-- Data for Name: timer; Type: TABLE DATA; Schema: microup; Owner: -
--



--
-- Data for Name: topic; Type: TABLE DATA; Schema: microup; Owner: -
--

INSERT INTO microup.topic VALUES (1, 'microup_t_up_alice', 'SQL', 'sql');
INSERT INTO microup.topic VALUES (2, 'microup_t_up_alice', 'Stats', 'stats');
INSERT INTO microup.topic VALUES (3, 'microup_t_up_bob', 'SQL', 'sql');
INSERT INTO microup.topic VALUES (4, 'microup_t_up_gone', 'Gone', 'gone');


--
-- Data for Name: topic_total; Type: TABLE DATA; Schema: microup; Owner: -
--

INSERT INTO microup.topic_total VALUES ('microup_t_up_alice', 1, 20, 1, 7357620893088);
INSERT INTO microup.topic_total VALUES ('microup_t_up_alice', 2, 15, 1, 7357620893088);
INSERT INTO microup.topic_total VALUES ('microup_t_up_bob', 3, 30, 1, 7357620901280);
INSERT INTO microup.topic_total VALUES ('microup_t_up_gone', 4, 10, 1, 7357620901280);


--
-- Name: entry_id_seq; Type: SEQUENCE SET; Schema: microup; Owner: -
--

SELECT pg_catalog.setval('microup.entry_id_seq', 4, true);


--
-- Name: journal_id_seq; Type: SEQUENCE SET; Schema: microup; Owner: -
--

SELECT pg_catalog.setval('microup.journal_id_seq', 6, true);


--
-- Name: topic_id_seq; Type: SEQUENCE SET; Schema: microup; Owner: -
--

SELECT pg_catalog.setval('microup.topic_id_seq', 4, true);


--
-- Name: cohort_member cohort_member_pkey; Type: CONSTRAINT; Schema: microup; Owner: -
--

ALTER TABLE ONLY microup.cohort_member
    ADD CONSTRAINT cohort_member_pkey PRIMARY KEY (cohort, learner);


--
-- Name: cohort cohort_pkey; Type: CONSTRAINT; Schema: microup; Owner: -
--

ALTER TABLE ONLY microup.cohort
    ADD CONSTRAINT cohort_pkey PRIMARY KEY (name);


--
-- Name: cohort_programme cohort_programme_pkey; Type: CONSTRAINT; Schema: microup; Owner: -
--

ALTER TABLE ONLY microup.cohort_programme
    ADD CONSTRAINT cohort_programme_pkey PRIMARY KEY (cohort, key);


--
-- Name: day_total day_total_pkey; Type: CONSTRAINT; Schema: microup; Owner: -
--

ALTER TABLE ONLY microup.day_total
    ADD CONSTRAINT day_total_pkey PRIMARY KEY (learner, day);


--
-- Name: entry entry_pkey; Type: CONSTRAINT; Schema: microup; Owner: -
--

ALTER TABLE ONLY microup.entry
    ADD CONSTRAINT entry_pkey PRIMARY KEY (learner, id);


--
-- Name: goal goal_pkey; Type: CONSTRAINT; Schema: microup; Owner: -
--

ALTER TABLE ONLY microup.goal
    ADD CONSTRAINT goal_pkey PRIMARY KEY (learner, week_start);


--
-- Name: holiday holiday_pkey; Type: CONSTRAINT; Schema: microup; Owner: -
--

ALTER TABLE ONLY microup.holiday
    ADD CONSTRAINT holiday_pkey PRIMARY KEY (learner, week_start);


--
-- Name: journal journal_pkey; Type: CONSTRAINT; Schema: microup; Owner: -
--

ALTER TABLE ONLY microup.journal
    ADD CONSTRAINT journal_pkey PRIMARY KEY (learner, id);


--
-- Name: journal_row journal_row_pkey; Type: CONSTRAINT; Schema: microup; Owner: -
--

ALTER TABLE ONLY microup.journal_row
    ADD CONSTRAINT journal_row_pkey PRIMARY KEY (learner, change_id, seq);


--
-- Name: lrs_sent lrs_sent_pkey; Type: CONSTRAINT; Schema: microup; Owner: -
--

ALTER TABLE ONLY microup.lrs_sent
    ADD CONSTRAINT lrs_sent_pkey PRIMARY KEY (learner, endpoint, entry_id);


--
-- Name: member member_pkey; Type: CONSTRAINT; Schema: microup; Owner: -
--

ALTER TABLE ONLY microup.member
    ADD CONSTRAINT member_pkey PRIMARY KEY (name, kind);


--
-- Name: microup_schema microup_schema_pkey; Type: CONSTRAINT; Schema: microup; Owner: -
--

ALTER TABLE ONLY microup.microup_schema
    ADD CONSTRAINT microup_schema_pkey PRIMARY KEY (only_row);


--
-- Name: programme_entry programme_entry_pkey; Type: CONSTRAINT; Schema: microup; Owner: -
--

ALTER TABLE ONLY microup.programme_entry
    ADD CONSTRAINT programme_entry_pkey PRIMARY KEY (learner, entry_id);


--
-- Name: programme programme_learner_key_key; Type: CONSTRAINT; Schema: microup; Owner: -
--

ALTER TABLE ONLY microup.programme
    ADD CONSTRAINT programme_learner_key_key UNIQUE (learner, key);


--
-- Name: programme_part programme_part_pkey; Type: CONSTRAINT; Schema: microup; Owner: -
--

ALTER TABLE ONLY microup.programme_part
    ADD CONSTRAINT programme_part_pkey PRIMARY KEY (learner, programme_id, seq);


--
-- Name: programme programme_pkey; Type: CONSTRAINT; Schema: microup; Owner: -
--

ALTER TABLE ONLY microup.programme
    ADD CONSTRAINT programme_pkey PRIMARY KEY (learner, id);


--
-- Name: review_cache review_cache_pkey; Type: CONSTRAINT; Schema: microup; Owner: -
--

ALTER TABLE ONLY microup.review_cache
    ADD CONSTRAINT review_cache_pkey PRIMARY KEY (learner, topic_id);


--
-- Name: setting setting_pkey; Type: CONSTRAINT; Schema: microup; Owner: -
--

ALTER TABLE ONLY microup.setting
    ADD CONSTRAINT setting_pkey PRIMARY KEY (learner, key);


--
-- Name: timer timer_pkey; Type: CONSTRAINT; Schema: microup; Owner: -
--

ALTER TABLE ONLY microup.timer
    ADD CONSTRAINT timer_pkey PRIMARY KEY (learner, id);


--
-- Name: topic topic_learner_key_key; Type: CONSTRAINT; Schema: microup; Owner: -
--

ALTER TABLE ONLY microup.topic
    ADD CONSTRAINT topic_learner_key_key UNIQUE (learner, key);


--
-- Name: topic topic_pkey; Type: CONSTRAINT; Schema: microup; Owner: -
--

ALTER TABLE ONLY microup.topic
    ADD CONSTRAINT topic_pkey PRIMARY KEY (learner, id);


--
-- Name: topic_total topic_total_pkey; Type: CONSTRAINT; Schema: microup; Owner: -
--

ALTER TABLE ONLY microup.topic_total
    ADD CONSTRAINT topic_total_pkey PRIMARY KEY (learner, topic_id);


--
-- Name: ix_entry_learner_at; Type: INDEX; Schema: microup; Owner: -
--

CREATE INDEX ix_entry_learner_at ON microup.entry USING btree (learner, at) INCLUDE (utc_offset, minutes);


--
-- Name: ix_entry_learner_topic_at; Type: INDEX; Schema: microup; Owner: -
--

CREATE INDEX ix_entry_learner_topic_at ON microup.entry USING btree (learner, topic_id, at) INCLUDE (minutes, recall, kind, utc_offset);


--
-- Name: ix_programme_entry_learner_programme; Type: INDEX; Schema: microup; Owner: -
--

CREATE INDEX ix_programme_entry_learner_programme ON microup.programme_entry USING btree (learner, programme_id, entry_id);


--
-- Name: ix_topic_total_learner; Type: INDEX; Schema: microup; Owner: -
--

CREATE INDEX ix_topic_total_learner ON microup.topic_total USING btree (learner, last);


--
-- Name: entry entry_reviews; Type: TRIGGER; Schema: microup; Owner: -
--

CREATE TRIGGER entry_reviews AFTER INSERT OR DELETE OR UPDATE ON microup.entry FOR EACH ROW EXECUTE FUNCTION microup.forget_reviews();


--
-- Name: entry entry_totals; Type: TRIGGER; Schema: microup; Owner: -
--

CREATE TRIGGER entry_totals AFTER INSERT OR DELETE OR UPDATE OF at, utc_offset, minutes, topic_id ON microup.entry FOR EACH ROW EXECUTE FUNCTION microup.keep_totals();


--
-- Name: topic topic_reviews; Type: TRIGGER; Schema: microup; Owner: -
--

CREATE TRIGGER topic_reviews AFTER DELETE ON microup.topic FOR EACH ROW EXECUTE FUNCTION microup.forget_reviews();


--
-- Name: cohort_member cohort_member_cohort_fkey; Type: FK CONSTRAINT; Schema: microup; Owner: -
--

ALTER TABLE ONLY microup.cohort_member
    ADD CONSTRAINT cohort_member_cohort_fkey FOREIGN KEY (cohort) REFERENCES microup.cohort(name) ON DELETE CASCADE;


--
-- Name: cohort_programme cohort_programme_cohort_fkey; Type: FK CONSTRAINT; Schema: microup; Owner: -
--

ALTER TABLE ONLY microup.cohort_programme
    ADD CONSTRAINT cohort_programme_cohort_fkey FOREIGN KEY (cohort) REFERENCES microup.cohort(name) ON DELETE CASCADE;


--
-- Name: entry entry_learner_topic_id_fkey; Type: FK CONSTRAINT; Schema: microup; Owner: -
--

ALTER TABLE ONLY microup.entry
    ADD CONSTRAINT entry_learner_topic_id_fkey FOREIGN KEY (learner, topic_id) REFERENCES microup.topic(learner, id);


--
-- Name: day_total; Type: ROW SECURITY; Schema: microup; Owner: -
--

ALTER TABLE microup.day_total ENABLE ROW LEVEL SECURITY;

--
-- Name: entry; Type: ROW SECURITY; Schema: microup; Owner: -
--

ALTER TABLE microup.entry ENABLE ROW LEVEL SECURITY;

--
-- Name: goal; Type: ROW SECURITY; Schema: microup; Owner: -
--

ALTER TABLE microup.goal ENABLE ROW LEVEL SECURITY;

--
-- Name: holiday; Type: ROW SECURITY; Schema: microup; Owner: -
--

ALTER TABLE microup.holiday ENABLE ROW LEVEL SECURITY;

--
-- Name: journal; Type: ROW SECURITY; Schema: microup; Owner: -
--

ALTER TABLE microup.journal ENABLE ROW LEVEL SECURITY;

--
-- Name: journal_row; Type: ROW SECURITY; Schema: microup; Owner: -
--

ALTER TABLE microup.journal_row ENABLE ROW LEVEL SECURITY;

--
-- Name: lrs_sent; Type: ROW SECURITY; Schema: microup; Owner: -
--

ALTER TABLE microup.lrs_sent ENABLE ROW LEVEL SECURITY;

--
-- Name: day_total own_rows; Type: POLICY; Schema: microup; Owner: -
--

CREATE POLICY own_rows ON microup.day_total TO microup_learner USING ((learner = CURRENT_USER)) WITH CHECK (((learner = CURRENT_USER) AND microup.registered((CURRENT_USER)::text, 'learner'::text)));


--
-- Name: entry own_rows; Type: POLICY; Schema: microup; Owner: -
--

CREATE POLICY own_rows ON microup.entry TO microup_learner USING ((learner = CURRENT_USER)) WITH CHECK (((learner = CURRENT_USER) AND microup.registered((CURRENT_USER)::text, 'learner'::text)));


--
-- Name: goal own_rows; Type: POLICY; Schema: microup; Owner: -
--

CREATE POLICY own_rows ON microup.goal TO microup_learner USING ((learner = CURRENT_USER)) WITH CHECK (((learner = CURRENT_USER) AND microup.registered((CURRENT_USER)::text, 'learner'::text)));


--
-- Name: holiday own_rows; Type: POLICY; Schema: microup; Owner: -
--

CREATE POLICY own_rows ON microup.holiday TO microup_learner USING ((learner = CURRENT_USER)) WITH CHECK (((learner = CURRENT_USER) AND microup.registered((CURRENT_USER)::text, 'learner'::text)));


--
-- Name: journal own_rows; Type: POLICY; Schema: microup; Owner: -
--

CREATE POLICY own_rows ON microup.journal TO microup_learner USING ((learner = CURRENT_USER)) WITH CHECK (((learner = CURRENT_USER) AND microup.registered((CURRENT_USER)::text, 'learner'::text)));


--
-- Name: journal_row own_rows; Type: POLICY; Schema: microup; Owner: -
--

CREATE POLICY own_rows ON microup.journal_row TO microup_learner USING ((learner = CURRENT_USER)) WITH CHECK (((learner = CURRENT_USER) AND microup.registered((CURRENT_USER)::text, 'learner'::text)));


--
-- Name: lrs_sent own_rows; Type: POLICY; Schema: microup; Owner: -
--

CREATE POLICY own_rows ON microup.lrs_sent TO microup_learner USING ((learner = CURRENT_USER)) WITH CHECK (((learner = CURRENT_USER) AND microup.registered((CURRENT_USER)::text, 'learner'::text)));


--
-- Name: programme own_rows; Type: POLICY; Schema: microup; Owner: -
--

CREATE POLICY own_rows ON microup.programme TO microup_learner USING ((learner = CURRENT_USER)) WITH CHECK (((learner = CURRENT_USER) AND microup.registered((CURRENT_USER)::text, 'learner'::text)));


--
-- Name: programme_entry own_rows; Type: POLICY; Schema: microup; Owner: -
--

CREATE POLICY own_rows ON microup.programme_entry TO microup_learner USING ((learner = CURRENT_USER)) WITH CHECK (((learner = CURRENT_USER) AND microup.registered((CURRENT_USER)::text, 'learner'::text)));


--
-- Name: programme_part own_rows; Type: POLICY; Schema: microup; Owner: -
--

CREATE POLICY own_rows ON microup.programme_part TO microup_learner USING ((learner = CURRENT_USER)) WITH CHECK (((learner = CURRENT_USER) AND microup.registered((CURRENT_USER)::text, 'learner'::text)));


--
-- Name: review_cache own_rows; Type: POLICY; Schema: microup; Owner: -
--

CREATE POLICY own_rows ON microup.review_cache TO microup_learner USING ((learner = CURRENT_USER)) WITH CHECK (((learner = CURRENT_USER) AND microup.registered((CURRENT_USER)::text, 'learner'::text)));


--
-- Name: setting own_rows; Type: POLICY; Schema: microup; Owner: -
--

CREATE POLICY own_rows ON microup.setting TO microup_learner USING ((learner = CURRENT_USER)) WITH CHECK (((learner = CURRENT_USER) AND microup.registered((CURRENT_USER)::text, 'learner'::text)));


--
-- Name: timer own_rows; Type: POLICY; Schema: microup; Owner: -
--

CREATE POLICY own_rows ON microup.timer TO microup_learner USING ((learner = CURRENT_USER)) WITH CHECK (((learner = CURRENT_USER) AND microup.registered((CURRENT_USER)::text, 'learner'::text)));


--
-- Name: topic own_rows; Type: POLICY; Schema: microup; Owner: -
--

CREATE POLICY own_rows ON microup.topic TO microup_learner USING ((learner = CURRENT_USER)) WITH CHECK (((learner = CURRENT_USER) AND microup.registered((CURRENT_USER)::text, 'learner'::text)));


--
-- Name: topic_total own_rows; Type: POLICY; Schema: microup; Owner: -
--

CREATE POLICY own_rows ON microup.topic_total TO microup_learner USING ((learner = CURRENT_USER)) WITH CHECK (((learner = CURRENT_USER) AND microup.registered((CURRENT_USER)::text, 'learner'::text)));


--
-- Name: programme; Type: ROW SECURITY; Schema: microup; Owner: -
--

ALTER TABLE microup.programme ENABLE ROW LEVEL SECURITY;

--
-- Name: programme_entry; Type: ROW SECURITY; Schema: microup; Owner: -
--

ALTER TABLE microup.programme_entry ENABLE ROW LEVEL SECURITY;

--
-- Name: programme_part; Type: ROW SECURITY; Schema: microup; Owner: -
--

ALTER TABLE microup.programme_part ENABLE ROW LEVEL SECURITY;

--
-- Name: review_cache; Type: ROW SECURITY; Schema: microup; Owner: -
--

ALTER TABLE microup.review_cache ENABLE ROW LEVEL SECURITY;

--
-- Name: setting; Type: ROW SECURITY; Schema: microup; Owner: -
--

ALTER TABLE microup.setting ENABLE ROW LEVEL SECURITY;

--
-- Name: timer; Type: ROW SECURITY; Schema: microup; Owner: -
--

ALTER TABLE microup.timer ENABLE ROW LEVEL SECURITY;

--
-- Name: topic; Type: ROW SECURITY; Schema: microup; Owner: -
--

ALTER TABLE microup.topic ENABLE ROW LEVEL SECURITY;

--
-- Name: topic_total; Type: ROW SECURITY; Schema: microup; Owner: -
--

ALTER TABLE microup.topic_total ENABLE ROW LEVEL SECURITY;

--
-- PostgreSQL database dump complete
--


