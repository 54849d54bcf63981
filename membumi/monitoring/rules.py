"""Who may do what in monitoring, the update lifecycle, and the guards monitoring plugs into
the plan lifecycle (``action_plans.rules.GUARDS``, registered in ``apps.py``).

Relations of a user to an update are those to its plan (``action_plans.rules.plan_relations``):
participant, mentor, coach, organizer (of the batch's institution), admin.
"""

from django.utils.translation import gettext as _

from membumi.action_plans.enums import PlanState
from membumi.action_plans.rules import plan_relations

from .enums import MeasurementState, UpdateAction, UpdateState

S = UpdateState

# action: (allowed from-states, to-state, relations that may take it)
UPDATE_TRANSITIONS = {
    UpdateAction.ACCEPT: ({S.SUBMITTED}, S.ACCEPTED, frozenset({"mentor"})),
    UpdateAction.REJECT: ({S.SUBMITTED}, S.REJECTED, frozenset({"mentor"})),
}
NOTE_REQUIRED = {UpdateAction.REJECT}

# A participant reports progress on an approved plan (the first update starts it) or one in
# progress.
UPDATABLE_PLAN_STATES = {PlanState.APPROVED, PlanState.IN_PROGRESS}
# Plans still being carried out (for the boards: a closed plan is never "late" or "silent").
OPEN_PLAN_STATES = {PlanState.APPROVED, PlanState.IN_PROGRESS}
# Who sees a plan's updates, measurements and evidence files.
VIEWERS = frozenset({"participant", "mentor", "coach", "organizer", "admin"})
SILENT_AFTER_DAYS = 30


def can_view_monitoring(user, plan) -> bool:
    return bool(plan_relations(user, plan) & VIEWERS)


def can_add_update(user, plan) -> bool:
    return plan.state in UPDATABLE_PLAN_STATES and "participant" in plan_relations(user, plan)


def can_decide(user, update) -> bool:
    return update.state == S.SUBMITTED and "mentor" in plan_relations(user, update.plan)


# --- Guards plugged into the plan lifecycle ----------------------------------------------------


def plan_has_final_measurement(plan) -> str | None:
    """``complete``: a final measurement is recorded (one that is not rejected)."""
    from .models import Measurement

    if Measurement.objects.filter(plan=plan).exclude(state=MeasurementState.REJECTED).exists():
        return None
    return _("Record a final measurement of the indicator in a progress update first.")


def plan_has_accepted_measurement(plan) -> list[str]:
    """``verify``: no update awaits a decision, and at least one measurement is accepted."""
    from .models import Measurement, ProgressUpdate

    refusals = []
    pending = ProgressUpdate.objects.filter(plan=plan, state=S.SUBMITTED).count()
    if pending:
        refusals.append(
            _("%(n)d progress update(s) still await your decision: accept or reject them first.")
            % {"n": pending}
        )
    if not Measurement.objects.filter(plan=plan, state=MeasurementState.ACCEPTED).exists():
        refusals.append(_("No measurement of the indicator has been accepted yet."))
    return refusals
