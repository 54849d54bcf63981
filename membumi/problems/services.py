"""Every write to problems and needs analyses. Keyword-only, named ``<entity>_<action>``."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from membumi.core.audit import audit_record
from membumi.core.exceptions import TransitionNotAllowed

from . import rules
from .enums import FISHBONE, ProblemAction, ProblemState
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


FISHBONE_KEYS = {key for key, _label in FISHBONE}


def _clean_root_causes(value) -> dict:
    """Fishbone notes: ``{category: text}`` with known categories; empty notes dropped."""
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise ValidationError({"root_causes": [_("Root causes must be notes per category.")]})
    unknown = sorted(set(value) - FISHBONE_KEYS)
    if unknown:
        raise ValidationError(
            {
                "root_causes": [
                    _("Unknown root-cause categories: %(keys)s. Use: %(allowed)s.")
                    % {"keys": ", ".join(unknown), "allowed": ", ".join(sorted(FISHBONE_KEYS))}
                ]
            }
        )
    return {key: str(text).strip() for key, text in value.items() if str(text or "").strip()}


@transaction.atomic
def problem_create(*, by, work_unit, **fields) -> Problem:
    """Submit a problem for ``work_unit`` (its agency follows the unit). Who may submit for
    which unit is the caller's check (``queries.submission_units``, the import's agencies)."""
    unknown = set(fields) - set(PROBLEM_FIELDS)
    if unknown:
        raise TypeError(f"unknown problem fields: {sorted(unknown)}")
    if "root_causes" in fields:
        fields["root_causes"] = _clean_root_causes(fields["root_causes"])
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
    unknown = set(fields) - set(PROBLEM_FIELDS)
    if unknown:
        raise TypeError(f"unknown problem fields: {sorted(unknown)}")
    if "root_causes" in fields:
        fields["root_causes"] = _clean_root_causes(fields["root_causes"])
    changed = sorted(name for name, value in fields.items() if getattr(problem, name) != value)
    for name, value in fields.items():
        setattr(problem, name, value)
    problem.full_clean()
    if not changed:
        return problem
    problem.save()
    audit_record(
        actor=by,
        action="problems.updated",
        obj=problem,
        summary=problem.title,
        data={"fields": changed},
    )
    return problem


@transaction.atomic
def problem_transition(
    *, problem: Problem, action: str, by, note: str = "", duplicate_of: Problem | None = None
) -> Problem:
    """The only function that changes ``Problem.state``: it checks the lifecycle table and who
    may act, writes the history row and the audit log. Refusals raise ``TransitionNotAllowed``
    (409) or ``PermissionDenied`` (403) with a message in the user's language."""
    problem = (
        # of=("self",): PostgreSQL cannot lock the nullable side of an outer join.
        Problem.objects.select_for_update(of=("self",))
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
    """Join an existing problem ("our unit has this too") instead of writing it again.
    Joining twice changes nothing. Refused (``ValidationError``) for one's own problem or
    unit, without a unit, and for problems that are resolved, closed or duplicates."""
    existing = ProblemEndorsement.objects.filter(problem=problem, user=by).first()
    if existing is not None:
        return existing
    refusal = rules.join_refusal(by, problem)
    if refusal:
        raise ValidationError(str(refusal))
    endorsement, created = ProblemEndorsement.objects.get_or_create(
        problem=problem,
        user=by,
        defaults={"work_unit_id": by.employee.work_unit_id, "note": (note or "")[:300]},
    )
    if created:
        audit_record(actor=by, action="problems.endorsed", obj=problem, summary=problem.title)
    return endorsement


def problem_bulk_create(*, problems: list[Problem], by) -> list[Problem]:
    """Save problems the import has already validated (fields, unit, agency, submitter), with
    their "submitted" history rows, in the caller's transaction. One audit entry covers the
    whole import (``problem_import_record``)."""
    if not problems:
        return []
    created = Problem.objects.bulk_create(problems, batch_size=500)
    ProblemTransition.objects.bulk_create(
        [
            ProblemTransition(
                problem=p,
                action="import",
                from_state="",
                to_state=p.state,
                by_id=p.submitted_by_id,
            )
            for p in created
        ],
        batch_size=500,
    )
    return created


def problem_import_record(*, by, filename: str, report) -> None:
    audit_record(
        actor=by,
        action="problems.imported",
        summary=f"{filename}: {report.summary()}",
        data={
            "created": report.created,
            "unchanged": report.unchanged,
            "rejected": report.rejected,
            "fatal": report.fatal,
        },
    )
