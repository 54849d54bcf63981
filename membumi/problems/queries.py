"""Reads of problems, scoped to the user (404 outside the scope)."""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from membumi.accounts.enums import Role
from membumi.accounts.queries import user_roles
from membumi.organizations.models import Agency, Institution, WorkUnit
from membumi.organizations.queries import agency_ids_for_user

from . import similarity
from .enums import FISHBONE, ProblemState
from .models import Problem, ProblemEndorsement, ProblemTransition
from .rules import join_refusal, mentor_unit_paths


def problem_scope_q(user) -> Q | None:
    """The condition for problems the user may see; ``None`` means all of them.

    A problem is visible to the employees of its agency (so a participant finds the problem
    another unit of the agency already wrote, and joins it), the agency's viewers, organizers
    of institutions serving the agency, the unit's heads (mentor role on the unit or above),
    the submitter's supervisor, whoever submitted or joined it, and administrators. Never to
    anyone of another agency without one of these relations: for them it does not exist.
    """
    agency_ids = agency_ids_for_user(user)  # admin → None; organizer (served) and viewer
    if agency_ids is None:
        return None
    condition = Q(agency_id__in=agency_ids) | Q(submitted_by_id=user.pk)
    employee = getattr(user, "employee", None) if getattr(user, "employee_id", None) else None
    if employee is not None:
        condition |= Q(agency_id=employee.agency_id)
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
    """Free text on title, statement and indicator; sector; state; agency (object or code);
    unit (object or id: the unit and everything below it); minimum USG priority."""
    text = (text or "").strip()
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
        qs = qs.filter(agency__code=agency) if isinstance(agency, str) else qs.filter(agency=agency)
    if unit:
        if not isinstance(unit, WorkUnit):
            unit = WorkUnit.objects.filter(pk=unit).first()
            if unit is None:
                return qs.none()
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


def own_agency_ids(user) -> set[int]:
    """The agencies a user belongs to: their employee's, and those they view."""
    ids = set(user_roles(user).agency_ids(Role.AGENCY_VIEWER))
    employee = getattr(user, "employee", None) if getattr(user, "employee_id", None) else None
    if employee is not None:
        ids.add(employee.agency_id)
    return ids


def submission_units(user) -> QuerySet[WorkUnit]:
    """The units a user may submit a problem for: their own unit (participants, anyone with a
    unit), the units under a unit they head (mentor role on a unit), every unit of an agency
    they view, every unit for administrators."""
    roles = user_roles(user)
    units = WorkUnit.objects.select_related("agency").order_by("agency__name", "path")
    if roles.has(Role.PLATFORM_ADMIN):
        return units
    condition = Q(agency_id__in=roles.agency_ids(Role.AGENCY_VIEWER))
    employee = getattr(user, "employee", None) if getattr(user, "employee_id", None) else None
    if employee is not None and employee.work_unit_id:
        condition |= Q(pk=employee.work_unit_id)
    for path in mentor_unit_paths(user):
        condition |= Q(path__startswith=path)
    return units.filter(condition)


def default_submission_unit(user, units: QuerySet[WorkUnit]) -> WorkUnit | None:
    """The employee's own unit when they may submit for it, else the only unit on offer."""
    employee_unit = getattr(getattr(user, "employee", None), "work_unit_id", None)
    if employee_unit and units.filter(pk=employee_unit).exists():
        return units.get(pk=employee_unit)
    only = list(units[:2])
    return only[0] if len(only) == 1 else None


def import_agency_ids(user) -> set[int] | None:
    """Agencies a user may import problems for; ``None`` means any."""
    roles = user_roles(user)
    if roles.has(Role.PLATFORM_ADMIN):
        return None
    ids = set(roles.agency_ids(Role.AGENCY_VIEWER))
    institution_ids = roles.institution_ids(Role.ORGANIZER)
    if institution_ids:
        ids |= set(
            Institution.served_agencies.through.objects.filter(
                institution_id__in=institution_ids
            ).values_list("agency_id", flat=True)
        )
    return ids


# --- Similar problems ------------------------------------------------------------------------


@dataclass
class SimilarProblem:
    problem: Problem
    score: float
    own_agency: bool
    joined: bool
    join_refusal: str

    @property
    def percent(self) -> int:
        return round(100 * self.score)

    @property
    def likely_duplicate(self) -> bool:
        return self.score >= similarity.LIKELY_DUPLICATE


@dataclass
class SimilarResult:
    """Similar problems the user may open (own agency first), and only a count and agency
    names for those outside their scope: never a title or a statement from another agency."""

    matches: list[SimilarProblem] = field(default_factory=list)
    outside_count: int = 0
    outside_agencies: list[str] = field(default_factory=list)

    @property
    def outside_agencies_text(self) -> str:
        names = self.outside_agencies[:OUTSIDE_AGENCY_NAMES]
        more = len(self.outside_agencies) > OUTSIDE_AGENCY_NAMES
        return ", ".join(names) + (", …" if more else "")

    @property
    def in_own_agency(self) -> list[SimilarProblem]:
        return [m for m in self.matches if m.own_agency]

    @property
    def elsewhere(self) -> list[SimilarProblem]:
        return [m for m in self.matches if not m.own_agency]


OUTSIDE_AGENCY_NAMES = 3


def similar_for_user(user, text: str, *, limit: int = 5, exclude_ids=()) -> SimilarResult:
    ranked = similarity.rank(text, exclude=frozenset(exclude_ids))
    if not ranked:
        return SimilarResult()
    scores = {m.problem_id: m.score for m in ranked}
    visible = {p.pk: p for p in problems_for_user(user).filter(pk__in=list(scores))}
    own = own_agency_ids(user)
    ordered = sorted(visible.values(), key=lambda p: (p.agency_id not in own, -scores[p.pk], p.pk))[
        :limit
    ]
    joined = set(
        ProblemEndorsement.objects.filter(
            user_id=user.pk, problem_id__in=[p.pk for p in ordered]
        ).values_list("problem_id", flat=True)
    )
    outside = [pk for pk in scores if pk not in visible]
    agencies = []
    if outside:
        agencies = list(
            Agency.objects.filter(problems__pk__in=outside)
            .distinct()
            .order_by("name")
            .values_list("name", flat=True)
        )
    return SimilarResult(
        matches=[
            SimilarProblem(
                problem=p,
                score=scores[p.pk],
                own_agency=p.agency_id in own,
                joined=p.pk in joined,
                join_refusal=str(join_refusal(user, p)),
            )
            for p in ordered
        ],
        outside_count=len(outside),
        outside_agencies=agencies,
    )


def duplicate_candidates(user, problem: Problem, *, limit: int = 20) -> list[Problem]:
    """Originals to offer when marking ``problem`` as a duplicate: the most similar problems
    the user may see, own agency first (the form accepts any problem in scope)."""
    result = similar_for_user(
        user, problem.text_for_analysis, limit=limit, exclude_ids={problem.pk}
    )
    return [m.problem for m in result.matches]


def duplicate_targets(user, problem: Problem) -> QuerySet[Problem]:
    return problems_for_user(user).exclude(pk=problem.pk).exclude(state=ProblemState.DUPLICATE)


# --- Detail page -----------------------------------------------------------------------------


def problem_history(problem: Problem) -> QuerySet[ProblemTransition]:
    return problem.transitions.select_related("by__employee")


def problem_endorsements(problem: Problem) -> QuerySet[ProblemEndorsement]:
    return problem.endorsements.select_related("work_unit__agency", "user__employee").order_by(
        "created_at", "id"
    )


@dataclass
class Traceability:
    needs: list
    programs: list
    modules: list
    batches: list

    @property
    def is_empty(self) -> bool:
        return not (self.needs or self.programs or self.modules or self.batches)


def problem_traceability(problem: Problem, user=None) -> Traceability:
    """Everything in training that answers ``problem``: the needs that group it, and (from
    ``programs.queries.addressing_for_problem``) the modules addressing it directly or through
    one of those needs, their programs and programs answering those needs, the batches of
    those programs and the batches where a participant brings the problem.

    Each program and batch gets ``linked``: whether ``user`` may open its page (a participant,
    mentor or agency viewer sees that a program addresses the problem, but the program's page
    belongs to its organizers and trainers; a link there would only lead to "not found")."""
    from membumi.needs.models import Need
    from membumi.programs.queries import (
        addressing_for_problem,
        batches_for_user,
        programs_for_user,
    )

    needs = list(
        Need.objects.filter(problems=problem)
        .select_related("analysis__institution")
        .order_by("-analysis__created_at", "position", "id")
    )
    addressing = addressing_for_problem(problem)
    visible_programs = visible_batches = set()
    if user is not None:
        visible_programs = set(
            programs_for_user(user)
            .filter(pk__in=[p.pk for p in addressing.programs])
            .values_list("pk", flat=True)
        )
        visible_batches = set(
            batches_for_user(user)
            .filter(pk__in=[b.pk for b in addressing.batches])
            .values_list("pk", flat=True)
        )
    for program in addressing.programs:
        program.linked = program.pk in visible_programs
    for batch in addressing.batches:
        batch.linked = batch.pk in visible_batches
    return Traceability(
        needs=needs,
        programs=addressing.programs,
        modules=addressing.modules,
        batches=addressing.batches,
    )


def root_cause_notes(problem: Problem) -> list[tuple[str, str]]:
    """The fishbone notes in category order, as ``(category label, note)``."""
    notes = problem.root_causes or {}
    return [(str(label), notes[key]) for key, label in FISHBONE if notes.get(key)]
