"""The locked-out page offers a password reset; resetting through the e-mailed link lets the
owner of the account in again (the lockout would otherwise outlast the new password)."""

import re

from axes.models import AccessAttempt
from django.core import mail
from django.urls import reverse

from membumi.core.models import AuditLog

NEW_PASSWORD = "bumi-baru-Tangguh-2026"


def test_password_reset_lifts_the_lockout(client, participant):
    for i in range(5):
        client.post(reverse("login"), {"username": "peserta", "password": f"salah-{i}"})
    assert AccessAttempt.objects.filter(username="peserta").exists()

    client.post(reverse("password_reset"), {"email": participant.email})
    link = re.search(r"https?://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    set_password_url = client.get(link)["Location"]
    client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    response = client.post(reverse("login"), {"username": "peserta", "password": NEW_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session.get("_auth_user_id") == str(participant.pk)
    assert AuditLog.objects.filter(action="accounts.lockout_lifted", actor=participant).exists()


def test_invalid_reset_link_lifts_nothing(client, participant):
    for i in range(5):
        client.post(reverse("login"), {"username": "peserta", "password": f"salah-{i}"})

    client.get(reverse("password_reset_confirm", args=["Mg", "bukan-token"]))

    assert AccessAttempt.objects.filter(username="peserta").exists()
