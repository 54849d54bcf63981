"""The follow-up jobs the periodic reminder pass (``membumi.reminders``) calls once a day,
in this order:

1. ``followup_schedule_pass(today=)`` creates the follow-ups that are due (idempotent).
2. ``followup_remind_pass(today=)`` tells each respondent of an open, unanswered form: once
   when it opens, then a reminder 7 and 14 days later (``rules.REMINDER_DAYS``). Each message
   has a key ``followup_<stage>:<follow-up id>:<user id>``, so a re-run sends nothing twice;
   answered and closed forms get nothing. A pass that runs late sends only the stage due now
   (no burst of three messages). A new mentor (the enrolment's mentor changed) is told too.

Both return how many rows they created / messages they sent. Both work in chunks (enrolments
by id, forms by id), each committed in its own short transaction; the reminder pass calls them
outside any transaction. A pass killed between chunks keeps what it committed, and the next
run creates exactly what is still missing (unique enrolment × offset × role; unique
notification key), so nothing is duplicated or missed.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from membumi.notifications.models import EmailState, Notification
from membumi.notifications.services import outbox_kick

from . import rules, services
from .enums import RespondentRole
from .models import FollowUp

CHUNK = 1000


def followup_schedule_pass(*, today: dt.date) -> int:
    return services.follow_up_schedule_due(today=today)


def _stage(follow_up, today) -> str:
    days = (today - follow_up.due_date).days
    first, second = rules.REMINDER_DAYS
    if days >= second:
        return "remind_2"
    if days >= first:
        return "remind_1"
    return "open"


def _recipient(follow_up):
    enrollment = follow_up.enrollment
    employee = (
        enrollment.employee if follow_up.role == RespondentRole.PARTICIPANT else enrollment.mentor
    )
    if employee is None:
        return None
    user = getattr(employee, "user", None)
    return user if user is not None and user.is_active else None


def _message(follow_up, stage) -> tuple[str, str]:
    program = follow_up.batch.program.name
    months = follow_up.offset_months
    until = follow_up.open_until.strftime("%d-%m-%Y")
    if follow_up.role == RespondentRole.PARTICIPANT:
        title = _("%(months)s months after %(program)s: how is your action plan going?") % {
            "months": months,
            "program": program,
        }
        body = _(
            "Tell us whether your action plan is continuing, completed or stopped, and rate "
            "how your work has changed. It takes about two minutes; the form is open until "
            "%(date)s."
        ) % {"date": until}
    else:
        title = _("%(months)s months after %(program)s: how is %(name)s doing?") % {
            "months": months,
            "program": program,
            "name": follow_up.enrollment.employee.name,
        }
        body = _(
            "As the mentor, tell us whether the action plan of %(name)s is continuing, "
            "completed or stopped, and rate the change you see in their work. It takes about "
            "two minutes; the form is open until %(date)s."
        ) % {"name": follow_up.enrollment.employee.name, "date": until}
    if stage != "open":
        title = _("Reminder: %(title)s") % {"title": title}
    return title, body


def followup_remind_pass(*, today: dt.date) -> int:
    open_forms = (
        FollowUp.objects.filter(
            answered_at__isnull=True, due_date__lte=today, open_until__gte=today
        )
        .select_related("batch__program", "enrollment__employee__user", "enrollment__mentor__user")
        .order_by("pk")
    )
    sent = 0
    last = 0
    with translation.override(settings.LANGUAGE_CODE):
        while True:
            chunk = list(open_forms.filter(pk__gt=last)[:CHUNK])
            if not chunk:
                break
            last = chunk[-1].pk
            todo = []
            for follow_up in chunk:
                user = _recipient(follow_up)
                if user is None:
                    continue
                stage = _stage(follow_up, today)
                todo.append((follow_up, user, stage, f"followup_{stage}:{follow_up.pk}:{user.pk}"))
            if not todo:
                continue
            with transaction.atomic():  # one short transaction per chunk
                taken = set(
                    Notification.objects.filter(key__in=[key for *_rest, key in todo]).values_list(
                        "key", flat=True
                    )
                )
                rows = []
                for follow_up, user, stage, key in todo:
                    if key in taken:
                        continue
                    title, body = _message(follow_up, stage)
                    rows.append(
                        Notification(
                            recipient=user,
                            kind="followup_open" if stage == "open" else "followup_reminder",
                            title=title[:200],
                            body=body,
                            url=reverse("evaluation:follow_up_detail", args=[follow_up.pk]),
                            key=key,
                            email_state=EmailState.PENDING,
                        )
                    )
                if not rows:
                    continue
                # ignore_conflicts: a key taken meanwhile by a concurrent pass is skipped, as
                # ``notify`` would.
                Notification.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
                sent += len(rows)
    if sent:
        # One outbox drain for the whole pass (not one per chunk); a pass killed before this
        # leaves its copies to the scheduler's periodic drain.
        outbox_kick()
    return sent
