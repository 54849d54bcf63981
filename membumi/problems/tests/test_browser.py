"""The submit form in a real Chromium: similar problems appear while typing, a similar
problem of another unit can be joined in place, the USG priority follows the scores, and
the problem is submitted; the mentor then validates it on the detail page."""

import pytest

from membumi.problems.models import Problem, ProblemEndorsement
from membumi.testing.browser import login
from membumi.testing.factories import EmployeeFactory, UserFactory

from .conftest import ANTREAN, make_problem

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


PASSWORD = "secret-pass-123"  # UserFactory's


def test_submit_with_similar_problems_and_join(
    transactional_db, page, participant, mentor, unit, agency, sibling_unit, outsider
):
    existing = make_problem(unit=unit, by=participant, title=ANTREAN[0], statement=ANTREAN[1])
    make_problem(
        unit=outsider.employee.work_unit,
        by=outsider,
        title="Antrean akta kelahiran panjang sekali",
        statement="Warga menunggu lama untuk akta kelahiran.",
    )
    colleague = UserFactory(
        username="rekan",
        employee=EmployeeFactory(agency=agency, work_unit=sibling_unit, supervisor=mentor.employee),
    )
    login(page, colleague.username, PASSWORD)

    page.goto("/problems/new/")
    page.locator("#id_title").fill("Antrean akta kelahiran lama")
    item = page.get_by_test_id("similar-item")
    item.first.wait_for()
    assert item.count() == 1
    assert ANTREAN[0] in item.first.inner_text()
    outside = page.get_by_test_id("similar-outside")
    assert "Kabupaten Zulu" in outside.inner_text()
    assert "sekali" not in page.get_by_test_id("similar-problems").inner_text()

    page.get_by_test_id("join-button").click()
    page.get_by_test_id("joined").wait_for()
    assert ProblemEndorsement.objects.get().problem == existing

    page.locator("#id_urgency").select_option("5")
    page.locator("#id_seriousness").select_option("4")
    page.locator("#id_growth").select_option("2")
    page.locator("#usg-priority strong").wait_for()
    assert page.locator("#usg-priority strong").inner_text() == "11"

    page.locator("#id_statement").fill("Berkas akta menumpuk di loket kecamatan.")
    page.locator("#id_sector").select_option("civil_registration")
    page.locator("#id_indicator_name").fill("Lama penerbitan akta")
    page.locator("#id_indicator_unit").fill("hari")
    page.locator("#id_indicator_direction").select_option("decrease")
    page.locator("#id_baseline_value").fill("9")
    page.locator("#id_baseline_date").fill("2026-01-31")
    page.locator("[data-testid=problem-form] button[type=submit]").first.click()
    page.wait_for_url("**/problems/*/")

    created = Problem.objects.get(title="Antrean akta kelahiran lama")
    assert (created.work_unit, created.priority) == (sibling_unit, 11)

    page.get_by_test_id("user-menu").click()
    page.locator("form[action='/accounts/logout/'] button").click()
    login(page, mentor.username, PASSWORD)
    page.goto(f"/problems/{created.pk}/")
    page.locator("[data-testid=action-validate] button").click()
    page.wait_for_url(f"**/problems/{created.pk}/")
    created.refresh_from_db()
    assert created.state == "validated"
    assert page.locator("[data-state=validated]").first.is_visible()
