"""Plan writes (create, update, milestones, stakeholders), review e-mails and scoped reads."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from membumi.action_plans import queries, services
from membumi.action_plans.enums import PlanState
from membumi.action_plans.models import ActionPlan
from membumi.core.exceptions import TransitionNotAllowed
from membumi.core.models import AuditLog
from membumi.programs.tests.factories import force_state

from .conftest import in_state


def test_create_copies_agency_and_problem_indicator(plan, enrollment, problem):
    assert plan.agency_id == enrollment.agency_id
    assert plan.problem == problem
    assert (plan.indicator_name, plan.indicator_unit, plan.indicator_direction) == (
        problem.indicator_name,
        problem.indicator_unit,
        problem.indicator_direction,
    )
    assert plan.baseline_value == problem.baseline_value
    assert AuditLog.objects.filter(action="action_plans.plan_created").exists()


def test_create_for_finished_enrolment_refused(enrollment, participant):
    force_state(enrollment, "withdrawn")

    with pytest.raises(TransitionNotAllowed, match="Withdrawn"):
        services.action_plan_create(enrollment=enrollment, by=participant, title="X")


def test_create_by_someone_else_refused(enrollment, trainer):
    with pytest.raises(PermissionDenied):
        services.action_plan_create(enrollment=enrollment, by=trainer, title="X")


def test_update_rejects_blank_title(plan, participant):
    with pytest.raises(ValidationError) as exc:
        services.action_plan_update(plan=plan, by=participant, title="")

    assert "title" in exc.value.message_dict


@pytest.mark.parametrize("state", ["submitted", "approved", "in_progress", "verified"])
def test_update_refused_outside_editable_states(plan, participant, state):
    in_state(plan, state)

    with pytest.raises(TransitionNotAllowed, match="only as a draft"):
        services.action_plan_update(plan=plan, by=participant, goal="X")


def test_update_allowed_when_revision_requested(plan, participant):
    in_state(plan, PlanState.REVISION_REQUESTED)

    services.action_plan_update(plan=plan, by=participant, goal="Lebih jelas")

    plan.refresh_from_db()
    assert plan.goal == "Lebih jelas"


def test_milestones_add_remove_reorder_keep_positions(plan, participant):
    a = services.milestone_add(plan=plan, by=participant, term="short", output="A")
    b = services.milestone_add(plan=plan, by=participant, term="mid", output="B")
    c = services.milestone_add(plan=plan, by=participant, term="long", output="C")

    services.milestone_reorder(plan=plan, by=participant, order=[c.pk, a.pk, b.pk])
    services.milestone_remove(milestone=a, by=participant)

    assert list(plan.milestones.values_list("output", "position")) == [("C", 0), ("B", 1)]


def test_milestone_reorder_needs_every_milestone(plan, participant):
    a = services.milestone_add(plan=plan, by=participant, term="short", output="A")
    services.milestone_add(plan=plan, by=participant, term="mid", output="B")

    with pytest.raises(ValidationError):
        services.milestone_reorder(plan=plan, by=participant, order=[a.pk])


def test_milestone_unknown_value_refused(plan, participant):
    with pytest.raises(ValidationError, match="jujur"):
        services.milestone_add(
            plan=plan, by=participant, term="short", output="A", values=["jujur"]
        )


def test_milestone_status_recorded_while_in_progress(ready_plan, participant):
    in_state(ready_plan, PlanState.IN_PROGRESS)
    milestone = ready_plan.milestones.first()

    services.milestone_update(milestone=milestone, by=participant, status="done")
    with pytest.raises(TransitionNotAllowed):
        services.milestone_update(milestone=milestone, by=participant, output="Lain")

    milestone.refresh_from_db()
    assert (milestone.status, milestone.output) == ("done", "Keluaran short")


def test_stakeholder_add_update_remove(plan, participant):
    s = services.stakeholder_add(plan=plan, by=participant, kind="internal", name="Kabid")
    services.stakeholder_update(stakeholder=s, by=participant, support_needed="Disposisi")
    s.refresh_from_db()
    assert s.support_needed == "Disposisi"

    services.stakeholder_remove(stakeholder=s, by=participant)

    assert not plan.stakeholders.exists()


def test_stakeholder_by_coach_refused(plan, trainer):
    with pytest.raises(PermissionDenied):
        services.stakeholder_add(plan=plan, by=trainer, kind="internal", name="Kabid")


# --- E-mails -----------------------------------------------------------------------------------


def test_submit_mails_coach_and_mentor(
    ready_plan, participant, trainer, mentor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.action_plan_transition(plan=ready_plan, action="submit", by=participant)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == [mentor.email, trainer.email]
    assert "Antrean daring puskesmas" in message.subject
    assert "Pak Peserta" in message.body
    assert message.alternatives[0][1] == "text/html"


def test_approvals_mail_participant(
    ready_plan, participant, trainer, mentor, django_capture_on_commit_callbacks
):
    services.action_plan_transition(plan=ready_plan, action="submit", by=participant)

    with django_capture_on_commit_callbacks(execute=True):
        services.action_plan_transition(plan=ready_plan, action="approve", by=trainer)
        services.action_plan_transition(plan=ready_plan, action="approve", by=mentor)

    assert [m.to for m in mail.outbox] == [[participant.email], [participant.email]]
    assert "waits for the other approval" in mail.outbox[0].body
    assert "is approved" in mail.outbox[1].body


def test_revision_request_mails_reason(
    ready_plan, participant, mentor, django_capture_on_commit_callbacks
):
    services.action_plan_transition(plan=ready_plan, action="submit", by=participant)

    with django_capture_on_commit_callbacks(execute=True):
        services.action_plan_transition(
            plan=ready_plan, action="request_revision", by=mentor, note="Tambahkan anggaran"
        )

    assert mail.outbox[0].to == [participant.email]
    assert "Tambahkan anggaran" in mail.outbox[0].body


def test_refused_step_sends_nothing(plan, participant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(TransitionNotAllowed):
        services.action_plan_transition(plan=plan, action="submit", by=participant)

    assert mail.outbox == []


# --- Scoped reads ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("participant", True),
        ("mentor", True),
        ("trainer", True),
        ("organizer", True),
        ("admin_user", True),
        ("viewer", False),
        ("outsider", False),
        ("other_organizer", False),
    ],
)
def test_get_plan_for_user_scoped(request, plan, persona, sees):
    user = request.getfixturevalue(persona)

    assert list(queries.plans_for_user(user)) == ([plan] if sees else [])
    if sees:
        assert queries.get_plan_for_user(user, plan.pk) == plan
    else:
        with pytest.raises(Http404):
            queries.get_plan_for_user(user, plan.pk)


def test_one_active_plan_per_enrolment_in_the_database(plan, enrollment):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ActionPlan.objects.create(enrollment=enrollment, agency_id=plan.agency_id, title="Dua")


def test_dates_are_stored(plan, participant):
    services.action_plan_update(plan=plan, by=participant, target_date=dt.date(2026, 12, 31))

    plan.refresh_from_db()
    assert plan.target_date == dt.date(2026, 12, 31)


def test_start_for_batch_starts_approved_plans_once(ready_plan, batch):
    in_state(ready_plan, PlanState.APPROVED)

    first = services.action_plans_start_for_batch(batch=batch)
    second = services.action_plans_start_for_batch(batch=batch)

    ready_plan.refresh_from_db()
    assert (first, second, ready_plan.state) == (1, 0, PlanState.IN_PROGRESS)
    row = ready_plan.transitions.get()
    assert (row.action, row.by) == ("start", None)
