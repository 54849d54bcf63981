"""Every write to programs, modules, batches and enrolments. Keyword-only, ``<entity>_<action>``.

The three ``*_transition`` functions are the only code that changes a ``state``: each checks
the table in ``rules.py`` (the step and who may take it) and the step's guards, saves, writes a
``StateChange`` row and an audit entry, in one transaction. Refusals raise
``TransitionNotAllowed`` (HTTP 409), ``PermissionDenied`` (403) or ``ValidationError`` (400),
with a message in the user's language.
"""

import re
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from membumi.accounts.enums import Role
from membumi.accounts.models import RoleAssignment, User
from membumi.core.audit import audit_record
from membumi.core.exceptions import TransitionNotAllowed
from membumi.core.tabular import ImportFileError, open_table, records
from membumi.notifications.services import notify
from membumi.problems.services import problem_transition

from . import queries, rules
from .enums import (
    AttendanceStatus,
    BatchAction,
    BatchState,
    EnrollmentAction,
    EnrollmentState,
    MoveReason,
    ProgramAction,
    ProposalState,
)
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

PROGRAM_FIELDS = (
    "name",
    "program_type",
    "total_jp",
    "mode",
    "competencies",
    "description",
    "min_attendance_percent",
)
BATCH_FIELDS = ("name", "start_date", "end_date", "mode", "location", "capacity")


def _actor(by):
    return by if getattr(by, "pk", None) else None


def _history(*, obj, source: str, target: str, by, note: str = "") -> StateChange:
    return StateChange.objects.create(
        object_type=obj._meta.model_name,
        object_id=obj.pk,
        from_state=source,
        to_state=target,
        by=_actor(by),
        note=note,
    )


def _transition(*, obj, kind: str, table, guards, actions, action, by, relations, note=""):
    """The shared body of the three transition functions (``obj`` is locked by the caller)."""
    try:
        action = actions(action)
    except ValueError as exc:
        raise TransitionNotAllowed(_("Unknown action “%(action)s”.") % {"action": action}) from exc
    sources, target, who = table[action]
    if not relations & who:
        raise PermissionDenied(
            _("Only %(who)s may %(action)s this %(kind)s.")
            % {"who": rules.who_may(who), "action": action.label, "kind": kind}
        )
    if obj.state not in sources:
        raise TransitionNotAllowed(
            _("Cannot %(action)s: the %(kind)s is %(state)s.")
            % {"action": action.label, "kind": kind, "state": obj.get_state_display()}
        )
    refusals = rules.guard_refusals(guards, action, obj)
    if refusals:
        raise TransitionNotAllowed(" ".join(refusals))
    source = obj.state
    obj.state = target
    return action, source, target


def _record_transition(*, obj, action, source, target, by, note=""):
    _history(obj=obj, source=source, target=target, by=by, note=note)
    audit_record(
        actor=_actor(by),
        action=f"programs.{obj._meta.model_name}_{action}",
        obj=obj,
        summary=f"{obj}: {source} → {target}",
        data={"note": note} if note else {},
    )


def _raise_field_errors(errors: dict):
    errors = {k: v for k, v in errors.items() if v}
    if errors:
        raise ValidationError(errors)


# --- Programs ---------------------------------------------------------------------------------


def _require_program_manager(program, by):
    if not rules.can_manage_program(by, program):
        raise PermissionDenied(_("Only the organizer of the institution may change this program."))


def _require_editable(program, by):
    _require_program_manager(program, by)
    if program.state not in rules.PROGRAM_EDITABLE_STATES:
        raise TransitionNotAllowed(
            _("The program is %(state)s: only a draft program and its modules can be changed.")
            % {"state": program.get_state_display()}
        )


def _check_needs(institution, needs) -> list[str]:
    needs = list(needs)
    if not needs:
        return [_("Choose at least one accepted need that the program answers.")]
    allowed = set(queries.accepted_needs(institution).filter(pk__in=[n.pk for n in needs]))
    wrong = [n for n in needs if n not in allowed]
    if wrong:
        return [
            _("Only accepted needs of the institution's needs analyses can be chosen: %(needs)s.")
            % {"needs": ", ".join(f"“{n.label}”" for n in wrong)}
        ]
    return []


@transaction.atomic
def program_create(
    *,
    by,
    institution,
    needs,
    name,
    program_type,
    total_jp,
    mode,
    competencies="",
    description="",
    min_attendance_percent=None,
) -> Program:
    """A draft program of ``institution`` answering ``needs`` (accepted needs of its analyses)."""
    if not (rules.is_platform_admin(by) or institution.pk in rules.organizer_institution_ids(by)):
        raise PermissionDenied(_("Only an organizer of the institution may create its programs."))
    program = Program(
        institution=institution,
        name=(name or "").strip(),
        program_type=program_type,
        total_jp=total_jp,
        mode=mode,
        competencies=competencies or "",
        description=description or "",
        created_by=_actor(by),
    )
    if min_attendance_percent is not None:
        program.min_attendance_percent = min_attendance_percent
    errors = {}
    try:
        program.full_clean()
    except ValidationError as exc:
        errors = exc.message_dict
    errors["needs"] = _check_needs(institution, needs)
    _raise_field_errors(errors)
    program.save()
    program.needs.set(needs)
    _history(obj=program, source="", target=program.state, by=by)
    audit_record(actor=_actor(by), action="programs.program_created", obj=program, summary=name)
    return program


@transaction.atomic
def program_update(*, program: Program, by, needs=None, **fields) -> Program:
    """Change a draft program. Removing a need that a module still uses is refused, naming the
    modules."""
    program = Program.objects.select_for_update(of=("self",)).get(pk=program.pk)
    _require_editable(program, by)
    for name, value in fields.items():
        if name not in PROGRAM_FIELDS:
            raise TypeError(f"unknown program field: {name}")
        setattr(program, name, value.strip() if name == "name" else value)
    errors = {}
    try:
        program.full_clean()
    except ValidationError as exc:
        errors = exc.message_dict
    if needs is not None:
        needs = list(needs)
        errors["needs"] = _check_needs(program.institution, needs)
        if not errors["needs"]:
            errors["needs"] = _modules_outside_needs(program, needs)
    _raise_field_errors(errors)
    program.save()
    if needs is not None:
        program.needs.set(needs)
    audit_record(
        actor=_actor(by), action="programs.program_updated", obj=program, summary=program.name
    )
    return program


def _modules_outside_needs(program, needs) -> list[str]:
    """Modules that would address a need or problem no longer among the program's needs."""
    problem_ids = set(queries.problems_of_needs(needs).values_list("pk", flat=True))
    need_ids = {n.pk for n in needs}
    stranded = []
    for module in queries.program_modules(program):
        if any(n.pk not in need_ids for n in module.needs.all()) or any(
            p.pk not in problem_ids for p in module.problems.all()
        ):
            stranded.append(module.title)
    if stranded:
        return [
            _("These modules address needs or problems you are removing: %(modules)s.")
            % {"modules": ", ".join(f"“{t}”" for t in stranded)}
        ]
    return []


@transaction.atomic
def program_transition(*, program: Program, action: str, by, note: str = "") -> Program:
    """The only function that changes ``Program.state`` (draft → published → archived).
    Publishing is refused while the program has no module or a module addresses no problem and
    no need (the message names the modules); ``rules.program_publish_check`` also gives the
    warnings (JP sum differs from total JP) that do not refuse."""
    program = (
        Program.objects.select_for_update(of=("self",))
        .select_related("institution")
        .get(pk=program.pk)
    )
    action, source, target = _transition(
        obj=program,
        kind=_("program"),
        table=rules.PROGRAM_TRANSITIONS,
        guards=rules.PROGRAM_GUARDS,
        actions=ProgramAction,
        action=action,
        by=by,
        relations=rules.program_relations(by, program),
    )
    if action == ProgramAction.PUBLISH:
        program.published_at = timezone.now()
    program.save(update_fields=["state", "published_at"])
    _record_transition(obj=program, action=action, source=source, target=target, by=by, note=note)
    return program


# --- Modules ----------------------------------------------------------------------------------


def _check_module_targets(program, needs, problems) -> dict:
    program_needs = list(program.needs.all())
    allowed_need_ids = {n.pk for n in program_needs}
    errors = {}
    wrong = [n for n in needs if n.pk not in allowed_need_ids]
    if wrong:
        errors["needs"] = [
            _("A module can address only the program's needs, not %(needs)s.")
            % {"needs": ", ".join(f"“{n.label}”" for n in wrong)}
        ]
    allowed_problem_ids = set(queries.problems_of_needs(program_needs).values_list("pk", flat=True))
    wrong = [p for p in problems if p.pk not in allowed_problem_ids]
    if wrong:
        errors["problems"] = [
            _("A module can address only problems of the program's needs, not %(problems)s.")
            % {"problems": ", ".join(f"“{p.title}”" for p in wrong)}
        ]
    return errors


def _save_module(module, *, needs, problems, by, created):
    errors = {}
    try:
        module.full_clean(exclude=["position"])
    except ValidationError as exc:
        errors = exc.message_dict
    errors.update(_check_module_targets(module.program, needs, problems))
    _raise_field_errors(errors)
    module.save()
    module.needs.set(needs)
    module.problems.set(problems)
    audit_record(
        actor=_actor(by),
        action="programs.module_created" if created else "programs.module_updated",
        obj=module,
        summary=f"{module.program.name}: {module.title}",
        data={"needs": [n.pk for n in needs], "problems": [p.pk for p in problems]},
    )
    return module


@transaction.atomic
def module_create(*, program, by, title, jp, objectives, needs=(), problems=()) -> Module:
    program = Program.objects.select_for_update(of=("self",)).get(pk=program.pk)
    _require_editable(program, by)
    last = program.modules.aggregate(last=Max("position"))["last"]
    module = Module(
        program=program,
        title=(title or "").strip(),
        jp=jp,
        objectives=objectives or "",
        position=0 if last is None else last + 1,
    )
    return _save_module(module, needs=list(needs), problems=list(problems), by=by, created=True)


@transaction.atomic
def module_update(*, module: Module, by, title, jp, objectives, needs=(), problems=()) -> Module:
    program = Program.objects.select_for_update(of=("self",)).get(pk=module.program_id)
    _require_editable(program, by)
    module.program = program
    module.title = (title or "").strip()
    module.jp = jp
    module.objectives = objectives or ""
    return _save_module(module, needs=list(needs), problems=list(problems), by=by, created=False)


def _renumber(modules):
    for index, module in enumerate(modules):
        if module.position != index:
            module.position = index
            module.save(update_fields=["position"])


@transaction.atomic
def module_delete(*, module: Module, by) -> None:
    program = Program.objects.select_for_update(of=("self",)).get(pk=module.program_id)
    _require_editable(program, by)
    title = module.title
    module.delete()
    _renumber(list(program.modules.order_by("position", "id")))
    audit_record(
        actor=_actor(by),
        action="programs.module_deleted",
        obj=program,
        summary=f"{program.name}: {title}",
    )


@transaction.atomic
def module_move(*, module: Module, to: int, by) -> Module:
    """Move a module to position ``to`` (0-based, clamped) and renumber the others."""
    program = Program.objects.select_for_update(of=("self",)).get(pk=module.program_id)
    _require_editable(program, by)
    modules = [m for m in program.modules.order_by("position", "id") if m.pk != module.pk]
    to = max(0, min(int(to), len(modules)))
    modules.insert(to, module)
    _renumber(modules)
    module.position = to
    return module


# --- Batches ----------------------------------------------------------------------------------


def _check_batch(batch, trainers) -> dict:
    errors = {}
    try:
        batch.full_clean(exclude=["program", "trainers"], validate_constraints=False)
    except ValidationError as exc:
        errors = exc.message_dict
    if batch.capacity is not None and batch.capacity < 1:
        errors["capacity"] = [_("The capacity must be at least 1 participant.")]
    if batch.start_date and batch.end_date and batch.end_date < batch.start_date:
        errors["end_date"] = [
            _("The end date (%(end)s) is before the start date (%(start)s).")
            % {"end": batch.end_date.isoformat(), "start": batch.start_date.isoformat()}
        ]
    if (
        batch.name
        and Batch.objects.filter(program_id=batch.program_id, name__iexact=batch.name)
        .exclude(pk=batch.pk)
        .exists()
    ):
        errors["name"] = [
            _("This program already has a batch named “%(name)s”.") % {"name": batch.name}
        ]
    allowed = set(queries.institution_trainers(batch.program.institution))
    wrong = [t for t in trainers if t not in allowed]
    if wrong:
        errors["trainers"] = [
            _("Only trainers of the institution can teach a batch, not %(names)s.")
            % {"names": ", ".join(str(t) for t in wrong)}
        ]
    return errors


@transaction.atomic
def batch_create(
    *, program, by, name, start_date, end_date, mode, capacity, location="", trainers=()
) -> Batch:
    """An angkatan of a published program, planned, with its trainers."""
    program = (
        Program.objects.select_for_update(of=("self",))
        .select_related("institution")
        .get(pk=program.pk)
    )
    _require_program_manager(program, by)
    if program.state != "published":
        raise TransitionNotAllowed(
            _("Batches can be opened only for a published program; this one is %(state)s.")
            % {"state": program.get_state_display()}
        )
    trainers = list(trainers)
    batch = Batch(
        program=program,
        name=(name or "").strip(),
        start_date=start_date,
        end_date=end_date,
        mode=mode,
        location=location or "",
        capacity=capacity,
    )
    _raise_field_errors(_check_batch(batch, trainers))
    batch.save()
    batch.trainers.set(trainers)
    _history(obj=batch, source="", target=batch.state, by=by)
    audit_record(
        actor=_actor(by),
        action="programs.batch_created",
        obj=batch,
        summary=f"{program.name}: {batch.name}",
        data={"trainers": [t.username for t in trainers]},
    )
    return batch


@transaction.atomic
def batch_update(*, batch: Batch, by, trainers=None, **fields) -> Batch:
    """Change dates, place, capacity or trainers while the batch is planned, enrolling or
    running. The capacity cannot drop below the seats taken; a trainer who coaches
    participants cannot be removed until they have another coach."""
    batch = (
        Batch.objects.select_for_update(of=("self",))
        .select_related("program__institution")
        .get(pk=batch.pk)
    )
    if not rules.can_manage_batch(by, batch):
        raise PermissionDenied(_("Only the organizer of the institution may change this batch."))
    if batch.state not in rules.BATCH_EDITABLE_STATES:
        raise TransitionNotAllowed(
            _("The batch is %(state)s and can no longer be changed.")
            % {"state": batch.get_state_display()}
        )
    for name, value in fields.items():
        if name not in BATCH_FIELDS:
            raise TypeError(f"unknown batch field: {name}")
        setattr(batch, name, value.strip() if isinstance(value, str) else value)
    current = list(batch.trainers.all())
    trainers = current if trainers is None else list(trainers)
    errors = _check_batch(batch, trainers)
    taken = queries.seats_taken(batch)
    if batch.capacity and batch.capacity < taken:
        errors.setdefault("capacity", []).append(
            _("%(n)d participants are already enrolled: the capacity cannot be lower.")
            % {"n": taken}
        )
    removed = [t for t in current if t not in trainers]
    coaching = [
        t
        for t in removed
        if batch.enrollments.filter(
            coach=t, state__in=rules.PROBLEM_PICK_ENROLLMENT_STATES
        ).exists()
    ]
    if coaching:
        errors.setdefault("trainers", []).append(
            _("%(names)s still coach participants of this batch: give them another coach first.")
            % {"names": ", ".join(str(t) for t in coaching)}
        )
    _raise_field_errors(errors)
    batch.save()
    batch.trainers.set(trainers)
    audit_record(actor=_actor(by), action="programs.batch_updated", obj=batch, summary=str(batch))
    return batch


@transaction.atomic
def batch_transition(*, batch: Batch, action: str, by, note: str = "") -> Batch:
    """The only function that changes ``Batch.state``
    (planned → enrolling → running → follow_up → closed).

    Starting the batch activates every enrolled participant and marks their problems as
    addressed when the mentor has validated them; ending the classes (running → follow_up)
    does the same for problems validated while the batch ran."""
    batch = (
        Batch.objects.select_for_update(of=("self",))
        .select_related("program__institution")
        .get(pk=batch.pk)
    )
    action, source, target = _transition(
        obj=batch,
        kind=_("batch"),
        table=rules.BATCH_TRANSITIONS,
        guards=rules.BATCH_GUARDS,
        actions=BatchAction,
        action=action,
        by=by,
        relations=rules.batch_relations(by, batch),
    )
    if action == BatchAction.END:
        batch.state = source  # still running while the catch-up marks problems addressed
        batch_address_problems(batch=batch, by=by)
        batch.state = target
    batch.save(update_fields=["state"])
    _record_transition(obj=batch, action=action, source=source, target=target, by=by, note=note)
    if action == BatchAction.START:
        for enrollment in batch.enrollments.filter(state=EnrollmentState.ENROLLED):
            enrollment_transition(enrollment=enrollment, action=EnrollmentAction.ACTIVATE, by=by)
        batch_address_problems(batch=batch, by=by)
    return batch


@transaction.atomic
def batch_address_problems(*, batch: Batch, by) -> int:
    """Mark as addressed the validated problems that participants of a running batch bring
    (``problem_transition(action="address")``). Idempotent: problems already addressed are
    left alone. Returns how many were marked."""
    if batch.state != BatchState.RUNNING:
        raise TransitionNotAllowed(_("Problems are marked as addressed while the batch runs."))
    if not rules.can_manage_batch(by, batch):
        raise PermissionDenied(_("Only the organizer of the institution may do this."))
    problems = {
        e.problem
        for e in batch.enrollments.filter(
            state__in=rules.PROBLEM_PICK_ENROLLMENT_STATES, problem__state="validated"
        ).select_related("problem")
    }
    marked = 0
    for problem in sorted(problems, key=lambda p: p.pk):
        try:
            problem_transition(
                problem=problem,
                action="address",
                by=by,
                note=_("Batch %(batch)s") % {"batch": batch},
            )
        except (TransitionNotAllowed, PermissionDenied):
            continue  # moved on meanwhile, or outside this organizer's reach: leave it
        marked += 1
    return marked


def batch_problems_waiting(batch) -> int:
    """How many validated problems of a running batch's participants wait to be marked."""
    return (
        batch.enrollments.filter(
            state__in=rules.PROBLEM_PICK_ENROLLMENT_STATES, problem__state="validated"
        )
        .values("problem")
        .distinct()
        .count()
    )


# --- Enrolment --------------------------------------------------------------------------------

NIP_JUNK = re.compile(r"[\s.\-]")


def normalize_nip(raw) -> str:
    return NIP_JUNK.sub("", str(raw or ""))


@dataclass(frozen=True)
class EnrolmentRequest:
    """One participant to enrol: a line of the NIP list or the CSV, or one API item."""

    nip: str
    mentor_nip: str = ""
    coach_username: str = ""
    line: int = 1


@dataclass(frozen=True)
class EnrolmentProblem:
    line: int
    nip: str
    field: str  # nip | mentor_nip | coach_username
    message: str


class EnrolmentRefused(ValidationError):
    """Nothing was enrolled. ``problems`` has one entry per faulty line, ``general`` the
    problems of the whole request (capacity, no trainers)."""

    def __init__(self, *, problems: list[EnrolmentProblem], general: list[str]):
        self.problems = problems
        self.general = general
        errors: dict[str, list[str]] = {}
        if general:
            errors[NON_FIELD_ERRORS] = list(general)
        for p in problems:
            errors.setdefault(_("line %(n)d") % {"n": p.line}, []).append(p.message)
        super().__init__(errors)


def _default_coach(load: Counter, trainers: list) -> object:
    """The trainer with the fewest coachees in the batch; ties go to the first username."""
    return min(trainers, key=lambda t: (load[t.pk], t.username))


@transaction.atomic
def enrollment_create_many(
    *, batch: Batch, by, requests: list[EnrolmentRequest]
) -> list[Enrollment]:
    """Enrol participants all or nothing. Every request is checked first — unknown NIPs (and
    NIPs of agencies the institution does not serve, which are unknown to it), inactive
    employees, duplicates in the input, participants already enrolled, unknown mentors, a
    missing supervisor, coaches who do not teach the batch, and the capacity — and if anything
    is wrong ``EnrolmentRefused`` lists every problem and nothing is written. Otherwise all are
    enrolled in this one transaction, each with a mentor (default: the direct supervisor) and a
    coach (default: the batch's trainer with the fewest coachees)."""
    batch = (
        Batch.objects.select_for_update(of=("self",))
        .select_related("program__institution")
        .get(pk=batch.pk)
    )
    if not rules.can_manage_batch(by, batch):
        raise PermissionDenied(_("Only the organizer of the institution may enrol participants."))
    if batch.state not in rules.ENROLMENT_OPEN_STATES:
        raise TransitionNotAllowed(
            _(
                "Participants can be enrolled only while the batch is planned, enrolling or running; this one is %(state)s."
            )
            % {"state": batch.get_state_display()}
        )
    if not requests:
        raise EnrolmentRefused(problems=[], general=[_("Give at least one NIP.")])

    institution = batch.program.institution
    wanted = {normalize_nip(r.nip) for r in requests} | {
        normalize_nip(r.mentor_nip) for r in requests if r.mentor_nip
    }
    employees = {
        e.nip: e
        for e in queries.served_employees(institution)
        .filter(nip__in=wanted)
        .select_related("supervisor")
    }
    enrolled = set(batch.enrollments.values_list("employee__nip", flat=True))
    trainers = sorted(batch.trainers.all(), key=lambda t: t.username)
    by_username = {t.username: t for t in trainers}
    load = Counter(
        batch.enrollments.filter(state__in=rules.PROBLEM_PICK_ENROLLMENT_STATES).values_list(
            "coach_id", flat=True
        )
    )

    problems: list[EnrolmentProblem] = []
    general: list[str] = []
    seen: dict[str, int] = {}
    newcomers = 0
    planned = []

    def refuse(r, field, message):
        problems.append(
            EnrolmentProblem(line=r.line, nip=str(r.nip).strip(), field=field, message=message)
        )

    for r in requests:
        nip = normalize_nip(r.nip)
        if not nip:
            refuse(r, "nip", _("No NIP given."))
            continue
        if not nip.isdigit() or len(nip) != 18:
            refuse(r, "nip", _("“%(nip)s” is not a NIP (18 digits).") % {"nip": r.nip})
            continue
        if nip in seen:
            refuse(
                r,
                "nip",
                _("This NIP appears more than once in the input (first on line %(line)d).")
                % {"line": seen[nip]},
            )
            continue
        seen[nip] = r.line
        employee = employees.get(nip)
        if employee is None:
            refuse(
                r,
                "nip",
                _("Unknown NIP: no employee of an agency served by %(institution)s has it.")
                % {"institution": institution.name},
            )
            continue
        if not employee.is_active:
            refuse(
                r, "nip", _("%(name)s is no longer an active employee.") % {"name": employee.name}
            )
            continue
        if nip in enrolled:
            refuse(
                r, "nip", _("%(name)s is already enrolled in this batch.") % {"name": employee.name}
            )
            continue
        newcomers += 1
        ok = True
        if r.mentor_nip:
            mentor = employees.get(normalize_nip(r.mentor_nip))
            if mentor is None:
                refuse(r, "mentor_nip", _("Unknown mentor NIP “%(nip)s”.") % {"nip": r.mentor_nip})
                ok = False
            elif mentor.pk == employee.pk:
                refuse(r, "mentor_nip", _("A participant cannot be their own mentor."))
                ok = False
        else:
            mentor = employee.supervisor
            if mentor is None:
                refuse(
                    r,
                    "mentor_nip",
                    _("%(name)s has no direct supervisor recorded: give a mentor NIP.")
                    % {"name": employee.name},
                )
                ok = False
        coach = None
        if r.coach_username:
            coach = by_username.get(r.coach_username.strip())
            if coach is None:
                refuse(
                    r,
                    "coach_username",
                    _("“%(username)s” is not a trainer of this batch.")
                    % {"username": r.coach_username},
                )
                ok = False
            else:
                load[coach.pk] += 1
        if ok:
            planned.append([r, employee, mentor, coach])

    if not trainers:
        general.append(
            _("The batch has no trainers yet: add at least one, so every participant has a coach.")
        )
    taken = queries.seats_taken(batch)
    if taken + newcomers > batch.capacity:
        general.append(
            _(
                "Over capacity: the batch has %(capacity)d seats, %(taken)d are taken and this "
                "would add %(adding)d (%(over)d too many)."
            )
            % {
                "capacity": batch.capacity,
                "taken": taken,
                "adding": newcomers,
                "over": taken + newcomers - batch.capacity,
            }
        )
    if problems or general:
        raise EnrolmentRefused(problems=problems, general=general)

    for item in planned:
        if item[3] is None:
            item[3] = _default_coach(load, trainers)
            load[item[3].pk] += 1
    created = Enrollment.objects.bulk_create(
        [
            Enrollment(
                batch=batch,
                employee=employee,
                agency_id=employee.agency_id,
                mentor=mentor,
                coach=coach,
                enrolled_by=_actor(by),
            )
            for _r, employee, mentor, coach in planned
        ]
    )
    if any(e.pk is None for e in created):  # databases that do not return ids from bulk inserts
        ids = dict(
            batch.enrollments.filter(employee__in=[e.employee for e in created]).values_list(
                "employee_id", "pk"
            )
        )
        for e in created:
            e.pk = ids[e.employee_id]
    StateChange.objects.bulk_create(
        [
            StateChange(
                object_type="enrollment",
                object_id=e.pk,
                from_state="",
                to_state=EnrollmentState.ENROLLED,
                by=_actor(by),
            )
            for e in created
        ]
    )
    audit_record(
        actor=_actor(by),
        action="programs.enrolled",
        obj=batch,
        summary=_("%(n)d enrolled in %(batch)s") % {"n": len(created), "batch": batch},
        data={"nips": [e.employee.nip for e in created]},
    )
    if batch.state == BatchState.RUNNING:
        for enrollment in created:
            enrollment_transition(enrollment=enrollment, action=EnrollmentAction.ACTIVATE, by=by)
    return created


def enrollment_create(*, batch, by, nip, mentor_nip="", coach_username="") -> Enrollment:
    """Enrol one participant (the same checks as ``enrollment_create_many``)."""
    request = EnrolmentRequest(
        nip=nip, mentor_nip=mentor_nip or "", coach_username=coach_username or ""
    )
    return enrollment_create_many(batch=batch, by=by, requests=[request])[0]


@transaction.atomic
def enrollment_update(*, enrollment: Enrollment, by, mentor_nip=None, coach=None) -> Enrollment:
    """Change the mentor (an employee the institution serves) or the coach (a trainer of the
    batch) of an enrolment that is still enrolled or active."""
    enrollment = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("batch__program__institution", "employee")
        .get(pk=enrollment.pk)
    )
    if not rules.enrollment_relations(by, enrollment) & rules.ORGANIZERS:
        raise PermissionDenied(
            _("Only the organizer of the institution may change this enrolment.")
        )
    if enrollment.state not in rules.PROBLEM_PICK_ENROLLMENT_STATES:
        raise TransitionNotAllowed(
            _("The enrolment is %(state)s and can no longer be changed.")
            % {"state": enrollment.get_state_display()}
        )
    errors = {}
    if mentor_nip is not None:
        mentor = (
            queries.served_employees(enrollment.batch.program.institution)
            .filter(nip=normalize_nip(mentor_nip))
            .first()
        )
        if mentor is None:
            errors["mentor_nip"] = [_("Unknown mentor NIP “%(nip)s”.") % {"nip": mentor_nip}]
        elif mentor.pk == enrollment.employee_id:
            errors["mentor_nip"] = [_("A participant cannot be their own mentor.")]
        elif mentor.pk != enrollment.mentor_id:
            _mentor_history(enrollment=enrollment, mentor=mentor, by=by)
    if coach is not None:
        if not enrollment.batch.trainers.filter(pk=coach.pk).exists():
            errors["coach"] = [_("The coach must be a trainer of this batch.")]
        else:
            enrollment.coach = coach
    _raise_field_errors(errors)
    enrollment.save(update_fields=["mentor", "coach"])
    audit_record(
        actor=_actor(by),
        action="programs.enrollment_updated",
        obj=enrollment,
        summary=str(enrollment),
        data={"mentor": enrollment.mentor_id, "coach": enrollment.coach_id},
    )
    return enrollment


@transaction.atomic
def enrollment_transition(*, enrollment: Enrollment, action: str, by, note: str = "") -> Enrollment:
    """The only function that changes ``Enrollment.state``
    (enrolled → active → passed | not_passed | withdrawn). ``rules.ENROLLMENT_GUARDS`` holds
    the pass gate (for now: the batch has ended)."""
    enrollment = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("batch__program__institution", "employee")
        .get(pk=enrollment.pk)
    )
    action, source, target = _transition(
        obj=enrollment,
        kind=_("enrolment"),
        table=rules.ENROLLMENT_TRANSITIONS,
        guards=rules.ENROLLMENT_GUARDS,
        actions=EnrollmentAction,
        action=action,
        by=by,
        relations=rules.enrollment_relations(by, enrollment),
    )
    note = (note or "").strip()
    if action in rules.ENROLLMENT_NOTE_REQUIRED and not note:
        raise ValidationError({"note": [_("Give a reason.")]})
    enrollment.save(update_fields=["state"])
    _record_transition(
        obj=enrollment, action=action, source=source, target=target, by=by, note=note
    )
    return enrollment


@transaction.atomic
def enrollment_problem_pick(*, enrollment: Enrollment, problem, by) -> Enrollment:
    """The participant names the problem they bring: one of their own or their unit's, open or
    validated. Allowed while the enrolment is enrolled or active and the batch has not ended.
    The mentor then validates it on the problem page; a validated problem is marked addressed
    when the batch starts (or, if validated later, when the organizer marks the running batch's
    problems or ends its classes)."""
    enrollment = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("batch__program__institution")
        .get(pk=enrollment.pk)
    )
    if "participant" not in rules.enrollment_relations(by, enrollment):
        raise PermissionDenied(_("Only the participant chooses the problem they bring."))
    if (
        enrollment.state not in rules.PROBLEM_PICK_ENROLLMENT_STATES
        or enrollment.batch.state not in rules.PROBLEM_PICK_BATCH_STATES
    ):
        raise TransitionNotAllowed(
            _("The problem can be chosen only until the classes of the batch end.")
        )
    if problem is None or not queries.pickable_problems(by).filter(pk=problem.pk).exists():
        raise ValidationError(
            {
                "problem": [
                    _("Choose one of your own or your unit's problems that is open or validated.")
                ]
            }
        )
    if enrollment.problem_id != problem.pk:
        enrollment.problem = problem
        enrollment.save(update_fields=["problem"])
        audit_record(
            actor=_actor(by),
            action="programs.enrollment_problem_picked",
            obj=enrollment,
            summary=f"{enrollment}: {problem.title}",
            data={"problem": problem.pk},
        )
    return enrollment


# --- Mentor history ------------------------------------------------------------------------------


def _mentor_history(*, enrollment, mentor, by, note="", proposal=None) -> MentorChange:
    """Record the mentor change and set it on ``enrollment`` (the caller saves it)."""
    change = MentorChange.objects.create(
        enrollment=enrollment,
        from_mentor_id=enrollment.mentor_id,
        to_mentor=mentor,
        proposal=proposal,
        by=_actor(by),
        note=note,
    )
    enrollment.mentor = mentor
    return change


# --- Sessions and attendance ----------------------------------------------------------------------

SESSION_FIELDS = ("date", "title", "jp", "module")
# Attendance is taken while the classes run, and corrected until the results are recorded.
ATTENDANCE_BATCH_STATES = {BatchState.RUNNING, BatchState.FOLLOW_UP}
ATTENDANCE_ENROLLMENT_STATES = {EnrollmentState.ENROLLED, EnrollmentState.ACTIVE}
SESSION_BATCH_STATES = {
    BatchState.PLANNED,
    BatchState.ENROLLING,
    BatchState.RUNNING,
    BatchState.FOLLOW_UP,
}


def _check_session(session) -> dict:
    errors = {}
    batch = session.batch
    title = (session.title or "").strip()
    session.title = title
    if not title:
        errors["title"] = [_("Give the session a title.")]
    if session.jp is None or not 1 <= session.jp <= 20:
        errors["jp"] = [_("A session has 1 to 20 JP.")]
    if session.date is None:
        errors["date"] = [_("Give the date of the session.")]
    elif not batch.start_date <= session.date <= batch.end_date:
        errors["date"] = [
            _("The date must fall within the batch (%(start)s – %(end)s).")
            % {"start": batch.start_date.isoformat(), "end": batch.end_date.isoformat()}
        ]
    if session.module_id and session.module.program_id != batch.program_id:
        errors["module"] = [_("Choose a module of this batch's program.")]
    return errors


def _require_session_manager(batch, by):
    if not rules.can_manage_sessions(by, batch):
        raise PermissionDenied(_("Only the organizer of the institution may plan sessions."))
    if batch.state not in SESSION_BATCH_STATES:
        raise TransitionNotAllowed(
            _("The batch is %(state)s: its sessions can no longer be changed.")
            % {"state": batch.get_state_display()}
        )


@transaction.atomic
def session_create(*, batch, by, date, title, jp, module=None) -> Session:
    """A session of the batch: a date within the batch, a title, 1–20 JP, optionally the
    module it teaches."""
    batch = (
        Batch.objects.select_for_update(of=("self",))
        .select_related("program__institution")
        .get(pk=batch.pk)
    )
    _require_session_manager(batch, by)
    session = Session(batch=batch, date=date, title=title, jp=jp, module=module)
    _raise_field_errors(_check_session(session))
    session.save()
    audit_record(
        actor=_actor(by),
        action="programs.session_created",
        obj=session,
        summary=f"{batch}: {session}",
        data={"jp": session.jp},
    )
    return session


@transaction.atomic
def session_update(*, session, by, **fields) -> Session:
    session = (
        Session.objects.select_for_update(of=("self",))
        .select_related("batch__program__institution")
        .get(pk=session.pk)
    )
    _require_session_manager(session.batch, by)
    for name, value in fields.items():
        if name not in SESSION_FIELDS:
            raise TypeError(f"unknown session field: {name}")
        setattr(session, name, value)
    _raise_field_errors(_check_session(session))
    session.save()
    audit_record(
        actor=_actor(by),
        action="programs.session_updated",
        obj=session,
        summary=f"{session.batch}: {session}",
        data={"jp": session.jp},
    )
    return session


@transaction.atomic
def session_delete(*, session, by) -> None:
    """Remove a session and the attendance recorded for it (the audit log keeps a count)."""
    session = (
        Session.objects.select_for_update(of=("self",))
        .select_related("batch__program__institution")
        .get(pk=session.pk)
    )
    batch = session.batch
    _require_session_manager(batch, by)
    recorded = session.attendance.count()
    summary = f"{batch}: {session}"
    session.delete()
    audit_record(
        actor=_actor(by),
        action="programs.session_deleted",
        obj=batch,
        summary=summary,
        data={"attendance_removed": recorded},
    )


def _require_attendance_taker(session, by):
    batch = session.batch
    if not rules.can_record_attendance(by, batch):
        raise PermissionDenied(
            _("Only the organizer or a trainer of the batch may record attendance.")
        )
    if batch.state not in ATTENDANCE_BATCH_STATES:
        raise TransitionNotAllowed(
            _("Attendance is recorded while the batch runs and until the results; it is %(state)s.")
            % {"state": batch.get_state_display()}
        )


def _locked_session(session):
    return (
        Session.objects.select_for_update(of=("self",))
        .select_related("batch__program__institution")
        .get(pk=session.pk)
    )


@transaction.atomic
def attendance_mark(*, session, enrollment, status, by) -> Attendance:
    """Record one participant's attendance of a session (present, absent or excused)."""
    session = _locked_session(session)
    _require_attendance_taker(session, by)
    try:
        status = AttendanceStatus(status)
    except ValueError as exc:
        raise ValidationError({"status": [_("Choose present, absent or excused.")]}) from exc
    if (
        enrollment.batch_id != session.batch_id
        or enrollment.state not in ATTENDANCE_ENROLLMENT_STATES
    ):
        raise TransitionNotAllowed(
            _("%(name)s is not a current participant of this batch.")
            % {"name": enrollment.employee.name}
        )
    record, _created = Attendance.objects.update_or_create(
        session=session,
        enrollment=enrollment,
        defaults={"status": status, "recorded_by": _actor(by)},
    )
    audit_record(
        actor=_actor(by),
        action="programs.attendance_marked",
        obj=session,
        summary=f"{session}: {enrollment.employee.name} {status.value}",
        data={"enrollment": enrollment.pk, "status": status.value},
    )
    return record


@transaction.atomic
def attendance_mark_all_present(*, session, by) -> int:
    """Mark present every current participant who has no record for the session yet (marks
    already given, absent or excused, stay). Returns how many were marked."""
    session = _locked_session(session)
    _require_attendance_taker(session, by)
    missing = session.batch.enrollments.filter(state__in=ATTENDANCE_ENROLLMENT_STATES).exclude(
        attendance__session=session
    )
    created = Attendance.objects.bulk_create(
        [
            Attendance(
                session=session,
                enrollment_id=pk,
                status=AttendanceStatus.PRESENT,
                recorded_by=_actor(by),
            )
            for pk in missing.values_list("pk", flat=True)
        ]
    )
    audit_record(
        actor=_actor(by),
        action="programs.attendance_all_present",
        obj=session,
        summary=f"{session}: {len(created)} present",
        data={"marked": len(created)},
    )
    return len(created)


@dataclass(frozen=True)
class JpRow:
    line: int
    nip: str
    message: str


class AttendanceImportRefused(ValidationError):
    """Nothing was imported: ``problems`` lists every faulty line."""

    def __init__(self, problems: list[JpRow]):
        self.problems = problems
        super().__init__([f"{_('line %(n)d') % {'n': p.line}}: {p.message}" for p in problems])


@transaction.atomic
def attendance_import_jp(*, batch, by, binary, filename, size=0) -> int:
    """Import the JP each participant attended from a CSV/XLSX with columns ``nip`` and
    ``jp`` (aliases ``jp_hadir``, ``jam``). All or nothing: an unknown NIP, a participant not
    in the batch, a JP that is not a whole number from 0 to the scheduled JP, or a NIP twice
    refuses the whole file, listing every line. The imported figure replaces the sessions in
    the participant's attendance. Returns how many enrolments were updated."""
    batch = (
        Batch.objects.select_for_update(of=("self",))
        .select_related("program__institution")
        .get(pk=batch.pk)
    )
    if not rules.can_manage_sessions(by, batch):
        raise PermissionDenied(_("Only the organizer of the institution may import attendance."))
    if batch.state not in ATTENDANCE_BATCH_STATES:
        raise TransitionNotAllowed(
            _("Attendance is recorded while the batch runs and until the results; it is %(state)s.")
            % {"state": batch.get_state_display()}
        )
    try:
        columns, rows, _progress, _total = open_table(
            binary,
            filename,
            size,
            aliases={"jp_hadir": "jp", "jam": "jp", "nip_baru": "nip"},
            required=["nip", "jp"],
        )
        lines = list(records(columns, rows, ["nip", "jp"]))
    except ImportFileError as exc:
        raise AttendanceImportRefused([JpRow(1, "", str(exc))]) from exc
    scheduled = queries.scheduled_jp(batch)
    current = {
        e.employee.nip: e
        for e in batch.enrollments.filter(state__in=ATTENDANCE_ENROLLMENT_STATES).select_related(
            "employee"
        )
    }
    problems, seen, planned = [], {}, []
    for line, record in lines:
        nip = normalize_nip(record.get("nip", ""))
        raw_jp = (record.get("jp") or "").strip().replace(",", ".")
        if not nip.isdigit() or len(nip) != 18:
            problems.append(
                JpRow(
                    line,
                    nip,
                    _("“%(nip)s” is not a NIP (18 digits).") % {"nip": record.get("nip", "")},
                )
            )
            continue
        if nip in seen:
            problems.append(
                JpRow(
                    line,
                    nip,
                    _("This NIP appears more than once (first on line %(line)d).")
                    % {"line": seen[nip]},
                )
            )
            continue
        seen[nip] = line
        enrollment = current.get(nip)
        if enrollment is None:
            problems.append(JpRow(line, nip, _("Not a current participant of this batch.")))
            continue
        try:
            value = float(raw_jp)
        except ValueError:
            value = -1.0
        if not raw_jp or not value.is_integer() or not 0 <= value <= scheduled:
            problems.append(
                JpRow(
                    line,
                    nip,
                    _("“%(value)s” is not a whole number of JP from 0 to %(max)d.")
                    % {"value": raw_jp, "max": scheduled},
                )
            )
            continue
        planned.append((enrollment, int(value)))
    if not lines:
        problems.append(JpRow(1, "", _("The file has no rows.")))
    if problems:
        raise AttendanceImportRefused(problems)
    for enrollment, jp in planned:
        enrollment.jp_attended_imported = jp
    Enrollment.objects.bulk_update([e for e, _jp in planned], ["jp_attended_imported"])
    audit_record(
        actor=_actor(by),
        action="programs.attendance_imported",
        obj=batch,
        summary=_("%(n)d participants' JP imported") % {"n": len(planned)},
        data={"file": filename, "jp": {e.employee.nip: jp for e, jp in planned}},
    )
    return len(planned)


@transaction.atomic
def attendance_import_clear(*, batch, by) -> int:
    """Forget the imported JP of every participant: attendance counts from the sessions again."""
    batch = Batch.objects.select_related("program__institution").get(pk=batch.pk)
    if not rules.can_manage_sessions(by, batch):
        raise PermissionDenied(_("Only the organizer of the institution may import attendance."))
    n = batch.enrollments.filter(jp_attended_imported__isnull=False).update(
        jp_attended_imported=None
    )
    audit_record(
        actor=_actor(by),
        action="programs.attendance_import_cleared",
        obj=batch,
        summary=str(batch),
        data={"cleared": n},
    )
    return n


# --- Results: pass every eligible participant ---------------------------------------------------


@dataclass
class PassReport:
    passed: list = field(default_factory=list)
    refused: dict = field(default_factory=dict)  # enrolment → [messages]


def enrollment_pass_eligible(*, batch, by) -> PassReport:
    """Pass every active participant of the batch whom nothing blocks, each through
    ``enrollment_transition`` (which checks the gate again); the others are listed with
    their refusals. Each pass is its own transaction."""
    batch = queries.get_batch_for_user(by, batch.pk)
    if not rules.can_manage_batch(by, batch):
        raise PermissionDenied(_("Only the organizer of the institution may record results."))
    active = list(
        batch.enrollments.filter(state=EnrollmentState.ACTIVE)
        .select_related("employee", "batch__program")
        .order_by("employee__name", "id")
    )
    blockers = rules.enrollment_blockers(EnrollmentAction.PASS, active)
    report = PassReport()
    for enrollment in active:
        if blockers[enrollment.pk]:
            report.refused[enrollment] = blockers[enrollment.pk]
            continue
        try:
            enrollment_transition(enrollment=enrollment, action=EnrollmentAction.PASS, by=by)
        except (TransitionNotAllowed, ValidationError) as exc:
            report.refused[enrollment] = getattr(exc, "messages", None) or [str(exc)]
        else:
            report.passed.append(enrollment)
    return report


# --- People move: mentor change proposals --------------------------------------------------------

# Enrolments whose mentor still matters: the classes are on, or a later stage holds open work.
WATCHED_ENROLLMENT_STATES = {EnrollmentState.ENROLLED, EnrollmentState.ACTIVE}


def _watched_enrollments(employee_ids) -> list[Enrollment]:
    ids = list(employee_ids)
    candidates = list(
        Enrollment.objects.filter(Q(employee_id__in=ids) | Q(mentor_id__in=ids))
        .exclude(state=EnrollmentState.WITHDRAWN)
        .select_related(
            "employee__supervisor", "employee__work_unit", "mentor__work_unit",
            "batch__program__institution",
        )
    )  # fmt: skip
    later = [e.pk for e in candidates if e.state not in WATCHED_ENROLLMENT_STATES]
    facts = rules.enrollment_facts(later) if later else {}
    return [
        e
        for e in candidates
        if e.state in WATCHED_ENROLLMENT_STATES or any(f.open for f in facts.get(e.pk, []))
    ]


def _unit_name(unit) -> str:
    return unit.name if unit else "—"


def _move_for(enrollment, changes) -> tuple[str, object, str] | None:
    """(reason, proposed mentor or None, what changed) for one enrolment, or None when the
    change leaves the mentor right (the participant's supervisor is still the mentor)."""
    participant, mentor = enrollment.employee, enrollment.mentor
    supervisor = participant.supervisor
    if supervisor is not None and (not supervisor.is_active or supervisor.pk == participant.pk):
        supervisor = None
    p_change = changes.get(participant.pk)
    m_change = changes.get(enrollment.mentor_id) if enrollment.mentor_id else None
    if p_change and "is_active" in p_change.fields and not participant.is_active:
        return (
            MoveReason.PARTICIPANT_LEFT,
            None,
            _("%(name)s is no longer an active employee.") % {"name": participant.name},
        )
    details = []
    reason = None
    if p_change and p_change.fields & {"work_unit_id", "agency_id", "supervisor_id"}:
        reason = MoveReason.PARTICIPANT_MOVED
        if p_change.fields & {"work_unit_id", "agency_id"}:
            details.append(
                _("%(name)s moved to %(unit)s.")
                % {"name": participant.name, "unit": _unit_name(participant.work_unit)}
            )
        if "supervisor_id" in p_change.fields:
            details.append(
                _("%(name)s's direct supervisor is now %(supervisor)s.")
                % {
                    "name": participant.name,
                    "supervisor": participant.supervisor.name if participant.supervisor else "—",
                }
            )
    if m_change and mentor is not None:
        if "is_active" in m_change.fields and not mentor.is_active:
            reason = MoveReason.MENTOR_LEFT
            details.append(
                _("The mentor %(name)s is no longer an active employee.") % {"name": mentor.name}
            )
        elif m_change.fields & {"work_unit_id", "agency_id"}:
            reason = reason or MoveReason.MENTOR_MOVED
            details.append(
                _("The mentor %(name)s moved to %(unit)s.")
                % {"name": mentor.name, "unit": _unit_name(mentor.work_unit)}
            )
    if reason is None:
        return None
    mentor_gone = reason == MoveReason.MENTOR_LEFT
    if supervisor is not None and supervisor.pk == enrollment.mentor_id and not mentor_gone:
        return None  # the supervisor is (still) the mentor: nothing to change
    proposed = supervisor if supervisor and supervisor.pk != enrollment.mentor_id else None
    return reason, proposed, " ".join(details)


def _organizer_users(institution_ids) -> dict[int, list]:
    users: dict[int, list] = {}
    for ra in RoleAssignment.objects.filter(
        role=Role.ORGANIZER, institution_id__in=set(institution_ids)
    ).select_related("user"):
        if ra.user.is_active:
            users.setdefault(ra.institution_id, []).append(ra.user)
    return users


@transaction.atomic
def mentor_proposals_from_changes(*, changes) -> list[MentorChangeProposal]:
    """Turn the employee changes of an import into mentor change proposals for the enrolments
    they touch (participant or mentor moved or left), at most one pending per enrolment (a
    later change updates it), and tell each institution's organizers once per call."""
    changes = {c.employee_id: c for c in changes}
    if not changes:
        return []
    enrollments = _watched_enrollments(changes)
    if not enrollments:
        return []
    pending = {
        p.enrollment_id: p
        for p in MentorChangeProposal.objects.select_for_update().filter(
            enrollment__in=enrollments, state=ProposalState.PENDING
        )
    }
    touched = []
    for enrollment in enrollments:
        move = _move_for(enrollment, changes)
        if move is None:
            continue
        reason, proposed, detail = move
        proposal = pending.get(enrollment.pk)
        if proposal is None:
            proposal = MentorChangeProposal(enrollment=enrollment, current_mentor=enrollment.mentor)
        proposal.reason = reason
        proposal.proposed_mentor = proposed
        proposal.detail = (
            " ".join(filter(None, [proposal.detail, detail])) if proposal.pk else detail
        )
        proposal.save()
        proposal.enrollment = enrollment
        touched.append(proposal)
        audit_record(
            actor=None,
            action="programs.mentor_proposal_created",
            obj=proposal,
            summary=f"{enrollment}: {reason}",
            data={"proposed_mentor": proposed.pk if proposed else None},
        )
    by_institution: dict[int, list] = {}
    for proposal in touched:
        by_institution.setdefault(proposal.enrollment.batch.program.institution_id, []).append(
            proposal
        )
    organizers = _organizer_users(by_institution)
    url = reverse("programs:people_moves")
    for institution_id, proposals in by_institution.items():
        first = min(p.pk for p in proposals)
        for user in organizers.get(institution_id, []):
            notify(
                recipient=user,
                kind="mentor_change_proposed",
                title=_("%(n)d mentor change(s) to confirm after an employee import")
                % {"n": len(proposals)},
                body="\n".join(
                    f"• {p.enrollment.employee.name}: {p.detail}" for p in proposals[:20]
                ),
                url=url,
                key=f"mentor_proposals:{institution_id}:{first}:{len(proposals)}:{user.pk}",
            )
    return touched


@transaction.atomic
def mentor_proposal_decide(
    *, proposal, by, decision: str, note: str = "", mentor_nip: str = ""
) -> MentorChangeProposal:
    """The organizer confirms or rejects a pending proposal.

    * confirm, participant left: every later stage closes its open work (the action plan is
      abandoned, its history stays) and a current enrolment is withdrawn, with the note;
    * confirm, otherwise: the mentor becomes the proposed one, or ``mentor_nip`` (an employee
      the institution serves) when given or when no mentor was found; history + audit, and
      the new mentor and the participant are notified;
    * reject: nothing changes but the proposal."""
    proposal = (
        MentorChangeProposal.objects.select_for_update(of=("self",))
        .select_related(
            "enrollment__batch__program__institution", "enrollment__employee", "proposed_mentor"
        )
        .get(pk=proposal.pk)
    )
    enrollment = proposal.enrollment
    if not rules.enrollment_relations(by, enrollment) & rules.ORGANIZERS:
        raise PermissionDenied(_("Only the organizer of the institution may decide this."))
    if proposal.state != ProposalState.PENDING:
        raise TransitionNotAllowed(
            _("This proposal was already %(state)s.") % {"state": proposal.get_state_display()}
        )
    note = (note or "").strip()
    if decision not in ("confirm", "reject"):
        raise ValidationError({"decision": [_("Confirm or reject.")]})
    if decision == "confirm":
        if proposal.reason == MoveReason.PARTICIPANT_LEFT:
            _close_for_leaver(enrollment=enrollment, by=by, note=note or proposal.detail)
        else:
            mentor = proposal.proposed_mentor
            if (mentor_nip or "").strip():
                mentor = (
                    queries.served_employees(enrollment.batch.program.institution)
                    .filter(nip=normalize_nip(mentor_nip), is_active=True)
                    .first()
                )
                if mentor is None:
                    raise ValidationError(
                        {"mentor_nip": [_("Unknown mentor NIP “%(nip)s”.") % {"nip": mentor_nip}]}
                    )
            if mentor is None:
                raise ValidationError(
                    {"mentor_nip": [_("No mentor was found: give the NIP of the new mentor.")]}
                )
            if mentor.pk == enrollment.employee_id:
                raise ValidationError(
                    {"mentor_nip": [_("A participant cannot be their own mentor.")]}
                )
            enrollment = Enrollment.objects.select_for_update(of=("self",)).get(pk=enrollment.pk)
            _mentor_history(
                enrollment=enrollment, mentor=mentor, by=by, note=note or proposal.detail,
                proposal=proposal,
            )  # fmt: skip
            enrollment.save(update_fields=["mentor"])
            proposal.proposed_mentor = mentor
            _notify_new_mentor(enrollment=proposal.enrollment, mentor=mentor, proposal=proposal)
    proposal.state = ProposalState.CONFIRMED if decision == "confirm" else ProposalState.REJECTED
    proposal.decided_by = _actor(by)
    proposal.decided_at = timezone.now()
    proposal.decision_note = note
    proposal.save()
    audit_record(
        actor=_actor(by),
        action=f"programs.mentor_proposal_{proposal.state}",
        obj=proposal,
        summary=f"{enrollment}: {proposal.reason}",
        data={"note": note, "mentor": proposal.proposed_mentor_id},
    )
    return proposal


def _close_for_leaver(*, enrollment, by, note) -> list[str]:
    closed = []
    for hook in rules.ENROLLMENT_LEAVE_HOOKS:
        closed.extend(hook(enrollment=enrollment, by=by, note=note))
    if enrollment.state in WATCHED_ENROLLMENT_STATES:
        enrollment_transition(
            enrollment=enrollment, action=EnrollmentAction.WITHDRAW, by=by, note=note
        )
        closed.append(_("The enrolment was withdrawn."))
    return closed


def _notify_new_mentor(*, enrollment, mentor, proposal):
    participant = enrollment.employee
    batch = enrollment.batch
    for user in User.objects.filter(employee=mentor, is_active=True):
        notify(
            recipient=user,
            kind="mentor_assigned",
            title=_("You are now the mentor of %(name)s") % {"name": participant.name},
            body=_("%(name)s, %(batch)s. You follow their action plan from now on.")
            % {"name": participant.name, "batch": batch},
            url=reverse("programs:mentees"),
            key=f"mentor_assigned:{proposal.pk}:{user.pk}",
        )
    for user in User.objects.filter(employee_id=participant.pk, is_active=True):
        notify(
            recipient=user,
            kind="mentor_changed",
            title=_("Your mentor is now %(name)s") % {"name": mentor.name},
            body=str(batch),
            url=reverse("programs:my_training"),
            key=f"mentor_changed:{proposal.pk}:{user.pk}",
        )
