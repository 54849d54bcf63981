"""Benchmark of the reminder pass on PostgreSQL: speed, exactly-once, and a ``kill -9``.

    .venv/bin/python -m bench.reminders [--plans 200000] [--milestones-per-plan 5] [--keep]

It creates a dedicated database (``membumi_bench_reminders`` on 127.0.0.1:5432, dropped first
and, unless ``--keep``, at the end), migrates it and generates, with server-side
``INSERT … SELECT generate_series`` statements, one institution with 200 batches, 200,000
enrolments (each with a participant account, one of 20,000 mentors and one of 400 coaches),
200,000 action plans in every state (70 % approved or in progress), 1,000,000 milestones whose
due dates are spread evenly over 200 days either side of "today" (about 60 % of the past ones
done), a start transition for every plan in progress, and progress updates (an accepted one for
each plan in progress, dated 0-74 days ago; a submitted one for every fourth, 0-24 days ago).

Then, each step in a fresh Python process with production settings (no query log):

1. one reminder pass as of ``NOW`` (2026-11-28 09:00 Jakarta): time, rows the statements
   range over, reminders created per rule;
2. an independent SQL count of what should fire (plain date arithmetic and ``GREATEST``, not
   the pass's code) compared row by row with what was created: missing, extra, duplicates;
3. the pass again: must create nothing (the steady-state cost of a pass every 15 minutes);
4. the outbox: 5,000 e-mail copies sent through Django's in-memory backend (throughput);
5. crash test: the notifications are deleted, ``membumi remind --at NOW --no-email --rules-only`` is started
   in a subprocess and killed with SIGKILL half-way; a second ``membumi remind`` completes
   the work; step 2's check runs again.

It prints figures and ratios against the goals (pass < 60 s; every reminder exactly once) and
never fails.
"""

import argparse
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
import zoneinfo
from pathlib import Path

PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DATABASE = "membumi_bench_reminders"
NOW = dt.datetime(2026, 11, 28, 9, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Jakarta"))
GOAL_SECONDS = 60.0
BATCHES, MENTORS, COACHES, ORGANIZERS = 200, 20_000, 400, 5
# Plan state by ``id % 20``: 70 % approved or in progress, the rest in every other state.
STATE_BY_MOD = (
    ["draft", "submitted", "revision_requested"]
    + ["approved"] * 3
    + ["in_progress"] * 11
    + ["completed", "verified", "abandoned"]
)
KINDS = (
    "milestone_due_7",
    "milestone_due_1",
    "milestone_overdue",
    "update_unverified_7",
    "update_unverified_14",
    "plan_silent_30",
)


def _django():
    import django

    django.setup()


# --- Data --------------------------------------------------------------------------------------


def _fill_defaults(cursor, table: str, given: dict[str, str]) -> dict[str, str]:
    """Every NOT NULL column without a database default that ``given`` leaves out gets a
    neutral value (tables grow fields while other stages are built)."""
    cursor.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s"
        " AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'",
        [table],
    )
    neutral = {
        "character varying": "''",
        "text": "''",
        "boolean": "false",
        "integer": "1",
        "smallint": "1",
        "bigint": "1",
        "numeric": "1",
        "jsonb": "'[]'::jsonb",
        "date": "%(today)s",
        "timestamp with time zone": "%(now)s",
    }
    columns = dict(given)
    for name, data_type in cursor.fetchall():
        if name not in columns and name != "id":
            columns[name] = neutral.get(data_type, "''")
    return columns


def _insert(cursor, table: str, given: dict[str, str], source: str, params: dict) -> int:
    columns = _fill_defaults(cursor, table, given)
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns.values())} {source}"
    )
    cursor.execute(sql, params)
    return cursor.rowcount


def worker_setup(plans: int, per_plan: int) -> dict:
    _django()
    from django.core.management import call_command
    from django.db import connection, transaction

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter() - started
    p = {
        "now": NOW,
        "today": NOW.date(),
        "n": plans,
        "m": MENTORS,
        "c": COACHES,
        "b": BATCHES,
        "per": per_plan,
    }
    rows = {}
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        ins = lambda *a: _insert(cursor, *a, p)  # noqa: E731
        ins(
            "organizations_agency",
            {
                "id": "1",
                "code": "'BENCH'",
                "name": "'Provinsi Bench'",
                "kind": "'regional'",
                "level": "'provinsi'",
            },
            "",
        )
        ins(
            "organizations_institution",
            {
                "id": "1",
                "code": "'BPSDM-BENCH'",
                "name": "'BPSDM Bench'",
                "kind": "'bpsdm'",
                "agency_id": "1",
            },
            "",
        )
        ins(
            "programs_program",
            {
                "id": "1",
                "institution_id": "1",
                "name": "'Pelatihan Bench'",
                "program_type": "'technical'",
                "total_jp": "40",
                "mode": "'classical'",
                "state": "'published'",
            },
            "",
        )
        ins(
            "programs_batch",
            {
                "id": "i",
                "program_id": "1",
                "name": "'Angkatan ' || i",
                "start_date": "%(today)s - 400",
                "end_date": "%(today)s - 380",
                "mode": "'classical'",
                "capacity": "%(n)s",
                "state": "'follow_up'",
            },
            "FROM generate_series(1, %(b)s) i",
        )
        # Employees 1..n are participants, n+1..n+m mentors; accounts carry the same ids.
        rows["employees"] = ins(
            "organizations_employee",
            {
                "id": "i",
                "nip": "'19' || lpad(i::text, 16, '0')",
                "name": "'Pegawai ' || i",
                "agency_id": "1",
                "is_active": "true",
                "email": "'pegawai' || i || '@bench.example'",
            },
            "FROM generate_series(1, %(n)s + %(m)s) i",
        )
        rows["users"] = ins(
            "accounts_user",
            {
                "id": "i",
                "username": "'u' || i",
                "password": "'!'",
                "email": "'u' || i || '@bench.example'",
                "is_active": "true",
                "employee_id": "CASE WHEN i <= %(n)s + %(m)s THEN i END",
            },
            "FROM generate_series(1, %(n)s + %(m)s + %(c)s + 5) i",
        )
        ins(
            "accounts_roleassignment",
            {"user_id": "i", "role": "'organizer'", "institution_id": "1", "created_at": "%(now)s"},
            "FROM generate_series(%(n)s + %(m)s + %(c)s + 1, %(n)s + %(m)s + %(c)s + 5) i",
        )
        rows["enrollments"] = ins(
            "programs_enrollment",
            {
                "id": "i",
                "batch_id": "1 + i %% %(b)s",
                "employee_id": "i",
                "mentor_id": "%(n)s + 1 + i %% %(m)s",
                "coach_id": "%(n)s + %(m)s + 1 + i %% %(c)s",
                "agency_id": "1",
                "state": "'active'",
            },
            "FROM generate_series(1, %(n)s) i",
        )
        states = "ARRAY[" + ", ".join(f"'{s}'" for s in STATE_BY_MOD) + "]"
        rows["plans"] = ins(
            "action_plans_actionplan",
            {
                "id": "i",
                "enrollment_id": "i",
                "agency_id": "1",
                "title": "'Rencana aksi ' || i",
                "indicator_direction": "'increase'",
                "state": f"({states})[1 + i %% 20]",
                "created_at": "%(now)s - interval '150 days'",
                "updated_at": "%(now)s",
                "approved_at": "%(now)s - (1 + i %% 120) * interval '1 day'",
            },
            "FROM generate_series(1, %(n)s) i",
        )
        rows["milestones"] = ins(
            "action_plans_milestone",
            {
                "id": "(i - 1) * %(per)s + k",
                "plan_id": "i",
                "term": "(ARRAY['short', 'mid', 'long'])[1 + k %% 3]",
                "output": "'Keluaran ' || k || ' rencana ' || i",
                "due_date": "%(today)s + ((i * 7 + k * 37) %% 400 - 200)",
                "status": (
                    "CASE WHEN (i * 7 + k * 37) %% 400 < 200 AND (i + k) %% 5 < 3 THEN 'done'"
                    " WHEN (i + k) %% 2 = 0 THEN 'planned' ELSE 'in_progress' END"
                ),
                "position": "k",
                "values": "'[]'::jsonb",
            },
            "FROM generate_series(1, %(n)s) i, generate_series(1, %(per)s) k",
        )
        rows["transitions"] = ins(
            "action_plans_plantransition",
            {
                "plan_id": "p.id",
                "action": "'start'",
                "from_state": "'approved'",
                "to_state": "'in_progress'",
                "created_at": "p.approved_at + interval '1 day'",
            },
            "FROM action_plans_actionplan p WHERE p.state = 'in_progress'",
        )
        rows["updates"] = ins(
            "monitoring_progressupdate",
            {
                "plan_id": "p.id",
                "agency_id": "1",
                "narrative": "'Laporan'",
                "state": "'accepted'",
                "created_at": "%(now)s - ((p.id * 13) %% 75) * interval '1 day'",
            },
            "FROM action_plans_actionplan p WHERE p.state = 'in_progress'",
        )
        rows["updates"] += ins(
            "monitoring_progressupdate",
            {
                "plan_id": "p.id",
                "agency_id": "1",
                "narrative": "'Laporan menunggu verifikasi'",
                "state": "'submitted'",
                "created_at": (
                    "%(now)s - ((p.id * 7) %% 25) * interval '1 day' - interval '1 hour'"
                ),
            },
            "FROM action_plans_actionplan p WHERE p.state IN ('in_progress', 'completed')"
            " AND p.id %% 4 = 0",
        )
        for name in (
            "organizations_agency",
            "organizations_institution",
            "programs_program",
            "programs_batch",
            "organizations_employee",
            "accounts_user",
            "programs_enrollment",
            "action_plans_actionplan",
            "action_plans_milestone",
        ):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))"
            )
    generated = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"migrate_s": migrated, "generate_s": generated, "rows": rows}


# --- The pass and its check ----------------------------------------------------------------


def worker_pass() -> dict:
    _django()
    from membumi.reminders.services import reminder_pass

    chunks = []
    per_kind: dict[str, float] = {}
    last = [time.perf_counter()]

    def on_chunk(kind, role, lo, made):
        now = time.perf_counter()
        per_kind[kind] = per_kind.get(kind, 0.0) + now - last[0]
        last[0] = now
        chunks.append(kind)

    started = last[0] = time.perf_counter()
    counts = reminder_pass(now=NOW, extra=False, on_chunk=on_chunk)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "counts": counts, "statements": len(chunks), "per_kind": per_kind}


def worker_floor(rows: int) -> dict:
    """The cost of writing ``rows`` notification rows at all: one ``INSERT … SELECT
    generate_series`` of similar rows into a copy of the table with all its indexes."""
    _django()
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_floor")
        cursor.execute("CREATE TABLE bench_floor (LIKE notifications_notification INCLUDING ALL)")
        started = time.perf_counter()
        with transaction.atomic():
            cursor.execute(
                "INSERT INTO bench_floor (id, recipient_id, kind, title, body, url, key,"
                " created_at, email_state, email_attempts, email_lease)"
                " SELECT i, 1 + i %% 200000, 'milestone_overdue',"
                " 'Milestone overdue: Keluaran ' || i, repeat('x', 220) || i, '/plans/' || i || '/',"
                " 'milestone_overdue:' || i || ':2026-11-01:' || (1 + i %% 200000), now(),"
                " 'pending', 0, '' FROM generate_series(1, %s) i",
                [rows],
            )
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_floor")
    return {"seconds": seconds, "rows": rows}


def worker_sizes() -> dict:
    _django()
    from django.db import connection

    with connection.cursor() as cursor:
        sizes = {}
        for name, table in (
            ("milestones", "action_plans_milestone"),
            ("plans", "action_plans_actionplan"),
            ("updates", "monitoring_progressupdate"),
        ):
            cursor.execute(f"SELECT count(*) FROM {table}")
            sizes[name] = cursor.fetchone()[0]
    return sizes


EXPECTED_SQL = """
WITH pu AS (SELECT u.id AS uid, u.employee_id FROM accounts_user u WHERE u.is_active),
live_ms AS (
    SELECT m.id, m.due_date - %(today)s AS days_left, e.employee_id, e.mentor_id
    FROM action_plans_milestone m
    JOIN action_plans_actionplan p ON p.id = m.plan_id
    JOIN programs_enrollment e ON e.id = p.enrollment_id
    WHERE p.state IN ('approved', 'in_progress') AND m.status IN ('planned', 'in_progress')
),
open_updates AS (
    SELECT u.id, u.created_at, e.mentor_id, pg.institution_id
    FROM monitoring_progressupdate u
    JOIN action_plans_actionplan p ON p.id = u.plan_id
    JOIN programs_enrollment e ON e.id = p.enrollment_id
    JOIN programs_batch b ON b.id = e.batch_id
    JOIN programs_program pg ON pg.id = b.program_id
    WHERE u.state = 'submitted' AND p.state NOT IN ('verified', 'abandoned')
),
silent AS (
    SELECT p.id, e.employee_id, e.coach_id
    FROM action_plans_actionplan p
    JOIN programs_enrollment e ON e.id = p.enrollment_id
    WHERE p.state = 'in_progress' AND COALESCE(
        GREATEST(
            (SELECT max(created_at) FROM monitoring_progressupdate WHERE plan_id = p.id),
            (SELECT max(created_at) FROM action_plans_plantransition
              WHERE plan_id = p.id AND to_state = 'in_progress')
        ), p.approved_at, p.created_at) <= %(now)s - interval '30 days'
)
SELECT 'milestone_due_7' AS kind, l.id AS obj, pu.uid AS recipient_id FROM live_ms l JOIN pu ON pu.employee_id = l.employee_id
    WHERE l.days_left BETWEEN 2 AND 7
UNION ALL
SELECT 'milestone_due_1', l.id, pu.uid FROM live_ms l JOIN pu ON pu.employee_id = l.employee_id
    WHERE l.days_left = 1
UNION ALL
SELECT 'milestone_overdue', l.id, pu.uid FROM live_ms l
    JOIN pu ON pu.employee_id = l.employee_id WHERE l.days_left < 0
UNION ALL
SELECT 'milestone_overdue', l.id, pu.uid FROM live_ms l
    JOIN pu ON pu.employee_id = l.mentor_id WHERE l.days_left < 0
UNION ALL
SELECT 'update_unverified_7', o.id, pu.uid FROM open_updates o
    JOIN pu ON pu.employee_id = o.mentor_id WHERE o.created_at <= %(now)s - interval '7 days'
UNION ALL
SELECT 'update_unverified_14', o.id, ra.user_id FROM open_updates o
    JOIN accounts_roleassignment ra ON ra.institution_id = o.institution_id
     AND ra.role = 'organizer'
    JOIN accounts_user au ON au.id = ra.user_id AND au.is_active
    WHERE o.created_at <= %(now)s - interval '14 days'
UNION ALL
SELECT 'plan_silent_30', s.id, pu.uid FROM silent s JOIN pu ON pu.employee_id = s.employee_id
UNION ALL
SELECT 'plan_silent_30', s.id, au.id FROM silent s
    JOIN accounts_user au ON au.id = s.coach_id AND au.is_active
"""

ACTUAL_SQL = """
SELECT kind, split_part(key, ':', 2)::bigint AS obj, recipient_id FROM notifications_notification
WHERE kind IN ('milestone_due_7', 'milestone_due_1', 'milestone_overdue', 'update_unverified_7',
               'update_unverified_14', 'plan_silent_30')
"""


def worker_check() -> dict:
    """Compare what was created with what should have fired, row by row (multisets)."""
    _django()
    from django.db import connection

    params = {"now": NOW, "today": NOW.date()}
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE expected AS {EXPECTED_SQL}",
            params,
        )
        cursor.execute(f"CREATE TEMP TABLE actual AS {ACTUAL_SQL}")
        result = {}
        for label, sql in (
            ("expected", "SELECT kind, count(*) FROM expected GROUP BY 1"),
            ("actual", "SELECT kind, count(*) FROM actual GROUP BY 1"),
            (
                "missing",
                "SELECT kind, count(*) FROM (SELECT * FROM expected EXCEPT ALL"
                " SELECT * FROM actual) x GROUP BY 1",
            ),
            (
                "extra",
                "SELECT kind, count(*) FROM (SELECT * FROM actual EXCEPT ALL"
                " SELECT * FROM expected) x GROUP BY 1",
            ),
            (
                "duplicates",
                "SELECT kind, count(*) - count(DISTINCT (kind, obj, recipient_id))"
                " FROM actual GROUP BY 1",
            ),
        ):
            cursor.execute(sql)
            result[label] = {kind: count for kind, count in cursor.fetchall()}
    return result


def worker_outbox(rows: int) -> dict:
    _django()
    from membumi.notifications.services import notification_outbox_send

    started = time.perf_counter()
    report = notification_outbox_send(limit=rows)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, **report.as_dict()}


def worker_reset() -> dict:
    _django()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE notifications_notification")
        cursor.execute("SELECT count(*) FROM notifications_notification")
        return {"left": cursor.fetchone()[0]}


def worker_count() -> dict:
    _django()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), count(DISTINCT key) FROM notifications_notification")
        rows, keys = cursor.fetchone()
    return {"rows": rows, "keys": keys}


WORKERS = {
    "setup": worker_setup,
    "pass": worker_pass,
    "floor": worker_floor,
    "sizes": worker_sizes,
    "check": worker_check,
    "outbox": worker_outbox,
    "reset": worker_reset,
    "count": worker_count,
}


# --- Orchestration -------------------------------------------------------------------------


def run_worker(step: str, env: dict, *args) -> dict:
    command = [sys.executable, "-m", "bench.reminders", "--worker", step, *map(str, args)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"{step} failed (exit {done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def database(action: str) -> str:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        if action == "fresh":
            conn.execute(f"CREATE DATABASE {PG_DATABASE}")
    return f"{PG_SERVER}/{PG_DATABASE}"


def environment(database_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="membumi.settings",
        DEBUG="0",
        SECRET_KEY="bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="localhost",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(Path(__file__).resolve().parent.parent),
    )
    return env


def exact(check: dict) -> bool:
    return (
        not any(check["missing"].values())
        and not any(check["extra"].values())
        and not any(check["duplicates"].values())
    )


def kill_test(env: dict, expected: int, share: float = 0.4) -> dict:
    """Start ``membumi remind`` and SIGKILL it half-way; then run it again."""
    remind = [
        sys.executable,
        "-m",
        "membumi.cli",
        "remind",
        "--at",
        NOW.isoformat(),
        "--no-email",
        "--rules-only",
    ]
    import psycopg

    started = time.perf_counter()
    process = subprocess.Popen(remind, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    # Kill it once at least ``share`` of the reminders are committed (polling the table).
    alive = False
    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
        while process.poll() is None:
            (rows,) = conn.execute("SELECT count(*) FROM notifications_notification").fetchone()
            if rows >= share * expected:
                os.kill(process.pid, signal.SIGKILL)
                alive = True
                break
            time.sleep(0.05)
    process.wait()
    killed_after = time.perf_counter() - started
    partial = run_worker("count", env)
    started = time.perf_counter()
    done = subprocess.run(remind, env=env, capture_output=True, text=True, check=False)
    rerun_seconds = time.perf_counter() - started
    after = run_worker("count", env)
    return {
        "killed": alive,
        "returncode": process.returncode,
        "killed_after_s": killed_after,
        "partial_rows": partial["rows"],
        "rerun_s": rerun_seconds,
        "rerun_output": done.stdout,
        "final_rows": after["rows"],
        "final_keys": after["keys"],
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plans", type=int, default=200_000)
    parser.add_argument("--milestones-per-plan", type=int, default=5)
    parser.add_argument("--outbox", type=int, default=5_000, help="e-mails to send in step 4")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.worker:
        args = [int(a) for a in options.args]
        print(json.dumps(WORKERS[options.worker](*args), default=str))
        return

    env = environment(database("fresh"))
    print(
        f"PostgreSQL database {PG_DATABASE}: {options.plans:,} plans, "
        f"{options.plans * options.milestones_per_plan:,} milestones; pass as of {NOW:%Y-%m-%d %H:%M %Z}"
    )
    try:
        setup = run_worker("setup", env, options.plans, options.milestones_per_plan)
        rows = setup["rows"]
        print(
            f"  migrate {setup['migrate_s']:.1f} s, generate {setup['generate_s']:.1f} s: "
            + ", ".join(f"{k} {v:,}" for k, v in rows.items())
        )
        sizes = run_worker("sizes", env)
        first = run_worker("pass", env)
        examined = 4 * sizes["milestones"] + 2 * sizes["updates"] + 2 * sizes["plans"]
        created = sum(first["counts"].values())
        print(
            f"\n1. one pass: {first['seconds']:.1f} s ({first['seconds'] / GOAL_SECONDS:.2f}× the "
            f"{GOAL_SECONDS:.0f} s goal: {'PASS' if first['seconds'] < GOAL_SECONDS else 'MISS'}), "
            f"{first['statements']} chunk statements over {examined:,} rows, "
            f"{created:,} reminders ({created / first['seconds']:,.0f}/s)"
        )
        floor = run_worker("floor", env, created)
        for kind in KINDS:
            print(
                f"     {kind:<22} {first['counts'].get(kind, 0):>9,}"
                f"  {first['per_kind'].get(kind, 0):6.1f} s"
            )
        print(
            f"   floor: inserting {floor['rows']:,} similar rows into a copy of the notification "
            f"table in one statement takes {floor['seconds']:.1f} s; the pass is "
            f"{first['seconds'] / floor['seconds']:.1f}× that"
        )
        check = run_worker("check", env)
        print(f"\n2. independent check: {'PASS' if exact(check) else 'MISS'} (exactly once)")
        for kind in KINDS:
            print(
                f"     {kind:<22} expected {check['expected'].get(kind, 0):>9,}  "
                f"created {check['actual'].get(kind, 0):>9,}  missing {check['missing'].get(kind, 0)}  "
                f"extra {check['extra'].get(kind, 0)}  duplicates {check['duplicates'].get(kind, 0)}"
            )
        again = run_worker("pass", env)
        print(
            f"\n3. the same pass again: {again['seconds']:.1f} s, "
            f"{sum(again['counts'].values())} created ({'PASS' if not sum(again['counts'].values()) else 'MISS'})"
        )
        outbox = run_worker("outbox", env, options.outbox)
        print(
            f"\n4. outbox: {outbox['sent']:,} e-mails in {outbox['seconds']:.1f} s "
            f"({outbox['sent'] / outbox['seconds']:,.0f}/s, in-memory backend)"
        )
        run_worker("reset", env)
        crash = kill_test(env, created)
        check2 = run_worker("check", env)
        print(
            f"\n5. kill -9: {'killed' if crash['killed'] else 'NOT killed (finished first)'} after "
            f"{crash['killed_after_s']:.1f} s with {crash['partial_rows']:,} of {created:,} reminders "
            f"({crash['partial_rows'] / created:.0%}) committed; the re-run took {crash['rerun_s']:.1f} s "
            f"and left {crash['final_rows']:,} rows, {crash['final_keys']:,} distinct keys"
        )
        print(
            f"   independent check after the crash: {'PASS' if exact(check2) else 'MISS'} "
            f"(missing {sum(check2['missing'].values())}, extra {sum(check2['extra'].values())}, "
            f"duplicates {sum(check2['duplicates'].values())})"
        )
    finally:
        if not options.keep:
            database("drop")


if __name__ == "__main__":
    main()
