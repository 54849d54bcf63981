"""The import report page: what a finished or failed import tells its uploader."""

import tempfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext, override

from membumi.organizations.models import ImportJob
from membumi.testing.factories import make_nip


def test_failed_import_does_not_claim_every_row_was_valid(client, organizer):
    client.force_login(organizer)
    client.post(
        reverse("organizations:import_start"),
        {"file": SimpleUploadedFile("pegawai.csv", b"nama;instansi\nA;B\n", "text/csv")},
    )
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED

    response = client.get(reverse("organizations:import_detail", args=[job.pk]))

    html = response.content.decode()
    with override(response.wsgi_request.LANGUAGE_CODE):
        all_valid = gettext("No problems: every row was valid.")
    assert all_valid not in html
    assert 'class="alert alert-error" role="alert">' in html
    assert "sex" in html  # the missing column is named


def test_report_lists_problems_in_file_order(client, organizer, agency):
    rows = [
        "nip,name,sex,agency,supervisor_nip",
        f"{make_nip(1)},Atasan Tak Ada,L,{agency.code},{make_nip(500)}",  # warning, found last
        f"{make_nip(2)},,L,{agency.code},",  # error: no name
    ]
    client.force_login(organizer)
    client.post(
        reverse("organizations:import_start"),
        {"file": SimpleUploadedFile("pegawai.csv", "\n".join(rows).encode(), "text/csv")},
    )

    job = ImportJob.objects.get()
    assert [(e["row"], e["column"]) for e in job.errors] == [(2, "supervisor_nip"), (3, "name")]


def test_template_download_leaves_no_temporary_files(client, organizer, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    client.force_login(organizer)

    for fmt in ("csv", "xlsx"):
        response = client.get(reverse("organizations:import_template", args=[fmt]))
        body = b"".join(response.streaming_content)
        assert body.startswith(b"PK" if fmt == "xlsx" else b"\xef\xbb\xbfnip;name")
        assert f'filename="template-pegawai.{fmt}"' in response["Content-Disposition"]

    assert list(tmp_path.iterdir()) == []
