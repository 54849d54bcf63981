"""The scheduler enqueues each job at most once per slot; ``membumi worker`` runs what it
enqueued; ``membumi remind`` prints the counts and sends the e-mails; the notification centre
shows the reminders to the right people."""

import datetime as dt
import io

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from membumi.notifications.models import EmailState, Notification
from membumi.reminders.models import ScheduleSlot
from membumi.reminders.services import reminder_pass, schedule_tick

from .conftest import at

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def followups_stub(*, today):
    """An extra pass plugged in through REMINDER_PASSES."""
    return 3 if today == dt.date(2026, 3, 16) else 0


@pytest.fixture(autouse=True)
def _passes(settings):
    settings.REMINDER_PASSES = [
        "membumi.reminders.tests.test_worker.followups_stub",
        "membumi.not_an_app.reminders.pass_that_does_not_exist_yet",
    ]


def enqueued(path_end: str) -> int:
    return DBTaskResult.objects.filter(task_path__endswith=path_end).count()


def test_scheduler_enqueues_each_job_once_per_slot(settings, db):
    settings.TASKS = DB_TASKS
    settings.REMINDER_INTERVAL_MINUTES = 15
    start = at("2026-03-16", 9)  # 09:00 is a slot boundary for 15 and 5 minutes
    assert schedule_tick(now=start) == ["reminder_pass", "notification_outbox"]
    # A second worker (or the next tick) in the same slot enqueues nothing.
    assert schedule_tick(now=start + dt.timedelta(minutes=4)) == []
    assert schedule_tick(now=start + dt.timedelta(minutes=5)) == ["notification_outbox"]
    assert schedule_tick(now=start + dt.timedelta(minutes=14, seconds=59)) == [
        "notification_outbox"
    ]
    assert enqueued(".run_reminder_pass") == 1
    assert schedule_tick(now=start + dt.timedelta(minutes=15)) == [
        "reminder_pass",
        "notification_outbox",
    ]
    assert enqueued(".run_reminder_pass") == 2
    assert enqueued(".send_notification_emails") == 4
    assert ScheduleSlot.objects.count() == 6


def test_a_slot_taken_by_another_worker_is_left_alone(settings, db):
    settings.TASKS = DB_TASKS
    settings.REMINDER_INTERVAL_MINUTES = 60
    now = at("2026-03-16", 9)
    ScheduleSlot.objects.create(job="reminder_pass", slot=int(now.timestamp() // 60) // 60)
    assert schedule_tick(now=now) == ["notification_outbox"]
    assert enqueued(".run_reminder_pass") == 0


def test_worker_runs_the_enqueued_pass_and_the_outbox(
    settings, live_plan, participant, mentor, monkeypatch
):
    settings.TASKS = DB_TASKS
    # The worker drops connections between tasks; inside the test's transaction (PostgreSQL)
    # that would close the one connection the test runs on.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    with time_machine.travel(at("2026-03-16"), tick=False):
        schedule_tick()
        call_command("worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    made = Notification.objects.filter(kind="milestone_overdue")
    assert sorted(made.values_list("recipient__username", flat=True)) == sorted(
        [participant.username, mentor.username]
    )
    assert set(made.values_list("email_state", flat=True)) == {EmailState.SENT}
    assert sorted(m.to[0] for m in mail.outbox if "overdue" in m.subject) == [
        "mentor@example.go.id",
        "peserta@example.go.id",
    ]
    assert not DBTaskResult.objects.exclude(status="SUCCESSFUL").exists()


def test_remind_command_prints_counts_and_sends_once(live_plan):
    out = io.StringIO()
    call_command("remind", "--at", "2026-03-16T09:00", stdout=out)
    text = out.getvalue()
    assert "Reminder pass as of 2026-03-16 09:00 WIB" in text
    lines = {line.split()[0]: line.split()[1] for line in text.splitlines()[1:-1] if line.strip()}
    assert lines["milestone_overdue"] == "2"
    assert lines["plan_silent_30"] == "2"
    assert lines["milestone_due_7"] == "0"
    assert lines["followups_stub"] == "3"
    assert "pass_that_does_not_exist_yet" not in text
    assert lines["total"] == "7"
    assert "E-mails: 4 sent, 0 without an address, 0 failed" in text
    assert len(mail.outbox) == 4

    again = io.StringIO()
    call_command("remind", "--at", "2026-03-16T10:00", stdout=again)
    assert "E-mails: 0 sent" in again.getvalue()
    assert len(mail.outbox) == 4
    assert Notification.objects.count() == 4


def test_remind_command_refuses_a_bad_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not an ISO date"):
        call_command("remind", "--at", "16/03/2026", stdout=io.StringIO())


def test_notification_centre_shows_each_person_their_reminders(
    client, live_plan, participant, mentor, trainer, outsider
):
    with time_machine.travel(at("2026-03-16"), tick=False):
        reminder_pass()
    client.force_login(participant)
    response = client.get(reverse("notifications:list"))
    body = response.content.decode()
    assert "Milestone overdue: Keluaran short" in body
    assert "No progress reported for 30 days: Antrean daring puskesmas" in body
    assert response.context["unread_notifications"] == 2

    client.force_login(mentor)
    body = client.get(reverse("notifications:list")).content.decode()
    assert f"Milestone overdue for {participant.employee.name}" in body
    assert "No progress reported" not in body

    client.force_login(trainer)
    body = client.get(reverse("notifications:list")).content.decode()
    assert f"No progress from {participant.employee.name} for 30 days" in body

    client.force_login(outsider)
    assert client.get(reverse("notifications:list")).context["unread_notifications"] == 0
    theirs = Notification.objects.filter(recipient=participant).first()
    assert client.post(reverse("notifications:open", args=[theirs.pk])).status_code == 404
