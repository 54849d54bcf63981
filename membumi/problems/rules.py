"""Who may see and change problems, and the problem lifecycle table (DESIGN §4).

Relations a user can have to a problem:
``submitter`` (wrote it), ``validator`` (mentor of the submitter, or holds the mentor role for
the problem's unit or a unit above it — the unit head), ``organizer`` (of an institution serving
the problem's agency), ``agency_viewer`` (of its agency), ``admin``.
"""

from django.utils.translation import gettext_lazy as _

from membumi.accounts.enums import Role
from membumi.accounts.queries import user_roles

from .enums import ProblemAction as A
from .enums import ProblemState as S

# action: (allowed from-states, to-state, relations that may take it)
PROBLEM_TRANSITIONS = {
    A.VALIDATE: ({S.OPEN}, S.VALIDATED, {"validator"}),
    A.ADDRESS: ({S.VALIDATED}, S.ADDRESSED, {"organizer", "admin"}),
    A.RESOLVE: ({S.VALIDATED, S.ADDRESSED}, S.RESOLVED, {"validator", "admin"}),
    A.CLOSE: ({S.OPEN, S.VALIDATED, S.ADDRESSED}, S.CLOSED, {"submitter", "validator", "admin"}),
    A.MARK_DUPLICATE: (
        {S.OPEN, S.VALIDATED},
        S.DUPLICATE,
        {"validator", "organizer", "agency_viewer", "admin"},
    ),
    A.REOPEN: ({S.CLOSED, S.DUPLICATE}, S.OPEN, {"validator", "admin"}),
}
NOTE_REQUIRED = {A.CLOSE, A.MARK_DUPLICATE, A.REOPEN}
EDITABLE_STATES = {S.OPEN}
JOINABLE_STATES = {S.OPEN, S.VALIDATED, S.ADDRESSED}

ROLE_LABELS = {
    "submitter": _("the submitter"),
    "validator": _("the mentor or unit head"),
    "organizer": _("the organizer"),
    "agency_viewer": _("the agency viewer"),
    "admin": _("the administrator"),
}


def mentor_unit_paths(user) -> list[str]:
    return [
        a.work_unit.path
        for a in user_roles(user).assignments
        if a.role == Role.MENTOR and a.work_unit_id
    ]


def problem_relations(user, problem) -> set[str]:
    roles = user_roles(user)
    relations = set()
    if roles.has(Role.PLATFORM_ADMIN):
        relations.add("admin")
    if problem.submitted_by_id and problem.submitted_by_id == user.pk:
        relations.add("submitter")
    employee_id = getattr(user, "employee_id", None)
    submitter = problem.submitted_by
    if (
        employee_id
        and submitter is not None
        and submitter.employee_id
        and submitter.employee.supervisor_id == employee_id
    ):
        relations.add("validator")
    if any(problem.work_unit.path.startswith(path) for path in mentor_unit_paths(user)):
        relations.add("validator")
    if problem.agency_id in roles.agency_ids(Role.AGENCY_VIEWER):
        relations.add("agency_viewer")
    institution_ids = roles.institution_ids(Role.ORGANIZER)
    if (
        institution_ids
        and problem.agency.serving_institutions.filter(id__in=institution_ids).exists()
    ):
        relations.add("organizer")
    return relations


def allowed_actions(user, problem) -> list[str]:
    relations = problem_relations(user, problem)
    return [
        action
        for action, (sources, _target, who) in PROBLEM_TRANSITIONS.items()
        if problem.state in sources and relations & who
    ]


def can_edit_problem(user, problem) -> bool:
    return problem.state in EDITABLE_STATES and bool(
        problem_relations(user, problem) & {"submitter", "validator", "admin"}
    )


def can_submit_problems(user) -> bool:
    """Participants, unit heads and agency viewers submit problems (they need a unit)."""
    return bool(getattr(user, "employee_id", None)) or user_roles(user).has(
        Role.AGENCY_VIEWER, Role.PLATFORM_ADMIN
    )


def can_browse_problems(user) -> bool:
    """Employees see their agency's problems; organizers, agency viewers, mentors (unit heads)
    and administrators see the problems of their scope."""
    return bool(getattr(user, "employee_id", None)) or user_roles(user).has(
        Role.ORGANIZER, Role.AGENCY_VIEWER, Role.MENTOR, Role.PLATFORM_ADMIN
    )


def can_import_problems(user) -> bool:
    """Organizers (for the agencies their institution serves), agency viewers (their agency)
    and administrators (any agency)."""
    return user_roles(user).has(Role.ORGANIZER, Role.AGENCY_VIEWER, Role.PLATFORM_ADMIN)


def join_refusal(user, problem) -> str:
    """Why ``user`` may not join ``problem`` ("our unit has this too"); empty when they may."""
    employee = getattr(user, "employee", None) if getattr(user, "employee_id", None) else None
    if employee is None or employee.work_unit_id is None:
        return _("Only an employee with a work unit can join a problem.")
    if problem.submitted_by_id and problem.submitted_by_id == user.pk:
        return _("You submitted this problem yourself.")
    if problem.work_unit_id == employee.work_unit_id:
        return _("This problem already belongs to your unit.")
    if problem.state not in JOINABLE_STATES:
        return _("A problem that is %(state)s cannot be joined.") % {
            "state": problem.get_state_display()
        }
    return ""


def can_run_needs_analysis(user) -> bool:
    return user_roles(user).has(Role.ORGANIZER)
