"""Streaming, idempotent import of employees from CSV or XLSX (a SIASN-like shape).

The file is read row by row and written in chunks, each in its own transaction, so memory
stays flat as the file grows and a crash loses at most one chunk (re-running the import is
harmless: it is idempotent by NIP). Invalid rows are reported with row, column and message
and skipped; valid rows are never lost because of their neighbours.

Columns (header names are case-insensitive; Indonesian SIASN-style aliases are accepted):

=============== ==================================================== ===========
column          meaning                                              required
=============== ==================================================== ===========
nip             18 digits; spaces allowed ("19860926 201505 1 001")  yes
name            full name with titles                                yes
sex             L/P, M/F, 1/2, laki-laki/perempuan                    yes
golongan        III/a … IV/e, or PPPK I … XVII                         no
position_type   jpt, administrator, pengawas, pelaksana, fungsional  no
position_name   jabatan                                              no
unit            unit path, root first, separated by " > "            no
agency          agency code or name (must exist)                     yes
supervisor_nip  NIP of the direct supervisor                         no
email           e-mail address                                       no
status          kedudukan hukum: aktif, or pensiun / berhenti /      no
                meninggal / nonaktif (the employee left); empty
                keeps what is recorded
=============== ==================================================== ===========

Employees whose agency, unit, supervisor or active flag change are announced with the
``signals.employees_changed`` signal, inside the chunk's transaction (people move).
"""

import csv
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from membumi.core.tabular import (
    ImportFileError,
    ImportReport,
    RowError,
    open_table,
    xlsx_cell_text,
)

from .enums import GOLONGAN_CHOICES, PPPK_GOLONGAN, EmploymentType, PositionType, Sex, WorkUnitKind
from .models import Agency, Employee, WorkUnit
from .nip import normalize_nip, parse_nip
from .services import work_unit_get_or_create_path
from .signals import EmployeeChange, employees_changed, watched_changes

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
    "status",
]
REQUIRED = {"nip", "name", "sex", "agency"}
HEADER_ALIASES = {
    "nip_baru": "nip",
    "nama": "name",
    "nama_lengkap": "name",
    "jenis_kelamin": "sex",
    "jk": "sex",
    "gol": "golongan",
    "golongan_ruang": "golongan",
    "gol_ruang": "golongan",
    "jenis_jabatan": "position_type",
    "jabatan": "position_name",
    "nama_jabatan": "position_name",
    "unor": "unit",
    "unit_kerja": "unit",
    "unit_organisasi": "unit",
    "instansi": "agency",
    "kode_instansi": "agency",
    "nip_atasan": "supervisor_nip",
    "atasan_nip": "supervisor_nip",
    "atasan_langsung": "supervisor_nip",
    "e-mail": "email",
    "surel": "email",
    "kedudukan_hukum": "status",
    "status_pegawai": "status",
}
ACTIVE_VALUES = {"aktif", "active", "ya", "1"}
INACTIVE_VALUES = {
    "pensiun", "berhenti", "diberhentikan", "meninggal", "meninggal dunia", "nonaktif",
    "non aktif", "tidak aktif", "inactive", "keluar", "pindah instansi", "0",
}  # fmt: skip
SEX_VALUES = {
    "l": Sex.MALE, "m": Sex.MALE, "1": Sex.MALE, "laki-laki": Sex.MALE, "laki laki": Sex.MALE,
    "pria": Sex.MALE, "male": Sex.MALE,
    "p": Sex.FEMALE, "f": Sex.FEMALE, "2": Sex.FEMALE, "perempuan": Sex.FEMALE,
    "wanita": Sex.FEMALE, "female": Sex.FEMALE,
}  # fmt: skip
POSITION_TYPES = {p.value: p.value for p in PositionType} | {
    "struktural": PositionType.ADMINISTRATOR.value,
    "jabatan pimpinan tinggi": PositionType.JPT.value,
    "jft": PositionType.FUNCTIONAL.value,
    "jfu": PositionType.EXECUTOR.value,
    "jabatan fungsional": PositionType.FUNCTIONAL.value,
    "jabatan pelaksana": PositionType.EXECUTOR.value,
}
_GOLONGAN = {g.lower().replace(" ", ""): g for g, _label in GOLONGAN_CHOICES}
UNIT_SEPARATOR = ">"
CHUNK_SIZE = 2000  # rows per transaction
COMPARED_FIELDS = [
    "name",
    "sex",
    "employment_type",
    "golongan",
    "position_type",
    "position_name",
    "agency_id",
    "work_unit_id",
    "email",
]
UPDATED_FIELDS = [*COMPARED_FIELDS, "supervisor_id", "is_active"]
INSERTED_FIELDS = ["nip", *UPDATED_FIELDS, "created_at", "updated_at"]


def guess_unit_kind(name: str) -> str:
    lower = name.lower()
    for prefix, kind in [
        ("sekretariat", WorkUnitKind.SECRETARIAT),
        ("dinas", WorkUnitKind.DINAS),
        ("badan", WorkUnitKind.BADAN),
        ("bidang", WorkUnitKind.BIDANG),
        ("seksi", WorkUnitKind.SEKSI),
        ("subbag", WorkUnitKind.SEKSI),
        ("sub bagian", WorkUnitKind.SEKSI),
        ("puskesmas", WorkUnitKind.PUSKESMAS),
        ("rsud", WorkUnitKind.HOSPITAL),
        ("rumah sakit", WorkUnitKind.HOSPITAL),
        ("sd ", WorkUnitKind.SCHOOL),
        ("smp", WorkUnitKind.SCHOOL),
        ("sma", WorkUnitKind.SCHOOL),
        ("smk", WorkUnitKind.SCHOOL),
        ("sekolah", WorkUnitKind.SCHOOL),
        ("kecamatan", WorkUnitKind.DISTRICT),
        ("kelurahan", WorkUnitKind.VILLAGE),
        ("upt", WorkUnitKind.UPT),
    ]:
        if lower.startswith(prefix):
            return kind
    return WorkUnitKind.OTHER


# --- Reading (the CSV/XLSX reader and the report are shared: membumi/core/tabular.py) ----------


def _cell(value, column: str) -> str:
    """A NIP typed into a number cell has lost digits (Excel keeps 15 significant digits), so
    the NIP column marks numbers for _parse_row to report; other numbers (sex 1/2) are text."""
    if column == "nip" and isinstance(value, int | float):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return f"#number:{value}"
    return xlsx_cell_text(value, column)


def open_rows(binary, filename: str, size: int = 0):
    """Return ``(columns, rows, progress, total)`` for a CSV or XLSX stream of ``size`` bytes
    (see ``core.tabular.open_table``), with this import's aliases and required columns."""
    return open_table(
        binary,
        filename,
        size,
        aliases=HEADER_ALIASES,
        required=[c for c in COLUMNS if c in REQUIRED],
        cell=_cell,
    )


# --- Parsing one row -------------------------------------------------------------------------


@dataclass
class ParsedRow:
    row: int
    nip: str
    values: dict  # Employee field -> value (agency_id, work_unit path as "unit_path")
    unit_path: list[str]
    supervisor_nip: str
    active: bool | None = None  # None: the file does not say (keep what is recorded)


class _AgencyLookup:
    def __init__(self):
        self.by_key = {}
        for agency_id, code, name in Agency.objects.values_list("id", "code", "name"):
            self.by_key[code.lower()] = agency_id
            self.by_key[name.lower()] = agency_id

    def get(self, raw: str) -> int | None:
        return self.by_key.get(" ".join(raw.split()).lower())


def _parse_row(number: int, record: dict, agencies: _AgencyLookup, report: ImportReport):
    errors = []

    def fail(column, message):
        errors.append(RowError(number, column, message))

    raw_nip = record.get("nip", "")
    stored_as_number = raw_nip.startswith("#number:")
    if stored_as_number:
        fail(
            "nip",
            _(
                "The NIP was stored as a number, so the spreadsheet dropped digits "
                "(%(value)s). Format the NIP column as text and export again."
            )
            % {"value": raw_nip.removeprefix("#number:")},
        )
    sex = SEX_VALUES.get(record.get("sex", "").strip().lower())
    if not record.get("sex", "").strip():
        fail("sex", _("Sex is empty (use L or P)."))
    elif sex is None:
        fail(
            "sex",
            _("“%(value)s” is not a sex: use L (male) or P (female).") % {"value": record["sex"]},
        )
    nip = ""
    nip_is_pppk = False
    if not stored_as_number:
        try:
            parsed_nip = parse_nip(raw_nip, sex=sex)
            nip, nip_is_pppk = parsed_nip.value, parsed_nip.is_pppk
        except ValidationError as exc:  # an empty NIP included
            fail("nip", " ".join(exc.messages))

    name = " ".join(record.get("name", "").split())
    if not name:
        fail("name", _("Name is empty."))
    elif len(name) > 200:
        fail("name", _("Name is longer than 200 characters."))

    golongan_raw = record.get("golongan", "").strip()
    golongan = ""
    employment_type = EmploymentType.PPPK if nip_is_pppk else EmploymentType.PNS
    if golongan_raw:
        golongan = _GOLONGAN.get(golongan_raw.lower().replace(" ", ""), "")
        if not golongan:
            fail(
                "golongan",
                _("“%(value)s” is not a golongan (e.g. III/a, IV/b, or PPPK IX).")
                % {"value": golongan_raw},
            )
        elif golongan in PPPK_GOLONGAN:
            employment_type = EmploymentType.PPPK

    ptype_raw = record.get("position_type", "").strip().lower()
    position_type = POSITION_TYPES.get(ptype_raw, "") if ptype_raw else ""
    if ptype_raw and not position_type:
        fail(
            "position_type",
            _(
                "“%(value)s” is not a position type (jpt, administrator, pengawas, pelaksana, fungsional)."
            )
            % {"value": record["position_type"]},
        )

    agency_raw = record.get("agency", "").strip()
    agency_id = agencies.get(agency_raw) if agency_raw else None
    if not agency_raw:
        fail("agency", _("Agency is empty."))
    elif agency_id is None:
        fail(
            "agency",
            _("Unknown agency “%(value)s”: use the code or the name of a registered agency.")
            % {"value": agency_raw},
        )

    email = record.get("email", "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            fail("email", _("“%(value)s” is not a valid e-mail address.") % {"value": email})

    unit_path = [
        part.strip() for part in record.get("unit", "").split(UNIT_SEPARATOR) if part.strip()
    ]
    if any(len(part) > 200 for part in unit_path):
        fail("unit", _("A unit name is longer than 200 characters."))

    supervisor_nip = normalize_nip(record.get("supervisor_nip", ""))
    status = " ".join(record.get("status", "").split()).lower()
    active = None
    if status in ACTIVE_VALUES:
        active = True
    elif status in INACTIVE_VALUES:
        active = False
    elif status:
        fail(
            "status",
            _("“%(value)s” is not a status: use aktif, or pensiun, berhenti, meninggal, nonaktif.")
            % {"value": record["status"]},
        )
    if errors:
        for error in errors:
            report.add_error(error)
        report.rejected += 1
        return None
    return ParsedRow(
        row=number,
        nip=nip,
        values={
            "name": name,
            "sex": str(sex),  # plain strings: they go to the database as they are
            "employment_type": str(employment_type),
            "golongan": golongan,
            "position_type": position_type,
            "position_name": " ".join(record.get("position_name", "").split())[:200],
            "agency_id": agency_id,
            "email": email,
        },
        unit_path=unit_path,
        supervisor_nip=supervisor_nip,
        active=active,
    )


# --- Writing ---------------------------------------------------------------------------------


@dataclass
class _Deferred:
    """A row whose supervisor was not in the database when the row was written."""

    nip: str
    supervisor_nip: str
    row: int
    counted_as: str  # "created", "updated" or "unchanged" in the report


def _table_and_columns(fields: list[str]) -> tuple[str, list[str]]:
    quote = connection.ops.quote_name
    meta = Employee._meta
    return quote(meta.db_table), [quote(meta.get_field(name).column) for name in fields]


def _insert_rows(rows: list[dict], fields: list[str]) -> None:
    """Insert one employee per row dict: ``COPY`` on PostgreSQL, one ``executemany`` elsewhere.

    ``bulk_create`` prepares every value through its model field and compiles one statement
    per ~60 rows on SQLite, and PostgreSQL executes an ``executemany`` row by row; either
    costs several times the database's own work for thousands of rows. The values here are
    already plain strings, integers and None (timestamps are adapted once by ``_db_now``).
    The caller has checked, in the same transaction, that the NIPs are new.
    """
    if not rows:
        return
    table, columns = _table_and_columns(fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([row[name] for name in fields])
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})",  # noqa: S608 (names from _meta)
                [[row[name] for name in fields] for row in rows],
            )


def _update_rows(rows: list[dict], fields: list[str]) -> None:
    """``UPDATE employee SET <fields> WHERE id = %s`` for each row dict, in one executemany.

    ``bulk_update`` builds a ``CASE WHEN id = … THEN …`` per field and row, which costs far
    more in Python than the UPDATE itself once there are thousands of rows (about half a
    millisecond per row on SQLite); a prepared statement does not.
    """
    if not rows:
        return
    table, columns = _table_and_columns(fields)
    assignments = ", ".join(f"{column} = %s" for column in columns)
    pk = connection.ops.quote_name(Employee._meta.pk.column)
    sql = f"UPDATE {table} SET {assignments} WHERE {pk} = %s"  # noqa: S608 (names from _meta)
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[row[name] for name in fields] + [row["id"]] for row in rows])


def _db_now():
    """The current time as the database driver expects it for ``created_at``/``updated_at``."""
    return Employee._meta.get_field("updated_at").get_db_prep_save(timezone.now(), connection)


class EmployeeImporter:
    """Imports one file. ``run()`` returns the report; ``on_progress(report, done, total)``
    is called after each chunk.

    ``agency_ids`` limits the import to the agencies whose people the uploader may see
    (``queries.agency_ids_for_user``): a row for another agency, or one whose NIP belongs to an
    employee of another agency, is rejected. ``None`` (an administrator, the command line)
    means every agency."""

    def __init__(
        self,
        *,
        on_progress=None,
        chunk_size: int = CHUNK_SIZE,
        max_errors: int = 1000,
        agency_ids: set[int] | None = None,
    ):
        self.on_progress = on_progress
        self.chunk_size = chunk_size
        self.report = ImportReport(max_errors=max_errors)
        self.agency_ids = agency_ids
        self.agencies = _AgencyLookup()
        self.agency_objs = {}
        self.unit_cache = {}
        self.unit_ids = {}
        self.seen_nips: dict[int, int] = {}  # NIP as int -> first row, to catch duplicates
        self.deferred: list[_Deferred] = []  # supervisor not yet in the database

    def run(self, binary, filename: str, size: int = 0) -> ImportReport:
        try:
            columns, rows, progress, total = open_rows(binary, filename, size)
            wanted = [(index, column) for index, column in enumerate(columns) if column in COLUMNS]
            chunk: list[ParsedRow] = []
            for number, values in rows:
                width = len(values)
                record = {column: values[i] if i < width else "" for i, column in wanted}
                if not any(v.strip() for v in record.values()):
                    continue
                self.report.rows += 1
                parsed = _parse_row(number, record, self.agencies, self.report)
                if parsed is None:
                    continue
                if not self._in_scope(parsed.values["agency_id"]):
                    self.report.reject(
                        [
                            RowError(
                                number,
                                "agency",
                                _(
                                    "“%(value)s” is outside the agencies you may import; "
                                    "the row was skipped."
                                )
                                % {"value": record.get("agency", "").strip()},
                            )
                        ]
                    )
                    continue
                first = self.seen_nips.setdefault(int(parsed.nip), number)
                if first != number:
                    self.report.add_error(
                        RowError(
                            number,
                            "nip",
                            _("This NIP already appears in row %(row)d; the row was skipped.")
                            % {"row": first},
                        )
                    )
                    self.report.rejected += 1
                    continue
                chunk.append(parsed)
                if len(chunk) >= self.chunk_size:
                    self._write_chunk(chunk)
                    chunk = []
                    if self.on_progress:
                        self.on_progress(self.report, progress(), total)
            if chunk:
                self._write_chunk(chunk)
            self._resolve_deferred()
            if self.on_progress:
                self.on_progress(self.report, total, total)
        except ImportFileError as exc:
            self.report.fatal = str(exc)
        return self.report

    def _in_scope(self, agency_id: int) -> bool:
        return self.agency_ids is None or agency_id in self.agency_ids

    def _unit_id(self, agency_id: int, path: list[str]) -> int | None:
        if not path:
            return None
        key = (agency_id, tuple(p.lower() for p in path))
        if key not in self.unit_ids:
            agency = self.agency_objs.get(agency_id)
            if agency is None:
                agency = self.agency_objs[agency_id] = Agency.objects.get(pk=agency_id)
                # One query for the units the agency already has, rather than one per unit;
                # the keys are those of work_unit_get_or_create_path's cache.
                for unit in WorkUnit.objects.filter(agency=agency):
                    name = " ".join(unit.name.split()).lower()
                    self.unit_cache[(agency_id, unit.parent_id, name)] = unit
            unit = work_unit_get_or_create_path(
                agency=agency, names=path, kind_of=guess_unit_kind, cache=self.unit_cache
            )
            self.unit_ids[key] = unit.pk
        return self.unit_ids[key]

    @transaction.atomic
    def _write_chunk(self, chunk: list[ParsedRow]) -> None:
        existing = {
            row["nip"]: row
            for row in Employee.objects.filter(nip__in=[p.nip for p in chunk]).values(
                "id", "nip", "supervisor_id", "is_active", *COMPARED_FIELDS
            )
        }
        outside = {nip for nip, row in existing.items() if not self._in_scope(row["agency_id"])}
        if outside:
            for parsed in chunk:
                if parsed.nip in outside:
                    self.report.reject(
                        [
                            RowError(
                                parsed.row,
                                "nip",
                                _(
                                    "This NIP belongs to an employee of an agency outside "
                                    "your scope; the row was skipped."
                                ),
                            )
                        ]
                    )
            chunk = [p for p in chunk if p.nip not in outside]
        for parsed in chunk:
            parsed.values["work_unit_id"] = self._unit_id(
                parsed.values["agency_id"], parsed.unit_path
            )
        # NIP -> id of every employee this chunk may point to as a supervisor.
        ids = {nip: row["id"] for nip, row in existing.items()}
        wanted = {p.supervisor_nip for p in chunk if p.supervisor_nip} - ids.keys()
        ids.update(Employee.objects.filter(nip__in=wanted).values_list("nip", "id"))
        self._insert([p for p in chunk if p.nip not in existing], ids)
        self._update([p for p in chunk if p.nip in existing], existing, ids)

    def _supervisor_id(self, parsed: ParsedRow, ids: dict[str, int]) -> int | None:
        """The id of the row's supervisor, or None if there is none or it is the row itself."""
        if parsed.supervisor_nip == parsed.nip:
            self.report.add_error(
                RowError(
                    parsed.row,
                    "supervisor_nip",
                    _("An employee cannot be their own supervisor; the supervisor was left empty."),
                    "warning",
                )
            )
            return None
        return ids.get(parsed.supervisor_nip)

    def _defer_if_unresolved(self, parsed: ParsedRow, ids: dict[str, int], counted_as: str):
        supervisor_nip = parsed.supervisor_nip
        if supervisor_nip and supervisor_nip != parsed.nip and supervisor_nip not in ids:
            self.deferred.append(_Deferred(parsed.nip, supervisor_nip, parsed.row, counted_as))

    def _insert(self, new: list[ParsedRow], ids: dict[str, int]) -> None:
        """Create the chunk's new employees with their supervisor already set.

        Rows are inserted in waves: first those whose supervisor is known (or absent), then
        those whose supervisor was created by the previous wave, and so on down the hierarchy.
        A supervisor that is in no wave is resolved at the end of the file.
        """
        now = _db_now()
        pending = new
        while pending:
            waiting_for = {p.nip for p in pending}
            ready, later = [], []
            for parsed in pending:
                waits = parsed.supervisor_nip in waiting_for and parsed.supervisor_nip != parsed.nip
                (later if waits else ready).append(parsed)
            if not ready:  # the supervisors form a cycle: break it, the end of file resolves it
                ready, later = later, []
            rows = []
            for parsed in ready:
                rows.append(
                    {
                        **parsed.values,
                        "nip": parsed.nip,
                        "supervisor_id": self._supervisor_id(parsed, ids),
                        "is_active": parsed.active is not False,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                self._defer_if_unresolved(parsed, ids, "created")
            _insert_rows(rows, INSERTED_FIELDS)
            ids.update(
                Employee.objects.filter(nip__in=[p.nip for p in ready]).values_list("nip", "id")
            )
            self.report.created += len(ready)
            pending = later

    def _update(self, rows: list[ParsedRow], existing: dict[str, dict], ids: dict[str, int]):
        """Update the employees that differ from their row; count the others as unchanged."""
        now = _db_now()
        changed = []
        moves = []
        for parsed in rows:
            current = existing[parsed.nip]
            supervisor_id = self._supervisor_id(parsed, ids)
            if supervisor_id is None and parsed.supervisor_nip:
                supervisor_id = current["supervisor_id"]  # not resolved yet: keep it for now
            active = current["is_active"] if parsed.active is None else parsed.active
            values = {**parsed.values, "supervisor_id": supervisor_id, "is_active": active}
            if any(current[f] != values[f] for f in UPDATED_FIELDS):
                changed.append({**values, "id": current["id"], "updated_at": now})
                if fields := watched_changes(current, values):
                    moves.append(EmployeeChange(current["id"], fields, current))
                self.report.updated += 1
                self._defer_if_unresolved(parsed, ids, "updated")
            else:
                self.report.unchanged += 1
                self._defer_if_unresolved(parsed, ids, "unchanged")
        _update_rows(changed, [*UPDATED_FIELDS, "updated_at"])
        if moves:
            employees_changed.send(sender=EmployeeImporter, changes=moves)

    def _resolve_deferred(self) -> None:
        """Supervisors that appeared later in the file than their staff."""
        now = _db_now()
        for start in range(0, len(self.deferred), self.chunk_size):
            batch = self.deferred[start : start + self.chunk_size]
            nips = {d.nip for d in batch} | {d.supervisor_nip for d in batch}
            rows = {
                nip: (pk, supervisor_id)
                for nip, pk, supervisor_id in Employee.objects.filter(nip__in=nips).values_list(
                    "nip", "id", "supervisor_id"
                )
            }
            updates = []
            moves = []
            for deferred in batch:
                supervisor = rows.get(deferred.supervisor_nip)
                if supervisor is None:
                    self.report.add_error(
                        RowError(
                            deferred.row,
                            "supervisor_nip",
                            _(
                                "No employee has the supervisor NIP %(nip)s; the supervisor was left empty."
                            )
                            % {"nip": deferred.supervisor_nip},
                            "warning",
                        )
                    )
                    continue
                pk, current = rows[deferred.nip]
                if current != supervisor[0]:
                    updates.append({"id": pk, "supervisor_id": supervisor[0], "updated_at": now})
                    moves.append(
                        EmployeeChange(pk, frozenset({"supervisor_id"}), {"supervisor_id": current})
                    )
                    if deferred.counted_as == "unchanged":  # the supervisor makes it an update
                        self.report.unchanged -= 1
                        self.report.updated += 1
            with transaction.atomic():
                _update_rows(updates, ["supervisor_id", "updated_at"])
                if moves:
                    employees_changed.send(sender=EmployeeImporter, changes=moves)


def import_employees_from_path(path: str | Path, *, on_progress=None) -> ImportReport:
    path = Path(path)
    with path.open("rb") as binary:
        return EmployeeImporter(on_progress=on_progress).run(binary, path.name, path.stat().st_size)


def write_template(path: str | Path) -> Path:
    """Write an empty import template (CSV or XLSX by extension) with the expected headers."""
    path = Path(path)
    example = [
        "19860926 201505 2 001", "Siti Rahmawati, S.Kep.", "P", "III/b", "fungsional",
        "Perawat Ahli Pertama", "Dinas Kesehatan > Puskesmas Sukamaju", "KAB-SKM",
        "19750312 200003 1 002", "siti.rahmawati@example.go.id", "aktif",
    ]  # fmt: skip
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "pegawai"
        sheet.append(COLUMNS)
        for index in (1, 9):  # NIP columns as text, so spreadsheets keep all 18 digits
            letter = sheet.cell(row=1, column=index).column_letter
            sheet.column_dimensions[letter].number_format = "@"
        sheet.append(example)
        for cell in sheet[2]:
            cell.number_format = "@"
        workbook.save(path)
    else:
        with path.open("w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(COLUMNS)
            writer.writerow(example)
    return path
