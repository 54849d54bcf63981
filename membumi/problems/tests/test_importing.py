"""The problem import: formats, validation per row and column, idempotence, scope, the
command and the upload page."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from membumi.core.models import AuditLog
from membumi.problems.importing import (
    COLUMNS,
    import_problems_from_path,
    normalise_title,
    parse_decimal,
    write_template,
)
from membumi.problems.models import Problem, ProblemTransition
from membumi.testing.factories import WorkUnitFactory

from .conftest import make_problem


@pytest.fixture
def puskesmas(unit):
    return WorkUnitFactory(agency=unit.agency, parent=unit, name="Puskesmas Sukamaju")


def row(n=1, **overrides) -> dict:
    values = {
        "title": f"Antrean pasien panjang {n}",
        "statement": "Pasien menunggu lebih dari tiga jam di loket pendaftaran.",
        "sector": "Kesehatan",
        "public_service": "Pendaftaran pasien",
        "indicator_name": "Waktu tunggu rata-rata",
        "indicator_unit": "menit",
        "indicator_direction": "turun",
        "baseline_value": "180",
        "baseline_date": "31/01/2026",
        "data_source": "Catatan loket",
        "urgency": "4",
        "seriousness": "4",
        "growth": "3",
        "unit": "Dinas Kesehatan > Puskesmas Sukamaju",
        "agency": "KAB-A",
        "submitter_nip": "",
    }
    values.update(overrides)
    return values


def write_csv(path, rows, *, header=COLUMNS, delimiter=","):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        for values in rows:
            writer.writerow([values.get(c, "") for c in header])
    return path


def write_xlsx(path, rows, *, header=COLUMNS):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for values in rows:
        sheet.append([values.get(c, "") for c in header])
    workbook.save(path)
    return path


def errors_of(report):
    return [(e.row, e.column, e.level) for e in report.errors]


# --- Good rows -------------------------------------------------------------------------------


def test_import_creates_problems(tmp_path, puskesmas, admin_user):
    path = write_csv(tmp_path / "masalah.csv", [row(1), row(2, sector="education")])

    report = import_problems_from_path(path, by=admin_user)

    assert (report.rows, report.created, report.unchanged, report.rejected) == (2, 2, 0, 0)
    first = Problem.objects.get(title="Antrean pasien panjang 1")
    assert (first.work_unit, first.agency, first.submitted_by) == (
        puskesmas,
        puskesmas.agency,
        admin_user,
    )
    assert (first.sector, first.indicator_direction) == ("health", "decrease")
    assert (first.baseline_value, first.baseline_date) == (Decimal("180"), dt.date(2026, 1, 31))
    assert first.priority == 11
    assert Problem.objects.get(title="Antrean pasien panjang 2").sector == "education"
    assert ProblemTransition.objects.filter(action="import").count() == 2
    entry = AuditLog.objects.get(action="problems.imported")
    assert entry.data["created"] == 2


def test_import_is_idempotent(tmp_path, puskesmas, admin_user):
    path = write_csv(tmp_path / "masalah.csv", [row(1), row(2)])
    import_problems_from_path(path, by=admin_user)

    again = import_problems_from_path(path, by=admin_user)

    assert (again.created, again.unchanged, again.rejected) == (0, 2, 0)
    assert "Nothing changed" in again.summary()
    assert Problem.objects.count() == 2


def test_import_matches_titles_loosely(tmp_path, puskesmas, participant):
    make_problem(unit=puskesmas, by=participant, title="Antrean pasien panjang!")
    path = write_csv(tmp_path / "m.csv", [row(title="  antrean   PASIEN panjang ")])

    report = import_problems_from_path(path)

    assert (report.created, report.unchanged) == (0, 1)


def test_import_same_problem_twice_in_a_file(tmp_path, puskesmas):
    path = write_csv(tmp_path / "m.csv", [row(1), row(1, statement="Lain")])

    report = import_problems_from_path(path)

    assert (report.created, report.unchanged) == (1, 1)
    assert errors_of(report) == [(3, "title", "warning")]
    assert "row 2" in report.errors[0].message


def test_import_same_title_in_another_unit_is_another_problem(tmp_path, puskesmas, unit):
    path = write_csv(tmp_path / "m.csv", [row(1), row(1, unit="Dinas Kesehatan")])

    report = import_problems_from_path(path)

    assert report.created == 2


def test_import_semicolon_csv_with_bom_and_aliases(tmp_path, puskesmas):
    header = ["judul", "uraian", "sektor", "indikator", "satuan", "arah", "nilai_awal",
              "tanggal_baseline", "urgensi", "keseriusan", "pertumbuhan", "unit_kerja",
              "instansi"]  # fmt: skip
    path = tmp_path / "m.csv"
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(header)
        writer.writerow(["Stunting tinggi", "Balita stunting 31 persen", "kesehatan",
                         "Prevalensi stunting", "%", "Turun", "31,5", "2026-02-01", "5", "5",
                         "4", "Dinas Kesehatan > Puskesmas Sukamaju", "Kabupaten Alfa"])  # fmt: skip

    report = import_problems_from_path(path)

    assert (report.created, report.rejected) == (1, 0), report.errors
    problem = Problem.objects.get()
    assert (problem.baseline_value, problem.priority, problem.data_source) == (
        Decimal("31.5"),
        14,
        "",
    )


def test_import_xlsx_with_typed_cells(tmp_path, puskesmas):
    path = write_xlsx(
        tmp_path / "m.xlsx",
        [
            row(
                1,
                baseline_value=12.75,
                baseline_date=dt.datetime(2026, 1, 15),
                urgency=5,
                seriousness=3.0,
                growth=2,
                sector="licensing",
                indicator_direction="naik",
            )
        ],
    )

    report = import_problems_from_path(path)

    assert (report.created, report.rejected) == (1, 0), report.errors
    problem = Problem.objects.get()
    assert (problem.baseline_value, problem.baseline_date) == (
        Decimal("12.75"),
        dt.date(2026, 1, 15),
    )
    assert (problem.urgency, problem.seriousness, problem.growth) == (5, 3, 2)
    assert problem.indicator_direction == "increase"


def test_import_xlsx_skips_blank_rows(tmp_path, puskesmas):
    path = write_xlsx(tmp_path / "m.xlsx", [row(1), {}, row(2)])

    report = import_problems_from_path(path)

    assert (report.rows, report.created) == (2, 2)


def test_import_submitter_by_nip(tmp_path, puskesmas, participant, admin_user):
    nip = participant.employee.nip
    spaced = f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"
    path = write_csv(
        tmp_path / "m.csv",
        [row(1, submitter_nip=spaced), row(2, submitter_nip="199001012015011999")],
    )

    report = import_problems_from_path(path, by=admin_user)

    assert report.created == 2
    assert Problem.objects.get(title__endswith="1").submitted_by == participant
    assert Problem.objects.get(title__endswith="2").submitted_by == admin_user
    assert errors_of(report) == [(3, "submitter_nip", "warning")]


# --- Bad rows --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "column"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"statement": " "}, "statement"),
        ({"sector": "luar angkasa"}, "sector"),
        ({"sector": ""}, "sector"),
        ({"indicator_name": ""}, "indicator_name"),
        ({"indicator_unit": "u" * 51}, "indicator_unit"),
        ({"indicator_direction": "samping"}, "indicator_direction"),
        ({"baseline_value": "banyak"}, "baseline_value"),
        ({"baseline_value": "1,25"}, None),  # a decimal comma: valid
        ({"baseline_value": "0.125"}, "baseline_value"),
        ({"baseline_value": ""}, "baseline_value"),
        ({"baseline_date": "31-31-2026"}, "baseline_date"),
        ({"baseline_date": "2026/01/31"}, "baseline_date"),
        ({"urgency": "6"}, "urgency"),
        ({"seriousness": "0"}, "seriousness"),
        ({"growth": "tinggi"}, "growth"),
        ({"agency": "KAB-X"}, "agency"),
        ({"agency": ""}, "agency"),
        ({"unit": "Dinas Kesehatan > Puskesmas Entah"}, "unit"),
        ({"unit": ""}, "unit"),
    ],
)
def test_import_reports_bad_rows(tmp_path, puskesmas, overrides, column):
    path = write_csv(tmp_path / "m.csv", [row(1, **overrides), row(2)])

    report = import_problems_from_path(path)

    if column is None:
        assert (report.created, report.rejected) == (2, 0), report.errors
        return
    assert (report.rows, report.created, report.rejected) == (2, 1, 1)
    assert [(e.row, e.column) for e in report.errors] == [(2, column)]
    assert report.errors[0].level == "error"
    assert Problem.objects.get().title == "Antrean pasien panjang 2"


def test_import_reports_every_bad_column_of_a_row(tmp_path, puskesmas):
    path = write_csv(tmp_path / "m.csv", [row(1, urgency="9", sector="?", baseline_date="x")])

    report = import_problems_from_path(path)

    assert {e.column for e in report.errors} == {"urgency", "sector", "baseline_date"}
    assert report.rejected == 1
    assert report.error_count == 3


def test_import_missing_columns_is_fatal(tmp_path, puskesmas):
    path = write_csv(tmp_path / "m.csv", [row(1)], header=["title", "statement"])

    report = import_problems_from_path(path)

    assert "Required columns are missing: sector" in report.fatal
    assert not Problem.objects.exists()


def test_import_not_utf8_is_fatal(tmp_path, puskesmas):
    path = tmp_path / "m.csv"
    path.write_bytes(",".join(COLUMNS).encode() + "\nJudul é".encode("latin-1"))

    report = import_problems_from_path(path)

    assert "not UTF-8" in report.fatal


def test_import_only_for_allowed_agencies(tmp_path, puskesmas, foreign_unit, organizer):
    path = write_csv(
        tmp_path / "m.csv",
        [row(1), row(2, agency="KAB-Z", unit="Disdukcapil Zulu")],
    )

    report = import_problems_from_path(path, by=organizer, allowed_agency_ids={puskesmas.agency_id})

    assert (report.created, report.rejected) == (1, 1)
    assert [(e.row, e.column) for e in report.errors] == [(3, "agency")]
    assert "Kabupaten Zulu" in report.errors[0].message


def test_parse_decimal_forms():
    assert parse_decimal("1.234,5") == Decimal("1234.5")
    assert parse_decimal("1,234.5") == Decimal("1234.5")
    assert parse_decimal(" 12,5 ") == Decimal("12.5")
    with pytest.raises(ValueError):
        parse_decimal("NaN")


def test_normalise_title():
    assert normalise_title("  Antrean, PASIEN  panjang! ") == "antrean pasien panjang"


# --- Template and command --------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_template_round_trips(tmp_path, suffix, db):
    path = write_template(tmp_path / f"template.{suffix}")

    if suffix == "csv":
        header = path.read_text(encoding="utf-8-sig").splitlines()[0].split(";")
    else:
        header = [c.value for c in next(load_workbook(path).active.iter_rows(max_row=1))]
    assert header == COLUMNS


def test_template_example_imports(tmp_path, db):
    from membumi.testing.factories import AgencyFactory

    agency = AgencyFactory(code="KAB-SKM", name="Kabupaten Sukamaju")
    parent = WorkUnitFactory(agency=agency, name="Dinas Kependudukan dan Pencatatan Sipil")
    WorkUnitFactory(agency=agency, parent=parent, name="Bidang Pencatatan Sipil")

    report = import_problems_from_path(write_template(tmp_path / "t.xlsx"))

    assert (report.created, report.rejected) == (1, 0), report.errors
    assert Problem.objects.get().sector == "civil_registration"


def test_command_imports_and_reports(tmp_path, puskesmas, capsys):
    path = write_csv(tmp_path / "m.csv", [row(1), row(2, urgency="9")])
    out = io.StringIO()

    call_command("import_problems", str(path), "--quiet-progress", stdout=out)

    text = out.getvalue()
    assert "row 3, urgency:" in text
    assert "2 rows read: 1 created, 0 updated, 0 unchanged, 1 rejected." in text
    assert Problem.objects.count() == 1


def test_command_as_user_limits_agencies(tmp_path, puskesmas, foreign_unit, viewer):
    path = write_csv(tmp_path / "m.csv", [row(1), row(2, agency="KAB-Z", unit="Disdukcapil Zulu")])
    out = io.StringIO()

    call_command("import_problems", str(path), "--as", "pimpinan", "--quiet-progress", stdout=out)

    assert Problem.objects.get().submitted_by == viewer
    assert "1 rejected" in out.getvalue()


def test_command_refuses_a_user_without_the_role(tmp_path, participant):
    with pytest.raises(CommandError, match="may not import"):
        call_command("import_problems", str(tmp_path / "m.csv"), "--as", "peserta")


def test_command_template(tmp_path, db):
    out = io.StringIO()
    call_command("import_problems", "--template", str(tmp_path / "t.csv"), stdout=out)
    assert (tmp_path / "t.csv").exists()


def test_command_errors(tmp_path, db):
    with pytest.raises(CommandError, match="Give a FILE"):
        call_command("import_problems")
    with pytest.raises(CommandError, match="File not found"):
        call_command("import_problems", str(tmp_path / "missing.csv"), "--quiet-progress")
    bad = tmp_path / "m.csv"
    bad.write_text("title\nx\n")
    with pytest.raises(CommandError, match="Required columns are missing"):
        call_command("import_problems", str(bad), "--quiet-progress")


# --- Upload page -----------------------------------------------------------------------------

IMPORT_URL = reverse("problems:import_start")


def _upload(tmp_path, rows, name="masalah.csv"):
    path = write_csv(tmp_path / name, rows)
    return SimpleUploadedFile(name, path.read_bytes(), content_type="text/csv")


@pytest.mark.parametrize("persona", ["organizer", "viewer", "admin_user"])
def test_upload_page_imports_and_reports(client, request, tmp_path, puskesmas, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)

    response = client.post(IMPORT_URL, {"file": _upload(tmp_path, [row(1), row(2, growth="0")])})

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="count-created">1<' in html
    assert 'data-testid="count-rejected">1<' in html
    assert "<code>growth</code>" in html
    assert Problem.objects.get().submitted_by == user


@pytest.mark.parametrize("persona", ["participant", "mentor", "outsider"])
def test_upload_page_404_for_other_roles(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(IMPORT_URL).status_code == 404
    assert client.get(reverse("problems:import_template", args=["csv"])).status_code == 404


def test_upload_page_other_agency_rows_rejected(
    client, tmp_path, puskesmas, foreign_unit, organizer
):
    client.force_login(organizer)

    client.post(
        IMPORT_URL,
        {"file": _upload(tmp_path, [row(1, agency="KAB-Z", unit="Disdukcapil Zulu")])},
    )

    assert not Problem.objects.exists()


def test_upload_page_wrong_file_type(client, viewer):
    client.force_login(viewer)

    response = client.post(
        IMPORT_URL, {"file": SimpleUploadedFile("m.pdf", b"%PDF", content_type="application/pdf")}
    )

    assert response.status_code == 400
    assert "file" in response.context["form"].errors


def test_upload_page_missing_columns(client, tmp_path, viewer):
    client.force_login(viewer)
    path = tmp_path / "m.csv"
    path.write_text("judul\nx\n")

    response = client.post(
        IMPORT_URL,
        {"file": SimpleUploadedFile("m.csv", path.read_bytes(), content_type="text/csv")},
    )

    assert response.status_code == 400
    assert "Required columns are missing" in response.content.decode()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_upload_page_templates(client, viewer, fmt):
    client.force_login(viewer)

    response = client.get(reverse("problems:import_template", args=[fmt]))

    assert response.status_code == 200
    assert f"template-masalah.{fmt}" in response["Content-Disposition"]
