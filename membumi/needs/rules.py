"""Who may run and curate needs analyses.

An analysis belongs to one institution: its organizers (and platform administrators) see and
change it; for everyone else it does not exist (404). Curation changes the membership of
needs only while they are not accepted: an accepted need is what programs are built from.
"""

from membumi.accounts.enums import Role
from membumi.accounts.queries import user_roles


def is_admin(user) -> bool:
    return user_roles(user).has(Role.PLATFORM_ADMIN)


def can_analyse(user) -> bool:
    """Organizers run needs analyses for their institution; administrators for any."""
    return user_roles(user).has(Role.ORGANIZER, Role.PLATFORM_ADMIN)


def organizer_institution_ids(user) -> set[int]:
    return user_roles(user).institution_ids(Role.ORGANIZER)


def can_manage_analysis(user, analysis) -> bool:
    return is_admin(user) or analysis.institution_id in organizer_institution_ids(user)


def need_is_editable(need) -> bool:
    """Problems can be merged into, moved out of or into a need only while it is not accepted."""
    return not need.accepted
