"""Reads of problems, scoped to the user (404 outside the scope)."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from membumi.accounts.enums import Role
from membumi.accounts.queries import user_roles
from membumi.organizations.models import Institution
from membumi.organizations.queries import agency_ids_for_user

from .enums import ProblemState
from .models import Problem, ProblemEndorsement
from .rules import mentor_unit_paths


def problem_scope_q(user) -> Q | None:
    """The condition for problems the user may see; ``None`` means all of them."""
    agency_ids = agency_ids_for_user(user)  # admin → None; organizer (served) and viewer
    if agency_ids is None:
        return None
    condition = Q(agency_id__in=agency_ids) | Q(submitted_by_id=user.pk)
    employee = getattr(user, "employee", None)
    if employee is not None:
        if employee.work_unit_id:
            condition |= Q(work_unit_id=employee.work_unit_id)
        condition |= Q(submitted_by__employee__supervisor_id=employee.pk)
    for path in mentor_unit_paths(user):
        condition |= Q(work_unit__path__startswith=path)
    condition |= Q(
        Exists(ProblemEndorsement.objects.filter(problem=OuterRef("pk"), user_id=user.pk))
    )
    return condition


def problems_for_user(user) -> QuerySet[Problem]:
    qs = Problem.objects.select_related("agency", "work_unit", "submitted_by")
    condition = problem_scope_q(user)
    return qs if condition is None else qs.filter(condition)


def get_problem_for_user(user, pk) -> Problem:
    try:
        return (
            problems_for_user(user)
            .select_related("submitted_by__employee", "duplicate_of")
            .get(pk=pk)
        )
    except (Problem.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def filter_problems(qs, *, text="", sector="", state="", agency=None, unit=None, min_priority=None):
    if text:
        qs = qs.filter(
            Q(title__icontains=text)
            | Q(statement__icontains=text)
            | Q(indicator_name__icontains=text)
        )
    if sector:
        qs = qs.filter(sector=sector)
    if state:
        qs = qs.filter(state=state)
    if agency:
        qs = qs.filter(agency=agency)
    if unit:
        qs = qs.filter(work_unit__path__startswith=unit.path)
    if min_priority:
        qs = qs.filter(priority__gte=min_priority)
    return qs


def with_endorsement_counts(qs):
    return qs.annotate(endorsement_count=Count("endorsements", distinct=True))


def analysable_problems(user) -> QuerySet[Problem]:
    """Problems an organizer may put into a needs analysis: those of the agencies served by
    the institution(s) they organise for (admins: all), not closed and not duplicates.
    Other roles analyse nothing: an agency viewer reads its agency's problems but does not
    run needs analyses, and an organizer does not analyse agencies they merely see."""
    roles = user_roles(user)
    qs = Problem.objects.exclude(state__in=[ProblemState.CLOSED, ProblemState.DUPLICATE])
    if roles.has(Role.PLATFORM_ADMIN):
        return qs
    institution_ids = roles.institution_ids(Role.ORGANIZER)
    if not institution_ids:
        return qs.none()
    served = Institution.served_agencies.through.objects.filter(
        institution_id__in=institution_ids
    ).values("agency_id")
    return qs.filter(agency_id__in=served)
