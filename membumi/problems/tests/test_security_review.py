"""Security review: scope holes in the problem bank (each test failed before its fix)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from membumi.accounts.enums import Role
from membumi.problems import services
from membumi.problems.models import Problem
from membumi.testing.factories import EmployeeFactory, RoleAssignmentFactory, UserFactory

from .test_importing import (
    IMPORT_URL,
    _upload,
    puskesmas,  # noqa: F401 (fixture)
    row,
)


@pytest.fixture
def outsider_boss(outsider):
    """The outsider's supervisor in the other agency (a mentor there)."""
    boss = UserFactory(
        username="atasan-luar",
        employee=EmployeeFactory(agency=outsider.employee.agency, name="Atasan Luar"),
    )
    RoleAssignmentFactory(user=boss, role=Role.MENTOR)
    outsider.employee.supervisor = boss.employee
    outsider.employee.save()
    return boss


@pytest.mark.parametrize("persona", ["viewer", "organizer"])
def test_import_cannot_attribute_problem_to_employee_of_another_agency(
    client,
    request,
    tmp_path,
    puskesmas,  # noqa: F811
    outsider,
    outsider_boss,
    persona,
):
    """An agency viewer / organizer importing for their agency may not name as submitter an
    employee of another agency: that would show the problem to that agency (the submitter
    and their supervisor) and let the foreign supervisor validate it."""
    user = request.getfixturevalue(persona)
    client.force_login(user)

    client.post(
        IMPORT_URL, {"file": _upload(tmp_path, [row(1, submitter_nip=outsider.employee.nip)])}
    )

    problem = Problem.objects.get()
    assert problem.submitted_by == user
    client.force_login(outsider_boss)
    assert client.get(reverse("problems:problem_detail", args=[problem.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.problem_transition(problem=problem, action="validate", by=outsider_boss)
    problem.refresh_from_db()
    assert problem.state == "open"


def test_duplicate_of_another_agency_shows_no_title_to_the_participant(
    client, participant, problem, foreign_problem, organizer, institution, other_agency
):
    """An organizer serving two agencies marks a problem of one as a duplicate of the
    other's: the participant of the first sees that it is a duplicate, not the other
    agency's problem."""
    institution.served_agencies.add(other_agency)
    services.problem_transition(
        problem=problem,
        action="mark_duplicate",
        by=organizer,
        note="Sama",
        duplicate_of=foreign_problem,
    )
    client.force_login(participant)

    html = client.get(reverse("problems:problem_detail", args=[problem.pk])).content.decode()

    assert 'data-testid="duplicate-of"' in html
    assert foreign_problem.title not in html
    assert reverse("problems:problem_detail", args=[foreign_problem.pk]) not in html
