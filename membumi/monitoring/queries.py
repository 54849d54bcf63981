"""Reads for monitoring, scoped to the user through ``action_plans.queries.plans_for_user``
(participant: own plans; mentor: mentees'; coach: coachees'; organizer: the institution's;
administrator: all). Objects outside the scope raise ``Http404``.

The boards annotate each plan with its last update, overdue milestones, a blocked milestone
and the latest accepted value, so a page costs the same few queries for 1 plan or 1,000.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from membumi.action_plans.enums import PlanState
from membumi.action_plans.models import ActionPlan, Milestone, PlanTransition
from membumi.action_plans.queries import plans_for_user
from membumi.programs import rules as program_rules
from membumi.programs.models import Batch

from . import rules
from .achievement import achievement
from .enums import MeasurementState, ProgressStatus, UpdateState
from .models import Evidence, Measurement, MilestoneProgress, ProgressUpdate, UpdateDecision

CLOSED_MILESTONE = ("done", "dropped")


# --- Scope -------------------------------------------------------------------------------------


def monitored_plans_for_user(user) -> QuerySet[ActionPlan]:
    """Plans the user may see monitoring for (relations in ``rules.VIEWERS``)."""
    return plans_for_user(user)


def get_monitored_plan_for_user(user, pk) -> ActionPlan:
    try:
        return monitored_plans_for_user(user).get(pk=pk)
    except (ActionPlan.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def updates_for_user(user) -> QuerySet[ProgressUpdate]:
    return ProgressUpdate.objects.filter(
        plan__in=monitored_plans_for_user(user).values("pk")
    ).select_related(
        "plan__enrollment__employee",
        "plan__enrollment__mentor",
        "plan__enrollment__batch__program",
        "by__employee",
        "decided_by",
    )


def get_update_for_user(user, pk) -> ProgressUpdate:
    try:
        return with_details(updates_for_user(user)).get(pk=pk)
    except (ProgressUpdate.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_evidence_for_user(user, pk) -> Evidence:
    try:
        return Evidence.objects.select_related("update").get(
            pk=pk, update__plan__in=monitored_plans_for_user(user).values("pk")
        )
    except (Evidence.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def with_details(updates: QuerySet[ProgressUpdate]) -> QuerySet[ProgressUpdate]:
    return updates.prefetch_related(
        "measurements",
        "evidence",
        Prefetch(
            "milestone_changes",
            queryset=MilestoneProgress.objects.select_related("milestone"),
        ),
        Prefetch("decisions", queryset=UpdateDecision.objects.select_related("by__employee")),
    )


def latest_accepted_measurement(plan) -> Measurement | None:
    return (
        Measurement.objects.filter(plan=plan, state=MeasurementState.ACCEPTED)
        .order_by("-measured_on", "-id")
        .first()
    )


# --- The participant's timeline ----------------------------------------------------------------


@dataclass
class TimelineEntry:
    at: dt.datetime
    kind: str  # "update" | "transition" | "decision"
    item: object

    @property
    def who(self) -> str:
        by = getattr(self.item, "by", None)
        return (by.get_full_name() or by.username) if by else gettext("system")


def plan_timeline(plan) -> list[TimelineEntry]:
    """Updates (with their measurements, evidence, milestone changes and decisions) and plan
    transitions, merged by date, newest first."""
    updates = list(
        with_details(
            ProgressUpdate.objects.filter(plan=plan).select_related("by__employee", "decided_by")
        ).order_by("-created_at", "-id")
    )
    entries = [TimelineEntry(u.created_at, "update", u) for u in updates]
    for update in updates:
        for decision in update.decisions.all():
            entries.append(TimelineEntry(decision.created_at, "decision", decision))
    for transition in plan.transitions.select_related("by__employee").all():
        entries.append(TimelineEntry(transition.created_at, "transition", transition))
    order = {"decision": 0, "update": 1, "transition": 2}
    entries.sort(key=lambda e: (e.at, -order[e.kind]), reverse=True)
    return entries


def plan_measurements(plan) -> list[Measurement]:
    return list(Measurement.objects.filter(plan=plan).order_by("measured_on", "id"))


# --- Annotations shared by the boards ----------------------------------------------------------


def _blocked_milestone():
    last_status = (
        MilestoneProgress.objects.filter(milestone=OuterRef("pk"))
        .order_by("-update__created_at", "-id")
        .values("status")[:1]
    )
    return Exists(
        Milestone.objects.filter(plan=OuterRef("pk"))
        .exclude(status__in=CLOSED_MILESTONE)
        .annotate(last_status=Subquery(last_status))
        .filter(last_status=ProgressStatus.BLOCKED)
    )


def with_progress(plans: QuerySet[ActionPlan], today=None) -> QuerySet[ActionPlan]:
    """Annotate: ``last_update_at``, ``pending_updates``, ``overdue_milestones``,
    ``has_blocked``, ``latest_value`` (latest accepted measurement), ``follow_status``."""
    today = today or timezone.localdate()
    silent_since = timezone.now() - dt.timedelta(days=rules.SILENT_AFTER_DAYS)
    latest_value = (
        Measurement.objects.filter(plan=OuterRef("pk"), state=MeasurementState.ACCEPTED)
        .order_by("-measured_on", "-id")
        .values("value")[:1]
    )
    last_update = (
        ProgressUpdate.objects.filter(plan=OuterRef("pk"))
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    pending = (
        ProgressUpdate.objects.filter(plan=OuterRef("pk"), state=UpdateState.SUBMITTED)
        .order_by()
        .values("plan")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    overdue = (
        Milestone.objects.filter(plan=OuterRef("pk"), due_date__lt=today)
        .exclude(status__in=CLOSED_MILESTONE)
        .order_by()
        .values("plan")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    open_states = list(rules.OPEN_PLAN_STATES)
    return plans.annotate(
        last_update_at=Subquery(last_update, output_field=DateTimeField()),
        pending_updates=Coalesce(Subquery(pending), Value(0)),
        overdue_milestones=Coalesce(Subquery(overdue), Value(0)),
        has_blocked=_blocked_milestone(),
        latest_value=Subquery(latest_value),
        last_activity_at=Coalesce(F("last_update_at"), F("approved_at"), F("created_at")),
    ).annotate(
        follow_status=Case(
            When(Q(state=PlanState.ABANDONED) | Q(has_blocked=True), then=Value("stopped")),
            When(Q(state__in=open_states, last_activity_at__lt=silent_since), then=Value("silent")),
            When(Q(state__in=open_states, overdue_milestones__gt=0), then=Value("late")),
            default=Value("on_track"),
            output_field=CharField(),
        )
    )


FOLLOW_STATUSES = {
    "on_track": _("On track"),
    "late": _("Late"),
    "stopped": _("Stopped"),
    "silent": _("Silent"),
}


def attach_achievement(plans) -> list:
    plans = list(plans)
    for plan in plans:
        plan.achievement = achievement(
            baseline=plan.baseline_value,
            target=plan.target_value,
            value=plan.latest_value,
            direction=plan.indicator_direction,
        )
        plan.follow_label = FOLLOW_STATUSES.get(getattr(plan, "follow_status", ""), "")
    return plans


# --- The participant's plans, the mentor's queue, the coach's view, the organizer's board -----

MONITORED_STATES = [
    PlanState.APPROVED,
    PlanState.IN_PROGRESS,
    PlanState.COMPLETED,
    PlanState.VERIFIED,
    PlanState.ABANDONED,
]


def own_plans(user) -> QuerySet[ActionPlan]:
    employee_id = getattr(user, "employee_id", None)
    if not employee_id:
        return ActionPlan.objects.none()
    return with_progress(
        plans_for_user(user).filter(enrollment__employee_id=employee_id, state__in=MONITORED_STATES)
    ).order_by("-created_at", "-id")


@dataclass
class QueueItem:
    at: dt.datetime
    kind: str  # "update" | "plan"
    item: object


def mentor_queue(user) -> list[QueueItem]:
    """Everything awaiting the mentor's verification across mentees, oldest first: progress
    updates submitted and plans completed."""
    employee_id = getattr(user, "employee_id", None)
    if not employee_id:
        return []
    updates = with_details(
        ProgressUpdate.objects.filter(
            plan__enrollment__mentor_id=employee_id, state=UpdateState.SUBMITTED
        )
        .exclude(plan__enrollment__employee_id=employee_id)
        .select_related("plan__enrollment__employee", "plan__enrollment__batch", "by__employee")
    ).order_by("created_at", "id")
    completed_at = (
        PlanTransition.objects.filter(plan=OuterRef("pk"), to_state=PlanState.COMPLETED)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    plans = (
        ActionPlan.objects.filter(enrollment__mentor_id=employee_id, state=PlanState.COMPLETED)
        .exclude(enrollment__employee_id=employee_id)
        .select_related("enrollment__employee", "enrollment__batch")
        .annotate(
            completed_at=Coalesce(Subquery(completed_at), F("updated_at")),
            pending_updates=Count(
                "progress_updates", filter=Q(progress_updates__state=UpdateState.SUBMITTED)
            ),
        )
    )
    items = [QueueItem(u.created_at, "update", u) for u in updates]
    items += [QueueItem(p.completed_at, "plan", p) for p in plans]
    items.sort(key=lambda i: (i.at, i.kind))
    return items


def coachee_plans(user, *, state=None, q="") -> QuerySet[ActionPlan]:
    plans = ActionPlan.objects.filter(
        enrollment__coach_id=user.pk, state__in=MONITORED_STATES
    ).select_related("enrollment__employee", "enrollment__batch__program")
    if state:
        plans = plans.filter(state=state)
    if q:
        plans = plans.filter(Q(enrollment__employee__name__icontains=q) | Q(title__icontains=q))
    return with_progress(plans).order_by(
        "enrollment__batch__start_date", "enrollment__employee__name", "pk"
    )


def board_batches(user) -> QuerySet[Batch]:
    """Batches whose follow-up board the user may see (organizers of the institution, admin)."""
    qs = Batch.objects.select_related("program").order_by("-end_date", "-pk")
    if program_rules.is_platform_admin(user):
        return qs
    return qs.filter(program__institution_id__in=program_rules.organizer_institution_ids(user))


def get_board_batch_for_user(user, pk) -> Batch:
    try:
        return board_batches(user).get(pk=pk)
    except (Batch.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def follow_up_board(batch, *, status=None, q="") -> QuerySet[ActionPlan]:
    plans = ActionPlan.objects.filter(
        enrollment__batch=batch, state__in=MONITORED_STATES
    ).select_related("enrollment__employee", "enrollment__mentor")
    if q:
        plans = plans.filter(Q(enrollment__employee__name__icontains=q) | Q(title__icontains=q))
    plans = with_progress(plans)
    if status:
        plans = plans.filter(follow_status=status)
    return plans.order_by("enrollment__employee__name", "pk")


def board_counts(batch) -> dict[str, int]:
    rows = (
        with_progress(
            ActionPlan.objects.filter(enrollment__batch=batch, state__in=MONITORED_STATES)
        )
        .order_by()
        .values("follow_status")
        .annotate(n=Count("pk", distinct=True))
    )
    counts = dict.fromkeys(FOLLOW_STATUSES, 0)
    for row in rows:
        counts[row["follow_status"]] = row["n"]
    return counts
