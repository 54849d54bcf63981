from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Django's log-in form with Membumi's own refusal message: the Indonesian translation of
    Django's ("Masukkan nama pengguna %(username)s …") repeats the field name."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Wrong username or password. Both are case-sensitive: check Caps Lock."),
    }
