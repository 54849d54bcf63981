"""Security review: separation of duties on action plans (each test failed before its fix)."""

import pytest
from django.core.exceptions import PermissionDenied

from membumi.accounts.enums import Role
from membumi.action_plans import rules, services
from membumi.action_plans.models import PlanApproval
from membumi.programs import services as program_services
from membumi.testing.factories import RoleAssignmentFactory


@pytest.fixture
def self_coached(enrollment, participant, institution, organizer):
    """The participant is also a trainer of the batch and was given as their own coach."""
    RoleAssignmentFactory(user=participant, role=Role.TRAINER, institution=institution)
    enrollment.batch.trainers.add(participant)
    return program_services.enrollment_update(
        enrollment=enrollment, by=organizer, coach=participant
    )


def test_participant_who_is_their_own_coach_cannot_approve_their_plan(
    self_coached, ready_plan, participant
):
    plan = services.action_plan_transition(plan=ready_plan, action="submit", by=participant)
    assert "approve" not in rules.allowed_actions(
        plan.state, rules.plan_relations(participant, plan)
    )

    with pytest.raises(PermissionDenied):
        services.action_plan_transition(plan=plan, action="approve", by=participant)

    assert not PlanApproval.objects.filter(plan=plan).exists()
