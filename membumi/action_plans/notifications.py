"""Messages about plan steps: e-mails for the review (submit, approve, request revision) and
an in-app notification for every step, to every person it concerns.

E-mails: each is a template triplet ``action_plans/email/<name>_subject.txt`` / ``_body.txt``
/ ``_body.html``; recipients without an e-mail address are skipped. Mails are sent after the
transaction commits, so a refused or rolled-back step sends nothing.

In-app (``transition_notify``, called by ``services._history`` for every history row): the
participant, the mentor and the coach, except the person who took the step, each get one
``membumi.notifications`` notification linking to the plan page (idempotent per history row
and recipient). Where the richer review e-mail above already goes to a person, the
notification is stored with ``email=False``, so nobody gets two e-mails for one step; for
the other steps (start, complete, verify, reject, abandon) the notification's own e-mail
copy is the e-mail.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from membumi.accounts.models import User


def _address(user=None, employee=None) -> str:
    if user is not None and user.email:
        return user.email
    if employee is not None:
        if employee.email:
            return employee.email
        account = User.objects.filter(employee=employee).only("email").first()
        if account and account.email:
            return account.email
    return ""


def participant_address(plan) -> str:
    employee = plan.enrollment.employee
    account = User.objects.filter(employee=employee).only("email").first()
    return _address(account, employee)


def mentor_address(plan) -> str:
    mentor = plan.enrollment.mentor
    return _address(employee=mentor) if mentor else ""


def coach_address(plan) -> str:
    coach = plan.enrollment.coach
    return _address(user=coach) if coach else ""


def send(name: str, *, to: list[str], context: dict) -> None:
    to = sorted({a for a in to if a})
    if not to:
        return
    subject = " ".join(render_to_string(f"action_plans/email/{name}_subject.txt", context).split())
    text = render_to_string(f"action_plans/email/{name}_body.txt", context)
    html = render_to_string(f"action_plans/email/{name}_body.html", context)

    def deliver():
        message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, to)
        message.attach_alternative(html, "text/html")
        message.send()

    transaction.on_commit(deliver)


# --- In-app notifications ------------------------------------------------------------------

# Who hears of each step (never the actor), and who gets the notification without its e-mail
# copy: those the review e-mail above already reaches, and the other reviewer of a revision
# request (told in the app only).
AUDIENCE = {
    "submit": ({"coach", "mentor"}, {"coach", "mentor"}),
    "approve": ({"participant"}, {"participant"}),
    "request_revision": ({"participant", "coach", "mentor"}, {"participant", "coach", "mentor"}),
    "start": ({"participant", "mentor"}, set()),
    # complete, verify, reject: monitoring's effects (``rules.EFFECTS``) already tell the
    # mentor (to verify) and the participant (verified / sent back), with a link to the
    # timeline; the coach hears of the first two here.
    "complete": ({"coach"}, set()),
    "verify": ({"coach"}, set()),
    "abandon_request": ({"mentor"}, set()),
    "abandon": ({"participant", "mentor", "coach"}, set()),
}


def _titles(action, plan, row):
    """(title, body) in the site's default language (rendered when the step is taken)."""
    name = plan.enrollment.employee.name
    values = {"title": plan.title, "name": name, "note": row.note}
    titles = {
        "submit": _("%(name)s submitted the action plan “%(title)s” for review"),
        "approve": (
            _("Your action plan “%(title)s” is approved")
            if row.to_state == "approved"
            else _("One approval of your action plan “%(title)s” is in")
        ),
        "request_revision": _("A revision of the action plan “%(title)s” is requested"),
        "start": _("The action plan “%(title)s” is in progress"),
        "complete": _("%(name)s completed the action plan “%(title)s”: please verify it"),
        "verify": _("The action plan “%(title)s” is verified"),
        "reject": _("The action plan “%(title)s” was sent back to in progress"),
        "abandon_request": _("%(name)s asks to abandon the action plan “%(title)s”"),
        "abandon": _("The action plan “%(title)s” was abandoned"),
    }
    title = titles[action] % values
    body = _("Note: %(note)s") % values if row.note else ""
    return title, body


def _people(plan) -> dict[str, User | None]:
    enrollment = plan.enrollment
    participant = User.objects.filter(employee_id=enrollment.employee_id).first()
    mentor = (
        User.objects.filter(employee_id=enrollment.mentor_id).first()
        if enrollment.mentor_id
        else None
    )
    return {"participant": participant, "mentor": mentor, "coach": enrollment.coach}


def transition_notify(*, plan, row) -> None:
    """Notify the people a plan step (a ``PlanTransition`` row) concerns."""
    from membumi.notifications.services import notify

    audience, mailed = AUDIENCE.get(row.action, (set(), set()))
    if not audience:
        return
    url = reverse("action_plans:plan_detail", args=[plan.pk])
    with translation.override(settings.LANGUAGE_CODE):
        title, body = _titles(row.action, plan, row)
    seen = set()
    for relation, user in _people(plan).items():
        if relation not in audience or user is None or user.pk == row.by_id or user.pk in seen:
            continue
        seen.add(user.pk)
        notify(
            recipient=user,
            kind=f"action_plan_{row.action}",
            title=title,
            body=body,
            url=url,
            key=f"action_plan:{row.pk}:{user.pk}",
            email=relation not in mailed,
        )
