"""Reads of needs analyses, scoped to the user (404 outside the scope), and the needs table.

The figures of a need (problems, units affected, USG total and mean, examples) are computed
here with aggregate queries, never stored: the same number of queries for 1 need or 100.
"""

import datetime as dt

from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.http import Http404

from membumi.organizations.models import Agency, Institution, WorkUnit
from membumi.problems.enums import Sector
from membumi.problems.models import Problem, ProblemEndorsement

from . import rules
from .models import Need, NeedProblem, NeedsAnalysis

EXAMPLES_PER_NEED = 3


def analyses_for_user(user) -> QuerySet[NeedsAnalysis]:
    qs = NeedsAnalysis.objects.select_related("institution", "created_by")
    if rules.is_admin(user):
        return qs
    institution_ids = rules.organizer_institution_ids(user)
    if not institution_ids:
        return qs.none()
    return qs.filter(institution_id__in=institution_ids)


def analyses_with_counts(qs: QuerySet[NeedsAnalysis]) -> QuerySet[NeedsAnalysis]:
    # Meta.ordering does not apply to GROUP BY queries: order explicitly.
    return qs.annotate(
        need_count=Count("needs", distinct=True),
        accepted_count=Count("needs", filter=Q(needs__accepted=True), distinct=True),
    ).order_by("-created_at", "-id")


def get_analysis_for_user(user, pk) -> NeedsAnalysis:
    try:
        return analyses_for_user(user).get(pk=pk)
    except (NeedsAnalysis.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_need_for_user(user, pk) -> Need:
    try:
        return Need.objects.select_related("analysis__institution").get(
            pk=pk, analysis__in=analyses_for_user(user)
        )
    except (Need.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def institutions_for_user(user) -> QuerySet[Institution]:
    """The institutions the user may run an analysis for."""
    if rules.is_admin(user):
        return Institution.objects.all()
    return Institution.objects.filter(id__in=rules.organizer_institution_ids(user))


def served_agencies(institutions) -> QuerySet[Agency]:
    return Agency.objects.filter(serving_institutions__in=institutions).distinct()


def served_units(institutions) -> QuerySet[WorkUnit]:
    return (
        WorkUnit.objects.filter(agency__in=served_agencies(institutions))
        .select_related("agency")
        .order_by("agency__name", "path")
    )


# --- The needs table ---------------------------------------------------------------------------


def _count(qs) -> Subquery:
    """``SELECT COUNT(*)`` of a correlated queryset, as an annotation."""
    return Subquery(
        qs.order_by().values(one=Value(1)).annotate(n=Count("*")).values("n")[:1],
        output_field=IntegerField(),
    )


def needs_with_figures(analysis: NeedsAnalysis) -> QuerySet[Need]:
    """The needs of an analysis annotated with their figures: ``problem_count``,
    ``units_affected`` (distinct units of the problems and of the units that endorsed them),
    ``priority_total`` and ``priority_mean`` (USG). One query for all needs."""
    members = NeedProblem.objects.filter(need=OuterRef("pk"))
    priority_total = Subquery(
        members.order_by()
        .values("need")
        .annotate(total=Sum("problem__priority"))
        .values("total")[:1],
        output_field=IntegerField(),
    )
    in_need = NeedProblem.objects.filter(need=OuterRef(OuterRef("pk")))
    units = WorkUnit.objects.filter(
        Q(pk__in=in_need.values("problem__work_unit_id"))
        | Q(
            pk__in=ProblemEndorsement.objects.filter(
                problem__need_memberships__need=OuterRef(OuterRef("pk"))
            ).values("work_unit_id")
        )
    )
    return (
        Need.objects.filter(analysis=analysis)
        .select_related("accepted_by")
        .annotate(
            problem_count=Coalesce(_count(members), 0),
            priority_total=Coalesce(priority_total, 0),
            units_affected=Coalesce(_count(units), 0),
        )
        .order_by("position", "id")
    )


def example_problems(analysis: NeedsAnalysis, *, per_need: int = EXAMPLES_PER_NEED) -> dict:
    """``{need_id: [problem, ...]}``: the top problems of every need by USG priority, in one
    query (a window function ranks the problems within each need)."""
    ranked = (
        NeedProblem.objects.filter(analysis=analysis)
        .select_related("problem__work_unit")
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("need_id")],
                order_by=[F("problem__priority").desc(), F("problem_id").asc()],
            )
        )
        .filter(rank__lte=per_need)
        .order_by("need_id", "rank")
    )
    examples: dict[int, list[Problem]] = {}
    for membership in ranked:
        examples.setdefault(membership.need_id, []).append(membership.problem)
    return examples


def needs_table(analysis: NeedsAnalysis) -> list[Need]:
    """The needs with their figures and ``examples``: two queries whatever their number."""
    needs = list(needs_with_figures(analysis))
    examples = example_problems(analysis)
    for need in needs:
        need.examples = examples.get(need.pk, [])
        need.priority_mean = (
            round(need.priority_total / need.problem_count, 1) if need.problem_count else None
        )
    return needs


def problem_ids_by_need(analysis: NeedsAnalysis) -> dict[int, list[int]]:
    ids: dict[int, list[int]] = {}
    rows = (
        NeedProblem.objects.filter(analysis=analysis)
        .order_by("need_id", "problem_id")
        .values_list("need_id", "problem_id")
    )
    for need_id, problem_id in rows:
        ids.setdefault(need_id, []).append(problem_id)
    return ids


def need_problems(need: Need) -> QuerySet[Problem]:
    """The problems of one need, highest USG priority first."""
    return (
        Problem.objects.filter(need_memberships__need=need)
        .select_related("agency", "work_unit")
        .order_by("-priority", "id")
    )


EXPORT_PROBLEM_FIELDS = (
    "need__position",
    "need__label",
    "problem_id",
    "problem__title",
    "problem__agency__code",
    "problem__work_unit__name",
    "problem__sector",
    "problem__urgency",
    "problem__seriousness",
    "problem__growth",
    "problem__priority",
    "problem__state",
    "problem__created_at",
)


def analysis_problem_rows(analysis: NeedsAnalysis):
    """Every problem of an analysis with its need, as tuples of ``EXPORT_PROBLEM_FIELDS``
    (no model instances: exports stream tens of thousands of rows), in need order, then
    priority."""
    return (
        NeedProblem.objects.filter(analysis=analysis)
        .order_by("need__position", "need_id", "-problem__priority", "problem_id")
        .values_list(*EXPORT_PROBLEM_FIELDS)
    )


def scope_display(analysis: NeedsAnalysis) -> dict:
    """The scope with names instead of codes and ids (at most two small queries)."""
    scope = analysis.scope or {}
    agencies, units = [], []
    if scope.get("agencies"):
        agencies = list(Agency.objects.filter(code__in=scope["agencies"]).order_by("name"))
    if scope.get("units"):
        units = list(
            WorkUnit.objects.filter(pk__in=scope["units"])
            .select_related("agency")
            .order_by("agency__name", "path")
        )
    sectors = [Sector(s).label for s in scope.get("sectors") or [] if s in Sector.values]
    return {
        "agencies": agencies,
        "units": units,
        "sectors": sectors,
        "period_from": _date(scope.get("period_from")),
        "period_to": _date(scope.get("period_to")),
    }


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None
