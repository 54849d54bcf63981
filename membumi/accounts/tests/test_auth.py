"""Authentication in the browser: deny by default, log in and out, change and reset the
password, and the lockout against password guessing (django-axes, 5 failures)."""

import re

import pytest
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.core import mail
from django.urls import reverse

from membumi.accounts.models import User
from membumi.organizations.models import ImportJob

PASSWORD = "secret-pass-123"  # the factories' password
NEW_PASSWORD = "bumi-baru-Tangguh-2026"


def _logged_in_user_id(client):
    return client.session.get("_auth_user_id")


def _protected_urls(employee_nip, job_pk):
    return [
        reverse("home"),
        reverse("organizations:employee_list"),
        reverse("organizations:employee_detail", args=[employee_nip]),
        reverse("organizations:import_start"),
        reverse("organizations:import_detail", args=[job_pk]),
        reverse("organizations:import_template", args=["csv"]),
        reverse("core:audit_log"),
        reverse("password_change"),
    ]


def test_html_urls_anonymous_redirected_to_login(client, participant, organizer):
    job = ImportJob.objects.create(original_name="pegawai.csv", started_by=organizer)
    for url in _protected_urls(participant.employee.nip, job.pk):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{reverse('login')}?next={url}", url


def test_public_pages_anonymous_reachable(client, db):
    login = client.get(reverse("login"))
    reset = client.get(reverse("password_reset"))
    reset_done = client.get(reverse("password_reset_done"))
    health = client.get(reverse("healthz"))
    language = client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})

    assert 'name="password"' in login.content.decode()
    assert 'name="email"' in reset.content.decode()
    assert reset_done.status_code == 200
    assert health.json() == {"status": "ok"}
    assert language.status_code == 302
    assert language["Location"] == "/accounts/login/"
    assert language.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_login_correct_password_logs_in_and_redirects_home(client, participant):
    response = client.post(reverse("login"), {"username": "peserta", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert _logged_in_user_id(client) == str(participant.pk)
    home = client.get(reverse("home"))
    assert "Pak Peserta" in home.content.decode()


def test_login_next_parameter_followed(client, participant):
    url = reverse("organizations:employee_list")
    response = client.post(
        reverse("login"), {"username": "peserta", "password": PASSWORD, "next": url}
    )
    assert response["Location"] == url


def test_login_wrong_password_refused(client, participant):
    response = client.post(reverse("login"), {"username": "peserta", "password": "salah"})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert _logged_in_user_id(client) is None
    assert AccessAttempt.objects.get(username="peserta").failures_since_start == 1


def test_login_inactive_user_refused(client, participant):
    User.objects.filter(pk=participant.pk).update(is_active=False)
    client.post(reverse("login"), {"username": "peserta", "password": PASSWORD})
    assert _logged_in_user_id(client) is None


def test_login_page_logged_in_user_redirected_home(client, participant):
    client.force_login(participant)
    response = client.get(reverse("login"))
    assert response["Location"] == reverse("home")


def test_logout_ends_session(client, participant):
    client.force_login(participant)

    response = client.post(reverse("logout"))

    assert response["Location"] == reverse("login")
    assert _logged_in_user_id(client) is None
    assert client.get(reverse("home")).status_code == 302


def test_password_change_valid_form_sets_new_password_and_keeps_session(client, participant):
    client.force_login(participant)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response["Location"] == reverse("password_change_done")
    participant.refresh_from_db()
    assert participant.check_password(NEW_PASSWORD)
    assert client.get(reverse("home")).status_code == 200


def test_password_change_wrong_old_password_keeps_old(client, participant):
    client.force_login(participant)

    response = client.post(
        reverse("password_change"),
        {"old_password": "salah", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert "old_password" in response.context["form"].errors
    participant.refresh_from_db()
    assert participant.check_password(PASSWORD)


def test_password_reset_by_email_full_flow(client, participant):
    response = client.post(reverse("password_reset"), {"email": "peserta@example.go.id"})
    assert response["Location"] == reverse("password_reset_done")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["peserta@example.go.id"]
    link = re.search(r"https?://testserver(/accounts/reset/\S+/)", message.body).group(1)

    set_password_url = client.get(link)["Location"]  # the token moves into the session
    assert "set-password" in set_password_url
    form_page = client.get(set_password_url)
    assert 'name="new_password1"' in form_page.content.decode()
    done = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done["Location"] == reverse("password_reset_complete")

    participant.refresh_from_db()
    assert participant.check_password(NEW_PASSWORD)
    login = client.post(reverse("login"), {"username": "peserta", "password": NEW_PASSWORD})
    assert login["Location"] == reverse("home")
    assert _logged_in_user_id(client) == str(participant.pk)
    # The link works once.
    client.logout()
    reused = client.get(link, follow=True)
    assert reused.context["validlink"] is False


def test_password_reset_unknown_email_sends_nothing(client, participant):
    response = client.post(reverse("password_reset"), {"email": "tidak-ada@example.go.id"})
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def _fail_login(client, times, username="peserta"):
    return [
        client.post(reverse("login"), {"username": username, "password": f"salah-{i}"})
        for i in range(times)
    ]


def test_lockout_after_five_failures_refuses_correct_password(client, participant):
    assert settings.AXES_FAILURE_LIMIT == 5
    responses = _fail_login(client, 5)

    assert [r.status_code for r in responses[:4]] == [200, 200, 200, 200]
    assert responses[4].status_code == 429
    response = client.post(reverse("login"), {"username": "peserta", "password": PASSWORD})

    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    assert reverse("password_reset") in response.content.decode()
    assert 'name="password"' not in response.content.decode()
    assert _logged_in_user_id(client) is None
    assert AccessAttempt.objects.get(username="peserta").failures_since_start >= 5


def test_lockout_four_failures_then_correct_password_logs_in(client, participant):
    _fail_login(client, 4)

    response = client.post(reverse("login"), {"username": "peserta", "password": PASSWORD})

    assert response["Location"] == reverse("home")
    assert _logged_in_user_id(client) == str(participant.pk)
    assert not AccessAttempt.objects.filter(username="peserta").exists()  # reset on success


def test_lockout_other_username_not_affected(client, participant, mentor):
    _fail_login(client, 5, username="peserta")

    client.post(reverse("login"), {"username": "mentor", "password": PASSWORD})

    assert _logged_in_user_id(client) == str(mentor.pk)


def test_lockout_reset_lets_user_log_in_again(client, participant):
    _fail_login(client, 5)

    axes_reset(username="peserta")
    client.post(reverse("login"), {"username": "peserta", "password": PASSWORD})

    assert _logged_in_user_id(client) == str(participant.pk)


def test_lockout_api_token_endpoint_refused(client, participant):
    _fail_login(client, 5)

    response = client.post(
        "/api/v1/auth/token",
        {"username": "peserta", "password": PASSWORD},
        content_type="application/json",
    )

    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]
    assert not participant.api_tokens.exists()


@pytest.mark.parametrize("wrong", ["salah", ""])
def test_login_form_errors_shown(client, participant, wrong):
    response = client.post(reverse("login"), {"username": "peserta", "password": wrong})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
