"""Reads of seminars, scoped to the user (404 outside).

Who sees a session:

* the administrator; the organizer of the batch's institution;
* an examiner assigned to it who holds the examiner role at that institution;
* the coach or the mentor of a participant of the batch (they read their people's rows);
* a participant of the batch once the session is finalised and holds a result for their plan.

Inside a session, ``visible_plans`` narrows the rows the same way.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from membumi.accounts.enums import Role
from membumi.accounts.models import RoleAssignment, User
from membumi.accounts.queries import user_roles
from membumi.action_plans.models import ActionPlan
from membumi.programs import rules as program_rules
from membumi.programs.models import Enrollment

from . import rules, scoring
from .enums import SessionState
from .models import Criterion, Score, ScoreItem, SeminarConfig, SeminarResult, SeminarSession

# --- Configuration ------------------------------------------------------------------------------


def config_for(program) -> SeminarConfig | None:
    return SeminarConfig.objects.filter(program=program).first()


def criteria_for(program) -> list[Criterion]:
    return list(Criterion.objects.filter(config__program=program).order_by("position", "id"))


def config_locked(program) -> bool:
    """A score exists for a session of one of the program's batches."""
    return Score.objects.filter(session__batch__program=program).exists()


def institution_examiners(institution_id) -> QuerySet[User]:
    """Users holding the examiner role at the institution."""
    return (
        User.objects.filter(
            Exists(
                RoleAssignment.objects.filter(
                    user_id=OuterRef("pk"), role=Role.EXAMINER, institution_id=institution_id
                )
            )
        )
        .select_related("employee")
        .order_by("username")
    )


# --- Sessions -----------------------------------------------------------------------------------


def sessions_for_user(user) -> QuerySet[SeminarSession]:
    qs = SeminarSession.objects.select_related("batch__program__institution")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if program_rules.is_platform_admin(user):
        return qs
    condition = Q(batch__program__institution_id__in=program_rules.organizer_institution_ids(user))
    examiner_at = user_roles(user).institution_ids(Role.EXAMINER)
    if examiner_at:
        assigned = SeminarSession.examiners.through.objects.filter(
            seminarsession_id=OuterRef("pk"), user_id=user.pk
        )
        condition |= Q(Exists(assigned), batch__program__institution_id__in=examiner_at)
    reader = Q(coach_id=user.pk)
    employee_id = getattr(user, "employee_id", None)
    if employee_id:
        reader |= Q(mentor_id=employee_id)
        own = SeminarResult.objects.filter(
            session_id=OuterRef("pk"), plan__enrollment__employee_id=employee_id
        )
        condition |= Q(Exists(own), state=SessionState.FINALISED)
    condition |= Q(Exists(Enrollment.objects.filter(reader, batch_id=OuterRef("batch_id"))))
    return qs.filter(condition)


def _with_examiners(qs):
    return qs.prefetch_related(
        Prefetch("examiners", queryset=User.objects.select_related("employee").order_by("username"))
    )


def get_session_for_user(user, pk) -> SeminarSession:
    try:
        session = _with_examiners(sessions_for_user(user)).get(pk=pk)
    except (SeminarSession.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    session.examiner_ids = {u.pk for u in session.examiners.all()}
    return session


def session_list(user) -> QuerySet[SeminarSession]:
    """Sessions the user sees, newest first, with their examiners (two queries a page)."""
    return _with_examiners(sessions_for_user(user)).order_by("-starts_at", "-id")


def batch_sessions(user, batch) -> QuerySet[SeminarSession]:
    return session_list(user).filter(batch=batch)


# --- Plans of a session ---------------------------------------------------------------------------


def examined_plans(session) -> QuerySet[ActionPlan]:
    """Open session: the batch's plans once submitted (not drafts, not abandoned). Finalised
    session: the plans it examined (those with a result), whatever they became since."""
    if session.state == SessionState.FINALISED:
        return ActionPlan.objects.filter(
            Exists(SeminarResult.objects.filter(session_id=session.pk, plan_id=OuterRef("pk")))
        )
    return ActionPlan.objects.filter(
        enrollment__batch_id=session.batch_id, state__in=rules.EXAMINED_PLAN_STATES
    )


def visible_plans(user, session, relations=None) -> QuerySet[ActionPlan]:
    relations = rules.session_relations(user, session) if relations is None else relations
    plans = examined_plans(session)
    employee_id = getattr(user, "employee_id", None)
    if employee_id and session.state != SessionState.FINALISED:
        # Nobody sees the scores of their own plan before the berita acara is final, whatever
        # else they are to the session (examiner, coach, organizer).
        plans = plans.exclude(enrollment__employee_id=employee_id)
    if rules.sees_every_plan(relations):
        return plans
    reader = Q(enrollment__coach_id=user.pk)
    if employee_id:
        reader |= Q(enrollment__mentor_id=employee_id)
        if session.state == SessionState.FINALISED:
            reader |= Q(enrollment__employee_id=employee_id)
    return plans.filter(reader)


def get_plan_for_user(user, session, pk, relations=None) -> ActionPlan:
    try:
        return (
            visible_plans(user, session, relations)
            .select_related("enrollment__employee__work_unit", "problem")
            .get(pk=pk)
        )
    except (ActionPlan.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


@dataclass
class BoardRow:
    plan: ActionPlan
    cells: list  # per examiner: their Score or None
    average: Decimal | None
    complete: bool
    passed: bool | None
    result: SeminarResult | None
    mine: Score | None = None


@dataclass
class Board:
    examiners: list
    rows: list[BoardRow] = field(default_factory=list)
    pass_mark: Decimal | None = None

    @property
    def scored(self) -> int:
        return sum(1 for r in self.rows if r.complete)


def session_board(user, session, relations) -> Board:
    """The scoring list: every visible plan with each examiner's total, the average and the
    outcome. Four queries whatever the number of plans and examiners (plans, scores, results,
    configuration); the examiners come prefetched with the session."""
    plans = list(
        visible_plans(user, session, relations)
        .select_related("enrollment__employee__work_unit")
        .order_by("enrollment__employee__name", "pk")
    )
    examiners = list(session.examiners.all())
    ids = [p.pk for p in plans]
    scores = {
        (s.plan_id, s.examiner_id): s
        for s in Score.objects.filter(session=session, plan_id__in=ids)
    }
    results = {r.plan_id: r for r in SeminarResult.objects.filter(session=session, plan_id__in=ids)}
    config = config_for(session.batch.program)
    pass_mark = config.pass_mark if config else None
    board = Board(examiners=examiners, pass_mark=pass_mark)
    for plan in plans:
        cells = [scores.get((plan.pk, e.pk)) for e in examiners]
        result = results.get(plan.pk)
        complete = bool(examiners) and all(cells)
        if result is not None:
            average, passed = result.average, result.passed
        else:
            average = scoring.average([c.total for c in cells if c]) if complete else None
            passed = None if average is None or pass_mark is None else average >= pass_mark
        board.rows.append(
            BoardRow(
                plan=plan,
                cells=cells,
                average=average,
                complete=complete,
                passed=passed,
                result=result,
                mine=scores.get((plan.pk, user.pk)),
            )
        )
    return board


@dataclass
class Sheet:
    """One plan at one session: criteria × examiners, with comments and notes."""

    criteria: list
    examiners: list
    scores: list  # per examiner: Score (with ``by_criterion``) or None
    average: Decimal | None
    result: SeminarResult | None
    pass_mark: Decimal | None


def plan_sheet(session, plan) -> Sheet:
    criteria = criteria_for(session.batch.program)
    examiners = list(session.examiners.all())
    scores = {
        s.examiner_id: s
        for s in Score.objects.filter(session=session, plan=plan).prefetch_related(
            Prefetch("items", queryset=ScoreItem.objects.all())
        )
    }
    cells = []
    for examiner in examiners:
        score = scores.get(examiner.pk)
        if score is not None:
            score.by_criterion = {item.criterion_id: item for item in score.items.all()}
        cells.append(score)
    result = SeminarResult.objects.filter(session=session, plan=plan).first()
    config = config_for(session.batch.program)
    complete = bool(examiners) and all(cells)
    average = (
        result.average
        if result
        else (scoring.average([c.total for c in cells]) if complete else None)
    )
    return Sheet(
        criteria=criteria,
        examiners=examiners,
        scores=cells,
        average=average,
        result=result,
        pass_mark=result.pass_mark if result else (config.pass_mark if config else None),
    )
