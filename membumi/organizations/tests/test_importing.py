"""The employee import: file formats, idempotence, row errors, supervisors, units, streaming,
the management command and the upload pages.

The importer runs under ``override("en")`` so that assertions on message wording do not
depend on the Indonesian catalogue; where it matters, messages are also checked for the
faulty value they quote, which no translation removes.
"""

import csv
import datetime as dt
import io
import re
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext, override
from openpyxl import Workbook, load_workbook

from membumi.organizations.enums import EmploymentType, Sex, WorkUnitKind
from membumi.organizations.importing import (
    COLUMNS,
    EmployeeImporter,
    import_employees_from_path,
    write_template,
)
from membumi.organizations.models import Employee, ImportJob, WorkUnit
from membumi.testing.factories import AgencyFactory, make_nip

NOTHING_CHANGED = "Nothing changed: the data was already up to date."


@pytest.fixture(autouse=True)
def english():
    with override("en"):
        yield


def nip_for(n: int, *, sex: str = Sex.MALE) -> str:
    """A valid, distinct NIP for every ``n`` (999 sequence numbers per birth date)."""
    return make_nip(
        n, sex=sex, birth=dt.date(1975, 1, 1) + dt.timedelta(days=n // 999), tmt=(2005, 1)
    )


def person(n: int, **overrides) -> dict:
    values = {
        "nip": nip_for(n, sex=Sex.FEMALE if overrides.get("sex") == "P" else Sex.MALE),
        "name": f"Pegawai {n}",
        "sex": "L",
        "golongan": "III/a",
        "position_type": "pelaksana",
        "position_name": "Analis Kepegawaian",
        "unit": "Dinas Kesehatan > Bidang P2P",
        "agency": "KAB-A",
        "supervisor_nip": "",
        "email": "",
    }
    values.update(overrides)
    return values


def write_csv(path, rows, *, header=COLUMNS, delimiter=",", encoding="utf-8"):
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(c, "") for c in header] if isinstance(row, dict) else row)
    return path


def write_xlsx(path, rows, *, header=COLUMNS):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(c, "") for c in header] if isinstance(row, dict) else row)
    workbook.save(path)
    return path


def errors_of(report) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.level) for e in report.errors]


def snapshot() -> list[dict]:
    return list(Employee.objects.order_by("nip").values())


# --- Formats ---------------------------------------------------------------------------------


def test_import_csv_comma_creates_employees(agency, tmp_path):
    boss = person(1, name="Dr. Budi Santoso, M.Kes.", golongan="IV/a", position_type="jpt")
    staff = person(
        2,
        name="Siti  Rahmawati,  S.Kep.",
        sex="P",
        golongan="III/b",
        position_type="fungsional",
        position_name="Perawat Ahli Pertama",
        unit="Dinas Kesehatan > Puskesmas Sukamaju",
        supervisor_nip=boss["nip"],
        email="siti@example.go.id",
    )
    path = write_csv(tmp_path / "pegawai.csv", [boss, staff])

    report = import_employees_from_path(path)

    assert (report.rows, report.created, report.updated, report.rejected) == (2, 2, 0, 0)
    assert report.errors == []
    siti = Employee.objects.get(nip=staff["nip"])
    assert siti.name == "Siti Rahmawati, S.Kep."
    assert siti.sex == Sex.FEMALE
    assert siti.golongan == "III/b"
    assert siti.employment_type == EmploymentType.PNS
    assert siti.position_type == "fungsional"
    assert siti.position_name == "Perawat Ahli Pertama"
    assert siti.agency == agency
    assert siti.work_unit.name == "Puskesmas Sukamaju"
    assert siti.work_unit.parent.name == "Dinas Kesehatan"
    assert siti.email == "siti@example.go.id"
    assert siti.supervisor.nip == boss["nip"]
    assert siti.is_active
    assert siti.created_at == siti.updated_at
    assert abs(timezone.now() - siti.created_at) < dt.timedelta(minutes=5)
    assert Employee.objects.get(nip=boss["nip"]).supervisor is None


def test_import_csv_semicolon(agency, tmp_path):
    rows = [person(1), person(2, supervisor_nip=nip_for(1))]
    path = write_csv(tmp_path / "pegawai.csv", rows, delimiter=";")

    report = import_employees_from_path(path)

    assert (report.rows, report.created, report.rejected) == (2, 2, 0)
    assert Employee.objects.get(nip=nip_for(2)).supervisor.nip == nip_for(1)
    assert Employee.objects.get(nip=nip_for(1)).position_name == "Analis Kepegawaian"


def test_import_csv_with_utf8_bom(agency, tmp_path):
    rows = [person(1, name="Ni Luh Ayu Putri Wirawan", sex="P")]
    path = write_csv(tmp_path / "pegawai.csv", rows, delimiter=";", encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")

    report = import_employees_from_path(path)

    assert (report.rows, report.created, report.rejected) == (1, 1, 0)
    assert Employee.objects.get().name == "Ni Luh Ayu Putri Wirawan"


def test_import_csv_not_utf8_is_fatal(agency, tmp_path):
    path = tmp_path / "pegawai.csv"
    path.write_bytes(";".join(COLUMNS).encode() + b"\n" + "Dédé".encode("latin-1") + b"\n")

    report = import_employees_from_path(path)

    assert "UTF-8" in report.fatal
    assert Employee.objects.count() == 0


def test_import_xlsx(agency, tmp_path):
    rows = [
        person(1, golongan="IV/b", position_type="administrator"),
        person(2, sex="P", supervisor_nip=nip_for(1), email="dua@example.go.id"),
    ]
    path = write_xlsx(tmp_path / "pegawai.xlsx", rows)

    report = import_employees_from_path(path)

    assert (report.rows, report.created, report.rejected) == (2, 2, 0)
    second = Employee.objects.get(nip=nip_for(2, sex=Sex.FEMALE))
    assert second.sex == Sex.FEMALE
    assert second.supervisor.nip == nip_for(1)
    assert second.email == "dua@example.go.id"
    assert second.work_unit.name == "Bidang P2P"


def test_import_xlsx_skips_blank_rows_and_reads_numeric_sex(agency, tmp_path):
    header = ["nip", "name", "sex", "agency"]
    rows = [
        [nip_for(1), "Satu", 1, "KAB-A"],
        [None, None, None, None],
        [nip_for(2, sex=Sex.FEMALE), "Dua", 2, "KAB-A"],
    ]
    path = write_xlsx(tmp_path / "pegawai.xlsx", rows, header=header)

    report = import_employees_from_path(path)

    assert (report.rows, report.created, report.rejected) == (2, 2, 0), report.errors
    assert Employee.objects.get(nip=nip_for(2, sex=Sex.FEMALE)).sex == Sex.FEMALE


def test_import_xlsx_nip_stored_as_number_is_refused(agency, tmp_path):
    good = person(1)
    rows = [good, [float(nip_for(2)), "Angka", "L", "", "", "", "", "KAB-A", "", ""]]
    path = write_xlsx(tmp_path / "pegawai.xlsx", rows)

    report = import_employees_from_path(path)

    assert (report.rows, report.created, report.rejected) == (2, 1, 1)
    assert errors_of(report) == [(3, "nip", "error")]
    message = report.errors[0].message
    assert "stored as a number" in message
    assert "Format the NIP column as text" in message
    assert list(Employee.objects.values_list("nip", flat=True)) == [good["nip"]]


def test_import_unsupported_extension_is_fatal(agency, tmp_path):
    path = tmp_path / "pegawai.ods"
    path.write_bytes(b"whatever")

    report = import_employees_from_path(path)

    assert ".csv" in report.fatal
    assert Employee.objects.count() == 0


def test_import_broken_xlsx_is_fatal(agency, tmp_path):
    path = tmp_path / "pegawai.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")

    report = import_employees_from_path(path)

    assert "cannot be read" in report.fatal
    assert Employee.objects.count() == 0


def test_import_indonesian_header_aliases(agency, tmp_path):
    header = ["NIP", "Nama", "Jenis Kelamin", "Unor", "Instansi", "NIP Atasan", "Gol Ruang"]
    rows = [
        [nip_for(1), "Kepala Dinas", "Laki-laki", "Dinas Pendidikan", "KAB-A", "", "IV/c"],
        [
            nip_for(2, sex=Sex.FEMALE),
            "Guru Satu",
            "Perempuan",
            "Dinas Pendidikan > SMP Negeri 1",
            "Kabupaten Alfa",
            nip_for(1),
            "III/c",
        ],
    ]
    path = write_csv(tmp_path / "siasn.csv", rows, header=header, delimiter=";")

    report = import_employees_from_path(path)

    assert (report.rows, report.created, report.rejected) == (2, 2, 0), report.errors
    teacher = Employee.objects.get(nip=nip_for(2, sex=Sex.FEMALE))
    assert teacher.name == "Guru Satu"
    assert teacher.sex == Sex.FEMALE
    assert teacher.golongan == "III/c"
    assert teacher.agency == agency
    assert teacher.work_unit.name == "SMP Negeri 1"
    assert teacher.work_unit.kind == WorkUnitKind.SCHOOL
    assert teacher.supervisor.name == "Kepala Dinas"


def test_import_pppk_golongan_sets_employment_type(agency, tmp_path):
    path = write_csv(tmp_path / "pppk.csv", [person(1, golongan="ix")])

    report = import_employees_from_path(path)

    assert report.created == 1
    employee = Employee.objects.get()
    assert employee.golongan == "IX"
    assert employee.employment_type == EmploymentType.PPPK


# --- Idempotence and updates -----------------------------------------------------------------


def test_import_same_file_twice_changes_nothing(agency, tmp_path):
    rows = [person(n, supervisor_nip=nip_for(1) if n > 1 else "") for n in range(1, 6)]
    rows.append(person(6, supervisor_nip=nip_for(7)))  # forward reference
    rows.append(person(7, unit="Sekretariat Daerah"))
    path = write_csv(tmp_path / "pegawai.csv", rows)
    first = import_employees_from_path(path)
    before = snapshot()
    units_before = list(WorkUnit.objects.order_by("pk").values())

    second = import_employees_from_path(path)

    assert (first.created, first.updated, first.unchanged) == (7, 0, 0)
    assert (second.rows, second.created, second.updated, second.unchanged) == (7, 0, 0, 7)
    assert second.rejected == 0
    assert second.errors == []
    assert NOTHING_CHANGED in second.summary()
    assert NOTHING_CHANGED not in first.summary()
    assert snapshot() == before  # every column, updated_at included
    assert list(WorkUnit.objects.order_by("pk").values()) == units_before


def test_import_changed_fields_are_updated(agency, tmp_path):
    path = tmp_path / "pegawai.csv"
    write_csv(path, [person(1), person(2), person(3, supervisor_nip=nip_for(1))])
    import_employees_from_path(path)
    long_ago = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    Employee.objects.update(updated_at=long_ago)
    write_csv(
        path,
        [
            person(1),
            person(2),
            person(
                3,
                name="Pegawai Tiga, S.E.",
                unit="Dinas Kesehatan > Bidang Yankes",
                supervisor_nip=nip_for(2),
            ),
        ],
    )

    report = import_employees_from_path(path)

    assert (report.created, report.updated, report.unchanged, report.rejected) == (0, 1, 2, 0)
    three = Employee.objects.get(nip=nip_for(3))
    assert three.name == "Pegawai Tiga, S.E."
    assert three.work_unit.name == "Bidang Yankes"
    assert three.work_unit.parent.name == "Dinas Kesehatan"
    assert three.supervisor.nip == nip_for(2)
    assert three.updated_at > long_ago
    assert set(Employee.objects.filter(updated_at=long_ago).values_list("nip", flat=True)) == {
        nip_for(1),
        nip_for(2),
    }
    assert NOTHING_CHANGED not in report.summary()


def test_import_removed_supervisor_is_cleared(agency, tmp_path):
    path = tmp_path / "pegawai.csv"
    write_csv(path, [person(1), person(2, supervisor_nip=nip_for(1))])
    import_employees_from_path(path)
    write_csv(path, [person(1), person(2)])

    report = import_employees_from_path(path)

    assert (report.updated, report.unchanged) == (1, 1)
    assert Employee.objects.get(nip=nip_for(2)).supervisor is None


def test_import_new_supervisor_later_in_file_counts_one_update(agency, tmp_path):
    path = tmp_path / "pegawai.csv"
    write_csv(path, [person(1), person(2)])
    import_employees_from_path(path)
    # Row 2 changes its name AND gets a supervisor that is new and comes later in the file.
    write_csv(
        path, [person(1), person(2, name="Pegawai Dua Baru", supervisor_nip=nip_for(3)), person(3)]
    )

    # One row per chunk: the supervisor is resolved after the end of the file.
    with path.open("rb") as binary:
        report = EmployeeImporter(chunk_size=1).run(binary, path.name)

    assert (report.rows, report.created, report.updated, report.unchanged) == (3, 1, 1, 1)
    two = Employee.objects.get(nip=nip_for(2))
    assert two.name == "Pegawai Dua Baru"
    assert two.supervisor.nip == nip_for(3)


def test_import_existing_row_gains_supervisor_later_in_file(agency, tmp_path):
    path = tmp_path / "pegawai.csv"
    write_csv(path, [person(1), person(2)])
    import_employees_from_path(path)
    write_csv(path, [person(1), person(2, supervisor_nip=nip_for(3)), person(3)])

    with path.open("rb") as binary:
        report = EmployeeImporter(chunk_size=1).run(binary, path.name)

    assert (report.created, report.updated, report.unchanged) == (1, 1, 1)
    assert Employee.objects.get(nip=nip_for(2)).supervisor.nip == nip_for(3)


# --- Row errors ------------------------------------------------------------------------------


def test_import_invalid_rows_are_reported_and_skipped(agency, tmp_path):
    rows = [
        person(1),  # row 2
        person(2, nip="19861332 201505 1 001"),  # row 3: impossible birth date
        person(3),  # row 4
        person(4, sex="X"),  # row 5
        person(5, golongan="V/z"),  # row 6
        person(6),  # row 7
        person(7, email="bukan-email"),  # row 8
        person(8, name="   "),  # row 9
        person(9, position_type="kepala"),  # row 10
        person(10, nip="19860926 201505 2 001"),  # row 11: sex digit says female, sex L
        person(11, sex=""),  # row 12
        person(12, nip="", sex="X"),  # row 13: two problems, both reported
        person(13),  # row 14
    ]
    path = write_csv(tmp_path / "pegawai.csv", rows)

    report = import_employees_from_path(path)

    assert (report.rows, report.created, report.rejected) == (13, 4, 9)
    assert report.error_count == 10
    assert errors_of(report) == [
        (3, "nip", "error"),
        (5, "sex", "error"),
        (6, "golongan", "error"),
        (8, "email", "error"),
        (9, "name", "error"),
        (10, "position_type", "error"),
        (11, "nip", "error"),
        (12, "sex", "error"),
        (13, "sex", "error"),
        (13, "nip", "error"),
    ]
    messages = {(e.row, e.column): e.message for e in report.errors}
    assert "19861332" in messages[3, "nip"]
    assert "X" in messages[5, "sex"]
    assert "V/z" in messages[6, "golongan"]
    assert "bukan-email" in messages[8, "email"]
    assert "kepala" in messages[10, "position_type"]
    assert "digit 15" in messages[11, "nip"]
    good = {nip_for(1), nip_for(3), nip_for(6), nip_for(13)}
    assert set(Employee.objects.values_list("nip", flat=True)) == good


def test_import_duplicate_nip_in_file_keeps_first_row(agency, tmp_path):
    rows = [
        person(1, name="Yang Pertama"),
        person(2),
        person(1, nip=" ".join([nip_for(1)[:8], nip_for(1)[8:14], nip_for(1)[14:]]), name="Kembar"),
    ]
    path = write_csv(tmp_path / "pegawai.csv", rows)

    report = import_employees_from_path(path)

    assert (report.rows, report.created, report.rejected) == (3, 2, 1)
    assert errors_of(report) == [(4, "nip", "error")]
    assert "row 2" in report.errors[0].message
    assert Employee.objects.get(nip=nip_for(1)).name == "Yang Pertama"


def test_import_unknown_agency_is_reported(agency, tmp_path):
    rows = [
        person(1, agency="KAB-XX"),
        person(2, agency="  kabupaten   alfa "),
        person(3, agency=""),
    ]
    path = write_csv(tmp_path / "pegawai.csv", rows)

    report = import_employees_from_path(path)

    assert (report.rows, report.created, report.rejected) == (3, 1, 2)
    assert errors_of(report) == [(2, "agency", "error"), (4, "agency", "error")]
    assert "KAB-XX" in report.errors[0].message
    assert Employee.objects.get().agency == agency


def test_import_error_list_is_capped_but_counted(agency, tmp_path):
    path = write_csv(tmp_path / "pegawai.csv", [person(n, sex="?") for n in range(1, 8)])
    importer = EmployeeImporter(max_errors=3)

    with path.open("rb") as binary:
        report = importer.run(binary, path.name, path.stat().st_size)

    assert report.rejected == 7
    assert report.error_count == 7
    assert len(report.errors) == 3


# --- Supervisors -----------------------------------------------------------------------------


def test_import_supervisor_later_in_file_is_resolved(agency, tmp_path):
    rows = [
        person(1, supervisor_nip=nip_for(3)),
        person(2, supervisor_nip=nip_for(3)),
        person(3, supervisor_nip=nip_for(4)),
        person(4),
    ]
    path = write_csv(tmp_path / "pegawai.csv", rows)

    # A chunk of 1 row puts every supervisor in a later chunk than their staff.
    with path.open("rb") as binary:
        report = EmployeeImporter(chunk_size=1).run(binary, path.name)

    assert (report.created, report.updated, report.rejected) == (4, 0, 0)
    assert report.errors == []
    supervisors = dict(Employee.objects.values_list("nip", "supervisor__nip"))
    assert supervisors == {
        nip_for(1): nip_for(3),
        nip_for(2): nip_for(3),
        nip_for(3): nip_for(4),
        nip_for(4): None,
    }


def test_import_supervisors_in_a_cycle_are_both_set(agency, tmp_path):
    path = write_csv(
        tmp_path / "pegawai.csv",
        [person(1, supervisor_nip=nip_for(2)), person(2, supervisor_nip=nip_for(1))],
    )

    report = import_employees_from_path(path)

    assert (report.created, report.rejected, report.errors) == (2, 0, [])
    supervisors = dict(Employee.objects.values_list("nip", "supervisor__nip"))
    assert supervisors == {nip_for(1): nip_for(2), nip_for(2): nip_for(1)}


def test_import_xlsx_supervisor_nip_stored_as_number_is_a_warning(agency, tmp_path):
    # Spreadsheets keep 15 significant digits: the supervisor NIP comes back altered.
    rows = [person(1), {**person(2), "supervisor_nip": int(nip_for(1))}]
    path = write_xlsx(tmp_path / "pegawai.xlsx", rows)

    report = import_employees_from_path(path)

    assert (report.created, report.rejected) == (2, 0)
    assert errors_of(report) == [(3, "supervisor_nip", "warning")]
    assert Employee.objects.get(nip=nip_for(2)).supervisor is None


def test_import_queries_do_not_grow_with_rows(agency, tmp_path):
    # The unit and the supervisor exist already, so only the employee rows differ.
    import_employees_from_path(write_csv(tmp_path / "boss.csv", [person(0)]))

    def count_queries(numbers):
        path = write_csv(
            tmp_path / "staff.csv", [person(n, supervisor_nip=nip_for(0)) for n in numbers]
        )
        with CaptureQueriesContext(connection) as queries:
            report = import_employees_from_path(path)
        assert report.created == len(numbers)
        return len(queries)

    assert count_queries(range(1, 4)) == count_queries(range(100, 400))


def test_import_unknown_supervisor_is_a_warning_and_row_saved(agency, tmp_path):
    missing = nip_for(500)
    path = write_csv(tmp_path / "pegawai.csv", [person(1), person(2, supervisor_nip=missing)])

    report = import_employees_from_path(path)

    assert (report.created, report.rejected) == (2, 0)
    assert errors_of(report) == [(3, "supervisor_nip", "warning")]
    assert missing in report.errors[0].message
    assert Employee.objects.get(nip=nip_for(2)).supervisor is None


def test_import_own_supervisor_is_a_warning(agency, tmp_path):
    path = write_csv(tmp_path / "pegawai.csv", [person(1, supervisor_nip=nip_for(1))])

    report = import_employees_from_path(path)

    assert report.created == 1
    assert errors_of(report) == [(2, "supervisor_nip", "warning")]
    assert Employee.objects.get().supervisor is None


# --- Units -----------------------------------------------------------------------------------


def test_import_units_created_along_path_and_reused(agency, unit, tmp_path):
    # ``unit`` is an existing root "Dinas Kesehatan": it must be reused, whatever the case.
    rows = [
        person(1, unit="dinas kesehatan > Bidang P2P > Seksi Surveilans"),
        person(2, unit="Dinas Kesehatan > Bidang P2P"),
        person(3, unit="Dinas Kesehatan"),
        person(4, unit="Kecamatan Utara > Kelurahan Satu"),
        person(5, unit=""),
    ]
    path = write_csv(tmp_path / "pegawai.csv", rows)
    units_before = WorkUnit.objects.count()

    report = import_employees_from_path(path)

    assert report.created == 5
    assert WorkUnit.objects.count() == units_before + 4
    bidang = WorkUnit.objects.get(name="Bidang P2P")
    seksi = WorkUnit.objects.get(name="Seksi Surveilans")
    kelurahan = WorkUnit.objects.get(name="Kelurahan Satu")
    assert bidang.parent == unit
    assert (bidang.depth, bidang.path, bidang.kind) == (
        1,
        f"/{unit.pk}/{bidang.pk}/",
        WorkUnitKind.BIDANG,
    )
    assert (seksi.depth, seksi.path, seksi.kind) == (
        2,
        f"/{unit.pk}/{bidang.pk}/{seksi.pk}/",
        WorkUnitKind.SEKSI,
    )
    assert kelurahan.parent.kind == WorkUnitKind.DISTRICT
    assert kelurahan.kind == WorkUnitKind.VILLAGE
    assert {u.agency_id for u in WorkUnit.objects.filter(pk__in=[bidang.pk, seksi.pk])} == {
        agency.pk
    }
    assert Employee.objects.get(nip=nip_for(1)).work_unit == seksi
    assert Employee.objects.get(nip=nip_for(3)).work_unit == unit
    assert Employee.objects.get(nip=nip_for(5)).work_unit is None

    again = import_employees_from_path(path)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert WorkUnit.objects.count() == units_before + 4


def test_import_same_unit_name_in_two_agencies_makes_two_units(agency, other_agency, tmp_path):
    rows = [person(1, unit="Dinas Sosial"), person(2, unit="Dinas Sosial", agency="KAB-Z")]
    path = write_csv(tmp_path / "pegawai.csv", rows)

    import_employees_from_path(path)

    units = WorkUnit.objects.filter(name="Dinas Sosial")
    assert sorted(u.agency.code for u in units) == ["KAB-A", "KAB-Z"]
    assert Employee.objects.get(nip=nip_for(2)).work_unit.agency == other_agency


# --- Fatal file problems ---------------------------------------------------------------------


def test_import_missing_required_column_is_fatal(agency, tmp_path):
    header = ["nip", "name", "unit", "agency"]
    path = write_csv(
        tmp_path / "pegawai.csv", [[nip_for(1), "Satu", "Dinas A", "KAB-A"]], header=header
    )

    report = import_employees_from_path(path)

    assert report.fatal
    assert "sex" in report.fatal
    assert report.summary() == report.fatal
    assert (report.rows, report.created) == (0, 0)
    assert Employee.objects.count() == 0
    assert WorkUnit.objects.count() == 0


@pytest.mark.parametrize("content", [b"", b"\n\n", b"\xef\xbb\xbf"])
def test_import_empty_csv_is_fatal(agency, tmp_path, content):
    path = tmp_path / "kosong.csv"
    path.write_bytes(content)

    report = import_employees_from_path(path)

    assert "empty" in report.fatal
    assert Employee.objects.count() == 0


def test_import_empty_xlsx_is_fatal(agency, tmp_path):
    path = tmp_path / "kosong.xlsx"
    Workbook().save(path)

    report = import_employees_from_path(path)

    assert report.fatal
    assert Employee.objects.count() == 0


def test_import_header_only_reads_nothing(agency, tmp_path):
    path = write_csv(tmp_path / "pegawai.csv", [])

    report = import_employees_from_path(path)

    assert not report.fatal
    assert (report.rows, report.created) == (0, 0)
    assert NOTHING_CHANGED not in report.summary()


# --- Streaming and progress ------------------------------------------------------------------


def _write_big_csv(path, rows: int):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for n in range(rows):
            writer.writerow(
                [
                    nip_for(n),
                    f"Pegawai Nomor {n:06d} bin Fulan Abdullah, S.Sos., M.Si.",
                    "L",
                    "III/b",
                    "pelaksana",
                    f"Pengadministrasi Umum Bagian Tata Usaha dan Kepegawaian {n % 7}",
                    f"Dinas Pekerjaan Umum {n % 5} > Bidang Bina Marga {n % 3}",
                    "KAB-A",
                    nip_for(n - n % 50) if n % 50 else "",
                    f"pegawai.{n}@example.go.id",
                ]
            )
    return path


def test_import_streams_a_big_file_in_flat_memory(agency, tmp_path):
    rows = 20_000
    path = _write_big_csv(tmp_path / "besar.csv", rows)
    size = path.stat().st_size
    progress = []
    tracemalloc.start()

    try:
        report = import_employees_from_path(
            path, on_progress=lambda r, done, total: progress.append((done, total, r.rows))
        )
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert (report.rows, report.created, report.rejected) == (rows, rows, 0), report.errors[:3]
    assert Employee.objects.count() == rows
    assert size > 4_000_000
    # Reading the whole file into lists of strings takes about 3.5 times its size on disk
    # (17 MB here) before anything is written; a streaming import holds one chunk at a time
    # (about 6 MB here, with the NIPs seen so far).
    assert peak < 2 * size, f"peak {peak / 1e6:.1f} MB for a {size / 1e6:.1f} MB file"
    assert len(progress) > 2
    dones = [done for done, _total, _rows in progress]
    assert dones == sorted(dones)
    assert dones[0] < dones[-1] == size
    assert all(total == size for _done, total, _rows in progress)
    assert [r for _d, _t, r in progress] == sorted(r for _d, _t, r in progress)


def test_import_reports_progress_for_xlsx(agency, tmp_path):
    path = write_xlsx(tmp_path / "pegawai.xlsx", [person(n) for n in range(1, 8)])
    progress = []

    with path.open("rb") as binary:
        EmployeeImporter(chunk_size=2, on_progress=lambda r, d, t: progress.append((d, t))).run(
            binary, path.name
        )

    assert len(progress) == 4
    assert [d for d, _t in progress] == sorted(d for d, _t in progress)
    assert progress[-1] == (1_000_000, 1_000_000)


# --- Management command ----------------------------------------------------------------------


def test_import_employees_command_prints_errors_and_summary(agency, tmp_path):
    path = write_csv(tmp_path / "pegawai.csv", [person(1), person(2, sex="Q")])
    out = io.StringIO()

    call_command("import_employees", str(path), "--quiet-progress", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("row 3, sex:")
    assert "[error]" in lines[0]
    assert lines[1] == "2 rows read: 1 created, 0 updated, 0 unchanged, 1 rejected."
    assert re.fullmatch(r"\(\d+\.\d s\)", lines[2])
    assert Employee.objects.count() == 1


def test_import_employees_command_second_run_says_nothing_changed(agency, tmp_path, capsys):
    path = write_csv(tmp_path / "pegawai.csv", [person(1), person(2)])
    call_command("import_employees", str(path), "--quiet-progress", stdout=io.StringIO())
    out = io.StringIO()

    call_command("import_employees", str(path), stdout=out)

    assert f"2 rows read: 0 created, 0 updated, 2 unchanged, 0 rejected. {NOTHING_CHANGED}" in (
        out.getvalue()
    )
    assert "100.0%" in capsys.readouterr().err  # progress goes to stderr


def test_import_employees_command_fatal_file_raises(agency, tmp_path):
    path = write_csv(tmp_path / "pegawai.csv", [["x"]], header=["nama"])

    with pytest.raises(CommandError, match="Required columns are missing"):
        call_command("import_employees", str(path), "--quiet-progress", stdout=io.StringIO())


def test_import_employees_command_missing_file_raises(db, tmp_path):
    with pytest.raises(CommandError, match="File not found"):
        call_command("import_employees", str(tmp_path / "nope.csv"), stdout=io.StringIO())


def test_import_employees_command_needs_a_file(db):
    with pytest.raises(CommandError):
        call_command("import_employees", stdout=io.StringIO())


def _template_header(path) -> list[str]:
    if path.suffix == ".xlsx":
        sheet = load_workbook(path, read_only=True).worksheets[0]
        return [c for c in next(sheet.iter_rows(values_only=True))]
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(handle, delimiter=";"))


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_import_employees_command_writes_a_template_that_imports(db, tmp_path, suffix):
    AgencyFactory(code="KAB-SKM", name="Kabupaten Sukamaju")
    path = tmp_path / f"template{suffix}"
    out = io.StringIO()

    call_command("import_employees", "--template", str(path), stdout=out)

    assert out.getvalue().strip() == f"Template written: {path}"
    assert _template_header(path) == COLUMNS
    report = import_employees_from_path(path)
    assert (report.rows, report.created, report.rejected) == (1, 1, 0), report.errors
    # The example's supervisor is not in the database: a warning, the row is still saved.
    assert errors_of(report) == [(2, "supervisor_nip", "warning")]
    employee = Employee.objects.get()
    assert employee.nip_display == "19860926 201505 2 001"
    assert employee.work_unit.parent.name == "Dinas Kesehatan"


def test_write_template_csv_is_semicolon_utf8_bom(tmp_path):
    path = write_template(tmp_path / "t.csv")

    raw = path.read_bytes()

    assert raw.startswith(b"\xef\xbb\xbf" + ";".join(COLUMNS).encode())


# --- Upload pages ----------------------------------------------------------------------------


def _upload(name: str, content: bytes, content_type: str = "text/csv"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def _csv_bytes(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row.get(c, "") for c in COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")


def test_import_upload_by_organizer_runs_the_import(client, organizer, tmp_path):
    rows = [person(1), person(2, agency="KAB-NOPE"), person(3, supervisor_nip=nip_for(1))]
    client.force_login(organizer)

    response = client.post(
        reverse("organizations:import_start"), {"file": _upload("pegawai.csv", _csv_bytes(rows))}
    )

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("organizations:import_detail", args=[job.pk])
    assert job.status == ImportJob.Status.DONE
    assert job.started_by == organizer
    assert job.original_name == "pegawai.csv"
    assert (job.rows_processed, job.created, job.updated, job.unchanged, job.rejected) == (
        3,
        2,
        0,
        0,
        1,
    )
    assert job.percent == 100
    assert [(e["row"], e["column"], e["level"]) for e in job.errors] == [(3, "agency", "error")]
    assert Employee.objects.filter(nip__in=[nip_for(1), nip_for(3)]).count() == 2
    assert Employee.objects.get(nip=nip_for(3)).supervisor.nip == nip_for(1)

    detail = client.get(response["Location"])

    assert detail.status_code == 200
    content = detail.content.decode()
    assert 'data-testid="import-errors"' in content
    assert 'data-status="done"' in content
    assert "KAB-NOPE" in content
    assert "<code>agency</code>" in content


def test_import_upload_of_broken_file_fails_the_job(client, organizer):
    client.force_login(organizer)

    client.post(
        reverse("organizations:import_start"),
        {"file": _upload("pegawai.csv", b"nama;instansi\nA;B\n")},
    )

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert "sex" in job.message
    assert Employee.objects.filter(name="A").count() == 0


def test_import_upload_refuses_renamed_executable(client, organizer):
    client.force_login(organizer)
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64

    response = client.post(
        reverse("organizations:import_start"),
        {"file": _upload("pegawai.xlsx", exe, "application/vnd.ms-excel")},
    )

    assert response.status_code == 200
    with override(response.wsgi_request.LANGUAGE_CODE):  # the page's language
        expected = gettext("This file is not a real XLSX workbook.")
    assert response.context["form"].errors["file"] == [expected]
    assert escape(expected) in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_import_upload_refuses_other_extensions(client, organizer):
    client.force_login(organizer)

    response = client.post(
        reverse("organizations:import_start"),
        {"file": _upload("pegawai.exe", b"MZ\x90\x00")},
    )

    with override(response.wsgi_request.LANGUAGE_CODE):  # the page's language
        expected = gettext("Upload a .csv or .xlsx file.")
    assert response.context["form"].errors["file"] == [expected]
    assert ImportJob.objects.count() == 0


def test_import_detail_htmx_returns_only_the_progress_partial(client, organizer):
    job = ImportJob.objects.create(
        original_name="pegawai.csv",
        started_by=organizer,
        status=ImportJob.Status.RUNNING,
        total_bytes=1000,
        processed_bytes=400,
        rows_processed=1234,
    )
    client.force_login(organizer)

    response = client.get(
        reverse("organizations:import_detail", args=[job.pk]), headers={"HX-Request": "true"}
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith('<section class="card" id="import-progress"')
    assert "<html" not in content
    assert "<h1>" not in content
    assert 'value="40"' in content
    assert "1,234" in content or "1.234" in content
    assert 'hx-trigger="every 1s"' in content


def test_import_detail_full_page_without_htmx(client, organizer):
    job = ImportJob.objects.create(
        original_name="pegawai.csv", started_by=organizer, status=ImportJob.Status.DONE
    )
    client.force_login(organizer)

    response = client.get(reverse("organizations:import_detail", args=[job.pk]))

    content = response.content.decode()
    assert "<html" in content
    assert 'id="import-progress"' in content
    assert 'hx-trigger="every 1s"' not in content


@pytest.mark.parametrize("persona", ["participant", "outsider", "mentor", "viewer"])
def test_import_start_is_404_for_non_organizers(client, request, persona):
    client.force_login(request.getfixturevalue(persona))

    get = client.get(reverse("organizations:import_start"))
    post = client.post(
        reverse("organizations:import_start"), {"file": _upload("p.csv", _csv_bytes([person(1)]))}
    )
    template = client.get(reverse("organizations:import_template", args=["csv"]))

    assert (get.status_code, post.status_code, template.status_code) == (404, 404, 404)
    assert ImportJob.objects.count() == 0


@pytest.mark.parametrize("persona", ["participant", "outsider", "other_organizer"])
def test_import_detail_of_someone_elses_job_is_404(client, request, organizer, persona):
    job = ImportJob.objects.create(
        original_name="pegawai.csv", started_by=organizer, status=ImportJob.Status.DONE
    )
    client.force_login(request.getfixturevalue(persona))

    response = client.get(reverse("organizations:import_detail", args=[job.pk]))

    assert response.status_code == 404


def test_import_start_lists_only_my_jobs(client, organizer, other_organizer):
    ImportJob.objects.create(original_name="punyaku.csv", started_by=organizer)
    ImportJob.objects.create(original_name="punya-lain.csv", started_by=other_organizer)
    client.force_login(organizer)

    response = client.get(reverse("organizations:import_start"))

    content = response.content.decode()
    assert "punyaku.csv" in content
    assert "punya-lain.csv" not in content


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_import_template_download_for_organizer(client, organizer, fmt):
    client.force_login(organizer)

    response = client.get(reverse("organizations:import_template", args=[fmt]))

    assert response.status_code == 200
    assert f"template-pegawai.{fmt}" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    if fmt == "csv":
        assert body.startswith(b"\xef\xbb\xbf" + ";".join(COLUMNS).encode())
    else:
        assert body.startswith(b"PK\x03\x04")


def test_import_template_unknown_format_is_404(client, organizer):
    client.force_login(organizer)

    assert client.get(reverse("organizations:import_template", args=["ods"])).status_code == 404
