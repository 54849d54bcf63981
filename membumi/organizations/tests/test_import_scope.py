"""The web import stays inside the uploader's scope: an organizer creates and changes only
employees of the agencies their institution serves; an administrator imports anywhere."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import override

from membumi.organizations.importing import COLUMNS
from membumi.organizations.models import Employee, ImportJob
from membumi.testing.factories import EmployeeFactory, make_nip


@pytest.fixture(autouse=True)
def english():
    with override("en"):
        yield


def _upload(rows) -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row.get(c, "") for c in COLUMNS])
    return SimpleUploadedFile("pegawai.csv", buffer.getvalue().encode(), content_type="text/csv")


def _row(n, agency, **values):
    return {"nip": make_nip(900 + n), "name": f"Pegawai {n}", "sex": "L", "agency": agency} | values


def test_organizer_import_skips_agencies_outside_the_institution(
    client, organizer, agency, other_agency
):
    client.force_login(organizer)

    client.post(
        reverse("organizations:import_start"),
        {"file": _upload([_row(1, agency.code), _row(2, other_agency.code)])},
    )

    job = ImportJob.objects.get()
    assert (job.created, job.rejected) == (1, 1)
    assert [(e["row"], e["column"], e["level"]) for e in job.errors] == [(3, "agency", "error")]
    assert other_agency.code in job.errors[0]["message"]
    assert Employee.objects.filter(nip=make_nip(901), agency=agency).exists()
    assert not Employee.objects.filter(nip=make_nip(902)).exists()


def test_organizer_import_cannot_change_or_move_an_employee_of_another_agency(
    client, organizer, agency, other_agency
):
    stranger = EmployeeFactory(agency=other_agency, name="Orang Lain")
    client.force_login(organizer)

    client.post(
        reverse("organizations:import_start"),
        {"file": _upload([_row(1, agency.code, nip=stranger.nip, name="Diubah")])},
    )

    job = ImportJob.objects.get()
    stranger.refresh_from_db()
    assert (stranger.name, stranger.agency) == ("Orang Lain", other_agency)
    assert (job.created, job.updated, job.rejected) == (0, 0, 1)
    assert [(e["row"], e["column"]) for e in job.errors] == [(2, "nip")]


def test_admin_import_reaches_every_agency(client, admin_user, agency, other_agency):
    stranger = EmployeeFactory(agency=other_agency, name="Orang Lain")
    client.force_login(admin_user)

    client.post(
        reverse("organizations:import_start"),
        {
            "file": _upload(
                [_row(1, other_agency.code), _row(2, agency.code, nip=stranger.nip, name="Pindah")]
            )
        },
    )

    job = ImportJob.objects.get()
    stranger.refresh_from_db()
    assert (job.created, job.updated, job.rejected) == (1, 1, 0)
    assert (stranger.name, stranger.agency) == ("Pindah", agency)
