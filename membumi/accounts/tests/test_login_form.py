"""The log-in page refuses a wrong password in Membumi's own words."""

from django.urls import reverse
from django.utils.translation import gettext, override

MESSAGE = "Wrong username or password. Both are case-sensitive: check Caps Lock."


def test_wrong_password_message_is_membumis(client, participant):
    response = client.post(reverse("login"), {"username": "peserta", "password": "salah"})

    with override(response.wsgi_request.LANGUAGE_CODE):
        expected = gettext(MESSAGE)
    assert response.context["form"].non_field_errors() == [expected]
    assert "nama pengguna nama pengguna" not in response.content.decode()
