"""Benchmark of the employee import against a raw bulk load of the same file.

    .venv/bin/python -m bench.import_employees [--rows 100000] [--db sqlite|postgres|both]
                                               [--repeat N]

It writes a deterministic CSV of employees (valid NIPs, "Dinas X > Bidang Y" units, three
agencies, a supervisor hierarchy where 1 supervisor in 25 comes after their staff). For each
database it creates a fresh database (SQLite: a temporary file; PostgreSQL: ``membumi_bench``
on 127.0.0.1:5432, dropped first and at the end), migrates it, creates the three agencies,
then measures, each step in a fresh Python process so that peak memory is per step:

1. raw load: read the CSV with the csv module and insert the rows as they are into a plain
   table with the same columns (SQLite: ``executemany`` in one transaction; PostgreSQL:
   ``COPY``);
2. first import with ``import_employees_from_path`` into the empty employee table;
3. re-import of the same file (must change 0 rows);
4. for reference, the raw load again but into the employee table itself, with the least
   mapping possible: what the table's indexes and constraints cost on their own.

It prints a table with PASS/MISS against the goals and never fails. ``--repeat N`` keeps the
best time of each step over N runs (useful on a busy machine). Settings are the production
ones (``membumi.settings`` with DEBUG off), so no query log distorts the figures.
"""

import argparse
import csv
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DATABASE = "membumi_bench"
AGENCIES = [
    ("KAB-SKM", "Kabupaten Sukamaju", "regional", "kabupaten"),
    ("KOTA-MDR", "Kota Mandiri", "regional", "kota"),
    ("PROV-NSB", "Provinsi Nusa Bahagia", "regional", "provinsi"),
]
DINAS = [
    "Dinas Kesehatan",
    "Dinas Pendidikan",
    "Dinas Pekerjaan Umum dan Penataan Ruang",
    "Dinas Sosial",
    "Dinas Perhubungan",
    "Dinas Pertanian dan Pangan",
    "Dinas Kependudukan dan Pencatatan Sipil",
    "Dinas Lingkungan Hidup",
]
BIDANG = [
    "Sekretariat",
    "Bidang Pelayanan",
    "Bidang Perencanaan dan Evaluasi",
    "Bidang Sumber Daya",
    "Bidang Pengendalian",
    "Bidang Pembinaan",
    "Bidang Data dan Informasi",
    "Bidang Kemitraan",
]
FIRST = ["Siti", "Budi", "Dewi", "Agus", "Rina", "Joko", "Ayu", "Bambang", "Wulan", "Hendra"]
LAST = ["Rahmawati", "Santoso", "Lestari", "Saputra", "Wijaya", "Kurniawan", "Hidayat", "Putri"]
FAN_OUT = 8  # direct staff per supervisor
COLUMNS = [
    "nip",
    "name",
    "sex",
    "golongan",
    "position_type",
    "position_name",
    "unit",
    "agency",
    "supervisor_nip",
    "email",
]
GOALS = {"import_ratio": 3.0, "peak_mb": 300.0, "reimport_ratio": 1.0}


# --- The file ----------------------------------------------------------------------------------


def nip_of(k: int) -> tuple[str, str]:
    """A valid NIP for employee ``k`` (unique for k < 9,000 × 999) and the sex letter."""
    day, sequence = k % 9000, k // 9000 + 1
    birth = dt.date(1965, 1, 1) + dt.timedelta(days=day)
    tmt_year, tmt_month = birth.year + 23 + k % 7, k % 12 + 1
    sex = "1" if k % 2 else "2"
    nip = f"{birth:%Y%m%d}{tmt_year:04d}{tmt_month:02d}{sex}{sequence:03d}"
    return nip, "L" if sex == "1" else "P"


def employee_row(k: int, agencies: int = len(AGENCIES)) -> tuple[list[str], int | None, int]:
    """Employee ``k``: the CSV values, the index of their supervisor and their depth.

    Each agency is a tree in breadth-first order with ``FAN_OUT`` staff per supervisor, so a
    supervisor's index is always smaller than their staff's. Depth 1 heads a dinas, depth 2 a
    bidang; the unit path follows from the ancestors.
    """
    agency, local = k % agencies, k // agencies
    chain = [local]  # local indexes from k up to the root
    while chain[-1] > 0:
        chain.append((chain[-1] - 1) // FAN_OUT)
    chain.reverse()
    depth = len(chain) - 1
    unit = "Sekretariat Daerah"
    if depth >= 1:
        unit = DINAS[(chain[1] - 1) % len(DINAS)]
    if depth >= 2:
        unit += " > " + BIDANG[(chain[2] - 1) % len(BIDANG)]
    supervisor = None if depth == 0 else chain[-2] * agencies + agency
    nip, sex = nip_of(k)
    golongan, position_type, position = (
        [
            ("IV/d", "jpt", "Sekretaris Daerah"),
            ("IV/c", "jpt", "Kepala Dinas"),
            ("IV/a", "administrator", "Kepala Bidang"),
            ("III/d", "pengawas", "Kepala Seksi"),
        ][depth]
        if depth < 4
        else [
            ("III/a", "pelaksana", "Pengadministrasi Umum"),
            ("III/b", "fungsional", "Analis Kebijakan Ahli Pertama"),
            ("II/c", "pelaksana", "Pengelola Data"),
            ("IX", "fungsional", "Guru Ahli Pertama"),  # PPPK
        ][k % 4]
    )
    name = f"{FIRST[k % len(FIRST)]} {LAST[k // 7 % len(LAST)]} {k}"
    values = [
        nip[:8] + " " + nip[8:14] + " " + nip[14] + " " + nip[15:] if k % 5 == 0 else nip,
        name,
        sex,
        golongan,
        position_type,
        position,
        unit,
        AGENCIES[agency][0],
        "",  # supervisor NIP, filled by the caller
        f"pegawai{k}@example.go.id" if k % 3 == 0 else "",
    ]
    return values, supervisor, depth


def write_csv(path: Path, rows: int) -> dict:
    """Write ``rows`` employees. About 1 in 25 supervisors is moved to the end of the file,
    after their staff, so the import must resolve forward references."""
    late = []
    forward = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for k in range(rows):
            values, supervisor, _depth = employee_row(k)
            if supervisor is not None:
                values[8] = nip_of(supervisor)[0]
            has_staff = (k // len(AGENCIES)) * FAN_OUT + 1 < rows // len(AGENCIES)
            if has_staff and k % 25 == 7:
                late.append(values)
                continue
            writer.writerow(values)
        for values in late:
            writer.writerow(values)
            forward += 1
    return {"rows": rows, "bytes": path.stat().st_size, "late_supervisors": forward}


# --- Workers (one fresh process each) ---------------------------------------------------------


def _django():
    import django

    django.setup()


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def worker_setup() -> dict:
    _django()
    from django.core.management import call_command

    from membumi.organizations.services import agency_create

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    for code, name, kind, level in AGENCIES:
        agency_create(code=code, name=name, kind=kind, level=level)
    return {"migrate_s": time.perf_counter() - started}


def _bulk_load(table: str, columns: list[str], rows) -> None:
    """One transaction: ``COPY`` on PostgreSQL, ``executemany`` on SQLite."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for values in rows:
                    copy.write_row(values)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", rows
            )


def _timed_load(csv_path: str, table: str, columns: list[str], convert=None) -> dict:
    from django.db import connection

    baseline = _maxrss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    with open(csv_path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        _bulk_load(table, columns, map(convert, reader) if convert else reader)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        (count,) = cursor.fetchone()
    return {
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "rows": count,
        "peak_mb": _maxrss_mb(),
        "baseline_mb": baseline,
    }


def worker_raw(csv_path: str) -> dict:
    """Read the CSV and bulk-load it as it is into a plain table with the same columns (and
    a primary key on the NIP): the floor for any import of this file."""
    _django()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_employee")
        cursor.execute(
            "CREATE TABLE bench_raw_employee (nip varchar(30) PRIMARY KEY, "
            + ", ".join(f"{c} varchar(200)" for c in COLUMNS[1:])
            + ")"
        )
    result = _timed_load(csv_path, "bench_raw_employee", COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_raw_employee")
    return result


def worker_raw_employee(csv_path: str) -> dict:
    """Bulk-load the rows into the real employee table (its indexes, check and foreign-key
    constraints) with the least mapping possible: NIP without spaces, sex code, agency id;
    no unit, no supervisor. Shows how much of the import's time the schema itself costs.
    Runs last: it empties the employee table first."""
    _django()
    from django.db import connection
    from django.utils import timezone

    from membumi.organizations.models import Agency, Employee

    table = Employee._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {table} CASCADE")
        else:
            cursor.execute(f"DELETE FROM {table}")
    agencies = dict(Agency.objects.values_list("code", "id"))
    now = Employee._meta.get_field("created_at").get_db_prep_save(timezone.now(), connection)
    columns = [
        "nip", "name", "sex", "employment_type", "golongan", "position_type", "position_name",
        "agency_id", "email", "is_active", "created_at", "updated_at",
    ]  # fmt: skip

    def convert(values):
        nip, name, sex, golongan, ptype, position, _unit, agency, _sup, email = values
        return [
            nip.replace(" ", ""), name, "M" if sex == "L" else "F", "pns", golongan, ptype,
            position, agencies[agency], email, True, now, now,
        ]  # fmt: skip

    return _timed_load(csv_path, table, columns, convert)


def worker_import(csv_path: str) -> dict:
    _django()
    from membumi.organizations.importing import import_employees_from_path
    from membumi.organizations.models import Employee

    baseline = _maxrss_mb()
    calls = []
    started, cpu = time.perf_counter(), time.process_time()
    report = import_employees_from_path(csv_path, on_progress=lambda *a: calls.append(1))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "peak_mb": _maxrss_mb(),
        "baseline_mb": baseline,
        "rows": report.rows,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "rejected": report.rejected,
        "errors": [e.as_dict() for e in report.errors[:5]],
        "fatal": report.fatal,
        "progress_calls": len(calls),
        "employees": Employee.objects.count(),
        "with_supervisor": Employee.objects.filter(supervisor__isnull=False).count(),
    }


WORKERS = {
    "setup": worker_setup,
    "raw": worker_raw,
    "raw_employee": worker_raw_employee,
    "import": worker_import,
}


def run_worker(step: str, env: dict, *args: str) -> dict:
    command = [sys.executable, "-m", "bench.import_employees", "--worker", step, *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"{step} failed (exit {done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- Databases ---------------------------------------------------------------------------------


def fresh_postgres() -> str:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DATABASE}")
    return f"{PG_SERVER}/{PG_DATABASE}"


def drop_postgres() -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")


def environment(database_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="membumi.settings",
        DEBUG="0",
        SECRET_KEY="bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="localhost",
        PYTHONPATH=str(Path(__file__).resolve().parent.parent),
    )
    return env


def bench_database(db: str, csv_path: Path, workdir: Path) -> dict:
    if db == "postgres":
        url = fresh_postgres()
    else:
        for old in workdir.glob("bench.sqlite3*"):  # the database and its WAL files
            old.unlink()
        url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    env = environment(url)
    try:
        setup = run_worker("setup", env)
        raw = run_worker("raw", env, str(csv_path))
        first = run_worker("import", env, str(csv_path))
        again = run_worker("import", env, str(csv_path))
        schema = run_worker("raw_employee", env, str(csv_path))
    finally:
        if db == "postgres":
            drop_postgres()
    return {"setup": setup, "raw": raw, "first": first, "again": again, "schema": schema}


# --- Report ------------------------------------------------------------------------------------


def seconds(step: dict) -> float:
    return step.get("seconds", 0.0)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def print_report(rows: int, file_info: dict, results: dict, load: tuple) -> None:
    print(
        f"\n{rows:,} rows, {file_info['bytes'] / 1e6:.1f} MB CSV, "
        f"{file_info['late_supervisors']:,} supervisors placed after their staff; "
        f"{os.cpu_count()} CPUs, load average {load[0]:.1f} at the start\n"
    )
    header = (
        f"{'db':<9}{'step':<10}{'wall s':>8}{'cpu s':>7}{'rows/s':>9}{'peak MB':>8}{'ratio':>8}"
        f"  {'goal':<24}{'':<4}  notes"
    )
    print(header)
    print("-" * (len(header) + 40))

    def line(db, step, s, ratio=None, goal="", ok=None, notes=""):
        ratio_text = f"{ratio:>7.2f}x" if ratio is not None else " " * 8
        peak = f"{s['peak_mb']:>8.0f}" if "peak_mb" in s else " " * 8
        figures = f"{s['seconds']:>8.2f}{s['cpu_seconds']:>7.2f}{rows / s['seconds']:>9,.0f}"
        mark = verdict(ok) if ok is not None else ""
        print(f"{db:<9}{step:<10}{figures}{peak}{ratio_text}  {goal:<24}{mark:<4}  {notes}")

    for db, r in results.items():
        raw, first, again = r["raw"], r["first"], r["again"]
        import_ratio = first["seconds"] / raw["seconds"]
        reimport_ratio = again["seconds"] / first["seconds"]
        changed = again["created"] + again["updated"]
        method = "COPY" if db == "postgres" else "executemany in 1 transaction"
        line(db, "raw load", raw, notes=f"{method} into a plain table; {raw['rows']:,} rows")
        line(
            db,
            "raw→table",
            r["schema"],
            r["schema"]["seconds"] / raw["seconds"],
            notes="same, into the employee table (indexes, constraints), no unit/supervisor",
        )
        line(
            db,
            "import",
            first,
            import_ratio,
            f"<= {GOALS['import_ratio']:.0f}x raw load",
            import_ratio <= GOALS["import_ratio"],
            f"{first['created']:,} created, {first['rejected']} rejected, "
            f"{first['with_supervisor']:,} with supervisor",
        )
        peak_goal = f"peak RSS < {GOALS['peak_mb']:.0f} MB"
        peak_ok = verdict(first["peak_mb"] < GOALS["peak_mb"])
        print(
            f"{'':<59}  {peak_goal:<24}{peak_ok:<4}  "
            f"{first['peak_mb']:.0f} MB ({first['baseline_mb']:.0f} MB before the import)"
        )
        line(
            db,
            "re-import",
            again,
            reimport_ratio,
            f"<= {GOALS['reimport_ratio']:.0f}x import, 0 changed",
            reimport_ratio <= GOALS["reimport_ratio"] and changed == 0,
            f"{changed} rows changed, {again['unchanged']:,} unchanged",
        )
        if first["errors"] or first["fatal"]:
            print(f"{'':<19}first import problems: {first['fatal']} {first['errors']}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--repeat", type=int, default=1, help="run each database N times and keep the best times"
    )
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.worker:
        print(json.dumps(WORKERS[options.worker](*options.args)))
        return
    databases = ["sqlite", "postgres"] if options.db == "both" else [options.db]
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="membumi-bench-") as tmp:
        workdir = Path(tmp)
        csv_path = workdir / "pegawai.csv"
        file_info = write_csv(csv_path, options.rows)
        results = {}
        for db in databases:
            runs = []
            for run in range(1, options.repeat + 1):
                print(f"{db}: run {run}, migrating and measuring…", file=sys.stderr, flush=True)
                runs.append(bench_database(db, csv_path, workdir))
            results[db] = {step: min((r[step] for r in runs), key=seconds) for step in runs[0]}
    print_report(options.rows, file_info, results, load)


if __name__ == "__main__":
    main()
