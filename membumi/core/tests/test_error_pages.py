"""Error pages speak the site's language and layout; the API's stay JSON."""

from django.test import override_settings
from django.urls import reverse

from membumi.testing.factories import EmployeeFactory


def test_out_of_scope_object_gets_the_site_404_page(client, participant, other_agency):
    stranger = EmployeeFactory(agency=other_agency)
    client.force_login(participant)

    response = client.get(reverse("organizations:employee_detail", args=[stranger.nip]))

    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert 'data-testid="not-found"' in html
    assert 'class="site-header"' in html  # the layout, with navigation and language switch
    assert stranger.name not in html


def test_unknown_api_path_answers_json_404(client, db):
    for path in ("/api/v1/nonexistent", "/api/v1/employees/", "/api/v2/me"):
        response = client.get(path)

        assert response.status_code == 404, path
        assert response["Content-Type"].startswith("application/json"), path
        assert set(response.json()) == {"detail", "errors"}, path


@override_settings(DEBUG=False)
def test_server_error_page_renders_without_a_request_context(client, db):
    from django.template.loader import render_to_string

    html = render_to_string("500.html")

    assert "membumi.css" in html and "<h1>" in html
