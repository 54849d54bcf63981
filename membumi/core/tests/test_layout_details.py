"""Small things every page carries."""

from django.contrib.staticfiles import finders
from django.urls import reverse

from membumi.core.models import AuditLog


def test_pages_name_an_icon_that_exists(client, db):
    html = client.get(reverse("login")).content.decode()

    assert 'rel="icon" href="/static/membumi/favicon.svg"' in html
    assert finders.find("membumi/favicon.svg")


def test_home_names_entries_without_actor_in_the_page_language(client, admin_user):
    AuditLog.objects.create(action="demo.loaded", summary="Dunia demo dimuat")
    client.force_login(admin_user)
    client.cookies["django_language"] = "en"

    html = client.get(reverse("home")).content.decode()

    assert "— system: Dunia demo dimuat" in html
    assert "sistem:" not in html
