"""Helpers for the Playwright tests (the fixtures ``chromium`` and ``page`` are in conftest)."""

from membumi.demo.world import DEMO_PASSWORD


def submit_login(page, username, password=DEMO_PASSWORD):
    """Fill and send the log-in form, whatever its outcome."""
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("form.stack button[type=submit]").click()


def login(page, username, password=DEMO_PASSWORD):
    """Log in and wait until the browser has left the log-in page."""
    submit_login(page, username, password)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.get_by_test_id("user-menu").wait_for()


def logout(page):
    page.get_by_test_id("user-menu").click()
    page.locator("form[action='/accounts/logout/'] button").click()
    page.wait_for_url("**/accounts/login/**")
