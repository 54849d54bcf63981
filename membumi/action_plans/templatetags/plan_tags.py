"""Template tags other stages use to show a participant's action plan.

``{% attach_action_plans enrollments %}`` (My training) gives each enrolment, in one query,
``action_plan`` (its active plan or ``None``) and ``can_write_plan`` (no active plan yet and
the enrolment still running), so ``programs`` does not import action plans.
"""

from django import template

from ..enums import PlanState
from ..models import ActionPlan
from ..rules import PLANNABLE_ENROLLMENT_STATES

register = template.Library()


@register.simple_tag
def attach_action_plans(enrollments) -> str:
    enrollments = list(enrollments)
    plans = {
        plan.enrollment_id: plan
        for plan in ActionPlan.objects.filter(enrollment__in=[e.pk for e in enrollments])
        .exclude(state=PlanState.ABANDONED)
        .only("pk", "enrollment_id", "state", "title")
    }
    for enrollment in enrollments:
        enrollment.action_plan = plans.get(enrollment.pk)
        enrollment.can_write_plan = (
            enrollment.action_plan is None and enrollment.state in PLANNABLE_ENROLLMENT_STATES
        )
    return ""
