"""The adapters to membumi.text: the plan as a quality draft, near-duplicate plans, and the
/quality and /similar endpoints (similar plans only for the coach and the organizer)."""

import pytest
from django.utils import timezone

from membumi.accounts.services import api_token_create
from membumi.action_plans import analysis, services
from membumi.action_plans.models import ActionPlan
from membumi.organizations.models import Institution
from membumi.programs import services as program_services
from membumi.programs.models import Program
from membumi.programs.tests.factories import (
    make_analysis,
    make_batch,
    make_need,
    make_problem,
    make_program,
    make_trainer,
)
from membumi.testing.factories import (
    EmployeeFactory,
    RoleAssignmentFactory,
    UserFactory,
    WorkUnitFactory,
)

BASE = "/api/v1/action-plans"
GOAL = "Menurunkan waktu tunggu pasien dari 180 menjadi 60 menit dengan antrean daring."


def _get(client, user, url):
    _token, raw = api_token_create(user=user)
    return client.get(url, headers={"Authorization": f"Bearer {raw}"})


def _plan_in(batch, organizer, *, agency, title, goal, outputs, username):
    boss = EmployeeFactory(agency=agency, name=f"Atasan {username}")
    employee = EmployeeFactory(agency=agency, supervisor=boss, name=f"Peserta {username}")
    user = UserFactory(username=username, employee=employee)
    RoleAssignmentFactory(user=user, role="participant")
    enrollment = program_services.enrollment_create(batch=batch, by=organizer, nip=employee.nip)
    plan = services.action_plan_create(enrollment=enrollment, by=user, title=title, goal=goal)
    for output in outputs:
        services.milestone_add(plan=plan, by=user, term="short", output=output)
    return plan


OUTPUTS = [
    "SOP antrean daring disahkan",
    "Aplikasi antrean diuji di loket",
    "Evaluasi waktu tunggu",
]


@pytest.fixture
def copy(batch, organizer, agency, ready_plan):
    return _plan_in(
        batch,
        organizer,
        agency=agency,
        title="Antrean daring puskesmas",
        goal=GOAL,
        outputs=OUTPUTS,
        username="peniru",
    )


@pytest.fixture
def ready_copy_source(ready_plan, participant):
    services.action_plan_update(plan=ready_plan, by=participant, goal=GOAL)
    for milestone, output in zip(ready_plan.milestones.all(), OUTPUTS, strict=True):
        services.milestone_update(milestone=milestone, by=participant, output=output)
    return ready_plan


@pytest.fixture
def unrelated(batch, organizer, agency):
    return _plan_in(
        batch,
        organizer,
        agency=agency,
        title="Bank sampah kelurahan",
        goal="Mengurangi sampah ke TPA dengan bank sampah di setiap RW.",
        outputs=["Pengurus bank sampah dibentuk", "Penimbangan bulanan"],
        username="lain",
    )


def test_plan_draft_carries_the_plan(ready_plan, unit):
    draft = analysis.plan_draft(ready_plan)

    assert draft.problem.validated is True
    assert draft.participant_unit_id == unit.pk
    assert unit.pk in draft.own_unit_ids
    assert [m.term for m in draft.milestones] == ["short", "mid", "long"]
    assert draft.training_start == ready_plan.enrollment.batch.start_date


def test_similar_finds_the_copy_not_the_unrelated(ready_copy_source, copy, unrelated):
    hits = analysis.similar_plans(ready_copy_source)

    assert [h.plan_id for h in hits] == [copy.pk]
    assert hits[0].similarity >= analysis.THRESHOLD


def test_similar_sees_edits_and_new_plans(ready_copy_source, unrelated, batch, organizer, agency):
    assert analysis.similar_plans(ready_copy_source) == []  # builds the index

    late = _plan_in(
        batch,
        organizer,
        agency=agency,
        title="Antrean daring puskesmas",
        goal=GOAL,
        outputs=OUTPUTS,
        username="terlambat",
    )

    assert [h.plan_id for h in analysis.similar_plans(ready_copy_source)] == [late.pk]


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("trainer", 200),
        ("organizer", 200),
        ("admin_user", 200),
        ("participant", 403),
        ("mentor", 403),
        ("outsider", 404),
        ("other_organizer", 404),
    ],
)
def test_similar_endpoint_only_for_coach_and_organizer(
    client, request, ready_copy_source, copy, persona, status
):
    response = _get(
        client, request.getfixturevalue(persona), f"{BASE}/{ready_copy_source.pk}/similar"
    )

    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["plan"]["id"] == ready_copy_source.pk
        assert [s["id"] for s in body["similar"]] == [copy.pk]
        assert body["similar"][0]["same_institution"] is True


def test_similar_across_institutions_hides_the_name(
    client, ready_copy_source, trainer, other_organizer, other_agency
):
    institution = Institution.objects.get(code="BPSDM-Z")
    trainer_z = make_trainer(institution, "widyaiswara-z")
    zulu_problem = make_problem(unit=WorkUnitFactory(agency=other_agency), state="validated")
    need = make_need(make_analysis(institution, other_organizer), zulu_problem)
    program = make_program(other_organizer, institution, need, name="Pelatihan Z")
    Program.objects.filter(pk=program.pk).update(state="published")
    batch_z = make_batch(program, other_organizer, trainer_z)
    far = _plan_in(
        batch_z,
        other_organizer,
        agency=other_agency,
        title="Antrean daring puskesmas",
        goal=GOAL,
        outputs=OUTPUTS,
        username="jauh",
    )

    url = f"{BASE}/{ready_copy_source.pk}/similar"
    # A draft nobody outside its class has seen stays private to that class ...
    assert _get(client, trainer, url).json()["similar"] == []
    # ... once submitted, it is shown, without the participant's name.
    ActionPlan.objects.filter(pk=far.pk).update(state="submitted", submitted_at=timezone.now())
    client.logout()
    body = _get(client, trainer, url).json()

    assert [(s["id"], s["same_institution"], s["participant"]) for s in body["similar"]] == [
        (far.pk, False, None)
    ]
    assert body["similar"][0]["institution"] == "BPSDM Zulu"
