"""Who may do what with organizations and employees."""

from membumi.accounts.enums import Role
from membumi.accounts.queries import user_roles


def can_import_employees(user) -> bool:
    return user_roles(user).has(Role.ORGANIZER, Role.PLATFORM_ADMIN)


def can_browse_employees(user) -> bool:
    return user_roles(user).has(
        Role.ORGANIZER, Role.PLATFORM_ADMIN, Role.AGENCY_VIEWER, Role.MENTOR, Role.TRAINER
    ) or bool(getattr(user, "employee_id", None))
