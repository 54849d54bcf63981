"""Attendance and the pass gate in Chromium: widyaiswara takes a session's attendance (everyone
present, then one absentee, without a reload); a wrong session date is explained; the
organizer ends the classes, sees who cannot pass and why, and passes the eligible ones;
peserta sees their attendance; an outsider gets 404.

Selectors are test ids, field names and URLs: the UI speaks Indonesian."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from membumi.action_plans.models import ActionPlan
from membumi.programs import services
from membumi.programs.enums import BatchState, EnrollmentState
from membumi.programs.models import Attendance, Enrollment, Session
from membumi.testing.browser import login, logout

from .factories import force_state, make_employee

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASSWORD = "secret-pass-123"


@pytest.fixture
def world(batch, enrollment, organizer, mentor, participant):
    others = [
        make_employee(mentor.employee.agency, supervisor=mentor.employee, name=name)
        for name in ("Bu Absen", "Pak Tanpa Rencana")
    ]
    services.enrollment_create_many(
        batch=batch,
        by=organizer,
        requests=[services.EnrolmentRequest(nip=e.nip, line=i) for i, e in enumerate(others)],
    )
    force_state(batch, BatchState.RUNNING)
    Enrollment.objects.filter(batch=batch).update(state=EnrollmentState.ACTIVE)
    sessions = [
        services.session_create(
            batch=batch, by=organizer, date=batch.start_date + dt.timedelta(days=i),
            title=title, jp=jp,
        )
        for i, (title, jp) in enumerate([("Pembukaan", 10), ("Manajemen antrean", 10)])
    ]  # fmt: skip
    services.attendance_mark_all_present(session=sessions[0], by=organizer)
    enrolments = {e.employee.name: e for e in Enrollment.objects.select_related("employee")}
    for name in ("Pak Peserta", "Bu Absen"):
        e = enrolments[name]
        ActionPlan.objects.create(enrollment=e, agency=e.agency, title="Rencana", state="approved")
    return {"sessions": sessions, "enrolments": enrolments}


def test_attendance_and_pass_gate_in_the_browser(page, world, batch, outsider):
    session = world["sessions"][1]
    absent = world["enrolments"]["Bu Absen"]

    # --- widyaiswara takes attendance -----------------------------------------------------
    login(page, "widyaiswara", PASSWORD)
    page.goto(f"/programs/batches/{batch.pk}/")
    page.get_by_test_id("link-sessions").click()
    expect(page.get_by_test_id("session-row")).to_have_count(2)
    expect(page.get_by_test_id("session-add")).to_have_count(0)  # sessions are the organizer's
    page.goto(f"/programs/sessions/{session.pk}/")
    rows = page.get_by_test_id("attendance-row")
    expect(rows).to_have_count(3)
    page.get_by_test_id("all-present").click()
    expect(page.locator("[data-testid=attendance-row][data-status=present]")).to_have_count(3)

    url = page.url
    row = page.locator(f"#row-{absent.pk}")
    row.get_by_test_id("mark-absent").click()
    expect(page.locator(f"#row-{absent.pk}")).to_have_attribute("data-status", "absent")
    expect(page.locator(f"#row-{absent.pk} [data-testid=mark-absent]")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert page.url == url  # htmx swapped the row, no reload
    assert Attendance.objects.get(session=session, enrollment=absent).status == "absent"
    page.set_viewport_size({"width": 375, "height": 800})  # fits a phone
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path="/tmp/membumi-attendance-grid-375.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    logout(page)

    # --- penyelenggara: a wrong date is explained, then results ------------------------------
    login(page, "penyelenggara", PASSWORD)
    page.goto(f"/programs/batches/{batch.pk}/sessions/")
    page.locator("#id_date").fill("2020-01-01")
    page.locator("#id_title").fill("Sesi salah tanggal")
    page.locator("#id_jp").fill("2")
    page.get_by_test_id("session-add").click()
    expect(page.locator(".field-error #id_date")).to_have_count(1)
    assert not Session.objects.filter(title="Sesi salah tanggal").exists()

    page.goto(f"/programs/batches/{batch.pk}/")
    page.get_by_test_id("batch-end").click()
    expect(page.get_by_test_id("batch-state")).to_have_attribute("data-state", "follow_up")
    page.get_by_test_id("link-results").click()
    expect(page.get_by_test_id("pass-summary")).to_contain_text("1")
    page.locator("#id_show").select_option("cannot_pass")
    cannot = page.locator("[data-testid=result-row][data-can-pass=no]")
    expect(cannot).to_have_count(2)
    expect(page.get_by_test_id("result-row")).to_have_count(2)  # filtered by htmx
    blockers = " ".join(page.get_by_test_id("blockers").all_inner_texts())
    assert "50%" in blockers and "10" in blockers and "20" in blockers  # 10 of 20 JP
    page.locator("#id_show").select_option("all")
    expect(page.get_by_test_id("result-row")).to_have_count(3)
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path="/tmp/membumi-results-375.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_test_id("pass-eligible").click()
    expect(page.get_by_test_id("pass-eligible")).to_have_count(0)
    states = dict(Enrollment.objects.values_list("employee__name", "state"))
    assert states == {
        "Pak Peserta": "passed",
        "Bu Absen": "active",
        "Pak Tanpa Rencana": "active",
    }
    logout(page)

    # --- peserta sees their attendance; an outsider sees nothing ------------------------------
    login(page, "peserta", PASSWORD)
    page.goto("/programs/my/")
    expect(page.get_by_test_id("my-attendance")).to_contain_text("100%")
    logout(page)
    login(page, outsider.username, PASSWORD)
    response = page.goto(f"/programs/sessions/{session.pk}/")
    assert response.status == 404
