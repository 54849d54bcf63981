"""The demo world: it loads, it is realistic enough to demo, and loading it again is a no-op.

Most tests load their own world; ``TestProblemsFirstWorld`` reads one world loaded once for
the class (loading takes seconds), inside a transaction rolled back after the class."""

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from membumi import cli
from membumi.accounts.enums import Role
from membumi.accounts.models import RoleAssignment, User
from membumi.core.models import AuditLog
from membumi.demo import world
from membumi.needs.models import Need, NeedProblem, NeedsAnalysis
from membumi.organizations.enums import AgencyLevel, EmploymentType, PositionType, WorkUnitKind
from membumi.organizations.models import Agency, Employee, Institution, WorkUnit
from membumi.organizations.nip import parse_nip
from membumi.problems import rules as problem_rules
from membumi.problems.enums import ProblemState
from membumi.problems.models import Problem, ProblemEndorsement, ProblemTransition
from membumi.programs import queries as program_queries
from membumi.programs import rules as program_rules
from membumi.programs.models import (
    Batch,
    Enrollment,
    MentorChangeProposal,
    Module,
    Program,
    StateChange,
)
from membumi.text import TextIndex


def _load(**options) -> str:
    out = StringIO()
    call_command("demo_world", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def demo(db):
    return _load(force=True)


COUNTED = [
    Agency,
    WorkUnit,
    Institution,
    Employee,
    User,
    RoleAssignment,
    AuditLog,
    Problem,
    ProblemTransition,
    ProblemEndorsement,
    NeedsAnalysis,
    Need,
    NeedProblem,
    Program,
    Module,
    Batch,
    Enrollment,
    StateChange,
]


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def test_demo_world_loads_and_prints_a_summary(demo):
    assert "Demo world loaded" in demo
    assert "3 agencies" in demo
    assert f"{Employee.objects.count()} employees" in demo
    assert "7 demo accounts" in demo
    assert f"{Problem.objects.count()} problems" in demo
    assert "running, 20 enrolled" in demo


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


def _snapshot() -> dict[str, list]:
    """What the world is made of, in terms that do not depend on database ids."""
    return {
        "employees": list(
            Employee.objects.order_by("nip").values_list("nip", "name", "work_unit__name")
        ),
        "problems": list(
            Problem.objects.order_by("work_unit__name", "title").values_list(
                "title", "work_unit__name", "submitted_by__username", "state", "priority",
                "created_at", "validated_by__username", "duplicate_of__title",
            )
        ),
        "needs": list(
            Need.objects.order_by("position").values_list("label", "accepted", "keywords")
        ),
        "memberships": sorted(
            NeedProblem.objects.values_list("need__label", "problem__title")
        ),
        "modules": list(
            Module.objects.order_by("program__name", "position").values_list(
                "program__name", "title", "jp"
            )
        ),
        "enrolments": list(
            Enrollment.objects.order_by("employee__nip").values_list(
                "batch__name", "employee__nip", "mentor__nip", "coach__username",
                "problem__title", "state",
            )
        ),
    }  # fmt: skip


def _flush() -> None:
    """Empty every table inside the test's transaction."""
    deferred = connection.vendor == "postgresql"
    if deferred:  # TRUNCATE refuses tables with pending deferred foreign-key checks
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    if deferred:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def test_demo_world_is_the_same_every_time(db):
    world.build(stdout=StringIO())
    first = _snapshot()
    _flush()
    assert not Problem.objects.exists()

    world.build(stdout=StringIO())

    assert _snapshot() == first
    assert len(first["problems"]) >= 190 and len(first["enrolments"]) >= 16


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


# --- The problems-first world, loaded once ---------------------------------------------------


@pytest.fixture(scope="class")
def loaded_world(django_db_setup, django_db_blocker):
    """One demo world for the read-only tests of a class, rolled back after them."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield _load(force=True)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.mark.usefixtures("loaded_world", "db")
class TestProblemsFirstWorld:
    def users(self) -> dict[str, User]:
        return {u.username: u for u in User.objects.filter(username__in=world.DEMO_USERNAMES)}

    def test_problem_bank_is_about_200_problems_of_the_three_agencies(self):
        problems = list(Problem.objects.select_related("agency", "work_unit", "submitted_by"))
        sectors = Counter(p.sector for p in problems)
        units = {p.work_unit_id for p in problems}

        assert 190 <= len(problems) <= 220
        assert {p.agency.code for p in problems} == set(world.AGENCY_CODES)
        assert len(sectors) >= 10 and sectors.most_common(1)[0][0] == "health"
        assert len(units) >= 80
        assert len({p.title for p in problems}) == len(problems)
        for p in problems:
            assert p.work_unit.agency_id == p.agency_id, p
            assert 3 <= p.priority <= 15 and p.indicator_name and p.indicator_unit, p
            assert p.baseline_date <= timezone.localtime(p.created_at).date(), p
            assert p.submitted_by is not None and p.submitted_by.employee_id, p
            assert p.submitted_by.employee.agency_id == p.agency_id, p

    def test_problems_were_submitted_through_2026_up_to_the_demo_day(self):
        days = [
            timezone.localtime(d).date()
            for d in Problem.objects.values_list("created_at", flat=True)
        ]
        history = ProblemTransition.objects.values_list("created_at", flat=True)

        assert min(days) >= dt.date(2026, 2, 1)
        assert max(days) <= world.DEMO_TODAY
        assert len({d.month for d in days}) >= 8
        assert all(timezone.localtime(t).date() <= world.DEMO_TODAY for t in history)
        # A few came in after the needs analysis closed its period.
        assert sum(d > world.ANALYSIS_PERIOD[1] for d in days) >= 5

    def test_problems_are_in_every_state_and_validated_by_their_validators(self):
        states = Counter(Problem.objects.values_list("state", flat=True))
        validated = Problem.objects.filter(validated_by__isnull=False).select_related(
            "validated_by__employee", "submitted_by__employee", "work_unit", "agency"
        )

        assert states[ProblemState.OPEN] >= 80
        assert states[ProblemState.VALIDATED] >= 40
        assert states[ProblemState.ADDRESSED] >= 5
        assert states[ProblemState.CLOSED] >= 2 and states[ProblemState.DUPLICATE] >= 2
        assert len(validated) >= 60
        for problem in validated:
            assert "validator" in problem_rules.problem_relations(problem.validated_by, problem)
            assert problem.validated_by != problem.submitted_by
        for duplicate in Problem.objects.filter(state=ProblemState.DUPLICATE):
            assert duplicate.duplicate_of.state != ProblemState.DUPLICATE

    def test_problem_bank_has_near_duplicates_across_units_and_endorsements(self):
        problems = {p.pk: p for p in Problem.objects.all()}
        index = TextIndex((pk, p.text_for_analysis) for pk, p in problems.items())
        pairs = [
            (problems[a], problems[b])
            for a, b, _score in index.near_duplicates()
            if problems[a].work_unit_id != problems[b].work_unit_id
        ]
        endorsements = ProblemEndorsement.objects.select_related("problem", "user__employee")

        assert len(pairs) >= 5
        assert any(a.agency_id != b.agency_id for a, b in pairs)
        assert endorsements.count() >= 4
        for e in endorsements:
            assert e.work_unit_id == e.user.employee.work_unit_id != e.problem.work_unit_id

    def test_one_needs_analysis_by_the_organizer_with_accepted_needs(self):
        organizer = self.users()["penyelenggara"]
        analysis = NeedsAnalysis.objects.get()
        accepted = list(analysis.needs.filter(accepted=True))
        peserta_problem = Problem.objects.get(submitted_by__username="peserta", state="validated")

        assert analysis.status == NeedsAnalysis.Status.DONE
        assert analysis.created_by == organizer
        assert analysis.institution.code == world.INSTITUTION_CODE
        assert analysis.scope["period_to"] == world.ANALYSIS_PERIOD[1].isoformat()
        assert (
            analysis.problem_count == NeedProblem.objects.filter(analysis=analysis).count() >= 150
        )
        assert analysis.needs.count() >= 5 and 3 <= len(accepted) < analysis.needs.count()
        assert all(n.accepted_by == organizer and n.problems.exists() for n in accepted)
        immunisation = Need.objects.get(problems=peserta_problem)
        assert immunisation.accepted and "imunisasi" in immunisation.label.lower()
        assert timezone.localtime(analysis.created_at).date() == world.ANALYSIS_DAY

    def test_two_published_programs_whose_modules_address_needs_or_problems(self):
        programs = {p.program_type: p for p in Program.objects.all()}

        assert set(programs) == {"pka", "teknis"}
        assert programs["pka"].total_jp >= 300 and programs["teknis"].total_jp < 100
        assert "Imunisasi" in programs["teknis"].name
        for program in programs.values():
            errors, warnings = program_rules.program_publish_check(program)
            assert program.state == "published" and (errors, warnings) == ([], [])
            assert program.modules.count() >= 5
            assert all(n.accepted for n in program.needs.all())
        titles = set(programs["pka"].modules.values_list("title", flat=True))
        assert {"Kepemimpinan Kinerja", "Manajemen Perubahan"} <= titles
        assert any("Proyek Perubahan" in t for t in titles)
        report = program_queries.coverage_report(programs["pka"].institution)
        assert report.bare_modules == [] and 1 <= len(report.uncovered_needs) < report.accepted

    def test_peserta_brings_the_validated_problem_to_a_running_batch(self):
        users = self.users()
        peserta, mentor, coach = users["peserta"], users["mentor"], users["widyaiswara"]
        enrolment = Enrollment.objects.select_related("batch__program", "problem").get(
            employee=peserta.employee,
            batch__state="running",  # (also in the July batch)
        )
        batch = enrolment.batch

        assert batch.state == "running" and batch.program.program_type == "teknis"
        assert batch.start_date <= world.DEMO_TODAY <= batch.end_date
        assert (enrolment.state, enrolment.mentor, enrolment.coach) == (
            "active",
            mentor.employee,
            coach,
        )
        assert enrolment.problem.submitted_by == peserta
        assert enrolment.problem.state == ProblemState.VALIDATED
        assert enrolment.problem.validated_by == mentor
        assert coach in batch.trainers.all()

    def test_the_running_batch_has_other_participants_from_the_agencies(self):
        batch = Batch.objects.get(state="running")
        others = list(
            batch.enrollments.exclude(employee__user__username="peserta").select_related(
                "employee__supervisor", "problem"
            )
        )
        brought = Counter(e.problem.state if e.problem else "none" for e in others)

        assert 15 <= len(others) <= 25
        assert {e.agency.code for e in others} == set(world.AGENCY_CODES)
        assert {"addressed", "open", "none"} <= set(brought)
        assert Counter(e.state for e in others)["withdrawn"] == 1
        assert len({e.coach_id for e in others}) == batch.trainers.count() >= 2
        # The attendance step's people move: one participant moved unit after enrolling, so
        # their mentor waits for the organizer's confirmation (a pending proposal).
        moved = set(
            MentorChangeProposal.objects.filter(
                enrollment__batch=batch, state="pending"
            ).values_list("enrollment_id", flat=True)
        )
        assert len(moved) == 1
        for e in others:
            if e.pk in moved:
                assert e.mentor != e.employee.supervisor
                continue
            assert e.mentor == e.employee.supervisor
            if e.problem:
                assert e.problem.work_unit_id == e.employee.work_unit_id

    def test_peserta_and_mentor_see_it_on_their_pages(self, client):
        users = self.users()
        client.force_login(users["peserta"])
        page = client.get(reverse("programs:my_training")).content.decode()
        assert "Pelatihan Teknis Peningkatan Cakupan Imunisasi" in page
        assert "Cakupan imunisasi dasar lengkap rendah di Desa Masbagik Timur" in page

        client.force_login(users["mentor"])
        page = client.get(reverse("programs:mentees")).content.decode()
        assert "Muhammad Rizki Hidayat" in page
