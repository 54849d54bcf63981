"""The whole action-plan story of issue #4 in one Chromium session, every role through the UI:
peserta writes a plan from My training, sees what the quality check finds, fixes it and
submits; a batch-mate comments in the peer clinic; widyaiswara (the coach) requests a revision
with a reason; peserta answers the peer, revises and resubmits; widyaiswara and the mentor
approve; penyelenggara ends the classes and sees the enrolment pass (an approved plan and
enough attendance), while the batch-mate without a plan cannot, and why.

Selectors are test ids, field ids and URLs; this app's tests run the UI in English (conftest)."""

import pytest
from playwright.sync_api import expect

from membumi.action_plans.models import ActionPlan, PeerFeedback
from membumi.programs import services as program_services
from membumi.programs.enums import BatchState, EnrollmentState
from membumi.programs.models import Enrollment
from membumi.programs.tests.factories import force_state
from membumi.testing.browser import login, logout

from .peers import make_mate
from .test_browser_editor import PASSWORD, _add_milestone, _wait_saved

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def running(batch, enrollment, organizer, mentor, unit):
    mate, _ = make_mate(
        batch, organizer, username="peserta2", name="Bu Rekan", mentor=mentor, unit=unit
    )
    force_state(batch, BatchState.RUNNING)
    Enrollment.objects.filter(batch=batch).update(state=EnrollmentState.ACTIVE)
    session = program_services.session_create(
        batch=batch, by=organizer, date=batch.start_date, title="Pembukaan", jp=10
    )
    program_services.attendance_mark_all_present(session=session, by=organizer)
    return mate


def test_issue_4_story(
    transactional_db, page, running, participant, trainer, mentor, organizer, batch
):
    mate = running

    # --- peserta writes the plan, fixes the findings, submits -------------------------------
    login(page, participant.username, PASSWORD)
    page.goto("/programs/my/")
    page.get_by_test_id("write-plan").click()
    page.wait_for_url("**/plans/*/edit/")
    plan = ActionPlan.objects.get(enrollment__employee=participant.employee)
    panel = page.get_by_test_id("quality-panel")
    expect(panel.locator("[data-code=goal_missing]")).to_have_count(1)
    # Submitting with blocking findings is refused, listing them.
    assert panel.locator("[data-severity=blocking]").count() >= 1

    page.locator("#id_goal").fill(
        "Menurunkan waktu tunggu pasien dari 180 menjadi 60 menit dengan antrean daring."
    )
    page.locator("#id_target_value").fill("60")
    page.locator("#id_target_date").fill("2026-12-31")
    _wait_saved(page)
    _add_milestone(page, "short", "SOP antrean daring disahkan kepala puskesmas", "2026-03-16")
    _add_milestone(page, "mid", "Antrean daring berjalan di semua loket", "2026-05-15")
    _add_milestone(page, "long", "Evaluasi waktu tunggu dan SOP jadi standar", "2026-12-15")
    page.wait_for_function(
        "() => !document.querySelector('#quality-panel [data-severity=blocking]')"
    )
    page.get_by_test_id("submit-plan").click()
    page.wait_for_url(f"**/plans/{plan.pk}/")
    expect(page.get_by_test_id("plan-state")).to_have_attribute("data-state", "submitted")
    logout(page)

    # --- a batch-mate comments in the peer clinic --------------------------------------------
    login(page, mate.username, PASSWORD)
    page.goto(f"/plans/clinic/{batch.pk}/")
    page.get_by_test_id("clinic-row").locator("a").first.click()
    page.get_by_test_id("clinic-plan").wait_for()
    page.locator("#id_strengths").fill("Target jelas dan terukur.")
    page.locator("#id_to_fix").fill("Libatkan kepala desa dalam sosialisasi.")
    page.get_by_test_id("clinic-feedback-form").locator("button[type=submit]").click()
    page.get_by_test_id("clinic-done").wait_for()
    feedback = PeerFeedback.objects.get(plan=plan)
    logout(page)

    # --- widyaiswara requests a revision with a reason ----------------------------------------
    login(page, trainer.username, PASSWORD)
    page.goto("/plans/review/")
    expect(page.get_by_test_id("queue-row")).to_have_count(1)
    page.goto(f"/plans/{plan.pk}/")
    expect(page.get_by_test_id("peer-clinic")).to_contain_text("Libatkan kepala desa")
    form = page.get_by_test_id("action-request_revision")
    form.locator("textarea").fill("Tambahkan kepala desa sebagai pemangku kepentingan.")
    form.locator("button").click()
    page.locator("[data-state=revision_requested]").first.wait_for()
    logout(page)

    # --- peserta answers the peer, revises and resubmits -------------------------------------
    login(page, participant.username, PASSWORD)
    page.goto(f"/plans/{plan.pk}/")
    page.locator(f"#id_answer_{feedback.pk}_answer").fill("Sudah saya tambahkan, terima kasih.")
    page.get_by_test_id("clinic-answer-form").locator("button[type=submit]").click()
    page.get_by_test_id("clinic-answer").wait_for()
    page.get_by_test_id("edit-plan").click()
    page.get_by_test_id("revision-note").wait_for()
    page.locator("#id_sh-name").fill("Kepala Desa Masbagik")
    page.locator("#id_sh-kind").select_option("external")
    page.get_by_test_id("add-stakeholder").click()
    page.get_by_test_id("stakeholder").first.wait_for()
    page.get_by_test_id("submit-plan").click()
    page.wait_for_url(f"**/plans/{plan.pk}/")
    expect(page.get_by_test_id("plan-state")).to_have_attribute("data-state", "submitted")
    logout(page)

    # --- widyaiswara and the mentor approve ---------------------------------------------------
    for reviewer in (trainer, mentor):
        login(page, reviewer.username, PASSWORD)
        page.goto(f"/plans/{plan.pk}/")
        page.get_by_test_id("action-approve").locator("button").click()
        page.wait_for_url(f"**/plans/{plan.pk}/")
        logout(page)
    plan.refresh_from_db()
    assert plan.state == "approved"
    actions = list(plan.transitions.values_list("action", flat=True))
    assert actions == ["submit", "request_revision", "submit", "approve", "approve"]

    # --- penyelenggara ends the classes and sees the enrolment pass ---------------------------
    login(page, organizer.username, PASSWORD)
    page.goto(f"/programs/batches/{batch.pk}/")
    page.get_by_test_id("batch-end").click()
    expect(page.get_by_test_id("batch-state")).to_have_attribute("data-state", "follow_up")
    page.get_by_test_id("link-results").click()
    expect(page.locator("[data-testid=result-row][data-can-pass=yes]")).to_have_count(1)
    blocked = page.locator("[data-testid=result-row][data-can-pass=no]")
    expect(blocked).to_have_count(1)
    expect(blocked).to_contain_text("Bu Rekan")
    page.get_by_test_id("pass-eligible").click()
    expect(page.get_by_test_id("pass-eligible")).to_have_count(0)
    states = dict(Enrollment.objects.values_list("employee__name", "state"))
    assert states == {"Pak Peserta": "passed", "Bu Rekan": "active"}
    # The organizer's page shows it: peserta's row says passed, Bu Rekan's says why not.
    passed = page.get_by_test_id("result-row").filter(has_text="Pak Peserta")
    expect(passed).to_contain_text("Passed")
    rekan = page.get_by_test_id("result-row").filter(has_text="Bu Rekan")
    expect(rekan.get_by_test_id("blockers")).to_contain_text("no approved action plan")
