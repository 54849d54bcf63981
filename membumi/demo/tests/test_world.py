"""The demo world: it loads, it is realistic enough to demo, and loading it again is a no-op."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from membumi import cli
from membumi.accounts.enums import Role
from membumi.accounts.models import RoleAssignment, User
from membumi.core.models import AuditLog
from membumi.demo import world
from membumi.organizations.enums import AgencyLevel, EmploymentType, PositionType, WorkUnitKind
from membumi.organizations.models import Agency, Employee, Institution, WorkUnit
from membumi.organizations.nip import parse_nip


def _load(**options) -> str:
    out = StringIO()
    call_command("demo_world", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def demo(db):
    return _load(force=True)


def _counts() -> dict[str, int]:
    models = [Agency, WorkUnit, Institution, Employee, User, RoleAssignment, AuditLog]
    return {model.__name__: model.objects.count() for model in models}


def test_demo_world_loads_and_prints_a_summary(demo):
    assert "Demo world loaded" in demo
    assert "3 agencies" in demo
    assert f"{Employee.objects.count()} employees" in demo
    assert "6 demo accounts" in demo


def test_demo_world_agencies_are_a_province_and_its_kabupaten_and_kota(demo):
    province = Agency.objects.get(code="PROV-NTB")
    regency = Agency.objects.get(code="KAB-LOTIM")
    city = Agency.objects.get(code="KOTA-MTR")

    assert Agency.objects.count() >= 3
    assert (province.level, regency.level, city.level) == (
        AgencyLevel.PROVINCE,
        AgencyLevel.REGENCY,
        AgencyLevel.CITY,
    )
    assert province.parent is None
    assert regency.parent == province
    assert city.parent == province


def test_demo_world_bpsdm_serves_all_three_agencies(demo):
    bpsdm = Institution.objects.get(code=world.INSTITUTION_CODE)

    assert bpsdm.name == "BPSDM Provinsi Nusa Tenggara Barat"
    assert bpsdm.agency.code == "PROV-NTB"
    assert set(bpsdm.served_agencies.values_list("code", flat=True)) == set(world.AGENCY_CODES)


def test_demo_world_unit_paths_are_what_work_unit_create_makes(demo):
    units = {unit.pk: unit for unit in WorkUnit.objects.all()}

    assert max(unit.depth for unit in units.values()) >= 2
    for unit in units.values():
        parent = units.get(unit.parent_id)
        assert unit.path == f"{parent.path if parent else '/'}{unit.pk}/"
        assert unit.depth == (parent.depth + 1 if parent else 0)
        assert parent is None or parent.agency_id == unit.agency_id
    kinds = {unit.kind for unit in units.values()}
    assert {WorkUnitKind.PUSKESMAS, WorkUnitKind.SCHOOL, WorkUnitKind.VILLAGE} <= kinds
    assert WorkUnit.objects.filter(
        name="Puskesmas Masbagik", parent__name="Dinas Kesehatan", agency__code="KAB-LOTIM"
    ).exists()


def test_demo_world_employees_have_valid_nips_and_plausible_careers(demo):
    employees = list(Employee.objects.select_related("work_unit"))

    assert len(employees) >= 300
    for employee in employees:
        nip = parse_nip(employee.nip, sex=employee.sex)
        assert 1965 <= nip.birth_date.year <= 2000, employee
        assert employee.work_unit.agency_id == employee.agency_id, employee
        assert employee.email and employee.golongan and employee.position_name, employee
        if employee.employment_type == EmploymentType.PPPK:
            assert "/" not in employee.golongan, employee
        else:
            assert "/" in employee.golongan, employee
    assert len({e.email for e in employees}) == len(employees)
    assert {e.position_type for e in employees} == set(PositionType.values)
    assert any(e.employment_type == EmploymentType.PPPK for e in employees)


def test_demo_world_supervisors_follow_the_unit_tree(demo):
    employees = Employee.objects.select_related("work_unit", "supervisor__work_unit")
    tops = [e for e in employees if e.supervisor is None]

    assert [e.position_name for e in tops] == ["Sekretaris Daerah"] * 3
    for employee in employees:
        boss, unit = employee.supervisor, employee.work_unit
        if boss is None:
            continue
        assert boss.agency_id == employee.agency_id
        # The head of one's own unit, of the unit above, or (for heads of top units) the Sekda.
        assert boss.work_unit_id in (unit.id, unit.parent_id) or (
            unit.parent_id is None and boss.position_name == "Sekretaris Daerah"
        ), employee


def test_demo_world_accounts_log_in_with_the_demo_password(demo, client):
    users = {user.username: user for user in User.objects.filter(username__in=cli.DEMO_ACCOUNTS)}

    assert sorted(users) == sorted(cli.DEMO_ACCOUNTS) == sorted(world.DEMO_USERNAMES)
    for username, user in users.items():
        assert user.check_password(world.DEMO_PASSWORD), username
    response = client.post(
        reverse("login"), {"username": "peserta", "password": world.DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(users["peserta"].pk)


def test_demo_world_accounts_have_their_roles_and_people(demo):
    user = {u.username: u for u in User.objects.select_related("employee__work_unit")}
    bpsdm = Institution.objects.get(code=world.INSTITUTION_CODE)
    admin, organizer, trainer = user["admin"], user["penyelenggara"], user["widyaiswara"]
    mentor, participant, viewer = user["mentor"], user["peserta"], user["pimpinan"]

    def roles(u):
        return {(a.role, a.institution_id, a.agency_id, a.work_unit_id) for a in u.role_assignments.all()}  # fmt: skip

    assert admin.is_superuser and admin.is_staff
    assert roles(admin) == {(Role.PLATFORM_ADMIN, None, None, None)}
    assert roles(organizer) == {(Role.ORGANIZER, bpsdm.pk, None, None)}
    assert roles(trainer) == {(Role.TRAINER, bpsdm.pk, None, None)}
    assert roles(mentor) == {(Role.MENTOR, None, None, mentor.employee.work_unit_id)}
    assert roles(participant) == {(Role.PARTICIPANT, None, None, None)}
    assert roles(viewer) == {(Role.AGENCY_VIEWER, None, participant.employee.agency_id, None)}

    bpsdm_unit = WorkUnit.objects.get(
        agency=bpsdm.agency, parent=None, name__contains="Sumber Daya"
    )
    assert organizer.employee.work_unit.path.startswith(bpsdm_unit.path)
    assert trainer.employee.work_unit == bpsdm_unit
    assert trainer.employee.position_name == "Widyaiswara Ahli Madya"
    assert mentor.employee.position_name == "Kepala Puskesmas Masbagik"
    assert participant.employee.supervisor == mentor.employee
    assert participant.employee.work_unit == mentor.employee.work_unit
    assert viewer.employee.agency == participant.employee.agency
    for u in (organizer, trainer, mentor, participant, viewer):
        assert u.get_full_name() == u.employee.name
        assert "," in u.employee.name  # with academic titles, as shown in the header


def test_demo_world_second_run_changes_nothing(demo):
    before = _counts()
    nips = sorted(Employee.objects.values_list("nip", flat=True))

    output = _load(force=True)

    assert "Demo world already loaded" in output
    assert _counts() == before
    assert sorted(Employee.objects.values_list("nip", flat=True)) == nips


def test_demo_world_restores_a_deleted_demo_account(demo):
    before = _counts()
    User.objects.filter(username="mentor").delete()

    _load(force=True)

    mentor = User.objects.get(username="mentor")
    assert mentor.employee.position_name == "Kepala Puskesmas Masbagik"
    assert mentor.check_password(world.DEMO_PASSWORD)
    assert _counts()["User"] == before["User"]
    assert _counts()["RoleAssignment"] == before["RoleAssignment"]


def test_demo_world_keeps_an_existing_admin_password(db):
    User.objects.create_superuser("admin", "admin@example.org", "my-own-password")

    output = _load(force=True)

    admin = User.objects.get(username="admin")
    assert admin.check_password("my-own-password")
    assert admin.role_assignments.filter(role=Role.PLATFORM_ADMIN).exists()
    assert "admin already existed" in output


def test_demo_world_is_the_same_every_time(db):
    world.build(stdout=StringIO())
    first = list(Employee.objects.order_by("nip").values_list("nip", "name", "work_unit__name"))
    Employee.objects.update(supervisor=None)
    User.objects.all().delete()
    Employee.objects.all().delete()
    Institution.objects.all().delete()
    for depth in sorted(set(WorkUnit.objects.values_list("depth", flat=True)), reverse=True):
        WorkUnit.objects.filter(depth=depth).delete()  # children first: parents are protected
    Agency.objects.filter(parent__isnull=False).delete()
    Agency.objects.all().delete()

    world.build(stdout=StringIO())

    second = list(Employee.objects.order_by("nip").values_list("nip", "name", "work_unit__name"))
    assert second == first


def test_demo_world_partial_organizations_are_refused(db):
    Agency.objects.create(code="PROV-NTB", name="Provinsi Nusa Tenggara Barat", kind="regional", level="provinsi")  # fmt: skip

    with pytest.raises(CommandError, match="Part of the demo organizations exists"):
        _load(force=True)
    assert Agency.objects.count() == 1


def test_demo_world_refused_without_demo_setting_or_force(db, settings):
    settings.MEMBUMI_DEMO = False

    with pytest.raises(CommandError, match="MEMBUMI_DEMO"):
        _load()
    assert not Agency.objects.exists()
    assert not User.objects.exists()


def test_demo_world_loads_when_demo_setting_is_on(db, settings):
    settings.MEMBUMI_DEMO = True

    output = _load()

    assert "Demo world loaded" in output
