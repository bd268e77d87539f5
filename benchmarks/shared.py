"""The shared PostgreSQL store at cohort scale: does one learner pay for everyone else's rows?

Two databases on the server MICROUP_BENCH_PG_URL names (a superuser URL; `.ci/postgres start`
gives one): *alone* holds one learner's year of sessions; *crowded* holds the same learner's
rows beside a cohort of 150 learners with a year each, topped up to 1,000,000 entries. Each
learner command runs as a whole process, interleaved alone/crowded after warm-ups, and the
medians are compared. Then `cohort report` over the 150 learners is timed in the crowded one.

`--import-rows N` times instead one learner importing N entries on one topic and one day
into an empty shared store (the goal: 1,000,000 in under 60 s), then the same file again
(nothing to add), while `log` runs back to back beside it as the same learner: each log
should wait at most for the import's final write, not for its staging.

Usage: MICROUP_BENCH_PG_URL=postgresql://postgres@127.0.0.1:54329/postgres \\
       python benchmarks/shared.py [--runs N] [--entries 1000000] [--import-rows N]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from microup.store.postgres.schema import grant_role, init_database

LEARNERS = 150
DAY = 86_400
YEAR_DAYS = 365
SEED = 20261124
MICROUP = Path(sys.executable).parent / "microup"


def database_url(server: str, database: str, user: str | None = None) -> str:
    url = make_url(server).set(database=database)
    if user is not None:
        url = url.set(username=user, password=None)
    return url.render_as_string(hide_password=False)


def year_of_sessions(rng: random.Random, now: int) -> list[tuple[int, int, int, int, str]]:
    """(at, offset, minutes, topic number, kind) for a year of little-and-often learning."""
    rows = []
    for day in range(YEAR_DAYS):
        if rng.random() < rng.choice((0.2, 0.4, 0.6)):
            at = now - (YEAR_DAYS - day) * DAY + rng.randrange(7 * 3600, 22 * 3600)
            kind = "review" if rng.random() < 0.3 else "learn"
            rows.append((at, 0, rng.choice((5, 10, 15, 20, 30)), rng.randrange(12), kind))
    return rows


# After a bulk load, each learner's own id sequences continue after their rows.
CONTINUE_IDS = """DO $$ DECLARE m RECORD; t TEXT; BEGIN
    FOR m IN SELECT id FROM microup.member WHERE kind = 'learner' LOOP
        FOREACH t IN ARRAY ARRAY['topic', 'entry', 'journal'] LOOP
            EXECUTE format('SELECT setval(%L, 1 + coalesce((SELECT max(id) FROM microup.%I'
                ' WHERE learner = %s), 0), false)', format('microup.%s_ids_%s', t, m.id), t, m.id);
        END LOOP;
    END LOOP;
END $$"""


def fill(admin: str, learners: dict[str, list[tuple[int, int, int, int, str]]]) -> None:
    """Write every learner's topics and entries as the administrator, with COPY (rows carry
    the learner's admission id, and ids of the learner's own)."""
    with psycopg.connect(admin) as conn:
        admissions = dict(
            conn.execute(
                "SELECT r.rolname, m.id FROM microup.member m JOIN pg_roles r ON r.oid = m.role"
            ).fetchall()
        )
        buffer = io.StringIO()
        for learner, rows in learners.items():
            for number in range(12):
                conn.execute(
                    "INSERT INTO microup.topic (id, learner, name, key) VALUES (%s, %s, %s, %s)",
                    (number + 1, admissions[learner], f"Topic {number}", f"topic {number}"),
                )
            for index, (at, offset, minutes, topic, kind) in enumerate(rows, start=1):
                buffer.write(
                    f"{index}\t{admissions[learner]}\t{at}\t{offset}\t{minutes}\t{topic + 1}"
                    f"\t{kind}\n"
                )
        with conn.cursor().copy(
            "COPY microup.entry (id, learner, at, utc_offset, minutes, topic_id, kind) FROM STDIN"
        ) as copy:
            copy.write(buffer.getvalue())
        conn.execute(CONTINUE_IDS)
        conn.execute("ANALYZE")


def make_database(server: str, learners: dict[str, list[tuple[int, int, int, int, str]]]) -> str:
    name = f"microup_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    admin = database_url(server, name)
    init_database(admin)
    for learner in learners:
        grant_role(admin, learner, "learner")
    fill(admin, learners)
    return admin


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.strip()}")
    return elapsed


def import_file(folder: Path, rows: int) -> Path:
    """`rows` entries on one topic and one day, as `microup export` writes them."""
    path = folder / "import.json"
    with path.open("w") as out:
        out.write('{"format": "microup", "version": 1, "entries": [\n')
        for n in range(rows):
            at = f"2026-03-02T{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}+00:00"
            out.write(
                ("," if n else "")
                + f'{{"minutes": {1 + n // 86400 % 600}, "topic": "SQL", "note": null,'
                f' "at": "{at}", "recall": null, "kind": "learn"}}\n'
            )
        out.write('], "goals": [], "settings": {}}\n')
    return path


def _final_write_start(admin: str, learner: str, stop: threading.Event) -> float | None:
    """When the import began its final write: its first statement once it holds the lock."""
    with psycopg.connect(admin, autocommit=True) as conn:
        while not stop.is_set():
            found = conn.execute(
                "SELECT query FROM pg_stat_activity WHERE usename = %s AND state = 'active'"
                " AND query LIKE 'INSERT INTO topic (name, key) SELECT%%'",
                (learner,),
            ).fetchall()
            if found:
                return time.perf_counter()
            time.sleep(0.05)
    return None


def _watch(admin: str, learner: str, stop: threading.Event, final: list[float | None]) -> None:
    final.append(_final_write_start(admin, learner, stop))


def _logs_beside(env: dict[str, str], stop: threading.Event, waits: list[float]) -> None:
    while not stop.is_set():
        waits.append(timed([str(MICROUP), "log", "1", "-t", "Beside"], env))


def import_benchmark(server: str, rows: int) -> None:
    """One learner imports `rows` entries twice, with `log` running beside (see the top)."""
    learner = "bench_importer"
    admin = make_database(server, {learner: []})
    scratch = Path(tempfile.mkdtemp(prefix="microup-bench-"))
    path = import_file(scratch, rows)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(scratch),
        "MICROUP_DB": database_url(admin, str(make_url(admin).database), learner),
    }
    alone = timed([str(MICROUP), "log", "1", "-t", "Beside"], env)
    for attempt in ("first", "again"):
        stop, waits = threading.Event(), []
        final: list[float | None] = []
        watcher = threading.Thread(target=_watch, args=(admin, learner, stop, final))
        beside = threading.Thread(target=_logs_beside, args=(env, stop, waits))
        watcher.start()
        beside.start()
        elapsed = timed([str(MICROUP), "import", str(path)], env)
        end = time.perf_counter()
        stop.set()
        watcher.join()
        beside.join()
        final_write = end - final[0] if final and final[0] else float("nan")
        print(
            f"import {attempt}: {rows:,} rows in {elapsed:.1f} s (final write {final_write:.1f} s);"
            f" {len(waits)} logs beside, longest {max(waits, default=0):.2f} s"
            f" (a log alone {alone:.2f} s)"
        )
    with psycopg.connect(admin) as conn:
        count = conn.execute("SELECT count(*) FROM microup.entry").fetchone()
        print(f"entries stored: {count[0] if count else 0:,}")
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE {make_url(admin).database} WITH (FORCE)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="Keep both databases.")
    parser.add_argument("--import-rows", type=int, default=0, help="Time an import instead.")
    options = parser.parse_args()
    server = os.environ.get("MICROUP_BENCH_PG_URL")
    if not server:
        raise SystemExit("set MICROUP_BENCH_PG_URL to a PostgreSQL superuser URL")
    if options.import_rows:
        import_benchmark(server, options.import_rows)
        return
    rng = random.Random(SEED)
    now = int(time.time())
    me = "bench_learner"
    mine = year_of_sessions(rng, now)
    cohort = {f"bench_l{n:03d}": year_of_sessions(rng, now) for n in range(LEARNERS)}
    cohort_rows = sum(len(rows) for rows in cohort.values())
    filler_learners = {}
    missing = options.entries - cohort_rows - len(mine)
    for n in range(max(0, missing) // 5000 + (1 if missing % 5000 else 0)):
        rows = [
            (now - rng.randrange(YEAR_DAYS * DAY), 0, 20, rng.randrange(12), "learn")
            for _ in range(min(5000, missing - n * 5000))
        ]
        filler_learners[f"bench_f{n:03d}"] = rows
    print(f"alone: 1 learner, {len(mine)} entries")
    print(
        f"crowded: {LEARNERS} cohort learners ({cohort_rows} entries) and "
        f"{len(filler_learners)} more, {len(mine) + cohort_rows + max(0, missing)} entries"
    )
    alone = make_database(server, {me: mine})
    crowded = make_database(server, {me: mine, **cohort, **filler_learners})
    scratch = Path(tempfile.mkdtemp(prefix="microup-bench-"))
    base_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(scratch)}
    results = []
    for command in (["log", "20", "-t", "Topic 1"], ["week"], ["review"], ["stats"], ["topics"]):
        times: dict[str, list[float]] = {"alone": [], "crowded": []}
        for run in range(options.runs + 2):
            for label, admin in (("alone", alone), ("crowded", crowded)):
                env = {
                    **base_env,
                    "MICROUP_DB": database_url(admin, str(make_url(admin).database), me),
                }
                elapsed = timed([str(MICROUP), *command], env)
                if run >= 2:
                    times[label].append(elapsed)
        a, c = statistics.median(times["alone"]), statistics.median(times["crowded"])
        results.append((" ".join(command), a, c))
        print(f"{' '.join(command):<18} alone {a:.3f} s  crowded {c:.3f} s  ratio {c / a:.2f}x")
    with psycopg.connect(crowded, autocommit=True) as conn:
        conn.execute("INSERT INTO microup.cohort VALUES ('bench', 0)")
        conn.execute(
            "INSERT INTO microup.cohort_member SELECT 'bench', m.id FROM microup.member m"
            " JOIN pg_roles r ON r.oid = m.role WHERE r.rolname = ANY(%s)",
            (list(cohort),),
        )
    report_env = {**base_env, "MICROUP_DB": crowded}
    report = [
        timed([str(MICROUP), "cohort", "report", "bench", "--weeks", "12"], report_env)
        for _ in range(options.runs)
    ]
    print(f"cohort report (150 learners, 12 weeks, crowded): {statistics.median(report):.3f} s")
    if options.keep:
        print(f"kept: {alone} and {crowded}")
        return
    with psycopg.connect(server, autocommit=True) as conn:
        for admin in (alone, crowded):
            conn.execute(f"DROP DATABASE {make_url(admin).database} WITH (FORCE)")


if __name__ == "__main__":
    main()
