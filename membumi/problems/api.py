"""The problem bank API, mounted at ``/api/v1/problems`` (DESIGN §7).

Scoped like the pages: a problem outside the caller's scope is 404. Transitions go through
``services.problem_transition``: 409 when the lifecycle does not allow the step, 403 when the
caller's relation to the problem may not take it, 400 (per field) for a missing note or
original. ``GET /similar`` and ``POST /import`` are declared before ``/{id}``.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, File, FilterSchema, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from membumi.core.exceptions import PermissionDeniedForRole

from . import queries, rules, services
from .enums import Direction, ProblemAction, ProblemState, Sector
from .forms import ProblemImportForm
from .importing import import_problems

router = Router(tags=["problems"])


# --- Schemas ---------------------------------------------------------------------------------


class Ref(Schema):
    id: int
    name: str


class AgencyRef(Ref):
    code: str


class ProblemOut(Schema):
    id: int
    title: str
    statement: str
    sector: str
    public_service: str
    indicator_name: str
    indicator_unit: str
    indicator_direction: str
    baseline_value: float
    baseline_date: dt.date
    data_source: str
    root_causes: dict[str, str]
    urgency: int
    seriousness: int
    growth: int
    priority: int
    state: str
    agency: AgencyRef
    work_unit: Ref
    submitted_by: str | None
    duplicate_of_id: int | None
    endorsement_count: int = 0
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_submitted_by(obj):
        return str(obj.submitted_by) if obj.submitted_by_id else None

    @staticmethod
    def resolve_endorsement_count(obj):
        count = getattr(obj, "endorsement_count", None)
        return obj.endorsements.count() if count is None else count


class TransitionOut(Schema):
    action: str
    from_state: str
    to_state: str
    by: str | None
    note: str
    created_at: dt.datetime

    @staticmethod
    def resolve_by(obj):
        return str(obj.by) if obj.by_id else None


class EndorsementOut(Schema):
    work_unit: Ref
    agency_code: str
    created_at: dt.datetime

    @staticmethod
    def resolve_agency_code(obj):
        return obj.work_unit.agency.code


class ProblemDetailOut(ProblemOut):
    transitions: list[TransitionOut]
    endorsements: list[EndorsementOut]
    allowed_actions: list[str]

    @staticmethod
    def resolve_transitions(obj):
        return obj.transitions_list

    @staticmethod
    def resolve_endorsements(obj):
        return obj.endorsements_list


class ProblemIn(Schema):
    title: str = Field(max_length=200)
    statement: str
    sector: Sector
    public_service: str = Field("", max_length=200)
    indicator_name: str = Field(max_length=200)
    indicator_unit: str = Field(max_length=50)
    indicator_direction: Direction
    baseline_value: Decimal
    baseline_date: dt.date
    data_source: str = Field("", max_length=200)
    root_causes: dict[str, str] = {}
    urgency: int = Field(ge=1, le=5)
    seriousness: int = Field(ge=1, le=5)
    growth: int = Field(ge=1, le=5)
    work_unit_id: int | None = Field(
        None, description="Defaults to your own unit; agency viewers and admins choose."
    )


class ProblemPatch(Schema):
    title: str | None = Field(None, max_length=200)
    statement: str | None = None
    sector: Sector | None = None
    public_service: str | None = Field(None, max_length=200)
    indicator_name: str | None = Field(None, max_length=200)
    indicator_unit: str | None = Field(None, max_length=50)
    indicator_direction: Direction | None = None
    baseline_value: Decimal | None = None
    baseline_date: dt.date | None = None
    data_source: str | None = Field(None, max_length=200)
    root_causes: dict[str, str] | None = None
    urgency: int | None = Field(None, ge=1, le=5)
    seriousness: int | None = Field(None, ge=1, le=5)
    growth: int | None = Field(None, ge=1, le=5)


class TransitionIn(Schema):
    note: str = ""
    duplicate_of: int | None = Field(None, description="mark-duplicate: id of the original")


class ProblemFilter(FilterSchema):
    sector: Sector | None = None
    state: ProblemState | None = None
    agency: str | None = Field(None, description="agency code")
    unit: int | None = Field(None, description="work unit id (includes the units below it)")
    min_priority: int | None = Field(None, ge=3, le=15)
    q: str | None = None


class SimilarItem(Schema):
    id: int
    title: str
    agency: AgencyRef
    work_unit: Ref
    state: str
    score: float
    likely_duplicate: bool
    own_agency: bool


class OutsideScope(Schema):
    count: int
    agencies: list[str]


class SimilarOut(Schema):
    results: list[SimilarItem]
    outside_scope: OutsideScope


class RowErrorOut(Schema):
    row: int
    column: str
    message: str
    level: str


class ImportReportOut(Schema):
    rows: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    errors: list[RowErrorOut]
    error_count: int
    summary: str


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def _detail(request, problem):
    problem = queries.get_problem_for_user(request.user, problem.pk)
    problem.allowed_actions = rules.allowed_actions(request.user, problem)
    problem.transitions_list = list(queries.problem_history(problem))
    problem.endorsements_list = list(queries.problem_endorsements(problem))
    return problem


# --- Collection ------------------------------------------------------------------------------


@router.get("", response=list[ProblemOut], summary="Problems in your scope")
@paginate(PageNumberPagination, page_size=50)
def list_problems(request, filters: Query[ProblemFilter]):
    problems = queries.filter_problems(
        queries.problems_for_user(request.user).select_related("submitted_by__employee"),
        text=filters.q or "",
        sector=filters.sector or "",
        state=filters.state or "",
        agency=filters.agency,
        unit=filters.unit,
        min_priority=filters.min_priority,
    )
    return queries.with_endorsement_counts(problems).order_by("-priority", "-created_at", "-id")


@router.post(
    "", response={201: ProblemDetailOut, **ERRORS}, summary="Submit a problem for a work unit"
)
def create_problem(request, payload: ProblemIn):
    units = queries.submission_units(request.user)
    if not units.exists():
        raise PermissionDeniedForRole(_("Your role may not submit problems."))
    data = payload.dict()
    unit_id = data.pop("work_unit_id")
    if unit_id is None:
        unit = queries.default_submission_unit(request.user, units)
        if unit is None:
            raise ValidationError({"work_unit_id": [_("Choose the work unit.")]})
    else:
        unit = units.filter(pk=unit_id).first()
        if unit is None:
            raise ValidationError(
                {"work_unit_id": [_("You may not submit problems for this work unit.")]}
            )
    problem = services.problem_create(by=request.user, work_unit=unit, **data)
    return Status(201, _detail(request, problem))


@router.get(
    "/similar",
    response={200: SimilarOut, **ERRORS},
    summary="Problems similar to a text, ranked (score 0–1)",
    description=(
        "Problems you may see, own agency first, with a similarity score. Problems outside "
        "your scope are only counted, with the names of their agencies."
    ),
)
def similar_problems(
    request,
    q: str = Query(..., min_length=1, max_length=10_000),
    limit: int = Query(10, ge=1, le=50),
):
    result = queries.similar_for_user(request.user, q, limit=limit)
    return {
        "results": [
            {
                "id": m.problem.pk,
                "title": m.problem.title,
                "agency": m.problem.agency,
                "work_unit": m.problem.work_unit,
                "state": m.problem.state,
                "score": m.score,
                "likely_duplicate": m.likely_duplicate,
                "own_agency": m.own_agency,
            }
            for m in result.matches
        ],
        "outside_scope": {"count": result.outside_count, "agencies": result.outside_agencies},
    }


@router.post(
    "/import",
    response={200: ImportReportOut, **ERRORS},
    summary="Import problems from a CSV or XLSX file (same report as the command)",
)
def import_file(request, file: File[UploadedFile]):
    if not rules.can_import_problems(request.user):
        raise PermissionDeniedForRole(_("Your role may not import problems."))
    form = ProblemImportForm(files={"file": file})
    if not form.is_valid():
        raise ValidationError({name: list(errors) for name, errors in form.errors.items()})
    upload = form.cleaned_data["file"]
    report = import_problems(
        upload,
        upload.name,
        upload.size,
        by=request.user,
        allowed_agency_ids=queries.import_agency_ids(request.user),
    )
    if report.fatal:
        raise ValidationError({"file": [report.fatal]})
    return report.as_dict()


# --- One problem -----------------------------------------------------------------------------


@router.get(
    "/{int:problem_id}",
    response={200: ProblemDetailOut, **ERRORS},
    summary="One problem with its history (404 outside scope)",
)
def get_problem(request, problem_id: int):
    return _detail(request, queries.get_problem_for_user(request.user, problem_id))


@router.patch(
    "/{int:problem_id}",
    response={200: ProblemDetailOut, 409: ErrorOut, **ERRORS},
    summary="Change a problem while it is open (409 otherwise)",
)
def update_problem(request, problem_id: int, payload: ProblemPatch):
    problem = queries.get_problem_for_user(request.user, problem_id)
    services.problem_update(problem=problem, by=request.user, **payload.dict(exclude_unset=True))
    return _detail(request, problem)


@router.post(
    "/{int:problem_id}/join",
    response={200: ProblemDetailOut, **ERRORS},
    summary="Join a problem: your unit has it too",
)
def join_problem(request, problem_id: int):
    problem = queries.get_problem_for_user(request.user, problem_id)
    services.problem_endorse(problem=problem, by=request.user)
    return _detail(request, problem)


def _transition(request, problem_id: int, action: str, payload: TransitionIn):
    problem = queries.get_problem_for_user(request.user, problem_id)
    original = None
    if action == ProblemAction.MARK_DUPLICATE and payload.duplicate_of is not None:
        try:
            original = queries.get_problem_for_user(request.user, payload.duplicate_of)
        except Http404 as exc:
            raise ValidationError(
                {"duplicate_of": [_("There is no problem %(id)s.") % {"id": payload.duplicate_of}]}
            ) from exc
    services.problem_transition(
        problem=problem, action=action, by=request.user, note=payload.note, duplicate_of=original
    )
    return _detail(request, problem)


def _register_transition(action: str, summary: str):
    path = action.replace("_", "-")

    def endpoint(request, problem_id: int, payload: TransitionIn):
        return _transition(request, problem_id, action, payload)

    endpoint.__name__ = f"problem_{action}"
    router.post(
        f"/{{int:problem_id}}/{path}",
        response={200: ProblemDetailOut, 409: ErrorOut, **ERRORS},
        summary=summary,
        operation_id=f"problem_{action}",
    )(endpoint)


for _action, _summary in [
    (ProblemAction.VALIDATE, "Validate: the problem lies within the unit's authority"),
    (ProblemAction.ADDRESS, "Mark as addressed by training (organizer)"),
    (ProblemAction.RESOLVE, "Resolve: the indicator shows the problem is solved"),
    (ProblemAction.CLOSE, "Close, with a reason in the note"),
    (ProblemAction.MARK_DUPLICATE, "Mark as duplicate of `duplicate_of`, with a reason"),
    (ProblemAction.REOPEN, "Reopen a closed or duplicate problem, with a reason"),
]:
    _register_transition(str(_action), _summary)
