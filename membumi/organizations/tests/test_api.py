"""GET /api/v1/employees and /api/v1/employees/{nip}: scoped, filtered, paginated."""

import pytest

from membumi.accounts.services import api_token_create
from membumi.testing.factories import EmployeeFactory, WorkUnitFactory

LIST_URL = "/api/v1/employees"


@pytest.fixture
def everyone(participant, mentor, organizer, trainer, viewer, outsider, other_organizer):
    """Create every persona, so that each scope has something to leave out."""


def _get(client, user, url, params=None):
    _token, raw = api_token_create(user=user)
    return client.get(url, params or {}, headers={"Authorization": f"Bearer {raw}"})


def _names(response):
    return {item["name"] for item in response.json()["items"]}


def test_employees_without_credentials_401(client, everyone):
    response = client.get(LIST_URL)
    assert response.status_code == 401
    assert set(response.json()) == {"detail", "errors"}


def test_employees_outsider_sees_only_self(client, everyone, outsider):
    body = _get(client, outsider, LIST_URL).json()

    assert body["count"] == 1
    assert [item["name"] for item in body["items"]] == ["Orang-Luar"]


def test_employees_viewer_sees_agency(client, everyone, viewer):
    names = _names(_get(client, viewer, LIST_URL))
    assert names == {"Pak Peserta", "Bu Mentor", "Penyelenggara", "Widyaiswara"}


def test_employees_item_shape(client, everyone, participant, mentor, agency, unit):
    item = _get(client, participant, LIST_URL).json()["items"][0]

    employee = participant.employee
    assert item == {
        "nip": employee.nip,
        "name": "Pak Peserta",
        "sex": "M",
        "employment_type": "pns",
        "golongan": "III/a",
        "pangkat": "Penata Muda",
        "position_type": "pelaksana",
        "position_name": "Analis",
        "agency": {"id": agency.pk, "name": "Kabupaten Alfa", "code": "KAB-A"},
        "work_unit": {"id": unit.pk, "name": "Dinas Kesehatan"},
        "supervisor_nip": mentor.employee.nip,
        "is_active": True,
    }


def test_employees_session_auth(client, everyone, mentor):
    client.force_login(mentor)

    response = client.get(LIST_URL)

    assert {item["name"] for item in response.json()["items"]} == {"Bu Mentor", "Pak Peserta"}


def test_employees_filter_q_name(client, everyone, admin_user):
    assert _names(_get(client, admin_user, LIST_URL, {"q": "peserta"})) == {"Pak Peserta"}


def test_employees_filter_q_nip_with_spaces(client, everyone, admin_user, agency):
    EmployeeFactory(agency=agency, nip="198609262015051001", name="Bu Nip")

    response = _get(client, admin_user, LIST_URL, {"q": "19860926 2015"})

    assert _names(response) == {"Bu Nip"}


def test_employees_filter_agency(client, everyone, admin_user):
    response = _get(client, admin_user, LIST_URL, {"agency": "KAB-Z"})
    assert _names(response) == {"Orang-Luar", "Penyelenggara-Lain"}


def test_employees_filter_agency_outside_scope_empty(client, everyone, viewer):
    body = _get(client, viewer, LIST_URL, {"agency": "KAB-Z"}).json()
    assert body == {"items": [], "count": 0}


def test_employees_filter_unit_subtree(client, everyone, viewer, agency, unit):
    bidang = WorkUnitFactory(agency=agency, parent=unit, name="Bidang P2P")
    EmployeeFactory(agency=agency, work_unit=bidang, name="Di Bidang")

    top = _get(client, viewer, LIST_URL, {"unit": unit.pk})
    middle = _get(client, viewer, LIST_URL, {"unit": bidang.pk})

    assert _names(top) == {"Pak Peserta", "Bu Mentor", "Di Bidang"}
    assert _names(middle) == {"Di Bidang"}


def test_employees_filter_unit_not_a_number_400(client, everyone, viewer):
    response = _get(client, viewer, LIST_URL, {"unit": "abc"})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["unit"]


def test_employees_paginated(client, viewer, agency):
    unit = WorkUnitFactory(agency=agency)
    for i in range(55):
        EmployeeFactory(agency=agency, work_unit=unit, name=f"Pegawai {i:02d}")

    first = _get(client, viewer, LIST_URL).json()
    second = _get(client, viewer, LIST_URL, {"page": 2}).json()

    assert set(first) == {"items", "count"}
    assert first["count"] == second["count"] == 55
    assert [i["name"] for i in first["items"]] == [f"Pegawai {i:02d}" for i in range(50)]
    assert [i["name"] for i in second["items"]] == [f"Pegawai {i:02d}" for i in range(50, 55)]


@pytest.mark.parametrize("n", [1, 30])
def test_employees_query_count_constant(client, viewer, agency, n, django_assert_num_queries):
    unit = WorkUnitFactory(agency=agency)
    for _ in range(n):
        supervisor = EmployeeFactory(agency=agency, work_unit=unit)
        EmployeeFactory(agency=agency, supervisor=supervisor)
    _token, raw = api_token_create(user=viewer)
    headers = {"Authorization": f"Bearer {raw}"}
    client.get(LIST_URL, headers=headers)  # records the token's last use once

    # token+user+employee, roles, count, page (agency, unit and supervisor joined)
    with django_assert_num_queries(4):
        response = client.get(LIST_URL, headers=headers)

    assert response.json()["count"] == 2 * n


# --- One employee -----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["participant", "mentor", "organizer", "viewer", "admin_user"])
def test_employee_in_scope_200(client, request, everyone, participant, persona):
    user = request.getfixturevalue(persona)

    response = _get(client, user, f"{LIST_URL}/{participant.employee.nip}")

    assert response.status_code == 200
    assert response.json()["name"] == "Pak Peserta"


@pytest.mark.parametrize("persona", ["outsider", "other_organizer", "trainer"])
def test_employee_out_of_scope_404_json(client, request, everyone, participant, persona):
    user = request.getfixturevalue(persona)

    response = _get(client, user, f"{LIST_URL}/{participant.employee.nip}")

    assert response.status_code == 404
    assert set(response.json()) == {"detail", "errors"}
    assert "Pak Peserta" not in response.content.decode()


def test_employee_nip_with_spaces_accepted(client, everyone, viewer, participant):
    spaced = participant.employee.nip_display  # "19800101 201203 1 001"
    assert " " in spaced

    response = _get(client, viewer, f"{LIST_URL}/{spaced}")

    assert response.json()["nip"] == participant.employee.nip


def test_employee_without_credentials_401(client, everyone, participant):
    response = client.get(f"{LIST_URL}/{participant.employee.nip}")
    assert response.status_code == 401
