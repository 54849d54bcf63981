"""The plan editor and the plan page in a real Chromium: peserta writes a plan from My
training, fixes what the quality panel finds and submits it; nothing typed is lost when
leaving the page, when the connection drops or when the session ends; the coach asks for a
revision, peserta revises, coach and mentor approve, and the history shows every step."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from membumi.action_plans import services
from membumi.action_plans.models import ActionPlan, Milestone
from membumi.testing.browser import login, logout

from .conftest import make_ready

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "secret-pass-123"  # UserFactory's


def _editor(plan):
    return reverse("action_plans:plan_edit", args=[plan.pk])


def _wait_saved(page):
    page.get_by_test_id("autosave-status").filter(has_text=re.compile(r"\d\d:\d\d")).wait_for()


def _wait_db(check, timeout=10.0):
    """Poll the database until ``check()`` is true (the browser saves asynchronously)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    raise AssertionError("the database never reached the expected state")


def _add_milestone(page, term, output, due, responsible="Kepala puskesmas"):
    group = page.get_by_test_id(f"term-{term}")
    before = group.get_by_test_id("milestone").count()
    page.locator(f"#id_new-{term}-output").fill(output)
    page.locator(f"#id_new-{term}-due_date").fill(due)
    page.locator(f"#id_new-{term}-responsible").fill(responsible)
    group.get_by_test_id("add-milestone").click()
    page.wait_for_function(
        "([term, n]) => document.querySelectorAll(`#term-${term} [data-testid=milestone]`).length > n",
        arg=[term, before],
    )


def test_peserta_writes_fixes_and_submits(transactional_db, page, participant, enrollment):
    login(page, participant.username, PASSWORD)
    page.goto(reverse("programs:my_training"))
    page.get_by_test_id("write-plan").click()
    page.wait_for_url("**/plans/*/edit/")
    plan = ActionPlan.objects.get(enrollment=enrollment)

    panel = page.get_by_test_id("quality-panel")
    assert panel.locator("[data-code=goal_missing]").count() == 1
    assert panel.locator("[data-code=milestone_term_missing]").count() >= 1

    # Bad input: a word for the target value keeps the text and says why; the rest is saved.
    page.locator("#id_goal").fill(
        "Menurunkan waktu tunggu pasien dari 180 menjadi 60 menit dengan antrean daring."
    )
    page.locator("#id_target_value").fill("enam puluh")
    _wait_saved(page)
    page.locator("#id_target_value_error .error").wait_for()
    assert page.locator("#id_target_value").get_attribute("aria-invalid") == "true"
    assert page.locator("#id_target_value").input_value() == "enam puluh"
    _wait_db(lambda: ActionPlan.objects.get().goal.startswith("Menurunkan"))
    assert ActionPlan.objects.get().target_value is None
    page.get_by_test_id("quality-panel").locator("[data-code=goal_missing]").wait_for(
        state="detached"
    )

    # A target worse than the baseline (waiting time must go down from 180).
    page.locator("#id_target_value").fill("240")
    page.locator("#id_target_date").fill("2026-12-31")
    page.get_by_test_id("quality-panel").locator("[data-code=target_not_improvement]").wait_for()
    assert page.locator("#id_target_value").get_attribute("aria-invalid") is None
    page.locator("#id_target_value").fill("60")
    page.get_by_test_id("quality-panel").locator("[data-code=target_not_improvement]").wait_for(
        state="detached"
    )

    # Milestones: a date outside its term is found, then fixed in place.
    _add_milestone(page, "short", "SOP antrean daring disahkan kepala puskesmas", "2026-08-01")
    page.get_by_test_id("quality-panel").locator(
        "[data-code=milestone_date_out_of_term]"
    ).wait_for()
    short = Milestone.objects.get(term="short")
    page.locator(f"#id_ms-{short.pk}-due_date").fill("2026-03-16")
    page.get_by_test_id("quality-panel").locator("[data-code=milestone_date_out_of_term]").wait_for(
        state="detached"
    )
    _add_milestone(page, "mid", "Antrean daring berjalan di semua loket", "2026-05-15")
    _add_milestone(page, "long", "Evaluasi waktu tunggu dan SOP jadi standar", "2026-12-15")
    page.locator("#id_sh-name").fill("Kepala Dinas Kesehatan")
    page.locator("#id_sh-role").fill("Penyetuju anggaran")
    page.get_by_test_id("add-stakeholder").click()
    page.get_by_test_id("stakeholder").first.wait_for()

    page.wait_for_function(
        "() => !document.querySelector('#quality-panel [data-severity=blocking]')"
    )
    page.get_by_test_id("submit-plan").click()
    page.wait_for_url(f"**/plans/{plan.pk}/")
    assert page.locator("[data-testid=plan-state]").get_attribute("data-state") == "submitted"
    assert ActionPlan.objects.get().state == "submitted"
    assert page.get_by_test_id("history-row").count() == 1


def test_reorder_and_remove_without_reloading(transactional_db, page, participant, plan):
    for n in (1, 2, 3):
        services.milestone_add(plan=plan, by=participant, term="short", output=f"Langkah {n}")
    login(page, participant.username, PASSWORD)
    page.goto(_editor(plan))
    page.evaluate("window.__sameDocument = true")
    rows = page.get_by_test_id("term-short").get_by_test_id("milestone")

    rows.nth(2).get_by_test_id("move-up").click()
    page.wait_for_function(
        "() => document.querySelectorAll('#term-short textarea')[1].value === 'Langkah 3'"
    )
    # Keyboard users keep their place: the moved milestone's button has the focus.
    focused = page.evaluate("document.activeElement.id")
    third = Milestone.objects.get(output="Langkah 3")
    assert focused == f"ms-{third.pk}-up"
    rows.nth(0).get_by_test_id("remove-milestone").click()
    page.wait_for_function(
        "() => document.querySelectorAll('#term-short [data-testid=milestone]').length === 2"
    )

    assert page.evaluate("window.__sameDocument") is True  # no reload
    assert list(Milestone.objects.values_list("output", flat=True)) == ["Langkah 3", "Langkah 2"]


def test_text_survives_leaving_the_page(transactional_db, page, participant, plan):
    login(page, participant.username, PASSWORD)
    page.goto(_editor(plan))
    page.locator("#id_root_cause").fill("Pendaftaran manual, satu loket.")
    # Leave at once, before the autosave's typing pause is over.
    page.goto(reverse("programs:my_training"))
    page.goto(_editor(plan))

    assert page.locator("#id_root_cause").input_value() == "Pendaftaran manual, satu loket."
    page.get_by_test_id("autosave-notice").wait_for()
    _wait_db(lambda: ActionPlan.objects.get().root_cause == "Pendaftaran manual, satu loket.")


def test_text_survives_a_dropped_connection(transactional_db, page, participant, plan):
    login(page, participant.username, PASSWORD)
    page.goto(_editor(plan))
    page.context.set_offline(True)
    page.locator("#id_goal").fill("Menurunkan waktu tunggu menjadi 60 menit.")
    notice = page.get_by_test_id("autosave-notice")
    notice.wait_for()
    assert (
        "offline" in notice.inner_text()
        or "luring" in notice.inner_text().lower()
        or (notice.is_visible())
    )
    assert ActionPlan.objects.get().goal == ""

    page.context.set_offline(False)
    page.reload()
    assert page.locator("#id_goal").input_value() == "Menurunkan waktu tunggu menjadi 60 menit."
    _wait_db(lambda: ActionPlan.objects.get().goal == "Menurunkan waktu tunggu menjadi 60 menit.")
    # Saved either when the connection came back or after the reload: nothing pending here.
    page.wait_for_function(
        """() => Object.keys(localStorage).filter(k => k.includes('plan-draft')).every(
            k => Object.values(JSON.parse(localStorage[k]).forms).every(
                fields => Object.values(fields).every(f => f.s)))"""
    )


@pytest.mark.parametrize("cookies", ["all", "session"])
def test_text_survives_an_ended_session(transactional_db, page, participant, plan, cookies):
    """All cookies gone (the CSRF check refuses the post) or only the session (the log-in
    middleware answers HX-Redirect): either way the text stays and the notice says why."""
    login(page, participant.username, PASSWORD)
    page.goto(_editor(plan))
    if cookies == "all":
        page.context.clear_cookies()
    else:
        page.context.clear_cookies(name="sessionid")
    page.locator("#id_data_source").fill("Register kunjungan puskesmas")

    notice = page.get_by_test_id("autosave-notice")
    notice.get_by_test_id("login-again").wait_for()
    assert page.url.endswith(_editor(plan))  # still on the editor, text still there
    assert page.locator("#id_data_source").input_value() == "Register kunjungan puskesmas"
    assert ActionPlan.objects.get().data_source == ""

    notice.get_by_test_id("login-again").click()
    page.wait_for_url("**/accounts/login/**")
    page.locator("input[name=username]").fill(participant.username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form.stack button[type=submit]").click()
    page.wait_for_url(f"**{_editor(plan)}")

    assert page.locator("#id_data_source").input_value() == "Register kunjungan puskesmas"
    page.get_by_test_id("autosave-notice").wait_for()  # "restored"
    _wait_db(lambda: ActionPlan.objects.get().data_source == "Register kunjungan puskesmas")


def test_revision_round_trip_with_history(
    transactional_db, page, participant, trainer, mentor, plan
):
    ready = make_ready(plan, participant)
    services.action_plan_transition(plan=ready, action="submit", by=participant)
    detail = reverse("action_plans:plan_detail", args=[ready.pk])

    login(page, trainer.username, PASSWORD)
    page.goto(detail)
    form = page.get_by_test_id("action-request_revision")
    form.locator("button").click()  # no reason
    form = page.get_by_test_id("action-request_revision")
    form.locator(".error").wait_for()
    assert ActionPlan.objects.get().state == "submitted"
    form.locator("textarea").fill("Tambahkan pemangku kepentingan dari desa.")
    form.locator("button").click()
    page.locator("[data-state=revision_requested]").first.wait_for()
    logout(page)

    login(page, participant.username, PASSWORD)
    page.goto(detail)
    page.get_by_test_id("edit-plan").click()
    page.wait_for_url(f"**{_editor(ready)}")
    page.get_by_test_id("revision-note").wait_for()
    page.locator("#id_sh-name").fill("Kepala Desa Masbagik")
    page.locator("#id_sh-kind").select_option("external")
    page.get_by_test_id("add-stakeholder").click()
    page.get_by_test_id("stakeholder").first.wait_for()
    page.get_by_test_id("submit-plan").click()
    page.wait_for_url(f"**{detail}")
    assert ActionPlan.objects.get().state == "submitted"
    logout(page)

    for reviewer in (trainer, mentor):
        login(page, reviewer.username, PASSWORD)
        page.goto(detail)
        page.get_by_test_id("action-approve").locator("button").click()
        page.wait_for_url(f"**{detail}")
        logout(page)

    login(page, participant.username, PASSWORD)
    page.goto(detail)
    assert page.locator("[data-testid=plan-state]").get_attribute("data-state") == "approved"
    history = page.get_by_test_id("history-row")
    actions = [history.nth(i).get_attribute("data-action") for i in range(history.count())]
    assert actions == ["submit", "request_revision", "submit", "approve", "approve"]
    assert (
        "Tambahkan pemangku kepentingan dari desa." in page.get_by_test_id("history").inner_text()
    )
    assert page.get_by_test_id("approval").count() == 2
    assert ActionPlan.objects.get().approved_at.date() <= dt.date.today()
    # The participant was told in the app.
    page.get_by_test_id("notification-bell").locator(".badge").wait_for()
