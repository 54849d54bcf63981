"""Personas shared by every app's tests (healthchecks' Alice/Bob/Charlie, Membumi-style).

- ``agency`` / ``other_agency``: two kabupaten; ``institution`` (a BPSDM) serves ``agency``.
- ``participant`` (peserta) works in ``unit`` of ``agency``; ``mentor`` is their supervisor.
- ``organizer`` and ``trainer`` belong to ``institution``; ``viewer`` reads ``agency``.
- ``outsider`` is a participant of ``other_agency``; ``admin_user`` sees everything.
"""

import pytest

from membumi.accounts.enums import Role
from membumi.testing.factories import (
    AgencyFactory,
    EmployeeFactory,
    InstitutionFactory,
    RoleAssignmentFactory,
    UserFactory,
    WorkUnitFactory,
)


@pytest.fixture
def agency(db):
    return AgencyFactory(code="KAB-A", name="Kabupaten Alfa")


@pytest.fixture
def other_agency(db):
    return AgencyFactory(code="KAB-Z", name="Kabupaten Zulu")


@pytest.fixture
def unit(agency):
    return WorkUnitFactory(agency=agency, name="Dinas Kesehatan")


@pytest.fixture
def institution(agency):
    return InstitutionFactory(agency=agency, code="BPSDM-A", name="BPSDM Alfa")


def _person(username, *, agency, unit=None, supervisor=None, name=None):
    employee = EmployeeFactory(
        agency=agency,
        work_unit=unit or WorkUnitFactory(agency=agency),
        supervisor=supervisor,
        name=name or username.title(),
    )
    return UserFactory(username=username, employee=employee)


@pytest.fixture
def mentor(agency, unit):
    user = _person("mentor", agency=agency, unit=unit, name="Bu Mentor")
    RoleAssignmentFactory(user=user, role=Role.MENTOR)
    return user


@pytest.fixture
def participant(agency, unit, mentor):
    user = _person(
        "peserta", agency=agency, unit=unit, supervisor=mentor.employee, name="Pak Peserta"
    )
    RoleAssignmentFactory(user=user, role=Role.PARTICIPANT)
    return user


@pytest.fixture
def organizer(institution):
    user = _person("penyelenggara", agency=institution.agency)
    RoleAssignmentFactory(user=user, role=Role.ORGANIZER, institution=institution)
    return user


@pytest.fixture
def trainer(institution):
    user = _person("widyaiswara", agency=institution.agency)
    RoleAssignmentFactory(user=user, role=Role.TRAINER, institution=institution)
    return user


@pytest.fixture
def viewer(agency):
    user = UserFactory(username="pimpinan")
    RoleAssignmentFactory(user=user, role=Role.AGENCY_VIEWER, agency=agency)
    return user


@pytest.fixture
def outsider(other_agency):
    user = _person("orang-luar", agency=other_agency)
    RoleAssignmentFactory(user=user, role=Role.PARTICIPANT)
    return user


@pytest.fixture
def other_organizer(other_agency):
    other_institution = InstitutionFactory(agency=other_agency, code="BPSDM-Z", name="BPSDM Zulu")
    user = _person("penyelenggara-lain", agency=other_agency)
    RoleAssignmentFactory(user=user, role=Role.ORGANIZER, institution=other_institution)
    return user


@pytest.fixture
def admin_user(db):
    user = UserFactory(username="admin", is_staff=True, is_superuser=True)
    RoleAssignmentFactory(user=user, role=Role.PLATFORM_ADMIN)
    return user
