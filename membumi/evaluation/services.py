"""Every write to follow-ups. Keyword-only, ``<entity>_<action>``.

* ``follow_up_policy_set`` — an organizer sets a program's offsets, window and items.
* ``follow_up_schedule_due`` — creates the follow-ups due today (idempotent: the unique
  enrolment × offset × role makes a re-run create nothing); called by
  ``reminders.followup_schedule_pass``. It works in chunks of enrolments, each committed on
  its own, so it must not be called inside a long transaction.
* ``follow_up_respond`` — the respondent answers an open form, once. It is the only code that
  writes an answer: 403 for anyone but the respondent, 409 when the form is not open
  (``TransitionNotAllowed``), 400 for an incomplete or invalid answer.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from membumi.action_plans.models import ActionPlan
from membumi.core.audit import audit_record
from membumi.core.exceptions import TransitionNotAllowed
from membumi.programs.models import Batch

from . import queries, rules
from .enums import PlanStatus, RespondentRole
from .models import FollowUp, FollowUpPolicy, FollowUpRating

SCHEDULE_CHUNK = 5000  # enrolments per transaction of ``follow_up_schedule_due``


def _actor(by):
    return by if getattr(by, "pk", None) else None


# --- Policy -----------------------------------------------------------------------------------


def validate_policy(*, offsets, window_days, items) -> tuple[list[int], int, list[dict]]:
    """Check and normalise a policy; raise ``ValidationError`` naming each bad field."""
    errors: dict[str, list[str]] = {}
    clean_offsets: list[int] = []
    try:
        clean_offsets = sorted({int(m) for m in offsets})
    except (TypeError, ValueError):
        errors["offsets"] = [_("Give whole numbers of months, e.g. 3, 6, 12.")]
    else:
        if not clean_offsets:
            errors["offsets"] = [_("Give at least one follow-up.")]
        elif len(clean_offsets) > rules.MAX_OFFSETS:
            errors["offsets"] = [
                _("At most %(n)s follow-ups per program.") % {"n": rules.MAX_OFFSETS}
            ]
        elif clean_offsets[0] < 1 or clean_offsets[-1] > rules.MAX_OFFSET_MONTHS:
            errors["offsets"] = [
                _("Each follow-up comes 1 to %(max)s months after the batch ends.")
                % {"max": rules.MAX_OFFSET_MONTHS}
            ]
    try:
        window = int(window_days)
    except (TypeError, ValueError):
        window = 0
    if not rules.MIN_WINDOW_DAYS <= window <= rules.MAX_WINDOW_DAYS:
        errors["window_days"] = [
            _("A form stays open %(min)s to %(max)s days.")
            % {"min": rules.MIN_WINDOW_DAYS, "max": rules.MAX_WINDOW_DAYS}
        ]
    clean_items: list[dict] = []
    item_errors: list[str] = []
    seen: set[str] = set()
    for item in items or []:
        code = str(item.get("code", "")).strip()
        text = " ".join(str(item.get("text", "")).split())
        if not rules.ITEM_CODE.match(code):
            item_errors.append(
                _(
                    "“%(code)s” is not a valid code: use lower-case letters, digits and _, "
                    "starting with a letter (at most 30)."
                )
                % {"code": code}
            )
        elif code in seen:
            item_errors.append(_("The code “%(code)s” is used twice.") % {"code": code})
        elif not text or len(text) > 200:
            item_errors.append(
                _("The item “%(code)s” needs a statement of at most 200 characters.")
                % {"code": code}
            )
        seen.add(code)
        if code in rules.DEFAULT_ITEMS and text == str(rules.DEFAULT_ITEMS[code]):
            # A default statement kept as shown (in the reader's language) stays translatable.
            text = rules.english_defaults()[code]
        clean_items.append({"code": code, "text": text})
    if not item_errors and not clean_items:
        item_errors.append(_("Give at least one behaviour item."))
    if len(clean_items) > rules.MAX_ITEMS:
        item_errors.append(_("At most %(n)s items.") % {"n": rules.MAX_ITEMS})
    if item_errors:
        errors["items"] = item_errors
    if errors:
        raise ValidationError(errors)
    return clean_offsets, window, clean_items


@transaction.atomic
def follow_up_policy_set(*, program, by, offsets, window_days, items) -> FollowUpPolicy:
    """Set the program's follow-up policy (organizer of its institution, administrator).
    Forms already created keep the items they asked."""
    if not rules.can_set_policy(by, program):
        raise PermissionDenied(
            _("Only the organizer of the institution sets the follow-up policy.")
        )
    offsets, window_days, items = validate_policy(
        offsets=offsets, window_days=window_days, items=items
    )
    policy, _created = FollowUpPolicy.objects.update_or_create(
        program=program,
        defaults={
            "offsets": offsets,
            "window_days": window_days,
            "items": items,
            "updated_by": _actor(by),
        },
    )
    audit_record(
        actor=by,
        action="follow_up.policy_set",
        obj=policy,
        summary=f"{program}: {offsets} months, {window_days} days, {len(items)} items",
        data={"offsets": offsets, "window_days": window_days, "items": items},
    )
    return policy


# --- Scheduling -------------------------------------------------------------------------------


def due_batches(today: dt.date):
    """Batches whose classes ended and that may have a follow-up open today."""
    earliest_end = rules.add_months(today, -rules.MAX_OFFSET_MONTHS) - dt.timedelta(
        days=rules.MAX_WINDOW_DAYS
    )
    return (
        Batch.objects.filter(
            state__in=rules.SCHEDULED_BATCH_STATES,
            end_date__lt=today,
            end_date__gte=earliest_end,
        )
        .select_related("program__follow_up_policy")
        .order_by("end_date", "pk")
    )


def follow_up_schedule_due(*, today: dt.date) -> int:
    """Create every follow-up whose window is open today and that does not exist yet; return
    how many were created. A follow-up whose window already passed (the pass did not run for
    a month) is not created late."""
    created = 0
    for batch in due_batches(today):
        policy = queries.policy_for(batch.program)
        for months in policy.offsets:
            due = rules.add_months(batch.end_date, months)
            until = due + dt.timedelta(days=policy.window_days - 1)
            if due <= today <= until:
                created += _schedule(batch, months, due, until, policy.items)
    if created:
        with transaction.atomic():
            audit_record(
                actor=None,
                action="follow_up.schedule",
                summary=f"{created} follow-up forms opened on {today.isoformat()}",
                data={"today": today.isoformat(), "created": created},
            )
    return created


def _schedule(batch, months, due, until, items) -> int:
    """Create the missing forms of one batch and offset, ``SCHEDULE_CHUNK`` enrolments (by id)
    at a time, each chunk in its own short transaction: a pass killed half-way keeps the
    chunks it committed, and the next pass creates exactly the forms still missing."""
    approved_plan = (
        ActionPlan.objects.filter(enrollment=OuterRef("pk"), approved_at__isnull=False)
        .order_by("-approved_at", "-pk")
        .values("pk")[:1]
    )
    enrolments = (
        batch.enrollments.exclude(state__in=rules.EXCLUDED_ENROLLMENT_STATES)
        .annotate(approved_plan_id=Subquery(approved_plan))
        .filter(approved_plan_id__isnull=False)
        .order_by("pk")
        .values_list("pk", "agency_id", "mentor_id", "approved_plan_id")
    )
    created = 0
    last = 0
    while True:
        chunk = list(enrolments.filter(pk__gt=last)[:SCHEDULE_CHUNK])
        if not chunk:
            return created
        first, last = chunk[0][0], chunk[-1][0]
        with transaction.atomic():
            existing = set(
                FollowUp.objects.filter(
                    batch=batch,
                    offset_months=months,
                    enrollment_id__gte=first,
                    enrollment_id__lte=last,
                ).values_list("enrollment_id", "role")
            )
            new = []
            for enrollment_id, agency_id, mentor_id, plan_id in chunk:
                roles = [RespondentRole.PARTICIPANT] + (
                    [RespondentRole.MENTOR] if mentor_id else []
                )
                for role in roles:
                    if (enrollment_id, role) in existing:
                        continue
                    new.append(
                        FollowUp(
                            enrollment_id=enrollment_id,
                            agency_id=agency_id,
                            batch=batch,
                            plan_id=plan_id,
                            offset_months=months,
                            role=role,
                            due_date=due,
                            open_until=until,
                            items=items,
                        )
                    )
            # ignore_conflicts: two passes running at once still create each form only once.
            FollowUp.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
        created += len(new)


# --- Answer -----------------------------------------------------------------------------------


def validate_answer(*, follow_up, plan_status, stop_reason, ratings, comment) -> dict:
    errors: dict[str, list[str]] = {}
    if plan_status not in PlanStatus.values:
        errors["plan_status"] = [
            _("Say whether the action plan is continuing, completed or stopped.")
        ]
    stop_reason = (stop_reason or "").strip()
    if plan_status == PlanStatus.STOPPED and not stop_reason:
        errors["stop_reason"] = [_("Say why the action plan stopped.")]
    if plan_status != PlanStatus.STOPPED:
        stop_reason = ""
    codes = [item["code"] for item in follow_up.items]
    ratings = dict(ratings or {})
    rating_errors = []
    clean: dict[str, int] = {}
    for code in codes:
        value = ratings.get(code)
        if value in (None, ""):
            rating_errors.append(
                _("Rate every item: “%(item)s” has no rating.")
                % {"item": rules.item_label(code, _text(follow_up, code))}
            )
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if isinstance(value, bool) or not rules.RATING_MIN <= number <= rules.RATING_MAX:
            rating_errors.append(
                _("Ratings are whole numbers from 1 to 5 (“%(item)s”).")
                % {"item": rules.item_label(code, _text(follow_up, code))}
            )
            continue
        clean[code] = number
    unknown = sorted(set(ratings) - set(codes))
    if unknown:
        rating_errors.append(_("This form has no item %(codes)s.") % {"codes": ", ".join(unknown)})
    if rating_errors:
        errors["ratings"] = rating_errors
    if len(comment or "") > 2000:
        errors["comment"] = [_("At most 2,000 characters.")]
    if errors:
        raise ValidationError(errors)
    return {
        "plan_status": plan_status,
        "stop_reason": stop_reason,
        "ratings": clean,
        "comment": (comment or "").strip(),
    }


def _text(follow_up, code) -> str:
    return next((item["text"] for item in follow_up.items if item["code"] == code), code)


def follow_up_respond(
    *, follow_up, by, plan_status, stop_reason="", ratings, comment="", today=None
) -> FollowUp:
    """Record the respondent's answer (once; it cannot be changed afterwards)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = (
            FollowUp.objects.select_for_update(of=("self",))
            .select_related("enrollment", "batch__program")
            .get(pk=follow_up.pk)
        )
        if not rules.is_respondent(by, locked):
            raise PermissionDenied(
                _("Only %(who)s answers this follow-up.")
                % {
                    "who": _("the participant")
                    if locked.role == RespondentRole.PARTICIPANT
                    else _("the mentor")
                }
            )
        refusal = rules.refusal_not_open(locked, today)
        if refusal:
            raise TransitionNotAllowed(refusal)
        answer = validate_answer(
            follow_up=locked,
            plan_status=plan_status,
            stop_reason=stop_reason,
            ratings=ratings,
            comment=comment,
        )
        locked.plan_status = answer["plan_status"]
        locked.stop_reason = answer["stop_reason"]
        locked.comment = answer["comment"]
        locked.answered_at = timezone.now()
        locked.answered_by = by
        locked.save(
            update_fields=["plan_status", "stop_reason", "comment", "answered_at", "answered_by"]
        )
        FollowUpRating.objects.bulk_create(
            FollowUpRating(follow_up=locked, item=code, value=value)
            for code, value in answer["ratings"].items()
        )
        audit_record(
            actor=by,
            action="follow_up.respond",
            obj=locked,
            summary=(
                f"{locked.offset_months}-month follow-up ({locked.role}) of enrolment "
                f"{locked.enrollment_id}: {locked.plan_status}"
            ),
            data={"plan_status": locked.plan_status, "ratings": answer["ratings"]},
        )
    return locked
