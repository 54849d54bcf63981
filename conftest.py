"""Personas shared by every app's tests (healthchecks' Alice/Bob/Charlie, Membumi-style).

- ``agency`` / ``other_agency``: two kabupaten; ``institution`` (a BPSDM) serves ``agency``.
- ``participant`` (peserta) works in ``unit`` of ``agency``; ``mentor`` is their supervisor.
- ``organizer`` and ``trainer`` belong to ``institution``; ``viewer`` reads ``agency``.
- ``outsider`` is a participant of ``other_agency``; ``admin_user`` sees everything.
"""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

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


# --- Real browser (Playwright driving the system Chromium) ----------------------------------

CHROMIUM = os.environ.get("MEMBUMI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def chromium():
    """A headless Chromium. Browser tests FAIL (never skip) when it cannot start."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install it (apt-get install -y chromium).")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs a loop
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url, locale="id-ID")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def demo_world(transactional_db):
    call_command("demo_world", force=True, verbosity=0)
