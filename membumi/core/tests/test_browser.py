"""Every demo account logs in through a real Chromium and sees its own home page."""

import pytest

from membumi.testing.browser import login, submit_login

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

DEMO_HOME = {
    "admin": "section-platform_admin",
    "penyelenggara": "section-organizer",
    "widyaiswara": "section-trainer",
    "mentor": "section-mentor",
    "peserta": "section-participant",
    "pimpinan": "section-agency_viewer",
}


@pytest.mark.parametrize("username", list(DEMO_HOME))
def test_demo_account_logs_in_and_sees_own_home(page, demo_world, settings, username):
    settings.MEMBUMI_DEMO = True
    page.goto("/")
    assert "/accounts/login/" in page.url
    assert page.get_by_test_id("demo-logins").is_visible()
    login(page, username)
    page.get_by_test_id(DEMO_HOME[username]).wait_for()
    assert page.locator("html").get_attribute("lang") == "id"
    # The stylesheet and htmx are served and applied (strict CSP, no inline code).
    header = page.locator(".site-header")
    assert header.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(29, 92, 58)"
    assert page.evaluate("typeof htmx") == "object"
    other_sections = set(DEMO_HOME.values()) - {DEMO_HOME[username]}
    if username == "mentor":
        other_sections.discard("section-participant")  # a mentor is also an employee
    if username == "peserta":
        other_sections.discard("section-mentor")
    for section in other_sections - {"section-participant", "section-mentor"}:
        assert page.get_by_test_id(section).count() == 0, section


def test_wrong_password_is_refused_with_message(page, demo_world):
    submit_login(page, "peserta", "wrong-password")
    assert "/accounts/login/" in page.url
    assert page.locator(".alert-error").is_visible()
