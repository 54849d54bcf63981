from datetime import timedelta

from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from membumi.accounts.models import ApiToken, hash_token


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; tokens come from ``POST /api/v1/auth/token``."""

    def authenticate(self, request, token):
        if not token:
            return None
        api_token = (
            ApiToken.objects.select_related("user", "user__employee")
            .filter(key_hash=hash_token(token), expires_at__gt=timezone.now(), user__is_active=True)
            .first()
        )
        if api_token is None:
            return None
        now = timezone.now()
        if api_token.last_used_at is None or now - api_token.last_used_at > timedelta(minutes=5):
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.user = api_token.user
        return api_token.user


class ActiveSessionAuth(SessionAuth):
    """The browser's session (CSRF-checked for unsafe methods)."""


AUTH = [BearerTokenAuth(), ActiveSessionAuth()]
