"""Account pages that add to Django's own authentication views."""

from django.contrib.auth import views as auth_views

from .services import login_lockout_lift


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Setting a new password through the e-mailed link also lifts a login lockout: the
    locked-out page sends people here, and the link proves they own the account."""

    def form_valid(self, form):
        response = super().form_valid(form)
        login_lockout_lift(user=form.user)
        return response
