"""The follow-up (EPP) rules: the default policy, what a respondent may do, who sees what.

A follow-up has no stored state. It is created on its due date (``batch.end_date`` + N
months) by ``reminders.followup_schedule_pass``, is **open** from then through the last day of its window
(``open_until`` = due date + window − 1 day), and is **answered** once (``services.followup_respond``, the only
write to an answer) or **closed** when the window passes unanswered. Answering a follow-up
that is not open raises ``TransitionNotAllowed`` (409).

Who sees a follow-up: its respondent (the participant for the self-rating, the enrolment's
current mentor for the mentor's form), and, read-only, the enrolment's coach, the organizer of
the batch's institution and the administrator. The participant does not see the mentor's form
and the mentor does not see the participant's (candid ratings).
"""

import datetime as dt
import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from membumi.programs import rules as program_rules

from .enums import FollowUpStatus, RespondentRole

# --- The default policy (used when a program has none) ------------------------------------

DEFAULT_OFFSETS = (3, 6, 12)
DEFAULT_WINDOW_DAYS = 30
# Behaviour-change items (Kirkpatrick level 3): code → statement. The codes are stable (reports,
# the API); the statements are English msgids shown in the reader's language.
DEFAULT_ITEMS = {
    "applies": gettext_lazy("Applies what was learned in the training in daily work"),
    "involves": gettext_lazy("Involves colleagues and stakeholders in improving the work"),
    "uses_data": gettext_lazy("Uses data to make decisions"),
    "serves_public": gettext_lazy("Serves the public better than before the training"),
}
LIKERT = {
    1: gettext_lazy("Strongly disagree"),
    2: gettext_lazy("Disagree"),
    3: gettext_lazy("Neither agree nor disagree"),
    4: gettext_lazy("Agree"),
    5: gettext_lazy("Strongly agree"),
}
RATING_MIN, RATING_MAX = 1, 5

# Limits of a policy.
MAX_OFFSET_MONTHS = 36
MAX_OFFSETS = 6
MIN_WINDOW_DAYS, MAX_WINDOW_DAYS = 7, 90
MAX_ITEMS = 10
ITEM_CODE = re.compile(r"^[a-z][a-z0-9_]{0,29}$")

# Reminders to a respondent who has not answered, in days after the follow-up opened.
REMINDER_DAYS = (7, 14)

# Which enrolments get follow-ups: those whose plan was approved at some point (the form asks
# what became of it), and whose enrolment was not withdrawn.
EXCLUDED_ENROLLMENT_STATES = {"withdrawn", "enrolled"}
# Batches whose follow-ups are scheduled: the classes have ended.
SCHEDULED_BATCH_STATES = {"follow_up", "closed"}


def default_items() -> list[dict]:
    """The default items as stored on a follow-up (statement = the English msgid)."""
    return [{"code": code, "text": str(text)} for code, text in english_defaults().items()]


def english_defaults() -> dict[str, str]:
    from django.utils import translation

    with translation.override("en"):
        return {code: str(text) for code, text in DEFAULT_ITEMS.items()}


def item_label(code: str, text: str) -> str:
    """A stored item's statement in the reader's language: a default item unchanged from
    its English msgid is translated; an organizer's own statement is shown as written."""
    default = DEFAULT_ITEMS.get(code)
    if default is not None and text == english_defaults()[code]:
        return str(default)
    return text


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` + ``months`` calendar months, clamped to the end of a shorter month
    (31 Aug + 6 months = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - every month has 28 days


def follow_up_status(follow_up, today: dt.date) -> str:
    if follow_up.answered_at is not None:
        return FollowUpStatus.ANSWERED
    if today < follow_up.due_date:
        return FollowUpStatus.UPCOMING
    if today <= follow_up.open_until:
        return FollowUpStatus.OPEN
    return FollowUpStatus.CLOSED


# --- Relations and permissions ------------------------------------------------------------


def is_respondent(user, follow_up) -> bool:
    employee_id = getattr(user, "employee_id", None)
    if not employee_id:
        return False
    enrollment = follow_up.enrollment
    if follow_up.role == RespondentRole.PARTICIPANT:
        return enrollment.employee_id == employee_id
    return enrollment.mentor_id == employee_id


def can_read_all(user, follow_up) -> bool:
    """Coach, organizer of the institution and administrator read every form of a batch."""
    relations = program_rules.enrollment_relations(user, follow_up.enrollment)
    return bool(relations & {"coach", "organizer", "admin"})


def can_see_rollup(user, batch) -> bool:
    if program_rules.batch_relations(user, batch) & {"organizer", "admin", "trainer"}:
        return True
    return batch.enrollments.filter(coach_id=user.pk).exists()


def can_browse_rollups(user) -> bool:
    from membumi.accounts.enums import Role
    from membumi.accounts.queries import user_roles

    return user_roles(user).has(Role.ORGANIZER, Role.TRAINER, Role.PLATFORM_ADMIN)


def can_set_policy(user, program) -> bool:
    return bool(program_rules.program_relations(user, program) & program_rules.ORGANIZERS)


def has_follow_ups(user) -> bool:
    """Anyone with an employee record may be a participant or a mentor."""
    return bool(getattr(user, "employee_id", None))


def refusal_not_open(follow_up, today) -> str | None:
    status = follow_up_status(follow_up, today)
    if status == FollowUpStatus.ANSWERED:
        return _("This follow-up has already been answered.")
    if status == FollowUpStatus.UPCOMING:
        return _("This follow-up is not open yet: it opens on %(date)s.") % {
            "date": follow_up.due_date.strftime("%d-%m-%Y")
        }
    if status == FollowUpStatus.CLOSED:
        return _("This follow-up closed: it was open until %(date)s.") % {
            "date": follow_up.open_until.strftime("%d-%m-%Y")
        }
    return None
