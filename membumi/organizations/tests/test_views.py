"""The employee pages: who sees whom, search and filters, htmx partials, paging, queries."""

import pytest
from django.urls import reverse

from membumi.organizations.models import ImportJob
from membumi.organizations.views import PAGE_SIZE
from membumi.testing.factories import EmployeeFactory, UserFactory, WorkUnitFactory

LIST_URL = reverse("organizations:employee_list")


def _detail_url(employee):
    return reverse("organizations:employee_detail", args=[employee.nip])


@pytest.fixture
def everyone(participant, mentor, organizer, trainer, viewer, outsider, other_organizer):
    """Create every persona, so that each scope has something to leave out."""


# --- Detail -----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["participant", "mentor", "organizer", "viewer", "admin_user"])
def test_employee_detail_in_scope_shows_record(client, request, everyone, participant, persona):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(_detail_url(participant.employee))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Pak Peserta</h1>" in html
    assert participant.employee.nip_display in html
    assert "Bu Mentor" in html  # the supervisor
    assert "Dinas Kesehatan" in html


@pytest.mark.parametrize("persona", ["outsider", "other_organizer", "trainer"])
def test_employee_detail_out_of_scope_404(client, request, everyone, participant, persona):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(_detail_url(participant.employee))

    assert response.status_code == 404
    assert b"Pak Peserta" not in response.content


def test_employee_detail_unknown_nip_404(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/employees/199001012015011999/").status_code == 404


def test_employee_detail_mentor_lists_direct_reports(client, everyone, mentor, participant):
    client.force_login(mentor)

    html = client.get(_detail_url(mentor.employee)).content.decode()

    assert f'href="{_detail_url(participant.employee)}">Pak Peserta</a>' in html


def test_employee_detail_reports_outside_scope_hidden(client, everyone, viewer, mentor):
    """A report who works in another agency is not listed to a viewer of this agency."""
    EmployeeFactory(name="Lintas Instansi", supervisor=mentor.employee)
    client.force_login(viewer)

    html = client.get(_detail_url(mentor.employee)).content.decode()

    assert "Pak Peserta" in html
    assert "Lintas Instansi" not in html


# --- List: scope ------------------------------------------------------------------------------


def test_employee_list_viewer_sees_agency_only(client, everyone, viewer):
    client.force_login(viewer)

    html = client.get(LIST_URL).content.decode()

    for name in ("Pak Peserta", "Bu Mentor", "Penyelenggara", "Widyaiswara"):
        assert name in html
    assert "Orang-Luar" not in html
    assert "Penyelenggara-Lain" not in html


def test_employee_list_participant_sees_self_only(client, everyone, participant):
    client.force_login(participant)

    html = client.get(LIST_URL).content.decode()

    assert "Pak Peserta" in html
    assert "Bu Mentor" not in html
    assert "Orang-Luar" not in html


def test_employee_list_mentor_sees_self_and_reports(client, everyone, mentor):
    client.force_login(mentor)

    html = client.get(LIST_URL).content.decode()

    assert "Pak Peserta" in html
    assert "Bu Mentor" in html
    assert "Penyelenggara" not in html


def test_employee_list_outsider_sees_own_agency_self_only(client, everyone, outsider):
    client.force_login(outsider)

    html = client.get(LIST_URL).content.decode()

    assert "Orang-Luar" in html
    assert "Pak Peserta" not in html


def test_employee_list_other_organizer_sees_other_agency(client, everyone, other_organizer):
    client.force_login(other_organizer)

    html = client.get(LIST_URL).content.decode()

    assert "Orang-Luar" in html
    assert "Penyelenggara-Lain" in html
    assert "Pak Peserta" not in html


def test_employee_list_user_without_role_404(client, db):
    client.force_login(UserFactory(username="kosong"))
    assert client.get(LIST_URL).status_code == 404


def test_employee_list_agency_filter_offers_only_scope(client, everyone, viewer):
    client.force_login(viewer)

    form = client.get(LIST_URL).context["form"]

    assert [a.code for a in form.fields["agency"].queryset] == ["KAB-A"]


# --- List: search and filters -----------------------------------------------------------------


def _names_on_page(response):
    return [e.name for e in response.context["page_obj"]]


def test_employee_list_search_by_name(client, everyone, viewer):
    client.force_login(viewer)

    response = client.get(LIST_URL, {"q": "peserta"})

    assert _names_on_page(response) == ["Pak Peserta"]


def test_employee_list_search_by_nip_prefix_with_spaces(client, everyone, viewer, agency):
    EmployeeFactory(agency=agency, nip="198609262015051001", name="Bu Nip")
    EmployeeFactory(agency=agency, nip="198609262016051002", name="Pak Lain")
    client.force_login(viewer)

    response = client.get(LIST_URL, {"q": "19860926 201505"})

    assert _names_on_page(response) == ["Bu Nip"]
    assert "19860926 201505 1 001" in response.content.decode()


def test_employee_list_search_out_of_scope_name_finds_nothing(client, everyone, viewer):
    client.force_login(viewer)

    response = client.get(LIST_URL, {"q": "Orang-Luar"})

    assert _names_on_page(response) == []


def test_employee_list_agency_filter(client, everyone, admin_user, agency, other_agency):
    client.force_login(admin_user)

    response = client.get(LIST_URL, {"agency": "KAB-Z"})

    assert set(_names_on_page(response)) == {"Orang-Luar", "Penyelenggara-Lain"}


def test_employee_list_agency_filter_outside_scope_is_invalid(client, everyone, viewer):
    client.force_login(viewer)

    response = client.get(LIST_URL, {"agency": "KAB-Z"})

    assert "agency" in response.context["form"].errors
    assert "Orang-Luar" not in response.content.decode()


def test_employee_list_unit_filter_includes_subtree(client, everyone, viewer, agency, unit):
    bidang = WorkUnitFactory(agency=agency, parent=unit, name="Bidang P2P")
    seksi = WorkUnitFactory(agency=agency, parent=bidang, name="Seksi Imunisasi")
    EmployeeFactory(agency=agency, work_unit=seksi, name="Di Seksi")
    EmployeeFactory(agency=agency, work_unit=bidang, name="Di Bidang")
    client.force_login(viewer)

    top = client.get(LIST_URL, {"unit": unit.pk})
    middle = client.get(LIST_URL, {"unit": bidang.pk})

    assert _names_on_page(top) == ["Bu Mentor", "Di Bidang", "Di Seksi", "Pak Peserta"]
    assert _names_on_page(middle) == ["Di Bidang", "Di Seksi"]


def test_employee_list_htmx_returns_results_partial(client, everyone, viewer):
    client.force_login(viewer)

    response = client.get(
        LIST_URL,
        {"q": "peserta"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="employee-results",
    )

    html = response.content.decode()
    assert "<html" not in html
    assert "<form" not in html
    assert 'data-testid="employee-count"' in html
    assert "Pak Peserta" in html
    assert "Bu Mentor" not in html


def test_employee_list_htmx_other_target_full_page(client, everyone, viewer):
    client.force_login(viewer)

    response = client.get(LIST_URL, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="main")

    assert "<html" in response.content.decode()


def test_employee_list_pagination(client, viewer, agency):
    unit = WorkUnitFactory(agency=agency)
    for i in range(PAGE_SIZE + 5):
        EmployeeFactory(agency=agency, work_unit=unit, name=f"Pegawai {i:02d}")
    client.force_login(viewer)

    first = client.get(LIST_URL)
    second = client.get(LIST_URL, {"page": 2})
    beyond = client.get(LIST_URL, {"page": 99})

    assert _names_on_page(first) == [f"Pegawai {i:02d}" for i in range(PAGE_SIZE)]
    assert _names_on_page(second) == [f"Pegawai {i:02d}" for i in range(PAGE_SIZE, PAGE_SIZE + 5)]
    assert 'rel="next"' in first.content.decode()
    assert 'rel="prev"' in second.content.decode()
    assert 'rel="next"' not in second.content.decode()
    assert _names_on_page(beyond) == _names_on_page(second)  # out of range: last page


def test_employee_list_pagination_keeps_filters(client, viewer, agency):
    unit = WorkUnitFactory(agency=agency)
    for i in range(PAGE_SIZE + 1):
        EmployeeFactory(agency=agency, work_unit=unit, name=f"Analis {i:02d}")
    client.force_login(viewer)

    html = client.get(LIST_URL, {"q": "Analis"}).content.decode()

    assert "?q=Analis&amp;page=2" in html


# --- Query counts -----------------------------------------------------------------------------


def _populate(agency, n):
    unit = WorkUnitFactory(agency=agency)
    for _ in range(n):
        EmployeeFactory(agency=agency, work_unit=WorkUnitFactory(agency=agency, parent=unit))


# Measured. Every persona: session, user, roles, agency choices, unit choices, count, page.
# A user with an employee record adds one (the employee, for the header and the scope); an
# organizer's served agencies are two queries, asked three times (list, agency and unit choices).
# Every page adds one: the unread-notification count in the header; a mentor or trainer one
# more: the "To review (n)" count in the navigation.
LIST_QUERIES = {"viewer": 8, "admin_user": 8, "mentor": 10, "organizer": 15}


@pytest.mark.parametrize("persona", sorted(LIST_QUERIES))
@pytest.mark.parametrize("n", [1, 30])
def test_employee_list_query_count_constant(
    client, request, agency, persona, n, django_assert_num_queries
):
    user = request.getfixturevalue(persona)
    _populate(agency, n)
    client.force_login(user)

    with django_assert_num_queries(LIST_QUERIES[persona]):
        response = client.get(LIST_URL)

    assert response.status_code == 200


@pytest.mark.parametrize("n", [1, 30])
def test_employee_detail_query_count_constant(client, mentor, agency, n, django_assert_num_queries):
    for _ in range(n):
        EmployeeFactory(agency=agency, supervisor=mentor.employee)
    client.force_login(mentor)

    # session, user, roles, employee, subordinates, user's employee (header)
    with django_assert_num_queries(8):
        client.get(_detail_url(mentor.employee))


# --- Import pages (access only; the import itself has its own tests) --------------------------


@pytest.mark.parametrize("persona", ["participant", "mentor", "viewer", "trainer"])
def test_import_pages_non_organizer_404(client, request, organizer, persona):
    job = ImportJob.objects.create(original_name="pegawai.csv", started_by=organizer)
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse("organizations:import_start")).status_code == 404
    assert client.get(reverse("organizations:import_detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("organizations:import_template", args=["csv"])).status_code == 404


def test_import_detail_other_organizers_job_404(client, organizer, other_organizer):
    job = ImportJob.objects.create(original_name="pegawai.csv", started_by=organizer)
    client.force_login(other_organizer)

    assert client.get(reverse("organizations:import_detail", args=[job.pk])).status_code == 404


def test_import_detail_own_job_shown(client, organizer):
    job = ImportJob.objects.create(original_name="pegawai-alfa.csv", started_by=organizer)
    client.force_login(organizer)

    response = client.get(reverse("organizations:import_detail", args=[job.pk]))

    assert "pegawai-alfa.csv" in response.content.decode()
