"""A follow-up in a real Chromium (Bahasa Indonesia UI): the participant answers on a phone
(375 px) after a refused first try, the mentor answers with a stop reason, the organizer sees
both in the batch roll-up, an outsider gets 404. Dates are set around the real today so the
live server needs no frozen clock."""

import datetime as dt

import pytest
from django.utils import timezone

from membumi.evaluation import rules
from membumi.evaluation.models import FollowUp
from membumi.evaluation.reminders import followup_remind_pass, followup_schedule_pass
from membumi.programs.models import Batch
from membumi.testing.browser import login, logout

from .conftest import GOOD, end_batch

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "secret-pass-123"  # UserFactory's


def answer(page, ratings, status, reason="", comment=""):
    page.locator(f"input[name=plan_status][value={status}]").check()
    if reason:
        page.locator("#id_stop_reason").fill(reason)
    for code, value in ratings.items():
        page.locator(f"input[name=rating_{code}][value='{value}']").check()
    if comment:
        page.locator("#id_comment").fill(comment)
    page.get_by_test_id("follow-up-form").locator("button[type=submit]").click()


def test_participant_and_mentor_answer_organizer_sees_the_rollup(
    transactional_db, page, batch, enrollment, plan, participant, mentor, organizer, outsider
):
    today = timezone.localdate()
    end = rules.add_months(today, -3) - dt.timedelta(days=2)
    Batch.objects.filter(pk=batch.pk).update(start_date=end - dt.timedelta(days=18), end_date=end)
    end_batch(batch, enrollment)
    assert followup_schedule_pass(today=today) == 2
    assert followup_remind_pass(today=today) == 2
    own = FollowUp.objects.get(role="participant")
    theirs = FollowUp.objects.get(role="mentor")

    # The participant, on a phone: from the navigation to the open form.
    page.set_viewport_size({"width": 375, "height": 800})
    login(page, participant.username, PASSWORD)
    page.goto("/follow-ups/")
    card = page.get_by_test_id("follow-up")
    assert card.count() == 1 and card.get_attribute("data-status") == "open"
    card.locator("a.button").click()
    page.get_by_test_id("follow-up-form").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    # Bad input: "stopped" without a reason and one item unrated — refused, text kept.
    answer(
        page,
        {k: v for k, v in GOOD.items() if k != "uses_data"},
        "stopped",
        comment="Masih berjalan pelan",
    )
    page.locator(".field-error").first.wait_for()
    assert page.locator("#id_stop_reason_error").is_visible()
    assert page.locator("#id_rating_uses_data_error").is_visible()
    assert page.locator("#id_comment").input_value() == "Masih berjalan pelan"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert FollowUp.objects.get(pk=own.pk).answered_at is None

    answer(page, GOOD, "continuing")
    page.wait_for_url("**/follow-ups/")
    assert page.get_by_test_id("follow-up").get_attribute("data-status") == "answered"
    own.refresh_from_db()
    assert own.plan_status == "continuing" and own.comment == "Masih berjalan pelan"
    logout(page)

    # The mentor, on a desktop: the notice in the inbox leads to the form.
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, mentor.username, PASSWORD)
    page.goto("/follow-ups/")
    card = page.get_by_test_id("follow-up")
    assert card.count() == 1 and card.get_attribute("data-role") == "mentor"
    assert "Pak Peserta" in card.inner_text()
    card.locator("a.button").click()
    answer(page, {code: 2 for code in GOOD}, "stopped", reason="Anggaran dialihkan")
    page.wait_for_url("**/follow-ups/")
    theirs.refresh_from_db()
    assert theirs.plan_status == "stopped" and theirs.stop_reason == "Anggaran dialihkan"
    # The participant's own form is not the mentor's to read.
    response = page.goto(f"/follow-ups/{own.pk}/")
    assert response.status == 404
    logout(page)

    # The organizer: the roll-up of the batch.
    login(page, organizer.username, PASSWORD)
    page.goto("/follow-ups/batches/")
    page.get_by_test_id("rollup-batch").locator("a").click()
    three = page.locator("[data-testid=rollup-offset][data-months='3']")
    me = three.locator("[data-testid=rollup-role][data-role=participant]")
    them = three.locator("[data-testid=rollup-role][data-role=mentor]")
    assert me.get_by_test_id("answered").inner_text() == "1 (100%)"
    assert me.get_by_test_id("continuing").inner_text() == "1"
    assert them.get_by_test_id("stopped").inner_text() == "1"
    applies = three.locator("[data-testid=rollup-item][data-code=applies]")
    assert applies.get_by_test_id("self-avg").inner_text().startswith("4")
    assert applies.get_by_test_id("mentor-avg").inner_text().startswith("2")
    assert "Anggaran dialihkan" in page.get_by_test_id("stop-reasons").inner_text()
    logout(page)

    # An outsider: neither the form nor the roll-up exists for them.
    login(page, outsider.username, PASSWORD)
    assert page.goto(f"/follow-ups/{own.pk}/").status == 404
    assert page.goto(f"/follow-ups/batches/{batch.pk}/").status == 404
    page.goto("/follow-ups/")
    assert page.get_by_test_id("follow-up").count() == 0
