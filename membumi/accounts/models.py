"""Users, their scoped roles and API tokens.

A person may hold several roles; each ``RoleAssignment`` carries the scope it applies to
(an institution, an agency or a work unit), enforced by a database constraint.
"""

import hashlib

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .enums import AGENCY_ROLES, INSTITUTION_ROLES, UNIT_OPTIONAL_ROLES, UNSCOPED_ROLES, Role


class User(AbstractUser):
    employee = models.OneToOneField(
        "organizations.Employee",
        verbose_name=_("employee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        if self.employee_id and self.employee:
            return self.employee.name
        return super().get_full_name()


def _values(roles) -> list[str]:
    return sorted(str(r) for r in roles)


class RoleAssignment(models.Model):
    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    institution = models.ForeignKey(
        "organizations.Institution",
        verbose_name=_("institution"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    agency = models.ForeignKey(
        "organizations.Agency",
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    work_unit = models.ForeignKey(
        "organizations.WorkUnit",
        verbose_name=_("work unit"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.CheckConstraint(
                name="roleassignment_scope_matches_role",
                condition=(
                    Q(
                        role__in=_values(INSTITUTION_ROLES),
                        institution__isnull=False,
                        agency__isnull=True,
                        work_unit__isnull=True,
                    )
                    | Q(
                        role__in=_values(AGENCY_ROLES),
                        institution__isnull=True,
                        agency__isnull=False,
                        work_unit__isnull=True,
                    )
                    | Q(
                        role__in=_values(UNIT_OPTIONAL_ROLES),
                        institution__isnull=True,
                        agency__isnull=True,
                    )
                    | Q(
                        role__in=_values(UNSCOPED_ROLES),
                        institution__isnull=True,
                        agency__isnull=True,
                        work_unit__isnull=True,
                    )
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "institution", "agency", "work_unit"],
                name="roleassignment_unique",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        scope = self.institution or self.agency or self.work_unit
        return f"{self.get_role_display()} – {scope}" if scope else self.get_role_display()

    def clean(self) -> None:
        """Name the scope field that is missing or not allowed for the role (the database
        constraint ``roleassignment_scope_matches_role`` only names itself)."""
        super().clean()
        if not self.role:
            return
        needs = (
            "institution"
            if self.role in INSTITUTION_ROLES
            else "agency"
            if self.role in AGENCY_ROLES
            else None
        )
        allowed = {needs} | ({"work_unit"} if self.role in UNIT_OPTIONAL_ROLES else set())
        errors = {}
        if needs and not getattr(self, f"{needs}_id"):
            errors[needs] = _("This role needs this scope.")
        for name in ("institution", "agency", "work_unit"):
            if name not in allowed and getattr(self, f"{name}_id"):
                errors[name] = _("Leave this empty for this role.")
        if errors:
            raise ValidationError(errors)

    @property
    def scope_type(self) -> str | None:
        if self.institution_id:
            return "institution"
        if self.agency_id:
            return "agency"
        if self.work_unit_id:
            return "work_unit"
        return None

    @property
    def scope(self):
        return self.institution or self.agency or self.work_unit


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for scripts. Only its SHA-256 is stored; the raw value is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
