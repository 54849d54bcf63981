"""Bulk import of problems from CSV or XLSX (``membumi import-problems FILE`` and the upload
page), with the same streaming and report shape as the employee import.

The file is read row by row (``core.tabular``) and written in chunks, each in its own
transaction. Every row is validated and reported (row, column, message); valid rows are
saved, invalid ones skipped. The import is idempotent: a row whose agency, unit and title
(compared without case, punctuation or extra spaces) already exist is counted as
"unchanged" and not written again — also when the same problem appears twice in one file.

Columns (case-insensitive; Indonesian aliases such as ``judul``, ``uraian``, ``sektor``,
``unit_kerja``, ``instansi`` are accepted):

=================== ============================================================ ========
column              content                                                      required
=================== ============================================================ ========
title               short title of the problem                                   yes
statement           what happens, to whom, how often, since when                 yes
sector              code (``health``) or Indonesian label (``Kesehatan``)        yes
public_service      the public service affected                                  no
indicator_name      the indicator that shows the problem                         yes
indicator_unit      its unit (%, hari, orang, dokumen)                           yes
indicator_direction naik/turun (increase/decrease): which way is better          yes
baseline_value      number; decimal comma or point                               yes
baseline_date       YYYY-MM-DD or DD/MM/YYYY                                     yes
data_source         where the baseline comes from                                no
urgency             1–5                                                          yes
seriousness         1–5                                                          yes
growth              1–5                                                          yes
unit                unit path, root first: ``Dinas Kesehatan > Puskesmas Sukamaju``  yes
agency              agency code (or name)                                        yes
submitter_nip       NIP of the employee who raised it (needs a user account)     no
=================== ============================================================ ========

Units must already exist (import employees and units first): a problem file never creates
organisation structure, so a typo cannot invent a unit.
"""

import csv
import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import override

from membumi.accounts.models import User
from membumi.core.tabular import (
    ImportFileError,
    ImportReport,
    RowError,
    open_table,
    records,
)
from membumi.organizations.models import Agency, WorkUnit

from .enums import Direction, Sector
from .models import Problem
from .services import problem_bulk_create, problem_import_record

COLUMNS = [
    "title",
    "statement",
    "sector",
    "public_service",
    "indicator_name",
    "indicator_unit",
    "indicator_direction",
    "baseline_value",
    "baseline_date",
    "data_source",
    "urgency",
    "seriousness",
    "growth",
    "unit",
    "agency",
    "submitter_nip",
]
OPTIONAL = {"public_service", "data_source", "submitter_nip"}
REQUIRED = [c for c in COLUMNS if c not in OPTIONAL]
HEADER_ALIASES = {
    "judul": "title",
    "judul_masalah": "title",
    "masalah": "title",
    "uraian": "statement",
    "uraian_masalah": "statement",
    "pernyataan_masalah": "statement",
    "deskripsi": "statement",
    "sektor": "sector",
    "layanan_publik": "public_service",
    "layanan": "public_service",
    "indikator": "indicator_name",
    "nama_indikator": "indicator_name",
    "satuan": "indicator_unit",
    "satuan_indikator": "indicator_unit",
    "arah": "indicator_direction",
    "arah_indikator": "indicator_direction",
    "nilai_awal": "baseline_value",
    "baseline": "baseline_value",
    "tanggal_baseline": "baseline_date",
    "tanggal_awal": "baseline_date",
    "sumber_data": "data_source",
    "u": "urgency",
    "urgensi": "urgency",
    "s": "seriousness",
    "keseriusan": "seriousness",
    "g": "growth",
    "pertumbuhan": "growth",
    "perkembangan": "growth",
    "unit_kerja": "unit",
    "unor": "unit",
    "instansi": "agency",
    "kode_instansi": "agency",
    "nip_pengusul": "submitter_nip",
    "pengusul_nip": "submitter_nip",
}
SECTOR_ALIASES = {
    "kesehatan": Sector.HEALTH,
    "pendidikan": Sector.EDUCATION,
    "administrasi kependudukan": Sector.CIVIL_REGISTRATION,
    "kependudukan": Sector.CIVIL_REGISTRATION,
    "adminduk": Sector.CIVIL_REGISTRATION,
    "kependudukan dan pencatatan sipil": Sector.CIVIL_REGISTRATION,
    "keuangan": Sector.FINANCE,
    "keuangan dan anggaran": Sector.FINANCE,
    "anggaran": Sector.FINANCE,
    "perizinan": Sector.LICENSING,
    "perizinan dan investasi": Sector.LICENSING,
    "penanaman modal": Sector.LICENSING,
    "lingkungan": Sector.ENVIRONMENT,
    "lingkungan hidup": Sector.ENVIRONMENT,
    "pekerjaan umum": Sector.INFRASTRUCTURE,
    "infrastruktur": Sector.INFRASTRUCTURE,
    "pekerjaan umum dan infrastruktur": Sector.INFRASTRUCTURE,
    "sosial": Sector.SOCIAL,
    "kesejahteraan sosial": Sector.SOCIAL,
    "pertanian": Sector.AGRICULTURE,
    "pangan": Sector.AGRICULTURE,
    "pertanian dan pangan": Sector.AGRICULTURE,
    "ketahanan pangan": Sector.AGRICULTURE,
    "desa": Sector.VILLAGE,
    "pemerintahan desa": Sector.VILLAGE,
    "tata kelola desa": Sector.VILLAGE,
    "kepegawaian": Sector.PERSONNEL,
    "sdm": Sector.PERSONNEL,
    "kepegawaian dan sdm": Sector.PERSONNEL,
    "spbe": Sector.DIGITAL,
    "e-government": Sector.DIGITAL,
    "pemerintahan digital": Sector.DIGITAL,
    "bencana": Sector.DISASTER,
    "kebencanaan": Sector.DISASTER,
    "penanggulangan bencana": Sector.DISASTER,
    "ekonomi": Sector.ECONOMY,
    "perdagangan": Sector.ECONOMY,
    "umkm": Sector.ECONOMY,
    "ekonomi, perdagangan dan umkm": Sector.ECONOMY,
    "lainnya": Sector.OTHER,
    "lain-lain": Sector.OTHER,
}
DIRECTIONS = {
    "naik": Direction.INCREASE,
    "meningkat": Direction.INCREASE,
    "increase": Direction.INCREASE,
    "up": Direction.INCREASE,
    "turun": Direction.DECREASE,
    "menurun": Direction.DECREASE,
    "decrease": Direction.DECREASE,
    "down": Direction.DECREASE,
}
UNIT_SEPARATOR = ">"
CHUNK_SIZE = 500
LIMITS = {
    "title": 200,
    "public_service": 200,
    "indicator_name": 200,
    "indicator_unit": 50,
    "data_source": 200,
}


def normalise_title(title: str) -> str:
    """The idempotence key of a title: case, punctuation and spacing do not count."""
    return " ".join(re.findall(r"\w+", title.casefold()))


def _sector_lookup() -> dict[str, str]:
    table = {key: value for key, value in SECTOR_ALIASES.items()}
    for value, label in Sector.choices:
        table[value] = value
        for language in ("id", "en"):
            with override(language):
                table[str(label).casefold()] = value
    return table


def _clean(text: str) -> str:
    return " ".join((text or "").split())


def parse_decimal(raw: str) -> Decimal:
    """``12,5`` / ``12.5`` / ``1.234,5`` / ``1,234.5`` → ``Decimal``; ``ValueError`` otherwise."""
    text = raw.strip().replace(" ", "")
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):  # 1.234,5
            text = text.replace(".", "").replace(",", ".")
        else:  # 1,234.5
            text = text.replace(",", "")
    elif "," in text:
        text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(raw) from exc
    if not value.is_finite():
        raise ValueError(raw)
    return value


def parse_date(raw: str) -> dt.date:
    text = raw.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(raw)


class _Lookups:
    """Agencies, units and submitters, each looked up once per import."""

    def __init__(self, allowed_agency_ids: set[int] | None):
        self.allowed = allowed_agency_ids
        self.agencies: dict[str, Agency] = {}
        for agency in Agency.objects.all():
            self.agencies[agency.code.casefold()] = agency
            self.agencies.setdefault(agency.name.casefold(), agency)
        self.units: dict[tuple, WorkUnit | None] = {}
        self.users: dict[tuple, User | None] = {}

    def agency(self, raw: str) -> Agency | None:
        return self.agencies.get(_clean(raw).casefold())

    def unit(self, agency: Agency, names: list[str]) -> WorkUnit | None:
        key = (agency.pk, tuple(n.casefold() for n in names))
        if key not in self.units:
            parent = None
            for depth in range(len(names)):
                partial = (agency.pk, key[1][: depth + 1])
                if partial in self.units:
                    parent = self.units[partial]
                else:
                    parent = WorkUnit.objects.filter(
                        agency=agency, parent=parent, name__iexact=names[depth]
                    ).first()
                    self.units[partial] = parent
                if parent is None:
                    break
            self.units[key] = parent
        return self.units[key]

    def submitter(self, nip: str, agency: Agency | None) -> User | None:
        """The active user with this NIP. A scoped import (``allowed_agency_ids``) names only
        employees of the row's own agency: anyone else is unknown to the importer, as a
        submitter of another agency would carry the problem into that agency's scope."""
        key = (nip, agency.pk if agency is not None and self.allowed is not None else None)
        if key not in self.users:
            users = User.objects.filter(employee__nip=nip, is_active=True)
            if self.allowed is not None:
                users = users.filter(employee__agency=agency) if agency else users.none()
            self.users[key] = users.select_related("employee").first()
        return self.users[key]


class ProblemImporter:
    """Imports one file for ``by``. ``run()`` returns the report; ``on_progress(report, done,
    total)`` is called after each chunk. ``allowed_agency_ids`` limits the agencies rows may
    name (``None``: any)."""

    def __init__(
        self,
        *,
        by,
        allowed_agency_ids: set[int] | None = None,
        on_progress=None,
        chunk_size: int = CHUNK_SIZE,
        max_errors: int = 1000,
    ):
        self.by = by
        self.on_progress = on_progress
        self.chunk_size = chunk_size
        self.report = ImportReport(max_errors=max_errors)
        self.lookups = _Lookups(allowed_agency_ids)
        self.sectors = _sector_lookup()
        self.seen: dict[tuple, int] = {}  # idempotence key -> first row in this file
        self.known_units: set[int] = set()  # units whose existing titles are loaded
        self.existing: set[tuple] = set()

    def run(self, binary, filename: str, size: int = 0) -> ImportReport:
        try:
            columns, rows, progress, total = open_table(
                binary, filename, size, aliases=HEADER_ALIASES, required=REQUIRED
            )
            chunk: list[tuple[int, dict]] = []
            for number, record in records(columns, rows, COLUMNS):
                self.report.rows += 1
                parsed = self._parse(number, record)
                if parsed is None:
                    continue
                chunk.append((number, parsed))
                if len(chunk) >= self.chunk_size:
                    self._write(chunk)
                    chunk = []
                    if self.on_progress:
                        self.on_progress(self.report, progress(), total)
            if chunk:
                self._write(chunk)
            if self.on_progress:
                self.on_progress(self.report, total, total)
        except ImportFileError as exc:
            self.report.fatal = str(exc)
        return self.report

    # --- one row -----------------------------------------------------------------------------

    def _parse(self, number: int, record: dict) -> dict | None:
        errors: list[RowError] = []
        warnings: list[RowError] = []

        def fail(column, message):
            errors.append(RowError(number, column, message))

        values: dict = {}
        for name in ("title", "indicator_name", "indicator_unit"):
            text = _clean(record.get(name, ""))
            if not text:
                fail(name, _("This column is empty."))
            values[name] = text
        statement = (record.get("statement") or "").strip()
        if not statement:
            fail("statement", _("This column is empty."))
        values["statement"] = statement
        for name in ("public_service", "data_source"):
            values[name] = _clean(record.get(name, ""))
        for name, limit in LIMITS.items():
            if len(values[name]) > limit:
                fail(
                    name,
                    _("Longer than %(limit)d characters (%(length)d).")
                    % {"limit": limit, "length": len(values[name])},
                )

        raw = _clean(record.get("sector", ""))
        values["sector"] = self.sectors.get(raw.casefold(), "")
        if not raw:
            fail("sector", _("This column is empty."))
        elif not values["sector"]:
            fail(
                "sector",
                _("“%(value)s” is not a sector. Use a code (%(codes)s) or its Indonesian name.")
                % {"value": raw, "codes": ", ".join(Sector.values)},
            )

        raw = _clean(record.get("indicator_direction", ""))
        values["indicator_direction"] = DIRECTIONS.get(raw.casefold(), "")
        if not values["indicator_direction"]:
            fail(
                "indicator_direction",
                _("“%(value)s” is not a direction: use naik or turun (increase or decrease).")
                % {"value": raw},
            )

        raw = record.get("baseline_value", "").strip()
        try:
            value = parse_decimal(raw)
            if abs(value) >= Decimal(10**12) or value != value.quantize(Decimal("0.01")):
                fail(
                    "baseline_value",
                    _("“%(value)s” has too many digits (at most 12 before and 2 after the comma).")
                    % {"value": raw},
                )
            values["baseline_value"] = value
        except ValueError:
            fail(
                "baseline_value",
                _("“%(value)s” is not a number.") % {"value": raw}
                if raw
                else _("This column is empty."),
            )

        raw = record.get("baseline_date", "").strip()
        try:
            values["baseline_date"] = parse_date(raw)
        except ValueError:
            fail(
                "baseline_date",
                _("“%(value)s” is not a date: use YYYY-MM-DD or DD/MM/YYYY.") % {"value": raw}
                if raw
                else _("This column is empty."),
            )

        for name in ("urgency", "seriousness", "growth"):
            raw = record.get(name, "").strip()
            score = int(raw) if raw.isdigit() else None
            if score is None or not 1 <= score <= 5:
                fail(name, _("“%(value)s” is not a score from 1 to 5.") % {"value": raw})
            values[name] = score

        raw_agency = _clean(record.get("agency", ""))
        agency = self.lookups.agency(raw_agency) if raw_agency else None
        if not raw_agency:
            fail("agency", _("This column is empty."))
        elif agency is None:
            fail("agency", _("Unknown agency “%(value)s”.") % {"value": raw_agency})
        elif self.lookups.allowed is not None and agency.pk not in self.lookups.allowed:
            fail(
                "agency",
                _("You may not import problems for %(agency)s.") % {"agency": agency.name},
            )
            agency = None

        names = [_clean(p) for p in record.get("unit", "").split(UNIT_SEPARATOR) if _clean(p)]
        unit = None
        if not names:
            fail("unit", _("This column is empty."))
        elif agency is not None:
            unit = self.lookups.unit(agency, names)
            if unit is None:
                fail(
                    "unit",
                    _("%(agency)s has no unit “%(path)s”. Import the units first.")
                    % {"agency": agency.code, "path": " > ".join(names)},
                )

        submitter = self.by
        nip = re.sub(r"\s", "", record.get("submitter_nip", ""))
        if nip:
            found = self.lookups.submitter(nip, agency)
            if found is None:
                warnings.append(
                    RowError(
                        number,
                        "submitter_nip",
                        _(
                            "No user account has the NIP %(nip)s; the problem is recorded "
                            "as submitted by you."
                        )
                        % {"nip": nip},
                        "warning",
                    )
                )
            else:
                submitter = found

        if errors:
            self.report.reject(errors)
            return None
        problem = Problem(agency=agency, work_unit=unit, submitted_by=submitter, **values)
        try:
            problem.clean_fields(exclude=["agency", "work_unit", "submitted_by"])
        except ValidationError as exc:
            self.report.reject(
                RowError(number, name, " ".join(messages))
                for name, messages in exc.message_dict.items()
            )
            return None
        for warning in warnings:
            self.report.add_error(warning)
        return {"problem": problem, "key": (agency.pk, unit.pk, normalise_title(values["title"]))}

    # --- a chunk -----------------------------------------------------------------------------

    def _load_existing(self, unit_ids: set[int]) -> None:
        missing = unit_ids - self.known_units
        if not missing:
            return
        for agency_id, unit_id, title in Problem.objects.filter(
            work_unit_id__in=missing
        ).values_list("agency_id", "work_unit_id", "title"):
            self.existing.add((agency_id, unit_id, normalise_title(title)))
        self.known_units |= missing

    def _write(self, chunk: list[tuple[int, dict]]) -> None:
        self._load_existing({parsed["key"][1] for _n, parsed in chunk})
        new = []
        for number, parsed in chunk:
            key = parsed["key"]
            first = self.seen.setdefault(key, number)
            if key in self.existing or first != number:
                self.report.unchanged += 1
                if first != number:
                    self.report.add_error(
                        RowError(
                            number,
                            "title",
                            _("The same problem as row %(row)d; it was imported once.")
                            % {"row": first},
                            "warning",
                        )
                    )
                continue
            new.append(parsed["problem"])
        with transaction.atomic():
            created = problem_bulk_create(problems=new, by=self.by)
        self.existing |= {(p.agency_id, p.work_unit_id, normalise_title(p.title)) for p in created}
        self.report.created += len(created)


def import_problems(binary, filename: str, size: int = 0, *, by, allowed_agency_ids, **kwargs):
    """Run an import and record it in the audit log; returns the report."""
    importer = ProblemImporter(by=by, allowed_agency_ids=allowed_agency_ids, **kwargs)
    report = importer.run(binary, filename, size)
    problem_import_record(by=by, filename=filename, report=report)
    return report


def import_problems_from_path(path, *, by=None, allowed_agency_ids=None, on_progress=None):
    path = Path(path)
    with path.open("rb") as binary:
        return import_problems(
            binary,
            path.name,
            path.stat().st_size,
            by=by,
            allowed_agency_ids=allowed_agency_ids,
            on_progress=on_progress,
        )


TEMPLATE_EXAMPLE = [
    "Antrean panjang layanan akta kelahiran",
    "Warga menunggu rata-rata 9 hari untuk akta kelahiran sejak 2025; banyak yang datang "
    "dua kali karena berkas kurang.",
    "Administrasi Kependudukan",
    "Penerbitan akta kelahiran",
    "Rata-rata waktu penerbitan akta",
    "hari",
    "turun",
    "9",
    "2026-01-31",
    "SIAK Disdukcapil",
    "4",
    "4",
    "3",
    "Dinas Kependudukan dan Pencatatan Sipil > Bidang Pencatatan Sipil",
    "KAB-SKM",
    "",
]


def write_template(path) -> Path:
    """Write an empty import template (CSV or XLSX by extension) with one example row."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "masalah"
        sheet.append(COLUMNS)
        sheet.append(TEMPLATE_EXAMPLE)
        nip_column = sheet.cell(row=1, column=COLUMNS.index("submitter_nip") + 1).column_letter
        sheet.column_dimensions[nip_column].number_format = "@"
        for cell in sheet[2]:
            cell.number_format = "@"
        workbook.save(path)
    else:
        with path.open("w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(COLUMNS)
            writer.writerow(TEMPLATE_EXAMPLE)
    return path
