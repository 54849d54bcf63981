"""Every write about accounts: tokens, role assignments and lifting a login lockout."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from membumi.core.audit import audit_record

from .models import ApiToken, RoleAssignment, User, hash_token


def api_token_create(*, user: User) -> tuple[ApiToken, str]:
    """Create a token and return it with its raw value (shown once, never stored)."""
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        key_hash=hash_token(raw),
        prefix=raw[:8],
        expires_at=timezone.now() + timedelta(days=settings.API_TOKEN_TTL_DAYS),
    )
    return token, raw


@transaction.atomic
def role_assign(
    *, user: User, role: str, by=None, institution=None, agency=None, work_unit=None
) -> RoleAssignment:
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, institution=institution, agency=agency, work_unit=work_unit
    )
    if created:
        audit_record(
            actor=by, action="accounts.role_assigned", obj=assignment, summary=str(assignment)
        )
    return assignment


def login_lockout_lift(*, user: User) -> int:
    """Forget the failed log-ins of ``user`` (django-axes), e.g. once they have proved they own
    the account by resetting the password through their e-mail. Returns the attempts removed."""
    from axes.utils import reset

    removed = reset(username=user.get_username())
    if removed:
        audit_record(
            actor=user,
            action="accounts.lockout_lifted",
            obj=user,
            summary=user.get_username(),
        )
    return removed
