"""Every write to action plans, their milestones and stakeholders. Keyword-only,
``<entity>_<action>``.

``action_plan_transition`` is the only code that changes ``ActionPlan.state``: it checks
``rules.PLAN_TRANSITIONS`` (the step and who may take it) and the step's guards, saves, writes
a ``PlanTransition`` row and an audit entry, and queues the e-mails, in one transaction.
Refusals raise ``TransitionNotAllowed`` (HTTP 409), ``PermissionDenied`` (403) or
``ValidationError`` (400), with a message in the user's language.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from membumi.core.audit import audit_record
from membumi.core.exceptions import TransitionNotAllowed
from membumi.programs.queries import pickable_problems
from membumi.programs.rules import enrollment_relations

from . import notifications, rules
from .enums import BerAkhlak, Decision, PlanAction, PlanState, ReviewerRole
from .models import ActionPlan, Milestone, PlanApproval, PlanTransition, Stakeholder

PLAN_FIELDS = (
    "title",
    "goal",
    "root_cause",
    "indicator_name",
    "indicator_unit",
    "indicator_direction",
    "baseline_value",
    "baseline_date",
    "target_value",
    "target_date",
    "data_source",
)
MILESTONE_FIELDS = ("term", "output", "due_date", "budget", "responsible", "values")
MILESTONE_STATUS_FIELDS = ("status", "status_note")
STAKEHOLDER_FIELDS = ("kind", "name", "role", "support_needed")


def _actor(by):
    return by if getattr(by, "pk", None) else None


def _locked(plan) -> ActionPlan:
    return (
        ActionPlan.objects.select_for_update(of=("self",))
        .select_related(
            "enrollment__batch__program__institution",
            "enrollment__employee",
            "enrollment__mentor",
            "enrollment__coach",
            "problem",
        )
        .get(pk=plan.pk)
    )


def _audit(*, by, action: str, plan, summary: str = "", data=None):
    audit_record(
        actor=_actor(by), action=f"action_plans.{action}", obj=plan, summary=summary, data=data
    )


def _full_clean(obj, exclude=None):
    obj.full_clean(exclude=exclude, validate_constraints=False)


def _require_editable(plan, by):
    if not rules.is_plan_owner(by, plan):
        raise PermissionDenied(_("Only the participant may change their action plan."))
    if not rules.plan_is_editable(plan):
        raise TransitionNotAllowed(
            _(
                "The plan is %(state)s: it can be changed only as a draft or when a revision "
                "is requested."
            )
            % {"state": plan.get_state_display()}
        )


def _check_problem(problem, *, enrollment, by):
    if problem is None:
        return
    allowed = problem.pk == enrollment.problem_id or (
        pickable_problems(by).filter(pk=problem.pk).exists()
    )
    if not allowed:
        raise ValidationError(
            {"problem": [_("Choose your own problem or one of your unit's problems.")]}
        )


# --- Plans ------------------------------------------------------------------------------------


@transaction.atomic
def action_plan_create(*, enrollment, by, title: str, problem=None, **fields) -> ActionPlan:
    """A draft plan for the participant's own enrolment. The indicator, baseline and data
    source start from the problem's (the enrolment's problem unless another is given)."""
    relations = enrollment_relations(by, enrollment)
    if "participant" not in relations:
        raise PermissionDenied(_("Only the participant writes their action plan."))
    if enrollment.state not in rules.PLANNABLE_ENROLLMENT_STATES:
        raise TransitionNotAllowed(
            _("The enrolment is %(state)s: no new plan can be written for it.")
            % {"state": enrollment.get_state_display()}
        )
    if ActionPlan.objects.filter(enrollment=enrollment).exclude(state=PlanState.ABANDONED).exists():
        raise TransitionNotAllowed(_("This enrolment already has an action plan."))
    problem = problem if problem is not None else enrollment.problem
    _check_problem(problem, enrollment=enrollment, by=by)
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    plan = ActionPlan(
        enrollment=enrollment,
        agency_id=enrollment.agency_id,
        problem=problem,
        title=title,
        created_by=_actor(by),
    )
    if problem is not None:
        plan.indicator_name = problem.indicator_name
        plan.indicator_unit = problem.indicator_unit
        plan.indicator_direction = problem.indicator_direction
        plan.baseline_value = problem.baseline_value
        plan.baseline_date = problem.baseline_date
        plan.data_source = problem.data_source
    for name, value in fields.items():
        setattr(plan, name, value)
    _full_clean(plan, exclude=["enrollment", "agency", "problem", "created_by"])
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError as exc:  # a concurrent create for the same enrolment
        raise TransitionNotAllowed(_("This enrolment already has an action plan.")) from exc
    _audit(by=by, action="plan_created", plan=plan, summary=title)
    return plan


@transaction.atomic
def action_plan_update(*, plan: ActionPlan, by, problem=..., **fields) -> ActionPlan:
    """Change the plan's fields (only in ``draft`` or ``revision_requested``). Pass only the
    fields that change; ``problem=None`` clears the problem."""
    plan = _locked(plan)
    _require_editable(plan, by)
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    if problem is not ...:
        _check_problem(problem, enrollment=plan.enrollment, by=by)
        plan.problem = problem
    for name, value in fields.items():
        setattr(plan, name, value)
    _full_clean(plan, exclude=["enrollment", "agency", "problem", "created_by"])
    plan.save()
    _audit(
        by=by, action="plan_updated", plan=plan, summary=plan.title, data={"fields": sorted(fields)}
    )
    return plan


# --- The lifecycle ----------------------------------------------------------------------------


def _history(*, plan, action, source, target, by, note=""):
    row = PlanTransition.objects.create(
        plan=plan, action=action, from_state=source, to_state=target, by=_actor(by), note=note
    )
    notifications.transition_notify(plan=plan, row=row)
    _audit(
        by=by,
        action=f"plan_{action}",
        plan=plan,
        summary=f"{plan}: {source} → {target}",
        data={"note": note} if note else {},
    )


def _mail_context(plan, **extra):
    return {
        "plan": plan,
        "participant": plan.enrollment.employee.name,
        "batch": str(plan.enrollment.batch),
        **extra,
    }


@transaction.atomic
def action_plan_transition(*, plan: ActionPlan, action: str, by, note: str = "") -> ActionPlan:
    """The only function that changes ``ActionPlan.state`` (DESIGN §4):

    draft / revision_requested —submit→ submitted —approve (all required)→ approved
    —start→ in_progress —complete→ completed —verify→ verified (or —reject→ in_progress);
    submitted —request_revision→ revision_requested; most states —abandon→ abandoned.

    ``by=None`` is the system (the automatic start). Every step writes a history row, also the
    two that leave the state as it is: an approval while another is still required, and a
    participant's abandonment request awaiting the mentor's acknowledgement.
    """
    plan = _locked(plan)
    try:
        action = PlanAction(action)
    except ValueError as exc:
        raise TransitionNotAllowed(_("Unknown action “%(action)s”.") % {"action": action}) from exc
    sources, target, who = rules.PLAN_TRANSITIONS[action]
    relations = rules.plan_relations(by, plan)
    acting = relations & who
    if not acting:
        raise PermissionDenied(
            _("Only %(who)s may %(action)s this action plan.")
            % {"who": rules.who_may(who), "action": action.label}
        )
    if plan.state not in sources:
        raise TransitionNotAllowed(
            _("Cannot %(action)s the action plan: it is %(state)s.")
            % {"action": action.label, "state": plan.get_state_display()}
        )
    refusals = rules.guard_refusals(action, plan)
    if refusals:
        raise TransitionNotAllowed(
            _("The plan cannot be submitted yet: %(reasons)s") % {"reasons": " ".join(refusals)}
            if action == PlanAction.SUBMIT
            else " ".join(refusals)
        )
    note = (note or "").strip()
    handler = _HANDLERS.get(action, _plain)
    plan = handler(plan=plan, action=action, target=target, by=by, note=note, acting=acting)
    if plan.state == target:
        # Later stages record what a step means for them (rules.EFFECTS, e.g. monitoring's
        # PlanVerification on verify), in the same transaction.
        for effect in rules.EFFECTS.get(action, []):
            effect(plan=plan, by=by, note=note)
    return plan


def _require_note(note):
    if not note:
        raise ValidationError({"note": [_("Give a reason.")]})


def _save_state(plan, target, *extra_fields):
    plan.state = target
    plan.save(update_fields=["state", "updated_at", *extra_fields])


def _plain(*, plan, action, target, by, note, acting):
    if action in rules.NOTE_REQUIRED:
        _require_note(note)
    source = plan.state
    _save_state(plan, target)
    _history(plan=plan, action=action, source=source, target=target, by=by, note=note)
    return plan


def _submit(*, plan, action, target, by, note, acting):
    source = plan.state
    plan.review_round += 1
    plan.submitted_at = timezone.now()
    _save_state(plan, target, "review_round", "submitted_at")
    _history(plan=plan, action=action, source=source, target=target, by=by, note=note)
    notifications.send(
        "submitted",
        to=[notifications.coach_address(plan), notifications.mentor_address(plan)],
        context=_mail_context(plan),
    )
    return plan


def _review_roles(plan, acting) -> list[str]:
    """The reviewer roles the user acts in: those required first, in a fixed order."""
    roles = sorted(rules.reviewer_roles(acting))
    required = rules.required_approvals(plan)
    return [r for r in roles if r in required] or roles


def _approve(*, plan, action, target, by, note, acting):
    roles = _review_roles(plan, acting)
    done = set(
        plan.approvals.filter(
            review_round=plan.review_round, decision=Decision.APPROVED
        ).values_list("role", flat=True)
    )
    new = [r for r in roles if r not in done]
    if not new:
        raise TransitionNotAllowed(_("You have already approved this version of the plan."))
    for role in new:
        PlanApproval.objects.create(
            plan=plan,
            review_round=plan.review_round,
            role=role,
            decision=Decision.APPROVED,
            by=_actor(by),
            note=note,
        )
    done |= set(new)
    source = plan.state
    fully = rules.required_approvals(plan) <= done
    if fully:
        plan.approved_at = timezone.now()
        _save_state(plan, target, "approved_at")
    label = ", ".join(str(ReviewerRole(r).label) for r in new)
    _history(
        plan=plan,
        action=action,
        source=source,
        target=plan.state,
        by=by,
        note=note or (_("Approved as %(roles)s.") % {"roles": label}),
    )
    notifications.send(
        "approved",
        to=[notifications.participant_address(plan)],
        context=_mail_context(plan, fully_approved=fully, role=label, note=note),
    )
    return plan


def _request_revision(*, plan, action, target, by, note, acting):
    _require_note(note)
    roles = _review_roles(plan, acting)
    for role in roles:
        PlanApproval.objects.update_or_create(
            plan=plan,
            review_round=plan.review_round,
            role=role,
            defaults={"decision": Decision.REVISION_REQUESTED, "by": _actor(by), "note": note},
        )
    source = plan.state
    _save_state(plan, target)
    _history(plan=plan, action=action, source=source, target=target, by=by, note=note)
    notifications.send(
        "revision_requested",
        to=[notifications.participant_address(plan)],
        context=_mail_context(
            plan, role=", ".join(str(ReviewerRole(r).label) for r in roles), note=note
        ),
    )
    return plan


def _abandon(*, plan, action, target, by, note, acting):
    source = plan.state
    if acting & rules.ORGANIZERS:
        _require_note(note)
    elif "mentor" in acting and plan.abandon_requested_at:
        note = note or plan.abandon_reason
    elif "participant" in acting:
        _require_note(note)
        if plan.abandon_requested_at:
            raise TransitionNotAllowed(
                _("You have already asked to abandon the plan: it waits for the mentor.")
            )
        plan.abandon_requested_at = timezone.now()
        plan.abandon_reason = note
        plan.save(update_fields=["abandon_requested_at", "abandon_reason", "updated_at"])
        _history(
            plan=plan, action="abandon_request", source=source, target=source, by=by, note=note
        )
        return plan
    else:
        raise TransitionNotAllowed(
            _(
                "The mentor acknowledges an abandonment the participant has asked for; none is pending."
            )
        )
    _save_state(plan, target)
    _history(plan=plan, action=action, source=source, target=target, by=by, note=note)
    return plan


_HANDLERS = {
    PlanAction.SUBMIT: _submit,
    PlanAction.APPROVE: _approve,
    PlanAction.REQUEST_REVISION: _request_revision,
    PlanAction.ABANDON: _abandon,
}


def current_approvals(plan) -> list[PlanApproval]:
    return [a for a in plan.approvals.all() if a.review_round == plan.review_round]


# --- Milestones -------------------------------------------------------------------------------


def _clean_values(values):
    values = list(dict.fromkeys(values or []))
    wrong = [v for v in values if v not in BerAkhlak.values]
    if wrong:
        raise ValidationError(
            {"values": [_("Unknown BerAKHLAK values: %(values)s.") % {"values": ", ".join(wrong)}]}
        )
    return values


def _touch(plan):
    """A change to a milestone or stakeholder is a change to the plan (``updated_at``)."""
    ActionPlan.objects.filter(pk=plan.pk).update(updated_at=timezone.now())


def _renumber(items):
    for position, item in enumerate(items):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])


@transaction.atomic
def milestone_add(
    *, plan: ActionPlan, by, term, output, due_date=None, budget=None, responsible="", values=()
) -> Milestone:
    plan = _locked(plan)
    _require_editable(plan, by)
    position = (plan.milestones.aggregate(m=Max("position"))["m"] or -1) + 1
    milestone = Milestone(
        plan=plan,
        term=term,
        output=output,
        due_date=due_date,
        budget=budget,
        responsible=responsible,
        values=_clean_values(values),
        position=position,
    )
    _full_clean(milestone, exclude=["plan"])
    milestone.save()
    _touch(plan)
    _audit(by=by, action="milestone_added", plan=plan, summary=output[:200])
    return milestone


@transaction.atomic
def milestone_update(*, milestone: Milestone, by, **fields) -> Milestone:
    """Change a milestone's plan fields (while the plan is editable) or its status and note
    (while the plan is being carried out)."""
    plan = _locked(milestone.plan)
    unknown = set(fields) - set(MILESTONE_FIELDS) - set(MILESTONE_STATUS_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    if set(fields) & set(MILESTONE_FIELDS):
        _require_editable(plan, by)
    elif not rules.is_plan_owner(by, plan):
        raise PermissionDenied(_("Only the participant may change their action plan."))
    elif plan.state not in rules.EDITABLE_STATES | {PlanState.IN_PROGRESS}:
        raise TransitionNotAllowed(_("Milestone status is recorded while the plan is in progress."))
    if "values" in fields:
        fields["values"] = _clean_values(fields["values"])
    for name, value in fields.items():
        setattr(milestone, name, value)
    _full_clean(milestone, exclude=["plan"])
    milestone.save()
    _touch(plan)
    _audit(by=by, action="milestone_updated", plan=plan, summary=milestone.output[:200])
    return milestone


@transaction.atomic
def milestone_remove(*, milestone: Milestone, by) -> None:
    plan = _locked(milestone.plan)
    _require_editable(plan, by)
    output = milestone.output
    milestone.delete()
    _renumber(list(plan.milestones.order_by("position", "id")))
    _touch(plan)
    _audit(by=by, action="milestone_removed", plan=plan, summary=output[:200])


@transaction.atomic
def milestone_reorder(*, plan: ActionPlan, by, order: list[int]) -> list[Milestone]:
    """Put the plan's milestones in the order of ``order`` (every milestone id, once)."""
    plan = _locked(plan)
    _require_editable(plan, by)
    milestones = {m.pk: m for m in plan.milestones.all()}
    if sorted(order) != sorted(milestones) or len(set(order)) != len(order):
        raise ValidationError({"order": [_("Give every milestone of the plan exactly once.")]})
    ordered = [milestones[pk] for pk in order]
    _renumber(ordered)
    _touch(plan)
    _audit(by=by, action="milestones_reordered", plan=plan)
    return ordered


# --- Stakeholders -----------------------------------------------------------------------------


@transaction.atomic
def stakeholder_add(*, plan: ActionPlan, by, kind, name, role="", support_needed="") -> Stakeholder:
    plan = _locked(plan)
    _require_editable(plan, by)
    position = (plan.stakeholders.aggregate(m=Max("position"))["m"] or -1) + 1
    stakeholder = Stakeholder(
        plan=plan, kind=kind, name=name, role=role, support_needed=support_needed, position=position
    )
    _full_clean(stakeholder, exclude=["plan"])
    stakeholder.save()
    _touch(plan)
    _audit(by=by, action="stakeholder_added", plan=plan, summary=name)
    return stakeholder


@transaction.atomic
def stakeholder_update(*, stakeholder: Stakeholder, by, **fields) -> Stakeholder:
    plan = _locked(stakeholder.plan)
    _require_editable(plan, by)
    unknown = set(fields) - set(STAKEHOLDER_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(stakeholder, name, value)
    _full_clean(stakeholder, exclude=["plan"])
    stakeholder.save()
    _touch(plan)
    _audit(by=by, action="stakeholder_updated", plan=plan, summary=stakeholder.name)
    return stakeholder


@transaction.atomic
def stakeholder_remove(*, stakeholder: Stakeholder, by) -> None:
    plan = _locked(stakeholder.plan)
    _require_editable(plan, by)
    name = stakeholder.name
    stakeholder.delete()
    _renumber(list(plan.stakeholders.order_by("position", "id")))
    _touch(plan)
    _audit(by=by, action="stakeholder_removed", plan=plan, summary=name)


def action_plans_start_for_batch(*, batch) -> int:
    """The automatic start (DESIGN §4: in progress "from the batch end"): every approved plan
    of the batch moves to in_progress as the system. Idempotent; returns how many started."""
    started = 0
    approved = ActionPlan.objects.filter(enrollment__batch=batch, state=PlanState.APPROVED)
    for plan in approved.only("pk"):
        action_plan_transition(plan=plan, action=PlanAction.START, by=None)
        started += 1
    return started


# --- Review policy per program ----------------------------------------------------------------


@transaction.atomic
def review_policy_set(*, program, by, require_coach: bool, require_mentor: bool):
    """Which approvals the program's plans need (at least one). Plans already under review
    are judged by the policy at the time of each approval."""
    from membumi.programs.rules import can_manage_program

    from .models import ReviewPolicy

    if not can_manage_program(by, program):
        raise PermissionDenied(_("Only the organizer of the institution may change this program."))
    if not (require_coach or require_mentor):
        raise ValidationError(
            {"__all__": [_("Require at least one approval: the coach's, the mentor's or both.")]}
        )
    policy, _created = ReviewPolicy.objects.update_or_create(
        program=program,
        defaults={"require_coach": require_coach, "require_mentor": require_mentor},
    )
    audit_record(
        actor=_actor(by),
        action="action_plans.review_policy_set",
        obj=program,
        summary=f"coach={require_coach} mentor={require_mentor}",
    )
    return policy
