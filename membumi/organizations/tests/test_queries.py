"""Scoping of employees, agencies and units to the user (DESIGN §6: 404 outside scope)."""

import pytest
from django.http import Http404

from membumi.organizations.models import Employee
from membumi.organizations.queries import (
    agencies_for_user,
    agency_ids_for_user,
    employees_for_user,
    get_employee_for_user,
    search_employees,
    units_for_user,
)
from membumi.testing.factories import EmployeeFactory, UserFactory, WorkUnitFactory


@pytest.fixture
def everyone(participant, mentor, organizer, trainer, viewer, outsider, other_organizer):
    """Create every persona, so that each scope has something to leave out."""


def _names(qs):
    return set(qs.values_list("name", flat=True))


@pytest.mark.parametrize("persona", ["participant", "mentor", "organizer", "viewer", "admin_user"])
def test_get_employee_participant_in_scope(request, everyone, participant, persona):
    user = request.getfixturevalue(persona)
    assert get_employee_for_user(user, participant.employee.nip) == participant.employee


@pytest.mark.parametrize("persona", ["outsider", "other_organizer", "trainer"])
def test_get_employee_participant_out_of_scope_404(request, everyone, participant, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(Http404):
        get_employee_for_user(user, participant.employee.nip)


def test_get_employee_unknown_nip_404(admin_user):
    with pytest.raises(Http404):
        get_employee_for_user(admin_user, "199001012015011001")


def test_employees_participant_sees_self_only(everyone, participant):
    assert _names(employees_for_user(participant)) == {"Pak Peserta"}


def test_employees_mentor_sees_self_and_direct_reports(everyone, mentor, participant):
    indirect = EmployeeFactory(agency=participant.employee.agency, supervisor=participant.employee)

    names = _names(employees_for_user(mentor))

    assert names == {"Bu Mentor", "Pak Peserta"}
    assert indirect.name not in names


def test_employees_viewer_sees_whole_agency_only(everyone, viewer, agency):
    expected = _names(Employee.objects.filter(agency=agency))
    assert _names(employees_for_user(viewer)) == expected
    assert "Orang-Luar" not in expected


def test_employees_organizer_sees_served_agencies(
    everyone, organizer, institution, agency, other_agency
):
    third = EmployeeFactory(name="Pegawai Kota Tiga")
    institution.served_agencies.add(third.agency)

    names = _names(employees_for_user(organizer))

    assert names == _names(Employee.objects.filter(agency__in=[agency, third.agency]))
    assert "Orang-Luar" not in names
    assert agency_ids_for_user(organizer) == {agency.pk, third.agency_id}


def test_employees_other_organizer_sees_only_other_agency(everyone, other_organizer, other_agency):
    assert _names(employees_for_user(other_organizer)) == _names(
        Employee.objects.filter(agency=other_agency)
    )


def test_employees_admin_sees_all(everyone, admin_user):
    assert agency_ids_for_user(admin_user) is None
    assert employees_for_user(admin_user).count() == Employee.objects.count()


def test_employees_user_without_role_or_employee_sees_nobody(everyone):
    assert not employees_for_user(UserFactory(username="kosong")).exists()


def test_employees_superuser_without_role_sees_all(everyone):
    root = UserFactory(username="root", is_superuser=True)
    assert employees_for_user(root).count() == Employee.objects.count()


def test_agencies_for_user_scoped(everyone, participant, viewer, outsider, agency, other_agency):
    assert list(agencies_for_user(participant)) == [agency]
    assert list(agencies_for_user(viewer)) == [agency]
    assert list(agencies_for_user(outsider)) == [other_agency]


def test_units_for_user_scoped(everyone, viewer, agency, unit):
    WorkUnitFactory(name="Dinas Luar")  # another agency's unit
    units = units_for_user(viewer)
    assert unit in units
    assert {u.agency_id for u in units} == {agency.pk}


def test_search_name_case_insensitive(everyone, admin_user):
    qs = search_employees(employees_for_user(admin_user), text="pak pes")
    assert _names(qs) == {"Pak Peserta"}


def test_search_nip_prefix_with_spaces(everyone, admin_user, agency):
    EmployeeFactory(agency=agency, nip="198609262015051001", name="Bu Nip")
    EmployeeFactory(agency=agency, nip="198609272015051002", name="Pak Lain")

    qs = search_employees(employees_for_user(admin_user), text="19860926 201505")

    assert _names(qs) == {"Bu Nip"}


def test_search_position_name(everyone, admin_user, agency):
    EmployeeFactory(agency=agency, name="Bu Bidan", position_name="Bidan Terampil")
    assert _names(search_employees(Employee.objects.all(), text="bidan")) == {"Bu Bidan"}


def test_search_agency_by_code_or_object(everyone, admin_user, agency, other_agency):
    by_code = search_employees(employees_for_user(admin_user), agency="KAB-Z")
    by_object = search_employees(employees_for_user(admin_user), agency=other_agency)
    expected = _names(Employee.objects.filter(agency=other_agency))
    assert _names(by_code) == _names(by_object) == expected


def test_search_unit_includes_subtree(everyone, admin_user, agency, unit):
    bidang = WorkUnitFactory(agency=agency, parent=unit, name="Bidang P2P")
    seksi = WorkUnitFactory(agency=agency, parent=bidang, name="Seksi Imunisasi")
    EmployeeFactory(agency=agency, work_unit=seksi, name="Di Seksi")
    EmployeeFactory(agency=agency, work_unit=bidang, name="Di Bidang")

    from_top = search_employees(Employee.objects.all(), unit=unit.pk)
    from_bidang = search_employees(Employee.objects.all(), unit=bidang)

    assert _names(from_top) == {"Pak Peserta", "Bu Mentor", "Di Bidang", "Di Seksi"}
    assert _names(from_bidang) == {"Di Bidang", "Di Seksi"}


def test_search_unknown_unit_empty(everyone, admin_user):
    assert not search_employees(Employee.objects.all(), unit=999_999).exists()
