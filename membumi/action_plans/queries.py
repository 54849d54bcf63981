"""Reads of action plans, scoped to the user: the participant sees their own plans, the mentor
their mentees', the coach their coachees', the organizer their institution's, the administrator
all; anyone else sees none (and gets 404 for a plan's URL)."""

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from membumi.programs import rules as program_rules

from .models import ActionPlan, PlanApproval, PlanTransition


def plans_for_user(user) -> QuerySet[ActionPlan]:
    qs = ActionPlan.objects.select_related(
        "enrollment__batch__program__institution",
        "enrollment__employee",
        "enrollment__mentor",
        "enrollment__coach",
        "problem",
    )
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if program_rules.is_platform_admin(user):
        return qs
    condition = Q(
        enrollment__batch__program__institution_id__in=program_rules.organizer_institution_ids(user)
    )
    employee_id = getattr(user, "employee_id", None)
    if employee_id:
        condition |= Q(enrollment__employee_id=employee_id) | Q(enrollment__mentor_id=employee_id)
    condition |= Q(enrollment__coach_id=user.pk)
    return qs.filter(condition)


def plan_list(user) -> QuerySet[ActionPlan]:
    """The plans a user sees with what a list shows (milestones, current approvals), in a
    fixed number of queries."""
    return plans_for_user(user).prefetch_related(
        "milestones",
        "stakeholders",
        Prefetch("approvals", queryset=PlanApproval.objects.select_related("by")),
    )


def get_plan_for_user(user, pk) -> ActionPlan:
    try:
        return plan_list(user).get(pk=pk)
    except (ActionPlan.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_milestone_for_user(user, plan_pk, pk):
    plan = get_plan_for_user(user, plan_pk)
    for milestone in plan.milestones.all():
        if milestone.pk == pk:
            return plan, milestone
    raise Http404


def plan_history(plan) -> QuerySet[PlanTransition]:
    return plan.transitions.select_related("by").order_by("created_at", "id")
