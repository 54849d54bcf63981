"""JSON API for programs, modules, batches and enrolments (DESIGN §7), scoped like the pages.

Endpoints (under ``/api/v1/``):

* ``programs`` — ``GET`` list, ``POST`` create; ``programs/{id}`` — ``GET``, ``PATCH``;
  ``POST programs/{id}/publish`` and ``POST programs/{id}/archive``;
* ``programs/{id}/modules`` — ``GET`` list, ``POST`` create;
  ``programs/{id}/modules/{module_id}`` — ``PATCH`` (``position`` moves it), ``DELETE``;
* ``batches`` — ``GET`` list, ``POST`` create; ``batches/{id}`` — ``GET``, ``PATCH``;
  ``POST batches/{id}/transition`` with ``{"action": "open_enrolment" | "start" | "end" |
  "close", "note"?}`` (one endpoint for every batch step);
* ``batches/{id}/enrollments`` — ``GET`` list; ``POST`` one ``{"nip", "mentor_nip"?,
  "coach_username"?}`` or many ``{"nips": [...]}``, all or nothing: 400 with an error per
  faulty item (``errors["nips.3"]``, or ``errors["nip"]`` / ``["mentor_nip"]`` /
  ``["coach_username"]`` for one) and ``errors["__all__"]`` for capacity;
  ``POST batches/{id}/enrollments/{enrollment_id}/transition`` with ``{"action": "activate" |
  "pass" | "fail" | "withdraw", "note"?}``.

Errors: 400 invalid input, 403 the role may not act, 404 outside the caller's scope, 409 the
lifecycle does not allow the step.
"""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from membumi.accounts.api import ErrorOut

from . import queries, rules, services
from .enums import (
    BatchAction,
    BatchState,
    DeliveryMode,
    EnrollmentAction,
    ProgramAction,
    ProgramState,
    ProgramType,
)

router = Router(tags=["programs"])

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class Ref(Schema):
    id: int
    name: str


class ProgramOut(Schema):
    id: int
    name: str
    program_type: str
    total_jp: int
    min_attendance_percent: int
    mode: str
    competencies: str
    description: str
    state: str
    institution: Ref
    need_ids: list[int]
    created_at: datetime
    published_at: datetime | None

    @staticmethod
    def resolve_need_ids(obj):
        return sorted(n.pk for n in obj.needs.all())


class PublishOut(ProgramOut):
    warnings: list[str] = []


class ProgramIn(Schema):
    name: str
    program_type: ProgramType
    total_jp: int
    mode: DeliveryMode
    competencies: str = ""
    description: str = ""
    min_attendance_percent: int | None = None
    need_ids: list[int]
    institution_id: int | None = None


class ProgramPatch(Schema):
    name: str | None = None
    program_type: ProgramType | None = None
    total_jp: int | None = None
    mode: DeliveryMode | None = None
    competencies: str | None = None
    description: str | None = None
    min_attendance_percent: int | None = None
    need_ids: list[int] | None = None


class ProgramFilter(Schema):
    state: ProgramState | None = None
    q: str | None = None


class ModuleOut(Schema):
    id: int
    title: str
    jp: int
    objectives: str
    position: int
    need_ids: list[int]
    problem_ids: list[int]

    @staticmethod
    def resolve_need_ids(obj):
        return sorted(n.pk for n in obj.needs.all())

    @staticmethod
    def resolve_problem_ids(obj):
        return sorted(p.pk for p in obj.problems.all())


class ModuleIn(Schema):
    title: str
    jp: int
    objectives: str
    need_ids: list[int] = []
    problem_ids: list[int] = []


class ModulePatch(Schema):
    title: str | None = None
    jp: int | None = None
    objectives: str | None = None
    need_ids: list[int] | None = None
    problem_ids: list[int] | None = None
    position: int | None = None


class BatchOut(Schema):
    id: int
    program: Ref
    name: str
    start_date: date
    end_date: date
    mode: str
    location: str
    capacity: int
    state: str
    enrolled: int
    trainer_usernames: list[str]

    @staticmethod
    def resolve_enrolled(obj):
        return obj.n_enrolled

    @staticmethod
    def resolve_trainer_usernames(obj):
        return sorted(t.username for t in obj.trainers.all())


class BatchIn(Schema):
    program_id: int
    name: str
    start_date: date
    end_date: date
    mode: DeliveryMode
    location: str = ""
    capacity: int
    trainer_usernames: list[str] = []


class BatchPatch(Schema):
    name: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    mode: DeliveryMode | None = None
    location: str | None = None
    capacity: int | None = None
    trainer_usernames: list[str] | None = None


class BatchFilter(Schema):
    program_id: int | None = None
    state: BatchState | None = None


class BatchTransitionIn(Schema):
    action: BatchAction
    note: str = ""


class EnrollmentOut(Schema):
    id: int
    batch_id: int
    nip: str
    name: str
    state: str
    mentor_nip: str | None
    coach_username: str | None
    problem_id: int | None
    created_at: datetime

    @staticmethod
    def resolve_nip(obj):
        return obj.employee.nip

    @staticmethod
    def resolve_name(obj):
        return obj.employee.name

    @staticmethod
    def resolve_mentor_nip(obj):
        return obj.mentor.nip if obj.mentor_id else None

    @staticmethod
    def resolve_coach_username(obj):
        return obj.coach.username if obj.coach_id else None


class EnrollmentIn(Schema):
    nip: str | None = None
    mentor_nip: str | None = None
    coach_username: str | None = None
    nips: list[str] | None = None


class EnrollmentTransitionIn(Schema):
    action: EnrollmentAction
    note: str = ""


def _bad(field: str, message: str):
    raise ValidationError({field: [message]})


def _pick(qs, ids, field, noun):
    """The objects with ``ids`` among ``qs``; unknown ids are a 400 on ``field``."""
    ids = list(dict.fromkeys(ids))
    found = {o.pk: o for o in qs.filter(pk__in=ids)}
    unknown = [i for i in ids if i not in found]
    if unknown:
        _bad(field, _("Unknown %(noun)s: %(ids)s.") % {"noun": noun, "ids": unknown})
    return [found[i] for i in ids]


def _manageable_program(request, pk):
    program = queries.get_program_for_user(request.user, pk)
    if not rules.can_manage_program(request.user, program):
        raise PermissionDenied(_("Only the organizer of the institution may change this program."))
    return program


# --- Programs ---------------------------------------------------------------------------------


@router.get("/programs", response=list[ProgramOut], summary="Programs in your scope")
@paginate(PageNumberPagination, page_size=50)
def list_programs(request, filters: Query[ProgramFilter]):
    if not rules.can_use_programs(request.user):
        raise PermissionDenied(_("Your role does not see programs."))
    programs = queries.programs_for_user(request.user).prefetch_related("needs")
    if filters.state:
        programs = programs.filter(state=filters.state)
    if filters.q:
        programs = programs.filter(name__icontains=filters.q)
    return programs.order_by("-created_at", "-id")


@router.post(
    "/programs",
    response={201: ProgramOut, **ERRORS},
    summary="Create a draft program from accepted needs",
)
def create_program(request, payload: ProgramIn):
    if not rules.can_create_programs(request.user):
        raise PermissionDenied(_("Only organizers create programs."))
    institutions = queries.institutions_for_organizer(request.user)
    if payload.institution_id is None:
        if institutions.count() != 1:
            _bad("institution_id", _("Say which institution the program belongs to."))
        institution = institutions.get()
    else:
        institution = get_object_or_404(institutions, pk=payload.institution_id)
    needs = _pick(queries.accepted_needs(institution), payload.need_ids, "need_ids", _("needs"))
    program = services.program_create(
        by=request.user,
        institution=institution,
        needs=needs,
        name=payload.name,
        program_type=payload.program_type,
        total_jp=payload.total_jp,
        mode=payload.mode,
        competencies=payload.competencies,
        description=payload.description,
        min_attendance_percent=payload.min_attendance_percent,
    )
    return Status(201, program)


@router.get("/programs/{program_id}", response={200: ProgramOut, 404: ErrorOut})
def get_program(request, program_id: int):
    return queries.get_program_for_user(request.user, program_id)


@router.patch("/programs/{program_id}", response={200: ProgramOut, **ERRORS})
def update_program(request, program_id: int, payload: ProgramPatch):
    program = _manageable_program(request, program_id)
    data = payload.dict(exclude_unset=True)
    need_ids = data.pop("need_ids", None)
    needs = None
    if need_ids is not None:
        needs = _pick(queries.accepted_needs(program.institution), need_ids, "need_ids", _("needs"))
    data = {k: v for k, v in data.items() if v is not None}
    return services.program_update(program=program, by=request.user, needs=needs, **data)


@router.post(
    "/programs/{program_id}/publish",
    response={200: PublishOut, **ERRORS},
    summary="Publish (409 naming the modules that address nothing; warnings when JP differ)",
)
def publish_program(request, program_id: int):
    program = queries.get_program_for_user(request.user, program_id)
    program = services.program_transition(
        program=program, action=ProgramAction.PUBLISH, by=request.user
    )
    program.warnings = rules.program_publish_check(program)[1]
    return program


@router.post("/programs/{program_id}/archive", response={200: ProgramOut, **ERRORS})
def archive_program(request, program_id: int):
    program = queries.get_program_for_user(request.user, program_id)
    return services.program_transition(
        program=program, action=ProgramAction.ARCHIVE, by=request.user
    )


# --- Modules ----------------------------------------------------------------------------------


def _module_targets(program, need_ids, problem_ids):
    program_needs = program.needs.all()
    needs = _pick(program_needs, need_ids, "need_ids", _("needs of this program"))
    problems = _pick(
        queries.problems_of_needs(program_needs),
        problem_ids,
        "problem_ids",
        _("problems of this program's needs"),
    )
    return needs, problems


@router.get("/programs/{program_id}/modules", response={200: list[ModuleOut], 404: ErrorOut})
def list_modules(request, program_id: int):
    program = queries.get_program_for_user(request.user, program_id)
    return queries.program_modules(program)


@router.post("/programs/{program_id}/modules", response={201: ModuleOut, **ERRORS})
def create_module(request, program_id: int, payload: ModuleIn):
    program = _manageable_program(request, program_id)
    needs, problems = _module_targets(program, payload.need_ids, payload.problem_ids)
    module = services.module_create(
        program=program,
        by=request.user,
        title=payload.title,
        jp=payload.jp,
        objectives=payload.objectives,
        needs=needs,
        problems=problems,
    )
    return Status(201, module)


def _program_module(request, program_id, module_id):
    program = _manageable_program(request, program_id)
    module = program.modules.filter(pk=module_id).first()
    if module is None:
        raise Http404
    return program, module


@router.patch("/programs/{program_id}/modules/{module_id}", response={200: ModuleOut, **ERRORS})
def update_module(request, program_id: int, module_id: int, payload: ModulePatch):
    program, module = _program_module(request, program_id, module_id)
    data = payload.dict(exclude_unset=True)
    position = data.pop("position", None)
    content = {k: v for k, v in data.items() if v is not None}
    if content:
        needs, problems = _module_targets(
            program,
            content.get("need_ids", [n.pk for n in module.needs.all()]),
            content.get("problem_ids", [p.pk for p in module.problems.all()]),
        )
        module = services.module_update(
            module=module,
            by=request.user,
            title=content.get("title", module.title),
            jp=content.get("jp", module.jp),
            objectives=content.get("objectives", module.objectives),
            needs=needs,
            problems=problems,
        )
    if position is not None:
        module = services.module_move(module=module, to=position, by=request.user)
    module.refresh_from_db()
    return module


@router.delete("/programs/{program_id}/modules/{module_id}", response={204: None, **ERRORS})
def delete_module(request, program_id: int, module_id: int):
    _program, module = _program_module(request, program_id, module_id)
    services.module_delete(module=module, by=request.user)
    return Status(204, None)


# --- Batches ----------------------------------------------------------------------------------


def _batch_out(request, batch_id):
    return queries.get_batch_for_user(request.user, batch_id)


def _trainers(program, usernames):
    usernames = list(dict.fromkeys(usernames))
    found = {
        u.username: u
        for u in queries.institution_trainers(program.institution).filter(username__in=usernames)
    }
    unknown = [u for u in usernames if u not in found]
    if unknown:
        _bad(
            "trainer_usernames",
            _("Not trainers of the institution: %(names)s.") % {"names": ", ".join(unknown)},
        )
    return [found[u] for u in usernames]


@router.get("/batches", response=list[BatchOut], summary="Batches in your scope")
@paginate(PageNumberPagination, page_size=50)
def list_batches(request, filters: Query[BatchFilter]):
    if not rules.can_use_programs(request.user):
        raise PermissionDenied(_("Your role does not see batches."))
    batches = queries.batch_list(request.user).prefetch_related("trainers")
    if filters.program_id:
        batches = batches.filter(program_id=filters.program_id)
    if filters.state:
        batches = batches.filter(state=filters.state)
    return batches.order_by("-start_date", "-id")


@router.post("/batches", response={201: BatchOut, **ERRORS}, summary="Open a batch (angkatan)")
def create_batch(request, payload: BatchIn):
    program = _manageable_program(request, payload.program_id)
    batch = services.batch_create(
        program=program,
        by=request.user,
        name=payload.name,
        start_date=payload.start_date,
        end_date=payload.end_date,
        mode=payload.mode,
        location=payload.location,
        capacity=payload.capacity,
        trainers=_trainers(program, payload.trainer_usernames),
    )
    return Status(201, _batch_out(request, batch.pk))


@router.get("/batches/{batch_id}", response={200: BatchOut, 404: ErrorOut})
def get_batch(request, batch_id: int):
    return _batch_out(request, batch_id)


@router.patch("/batches/{batch_id}", response={200: BatchOut, **ERRORS})
def update_batch(request, batch_id: int, payload: BatchPatch):
    batch = queries.get_batch_for_user(request.user, batch_id)
    if not rules.can_manage_batch(request.user, batch):
        raise PermissionDenied(_("Only the organizer of the institution may change this batch."))
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    usernames = data.pop("trainer_usernames", None)
    trainers = None if usernames is None else _trainers(batch.program, usernames)
    services.batch_update(batch=batch, by=request.user, trainers=trainers, **data)
    return _batch_out(request, batch.pk)


@router.post(
    "/batches/{batch_id}/transition",
    response={200: BatchOut, **ERRORS},
    summary="Move the batch along its lifecycle: open_enrolment, start, end, close",
)
def transition_batch(request, batch_id: int, payload: BatchTransitionIn):
    batch = queries.get_batch_for_user(request.user, batch_id)
    services.batch_transition(
        batch=batch, action=payload.action, by=request.user, note=payload.note
    )
    return _batch_out(request, batch.pk)


# --- Enrolments -------------------------------------------------------------------------------


def _enrollments(batch):
    return batch.enrollments.select_related("employee", "mentor", "coach").order_by(
        "employee__name", "id"
    )


@router.get("/batches/{batch_id}/enrollments", response=list[EnrollmentOut])
@paginate(PageNumberPagination, page_size=100)
def list_enrollments(request, batch_id: int):
    batch = queries.get_batch_for_user(request.user, batch_id)
    return _enrollments(batch)


@router.post(
    "/batches/{batch_id}/enrollments",
    response={201: list[EnrollmentOut], **ERRORS},
    summary="Enrol one participant or many (all or nothing; 400 lists every faulty item)",
)
def create_enrollments(request, batch_id: int, payload: EnrollmentIn):
    batch = queries.get_batch_for_user(request.user, batch_id)
    single = payload.nips is None
    if single and not payload.nip:
        _bad("nip", _("Give “nip” for one participant or “nips” for many."))
    if not single and payload.nip:
        _bad("nips", _("Give either “nip” or “nips”, not both."))
    if single:
        requests = [
            services.EnrolmentRequest(
                nip=payload.nip,
                mentor_nip=payload.mentor_nip or "",
                coach_username=payload.coach_username or "",
                line=1,
            )
        ]
    else:
        requests = [
            services.EnrolmentRequest(nip=nip, line=index + 1)
            for index, nip in enumerate(payload.nips)
        ]
    try:
        created = services.enrollment_create_many(batch=batch, by=request.user, requests=requests)
    except services.EnrolmentRefused as exc:
        errors: dict[str, list[str]] = {}
        if exc.general:
            errors["__all__"] = list(exc.general)
        for p in exc.problems:
            key = p.field if single else f"nips.{p.line - 1}"
            errors.setdefault(key, []).append(p.message)
        return Status(
            400, {"detail": _("Nobody was enrolled: fix every listed item."), "errors": errors}
        )
    ids = [e.pk for e in created]
    return Status(201, list(_enrollments(batch).filter(pk__in=ids)))


@router.post(
    "/batches/{batch_id}/enrollments/{enrollment_id}/transition",
    response={200: EnrollmentOut, **ERRORS},
    summary="Move an enrolment along its lifecycle: activate, pass, fail, withdraw",
)
def transition_enrollment(
    request, batch_id: int, enrollment_id: int, payload: EnrollmentTransitionIn
):
    batch = queries.get_batch_for_user(request.user, batch_id)
    enrollment = get_object_or_404(batch.enrollments, pk=enrollment_id)
    services.enrollment_transition(
        enrollment=enrollment, action=payload.action, by=request.user, note=payload.note
    )
    return _enrollments(batch).get(pk=enrollment.pk)
