"""The plan seminar through the real UI in Chromium: penyelenggara enables the seminar (default
rubric) and creates a session with an examiner → penguji scores the participant's plan (a
score out of range first) → penyelenggara finalises and downloads the berita acara PDF →
peserta sees the result and the comments; an outsider gets 404. A 375 px phone fits the
board and the score form.

Selectors are test ids, field names and URLs, never button text.
"""

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from membumi.seminars import queries
from membumi.seminars.models import Score, SeminarSession
from membumi.testing.browser import login, logout

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "secret-pass-123"


def _fits_phone(page):
    page.set_viewport_size({"width": 375, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert width <= 375, width


def test_seminar_flow_in_the_browser(
    page, organizer, participant, outsider, examiner, program, batch, submitted_plan
):
    # --- penyelenggara enables the seminar and opens a session --------------------------------
    login(page, organizer.username, PASSWORD)
    page.goto(f"/programs/{program.pk}/")
    page.get_by_test_id("seminar-settings").click()
    expect(page.get_by_test_id("criterion-row")).to_have_count(6)  # five defaults + a spare
    page.locator("input[name=enabled]").check()
    page.get_by_test_id("config-save").click()
    expect(page.locator(".message-success")).to_be_visible()

    page.goto(f"/programs/batches/{batch.pk}/")
    page.get_by_test_id("batch-seminars").click()
    page.get_by_test_id("session-new").click()
    page.locator("input[name=kind][value=rancangan]").check()
    page.locator("#id_starts_at").fill("2026-03-18T09:00")
    page.locator("#id_place").fill("Aula BPSDM Alfa")
    page.locator(f"input[name=examiners][value='{examiner.pk}']").check()
    page.get_by_test_id("session-save").click()
    expect(page.get_by_test_id("session-state")).to_have_attribute("data-state", "open")
    session = SeminarSession.objects.get()
    logout(page)

    # --- penguji scores the plan, with a bad input first ----------------------------------------
    login(page, examiner.username, PASSWORD)
    page.goto("/seminars/")
    page.locator(f"a[href='/seminars/{session.pk}/']").click()
    _fits_phone(page)
    page.get_by_test_id("score-link").click()
    criteria = queries.criteria_for(program)
    for n, criterion in enumerate(criteria):
        page.locator(f"#id_score_{criterion.pk}").fill(str(70 + 5 * n))
    page.locator(f"#id_score_{criteria[1].pk}").fill("150")
    page.locator(f"#id_comment_{criteria[0].pk}").fill("Akar masalah didukung data kunjungan.")
    page.locator("#id_note").fill("Layak diteruskan ke unit kerja.")
    page.get_by_test_id("score-save").click()
    expect(page.locator(f"#id_score_{criteria[1].pk}_error")).to_be_visible()
    assert not Score.objects.exists()
    _fits_phone(page)
    page.locator(f"#id_score_{criteria[1].pk}").fill("75")
    page.get_by_test_id("score-save").click()
    expect(page.get_by_test_id("plan-row")).to_contain_text("80.00")  # (70+75+80+85+90)/5
    logout(page)

    # --- penyelenggara finalises and downloads the berita acara ----------------------------------
    login(page, organizer.username, PASSWORD)
    page.goto(f"/seminars/{session.pk}/")
    page.get_by_test_id("session-finalise").click()
    expect(page.get_by_test_id("session-state")).to_have_attribute("data-state", "finalised")
    expect(page.get_by_test_id("result")).to_have_attribute("data-passed", "yes")
    with page.expect_download() as download:
        page.get_by_test_id("pdf-link").first.click()
    content = open(download.value.path(), "rb").read()  # noqa: SIM115
    assert content.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert "Pak Peserta" in text and submitted_plan.title in text and "80.00" in text
    logout(page)

    # --- peserta sees the result and the comments ---------------------------------------------
    login(page, participant.username, PASSWORD)
    page.goto("/notifications/")  # the result notification leads to the score sheet
    page.locator("[data-kind=seminar_result] button[type=submit]").click()
    page.wait_for_url(f"**/seminars/{session.pk}/plans/{submitted_plan.pk}/")
    expect(page.get_by_test_id("sheet-average")).to_have_text("80.00")
    expect(page.locator("main")).to_contain_text("Akar masalah didukung data kunjungan.")
    expect(page.locator("main")).to_contain_text("Layak diteruskan ke unit kerja.")
    logout(page)

    # --- an outsider finds nothing ----------------------------------------------------------------
    login(page, outsider.username, PASSWORD)
    response = page.goto(f"/seminars/{session.pk}/")
    assert response.status == 404
    response = page.goto(f"/seminars/{session.pk}/plans/{submitted_plan.pk}/berita-acara.pdf")
    assert response.status == 404
