"""When the session has ended, an htmx request (search as one types, a progress poll) sends
the whole window to the login page instead of swapping the login page into a fragment."""

from django.urls import reverse


def test_htmx_request_without_session_redirects_the_window(client, db):
    response = client.get(
        reverse("organizations:employee_list"),
        {"q": "siti"},
        headers={
            "HX-Request": "true",
            "HX-Target": "employee-results",
            "HX-Current-URL": "http://testserver/employees/?q=sit",
        },
    )

    assert response["HX-Redirect"] == f"{reverse('login')}?next=/employees/%3Fq%3Dsit"
    assert b'name="password"' not in response.content


def test_plain_request_without_session_still_redirects(client, db):
    response = client.get(reverse("organizations:employee_list"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/employees/"
    assert "HX-Redirect" not in response
