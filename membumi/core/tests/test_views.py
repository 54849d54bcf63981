import pytest
from django.urls import reverse


def test_home_requires_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("persona", "section"),
    [
        ("participant", "section-participant"),
        ("mentor", "section-mentor"),
        ("organizer", "section-organizer"),
        ("trainer", "section-trainer"),
        ("viewer", "section-agency_viewer"),
        ("admin_user", "section-platform_admin"),
    ],
)
def test_home_shows_each_role_its_section(client, request, persona, section):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert f'data-testid="{section}"'.encode() in response.content
