"""The monitoring flow in a real Chromium (Bahasa Indonesia UI): peserta reports progress with
a file (a renamed executable is refused first and the text is kept) → the mentor gets the
e-mail, opens the signed link logged out and accepts → peserta completes the plan → the mentor
verifies it in the app. Also the timeline on a 375 px phone."""

import re

import pytest
from django.core import mail

from membumi.action_plans.enums import PlanState
from membumi.monitoring.enums import UpdateState
from membumi.monitoring.models import PlanVerification, ProgressUpdate
from membumi.testing.browser import login, logout

from .conftest import EXE, PDF

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "secret-pass-123"  # UserFactory's


def test_progress_link_complete_verify(
    transactional_db, page, approved_plan, participant, mentor, settings, tmp_path
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    plan = approved_plan
    exe, pdf = tmp_path / "laporan.pdf", tmp_path / "bukti.pdf"
    exe.write_bytes(EXE)
    pdf.write_bytes(PDF)

    # peserta on a phone: the timeline fits 375 px.
    page.set_viewport_size({"width": 375, "height": 800})
    login(page, participant.username, PASSWORD)
    page.goto(f"/monitoring/plans/{plan.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    # Bad input: an executable renamed to .pdf is refused, the typed text is kept.
    page.locator("#id_narrative").fill("Sweeping imunisasi di Desa Kesik.")
    page.locator("#id_measurement_value").fill("150")
    page.locator("#id_measured_on").fill("2026-05-01")
    for milestone in plan.milestones.all():
        page.locator(f"#id_ms_{milestone.pk}").select_option("done")
    page.locator("#id_files").set_input_files(str(exe))
    page.get_by_test_id("submit-update").click()
    page.get_by_test_id("files-refused").wait_for()
    assert page.locator("#id_narrative").input_value() == "Sweeping imunisasi di Desa Kesik."
    assert page.locator("#id_measurement_value").input_value() == "150"
    assert not ProgressUpdate.objects.exists()

    page.locator("#id_files").set_input_files(str(pdf))
    page.get_by_test_id("submit-update").click()
    page.locator(".message-success").wait_for()
    assert page.get_by_test_id("update").count() == 1
    update = ProgressUpdate.objects.get()
    plan.refresh_from_db()
    assert plan.state == PlanState.IN_PROGRESS
    logout(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    # The mentor's e-mail carries the signed link; opening it (logged out) changes nothing.
    body = next(m.body for m in mail.outbox if "/monitoring/v/" in m.body)
    path = re.search(r"https?://[^/\s]+(/monitoring/v/[^\s]+/)", body).group(1)
    page.goto(path)
    page.get_by_test_id("accept").wait_for()
    update.refresh_from_db()
    assert update.state == UpdateState.SUBMITTED
    # Rejecting without a note is refused by the browser (required) — accept instead.
    page.get_by_test_id("accept").click()
    page.get_by_test_id("link-done").wait_for()
    update.refresh_from_db()
    assert update.state == UpdateState.ACCEPTED
    page.goto(path)  # single use
    page.get_by_test_id("link-refused").wait_for()

    # peserta completes the plan.
    login(page, participant.username, PASSWORD)
    page.goto(f"/monitoring/plans/{plan.pk}/")
    page.get_by_test_id("step-complete").click()
    page.locator(".message-success").wait_for()
    plan.refresh_from_db()
    assert plan.state == PlanState.COMPLETED
    logout(page)

    # The mentor finds it in the queue and verifies it.
    login(page, mentor.username, PASSWORD)
    page.goto("/monitoring/queue/")
    item = page.get_by_test_id("queue-item")
    assert item.count() == 1 and item.get_attribute("data-kind") == "plan"
    item.locator("a.button").click()
    page.get_by_test_id("step-verify").click()
    page.get_by_test_id("verification").wait_for()
    plan.refresh_from_db()
    assert plan.state == PlanState.VERIFIED
    assert PlanVerification.objects.get(plan=plan).final_value == 150
