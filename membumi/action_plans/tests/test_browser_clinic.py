"""The peer clinic in a real Chromium (Bahasa Indonesia UI): two participants of one batch —
one has submitted, the other gives feedback in the clinic (htmx, no reload), the author answers
on the plan page, the coach reads the thread on the plan page and compares similar plans."""

import pytest

from membumi.action_plans import services
from membumi.action_plans.models import PeerFeedback
from membumi.action_plans.tests.peers import make_mate
from membumi.notifications.models import Notification
from membumi.testing.browser import login, logout

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "secret-pass-123"  # UserFactory's


def test_feedback_answer_and_coach_reads(
    transactional_db, page, ready_plan, participant, trainer, batch, organizer, mentor, unit
):
    plan = services.action_plan_transition(plan=ready_plan, action="submit", by=participant)
    mate, _enrollment = make_mate(
        batch, organizer, username="peserta2", name="Bu Rekan", mentor=mentor, unit=unit
    )

    # The batch-mate finds the clinic from the plan list and reads the plan read-only.
    login(page, mate.username, PASSWORD)
    page.goto("/plans/")
    page.get_by_test_id("clinic-links").locator("a").first.click()
    row = page.get_by_test_id("clinic-row")
    assert row.count() == 1 and "Pak Peserta" in row.inner_text()
    row.locator("a").click()
    page.get_by_test_id("clinic-plan").wait_for()
    assert "Keluaran short" in page.get_by_test_id("clinic-plan").inner_text()

    # Bad input first: an empty feedback is refused with a message, nothing stored.
    form = page.get_by_test_id("clinic-feedback-form")
    form.locator("button[type=submit]").click()
    page.locator(".clinic-form .alert-error").wait_for()
    assert not PeerFeedback.objects.exists()

    page.locator("#id_to_fix").fill("Target 60 menit perlu data pembanding.")
    page.locator("#id_questions").fill("Siapa yang mengelola antrean daring?")
    url_before = page.url
    page.get_by_test_id("clinic-feedback-form").locator("button[type=submit]").click()
    page.get_by_test_id("clinic-done").wait_for()
    assert page.url == url_before  # swapped in place by htmx
    assert "Siapa yang mengelola" in page.get_by_test_id("clinic-feedback").inner_text()
    feedback = PeerFeedback.objects.get()
    assert Notification.objects.filter(recipient=participant).exists()
    logout(page)

    # The author answers on the plan page (the panel is embedded there).
    login(page, participant.username, PASSWORD)
    page.goto(f"/plans/{plan.pk}/")
    answer_form = page.get_by_test_id("clinic-answer-form")
    answer_form.wait_for()
    page.locator(f"#id_answer_{feedback.pk}_answer").fill("Petugas loket pendaftaran.")
    answer_form.locator("button[type=submit]").click()
    page.get_by_test_id("clinic-answer").wait_for()
    assert "Petugas loket" in page.get_by_test_id("clinic-answer").inner_text()
    feedback.refresh_from_db()
    assert feedback.answer == "Petugas loket pendaftaran."
    logout(page)

    # The coach reads the whole thread on the plan page, without a feedback form.
    login(page, trainer.username, PASSWORD)
    page.goto(f"/plans/{plan.pk}/")
    page.get_by_test_id("clinic-answer").wait_for()
    thread = page.get_by_test_id("peer-clinic").inner_text()
    assert "Bu Rekan" in thread and "Petugas loket" in thread
    assert page.get_by_test_id("clinic-feedback-form").count() == 0
    # ... and the plan waits in their review queue.
    page.goto("/plans/review/")
    assert page.get_by_test_id("queue-row").count() == 1


def test_clinic_fits_a_phone_and_outsider_gets_404(
    transactional_db, page, ready_plan, participant, outsider
):
    plan = services.action_plan_transition(plan=ready_plan, action="submit", by=participant)
    page.set_viewport_size({"width": 375, "height": 800})
    login(page, participant.username, PASSWORD)
    for url in (f"/plans/{plan.pk}/clinic/panel/", f"/plans/clinic/{plan.enrollment.batch_id}/"):
        page.goto(url)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, url
    logout(page)
    login(page, outsider.username, PASSWORD)
    response = page.goto(f"/plans/{plan.pk}/clinic/panel/")
    assert response.status == 404
