"""Every write in monitoring. Keyword-only, ``<entity>_<action>``.

* ``progress_update_create`` — the participant reports progress on an approved or in-progress
  plan (the first update on an approved plan starts it: transition ``start`` by the system).
* ``progress_update_decide`` — the only code that changes ``ProgressUpdate.state``
  (submitted → accepted | rejected, by the plan's mentor; a reason is required to reject);
  writes an ``UpdateDecision`` row and an audit entry; measurements follow the decision.
* ``progress_update_decide_by_link`` — the same through the signed link e-mailed to the
  mentor (single use, bound to the mentor, expires).
* ``plan_verification_record`` — the effect of the plan's ``verify`` step (plugged into
  ``action_plans.rules.EFFECTS``): the implementation certificates are issued for.

Refusals: ``PermissionDenied`` (403), ``TransitionNotAllowed`` (409), ``ValidationError`` (400).
"""

import secrets
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from membumi.accounts.models import User
from membumi.action_plans import services as plan_services
from membumi.action_plans.enums import PlanAction, PlanState
from membumi.action_plans.models import ActionPlan
from membumi.action_plans.rules import plan_relations, who_may
from membumi.core.audit import audit_record
from membumi.core.exceptions import TransitionNotAllowed
from membumi.notifications.services import notify
from membumi.text.quality import is_percent_unit

from . import evidence as evidence_check
from . import rules
from .achievement import plan_achievement
from .enums import MeasurementState, ProgressStatus, UpdateAction, UpdateState
from .models import (
    Evidence,
    Measurement,
    MilestoneProgress,
    PlanVerification,
    ProgressUpdate,
    UpdateDecision,
    VerificationLink,
)

LINK_SALT = "membumi.monitoring.verification-link"
MAX_LINKS = 10


def _actor(by):
    return by if getattr(by, "pk", None) else None


def _audit(*, by, action, obj, summary="", data=None):
    audit_record(
        actor=_actor(by), action=f"monitoring.{action}", obj=obj, summary=summary, data=data
    )


def _locked_plan(plan) -> ActionPlan:
    return (
        ActionPlan.objects.select_for_update(of=("self",))
        .select_related(
            "enrollment__batch__program__institution",
            "enrollment__employee",
            "enrollment__mentor",
            "enrollment__coach",
        )
        .get(pk=plan.pk)
    )


def account_of(employee):
    if employee is None:
        return None
    return User.objects.filter(employee=employee, is_active=True).order_by("pk").first()


def mentor_account(plan):
    return account_of(plan.enrollment.mentor)


def participant_account(plan):
    return account_of(plan.enrollment.employee)


def _default_language():
    return translation.override(settings.LANGUAGE_CODE)


# --- Progress updates --------------------------------------------------------------------------


def _clean_milestones(plan, milestones) -> list[tuple]:
    """``[{"milestone_id", "status", "note"}]`` → ``[(milestone, status, note)]``; entries
    without a status are left out (the milestone is unchanged)."""
    by_id = {m.pk: m for m in plan.milestones.all()}
    cleaned, errors = [], []
    for entry in milestones or ():
        status = (entry.get("status") or "").strip()
        if not status:
            continue
        note = (entry.get("note") or "").strip()
        milestone = by_id.get(_int(entry.get("milestone_id")))
        if milestone is None:
            errors.append(_("A milestone is not part of this plan."))
            continue
        if status not in ProgressStatus.values:
            errors.append(_("Unknown milestone status “%(s)s”.") % {"s": status})
            continue
        if status in (ProgressStatus.BLOCKED, ProgressStatus.DROPPED) and not note:
            errors.append(
                _("“%(m)s”: say why it is %(s)s.")
                % {"m": milestone.output[:60], "s": ProgressStatus(status).label.lower()}
            )
            continue
        cleaned.append((milestone, status, note))
    if errors:
        raise ValidationError({"milestones": errors})
    return cleaned


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _clean_measurement(measurement, plan=None) -> dict | None:
    if not measurement:
        return None
    value, measured_on = measurement.get("value"), measurement.get("measured_on")
    source = (measurement.get("source") or "").strip()[:200]
    if value in (None, "") and not measured_on and not source:
        return None
    errors = {}
    try:
        value = Decimal(str(value)) if value not in (None, "") else None
        if value is not None and (not value.is_finite() or abs(value) >= Decimal("1e12")):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["measurement_value"] = [_("Enter a number.")]
        value = None
    if value is None and "measurement_value" not in errors:
        errors["measurement_value"] = [_("Give the measured value.")]
    elif (
        value is not None
        and plan is not None
        and is_percent_unit(plan.indicator_unit)
        and not Decimal(0) <= value <= Decimal(100)
    ):
        errors["measurement_value"] = [_("A percentage lies between 0 and 100.")]
    if isinstance(measured_on, str):
        try:
            measured_on = date.fromisoformat(measured_on)
        except ValueError:
            errors["measured_on"] = [_("Enter a valid date.")]
            measured_on = None
    if measured_on is None and "measured_on" not in errors:
        errors["measured_on"] = [_("Give the date of the measurement.")]
    elif measured_on and measured_on > timezone.localdate():
        errors["measured_on"] = [_("The measurement date cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    return {"value": value.quantize(Decimal("0.01")), "measured_on": measured_on, "source": source}


def _clean_links(links) -> list[str]:
    validate = URLValidator(schemes=["http", "https"])
    cleaned, errors = [], []
    for link in links or ():
        link = (link or "").strip()
        if not link:
            continue
        try:
            if len(link) > 500:
                raise ValidationError("too long")
            validate(link)
        except ValidationError:
            errors.append(
                _("“%(link)s” is not a web address (http:// or https://).") % {"link": link[:80]}
            )
            continue
        cleaned.append(link)
    if errors:
        raise ValidationError({"links": errors})
    return cleaned


def check_files(files) -> list[tuple]:
    """Validate uploads (count, size, type by content): ``[(upload, Checked)]``."""
    files = [f for f in files or () if f]
    if len(files) > evidence_check.MAX_FILES:
        raise ValidationError(
            {"files": [_("Attach at most %(n)d files.") % {"n": evidence_check.MAX_FILES}]}
        )
    checked, errors = [], []
    for upload in files:
        try:
            checked.append((upload, evidence_check.check_upload(upload)))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"files": errors})
    return checked


@transaction.atomic
def progress_update_create(
    *,
    plan: ActionPlan,
    by,
    narrative: str,
    milestones=(),
    measurement: dict | None = None,
    files=(),
    links=(),
) -> ProgressUpdate:
    """Record the participant's progress: milestone statuses, what was done, an indicator
    measurement, evidence files and links. Starts an approved plan (system ``start``) and
    asks the mentor to decide, by an in-app notification and an e-mail with a signed link."""
    plan = _locked_plan(plan)
    if "participant" not in plan_relations(by, plan):
        raise PermissionDenied(_("Only the participant reports progress on their action plan."))
    if plan.state not in rules.UPDATABLE_PLAN_STATES:
        raise TransitionNotAllowed(
            _("Progress is reported on an approved plan or one in progress; this plan is %(s)s.")
            % {"s": plan.get_state_display()}
        )
    errors: dict[str, list] = {}
    narrative = (narrative or "").strip()
    if not narrative:
        errors["narrative"] = [_("Say what was done.")]
    cleaned = {}
    for key, clean in (
        ("milestones", lambda: _clean_milestones(plan, milestones)),
        ("measurement", lambda: _clean_measurement(measurement, plan)),
        ("links", lambda: _clean_links(links)),
        ("files", lambda: check_files(files)),
    ):
        try:
            cleaned[key] = clean()
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    if not (
        cleaned["milestones"] or cleaned["measurement"] or cleaned["files"] or cleaned["links"]
    ):
        pass  # a narrative alone is a valid update (e.g. "waiting for the budget")

    if plan.state == PlanState.APPROVED:
        plan = plan_services.action_plan_transition(
            plan=plan, action=PlanAction.START, by=None, note=_("First progress update.")
        )
    update = ProgressUpdate.objects.create(
        plan=plan, agency_id=plan.agency_id, by=_actor(by), narrative=narrative
    )
    for milestone, status, note in cleaned["milestones"]:
        MilestoneProgress.objects.create(
            update=update,
            milestone=milestone,
            status=status,
            note=note,
            previous_status=milestone.status,
        )
        # ``blocked`` is recorded here only; the plan's milestone stays in progress.
        plan_status = "in_progress" if status == ProgressStatus.BLOCKED else status
        plan_note = (_("Blocked: %(reason)s") % {"reason": note}) if status == "blocked" else note
        plan_services.milestone_update(
            milestone=milestone, by=by, status=plan_status, status_note=plan_note
        )
    if cleaned["measurement"]:
        Measurement.objects.create(
            plan=plan, update=update, agency_id=plan.agency_id, **cleaned["measurement"]
        )
    for upload, checked in cleaned["files"]:
        item = Evidence(
            update=update,
            agency_id=plan.agency_id,
            original_name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
        )
        item.file.save(checked.name, upload, save=False)
        item.save()
    for link in cleaned["links"]:
        Evidence.objects.create(update=update, agency_id=plan.agency_id, url=link)
    _audit(
        by=by,
        action="update_created",
        obj=update,
        summary=f"{plan}: {narrative[:200]}",
        data={"plan": plan.pk, "files": len(cleaned["files"]), "links": len(cleaned["links"])},
    )
    _ask_mentor(update=update, plan=plan)
    return update


def _ask_mentor(*, update, plan):
    mentor = mentor_account(plan)
    if mentor is None:
        return
    token = verification_link_create(update=update, mentor=mentor)
    with _default_language():
        days = settings.VERIFICATION_LINK_MAX_AGE_DAYS
        measurement = update.measurements.first()
        lines = [
            _("%(participant)s reported progress on the action plan “%(plan)s”:")
            % {"participant": plan.enrollment.employee.name, "plan": plan.title},
            "",
            update.narrative[:600],
        ]
        if measurement:
            lines += [
                "",
                _("Measured %(indicator)s: %(value)s %(unit)s on %(date)s (%(source)s).")
                % {
                    "indicator": plan.indicator_name,
                    "value": measurement.value,
                    "unit": plan.indicator_unit,
                    "date": measurement.measured_on.isoformat(),
                    "source": measurement.source or "—",
                },
            ]
        lines += [
            "",
            _(
                "Open the link to see the evidence and accept or reject the update. Opening it "
                "changes nothing; it works once and expires in %(days)d days."
            )
            % {"days": days},
        ]
        notify(
            recipient=mentor,
            kind="monitoring.update_submitted",
            title=_("Progress to verify: %(participant)s")
            % {"participant": plan.enrollment.employee.name},
            body="\n".join(lines),
            url=reverse("monitoring:link", args=[token]),
            key=f"monitoring.update_submitted.{update.pk}",
        )


def verification_link_create(*, update, mentor) -> str:
    """A signed, single-use token bound to ``mentor`` for deciding ``update``."""
    link = VerificationLink.objects.create(
        update=update, mentor=mentor, nonce=secrets.token_hex(16)
    )
    return signing.dumps({"l": link.pk, "n": link.nonce}, salt=LINK_SALT, compress=True)


class LinkRefused(Exception):
    """The signed link cannot be used; ``reason`` is tampered / expired / used / decided."""

    def __init__(self, reason, link=None):
        super().__init__(reason)
        self.reason = reason
        self.link = link


def verification_link_resolve(token: str, *, for_update=False) -> VerificationLink:
    """The link a token stands for, or ``LinkRefused``. Reading a link changes nothing."""
    try:
        payload = signing.loads(
            token, salt=LINK_SALT, max_age=settings.VERIFICATION_LINK_MAX_AGE_DAYS * 86400
        )
    except signing.SignatureExpired as exc:
        raise LinkRefused("expired") from exc
    except signing.BadSignature as exc:
        raise LinkRefused("tampered") from exc
    qs = VerificationLink.objects.select_related(
        "mentor", "update__plan__enrollment__employee", "update__plan__enrollment__batch"
    )
    if for_update:
        qs = qs.select_for_update(of=("self",))
    link = qs.filter(pk=_int(payload.get("l")), nonce=str(payload.get("n", ""))).first()
    if link is None:
        raise LinkRefused("tampered")
    if link.used_at is not None:
        raise LinkRefused("used", link)
    if link.update.state != UpdateState.SUBMITTED:
        raise LinkRefused("decided", link)
    return link


def link_check_user(link, user) -> None:
    """The link page works without logging in, but not for another logged-in user."""
    if getattr(user, "is_authenticated", False) and user.pk != link.mentor_id:
        raise PermissionDenied(
            _(
                "This link was sent to another person. Log out to use it, or open the update in the app."
            )
        )


@transaction.atomic
def progress_update_decide_by_link(
    *, token: str, user, action: str, note: str = ""
) -> ProgressUpdate:
    link = verification_link_resolve(token, for_update=True)
    link_check_user(link, user)
    update = progress_update_decide(
        update=link.update, action=action, by=link.mentor, note=note, channel="email"
    )
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    return update


@transaction.atomic
def progress_update_decide(
    *, update: ProgressUpdate, action: str, by, note: str = "", channel: str = "web"
) -> ProgressUpdate:
    """The only function that changes ``ProgressUpdate.state``: submitted → accepted |
    rejected, by the plan's mentor (a reason is required to reject)."""
    update = (
        ProgressUpdate.objects.select_for_update(of=("self",))
        .select_related("plan__enrollment__batch__program", "plan__enrollment__employee")
        .get(pk=update.pk)
    )
    try:
        action = UpdateAction(action)
    except ValueError as exc:
        raise ValidationError({"decision": [_("Choose accept or reject.")]}) from exc
    sources, target, who = rules.UPDATE_TRANSITIONS[action]
    if not plan_relations(by, update.plan) & who:
        raise PermissionDenied(
            _("Only %(who)s may %(action)s this progress update.")
            % {"who": who_may(who), "action": action.label}
        )
    if update.state not in sources:
        raise TransitionNotAllowed(
            _("Cannot %(action)s the progress update: it is already %(state)s.")
            % {"action": action.label, "state": update.get_state_display().lower()}
        )
    note = (note or "").strip()
    if action in rules.NOTE_REQUIRED and not note:
        raise ValidationError({"note": [_("Say why the update is rejected.")]})
    source = update.state
    update.state = target
    update.decided_by = _actor(by)
    update.decided_at = timezone.now()
    update.decision_note = note
    update.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    update.measurements.update(state=MeasurementState(str(target)))
    UpdateDecision.objects.create(
        update=update,
        action=action,
        from_state=source,
        to_state=target,
        by=_actor(by),
        note=note,
        channel=channel,
    )
    _audit(
        by=by,
        action=f"update_{action}",
        obj=update,
        summary=f"{update.plan}: {source} → {target}",
        data={"note": note, "channel": channel} if note else {"channel": channel},
    )
    participant = participant_account(update.plan)
    with _default_language():
        title = (
            _("Your progress update was accepted")
            if target == UpdateState.ACCEPTED
            else _("Your progress update was rejected")
        )
        notify(
            recipient=participant,
            kind=f"monitoring.update_{target}",
            title=f"{title}: {update.plan.title}"[:200],
            body=note,
            url=reverse("monitoring:plan_timeline", args=[update.plan_id]),
            key=f"monitoring.update_decided.{update.pk}",
        )
    return update


# --- Effects plugged into the plan lifecycle ---------------------------------------------------


def plan_verification_record(*, plan, by, note="") -> PlanVerification:
    """``verify``: record the implementation (final accepted value and achievement)."""
    from .queries import latest_accepted_measurement

    final = latest_accepted_measurement(plan)
    verification = PlanVerification.objects.create(
        plan=plan,
        agency_id=plan.agency_id,
        verified_by=_actor(by),
        final_measurement=final,
        final_value=final.value if final else None,
        baseline_value=plan.baseline_value,
        target_value=plan.target_value,
        achievement=plan_achievement(plan, final.value if final else None),
        note=note,
    )
    _audit(
        by=by,
        action="plan_verified",
        obj=verification,
        summary=f"{plan}: {verification.achievement}",
        data={"plan": plan.pk, "final_value": str(verification.final_value)},
    )
    with _default_language():
        notify(
            recipient=participant_account(plan),
            kind="monitoring.plan_verified",
            title=_("Your action plan was verified: %(plan)s") % {"plan": plan.title},
            body=note,
            url=reverse("monitoring:plan_timeline", args=[plan.pk]),
            key=f"monitoring.plan_verified.{plan.pk}",
        )
    return verification


def plan_completed_notify(*, plan, by, note="") -> None:
    """``complete``: ask the mentor to verify the plan."""
    with _default_language():
        notify(
            recipient=mentor_account(plan),
            kind="monitoring.plan_completed",
            title=_("Action plan to verify: %(participant)s")
            % {"participant": plan.enrollment.employee.name},
            body=_("%(participant)s completed “%(plan)s”. Check the evidence and verify it.")
            % {"participant": plan.enrollment.employee.name, "plan": plan.title},
            url=reverse("monitoring:plan_timeline", args=[plan.pk]),
            key=f"monitoring.plan_completed.{plan.pk}.{plan.transitions.count()}",
        )


def plan_rejected_notify(*, plan, by, note="") -> None:
    """``reject``: the mentor sent the completed plan back to in progress."""
    with _default_language():
        notify(
            recipient=participant_account(plan),
            kind="monitoring.plan_rejected",
            title=_("Your action plan was sent back to in progress: %(plan)s")
            % {"plan": plan.title},
            body=note,
            url=reverse("monitoring:plan_timeline", args=[plan.pk]),
            key=f"monitoring.plan_rejected.{plan.pk}.{plan.transitions.count()}",
        )
