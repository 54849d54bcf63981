"""Reads about who a user is: their roles and scopes (memoised per request on the user)."""

from dataclasses import dataclass, field

from .enums import Role
from .models import RoleAssignment


@dataclass
class Roles:
    """The roles a user holds, with their scopes, loaded once per request."""

    assignments: list[RoleAssignment] = field(default_factory=list)

    def has(self, *roles: str) -> bool:
        return any(a.role in roles for a in self.assignments)

    def institution_ids(self, *roles: str) -> set[int]:
        return {a.institution_id for a in self.assignments if a.role in roles and a.institution_id}

    def agency_ids(self, *roles: str) -> set[int]:
        return {a.agency_id for a in self.assignments if a.role in roles and a.agency_id}

    def codes(self) -> list[str]:
        order = [r.value for r in Role]
        return sorted({a.role for a in self.assignments}, key=order.index)


def user_roles(user) -> Roles:
    if not getattr(user, "is_authenticated", False):
        return Roles()
    cached = getattr(user, "_membumi_roles", None)
    if cached is None:
        assignments = list(
            RoleAssignment.objects.filter(user=user).select_related(
                "institution", "agency", "work_unit"
            )
        )
        if user.is_superuser and not any(a.role == Role.PLATFORM_ADMIN for a in assignments):
            assignments.append(RoleAssignment(user=user, role=Role.PLATFORM_ADMIN))
        cached = Roles(assignments)
        user._membumi_roles = cached
    return cached
