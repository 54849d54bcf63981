"""Reminders in a real Chromium (Bahasa Indonesia UI): after a pass, peserta, the mentor and the
coach each find their own reminders in the notification centre (on a 375 px phone too), open
one and land on the plan; the e-mail copies went to each of them once."""

import pytest
import time_machine
from django.core import mail

from membumi.notifications.models import Notification
from membumi.notifications.services import notification_outbox_send
from membumi.reminders.services import reminder_pass
from membumi.testing.browser import login, logout

from .conftest import at

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "secret-pass-123"  # UserFactory's


def kinds_on_page(page) -> list[str]:
    items = page.get_by_test_id("notifications").locator("li")
    return sorted(items.nth(i).get_attribute("data-kind") for i in range(items.count()))


def test_each_person_finds_their_reminders(
    transactional_db, page, live_plan, participant, mentor, trainer, settings
):
    settings.REMINDER_PASSES = []
    with time_machine.travel(at("2026-03-16"), tick=False):
        counts = reminder_pass()
    assert counts["milestone_overdue"] == 2 and counts["plan_silent_30"] == 2
    assert notification_outbox_send().sent == 4
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [
            "peserta@example.go.id",
            "peserta@example.go.id",
            "mentor@example.go.id",
            "coach@example.go.id",
        ]
    )

    # peserta, on a phone: the overdue milestone and the silence, nobody else's.
    page.set_viewport_size({"width": 375, "height": 800})
    login(page, participant.username, PASSWORD)
    page.goto("/notifications/")
    assert kinds_on_page(page) == ["milestone_overdue", "plan_silent_30"]
    text = page.get_by_test_id("notifications").inner_text()
    assert "Keluaran short" in text and "Antrean daring puskesmas" in text
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    overdue = page.locator("li[data-kind=milestone_overdue] button.notification-title")
    overdue.click()
    page.wait_for_url(f"**/plans/{live_plan.pk}/")
    opened = Notification.objects.get(kind="milestone_overdue", recipient=participant)
    assert opened.read_at is not None
    page.goto("/notifications/?show=unread")
    assert kinds_on_page(page) == ["plan_silent_30"]
    logout(page)

    # The mentor: the overdue milestone of their mentee, by name.
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, mentor.username, PASSWORD)
    page.goto("/notifications/")
    assert kinds_on_page(page) == ["milestone_overdue"]
    assert participant.employee.name in page.get_by_test_id("notifications").inner_text()
    logout(page)

    # The coach: the silent plan.
    login(page, trainer.username, PASSWORD)
    page.goto("/notifications/")
    assert kinds_on_page(page) == ["plan_silent_30"]
    logout(page)

    # A second pass the same day changes nothing anyone sees.
    with time_machine.travel(at("2026-03-16", 15), tick=False):
        assert sum(reminder_pass().values()) == 0
    assert notification_outbox_send().sent == 0
    assert len(mail.outbox) == 4
