"""Who may do what with action plans, and the plan lifecycle (DESIGN §4).

``PLAN_TRANSITIONS`` is the table ``action: (from-states, to-state, relations that may act)``;
``services.action_plan_transition`` is the only code that reads it to change ``state``. Guards
are small functions ``guard(plan) -> message | list of messages | None`` listed per action.

Relations of a user to a plan are those to its enrolment (``programs.rules``): ``participant``
(the plan is theirs), ``mentor``, ``coach``, ``organizer`` (of the batch's institution),
``admin``; plus ``system`` when no user acts (the automatic start at the batch end).

Two steps do not always change the state: ``approve`` leaves the plan ``submitted`` until
every approval the program requires is in, and a participant's ``abandon`` is a request that
the mentor acknowledges (with their own ``abandon``); an organizer abandons at once.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from membumi.problems.enums import Direction
from membumi.programs import rules as program_rules
from membumi.programs.enums import ProgramType

from .enums import BerAkhlak, PlanAction, PlanState, ReviewerRole, Term

S = PlanState
A = PlanAction

ORGANIZERS = frozenset({"organizer", "admin"})
REVIEWERS = frozenset({"coach", "mentor"})

# action: (allowed from-states, to-state, relations that may take it)
PLAN_TRANSITIONS = {
    A.SUBMIT: ({S.DRAFT, S.REVISION_REQUESTED}, S.SUBMITTED, frozenset({"participant"})),
    A.APPROVE: ({S.SUBMITTED}, S.APPROVED, REVIEWERS),
    A.REQUEST_REVISION: ({S.SUBMITTED}, S.REVISION_REQUESTED, REVIEWERS),
    A.START: ({S.APPROVED}, S.IN_PROGRESS, frozenset({"participant", "system"})),
    A.COMPLETE: ({S.IN_PROGRESS}, S.COMPLETED, frozenset({"participant"})),
    A.VERIFY: ({S.COMPLETED}, S.VERIFIED, frozenset({"mentor"})),
    A.REJECT: ({S.COMPLETED}, S.IN_PROGRESS, frozenset({"mentor"})),
    A.ABANDON: (
        {S.DRAFT, S.SUBMITTED, S.REVISION_REQUESTED, S.APPROVED, S.IN_PROGRESS, S.COMPLETED},
        S.ABANDONED,
        frozenset({"participant", "mentor"}) | ORGANIZERS,
    ),
}
# Steps that need a reason in ``note`` (for abandon: from the participant and the organizer;
# the mentor acknowledges the participant's reason).
NOTE_REQUIRED = {A.REQUEST_REVISION, A.REJECT, A.ABANDON}

# The plan, its milestones and stakeholders are edited only in these states.
EDITABLE_STATES = {S.DRAFT, S.REVISION_REQUESTED}
# A plan is written for an enrolment that is still running.
PLANNABLE_ENROLLMENT_STATES = {"enrolled", "active"}
# Problems a plan may address (validated by the mentor, or further along).
ADDRESSABLE_PROBLEM_STATES = {"validated", "addressed"}

RELATION_LABELS = {
    "participant": gettext_lazy("the participant"),
    "coach": gettext_lazy("the coach"),
    "mentor": gettext_lazy("the mentor"),
    "organizer": gettext_lazy("the organizer of the institution"),
    "admin": gettext_lazy("the administrator"),
    "system": gettext_lazy("the system"),
}


def who_may(relations) -> str:
    return _(" or ").join(str(label) for r, label in RELATION_LABELS.items() if r in relations)


def plan_relations(user, plan) -> set[str]:
    if user is None:
        return {"system"}
    relations = program_rules.enrollment_relations(user, plan.enrollment)
    if "participant" in relations:
        # Nobody reviews their own plan: a trainer enrolled in a batch they teach may have
        # been given as their own coach.
        relations -= REVIEWERS
    return relations


def is_plan_owner(user, plan) -> bool:
    return "participant" in plan_relations(user, plan)


def plan_is_editable(plan) -> bool:
    return plan.state in EDITABLE_STATES


def can_edit_plan(user, plan) -> bool:
    return plan_is_editable(plan) and is_plan_owner(user, plan)


def can_see_similar(user, plan) -> bool:
    """Near-duplicates are shown to the coach and the organizer only (never to participants)."""
    return bool(plan_relations(user, plan) & ({"coach"} | ORGANIZERS))


def similar_plan_shown(other, *, in_scope: bool) -> bool:
    """A near-duplicate is shown when it is in the viewer's own scope, or — outside it (another
    institution, another coach's class) — only once it has been submitted: a draft nobody
    outside its own class has seen stays private to that class."""
    return in_scope or other.submitted_at is not None


def allowed_actions(state, relations) -> list[str]:
    return [
        action
        for action, (sources, _t, who) in PLAN_TRANSITIONS.items()
        if state in sources and relations & who
    ]


def reviewer_roles(relations) -> set[str]:
    return {r for r in (ReviewerRole.COACH, ReviewerRole.MENTOR) if r in relations}


def required_approvals(plan) -> set[str]:
    """The reviewer roles whose approval the plan's program requires (both by default)."""
    return program_required_approvals(plan.enrollment.batch.program)


def program_required_approvals(program) -> set[str]:
    from .models import ReviewPolicy

    try:
        return program.review_policy.required_roles()
    except ReviewPolicy.DoesNotExist:
        return {ReviewerRole.COACH, ReviewerRole.MENTOR}


# --- Guards ------------------------------------------------------------------------------------


def submit_readiness(plan) -> list[str]:
    """What the plan still lacks before it can be submitted (DESIGN §4)."""
    refusals = []
    if plan.problem_id is None:
        refusals.append(_("Choose the problem the plan addresses."))
    elif plan.problem.state not in ADDRESSABLE_PROBLEM_STATES:
        refusals.append(_("The problem has not been validated by the mentor yet."))
    if not plan.goal.strip():
        refusals.append(_("Write the goal."))
    if not plan.indicator_name.strip() or not plan.indicator_unit.strip():
        refusals.append(_("Name the indicator and its unit."))
    if plan.baseline_value is None or plan.baseline_date is None:
        refusals.append(_("Give the baseline value and its date."))
    if plan.target_value is None or plan.target_date is None:
        refusals.append(_("Give the target value and its date."))
    if plan.baseline_value is not None and plan.target_value is not None:
        if plan.indicator_direction == Direction.INCREASE:
            improves = plan.target_value > plan.baseline_value
        else:
            improves = plan.target_value < plan.baseline_value
        if not improves:
            refusals.append(
                _("The target must improve on the baseline (%(direction)s).")
                % {"direction": plan.get_indicator_direction_display()}
            )
    milestones = list(plan.milestones.all())
    terms = {m.term for m in milestones}
    missing = [str(t.label) for t in Term if t not in terms]
    if missing:
        refusals.append(
            _("Add at least one milestone for: %(terms)s.") % {"terms": ", ".join(missing)}
        )
    if plan.enrollment.batch.program.program_type == ProgramType.LATSAR:
        valid = set(BerAkhlak.values)
        bare = [m for m in milestones if not (set(m.values) & valid)]
        if bare:
            refusals.append(
                _("Latsar: map every milestone to at least one BerAKHLAK value (%(n)d missing).")
                % {"n": len(bare)}
            )
    return refusals


def milestones_closed(plan) -> str | None:
    open_ = [
        m
        for m in plan.milestones.all()
        if not (m.status == "done" or (m.status == "dropped" and m.status_note.strip()))
    ]
    if open_:
        return _(
            "%(n)d milestone(s) are neither done nor explained: mark them done, or dropped "
            "with a note."
        ) % {"n": len(open_)}
    return None


# Plans that count for the pass gate (DESIGN §4: "passes only with an approved plan").
PASSING_PLAN_STATES = {S.APPROVED, S.IN_PROGRESS, S.COMPLETED, S.VERIFIED}


def enrollment_has_approved_plan(enrollment) -> str | None:
    """The action-plans half of the enrolment pass gate (a guard for
    ``programs.rules.ENROLLMENT_GUARDS["pass"]``)."""
    from .models import ActionPlan

    if ActionPlan.objects.filter(enrollment=enrollment, state__in=PASSING_PLAN_STATES).exists():
        return None
    return _("The participant has no approved action plan.")


def enrollments_have_approved_plan(enrollments) -> dict[int, list[str]]:
    """``enrollment_has_approved_plan`` for many enrolments in one query (a guard for
    ``programs.rules.ENROLLMENT_BATCH_GUARDS["pass"]``)."""
    from .models import ActionPlan

    ids = [e.pk for e in enrollments]
    approved = set(
        ActionPlan.objects.filter(enrollment_id__in=ids, state__in=PASSING_PLAN_STATES).values_list(
            "enrollment_id", flat=True
        )
    )
    message = _("The participant has no approved action plan.")
    return {pk: [message] for pk in ids if pk not in approved}


def submit_blockers(plan) -> list[str]:
    """The quality check's blocking findings (``membumi.text.quality`` through
    ``analysis.py``); the DESIGN §4 minimum above stands in only where the check finds
    nothing blocking, so a plan never slips through a gap between the two."""
    from .analysis import plan_quality

    blocking = [f.message for f in plan_quality(plan).findings if f.severity == "blocking"]
    return list(dict.fromkeys(blocking)) or submit_readiness(plan)


GUARDS = {
    A.SUBMIT: [submit_blockers],
    A.COMPLETE: [milestones_closed],
}

# Effects of a step taken, plugged in by later stages (``effect(plan=, by=, note=)``, called by
# ``services.action_plan_transition`` after the state changed, inside its transaction).
EFFECTS: dict = {}


def guard_refusals(action, plan) -> list[str]:
    refusals = []
    for guard in GUARDS.get(action, []):
        result = guard(plan)
        if isinstance(result, str):
            refusals.append(result)
        elif result:
            refusals.extend(result)
    return refusals


# --- Review queue and plan list ---------------------------------------------------------------


def can_browse_plans(user) -> bool:
    """The "Action plans" page: anyone with an employee record (own plans, mentees' plans),
    trainers (coachees' plans), organizers and administrators."""
    from membumi.accounts.enums import Role
    from membumi.accounts.queries import user_roles

    if getattr(user, "employee_id", None):
        return True
    return user_roles(user).has(Role.TRAINER, Role.ORGANIZER, Role.PLATFORM_ADMIN)


def may_review_plans(user) -> bool:
    """Whether the navigation shows the review queue (and spends one COUNT query on it):
    trainers (coaches) and mentors. The queue page itself is open to anyone and lists only
    plans awaiting the user's own decision."""
    from membumi.accounts.enums import Role
    from membumi.accounts.queries import user_roles

    return user_roles(user).has(Role.TRAINER, Role.MENTOR)


# --- Peer clinic ------------------------------------------------------------------------------
# Participants of the same batch give structured feedback on each other's plans once the plan
# has been submitted (at least once) and while it is not abandoned. Batch-mates read such
# plans in the clinic, read-only (``queries.clinic_plans_for_user``, the one place that widens
# the plan scope); never the similarity results. The plan's participant answers each feedback;
# coach, organizer and administrator see all of it, the mentor reads it.

CLINIC_CLOSED_STATES = {S.ABANDONED}
# Enrolments whose participant takes part in the clinic of their batch.
CLINIC_ENROLLMENT_EXCLUDED = {"withdrawn"}
# Relations that read the whole clinic thread of a plan (besides batch-mates).
CLINIC_READERS = frozenset({"participant", "coach", "mentor"}) | ORGANIZERS


def plan_open_for_clinic(plan) -> bool:
    return plan.review_round >= 1 and plan.state not in CLINIC_CLOSED_STATES


def is_batch_mate(user, plan) -> bool:
    """A participant (not withdrawn) of the plan's batch other than the plan's author."""
    from membumi.programs.models import Enrollment

    employee_id = getattr(user, "employee_id", None)
    if not employee_id or plan.enrollment.employee_id == employee_id:
        return False
    return (
        Enrollment.objects.filter(batch_id=plan.enrollment.batch_id, employee_id=employee_id)
        .exclude(state__in=CLINIC_ENROLLMENT_EXCLUDED)
        .exists()
    )


def feedback_refusal(user, plan) -> str | None:
    """Why ``user`` may not give feedback on ``plan`` (None: they may)."""
    if is_plan_owner(user, plan):
        return _("You cannot give feedback on your own plan; answer your batch-mates instead.")
    if not is_batch_mate(user, plan):
        return _("Only participants of the same batch give feedback in the peer clinic.")
    if plan.state in CLINIC_CLOSED_STATES:
        return _("The plan was abandoned; the peer clinic is closed for it.")
    if plan.review_round < 1:
        return _("The plan has not been submitted yet; feedback opens after the first submission.")
    return None


def can_give_feedback(user, plan) -> bool:
    return feedback_refusal(user, plan) is None


def answer_refusal(user, feedback) -> str | None:
    """Why ``user`` may not answer ``feedback`` (None: they may)."""
    if not is_plan_owner(user, feedback.plan):
        return _("Only the plan's participant answers feedback on it.")
    if feedback.answered_at is not None:
        return _("This feedback has already been answered.")
    if feedback.plan.state in CLINIC_CLOSED_STATES:
        return _("The plan was abandoned; the peer clinic is closed for it.")
    return None


def can_answer_feedback(user, feedback) -> bool:
    return answer_refusal(user, feedback) is None


def can_read_clinic_thread(user, plan) -> bool:
    """The plan's participant, coach, mentor, organizer, administrator; a batch-mate once the
    plan is open for the clinic."""
    if plan_relations(user, plan) & CLINIC_READERS:
        return True
    return plan_open_for_clinic(plan) and is_batch_mate(user, plan)
