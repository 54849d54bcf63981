"""``/api/v1/needs-analyses``: run a needs analysis over a scope, list and retrieve runs.

Organizers (and administrators) only: other roles get 403; another institution's analysis
is 404. A run goes through the same services and task as the web page.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from . import queries, rules, services
from .models import NeedsAnalysis
from .tasks import run_needs_analysis

router = Router(tags=["needs analyses"])


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


class ScopeIn(Schema):
    title: str = ""
    institution: str | None = None
    agencies: list[str] = []
    units: list[int] = []
    sectors: list[str] = []
    period_from: dt.date | None = None
    period_to: dt.date | None = None


class ScopeOut(Schema):
    agencies: list[str] = []
    units: list[int] = []
    sectors: list[str] = []
    period_from: dt.date | None = None
    period_to: dt.date | None = None


class InstitutionRef(Schema):
    id: int
    code: str
    name: str


class NeedOut(Schema):
    id: int
    position: int
    label: str
    keywords: list[str]
    accepted: bool
    accepted_at: dt.datetime | None
    problem_count: int
    units_affected: int
    priority_total: int
    priority_mean: float | None
    example_problem_ids: list[int]
    problem_ids: list[int]


class _AnalysisFields(Schema):
    id: int
    title: str
    institution: InstitutionRef
    created_at: dt.datetime
    created_by: str | None
    status: str
    progress: int
    message: str
    problem_count: int
    need_count: int
    accepted_count: int
    scope: ScopeOut


class AnalysisSummaryOut(_AnalysisFields):
    @staticmethod
    def resolve_created_by(obj):
        return obj.created_by.username if obj.created_by_id else None

    @staticmethod
    def resolve_progress(obj):
        return obj.percent


class AnalysisOut(_AnalysisFields):
    needs: list[NeedOut]


def _require_analyst(request) -> None:
    if not rules.can_analyse(request.user):
        raise PermissionDenied(_("Only organizers run and read needs analyses."))


def _institution_for(user, code: str | None):
    institutions = queries.institutions_for_user(user)
    if code:
        institution = institutions.filter(code=code).first()
        if institution is None:
            raise ValidationError(
                {"institution": [_("You do not organise for an institution with this code.")]}
            )
        return institution
    mine = list(institutions[:2])
    if len(mine) != 1:
        raise ValidationError(
            {"institution": [_("Say which institution this analysis is for (its code).")]}
        )
    return mine[0]


def _analysis_out(analysis: NeedsAnalysis) -> dict:
    done = analysis.status == NeedsAnalysis.Status.DONE
    needs = queries.needs_table(analysis) if done else []
    problem_ids = queries.problem_ids_by_need(analysis) if done else {}
    return {
        "id": analysis.pk,
        "title": analysis.title,
        "institution": analysis.institution,
        "created_at": analysis.created_at,
        "created_by": analysis.created_by.username if analysis.created_by_id else None,
        "status": analysis.status,
        "progress": analysis.percent,
        "message": analysis.message,
        "problem_count": analysis.problem_count,
        "need_count": len(needs),
        "accepted_count": sum(1 for n in needs if n.accepted),
        "scope": analysis.scope or {},
        "needs": [
            {
                "id": n.pk,
                "position": n.position,
                "label": n.label,
                "keywords": n.keywords or [],
                "accepted": n.accepted,
                "accepted_at": n.accepted_at,
                "problem_count": n.problem_count,
                "units_affected": n.units_affected,
                "priority_total": n.priority_total,
                "priority_mean": n.priority_mean,
                "example_problem_ids": [p.pk for p in n.examples],
                "problem_ids": problem_ids.get(n.pk, []),
            }
            for n in needs
        ],
    }


@router.post(
    "",
    response={201: AnalysisOut, 202: AnalysisOut, 400: ErrorOut, 403: ErrorOut},
    summary="Run a needs analysis over a scope",
    description=(
        "Groups the problems in the scope into needs. Every scope field is optional: an empty "
        "scope is every problem the caller may analyse (the agencies their institution serves). "
        "`institution` (a code) is needed only by someone who organises for several "
        "institutions. Answers 201 with the needs and their `problem_ids` when the run has "
        "finished, or 202 while a background worker is still running it (then poll "
        "`GET /needs-analyses/{id}`)."
    ),
)
def run_analysis(request, payload: ScopeIn):
    _require_analyst(request)
    institution = _institution_for(request.user, payload.institution)
    analysis = services.needs_analysis_start(
        institution=institution,
        by=request.user,
        title=payload.title,
        agencies=payload.agencies,
        units=payload.units,
        sectors=payload.sectors,
        period_from=payload.period_from,
        period_to=payload.period_to,
    )
    run_needs_analysis.enqueue(analysis.pk)
    analysis = queries.get_analysis_for_user(request.user, analysis.pk)
    return Status(201 if analysis.is_finished else 202, _analysis_out(analysis))


@router.get(
    "",
    response={200: list[AnalysisSummaryOut], 403: ErrorOut},
    summary="Needs analyses of your institution(s), newest first",
)
@paginate(PageNumberPagination, page_size=50)
def list_analyses(request):
    _require_analyst(request)
    return queries.analyses_with_counts(queries.analyses_for_user(request.user))


@router.get(
    "/{analysis_id}",
    response={200: AnalysisOut, 403: ErrorOut, 404: ErrorOut},
    summary="One needs analysis with its needs (404 outside your institution)",
)
def get_analysis(request, analysis_id: int):
    _require_analyst(request)
    return _analysis_out(queries.get_analysis_for_user(request.user, analysis_id))
