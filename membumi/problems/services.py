"""Every write to problems and needs analyses. Keyword-only, named ``<entity>_<action>``."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from membumi.core.audit import audit_record
from membumi.core.exceptions import TransitionNotAllowed

from . import rules
from .enums import ProblemAction, ProblemState
from .models import Problem, ProblemEndorsement, ProblemTransition

PROBLEM_FIELDS = [
    "title",
    "statement",
    "sector",
    "public_service",
    "indicator_name",
    "indicator_unit",
    "indicator_direction",
    "baseline_value",
    "baseline_date",
    "data_source",
    "root_causes",
    "urgency",
    "seriousness",
    "growth",
]


@transaction.atomic
def problem_create(*, by, work_unit, **fields) -> Problem:
    unknown = set(fields) - set(PROBLEM_FIELDS)
    if unknown:
        raise TypeError(f"unknown problem fields: {sorted(unknown)}")
    problem = Problem(agency_id=work_unit.agency_id, work_unit=work_unit, submitted_by=by, **fields)
    problem.full_clean()
    problem.save()
    ProblemTransition.objects.create(
        problem=problem, action="submit", from_state="", to_state=problem.state, by=by
    )
    audit_record(actor=by, action="problems.submitted", obj=problem, summary=problem.title)
    return problem


@transaction.atomic
def problem_update(*, problem: Problem, by, **fields) -> Problem:
    if not rules.can_edit_problem(by, problem):
        if problem.state not in rules.EDITABLE_STATES:
            raise TransitionNotAllowed(
                _("A problem can be edited only while it is open; this one is %(state)s.")
                % {"state": problem.get_state_display()}
            )
        raise PermissionDenied(_("Only the submitter or the mentor may edit this problem."))
    for name, value in fields.items():
        if name not in PROBLEM_FIELDS:
            raise TypeError(f"unknown problem field: {name}")
        setattr(problem, name, value)
    problem.full_clean()
    problem.save()
    return problem


@transaction.atomic
def problem_transition(
    *, problem: Problem, action: str, by, note: str = "", duplicate_of: Problem | None = None
) -> Problem:
    """The only function that changes ``Problem.state``: it checks the lifecycle table and who
    may act, writes the history row and the audit log. Refusals raise ``TransitionNotAllowed``
    (409) or ``PermissionDenied`` (403) with a message in the user's language."""
    problem = (
        Problem.objects.select_for_update()
        .select_related("submitted_by__employee", "work_unit", "agency")
        .get(pk=problem.pk)
    )
    try:
        action = ProblemAction(action)
    except ValueError as exc:
        raise TransitionNotAllowed(_("Unknown action “%(action)s”.") % {"action": action}) from exc
    sources, target, who = rules.PROBLEM_TRANSITIONS[action]
    if problem.state not in sources:
        raise TransitionNotAllowed(
            _("Cannot %(action)s a problem that is %(state)s.")
            % {"action": action.label, "state": problem.get_state_display()}
        )
    if not rules.problem_relations(by, problem) & who:
        raise PermissionDenied(
            _("Only %(who)s may %(action)s this problem.")
            % {
                "who": _(" or ").join(str(rules.ROLE_LABELS[w]) for w in sorted(who)),
                "action": action.label,
            }
        )
    note = (note or "").strip()
    if action in rules.NOTE_REQUIRED and not note:
        raise ValidationError({"note": [_("Give a reason.")]})
    if action == ProblemAction.MARK_DUPLICATE:
        if duplicate_of is None:
            raise ValidationError({"duplicate_of": [_("Choose the problem this one duplicates.")]})
        if duplicate_of.pk == problem.pk:
            raise ValidationError({"duplicate_of": [_("A problem cannot duplicate itself.")]})
        if duplicate_of.state == ProblemState.DUPLICATE:
            raise ValidationError(
                {"duplicate_of": [_("That problem is itself a duplicate; choose its original.")]}
            )
        problem.duplicate_of = duplicate_of
    elif action == ProblemAction.REOPEN:
        problem.duplicate_of = None
    if action == ProblemAction.VALIDATE:
        problem.validated_by = by
        problem.validated_at = timezone.now()
    source = problem.state
    problem.state = target
    problem.save()
    ProblemTransition.objects.create(
        problem=problem, action=action, from_state=source, to_state=target, by=by, note=note
    )
    audit_record(
        actor=by,
        action=f"problems.{action}",
        obj=problem,
        summary=f"{problem.title}: {source} → {target}",
        data={"note": note, "duplicate_of": duplicate_of.pk if duplicate_of else None},
    )
    return problem


@transaction.atomic
def problem_endorse(*, problem: Problem, by, note: str = "") -> ProblemEndorsement:
    """Join an existing problem ("our unit has this too") instead of writing it again."""
    employee = getattr(by, "employee", None)
    if employee is None or employee.work_unit_id is None:
        raise ValidationError(_("Only an employee with a work unit can join a problem."))
    endorsement, created = ProblemEndorsement.objects.get_or_create(
        problem=problem,
        user=by,
        defaults={"work_unit_id": employee.work_unit_id, "note": note[:300]},
    )
    if created:
        audit_record(actor=by, action="problems.endorsed", obj=problem, summary=problem.title)
    return endorsement
