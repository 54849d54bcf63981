"""The peer clinic's writes (issue #4 item 6): a batch-mate gives structured feedback on a
submitted plan, the plan's participant answers it. Keyword-only, ``<entity>_<action>``, in one
transaction each, with an audit entry and a notification (stored in the app, e-mailed after
commit).

Who may do what is in ``rules`` (section "Peer clinic"); the reads are in ``queries``
(``clinic_plans_for_user`` and friends). Kept out of ``services.py`` so the plan lifecycle and
the clinic can change independently; nothing here touches ``ActionPlan.state``.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from membumi.accounts.models import User
from membumi.core.audit import audit_record
from membumi.core.exceptions import TransitionNotAllowed
from membumi.notifications.services import notify

from . import rules
from .models import ActionPlan, PeerFeedback

FEEDBACK_FIELDS = ("strengths", "to_fix", "questions")
MAX_LENGTH = 4000


def _clean(value) -> str:
    return (value or "").strip()


def _check_length(errors, name, value):
    if len(value) > MAX_LENGTH:
        errors[name] = [
            _("Keep it under %(n)d characters (now %(m)d).") % {"n": MAX_LENGTH, "m": len(value)}
        ]


def _thread_url(plan) -> str:
    return reverse("action_plans:clinic_panel", args=[plan.pk])


@transaction.atomic
def peer_feedback_give(
    *, plan: ActionPlan, by, strengths: str = "", to_fix: str = "", questions: str = ""
) -> PeerFeedback:
    """``by`` (a batch-mate) gives feedback on ``plan``; at least one part must be filled.
    Refusals: ``PermissionDenied`` (own plan, not a batch-mate), ``TransitionNotAllowed``
    (the plan is not open for the clinic: never submitted, abandoned), ``ValidationError``."""
    plan = (
        ActionPlan.objects.select_for_update(of=("self",))
        .select_related("enrollment__batch", "enrollment__employee")
        .get(pk=plan.pk)
    )
    refusal = rules.feedback_refusal(by, plan)
    if refusal:
        if rules.is_plan_owner(by, plan) or not rules.is_batch_mate(by, plan):
            raise PermissionDenied(refusal)
        raise TransitionNotAllowed(refusal)
    parts = {
        "strengths": _clean(strengths),
        "to_fix": _clean(to_fix),
        "questions": _clean(questions),
    }
    errors = {}
    for name, value in parts.items():
        _check_length(errors, name, value)
    if not any(parts.values()):
        errors["__all__"] = [_("Fill in at least one: strengths, what to fix or a question.")]
    if errors:
        raise ValidationError(errors)
    feedback = PeerFeedback.objects.create(
        plan=plan, author=by, review_round=plan.review_round, **parts
    )
    audit_record(
        actor=by,
        action="action_plans.peer_feedback_give",
        obj=plan,
        summary=f"feedback #{feedback.pk} in round {plan.review_round}",
        data={"feedback": feedback.pk},
    )
    author = User.objects.filter(employee_id=plan.enrollment.employee_id).first()
    if author is not None:
        with translation.override(settings.LANGUAGE_CODE):  # sent in the default language
            _notify_feedback(plan=plan, feedback=feedback, by=by, to=author)
    return feedback


def _notify_feedback(*, plan, feedback, by, to):
    notify(
        recipient=to,
        kind="action_plans.peer_feedback",
        title=_("New peer feedback on your action plan “%(title)s”") % {"title": plan.title},
        body=_("%(name)s gave feedback on your plan in the peer clinic. Read it and answer.")
        % {"name": by.get_full_name() or by.username},
        url=f"{_thread_url(plan)}#feedback-{feedback.pk}",
        key=f"action_plans.peer_feedback:{feedback.pk}",
    )


@transaction.atomic
def peer_feedback_answer(*, feedback: PeerFeedback, by, answer: str) -> PeerFeedback:
    """The plan's participant answers one feedback (once). Refusals: ``PermissionDenied`` (not
    the plan's participant), ``TransitionNotAllowed`` (already answered, plan abandoned),
    ``ValidationError`` (empty or too long)."""
    feedback = (
        PeerFeedback.objects.select_for_update(of=("self",))
        .select_related("plan__enrollment__batch", "plan__enrollment__employee", "author")
        .get(pk=feedback.pk)
    )
    refusal = rules.answer_refusal(by, feedback)
    if refusal:
        if not rules.is_plan_owner(by, feedback.plan):
            raise PermissionDenied(refusal)
        raise TransitionNotAllowed(refusal)
    answer = _clean(answer)
    errors = {}
    _check_length(errors, "answer", answer)
    if not answer:
        errors["answer"] = [_("Write your answer.")]
    if errors:
        raise ValidationError(errors)
    feedback.answer = answer
    feedback.answered_at = timezone.now()
    feedback.save(update_fields=["answer", "answered_at"])
    plan = feedback.plan
    audit_record(
        actor=by,
        action="action_plans.peer_feedback_answer",
        obj=plan,
        summary=f"answered feedback #{feedback.pk}",
        data={"feedback": feedback.pk},
    )
    if feedback.author is not None:
        with translation.override(settings.LANGUAGE_CODE):
            _notify_answer(plan=plan, feedback=feedback, by=by)
    return feedback


def _notify_answer(*, plan, feedback, by):
    notify(
        recipient=feedback.author,
        kind="action_plans.peer_feedback_answered",
        title=_("Your feedback on “%(title)s” was answered") % {"title": plan.title},
        body=_("%(name)s answered your feedback in the peer clinic.")
        % {"name": by.get_full_name() or by.username},
        url=f"{_thread_url(plan)}#feedback-{feedback.pk}",
        key=f"action_plans.peer_feedback_answered:{feedback.pk}",
    )
