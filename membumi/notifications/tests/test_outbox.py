"""The e-mail outbox: each copy is sent once, a second drain sends nothing, a failure is retried
and then given up, concurrent claims never overlap, a crash before the mark resends (the
at-least-once guarantee)."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone, translation

from membumi.notifications import services
from membumi.notifications.models import EmailState, Notification


@pytest.fixture(autouse=True)
def _english(settings, participant, mentor):
    settings.LANGUAGE_CODE = "en"
    settings.SITE_URL = "https://membumi.test"
    participant.email = "peserta@example.go.id"
    participant.save(update_fields=["email"])
    mentor.email = "mentor@example.go.id"
    mentor.save(update_fields=["email"])
    with translation.override("en"):
        yield


def pending(recipient, n=1, **kwargs):
    return [
        Notification.objects.create(
            recipient=recipient,
            kind="k",
            title=f"Reminder {i}",
            url="/plans/1/",
            email_state=EmailState.PENDING,
            **kwargs,
        )
        for i in range(n)
    ]


def test_each_copy_is_sent_once_and_a_second_drain_sends_nothing(participant, mentor):
    pending(participant, 3)
    pending(mentor, 2)
    Notification.objects.create(recipient=mentor, kind="k", title="in-app only")
    report = services.notification_outbox_send()
    assert report.as_dict() == {"sent": 5, "skipped": 0, "failed": 0}
    assert (
        sorted(m.to[0] for m in mail.outbox)
        == ["mentor@example.go.id"] * 2 + ["peserta@example.go.id"] * 3
    )
    assert "https://membumi.test/plans/1/" in mail.outbox[0].body
    assert not Notification.objects.filter(email_state=EmailState.PENDING).exists()
    assert (
        Notification.objects.filter(email_state=EmailState.SENT, emailed_at__isnull=False).count()
        == 5
    )
    assert services.notification_outbox_send().as_dict() == {"sent": 0, "skipped": 0, "failed": 0}
    assert len(mail.outbox) == 5


def test_rows_without_an_address_are_skipped(participant):
    participant.email = ""
    participant.save(update_fields=["email"])
    participant.employee.email = ""
    participant.employee.save(update_fields=["email"])
    (n,) = pending(participant)
    assert services.notification_outbox_send().skipped == 1
    n.refresh_from_db()
    assert n.email_state == EmailState.SKIPPED and mail.outbox == []


def test_limit_sends_only_that_many(participant):
    pending(participant, 5)
    assert services.notification_outbox_send(limit=2).sent == 2
    assert Notification.objects.filter(email_state=EmailState.PENDING).count() == 3


def test_a_claimed_row_is_not_claimed_again_until_its_lease_expires(participant):
    pending(participant, 3)
    first = services.notification_outbox_claim(batch=2)
    second = services.notification_outbox_claim(batch=10)
    assert len(first) == 2 and len(second) == 1
    assert not {n.pk for n in first} & {n.pk for n in second}
    assert services.notification_outbox_claim() == []
    # The sender of ``first`` died before marking: after the lease the rows go out again.
    with time_machine.travel(timezone.now() + services.EMAIL_LEASE + dt.timedelta(seconds=1)):
        report = services.notification_outbox_send()
    assert report.sent == 3  # at-least-once: the two claimed rows and the third one
    assert Notification.objects.filter(email_state=EmailState.SENT).count() == 3


class Boom(Exception):
    pass


def test_failures_are_retried_then_given_up(participant, monkeypatch):
    (n,) = pending(participant)

    def broken(self, messages):
        raise Boom("SMTP down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", broken)
    moment = timezone.now()
    for attempt in range(1, services.EMAIL_MAX_ATTEMPTS + 1):
        with time_machine.travel(moment, tick=False):
            assert services.notification_outbox_send().failed == 1
            assert services.notification_outbox_send().failed == 0  # waiting for its retry
        moment += services.EMAIL_RETRY_AFTER * attempt + dt.timedelta(seconds=1)
    n.refresh_from_db()
    assert n.email_state == EmailState.FAILED
    assert n.email_attempts == services.EMAIL_MAX_ATTEMPTS
    monkeypatch.undo()
    with time_machine.travel(moment + dt.timedelta(days=1)):
        assert services.notification_outbox_send().sent == 0


def test_notify_enqueues_one_drain_per_transaction(participant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        for i in range(3):
            services.notify(recipient=participant, kind="k", title=f"T{i}")
    assert len(callbacks) == 1
    assert Notification.objects.filter(email_state=EmailState.PENDING).count() == 3
    callbacks[0]()  # the immediate test backend runs the drain at once
    assert len(mail.outbox) == 3


def test_a_batch_goes_through_one_connection_and_each_row_is_marked_once(participant, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    opened = []

    class Counting(EmailBackend):
        def open(self):
            opened.append(self)
            return super().open()

    monkeypatch.setattr(services, "get_connection", lambda: Counting())
    rows = pending(participant, 120)
    with CaptureQueriesContext(connection) as queries:
        report = services.notification_outbox_send()
    assert report.as_dict() == {"sent": 120, "skipped": 0, "failed": 0}
    assert len(opened) == 1  # two claimed batches (100 + 20), one connection
    assert sorted(m.subject for m in mail.outbox) == sorted(n.title for n in rows)
    marks = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("UPDATE") and "emailed_at" in q["sql"]
    ]
    # 100 = 50 + 50, then 20: three statements, not one per message.
    assert len(marks) == 3
    assert (
        Notification.objects.filter(email_state=EmailState.SENT, emailed_at__isnull=False).count()
        == 120
    )


class Killed(BaseException):
    """Stands for the process dying in the middle of a batch."""


def test_a_crash_mid_batch_resends_only_the_unmarked_rows(participant, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    pending(participant, 80)
    real = EmailBackend.send_messages
    calls = []

    def dies_at_the_60th(self, messages):
        calls.append(1)
        if len(calls) == 60:
            raise Killed
        return real(self, messages)

    # A hard kill (no ``finally``): the mark of the second group of 50 never runs.
    monkeypatch.setattr(services, "_mark_done", _no_flush_after_crash(services._mark_done))
    monkeypatch.setattr(EmailBackend, "send_messages", dies_at_the_60th)
    with pytest.raises(Killed):
        services.notification_outbox_send()
    assert len(mail.outbox) == 59
    assert Notification.objects.filter(email_state=EmailState.SENT).count() == 50
    monkeypatch.undo()
    with time_machine.travel(timezone.now() + services.EMAIL_LEASE + dt.timedelta(seconds=1)):
        assert services.notification_outbox_send().sent == 30
    assert Notification.objects.filter(email_state=EmailState.SENT).count() == 80
    # at-least-once: the nine sent but unmarked went twice, nothing was lost
    assert len(mail.outbox) == 89
    assert len({m.subject for m in mail.outbox}) == 80


def _no_flush_after_crash(mark):
    import sys

    def guarded(ids, lease, **fields):
        if isinstance(sys.exc_info()[1], Killed):
            return None
        return mark(ids, lease, **fields)

    return guarded
