"""E-mails about plan reviews (in-app notifications come with a later issue).

Each mail is a template triplet ``action_plans/email/<name>_subject.txt`` / ``_body.txt`` /
``_body.html``; recipients without an e-mail address are skipped. Mails are sent after the
transaction commits, so a refused or rolled-back step sends nothing.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string

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
