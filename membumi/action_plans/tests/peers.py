"""Builders for the review, similar-plan and peer-clinic tests (on top of ``conftest``):
batch-mates of ``participant`` with their own validated problem, enrolment and plan."""

from membumi.accounts.enums import Role
from membumi.action_plans import services
from membumi.action_plans.tests.conftest import make_ready
from membumi.programs import services as program_services
from membumi.programs.tests.factories import make_problem
from membumi.testing.factories import EmployeeFactory, RoleAssignmentFactory, UserFactory


def make_mate(batch, organizer, *, username, name, mentor, unit):
    """A participant of ``batch`` (supervised by ``mentor``, a User) with a login."""
    employee = EmployeeFactory(
        agency=unit.agency, work_unit=unit, supervisor=mentor.employee, name=name
    )
    user = UserFactory(username=username, employee=employee)
    RoleAssignmentFactory(user=user, role=Role.PARTICIPANT)
    enrollment = program_services.enrollment_create(batch=batch, by=organizer, nip=employee.nip)
    enrollment.problem = make_problem(unit=unit, by=user, state="validated")
    enrollment.save(update_fields=["problem"])
    return user, enrollment


def make_plan(enrollment, user, *, title="Antrean daring", submit=True, ready=True):
    plan = services.action_plan_create(enrollment=enrollment, by=user, title=title)
    if ready:
        plan = make_ready(plan, user)
    if submit:
        plan = services.action_plan_transition(plan=plan, action="submit", by=user)
    return plan
