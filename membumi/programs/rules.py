"""Who may do what with programs, batches and enrolments, and their three lifecycles.

Each lifecycle is one table ``action: (from-states, to-state, relations that may act)``
(STYLE guideline 4); the transition functions in ``services.py`` are the only code that reads
them to change ``state``. Extra conditions on a step (a *guard*) are small functions
``guard(obj) -> message | None`` listed per action, so a later stage can add its own
(the action-plans stage appends "has an approved plan" to ``ENROLLMENT_GUARDS[PASS]``).

Relations a user can have:

* to a program: ``organizer`` (of its institution), ``trainer`` (teaches one of its batches),
  ``admin``;
* to a batch: ``organizer``, ``trainer`` (of the batch), ``admin``;
* to an enrolment: ``organizer``, ``admin``, ``participant`` (it is theirs), ``mentor``
  (their employee record is its mentor), ``coach`` (they are its coach).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from membumi.accounts.enums import Role
from membumi.accounts.queries import user_roles

from .enums import BatchAction, BatchState, EnrollmentAction, EnrollmentState, ProgramAction
from .enums import ProgramState as P

B = BatchState
E = EnrollmentState

ORGANIZERS = frozenset({"organizer", "admin"})

# action: (allowed from-states, to-state, relations that may take it)
PROGRAM_TRANSITIONS = {
    ProgramAction.PUBLISH: ({P.DRAFT}, P.PUBLISHED, ORGANIZERS),
    ProgramAction.ARCHIVE: ({P.PUBLISHED}, P.ARCHIVED, ORGANIZERS),
}

BATCH_TRANSITIONS = {
    BatchAction.OPEN_ENROLMENT: ({B.PLANNED}, B.ENROLLING, ORGANIZERS),
    BatchAction.START: ({B.ENROLLING}, B.RUNNING, ORGANIZERS),
    BatchAction.END: ({B.RUNNING}, B.FOLLOW_UP, ORGANIZERS),
    BatchAction.CLOSE: ({B.FOLLOW_UP}, B.CLOSED, ORGANIZERS),
}

ENROLLMENT_TRANSITIONS = {
    EnrollmentAction.ACTIVATE: ({E.ENROLLED}, E.ACTIVE, ORGANIZERS),
    EnrollmentAction.PASS: ({E.ACTIVE}, E.PASSED, ORGANIZERS),
    EnrollmentAction.FAIL: ({E.ACTIVE}, E.NOT_PASSED, ORGANIZERS),
    EnrollmentAction.WITHDRAW: ({E.ENROLLED, E.ACTIVE}, E.WITHDRAWN, ORGANIZERS),
}
ENROLLMENT_NOTE_REQUIRED = {EnrollmentAction.FAIL, EnrollmentAction.WITHDRAW}

# Batch states in which participants may be enrolled, and in which they may pick their problem.
ENROLMENT_OPEN_STATES = {B.PLANNED, B.ENROLLING, B.RUNNING}
PROBLEM_PICK_BATCH_STATES = ENROLMENT_OPEN_STATES
PROBLEM_PICK_ENROLLMENT_STATES = {E.ENROLLED, E.ACTIVE}
# Enrolments that hold a seat (a withdrawn participant frees theirs).
SEAT_STATES = {E.ENROLLED, E.ACTIVE, E.PASSED, E.NOT_PASSED}
# Programs and modules are edited only while the program is a draft.
PROGRAM_EDITABLE_STATES = {P.DRAFT}
# Dates, place, capacity and trainers can be corrected until the classes end.
BATCH_EDITABLE_STATES = ENROLMENT_OPEN_STATES
# The problem a participant may bring: their own or their unit's, still open or validated.
PICKABLE_PROBLEM_STATES = ("open", "validated")

RELATION_LABELS = {
    "organizer": gettext_lazy("the organizer of the institution"),
    "trainer": gettext_lazy("a trainer of the batch"),
    "admin": gettext_lazy("the administrator"),
    "participant": gettext_lazy("the participant"),
    "mentor": gettext_lazy("the mentor"),
    "coach": gettext_lazy("the coach"),
}


def who_may(relations) -> str:
    return _(" or ").join(str(label) for r, label in RELATION_LABELS.items() if r in relations)


# --- Relations ---------------------------------------------------------------------------------


def organizer_institution_ids(user) -> set[int]:
    return user_roles(user).institution_ids(Role.ORGANIZER)


def is_platform_admin(user) -> bool:
    return user_roles(user).has(Role.PLATFORM_ADMIN)


def program_relations(user, program) -> set[str]:
    relations = set()
    if is_platform_admin(user):
        relations.add("admin")
    if program.institution_id in organizer_institution_ids(user):
        relations.add("organizer")
    if user_roles(user).has(Role.TRAINER) and program.batches.filter(trainers=user).exists():
        relations.add("trainer")
    return relations


def batch_relations(user, batch) -> set[str]:
    relations = set()
    if is_platform_admin(user):
        relations.add("admin")
    if batch.program.institution_id in organizer_institution_ids(user):
        relations.add("organizer")
    if batch.trainers.filter(pk=user.pk).exists():
        relations.add("trainer")
    return relations


def enrollment_relations(user, enrollment) -> set[str]:
    relations = set()
    if is_platform_admin(user):
        relations.add("admin")
    if enrollment.batch.program.institution_id in organizer_institution_ids(user):
        relations.add("organizer")
    employee_id = getattr(user, "employee_id", None)
    if employee_id and enrollment.employee_id == employee_id:
        relations.add("participant")
    if employee_id and enrollment.mentor_id == employee_id:
        relations.add("mentor")
    if enrollment.coach_id and enrollment.coach_id == user.pk:
        relations.add("coach")
    return relations


# --- Permissions used by views, API, navigation and templates ----------------------------------


def can_use_programs(user) -> bool:
    """Organizers, trainers and administrators see the Programs pages."""
    return user_roles(user).has(Role.ORGANIZER, Role.TRAINER, Role.PLATFORM_ADMIN)


def can_create_programs(user) -> bool:
    return user_roles(user).has(Role.ORGANIZER, Role.PLATFORM_ADMIN)


def can_manage_program(user, program) -> bool:
    """May change the program, its modules and batches (regardless of state)."""
    return bool(program_relations(user, program) & ORGANIZERS)


def can_edit_program(user, program) -> bool:
    return program.state in PROGRAM_EDITABLE_STATES and can_manage_program(user, program)


def can_manage_batch(user, batch) -> bool:
    return bool(batch_relations(user, batch) & ORGANIZERS)


def can_record_attendance(user, batch) -> bool:
    """The organizer (and admin) and the batch's trainers take attendance in class."""
    return bool(batch_relations(user, batch) & (ORGANIZERS | {"trainer"}))


def can_manage_sessions(user, batch) -> bool:
    """Sessions, the JP import and results belong to the organizer."""
    return can_manage_batch(user, batch)


def can_review_people_moves(user) -> bool:
    return user_roles(user).has(Role.ORGANIZER, Role.PLATFORM_ADMIN)


def has_training(user) -> bool:
    """Anyone with an employee record may be a participant and has a My training page."""
    return bool(getattr(user, "employee_id", None))


def allowed_actions(table, state, relations) -> list[str]:
    return [
        action
        for action, (sources, _t, who) in table.items()
        if state in sources and relations & who
    ]


# --- Guards: extra conditions on a step; each returns a refusal message or None ----------------


def program_publish_check(program) -> tuple[list[str], list[str]]:
    """(errors that refuse publishing, warnings that do not)."""
    modules = list(
        program.modules.annotate(
            n_needs=Count("needs", distinct=True), n_problems=Count("problems", distinct=True)
        )
    )
    errors, warnings = [], []
    if not modules:
        errors.append(_("The program has no module yet: add at least one module."))
    bare = [m.title for m in modules if not m.n_needs and not m.n_problems]
    if bare:
        errors.append(
            _("These modules address no problem and no need: %(modules)s.")
            % {"modules": ", ".join(f"“{title}”" for title in bare)}
        )
    jp_sum = sum(m.jp for m in modules)
    if modules and jp_sum != program.total_jp:
        warnings.append(
            _("The modules add up to %(sum)d JP but the program states %(total)d JP.")
            % {"sum": jp_sum, "total": program.total_jp}
        )
    return errors, warnings


def program_can_publish(program) -> str | None:
    errors, _warnings = program_publish_check(program)
    return " ".join(errors) or None


def program_has_no_open_batch(program) -> str | None:
    open_states = [B.PLANNED, B.ENROLLING, B.RUNNING]
    names = list(program.batches.filter(state__in=open_states).values_list("name", flat=True))
    if names:
        return _("Batches are still planned or running: %(names)s. Close them first.") % {
            "names": ", ".join(names)
        }
    return None


def batch_has_participants(batch) -> str | None:
    if not batch.enrollments.filter(state__in=SEAT_STATES).exists():
        return _("Nobody is enrolled in the batch yet.")
    return None


def batch_all_results_recorded(batch) -> str | None:
    pending = batch.enrollments.filter(state__in=[E.ENROLLED, E.ACTIVE]).count()
    if pending:
        return _(
            "%(n)d participant(s) have no result yet: record passed, not passed or withdrawn "
            "before closing."
        ) % {"n": pending}
    return None


# The batch states in which each enrolment step makes sense (used by the guards below and by
# the batch page, which offers only these steps).
ENROLLMENT_ACTION_BATCH_STATES = {
    EnrollmentAction.ACTIVATE: {B.RUNNING},
    EnrollmentAction.PASS: {B.FOLLOW_UP, B.CLOSED},
    EnrollmentAction.FAIL: {B.FOLLOW_UP, B.CLOSED},
    EnrollmentAction.WITHDRAW: set(B),
}


def enrollment_batch_running(enrollment) -> str | None:
    if enrollment.batch.state not in ENROLLMENT_ACTION_BATCH_STATES[EnrollmentAction.ACTIVATE]:
        return _("A participant becomes active only when the batch is running.")
    return None


def enrollment_batch_ended(enrollment) -> str | None:
    if enrollment.batch.state not in ENROLLMENT_ACTION_BATCH_STATES[EnrollmentAction.PASS]:
        return _("Results are recorded after the classes end (batch in follow-up or closed).")
    return None


def enrollment_actions_offered(enrollment_state, batch_state, relations) -> list[str]:
    """The enrolment steps a page offers: allowed by the table and sensible for the batch."""
    return [
        action
        for action in allowed_actions(ENROLLMENT_TRANSITIONS, enrollment_state, relations)
        if batch_state in ENROLLMENT_ACTION_BATCH_STATES[action]
    ]


def enrollment_attendance_sufficient(enrollment) -> str | None:
    """The attendance half of the pass gate, with the figures in the refusal."""
    from .attendance import figures_of

    return figures_of(enrollment).refusal()


Guard = Callable[[object], str | None]

PROGRAM_GUARDS: dict[str, list[Guard]] = {
    ProgramAction.PUBLISH: [program_can_publish],
    ProgramAction.ARCHIVE: [program_has_no_open_batch],
}
BATCH_GUARDS: dict[str, list[Guard]] = {
    BatchAction.START: [batch_has_participants],
    BatchAction.CLOSE: [batch_all_results_recorded],
}
# The pass gate. The action-plans stage extends ``ENROLLMENT_GUARDS[EnrollmentAction.PASS]``
# with "has an approved action plan" and "attendance is sufficient" (DESIGN §4).
ENROLLMENT_GUARDS: dict[str, list[Guard]] = {
    EnrollmentAction.ACTIVATE: [enrollment_batch_running],
    EnrollmentAction.PASS: [enrollment_batch_ended, enrollment_attendance_sufficient],
    EnrollmentAction.FAIL: [enrollment_batch_ended],
}


def guard_refusals(guards: dict[str, list[Guard]], action, obj) -> list[str]:
    return [message for guard in guards.get(action, []) if (message := guard(obj))]


# --- The same guards for many enrolments at once ------------------------------------------------
# A page listing a batch's enrolments with what blocks each one must not run the guards row by
# row. Each guard of ``ENROLLMENT_GUARDS[action]`` has a batch version here,
# ``guard(enrollments) -> {enrollment id: [messages]}``, giving the same messages in the same
# order in a constant number of queries (the action-plans stage appends its own). Enrolments
# must come with ``batch__program`` loaded.

BatchGuard = Callable[[list], dict[int, list[str]]]


def enrollments_batch_ended(enrollments) -> dict[int, list[str]]:
    return {e.pk: [m] for e in enrollments if (m := enrollment_batch_ended(e))}


def enrollments_attendance_sufficient(enrollments) -> dict[int, list[str]]:
    from .attendance import figures_for

    return {pk: [m] for pk, f in figures_for(enrollments).items() if (m := f.refusal())}


ENROLLMENT_BATCH_GUARDS: dict[str, list[BatchGuard]] = {
    EnrollmentAction.PASS: [enrollments_batch_ended, enrollments_attendance_sufficient],
}


def enrollment_blockers(action, enrollments, *, skip=()) -> dict[int, list[str]]:
    """enrolment id → the refusals ``action`` would meet (empty list: none); ``skip`` leaves
    out guards a page states once for all rows (the batch has not ended)."""
    enrollments = list(enrollments)
    blockers: dict[int, list[str]] = {e.pk: [] for e in enrollments}
    for guard in ENROLLMENT_BATCH_GUARDS.get(action, []):
        if guard in skip:
            continue
        for pk, messages in guard(enrollments).items():
            blockers[pk].extend(messages)
    return blockers


# --- What later stages hold about an enrolment ----------------------------------------------------


@dataclass(frozen=True)
class EnrollmentFact:
    """What a later stage says about an enrolment: a label for the pages ("Action plan:
    approved") and whether it is still *open* work that a mentor follows (people move)."""

    label: str
    open: bool


# ``fact(enrollment_ids) -> {enrollment id: EnrollmentFact}``, one query each; the
# action-plans stage registers the plan's state.
ENROLLMENT_FACTS: list[Callable[[list[int]], dict[int, EnrollmentFact]]] = []
# ``hook(enrollment=, by=, note=) -> [what was closed]`` when the organizer confirms that the
# participant has left; the action-plans stage abandons the open plan (its history stays).
ENROLLMENT_LEAVE_HOOKS: list[Callable[..., list[str]]] = []


def enrollment_facts(enrollment_ids) -> dict[int, list[EnrollmentFact]]:
    ids = list(enrollment_ids)
    facts: dict[int, list[EnrollmentFact]] = {pk: [] for pk in ids}
    for source in ENROLLMENT_FACTS:
        for pk, fact in source(ids).items():
            facts.setdefault(pk, []).append(fact)
    return facts
