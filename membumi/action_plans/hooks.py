"""What the action-plans stage plugs into the programs stage (registered in ``apps.py``), so
programs never imports action plans."""

from django.utils.translation import gettext as _

from membumi.programs.rules import EnrollmentFact

from .enums import PlanAction, PlanState
from .models import ActionPlan

# A plan in these states is finished: nobody follows it any more.
CLOSED_STATES = {PlanState.VERIFIED, PlanState.ABANDONED}


def plan_facts(enrollment_ids) -> dict[int, EnrollmentFact]:
    """enrolment id → the state of its current plan (the latest, abandoned only when there is
    no other), in one query."""
    facts = {}
    plans = ActionPlan.objects.filter(enrollment_id__in=list(enrollment_ids)).order_by(
        "enrollment_id", "-id"
    )
    for enrollment_id, state in plans.values_list("enrollment_id", "state"):
        current = facts.get(enrollment_id)
        if current is not None and current[0] != PlanState.ABANDONED:
            continue
        if current is None or state != PlanState.ABANDONED:
            facts[enrollment_id] = (state, PlanState(state).label)
    return {
        pk: EnrollmentFact(
            label=_("Action plan: %(state)s") % {"state": label},
            open=state not in CLOSED_STATES,
        )
        for pk, (state, label) in facts.items()
    }


def abandon_open_plan(*, enrollment, by, note) -> list[str]:
    """The participant left: the organizer abandons their open plan (its history stays)."""
    from .services import action_plan_transition

    closed = []
    for plan in ActionPlan.objects.filter(enrollment=enrollment).exclude(state__in=CLOSED_STATES):
        action_plan_transition(plan=plan, action=PlanAction.ABANDON, by=by, note=note)
        closed.append(_("The action plan “%(title)s” was abandoned.") % {"title": plan.title})
    return closed
