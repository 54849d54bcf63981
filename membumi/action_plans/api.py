"""JSON API for action plans (DESIGN §7), scoped like every read (``queries.plans_for_user``).

Endpoints (under ``/api/v1/action-plans``):

* ``GET ""`` list (paginated; ``?state=``), ``POST ""`` create a draft for your enrolment
  ``{"enrollment_id", "title", "problem_id"?, ...}``;
* ``GET {id}``, ``PATCH {id}`` (only in ``draft`` / ``revision_requested``: 409 otherwise;
  403 for anyone but the participant);
* ``POST {id}/submit | approve | request-revision | start | complete | verify | reject |
  abandon`` with ``{"note"?}`` — one lifecycle step each (``reject`` sends a completed plan
  back to in progress; a reason is required for request-revision, reject and abandon);
* ``GET {id}/quality`` → ``{"score", "findings": [{"code", "severity", "message",
  "suggestion", "field"}]}`` (anyone who sees the plan);
* ``GET {id}/similar`` → near-duplicates with a similarity (coach, organizer; 403 for
  others; the participant's name only for plans in the caller's own scope);
* ``GET {id}/history``;
* ``GET | PUT review-policy/{program_id}`` ``{"require_coach", "require_mentor"}`` — which
  approvals a program's plans need (both by default; PUT by the program's organizer);
* ``{id}/milestones`` — ``GET``, ``POST``; ``PATCH`` / ``DELETE {id}/milestones/{milestone_id}``;
  ``POST {id}/milestones/order`` with ``{"order": [ids]}``;
* ``{id}/stakeholders`` — ``GET``, ``POST``; ``PATCH`` / ``DELETE {id}/stakeholders/{sid}``.

Errors: 400 invalid input, 403 the role may not act, 404 outside the caller's scope, 409 the
lifecycle does not allow the step.
"""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from membumi.accounts.api import ErrorOut
from membumi.problems.enums import Direction
from membumi.problems.models import Problem
from membumi.programs.queries import get_enrollment_for_user, get_program_for_user

from . import analysis, queries, rules, services
from .enums import BerAkhlak, MilestoneStatus, PlanAction, PlanState, StakeholderKind, Term
from .models import ActionPlan

router = Router(tags=["action plans"])

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class MilestoneOut(Schema):
    id: int
    position: int
    term: str
    output: str
    due_date: date | None
    budget: Decimal | None
    responsible: str
    values: list[str]
    status: str
    status_note: str


class StakeholderOut(Schema):
    id: int
    position: int
    kind: str
    name: str
    role: str
    support_needed: str


class ApprovalOut(Schema):
    role: str
    decision: str
    by: str | None
    note: str
    at: datetime

    @staticmethod
    def resolve_by(obj):
        return obj.by.username if obj.by_id else None


class PlanOut(Schema):
    id: int
    enrollment_id: int
    participant: str
    batch: str
    problem_id: int | None
    title: str
    goal: str
    root_cause: str
    indicator_name: str
    indicator_unit: str
    indicator_direction: str
    baseline_value: Decimal | None
    baseline_date: date | None
    target_value: Decimal | None
    target_date: date | None
    data_source: str
    state: str
    review_round: int
    approvals: list[ApprovalOut]
    milestones: list[MilestoneOut]
    stakeholders: list[StakeholderOut]
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    approved_at: datetime | None
    allowed_actions: list[str]

    @staticmethod
    def resolve_allowed_actions(obj, context):
        """The lifecycle steps the caller may try now (guards are checked when they do)."""
        relations = rules.plan_relations(context["request"].user, obj)
        return rules.allowed_actions(obj.state, relations)

    @staticmethod
    def resolve_participant(obj):
        return obj.enrollment.employee.name

    @staticmethod
    def resolve_batch(obj):
        return str(obj.enrollment.batch)

    @staticmethod
    def resolve_approvals(obj):
        return services.current_approvals(obj)

    @staticmethod
    def resolve_milestones(obj):
        return list(obj.milestones.all())

    @staticmethod
    def resolve_stakeholders(obj):
        return list(obj.stakeholders.all())


class PlanFields(Schema):
    goal: str | None = None
    root_cause: str | None = None
    indicator_name: str | None = None
    indicator_unit: str | None = None
    indicator_direction: Direction | None = None
    baseline_value: Decimal | None = None
    baseline_date: date | None = None
    target_value: Decimal | None = None
    target_date: date | None = None
    data_source: str | None = None


class PlanIn(PlanFields):
    enrollment_id: int
    title: str
    problem_id: int | None = None


class PlanPatch(PlanFields):
    title: str | None = None
    problem_id: int | None = None


class FindingOut(Schema):
    code: str
    severity: str
    message: str
    suggestion: str
    field: str


class QualityOut(Schema):
    score: int
    findings: list[FindingOut]


class SimilarOut(Schema):
    id: int
    similarity: float
    title: str
    goal: str
    state: str
    batch: str
    institution: str
    same_institution: bool
    participant: str | None  # only for plans in the caller's own scope


class SimilarityOut(Schema):
    threshold: float
    plan: PlanOut
    similar: list[SimilarOut]


class ReviewPolicyIO(Schema):
    require_coach: bool = True
    require_mentor: bool = True


class PlanFilter(Schema):
    state: PlanState | None = None


class StepIn(Schema):
    note: str = ""


class TransitionOut(Schema):
    action: str
    from_state: str
    to_state: str
    by: str | None
    note: str
    created_at: datetime

    @staticmethod
    def resolve_by(obj):
        return obj.by.username if obj.by_id else None


class MilestoneIn(Schema):
    term: Term
    output: str
    due_date: date | None = None
    budget: Decimal | None = None
    responsible: str = ""
    values: list[BerAkhlak] = []


class MilestonePatch(Schema):
    term: Term | None = None
    output: str | None = None
    due_date: date | None = None
    budget: Decimal | None = None
    responsible: str | None = None
    values: list[BerAkhlak] | None = None
    status: MilestoneStatus | None = None
    status_note: str | None = None


class OrderIn(Schema):
    order: list[int]


class StakeholderIn(Schema):
    kind: StakeholderKind
    name: str
    role: str = ""
    support_needed: str = ""


class StakeholderPatch(Schema):
    kind: StakeholderKind | None = None
    name: str | None = None
    role: str | None = None
    support_needed: str | None = None


def _problem(problem_id):
    try:
        return Problem.objects.get(pk=problem_id)
    except Problem.DoesNotExist as exc:
        raise ValidationError(
            {"problem_id": [_("Choose your own problem or one of your unit's problems.")]}
        ) from exc


def _fresh(request, plan_id):
    return queries.get_plan_for_user(request.user, plan_id)


# --- Review policy per program ----------------------------------------------------------------


@router.get(
    "/review-policy/{program_id}",
    response={200: ReviewPolicyIO, 404: ErrorOut},
    summary="Which approvals a program's plans need",
)
def get_review_policy(request, program_id: int):
    program = get_program_for_user(request.user, program_id)
    required = rules.program_required_approvals(program)
    return {"require_coach": "coach" in required, "require_mentor": "mentor" in required}


@router.put("/review-policy/{program_id}", response={200: ReviewPolicyIO, **ERRORS})
def set_review_policy(request, program_id: int, payload: ReviewPolicyIO):
    program = get_program_for_user(request.user, program_id)
    return services.review_policy_set(
        program=program,
        by=request.user,
        require_coach=payload.require_coach,
        require_mentor=payload.require_mentor,
    )


# --- Plans ------------------------------------------------------------------------------------


@router.get("", response=list[PlanOut], summary="Action plans in your scope")
@paginate(PageNumberPagination, page_size=50)
def list_plans(request, filters: Query[PlanFilter]):
    plans = queries.plan_list(request.user)
    if filters.state:
        plans = plans.filter(state=filters.state)
    return plans.order_by("-created_at", "-id")


@router.post("", response={201: PlanOut, **ERRORS}, summary="Start a draft plan")
def create_plan(request, payload: PlanIn):
    enrollment = get_enrollment_for_user(request.user, payload.enrollment_id)
    data = payload.dict(exclude_unset=True)
    data.pop("enrollment_id")
    problem_id = data.pop("problem_id", None)
    fields = {k: v for k, v in data.items() if v is not None}
    plan = services.action_plan_create(
        enrollment=enrollment,
        by=request.user,
        problem=_problem(problem_id) if problem_id else None,
        **fields,
    )
    return Status(201, _fresh(request, plan.pk))


@router.get("/{plan_id}", response={200: PlanOut, 404: ErrorOut})
def get_plan(request, plan_id: int):
    return _fresh(request, plan_id)


@router.patch("/{plan_id}", response={200: PlanOut, **ERRORS})
def update_plan(request, plan_id: int, payload: PlanPatch):
    plan = _fresh(request, plan_id)
    data = payload.dict(exclude_unset=True)
    extra = {}
    if "problem_id" in data:
        problem_id = data.pop("problem_id")
        extra["problem"] = _problem(problem_id) if problem_id else None
    text_fields = {"title", "goal", "root_cause", "indicator_name", "indicator_unit", "data_source"}
    for name in list(data):
        if data[name] is None and name in text_fields | {"indicator_direction"}:
            data.pop(name)
    services.action_plan_update(plan=plan, by=request.user, **extra, **data)
    return _fresh(request, plan_id)


def _step(action):
    def endpoint(request, plan_id: int, payload: StepIn):
        plan = _fresh(request, plan_id)
        services.action_plan_transition(
            plan=plan, action=action, by=request.user, note=payload.note
        )
        return _fresh(request, plan_id)

    endpoint.__name__ = f"plan_{action}"
    return endpoint


for _action in PlanAction:
    router.post(
        f"/{{plan_id}}/{_action.value.replace('_', '-')}",
        response={200: PlanOut, **ERRORS},
        summary=f"Lifecycle step: {_action.value}",
        operation_id=f"action_plan_{_action.value}",
    )(_step(_action))


@router.get(
    "/{plan_id}/quality",
    response={200: QualityOut, 404: ErrorOut},
    summary="Quality check: score 0–100 and findings (blocking ones stop submission)",
)
def plan_quality(request, plan_id: int):
    return analysis.plan_quality(_fresh(request, plan_id))


@router.get(
    "/{plan_id}/similar",
    response={200: SimilarityOut, 403: ErrorOut, 404: ErrorOut},
    summary="Near-duplicate plans, same institution and nationwide (coach and organizer only)",
)
def plan_similar(request, plan_id: int):
    plan = _fresh(request, plan_id)
    if not rules.can_see_similar(request.user, plan):
        raise PermissionDenied(_("Only the coach and the organizer see similar plans."))
    hits = analysis.similar_plans(plan)
    others = ActionPlan.objects.select_related(
        "enrollment__batch__program__institution", "enrollment__employee"
    ).in_bulk([hit.plan_id for hit in hits])
    visible = set(
        queries.plans_for_user(request.user)
        .filter(pk__in=list(others))
        .values_list("pk", flat=True)
    )
    institution_id = plan.enrollment.batch.program.institution_id
    similar = []
    for hit in hits:
        other = others.get(hit.plan_id)
        if other is None or not rules.similar_plan_shown(other, in_scope=other.pk in visible):
            continue
        program = other.enrollment.batch.program
        similar.append(
            {
                "id": other.pk,
                "similarity": round(hit.similarity, 3),
                "title": other.title,
                "goal": other.goal,
                "state": other.state,
                "batch": str(other.enrollment.batch),
                "institution": program.institution.name,
                "same_institution": program.institution_id == institution_id,
                "participant": other.enrollment.employee.name if other.pk in visible else None,
            }
        )
    return {"threshold": analysis.THRESHOLD, "plan": plan, "similar": similar}


@router.get("/{plan_id}/history", response={200: list[TransitionOut], 404: ErrorOut})
def plan_history(request, plan_id: int):
    return list(queries.plan_history(_fresh(request, plan_id)))


# --- Milestones -------------------------------------------------------------------------------


@router.get("/{plan_id}/milestones", response={200: list[MilestoneOut], 404: ErrorOut})
def list_milestones(request, plan_id: int):
    return list(_fresh(request, plan_id).milestones.all())


@router.post("/{plan_id}/milestones", response={201: MilestoneOut, **ERRORS})
def create_milestone(request, plan_id: int, payload: MilestoneIn):
    plan = _fresh(request, plan_id)
    data = payload.dict()
    data["values"] = [str(v) for v in data["values"]]
    return Status(201, services.milestone_add(plan=plan, by=request.user, **data))


@router.post("/{plan_id}/milestones/order", response={200: list[MilestoneOut], **ERRORS})
def order_milestones(request, plan_id: int, payload: OrderIn):
    plan = _fresh(request, plan_id)
    return services.milestone_reorder(plan=plan, by=request.user, order=payload.order)


@router.patch("/{plan_id}/milestones/{milestone_id}", response={200: MilestoneOut, **ERRORS})
def update_milestone(request, plan_id: int, milestone_id: int, payload: MilestonePatch):
    _plan, milestone = queries.get_milestone_for_user(request.user, plan_id, milestone_id)
    data = payload.dict(exclude_unset=True)
    for name in ("term", "output", "responsible", "values", "status", "status_note"):
        if name in data and data[name] is None:
            data.pop(name)
    if "values" in data:
        data["values"] = [str(v) for v in data["values"]]
    return services.milestone_update(milestone=milestone, by=request.user, **data)


@router.delete("/{plan_id}/milestones/{milestone_id}", response={204: None, **ERRORS})
def delete_milestone(request, plan_id: int, milestone_id: int):
    _plan, milestone = queries.get_milestone_for_user(request.user, plan_id, milestone_id)
    services.milestone_remove(milestone=milestone, by=request.user)
    return Status(204, None)


# --- Stakeholders -----------------------------------------------------------------------------


def _stakeholder(request, plan_id, stakeholder_id):
    for stakeholder in _fresh(request, plan_id).stakeholders.all():
        if stakeholder.pk == stakeholder_id:
            return stakeholder
    raise Http404


@router.get("/{plan_id}/stakeholders", response={200: list[StakeholderOut], 404: ErrorOut})
def list_stakeholders(request, plan_id: int):
    return list(_fresh(request, plan_id).stakeholders.all())


@router.post("/{plan_id}/stakeholders", response={201: StakeholderOut, **ERRORS})
def create_stakeholder(request, plan_id: int, payload: StakeholderIn):
    plan = _fresh(request, plan_id)
    return Status(201, services.stakeholder_add(plan=plan, by=request.user, **payload.dict()))


@router.patch("/{plan_id}/stakeholders/{stakeholder_id}", response={200: StakeholderOut, **ERRORS})
def update_stakeholder(request, plan_id: int, stakeholder_id: int, payload: StakeholderPatch):
    stakeholder = _stakeholder(request, plan_id, stakeholder_id)
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return services.stakeholder_update(stakeholder=stakeholder, by=request.user, **data)


@router.delete("/{plan_id}/stakeholders/{stakeholder_id}", response={204: None, **ERRORS})
def delete_stakeholder(request, plan_id: int, stakeholder_id: int):
    stakeholder = _stakeholder(request, plan_id, stakeholder_id)
    services.stakeholder_remove(stakeholder=stakeholder, by=request.user)
    return Status(204, None)
