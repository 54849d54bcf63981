"""Every allowed and every refused step of the plan lifecycle, for every persona
(parametrised over ``rules.PLAN_TRANSITIONS``), plus the approval policy and history rows."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from membumi.action_plans import analysis, rules, services
from membumi.action_plans.enums import Decision, PlanAction, PlanState
from membumi.action_plans.models import ActionPlan, PlanApproval, PlanTransition, ReviewPolicy
from membumi.core.exceptions import TransitionNotAllowed
from membumi.monitoring.tests.factories import add_measurement

from .conftest import in_state

# persona fixture → the relation it has to the plan (None: no relation at all)
PERSONAS = {
    "participant": "participant",
    "mentor": "mentor",
    "trainer": "coach",
    "organizer": "organizer",
    "admin_user": "admin",
    "system": "system",
    "other_organizer": None,
    "outsider": None,
    "viewer": None,
}


def _user(request, persona):
    return None if persona == "system" else request.getfixturevalue(persona)


def _arrange(plan, state, participant=None):
    """Put a ready plan in ``state`` with whatever the step from there needs."""
    plan = in_state(plan, state)
    ActionPlan.objects.filter(pk=plan.pk).update(review_round=1)
    if state == PlanState.IN_PROGRESS:
        plan.milestones.update(status="done")
    if state in (PlanState.IN_PROGRESS, PlanState.COMPLETED):
        # monitoring guards complete (a final measurement) and verify (an accepted one)
        add_measurement(plan)
    plan.refresh_from_db()
    return plan


ALLOWED = [
    (action, state, persona)
    for action, (sources, _target, who) in rules.PLAN_TRANSITIONS.items()
    for state in sorted(sources)
    for persona, relation in PERSONAS.items()
    if relation in who
]
REFUSED_ROLE = [
    (action, sorted(sources)[0], persona)
    for action, (sources, _target, who) in rules.PLAN_TRANSITIONS.items()
    for persona, relation in PERSONAS.items()
    if relation not in who
]
REFUSED_STATE = [
    (action, state, next(p for p, r in PERSONAS.items() if r in who))
    for action, (sources, _target, who) in rules.PLAN_TRANSITIONS.items()
    for state in PlanState
    if state not in sources
]


@pytest.mark.parametrize(("action", "state", "persona"), ALLOWED)
def test_transition_allowed(request, ready_plan, mentor, participant, action, state, persona):
    by = _user(request, persona)
    plan = _arrange(ready_plan, state)
    if action == PlanAction.ABANDON and persona == "mentor":
        services.action_plan_transition(plan=plan, action=action, by=participant, note="Pindah")
    before = PlanTransition.objects.filter(plan=plan).count()

    plan = services.action_plan_transition(plan=plan, action=action, by=by, note="Alasan")

    plan.refresh_from_db()
    _sources, target, _who = rules.PLAN_TRANSITIONS[action]
    if action == PlanAction.APPROVE:  # one of the two default approvals
        target = PlanState.SUBMITTED
    if action == PlanAction.ABANDON and persona == "participant":  # a request for the mentor
        target = state
        assert plan.abandon_requested_at is not None
    assert plan.state == target
    row = PlanTransition.objects.filter(plan=plan).latest("id")
    assert PlanTransition.objects.filter(plan=plan).count() == before + 1
    assert (row.from_state, row.to_state, row.by) == (state, target, by)


@pytest.mark.parametrize(("action", "state", "persona"), REFUSED_ROLE)
def test_transition_refused_for_role(request, ready_plan, action, state, persona):
    by = _user(request, persona)
    plan = _arrange(ready_plan, state)

    with pytest.raises(PermissionDenied, match=r"Only .* may"):
        services.action_plan_transition(plan=plan, action=action, by=by, note="Alasan")

    plan.refresh_from_db()
    assert plan.state == state
    assert not plan.transitions.exists()


@pytest.mark.parametrize(("action", "state", "persona"), REFUSED_STATE)
def test_transition_refused_in_state(request, ready_plan, action, state, persona):
    by = _user(request, persona)
    plan = _arrange(ready_plan, state)

    with pytest.raises(TransitionNotAllowed, match=r"Cannot .* the action plan: it is"):
        services.action_plan_transition(plan=plan, action=action, by=by, note="Alasan")

    plan.refresh_from_db()
    assert plan.state == state
    assert not plan.transitions.exists()


def test_transition_unknown_action_refused(ready_plan, participant):
    with pytest.raises(TransitionNotAllowed, match="Unknown action"):
        services.action_plan_transition(plan=ready_plan, action="publish", by=participant)


# --- submit ------------------------------------------------------------------------------------


def _blocking(plan):
    return {
        f.code: f.message for f in analysis.plan_quality(plan).findings if f.severity == "blocking"
    }


def _submit_refusal(plan, by) -> str:
    with pytest.raises(TransitionNotAllowed) as exc:
        services.action_plan_transition(plan=plan, action="submit", by=by)
    plan.refresh_from_db()
    assert plan.state in (PlanState.DRAFT, PlanState.REVISION_REQUESTED)
    assert not plan.transitions.filter(action="submit").exists()
    return str(exc.value)


def test_ready_plan_has_no_blocking_findings(ready_plan):
    assert _blocking(ready_plan) == {}


def test_submit_incomplete_plan_lists_every_blocking_finding(plan, participant):
    plan.problem = None
    plan.save()
    blocking = _blocking(plan)

    message = _submit_refusal(plan, participant)

    assert message.startswith("The plan cannot be submitted yet:")
    assert {"problem_missing", "goal_missing", "target_missing", "milestone_term_missing"} <= set(
        blocking
    )
    for text in blocking.values():
        assert text in message


@pytest.mark.parametrize(
    ("direction", "target", "refused"),
    [
        ("decrease", "60", False),
        ("decrease", "180", True),
        ("decrease", "200", True),
        ("increase", "200", False),
        ("increase", "180", True),
        ("increase", "60", True),
    ],
)
def test_submit_target_must_improve_on_baseline(
    ready_plan, participant, direction, target, refused
):
    services.action_plan_update(
        plan=ready_plan, by=participant, indicator_direction=direction, target_value=target
    )

    if refused:
        message = _submit_refusal(ready_plan, participant)
        assert _blocking(ready_plan)["target_not_improvement"] in message
    else:
        plan = services.action_plan_transition(plan=ready_plan, action="submit", by=participant)
        assert plan.state == PlanState.SUBMITTED


def test_submit_needs_validated_problem(ready_plan, participant, problem):
    type(problem).objects.filter(pk=problem.pk).update(state="open")

    message = _submit_refusal(ready_plan, participant)

    assert _blocking(ready_plan)["problem_not_validated"] in message


def test_submit_refused_for_milestone_outside_its_term(ready_plan, participant):
    milestone = ready_plan.milestones.get(term="short")
    services.milestone_update(milestone=milestone, by=participant, due_date=dt.date(2026, 9, 1))

    message = _submit_refusal(ready_plan, participant)

    assert _blocking(ready_plan)["milestone_date_out_of_term"] in message


def test_submit_latsar_needs_berakhlak_values(ready_plan, participant, program):
    type(program).objects.filter(pk=program.pk).update(program_type="latsar")
    milestone = ready_plan.milestones.first()
    services.milestone_update(milestone=milestone, by=participant, values=[])

    message = _submit_refusal(ready_plan, participant)

    assert "BerAKHLAK" in message


def test_submit_readiness_minimum_of_design(plan):
    """The DESIGN §4 minimum that stands behind the quality check."""
    plan.problem = None
    plan.save()

    refusals = rules.submit_readiness(plan)

    assert refusals[:3] == [
        "Choose the problem the plan addresses.",
        "Write the goal.",
        "Give the target value and its date.",
    ]
    assert "Short term" in refusals[3] and "Long term" in refusals[3]


def test_submit_readiness_clear_for_ready_plan(ready_plan):
    assert rules.submit_readiness(ready_plan) == []


# --- review ------------------------------------------------------------------------------------


def _submitted(plan, participant):
    return services.action_plan_transition(plan=plan, action="submit", by=participant)


def test_approve_needs_both_by_default(ready_plan, participant, trainer, mentor):
    plan = _submitted(ready_plan, participant)

    plan = services.action_plan_transition(plan=plan, action="approve", by=trainer)
    assert plan.state == PlanState.SUBMITTED
    plan = services.action_plan_transition(plan=plan, action="approve", by=mentor)

    assert plan.state == PlanState.APPROVED
    assert plan.approved_at is not None
    assert set(PlanApproval.objects.filter(plan=plan).values_list("role", "decision")) == {
        ("coach", Decision.APPROVED),
        ("mentor", Decision.APPROVED),
    }


@pytest.mark.parametrize(
    ("coach", "mentor_required", "approver"),
    [
        (True, False, "trainer"),
        (False, True, "mentor"),
    ],
)
def test_approve_one_required_by_policy(
    request, ready_plan, participant, program, coach, mentor_required, approver
):
    ReviewPolicy.objects.create(
        program=program, require_coach=coach, require_mentor=mentor_required
    )
    plan = _submitted(ready_plan, participant)

    plan = services.action_plan_transition(
        plan=plan, action="approve", by=request.getfixturevalue(approver)
    )

    assert plan.state == PlanState.APPROVED


def test_approve_twice_by_same_reviewer_refused(ready_plan, participant, trainer):
    plan = _submitted(ready_plan, participant)
    services.action_plan_transition(plan=plan, action="approve", by=trainer)

    with pytest.raises(TransitionNotAllowed, match="already approved"):
        services.action_plan_transition(plan=plan, action="approve", by=trainer)


def test_request_revision_needs_reason(ready_plan, participant, mentor):
    plan = _submitted(ready_plan, participant)

    with pytest.raises(ValidationError):
        services.action_plan_transition(plan=plan, action="request_revision", by=mentor)

    plan.refresh_from_db()
    assert plan.state == PlanState.SUBMITTED


def test_resubmission_resets_approvals(ready_plan, participant, trainer, mentor):
    plan = _submitted(ready_plan, participant)
    services.action_plan_transition(plan=plan, action="approve", by=trainer)
    services.action_plan_transition(
        plan=plan, action="request_revision", by=mentor, note="Target terlalu rendah"
    )
    plan = _submitted(plan, participant)

    plan = services.action_plan_transition(plan=plan, action="approve", by=mentor)

    assert plan.state == PlanState.SUBMITTED  # the coach's earlier approval no longer counts
    assert plan.review_round == 2
    assert [a.role for a in services.current_approvals(plan)] == ["mentor"]


def test_history_records_each_step(ready_plan, participant, trainer, mentor):
    plan = _submitted(ready_plan, participant)
    services.action_plan_transition(
        plan=plan, action="request_revision", by=trainer, note="Perjelas"
    )
    plan = _submitted(plan, participant)
    services.action_plan_transition(plan=plan, action="approve", by=trainer)
    services.action_plan_transition(plan=plan, action="approve", by=mentor)

    rows = list(plan.transitions.values_list("action", "from_state", "to_state", "by__username"))

    assert rows == [
        ("submit", "draft", "submitted", "peserta"),
        ("request_revision", "submitted", "revision_requested", "widyaiswara"),
        ("submit", "revision_requested", "submitted", "peserta"),
        ("approve", "submitted", "submitted", "widyaiswara"),
        ("approve", "submitted", "approved", "mentor"),
    ]
    assert plan.transitions.get(action="request_revision").note == "Perjelas"


# --- complete, abandon -------------------------------------------------------------------------


def test_complete_refused_while_milestones_open(ready_plan, participant):
    plan = in_state(ready_plan, PlanState.IN_PROGRESS)

    with pytest.raises(TransitionNotAllowed, match="neither done nor explained"):
        services.action_plan_transition(plan=plan, action="complete", by=participant)


def test_complete_accepts_dropped_milestone_with_note(ready_plan, participant):
    plan = in_state(ready_plan, PlanState.IN_PROGRESS)
    plan.milestones.update(status="done")
    add_measurement(plan)
    services.milestone_update(
        milestone=plan.milestones.first(), by=participant, status="dropped", status_note="Anggaran"
    )

    plan = services.action_plan_transition(plan=plan, action="complete", by=participant)

    assert plan.state == PlanState.COMPLETED


def test_abandon_by_participant_waits_for_mentor(ready_plan, participant, mentor):
    services.action_plan_transition(
        plan=ready_plan, action="abandon", by=participant, note="Mutasi"
    )

    plan = ActionPlan.objects.get(pk=ready_plan.pk)
    assert plan.state == PlanState.DRAFT
    plan = services.action_plan_transition(plan=plan, action="abandon", by=mentor)

    assert plan.state == PlanState.ABANDONED
    assert plan.transitions.latest("id").note == "Mutasi"


def test_abandon_by_mentor_without_request_refused(ready_plan, mentor):
    with pytest.raises(TransitionNotAllowed, match="none is pending"):
        services.action_plan_transition(plan=ready_plan, action="abandon", by=mentor)


@pytest.mark.parametrize("persona", ["participant", "organizer"])
def test_abandon_needs_reason(request, ready_plan, persona):
    with pytest.raises(ValidationError):
        services.action_plan_transition(
            plan=ready_plan, action="abandon", by=request.getfixturevalue(persona)
        )


def test_abandoned_plan_frees_the_enrolment(ready_plan, organizer, participant, enrollment):
    services.action_plan_transition(plan=ready_plan, action="abandon", by=organizer, note="Salah")

    again = services.action_plan_create(enrollment=enrollment, by=participant, title="Baru")

    assert ActionPlan.objects.filter(enrollment=enrollment).count() == 2
    assert again.state == PlanState.DRAFT


# --- The pass gate -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "passes"),
    [(s, s in rules.PASSING_PLAN_STATES) for s in PlanState],
)
def test_pass_gate_needs_approved_plan(ready_plan, enrollment, state, passes):
    in_state(ready_plan, state)

    refusal = rules.enrollment_has_approved_plan(enrollment)

    assert (refusal is None) == passes
    if not passes:
        assert refusal == "The participant has no approved action plan."
