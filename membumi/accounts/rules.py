"""Permission predicates for accounts. Small, composable, used by views, API and templates."""

from .enums import Role
from .queries import user_roles


def is_platform_admin(user) -> bool:
    return user_roles(user).has(Role.PLATFORM_ADMIN)


def is_organizer(user) -> bool:
    return user_roles(user).has(Role.ORGANIZER)


def is_trainer(user) -> bool:
    return user_roles(user).has(Role.TRAINER)


def is_agency_viewer(user) -> bool:
    return user_roles(user).has(Role.AGENCY_VIEWER)


def is_mentor(user) -> bool:
    employee = getattr(user, "employee", None)
    return user_roles(user).has(Role.MENTOR) or bool(
        employee is not None and employee.subordinates.exists()
    )


def is_participant(user) -> bool:
    return user_roles(user).has(Role.PARTICIPANT) or getattr(user, "employee_id", None) is not None
