"""Who may do what with seminars, and the session lifecycle.

``SESSION_TRANSITIONS`` is the table ``action: (from-states, to-state, relations that may
act)``; ``services.seminar_session_transition`` is the only code that reads it to change
``SeminarSession.state``.

Relations of a user to a session:

* ``admin``; ``organizer`` (of the batch's program's institution);
* ``examiner``: assigned to the session *and* holding the examiner role at that institution;
* ``trainer``: teaches the batch (reads the rows of the plans they coach);
* ``mentor`` / ``participant`` are per plan (see ``queries.visible_plans``).
"""

from django.utils.translation import gettext_lazy

from membumi.accounts.enums import Role
from membumi.accounts.queries import user_roles
from membumi.action_plans.enums import PlanState
from membumi.programs import rules as program_rules

from .enums import SessionAction, SessionState

ORGANIZERS = frozenset({"organizer", "admin"})

SESSION_TRANSITIONS = {
    SessionAction.FINALISE: ({SessionState.OPEN}, SessionState.FINALISED, ORGANIZERS),
}

# The plans a session examines: the batch's plans once submitted (not drafts, not abandoned).
EXAMINED_PLAN_STATES = [
    PlanState.SUBMITTED,
    PlanState.REVISION_REQUESTED,
    PlanState.APPROVED,
    PlanState.IN_PROGRESS,
    PlanState.COMPLETED,
    PlanState.VERIFIED,
]

# The default rubric (issue #4): five criteria of equal weight, each scored 1–100.
DEFAULT_CRITERIA = [
    (
        gettext_lazy("Relevance to the problem"),
        gettext_lazy("The plan addresses the validated work-unit problem and its root cause."),
    ),
    (
        gettext_lazy("Feasibility"),
        gettext_lazy("Within the participant's authority, resources and time."),
    ),
    (
        gettext_lazy("Measurability"),
        gettext_lazy("Indicator, baseline and target make the change measurable."),
    ),
    (
        gettext_lazy("Stakeholder support"),
        gettext_lazy("The people whose support the plan needs are named and engaged."),
    ),
    (
        gettext_lazy("Innovation"),
        gettext_lazy("A new or better way of working for the unit."),
    ),
]
DEFAULT_WEIGHT = 20


def is_examiner_at(user, institution_id) -> bool:
    return institution_id in user_roles(user).institution_ids(Role.EXAMINER)


def is_examiner(user) -> bool:
    return user_roles(user).has(Role.EXAMINER)


def can_configure(user, program) -> bool:
    """The organizer of the program's institution (and the administrator)."""
    return program_rules.can_manage_program(user, program)


def can_manage_batch_seminars(user, batch) -> bool:
    return program_rules.can_manage_batch(user, batch)


def session_relations(user, session) -> set[str]:
    relations = set()
    if not getattr(user, "is_authenticated", False):
        return relations
    institution_id = session.batch.program.institution_id
    if program_rules.is_platform_admin(user):
        relations.add("admin")
    if institution_id in program_rules.organizer_institution_ids(user):
        relations.add("organizer")
    assigned = getattr(session, "examiner_ids", None)
    if assigned is None:
        assigned = {u.pk for u in session.examiners.all()}
    if user.pk in assigned and is_examiner_at(user, institution_id):
        relations.add("examiner")
    return relations


def sees_every_plan(relations) -> bool:
    return bool(relations & (ORGANIZERS | {"examiner"}))


def can_score(relations, session) -> bool:
    return "examiner" in relations and session.state == SessionState.OPEN


def allowed_actions(state, relations) -> list[str]:
    return [
        action
        for action, (sources, _t, who) in SESSION_TRANSITIONS.items()
        if state in sources and relations & who
    ]
