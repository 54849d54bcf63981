"""The notification centre: idempotent notify, the e-mail copy, the inbox and its scope."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from membumi.notifications import services
from membumi.notifications.models import Notification


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    settings.SITE_URL = "https://membumi.test"
    with translation.override("en"):
        yield


def test_notify_stores_and_emails_after_commit(participant, django_capture_on_commit_callbacks):
    participant.email = "peserta@example.go.id"
    participant.save()
    with django_capture_on_commit_callbacks(execute=True):
        n = services.notify(
            recipient=participant, kind="plan_approved", title="Plan approved", url="/plans/1/"
        )
    assert n.pk and not n.is_read
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Plan approved"
    assert "https://membumi.test/plans/1/" in mail.outbox[0].body
    n.refresh_from_db()
    assert n.emailed_at is not None


def test_notify_with_same_key_sends_once(participant, django_capture_on_commit_callbacks):
    participant.email = "peserta@example.go.id"
    participant.save()
    with django_capture_on_commit_callbacks(execute=True):
        first = services.notify(recipient=participant, kind="k", title="T", key="due7:1")
        again = services.notify(recipient=participant, kind="k", title="T", key="due7:1")
    assert first is not None and again is None
    assert Notification.objects.filter(key="due7:1").count() == 1
    assert len(mail.outbox) == 1


def test_notify_without_address_or_recipient_sends_no_mail(
    participant, django_capture_on_commit_callbacks
):
    participant.email = ""
    participant.save()
    participant.employee.email = ""
    participant.employee.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.notify(recipient=participant, kind="k", title="T") is not None
        assert services.notify(recipient=None, kind="k", title="T") is None
    assert mail.outbox == []


def test_notify_falls_back_to_employee_address(participant, django_capture_on_commit_callbacks):
    participant.email = ""
    participant.save()
    participant.employee.email = "kantor@example.go.id"
    participant.employee.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipient=participant, kind="k", title="T", email=True)
        services.notify(recipient=participant, kind="k", title="T2", email=False)
    assert [m.to for m in mail.outbox] == [["kantor@example.go.id"]]


def test_inbox_lists_only_own_and_counts_unread(client, participant, mentor):
    services.notify(recipient=participant, kind="k", title="Mine", email=False)
    services.notify(recipient=mentor, kind="k", title="Not mine", email=False)
    client.force_login(participant)
    response = client.get(reverse("notifications:list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Mine" in body and "Not mine" not in body
    assert response.context["unread_notifications"] == 1


def test_open_marks_read_and_redirects(client, participant):
    n = services.notify(
        recipient=participant, kind="k", title="Go", url="/notifications/?x=1", email=False
    )
    client.force_login(participant)
    response = client.post(reverse("notifications:open", args=[n.pk]))
    assert response.status_code == 302 and response["Location"] == "/notifications/?x=1"
    n.refresh_from_db()
    assert n.is_read


def test_open_refuses_foreign_redirect_and_others_notifications(client, participant, mentor):
    n = services.notify(
        recipient=participant, kind="k", title="Evil", url="https://evil.example/", email=False
    )
    theirs = services.notify(recipient=mentor, kind="k", title="Theirs", email=False)
    client.force_login(participant)
    response = client.post(reverse("notifications:open", args=[n.pk]))
    assert response["Location"] == reverse("notifications:list")
    assert client.post(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert not theirs.is_read
    assert client.get(reverse("notifications:open", args=[n.pk])).status_code == 405


def test_read_all_and_unread_filter(client, participant, mentor):
    for i in range(3):
        services.notify(recipient=participant, kind="k", title=f"N{i}", email=False)
    services.notify(recipient=mentor, kind="k", title="M", email=False)
    client.force_login(participant)
    assert len(client.get(reverse("notifications:list") + "?show=unread").context["page_obj"]) == 3
    client.post(reverse("notifications:read_all"))
    response = client.get(reverse("notifications:list") + "?show=unread")
    assert len(response.context["page_obj"]) == 0
    assert "No unread notifications." in response.content.decode()
    assert Notification.objects.filter(recipient=mentor, read_at__isnull=True).count() == 1


def test_inbox_queries_do_not_grow_with_rows(client, participant):
    client.force_login(participant)
    services.notify(recipient=participant, kind="k", title="one", email=False)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("notifications:list")).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(30):
        services.notify(recipient=participant, kind="k", title=f"n{i}", email=False)
    assert count() == few


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
