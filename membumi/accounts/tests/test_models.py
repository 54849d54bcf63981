"""A role assignment explains which scope its role needs (the admin shows these messages)."""

import pytest
from django.core.exceptions import ValidationError

from membumi.accounts.enums import Role
from membumi.accounts.models import RoleAssignment
from membumi.testing.factories import UserFactory, WorkUnitFactory


@pytest.mark.parametrize(
    ("role", "scope", "field"),
    [
        (Role.ORGANIZER, {}, "institution"),
        (Role.TRAINER, {"agency": True}, "institution"),
        (Role.AGENCY_VIEWER, {}, "agency"),
        (Role.AGENCY_VIEWER, {"institution": True, "agency": True}, "institution"),
        (Role.PLATFORM_ADMIN, {"agency": True}, "agency"),
        (Role.PARTICIPANT, {"agency": True}, "agency"),
    ],
)
def test_wrong_scope_is_named_field_by_field(db, institution, agency, role, scope, field):
    assignment = RoleAssignment(
        user=UserFactory(),
        role=role,
        institution=institution if scope.get("institution") else None,
        agency=agency if scope.get("agency") else None,
    )

    with pytest.raises(ValidationError) as caught:
        assignment.full_clean()

    assert field in caught.value.message_dict
    assert "roleassignment_scope_matches_role" not in str(caught.value)


def test_right_scopes_are_valid(db, institution, agency):
    user = UserFactory()
    unit = WorkUnitFactory(agency=agency)
    RoleAssignment(user=user, role=Role.ORGANIZER, institution=institution).full_clean()
    RoleAssignment(user=user, role=Role.AGENCY_VIEWER, agency=agency).full_clean()
    RoleAssignment(user=user, role=Role.MENTOR, work_unit=unit).full_clean()
    RoleAssignment(user=user, role=Role.PARTICIPANT).full_clean()
    RoleAssignment(user=user, role=Role.PLATFORM_ADMIN).full_clean()
