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
=============== ==================================================== ===========
"""

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from .enums import GOLONGAN_CHOICES, PPPK_GOLONGAN, EmploymentType, PositionType, Sex, WorkUnitKind
from .models import Agency, Employee
from .nip import normalize_nip, parse_nip
from .services import work_unit_get_or_create_path

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
}
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
CHUNK_SIZE = 2000
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


@dataclass
class RowError:
    row: int
    column: str
    message: str
    level: str = "error"  # "error": the row was skipped; "warning": saved without that field

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "column": self.column,
            "message": self.message,
            "level": self.level,
        }


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    max_errors: int = 1000
    fatal: str = ""

    def add_error(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < self.max_errors:
            self.errors.append(error)

    @property
    def changed(self) -> int:
        return self.created + self.updated

    def summary(self) -> str:
        if self.fatal:
            return self.fatal
        text = _(
            "%(rows)d rows read: %(created)d created, %(updated)d updated, "
            "%(unchanged)d unchanged, %(rejected)d rejected."
        ) % {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }
        if self.rows and not self.changed and not self.rejected:
            text += " " + _("Nothing changed: the data was already up to date.")
        return text

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "errors": [e.as_dict() for e in self.errors],
            "error_count": self.error_count,
            "summary": self.summary(),
        }


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong format, missing required columns)."""


# --- Reading ---------------------------------------------------------------------------------


def _canonical_header(raw: str) -> str:
    key = (raw or "").strip().lower().replace(" ", "_")
    return HEADER_ALIASES.get(key, key)


class _CountingReader(io.RawIOBase):
    """Wraps a binary file and counts the bytes read, for progress."""

    def __init__(self, raw):
        self.raw = raw
        self.count = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        return n


def _iter_csv(binary) -> tuple[list[str], Iterator[tuple[int, list[str]]], Callable[[], int]]:
    counter = _CountingReader(binary)
    text = io.TextIOWrapper(io.BufferedReader(counter, 1 << 16), encoding="utf-8-sig", newline="")
    try:
        first = text.readline()
    except UnicodeDecodeError as exc:
        raise ImportFileError(_("The file is not UTF-8 text. Save the CSV as UTF-8.")) from exc
    if not first.strip():
        raise ImportFileError(_("The file is empty."))
    delimiter = max([";", ",", "\t"], key=first.count)
    header = next(csv.reader([first], delimiter=delimiter))

    def rows():
        reader = csv.reader(text, delimiter=delimiter)
        try:
            for index, values in enumerate(reader, start=2):
                yield index, values
        except UnicodeDecodeError as exc:
            raise ImportFileError(_("The file is not UTF-8 text. Save the CSV as UTF-8.")) from exc

    return header, rows(), lambda: counter.count


def _iter_xlsx(binary):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(binary, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ImportFileError(
            _("The XLSX file cannot be read: %(error)s") % {"error": exc}
        ) from exc
    sheet = workbook.worksheets[0]
    total = max(sheet.max_row or 1, 1)
    iterator = sheet.iter_rows(values_only=True)
    header_row = next(iterator, None)
    if not header_row:
        raise ImportFileError(_("The file is empty."))
    header = ["" if v is None else str(v) for v in header_row]
    state = {"row": 1}

    def cell(value):
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            # A NIP typed into a number cell: Excel keeps only 15 significant digits.
            return f"#number:{int(value)}"
        if isinstance(value, int | float):
            return f"#number:{value}"
        return str(value)

    def rows():
        for index, values in enumerate(iterator, start=2):
            state["row"] = index
            if values is None or all(v is None for v in values):
                continue
            yield index, [cell(v) for v in values]
        workbook.close()

    return header, rows(), lambda: int(1_000_000 * state["row"] / total)


def open_rows(binary, filename: str, size: int = 0):
    """Return ``(columns, rows, progress, total)`` for a CSV or XLSX stream of ``size`` bytes.

    ``progress()`` and ``total`` are in the same unit (bytes for CSV, a per-million row
    fraction for XLSX) so callers can show a percentage without knowing the format.
    """
    name = filename.lower()
    if name.endswith(".xlsx"):
        header, rows, progress = _iter_xlsx(binary)
        total = 1_000_000
    elif name.endswith((".csv", ".txt")):
        header, rows, progress = _iter_csv(binary)
        total = size
    else:
        raise ImportFileError(_("Unsupported file type: use .csv or .xlsx."))
    columns = [_canonical_header(h) for h in header]
    missing = [c for c in COLUMNS if c in REQUIRED and c not in columns]
    if missing:
        raise ImportFileError(
            _("Required columns are missing: %(columns)s. Found: %(found)s.")
            % {"columns": ", ".join(missing), "found": ", ".join(h for h in header if h)}
        )
    return columns, rows, progress, total


# --- Parsing one row -------------------------------------------------------------------------


@dataclass
class ParsedRow:
    row: int
    nip: str
    values: dict  # Employee field -> value (agency_id, work_unit path as "unit_path")
    unit_path: list[str]
    supervisor_nip: str


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
    if raw_nip.startswith("#number:"):
        fail(
            "nip",
            _(
                "The NIP was stored as a number, so the spreadsheet dropped digits "
                "(%(value)s). Format the NIP column as text and export again."
            )
            % {"value": raw_nip.removeprefix("#number:")},
        )
        raw_nip = ""
    sex = SEX_VALUES.get(record.get("sex", "").strip().lower())
    if not record.get("sex", "").strip():
        fail("sex", _("Sex is empty (use L or P)."))
    elif sex is None:
        fail(
            "sex",
            _("“%(value)s” is not a sex: use L (male) or P (female).") % {"value": record["sex"]},
        )
    nip = ""
    if raw_nip:
        try:
            nip = parse_nip(raw_nip, sex=sex).value
        except ValidationError as exc:
            fail("nip", " ".join(exc.messages))
    elif not errors:
        fail("nip", _("NIP is empty."))

    name = " ".join(record.get("name", "").split())
    if not name:
        fail("name", _("Name is empty."))
    elif len(name) > 200:
        fail("name", _("Name is longer than 200 characters."))

    golongan_raw = record.get("golongan", "").strip()
    golongan = ""
    employment_type = EmploymentType.PNS
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

    supervisor_nip = normalize_nip(record.get("supervisor_nip", "").removeprefix("#number:"))
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
            "sex": sex,
            "employment_type": employment_type,
            "golongan": golongan,
            "position_type": position_type,
            "position_name": " ".join(record.get("position_name", "").split())[:200],
            "agency_id": agency_id,
            "email": email,
        },
        unit_path=unit_path,
        supervisor_nip=supervisor_nip,
    )


# --- Writing ---------------------------------------------------------------------------------


class EmployeeImporter:
    """Imports one file. ``run()`` returns the report; ``on_progress(report, done, total)``
    is called after each chunk."""

    def __init__(self, *, on_progress=None, chunk_size: int = CHUNK_SIZE, max_errors: int = 1000):
        self.on_progress = on_progress
        self.chunk_size = chunk_size
        self.report = ImportReport(max_errors=max_errors)
        self.agencies = _AgencyLookup()
        self.agency_objs = {}
        self.unit_cache = {}
        self.unit_ids = {}
        self.seen_nips: dict[
            int, int
        ] = {}  # NIP as int -> first row, to catch duplicates in the file
        self.deferred: list[tuple[str, str, int, bool]] = []  # supervisor not yet in the database

    def run(self, binary, filename: str, size: int = 0) -> ImportReport:
        try:
            columns, rows, progress, total = open_rows(binary, filename, size)
            chunk: list[ParsedRow] = []
            for number, values in rows:
                record = {
                    column: (values[i] if i < len(values) else "")
                    for i, column in enumerate(columns)
                    if column in COLUMNS
                }
                if not any(v.strip() for v in record.values()):
                    continue
                self.report.rows += 1
                parsed = _parse_row(number, record, self.agencies, self.report)
                if parsed is None:
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

    def _unit_id(self, agency_id: int, path: list[str]) -> int | None:
        if not path:
            return None
        key = (agency_id, tuple(p.lower() for p in path))
        if key not in self.unit_ids:
            agency = self.agency_objs.get(agency_id) or Agency.objects.get(pk=agency_id)
            self.agency_objs[agency_id] = agency
            unit = work_unit_get_or_create_path(
                agency=agency, names=path, kind_of=guess_unit_kind, cache=self.unit_cache
            )
            self.unit_ids[key] = unit.pk
        return self.unit_ids[key]

    @transaction.atomic
    def _write_chunk(self, chunk: list[ParsedRow]) -> None:
        for parsed in chunk:
            parsed.values["work_unit_id"] = self._unit_id(
                parsed.values["agency_id"], parsed.unit_path
            )
        existing = {
            row["nip"]: row
            for row in Employee.objects.filter(nip__in=[p.nip for p in chunk]).values(
                "id", "nip", "supervisor_id", *COMPARED_FIELDS
            )
        }
        new = [Employee(nip=p.nip, **p.values) for p in chunk if p.nip not in existing]
        Employee.objects.bulk_create(new, batch_size=500)

        # Resolve supervisors now that this chunk's rows exist.
        wanted = {p.supervisor_nip for p in chunk if p.supervisor_nip}
        ids = dict(
            Employee.objects.filter(nip__in=wanted | {p.nip for p in chunk}).values_list(
                "nip", "id"
            )
        )
        changed: list[Employee] = []
        supervisor_changes: list[Employee] = []
        for parsed in chunk:
            supervisor_id = None
            if parsed.supervisor_nip:
                if parsed.supervisor_nip == parsed.nip:
                    self.report.add_error(
                        RowError(
                            parsed.row,
                            "supervisor_nip",
                            _(
                                "An employee cannot be their own supervisor; the supervisor was left empty."
                            ),
                            "warning",
                        )
                    )
                else:
                    supervisor_id = ids.get(parsed.supervisor_nip)
                    if supervisor_id is None:
                        self.deferred.append(
                            (
                                parsed.nip,
                                parsed.supervisor_nip,
                                parsed.row,
                                parsed.nip not in existing,
                            )
                        )
            current = existing.get(parsed.nip)
            if current is None:
                self.report.created += 1
                if supervisor_id:
                    supervisor_changes.append(
                        Employee(id=ids[parsed.nip], supervisor_id=supervisor_id)
                    )
                continue
            differs = any(current[f] != parsed.values[f] for f in COMPARED_FIELDS)
            supervisor_differs = (
                supervisor_id is not None and current["supervisor_id"] != supervisor_id
            )
            if parsed.supervisor_nip == "" and current["supervisor_id"] is not None:
                supervisor_differs = True  # the supervisor was removed in the source
            if differs or supervisor_differs:
                self.report.updated += 1
                employee = Employee(
                    id=current["id"],
                    nip=parsed.nip,
                    supervisor_id=supervisor_id
                    if supervisor_id
                    else (current["supervisor_id"] if parsed.supervisor_nip else None),
                    **parsed.values,
                )
                changed.append(employee)
            else:
                self.report.unchanged += 1
        if changed:
            Employee.objects.bulk_update(
                changed, [*COMPARED_FIELDS, "supervisor_id"], batch_size=500
            )
        if supervisor_changes:
            Employee.objects.bulk_update(supervisor_changes, ["supervisor_id"], batch_size=500)

    def _resolve_deferred(self) -> None:
        """Supervisors that appeared later in the file than their staff."""
        for start in range(0, len(self.deferred), self.chunk_size):
            batch = self.deferred[start : start + self.chunk_size]
            nips = {nip for nip, _s, _r, _c in batch} | {s for _n, s, _r, _c in batch}
            rows = {
                nip: (pk, sup)
                for nip, pk, sup in Employee.objects.filter(nip__in=nips).values_list(
                    "nip", "id", "supervisor_id"
                )
            }
            updates = []
            for nip, supervisor_nip, row, created in batch:
                supervisor = rows.get(supervisor_nip)
                if supervisor is None:
                    self.report.add_error(
                        RowError(
                            row,
                            "supervisor_nip",
                            _(
                                "No employee has the supervisor NIP %(nip)s; the supervisor was left empty."
                            )
                            % {"nip": supervisor_nip},
                            "warning",
                        )
                    )
                    continue
                pk, current = rows[nip]
                if current != supervisor[0]:
                    updates.append(Employee(id=pk, supervisor_id=supervisor[0]))
                    if not created:
                        # Counted as unchanged in its chunk; the supervisor makes it an update.
                        self.report.unchanged -= 1
                        self.report.updated += 1
            with transaction.atomic():
                Employee.objects.bulk_update(updates, ["supervisor_id"], batch_size=500)


def import_employees_from_path(path: str | Path, *, on_progress=None) -> ImportReport:
    path = Path(path)
    with path.open("rb") as binary:
        return EmployeeImporter(on_progress=on_progress).run(binary, path.name, path.stat().st_size)


def write_template(path: str | Path) -> Path:
    """Write an empty import template (CSV or XLSX by extension) with the expected headers."""
    path = Path(path)
    example = [
        "19860926 201505 1 001", "Siti Rahmawati, S.Kep.", "P", "III/b", "fungsional",
        "Perawat Ahli Pertama", "Dinas Kesehatan > Puskesmas Sukamaju", "KAB-SKM",
        "19750312 200003 1 002", "siti.rahmawati@example.go.id",
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
