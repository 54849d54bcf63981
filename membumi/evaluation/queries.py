"""Reads of follow-ups, scoped to the user.

* ``my_follow_ups(user)`` — the forms the user answers: as the participant (self-rating) or as
  the enrolment's current mentor; open ones first.
* ``follow_ups_for_user(user)`` — what the user may read: their own forms, and every form of
  the enrolments they coach, of their institution's batches (organizer), or all (admin).
  ``get_follow_up_for_user`` raises 404 outside that scope.
* ``batch_rollup(batch, today)`` — the per-batch roll-up, aggregated in the database in a
  fixed number of queries.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from membumi.programs import rules as program_rules
from membumi.programs.models import Batch, Enrollment

from . import rules
from .enums import PlanStatus, RespondentRole
from .models import FollowUp, FollowUpPolicy, FollowUpRating


@dataclass(frozen=True)
class Policy:
    offsets: list[int]
    window_days: int
    items: list[dict]  # [{"code", "text"}] as stored
    is_default: bool

    def labelled_items(self) -> list[dict]:
        return [
            {"code": item["code"], "text": rules.item_label(item["code"], item["text"])}
            for item in self.items
        ]


def default_policy() -> Policy:
    return Policy(
        offsets=list(rules.DEFAULT_OFFSETS),
        window_days=rules.DEFAULT_WINDOW_DAYS,
        items=rules.default_items(),
        is_default=True,
    )


def policy_from(row: FollowUpPolicy | None) -> Policy:
    if row is None:
        return default_policy()
    return Policy(
        offsets=list(row.offsets),
        window_days=row.window_days,
        items=list(row.items),
        is_default=False,
    )


def policy_for(program) -> Policy:
    """The program's follow-up policy, or the default when it has none."""
    try:
        row = program.follow_up_policy
    except FollowUpPolicy.DoesNotExist:
        row = None
    return policy_from(row)


# --- Follow-ups -------------------------------------------------------------------------------


def _base() -> QuerySet[FollowUp]:
    return FollowUp.objects.select_related(
        "batch__program__institution",
        "enrollment__employee__work_unit",
        "enrollment__mentor",
        "plan",
    ).prefetch_related("ratings")


def _mine(user) -> Q | None:
    employee_id = getattr(user, "employee_id", None)
    if not employee_id:
        return None
    return Q(role=RespondentRole.PARTICIPANT, enrollment__employee_id=employee_id) | Q(
        role=RespondentRole.MENTOR, enrollment__mentor_id=employee_id
    )


def my_follow_ups(user, *, today: dt.date, pending_only: bool = False) -> QuerySet[FollowUp]:
    """The forms the user answers: open ones first (the soonest to close on top), then the
    answered ones (latest first), then those that closed unanswered."""
    condition = _mine(user) if getattr(user, "is_authenticated", False) else None
    if condition is None:
        return FollowUp.objects.none()
    qs = _base().filter(condition)
    is_open = Q(answered_at__isnull=True, due_date__lte=today, open_until__gte=today)
    if pending_only:
        qs = qs.filter(is_open)
    return qs.annotate(
        rank=Case(
            When(is_open, then=Value(0)),
            When(answered_at__isnull=False, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("rank", "open_until", "-answered_at", "-id")


def about_me_by_mentor(user) -> Q:
    """The mentor's forms about ``user`` as participant: candid ratings the participant never
    reads, whatever other role (coach, organizer, administrator) they also hold."""
    employee_id = getattr(user, "employee_id", None)
    if not employee_id:
        return Q(pk__in=[])
    return Q(role=RespondentRole.MENTOR, enrollment__employee_id=employee_id)


def follow_ups_for_user(user) -> QuerySet[FollowUp]:
    qs = _base()
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    qs = qs.exclude(about_me_by_mentor(user))
    if program_rules.is_platform_admin(user):
        return qs
    condition = Q(batch__program__institution_id__in=program_rules.organizer_institution_ids(user))
    condition |= Q(enrollment__coach_id=user.pk)
    mine = _mine(user)
    if mine is not None:
        condition |= mine
    return qs.filter(condition)


def get_follow_up_for_user(user, pk) -> FollowUp:
    try:
        return follow_ups_for_user(user).get(pk=pk)
    except (FollowUp.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def ratings_of(follow_up) -> dict[str, int]:
    return {rating.item: rating.value for rating in follow_up.ratings.all()}


# --- Roll-up per batch ------------------------------------------------------------------------


def rollup_batches_for_user(user) -> QuerySet[Batch]:
    """Batches whose classes ended that the user may see the roll-up of (organizer of the
    institution, trainer of the batch, coach of one of its participants, admin), with the
    number of forms and answers."""
    qs = Batch.objects.select_related("program__institution").filter(
        state__in=rules.SCHEDULED_BATCH_STATES
    )
    if not program_rules.is_platform_admin(user):
        condition = Q(program__institution_id__in=program_rules.organizer_institution_ids(user))
        condition |= Q(trainers=user)
        condition |= Exists(Enrollment.objects.filter(batch=OuterRef("pk"), coach_id=user.pk))
        qs = qs.filter(
            pk__in=Batch.objects.filter(condition).values("pk"),
        )
    forms = FollowUp.objects.filter(batch=OuterRef("pk")).values("batch")
    return qs.annotate(
        n_forms=Coalesce(Subquery(forms.annotate(n=Count("pk")).values("n")), 0),
        n_answered=Coalesce(
            Subquery(forms.filter(answered_at__isnull=False).annotate(n=Count("pk")).values("n")),
            0,
        ),
    ).order_by("-end_date", "-id")


def get_rollup_batch_for_user(user, pk) -> Batch:
    try:
        return rollup_batches_for_user(user).get(pk=pk)
    except (Batch.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


@dataclass
class RoleFigures:
    role: str
    forms: int = 0
    answered: int = 0
    still_open: int = 0
    continuing: int = 0
    completed: int = 0
    stopped: int = 0

    @property
    def rate(self) -> int | None:
        """Response rate in whole per cent (None without forms)."""
        return round(100 * self.answered / self.forms) if self.forms else None

    @property
    def role_label(self) -> str:
        return str(RespondentRole(self.role).label)


@dataclass
class ItemFigures:
    code: str
    label: str
    self_avg: float | None = None
    self_n: int = 0
    mentor_avg: float | None = None
    mentor_n: int = 0

    @property
    def gap(self) -> float | None:
        if self.self_avg is None or self.mentor_avg is None:
            return None
        return round(self.self_avg - self.mentor_avg, 2)


@dataclass
class OffsetFigures:
    months: int
    due_date: dt.date
    roles: list[RoleFigures] = field(default_factory=list)
    items: list[ItemFigures] = field(default_factory=list)

    @property
    def has_forms(self) -> bool:
        return any(r.forms for r in self.roles)


@dataclass
class Rollup:
    batch: Batch
    policy: Policy
    offsets: list[OffsetFigures]
    stops: list[FollowUp]

    @property
    def has_forms(self) -> bool:
        return any(r.forms for o in self.offsets for r in o.roles)


def batch_rollup(batch, *, today: dt.date, viewer=None) -> Rollup:
    """Response rate per offset and respondent role, what became of the plans, stop reasons,
    and the average rating per item, self vs mentor (Kirkpatrick L3). Four queries. The stop
    reasons leave out the mentor's about ``viewer`` (a participant who also coaches)."""
    policy = policy_for(batch.program)
    answered = Q(answered_at__isnull=False)
    rows = (
        FollowUp.objects.filter(batch=batch)
        .values("offset_months", "role")
        .annotate(
            forms=Count("pk"),
            answered=Count("pk", filter=answered),
            still_open=Count("pk", filter=Q(answered_at__isnull=True, open_until__gte=today)),
            continuing=Count("pk", filter=Q(plan_status=PlanStatus.CONTINUING)),
            completed=Count("pk", filter=Q(plan_status=PlanStatus.COMPLETED)),
            stopped=Count("pk", filter=Q(plan_status=PlanStatus.STOPPED)),
        )
        .order_by()
    )
    ratings = (
        FollowUpRating.objects.filter(follow_up__batch=batch)
        .values("follow_up__offset_months", "follow_up__role", "item")
        .annotate(avg=Avg("value"), n=Count("pk"))
        .order_by()
    )
    figures = {(r["offset_months"], r["role"]): r for r in rows}
    averages = {
        (r["follow_up__offset_months"], r["follow_up__role"], r["item"]): r for r in ratings
    }
    months = sorted(set(policy.offsets) | {m for m, _r in figures})
    labels = {item["code"]: item["text"] for item in policy.labelled_items()}
    extra_codes = sorted({code for _m, _r, code in averages} - set(labels))
    codes = [*labels, *extra_codes]
    offsets = []
    for m in months:
        offset = OffsetFigures(months=m, due_date=rules.add_months(batch.end_date, m))
        for role in RespondentRole.values:
            row = figures.get((m, role), {})
            offset.roles.append(
                RoleFigures(
                    role=role,
                    **{
                        k: row.get(k, 0)
                        for k in (
                            "forms",
                            "answered",
                            "still_open",
                            "continuing",
                            "completed",
                            "stopped",
                        )
                    },
                )
            )
        for code in codes:
            own = averages.get((m, RespondentRole.PARTICIPANT, code))
            theirs = averages.get((m, RespondentRole.MENTOR, code))
            if code not in labels and not own and not theirs:
                continue
            offset.items.append(
                ItemFigures(
                    code=code,
                    label=labels.get(code, code),
                    self_avg=round(own["avg"], 2) if own else None,
                    self_n=own["n"] if own else 0,
                    mentor_avg=round(theirs["avg"], 2) if theirs else None,
                    mentor_n=theirs["n"] if theirs else 0,
                )
            )
        offsets.append(offset)
    stops = list(
        FollowUp.objects.filter(batch=batch, plan_status=PlanStatus.STOPPED)
        .exclude(about_me_by_mentor(viewer))
        .select_related("enrollment__employee")
        .order_by("offset_months", "enrollment__employee__name", "role", "id")
    )
    return Rollup(batch=batch, policy=policy, offsets=offsets, stops=stops)
