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


# --- Plan list and review queue ---------------------------------------------------------------


def filter_plans(qs, *, program=None, batch=None, state="", text=""):
    if program is not None:
        qs = qs.filter(enrollment__batch__program=program)
    if batch is not None:
        qs = qs.filter(enrollment__batch=batch)
    if state:
        qs = qs.filter(state=state)
    if text:
        qs = qs.filter(Q(title__icontains=text) | Q(enrollment__employee__name__icontains=text))
    return qs


def _awaiting(role: str):
    """Plans whose program requires ``role``'s approval and that have no decision of that
    role in the current review round."""
    from django.db.models import Exists, OuterRef

    policy = "enrollment__batch__program__review_policy"
    required = Q(**{f"{policy}__isnull": True}) | Q(**{f"{policy}__require_{role}": True})
    decided = PlanApproval.objects.filter(
        plan=OuterRef("pk"), review_round=OuterRef("review_round"), role=role
    )
    return required & ~Exists(decided)


def review_queue_q(user) -> Q:
    """Plans awaiting ``user``'s decision as coach or mentor in the current review round:
    submitted, the role required by the program's review policy and not decided yet. Nobody
    reviews their own plan."""
    from .enums import PlanState

    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    employee_id = getattr(user, "employee_id", None)
    mine = Q(enrollment__coach_id=user.pk) & _awaiting("coach")
    if employee_id:
        mine |= Q(enrollment__mentor_id=employee_id) & _awaiting("mentor")
    condition = Q(state=PlanState.SUBMITTED) & mine
    if employee_id:
        condition &= ~Q(enrollment__employee_id=employee_id)
    return condition


def review_queue(user) -> QuerySet[ActionPlan]:
    """The review queue, oldest submission first, with ``awaiting_coach`` / ``awaiting_mentor``
    saying which of the user's roles is awaited."""
    from django.db.models import Case, When

    from .enums import PlanState

    if not getattr(user, "is_authenticated", False):
        return ActionPlan.objects.none()
    employee_id = getattr(user, "employee_id", None) or 0
    return (
        ActionPlan.objects.filter(review_queue_q(user))
        .select_related("enrollment__batch__program", "enrollment__employee")
        .annotate(
            awaiting_coach=Case(
                When(Q(enrollment__coach_id=user.pk) & _awaiting("coach"), then=True),
                default=False,
            ),
            awaiting_mentor=Case(
                When(Q(enrollment__mentor_id=employee_id) & _awaiting("mentor"), then=True),
                default=False,
            ),
        )
        .filter(state=PlanState.SUBMITTED)
        .order_by("submitted_at", "id")
    )


def review_queue_count(user) -> int:
    return ActionPlan.objects.filter(review_queue_q(user)).count()


# --- Peer clinic ------------------------------------------------------------------------------


def clinic_plans_for_user(user) -> QuerySet[ActionPlan]:
    """The ONE place that widens the plan scope: the plans a user may read in the peer clinic
    — those in their own scope (``plans_for_user``) plus, for a participant, the plans of
    their batch-mates that are open for the clinic (submitted at least once, not abandoned).
    Read-only: edits, reviews and similar plans keep using ``get_plan_for_user``."""
    from membumi.programs.models import Enrollment

    from . import rules

    qs = plans_for_user(user)
    employee_id = getattr(user, "employee_id", None)
    if not employee_id:
        return qs
    batches = (
        Enrollment.objects.filter(employee_id=employee_id)
        .exclude(state__in=rules.CLINIC_ENROLLMENT_EXCLUDED)
        .values("batch_id")
    )
    mates = Q(enrollment__batch_id__in=batches, review_round__gte=1) & ~Q(
        state__in=rules.CLINIC_CLOSED_STATES
    )
    in_scope = plans_for_user(user).values("pk")
    return ActionPlan.objects.select_related(
        "enrollment__batch__program__institution",
        "enrollment__employee",
        "enrollment__mentor",
        "enrollment__coach",
        "problem",
    ).filter(Q(pk__in=in_scope) | mates)


def get_clinic_plan_for_user(user, pk) -> ActionPlan:
    try:
        return clinic_plans_for_user(user).get(pk=pk)
    except (ActionPlan.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def clinic_batch_for_user(user, batch_pk):
    """A batch whose clinic the user may open: they take part in it (not withdrawn), teach it,
    organize it (or are administrator), or see a plan of it (coach, mentor). 404 otherwise."""
    from membumi.programs.models import Batch

    from . import rules

    try:
        batch = Batch.objects.select_related("program__institution").get(pk=batch_pk)
    except (Batch.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    employee_id = getattr(user, "employee_id", None)
    if (
        program_rules.batch_relations(user, batch)
        or (
            employee_id
            and batch.enrollments.filter(employee_id=employee_id)
            .exclude(state__in=rules.CLINIC_ENROLLMENT_EXCLUDED)
            .exists()
        )
        or plans_for_user(user).filter(enrollment__batch=batch).exists()
    ):
        return batch
    raise Http404


def clinic_plans(user, batch) -> QuerySet[ActionPlan]:
    """The batch's plans open for the clinic that the user may read, with the number of
    feedback given, given by the user, and unanswered."""
    from django.db.models import Count

    from . import rules

    return (
        clinic_plans_for_user(user)
        .filter(enrollment__batch=batch, review_round__gte=1)
        .exclude(state__in=rules.CLINIC_CLOSED_STATES)
        .annotate(
            n_feedback=Count("peer_feedback", distinct=True),
            n_mine=Count("peer_feedback", filter=Q(peer_feedback__author=user), distinct=True),
            n_unanswered=Count(
                "peer_feedback", filter=Q(peer_feedback__answered_at__isnull=True), distinct=True
            ),
        )
        .order_by("enrollment__employee__name", "id")
    )


def clinic_batches_for_user(user):
    """Batches whose clinic a participant takes part in (for links on the plan list)."""
    from membumi.programs.models import Batch, Enrollment

    from . import rules

    employee_id = getattr(user, "employee_id", None)
    if not employee_id:
        return Batch.objects.none()
    mine = (
        Enrollment.objects.filter(employee_id=employee_id)
        .exclude(state__in=rules.CLINIC_ENROLLMENT_EXCLUDED)
        .values("batch_id")
    )
    return (
        Batch.objects.filter(pk__in=mine).select_related("program").order_by("-start_date", "-id")
    )


def feedback_thread(plan):
    from .models import PeerFeedback

    return PeerFeedback.objects.filter(plan=plan).select_related("author__employee")
