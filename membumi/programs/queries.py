"""Reads of programs, modules, batches and enrolments, scoped to the user (404 outside).

Who sees what:

* a program: organizers of its institution, trainers who teach one of its batches, admins;
* a batch: organizers of its program's institution, its trainers, admins;
* an enrolment: whoever sees its batch, the participant, their mentor and their coach.
"""

from dataclasses import dataclass, field

from django.db.models import (
    CharField,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from membumi.accounts.enums import Role
from membumi.accounts.models import RoleAssignment, User
from membumi.accounts.queries import user_roles
from membumi.needs.models import Need
from membumi.organizations.models import Employee, Institution
from membumi.organizations.queries import search_employees
from membumi.problems.models import Problem
from membumi.problems.queries import problems_for_user

from . import rules
from .attendance import figures_for
from .enums import AttendanceStatus, EnrollmentAction, EnrollmentState, ProgramState, ProposalState
from .models import (
    Attendance,
    Batch,
    Enrollment,
    MentorChange,
    MentorChangeProposal,
    Module,
    Program,
    Session,
    StateChange,
)

# --- Institutions, needs, trainers, employees -------------------------------------------------


def institutions_for_organizer(user) -> QuerySet[Institution]:
    """Institutions the user runs programs for (admins: all of them)."""
    if rules.is_platform_admin(user):
        return Institution.objects.all()
    return Institution.objects.filter(id__in=rules.organizer_institution_ids(user))


def accepted_needs(*institutions) -> QuerySet[Need]:
    """The needs a program of the institution(s) may answer: accepted needs of its analyses."""
    return (
        Need.objects.filter(analysis__institution__in=institutions, accepted=True)
        .select_related("analysis")
        .order_by("-analysis__created_at", "analysis_id", "position", "id")
    )


def problems_of_needs(needs) -> QuerySet[Problem]:
    """The problems grouped in ``needs`` (what a module may address directly)."""
    return (
        Problem.objects.filter(
            Exists(Need.problems.through.objects.filter(problem_id=OuterRef("pk"), need__in=needs))
        )
        .select_related("work_unit")
        .order_by("-priority", "title", "id")
    )


def institution_trainers(institution) -> QuerySet[User]:
    """Users holding the trainer role at ``institution``."""
    return (
        User.objects.filter(
            Exists(
                RoleAssignment.objects.filter(
                    user_id=OuterRef("pk"), role=Role.TRAINER, institution=institution
                )
            )
        )
        .select_related("employee")
        .order_by("username")
    )


def served_employees(institution) -> QuerySet[Employee]:
    """Employees an institution may enrol: those of the agencies it serves. Anyone else is
    "unknown" to its organizers."""
    return Employee.objects.filter(
        Exists(
            Institution.served_agencies.through.objects.filter(
                institution_id=institution.pk, agency_id=OuterRef("agency_id")
            )
        )
    )


def enrolment_candidates(batch, text: str, limit: int = 20) -> list[Employee]:
    """Search by name, NIP or position among the employees the batch's institution serves."""
    if not (text or "").strip():
        return []
    qs = search_employees(
        served_employees(batch.program.institution).filter(is_active=True), text=text
    )
    qs = qs.select_related("work_unit", "agency", "supervisor").annotate(
        already=Exists(Enrollment.objects.filter(batch=batch, employee_id=OuterRef("pk")))
    )
    return list(qs.order_by("name", "nip")[:limit])


# --- Programs ---------------------------------------------------------------------------------


def _teaches(user):
    return Exists(Batch.trainers.through.objects.filter(batch__program=OuterRef("pk"), user=user))


def programs_for_user(user) -> QuerySet[Program]:
    qs = Program.objects.select_related("institution")
    if rules.is_platform_admin(user):
        return qs
    condition = Q(institution_id__in=rules.organizer_institution_ids(user))
    if user_roles(user).has(Role.TRAINER):
        condition |= Q(_teaches(user))
    return qs.filter(condition)


def program_list(user) -> QuerySet[Program]:
    """Programs with the counts the list shows, in one query."""
    modules = Module.objects.filter(program=OuterRef("pk")).values("program")
    batches = Batch.objects.filter(program=OuterRef("pk")).values("program")
    needs = Program.needs.through.objects.filter(program=OuterRef("pk")).values("program")
    return programs_for_user(user).annotate(
        n_modules=Coalesce(Subquery(modules.annotate(n=Count("pk")).values("n")), 0),
        jp_sum=Coalesce(Subquery(modules.annotate(s=Sum("jp")).values("s")), 0),
        n_batches=Coalesce(Subquery(batches.annotate(n=Count("pk")).values("n")), 0),
        n_needs=Coalesce(Subquery(needs.annotate(n=Count("pk")).values("n")), 0),
    )


def get_program_for_user(user, pk) -> Program:
    try:
        return programs_for_user(user).get(pk=pk)
    except (Program.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def program_modules(program) -> list[Module]:
    """Modules in order, with the needs and problems each addresses."""
    return list(
        program.modules.prefetch_related("needs", "problems").order_by("position", "id").all()
    )


def get_module_for_user(user, pk) -> Module:
    try:
        return Module.objects.select_related("program__institution").get(
            pk=pk, program__in=programs_for_user(user)
        )
    except (Module.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


# --- Batches ----------------------------------------------------------------------------------


def batches_for_user(user) -> QuerySet[Batch]:
    qs = Batch.objects.select_related("program__institution")
    if rules.is_platform_admin(user):
        return qs
    condition = Q(program__institution_id__in=rules.organizer_institution_ids(user))
    condition |= Q(
        Exists(Batch.trainers.through.objects.filter(batch_id=OuterRef("pk"), user_id=user.pk))
    )
    return qs.filter(condition)


def batch_list(user) -> QuerySet[Batch]:
    seats = Enrollment.objects.filter(batch=OuterRef("pk"), state__in=rules.SEAT_STATES).values(
        "batch"
    )
    return batches_for_user(user).annotate(
        n_enrolled=Coalesce(Subquery(seats.annotate(n=Count("pk")).values("n")), 0)
    )


def get_batch_for_user(user, pk) -> Batch:
    try:
        return batch_list(user).get(pk=pk)
    except (Batch.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def batch_enrollments(batch) -> QuerySet[Enrollment]:
    """The enrolments table of a batch: participant, unit, mentor, coach, problem."""
    return (
        batch.enrollments.select_related(
            "employee__work_unit", "mentor", "coach__employee", "problem"
        )
        .order_by("employee__name", "id")
        .all()
    )


def seats_taken(batch) -> int:
    return batch.enrollments.filter(state__in=rules.SEAT_STATES).count()


def enrollments_for_user(user) -> QuerySet[Enrollment]:
    qs = Enrollment.objects.select_related(
        "batch__program__institution", "employee__work_unit", "mentor", "coach__employee", "problem"
    )
    condition = Q(batch__in=batches_for_user(user))
    employee_id = getattr(user, "employee_id", None)
    if employee_id:
        condition |= Q(employee_id=employee_id) | Q(mentor_id=employee_id)
    condition |= Q(coach_id=user.pk)
    return qs.filter(condition)


def get_enrollment_for_user(user, pk) -> Enrollment:
    try:
        return enrollments_for_user(user).get(pk=pk)
    except (Enrollment.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def my_enrollments(user) -> list[Enrollment]:
    employee_id = getattr(user, "employee_id", None)
    if not employee_id:
        return []
    return list(
        Enrollment.objects.filter(employee_id=employee_id)
        .select_related("batch__program__institution", "mentor", "coach__employee", "problem")
        .order_by("-batch__start_date", "-id")
    )


def mentee_enrollments(user) -> QuerySet[Enrollment]:
    """Enrolments in which the user's employee record is the mentor."""
    employee_id = getattr(user, "employee_id", None)
    if not employee_id:
        return Enrollment.objects.none()
    return (
        Enrollment.objects.filter(mentor_id=employee_id)
        .exclude(state=EnrollmentState.WITHDRAWN)
        .select_related("batch__program", "employee__work_unit", "problem", "coach__employee")
        .order_by("-batch__start_date", "employee__name", "id")
    )


def pickable_problems(user) -> QuerySet[Problem]:
    """Problems a participant may bring: submitted by them or of their unit, in their scope,
    still open or validated."""
    employee = getattr(user, "employee", None)
    if employee is None:
        return Problem.objects.none()
    mine = Q(submitted_by_id=user.pk)
    if employee.work_unit_id:
        mine |= Q(work_unit_id=employee.work_unit_id)
    return (
        problems_for_user(user)
        .filter(mine, state__in=rules.PICKABLE_PROBLEM_STATES)
        .order_by("-created_at", "-id")
    )


def history(obj) -> QuerySet[StateChange]:
    kind = obj._meta.model_name
    return StateChange.objects.filter(object_type=kind, object_id=obj.pk).select_related(
        "by__employee"
    )


# --- Traceability: what addresses a problem ----------------------------------------------------


@dataclass
class ProblemAddressing:
    """Every program, module and batch that addresses a problem (DESIGN §3: traceable both
    ways). Each program carries ``addressing_modules``, ``addressing_batches`` and
    ``answers_need`` (it answers a need grouping the problem); each module carries ``direct``
    (names the problem itself rather than through a need); each batch carries
    ``brought_here`` (a participant of the batch brings this very problem)."""

    programs: list[Program] = field(default_factory=list)
    modules: list[Module] = field(default_factory=list)
    batches: list[Batch] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.programs or self.modules or self.batches)


def addressing_for_problem(problem) -> ProblemAddressing:
    """Programs, modules and batches that address ``problem``: modules naming it directly
    (``Module.problems``) or through a need that groups it (``Module.needs → Need.problems``),
    programs answering such a need or owning such a module, their batches, and batches in which
    a participant brings the problem. Three queries, whatever the number of rows. Programs of
    every state are included (``program.state`` tells them apart)."""
    need_ids = Need.problems.through.objects.filter(problem_id=problem.pk).values("need_id")
    direct = Exists(
        Module.problems.through.objects.filter(module_id=OuterRef("pk"), problem_id=problem.pk)
    )
    via_need = Exists(
        Module.needs.through.objects.filter(module_id=OuterRef("pk"), need_id__in=need_ids)
    )
    modules = list(
        Module.objects.annotate(direct=direct)
        .filter(direct | via_need)
        .order_by("program_id", "position", "id")
    )
    module_program_ids = {m.program_id for m in modules}
    answers_need = Exists(
        Program.needs.through.objects.filter(program_id=OuterRef("pk"), need_id__in=need_ids)
    )
    programs = list(
        Program.objects.select_related("institution")
        .annotate(answers_need=answers_need)
        .filter(Q(pk__in=module_program_ids) | answers_need)
    )
    brought = Exists(Enrollment.objects.filter(batch_id=OuterRef("pk"), problem_id=problem.pk))
    program_ids = {p.pk for p in programs}
    batches = list(
        Batch.objects.select_related("program__institution")
        .annotate(brought_here=brought)
        .filter(Q(program_id__in=program_ids) | brought)
        .order_by("-start_date", "-id")
    )
    by_id = {p.pk: p for p in programs}
    for batch in batches:  # a batch whose participant brings it, in a program found no other way
        if batch.program_id not in by_id:
            batch.program.answers_need = False
            by_id[batch.program_id] = batch.program
    for program in by_id.values():
        program.addressing_modules = []
        program.addressing_batches = []
    for module in modules:
        module.program = by_id[module.program_id]
        module.program.addressing_modules.append(module)
    for batch in batches:
        batch.program = by_id[batch.program_id]
        batch.program.addressing_batches.append(batch)
    ordered = sorted(by_id.values(), key=lambda p: (p.state == ProgramState.ARCHIVED, p.name, p.pk))
    return ProblemAddressing(programs=ordered, modules=modules, batches=batches)


# --- Coverage ---------------------------------------------------------------------------------


@dataclass
class Coverage:
    institution: Institution
    accepted: int
    uncovered_needs: list[Need]
    bare_modules: list[Module]

    @property
    def covered(self) -> int:
        return self.accepted - len(self.uncovered_needs)


COVERING_STATES = [ProgramState.DRAFT, ProgramState.PUBLISHED]


def coverage_report(institution) -> Coverage:
    """Accepted needs of the institution that no program (draft or published; archived ones do
    not count) answers, and modules of its live programs that address no problem and no need."""
    has_program = Exists(
        Program.needs.through.objects.filter(
            need_id=OuterRef("pk"), program__state__in=COVERING_STATES
        )
    )
    problem_count = (
        Need.problems.through.objects.filter(need_id=OuterRef("pk"))
        .values("need_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    needs = list(
        accepted_needs(institution).annotate(
            has_program=has_program,
            n_problems=Coalesce(Subquery(problem_count, output_field=IntegerField()), 0),
        )
    )
    addresses_need = Exists(Module.needs.through.objects.filter(module_id=OuterRef("pk")))
    addresses_problem = Exists(Module.problems.through.objects.filter(module_id=OuterRef("pk")))
    bare = list(
        Module.objects.filter(program__institution=institution, program__state__in=COVERING_STATES)
        .filter(~addresses_need, ~addresses_problem)
        .select_related("program")
        .order_by("program__name", "program_id", "position", "id")
    )
    return Coverage(
        institution=institution,
        accepted=len(needs),
        uncovered_needs=[n for n in needs if not n.has_program],
        bare_modules=bare,
    )


# --- Sessions and attendance ----------------------------------------------------------------------

# Participants whose attendance is taken (seats held, results not yet recorded).
ATTENDING_STATES = [EnrollmentState.ENROLLED, EnrollmentState.ACTIVE]


def scheduled_jp(batch) -> int:
    """The JP of the batch's sessions, or the program's total JP while it has none."""
    total = batch.sessions.aggregate(jp=Sum("jp"))["jp"]
    return total or batch.program.total_jp


def batch_sessions(batch) -> list[Session]:
    """The sessions in date order with how many were marked present, absent and excused, in
    one query."""

    def count(status):
        return Count("attendance", filter=Q(attendance__status=status))

    return list(
        batch.sessions.select_related("module")
        .annotate(
            n_present=count(AttendanceStatus.PRESENT),
            n_absent=count(AttendanceStatus.ABSENT),
            n_excused=count(AttendanceStatus.EXCUSED),
        )
        .order_by("date", "id")
    )


def get_session_for_user(user, pk) -> Session:
    try:
        return Session.objects.select_related("batch__program__institution", "module").get(
            pk=pk, batch__in=batches_for_user(user)
        )
    except (Session.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def session_grid(session, *, enrollment_id=None) -> list[Enrollment]:
    """The participants whose attendance is taken, each with ``status`` for the session ("" when
    not recorded yet), in one query."""
    status = Attendance.objects.filter(session=session, enrollment=OuterRef("pk")).values("status")[
        :1
    ]
    qs = (
        session.batch.enrollments.filter(state__in=ATTENDING_STATES)
        .select_related("employee__work_unit")
        .annotate(status=Subquery(status, output_field=CharField()))
        .order_by("employee__name", "id")
    )
    if enrollment_id is not None:
        qs = qs.filter(pk=enrollment_id)
    return list(qs)


def get_grid_row(session, enrollment_id) -> Enrollment:
    rows = session_grid(session, enrollment_id=enrollment_id)
    if not rows:
        raise Http404
    return rows[0]


RESULT_FILTERS = ("all", "can_pass", "cannot_pass")


def pass_board(batch, *, show="all") -> list[Enrollment]:
    """Every enrolment of the batch but the withdrawn, each with ``figures`` (attendance),
    ``blockers`` (what refuses the pass, for active ones), ``facts`` (later stages: the action
    plan) and ``can_pass``; filtered by ``show`` (all / can_pass / cannot_pass). A constant
    number of queries, whatever the number of participants."""
    enrollments = list(
        batch.enrollments.exclude(state=EnrollmentState.WITHDRAWN)
        .select_related("employee__work_unit", "mentor")
        .order_by("employee__name", "id")
    )
    for e in enrollments:
        e.batch = batch  # the page's batch, with its program: no query per row
    figures = figures_for(enrollments)
    active = [e for e in enrollments if e.state == EnrollmentState.ACTIVE]
    ended = batch.state in rules.ENROLLMENT_ACTION_BATCH_STATES[EnrollmentAction.PASS]
    # While the classes run the page says once that results come later; rows show the rest.
    skip = () if ended else (rules.enrollments_batch_ended,)
    blockers = rules.enrollment_blockers(EnrollmentAction.PASS, active, skip=skip)
    facts = rules.enrollment_facts([e.pk for e in enrollments])
    for e in enrollments:
        e.figures = figures[e.pk]
        e.blockers = blockers.get(e.pk, [])
        e.facts = facts.get(e.pk, [])
        e.can_pass = e.state == EnrollmentState.ACTIVE and not e.blockers
    if show == "can_pass":
        return [e for e in enrollments if e.can_pass]
    if show == "cannot_pass":
        return [e for e in enrollments if e.state == EnrollmentState.ACTIVE and not e.can_pass]
    return enrollments


def my_attendance(user, enrollments) -> None:
    """Put ``figures`` and ``sessions`` (each with the participant's ``status``) on each of the
    user's enrolments, in three queries."""
    if not enrollments:
        return
    figures = figures_for(enrollments)
    employee_id = getattr(user, "employee_id", None)
    status = Attendance.objects.filter(
        session=OuterRef("pk"), enrollment__employee_id=employee_id
    ).values("status")[:1]
    sessions: dict[int, list[Session]] = {}
    for session in (
        Session.objects.filter(batch_id__in={e.batch_id for e in enrollments})
        .annotate(status=Subquery(status, output_field=CharField()))
        .order_by("date", "id")
    ):
        sessions.setdefault(session.batch_id, []).append(session)
    for e in enrollments:
        e.figures = figures[e.pk]
        e.sessions = sessions.get(e.batch_id, [])


# --- People move ------------------------------------------------------------------------------------


def proposals_for_user(user) -> QuerySet[MentorChangeProposal]:
    """Mentor change proposals of the user's institutions (admins: all)."""
    qs = MentorChangeProposal.objects.select_related(
        "enrollment__employee__work_unit",
        "enrollment__batch__program__institution",
        "current_mentor",
        "proposed_mentor",
        "enrollment__mentor",
        "decided_by__employee",
    )
    if rules.is_platform_admin(user):
        return qs
    return qs.filter(
        enrollment__batch__program__institution_id__in=rules.organizer_institution_ids(user)
    )


def get_proposal_for_user(user, pk) -> MentorChangeProposal:
    try:
        return proposals_for_user(user).get(pk=pk)
    except (MentorChangeProposal.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def pending_proposal_count(user) -> int:
    return proposals_for_user(user).filter(state=ProposalState.PENDING).count()


def mentor_history(enrollment) -> QuerySet[MentorChange]:
    return enrollment.mentor_changes.select_related("from_mentor", "to_mentor", "by__employee")
