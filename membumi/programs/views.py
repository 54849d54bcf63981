"""Pages for programs, modules, batches, enrolment, coverage, My training and mentees.

Every view reads the same way: authorize (scoped lookup → 404 outside scope) → bind form →
call service → redirect or render. htmx requests get a partial of the same template.
"""

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from membumi.core.exceptions import TransitionNotAllowed

from . import queries, rules, services
from .enums import (
    AttendanceStatus,
    BatchAction,
    BatchState,
    EnrollmentAction,
    ProgramAction,
    ProgramState,
    ProposalState,
)
from .forms import (
    AttendanceImportForm,
    BatchForm,
    EnrolCsvForm,
    EnrolListForm,
    EnrollmentEditForm,
    EnrolOneForm,
    ModuleForm,
    ProblemPickForm,
    ProgramForm,
    ProposalDecisionForm,
    SessionForm,
    TransitionForm,
)

PAGE_SIZE = 25
ENROLMENT_PAGE_SIZE = 50


def optional_url(name, *args) -> str:
    """The URL of a page another stage provides, or "" while it does not exist yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _apply_errors(form, exc: ValidationError):
    """Put a service's ValidationError on the form: on the field when the form has it."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.message_dict.items():
        target = name if name in form.fields else None
        if name == NON_FIELD_ERRORS:
            target = None
        for message in errors:
            form.add_error(target, message)


def _refusal(request, exc: TransitionNotAllowed):
    messages.error(request, str(exc))


def _program_url(program):
    return reverse("programs:program_detail", args=[program.pk])


def _batch_url(batch):
    return reverse("programs:batch_detail", args=[batch.pk])


def _require_programs_user(user):
    if not rules.can_use_programs(user):
        raise Http404


# --- Programs ---------------------------------------------------------------------------------


@require_GET
def program_list(request):
    _require_programs_user(request.user)
    programs = queries.program_list(request.user).order_by("-created_at", "-id")
    state = request.GET.get("state", "")
    if state in ProgramState.values:
        programs = programs.filter(state=state)
    text = request.GET.get("q", "").strip()
    if text:
        programs = programs.filter(name__icontains=text)
    page = Paginator(programs, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "programs/program_list.html"
    if request.htmx and request.htmx.target == "program-results":
        template += "#results"
    return render(
        request,
        template,
        {
            "page_obj": page,
            "states": ProgramState.choices,
            "state": state,
            "q": text,
            "can_create": rules.can_create_programs(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def program_create(request):
    if not rules.can_create_programs(request.user):
        raise Http404
    institutions = list(queries.institutions_for_organizer(request.user))
    if not institutions:
        raise Http404
    needs = queries.accepted_needs(*institutions)
    initial = {"needs": request.GET.getlist("need")}
    form = ProgramForm(
        request.POST or None,
        initial=initial,
        institutions=queries.institutions_for_organizer(request.user),
        needs=needs,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            program = services.program_create(
                by=request.user,
                institution=data.get("institution") or institutions[0],
                needs=data["needs"],
                **{k: data[k] for k in services.PROGRAM_FIELDS},
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Program created. Now add its modules."))
            return redirect(_program_url(program))
    return render(
        request,
        "programs/program_form.html",
        {"form": form, "program": None, "has_needs": needs.exists()},
    )


def _program_context(request, program):
    relations = rules.program_relations(request.user, program)
    manager = bool(relations & rules.ORGANIZERS)
    errors, warnings = ([], [])
    if manager and program.state == ProgramState.DRAFT:
        errors, warnings = rules.program_publish_check(program)
    return {
        "program": program,
        "modules": queries.program_modules(program),
        "needs": program.needs.select_related("analysis"),
        "batches": queries.batch_list(request.user)
        .filter(program=program)
        .order_by("-start_date", "-id"),
        "manager": manager,
        "editable": manager and program.state in rules.PROGRAM_EDITABLE_STATES,
        "publish_errors": errors,
        "publish_warnings": warnings,
        "actions": rules.allowed_actions(rules.PROGRAM_TRANSITIONS, program.state, relations),
        "action_labels": dict(ProgramAction.choices),
        "history": queries.history(program),
    }


@require_GET
def program_detail(request, pk):
    program = queries.get_program_for_user(request.user, pk)
    template = "programs/program_detail.html"
    if request.htmx and request.htmx.target == "modules":
        template += "#modules"
    return render(request, template, _program_context(request, program))


@require_http_methods(["GET", "POST"])
def program_update(request, pk):
    program = queries.get_program_for_user(request.user, pk)
    if not rules.can_manage_program(request.user, program):
        raise Http404
    if program.state not in rules.PROGRAM_EDITABLE_STATES:
        messages.error(request, _("Only a draft program can be changed."))
        return redirect(_program_url(program))
    form = ProgramForm(
        request.POST or None,
        instance=program,
        initial={"needs": list(program.needs.all())},
        institutions=queries.institutions_for_organizer(request.user),
        needs=queries.accepted_needs(program.institution),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.program_update(
                program=program,
                by=request.user,
                needs=data["needs"],
                **{k: data[k] for k in services.PROGRAM_FIELDS},
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Program saved."))
            return redirect(_program_url(program))
    return render(
        request, "programs/program_form.html", {"form": form, "program": program, "has_needs": True}
    )


@require_POST
def program_transition(request, pk):
    program = queries.get_program_for_user(request.user, pk)
    form = TransitionForm(request.POST)
    if form.is_valid():
        action = form.cleaned_data["action"]
        try:
            services.program_transition(
                program=program, action=action, by=request.user, note=form.cleaned_data["note"]
            )
        except TransitionNotAllowed as exc:
            _refusal(request, exc)
        else:
            if action == ProgramAction.PUBLISH:
                messages.success(request, _("The program is published: you can open batches."))
                for warning in rules.program_publish_check(program)[1]:
                    messages.warning(request, warning)
            else:
                messages.success(request, _("The program is archived."))
    return redirect(_program_url(program))


# --- Modules ----------------------------------------------------------------------------------


def _module_form(request, program, module=None):
    needs = program.needs.select_related("analysis")
    return ModuleForm(
        request.POST or None,
        instance=module,
        needs=needs,
        problems=queries.problems_of_needs(needs),
    )


def _module_form_view(request, program, module=None):
    """Add (``module`` None) or edit a module: one form, one service per case."""
    if not rules.can_edit_program(request.user, program):
        raise Http404
    form = _module_form(request, program, module)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {name: data[name] for name in ("title", "jp", "objectives", "needs", "problems")}
        try:
            if module is None:
                services.module_create(program=program, by=request.user, **fields)
            else:
                services.module_update(module=module, by=request.user, **fields)
        except ValidationError as exc:
            _apply_errors(form, exc)
        except TransitionNotAllowed as exc:
            _refusal(request, exc)
            return redirect(_program_url(program))
        else:
            if module is None:
                messages.success(request, _("Module added."))
                if "add_another" in request.POST:
                    return redirect("programs:module_create", pk=program.pk)
            else:
                messages.success(request, _("Module saved."))
            return redirect(_program_url(program))
    return render(
        request, "programs/module_form.html", {"form": form, "program": program, "module": module}
    )


@require_http_methods(["GET", "POST"])
def module_create(request, pk):
    return _module_form_view(request, queries.get_program_for_user(request.user, pk))


@require_http_methods(["GET", "POST"])
def module_update(request, pk):
    module = queries.get_module_for_user(request.user, pk)
    return _module_form_view(request, module.program, module)


@require_POST
def module_delete(request, pk):
    module = queries.get_module_for_user(request.user, pk)
    program = module.program
    if not rules.can_manage_program(request.user, program):
        raise Http404
    try:
        services.module_delete(module=module, by=request.user)
    except TransitionNotAllowed as exc:
        _refusal(request, exc)
    else:
        messages.success(request, _("Module “%(title)s” removed.") % {"title": module.title})
    return redirect(_program_url(program))


@require_POST
def module_move(request, pk):
    module = queries.get_module_for_user(request.user, pk)
    program = module.program
    if not rules.can_manage_program(request.user, program):
        raise Http404
    offset = -1 if request.POST.get("direction") == "up" else 1
    try:
        services.module_move(module=module, to=module.position + offset, by=request.user)
    except TransitionNotAllowed as exc:
        _refusal(request, exc)
    if request.htmx:
        program.refresh_from_db()
        return render(
            request, "programs/program_detail.html#modules", _program_context(request, program)
        )
    return redirect(_program_url(program) + "#modules")


# --- Batches ----------------------------------------------------------------------------------


@require_GET
def batch_list(request):
    _require_programs_user(request.user)
    batches = queries.batch_list(request.user).order_by("-start_date", "-id")
    state = request.GET.get("state", "")
    if state in BatchState.values:
        batches = batches.filter(state=state)
    page = Paginator(batches, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "programs/batch_list.html"
    if request.htmx and request.htmx.target == "batch-results":
        template += "#results"
    return render(
        request, template, {"page_obj": page, "states": BatchState.choices, "state": state}
    )


def _batch_form_data(form):
    data = form.cleaned_data
    return {k: data[k] for k in services.BATCH_FIELDS} | {"trainers": data["trainers"]}


@require_http_methods(["GET", "POST"])
def batch_create(request, pk):
    program = queries.get_program_for_user(request.user, pk)
    if not rules.can_manage_program(request.user, program):
        raise Http404
    if program.state != ProgramState.PUBLISHED:
        messages.error(request, _("Publish the program before opening a batch."))
        return redirect(_program_url(program))
    form = BatchForm(
        request.POST or None,
        initial={"mode": program.mode},
        trainers=queries.institution_trainers(program.institution),
    )
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.batch_create(
                program=program, by=request.user, **_batch_form_data(form)
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        except TransitionNotAllowed as exc:
            _refusal(request, exc)
            return redirect(_program_url(program))
        else:
            messages.success(request, _("Batch created. Open enrolment when you are ready."))
            return redirect(_batch_url(batch))
    return render(
        request, "programs/batch_form.html", {"form": form, "program": program, "batch": None}
    )


@require_http_methods(["GET", "POST"])
def batch_update(request, pk):
    batch = queries.get_batch_for_user(request.user, pk)
    if not rules.can_manage_batch(request.user, batch):
        raise Http404
    form = BatchForm(
        request.POST or None,
        instance=batch,
        trainers=queries.institution_trainers(batch.program.institution),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.batch_update(batch=batch, by=request.user, **_batch_form_data(form))
        except ValidationError as exc:
            _apply_errors(form, exc)
        except TransitionNotAllowed as exc:
            _refusal(request, exc)
            return redirect(_batch_url(batch))
        else:
            messages.success(request, _("Batch saved."))
            return redirect(_batch_url(batch))
    return render(
        request,
        "programs/batch_form.html",
        {"form": form, "program": batch.program, "batch": batch},
    )


@require_GET
def batch_detail(request, pk):
    batch = queries.get_batch_for_user(request.user, pk)
    relations = rules.batch_relations(request.user, batch)
    manager = bool(relations & rules.ORGANIZERS)
    enrollments = queries.batch_enrollments(batch)
    page = Paginator(enrollments, ENROLMENT_PAGE_SIZE).get_page(request.GET.get("page"))
    for e in page.object_list:
        e.batch = batch
        e.problem_url = (
            optional_url("problems:problem_detail", e.problem_id) if e.problem_id else ""
        )
        e.actions = (
            rules.enrollment_actions_offered(e.state, batch.state, relations) if manager else []
        )
    context = {
        "batch": batch,
        "program": batch.program,
        "page_obj": page,
        "trainers": batch.trainers.select_related("employee").order_by("username"),
        "manager": manager,
        "actions": rules.allowed_actions(rules.BATCH_TRANSITIONS, batch.state, relations),
        "action_labels": dict(BatchAction.choices),
        "enrollment_action_labels": dict(EnrollmentAction.choices),
        "enrolment_open": manager and batch.state in rules.ENROLMENT_OPEN_STATES,
        "editable": manager and batch.state in rules.BATCH_EDITABLE_STATES,
        "waiting_problems": (
            services.batch_problems_waiting(batch)
            if manager and batch.state == BatchState.RUNNING
            else 0
        ),
        "history": queries.history(batch),
        "can_record_attendance": rules.can_record_attendance(request.user, batch),
    }
    template = "programs/batch_detail.html"
    if request.htmx and request.htmx.target == "enrollments":
        template += "#enrollments"
    return render(request, template, context)


@require_POST
def batch_transition(request, pk):
    batch = queries.get_batch_for_user(request.user, pk)
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            services.batch_transition(
                batch=batch,
                action=form.cleaned_data["action"],
                by=request.user,
                note=form.cleaned_data["note"],
            )
        except TransitionNotAllowed as exc:
            _refusal(request, exc)
        else:
            batch.refresh_from_db()
            messages.success(
                request,
                _("The batch is now %(state)s.") % {"state": batch.get_state_display()},
            )
    return redirect(_batch_url(batch))


@require_POST
def batch_address_problems(request, pk):
    batch = queries.get_batch_for_user(request.user, pk)
    if not rules.can_manage_batch(request.user, batch):
        raise Http404
    try:
        n = services.batch_address_problems(batch=batch, by=request.user)
    except TransitionNotAllowed as exc:
        _refusal(request, exc)
    else:
        messages.success(request, _("%(n)d validated problem(s) marked as addressed.") % {"n": n})
    return redirect(_batch_url(batch))


# --- Enrolment --------------------------------------------------------------------------------

ENROL_FORMS = {"one": EnrolOneForm, "list": EnrolListForm, "csv": EnrolCsvForm}


@require_http_methods(["GET", "POST"])
def batch_enrol(request, pk):
    """One page, three ways in: one NIP (with a search), a list of NIPs, a CSV file. All or
    nothing: the report lists every faulty line and nothing is enrolled until all are right."""
    batch = queries.get_batch_for_user(request.user, pk)
    if not rules.can_manage_batch(request.user, batch):
        raise Http404
    trainers = batch.trainers.select_related("employee").order_by("username")
    mode = request.POST.get("mode") if request.method == "POST" else None
    forms = {
        "one": EnrolOneForm(
            request.POST if mode == "one" else None,
            trainers=trainers,
            initial={"nip": request.GET.get("nip", "")},
        ),
        "list": EnrolListForm(request.POST if mode == "list" else None),
        "csv": EnrolCsvForm(
            request.POST if mode == "csv" else None, request.FILES if mode == "csv" else None
        ),
    }
    refused = None
    if mode in ENROL_FORMS and batch.state not in rules.ENROLMENT_OPEN_STATES:
        messages.error(request, _("Enrolment is closed for this batch."))
        return redirect(_batch_url(batch))
    if mode in ENROL_FORMS and forms[mode].is_valid():
        try:
            created = services.enrollment_create_many(
                batch=batch, by=request.user, requests=forms[mode].requests()
            )
        except services.EnrolmentRefused as exc:
            refused = exc
            if mode == "one":  # one participant: errors on the form's fields, no report
                refused = None
                for p in exc.problems:
                    field = p.field if p.field in forms["one"].fields else "coach"
                    forms["one"].add_error(field, p.message)
                for message in exc.general:
                    forms["one"].add_error(None, message)
        except TransitionNotAllowed as exc:
            _refusal(request, exc)
            return redirect(_batch_url(batch))
        else:
            messages.success(
                request,
                _("%(n)d participant(s) enrolled.") % {"n": len(created)},
            )
            return redirect(_batch_url(batch))
    text = request.GET.get("q", "").strip()
    candidates = queries.enrolment_candidates(batch, text) if text else []
    context = {
        "batch": batch,
        "program": batch.program,
        "forms": forms,
        "mode": mode,
        "refused": refused,
        "q": text,
        "candidates": candidates,
        "seats_taken": queries.seats_taken(batch),
        "trainers": trainers,
    }
    template = "programs/batch_enrol.html"
    if request.htmx and request.htmx.target == "candidates":
        template += "#candidates"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def enrollment_update(request, pk):
    enrollment = queries.get_enrollment_for_user(request.user, pk)
    if not rules.enrollment_relations(request.user, enrollment) & rules.ORGANIZERS:
        raise Http404
    trainers = enrollment.batch.trainers.select_related("employee").order_by("username")
    form = EnrollmentEditForm(
        request.POST or None,
        trainers=trainers,
        initial={
            "mentor_nip": enrollment.mentor.nip if enrollment.mentor else "",
            "coach": enrollment.coach,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.enrollment_update(
                enrollment=enrollment,
                by=request.user,
                mentor_nip=form.cleaned_data["mentor_nip"],
                coach=form.cleaned_data["coach"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        except TransitionNotAllowed as exc:
            _refusal(request, exc)
            return redirect(_batch_url(enrollment.batch))
        else:
            messages.success(request, _("Mentor and coach saved."))
            return redirect(_batch_url(enrollment.batch))
    return render(
        request,
        "programs/enrollment_form.html",
        {"form": form, "enrollment": enrollment, "batch": enrollment.batch},
    )


@require_POST
def enrollment_transition(request, pk):
    enrollment = queries.get_enrollment_for_user(request.user, pk)
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            services.enrollment_transition(
                enrollment=enrollment,
                action=form.cleaned_data["action"],
                by=request.user,
                note=form.cleaned_data["note"],
            )
        except TransitionNotAllowed as exc:
            _refusal(request, exc)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            enrollment.refresh_from_db()
            messages.success(
                request,
                _("%(name)s: %(state)s.")
                % {"name": enrollment.employee.name, "state": enrollment.get_state_display()},
            )
    return redirect(_safe_next(request, _batch_url(enrollment.batch)))


# --- Coverage ---------------------------------------------------------------------------------


@require_GET
def coverage(request):
    institutions = list(queries.institutions_for_organizer(request.user).order_by("name"))
    if not institutions:
        raise Http404
    chosen = request.GET.get("institution")
    institution = next((i for i in institutions if str(i.pk) == chosen), institutions[0])
    report = queries.coverage_report(institution)
    return render(
        request,
        "programs/coverage.html",
        {"report": report, "institutions": institutions, "institution": institution},
    )


# --- My training (participant) and mentees (mentor) ---------------------------------------------


def _safe_next(request, default):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


@require_GET
def my_training(request):
    if not rules.has_training(request.user):
        raise Http404
    enrollments = queries.my_enrollments(request.user)
    queries.my_attendance(request.user, enrollments)
    problems = list(queries.pickable_problems(request.user))  # one query for every enrolment
    here = reverse("programs:my_training")
    create_url = optional_url("problems:problem_create")
    for e in enrollments:
        e.can_pick = (
            e.state in rules.PROBLEM_PICK_ENROLLMENT_STATES
            and e.batch.state in rules.PROBLEM_PICK_BATCH_STATES
        )
        e.problem_url = (
            optional_url("problems:problem_detail", e.problem_id) if e.problem_id else ""
        )
    return render(
        request,
        "programs/my_training.html",
        {
            "enrollments": enrollments,
            "problems": problems,
            "problem_create_url": f"{create_url}?next={here}" if create_url else "",
        },
    )


@require_POST
def enrollment_pick_problem(request, pk):
    enrollment = queries.get_enrollment_for_user(request.user, pk)
    if "participant" not in rules.enrollment_relations(request.user, enrollment):
        raise Http404
    form = ProblemPickForm(request.POST, problems=queries.pickable_problems(request.user))
    if not form.is_valid():
        messages.error(
            request,
            _("Choose one of your own or your unit's problems that is open or validated."),
        )
    else:
        try:
            services.enrollment_problem_pick(
                enrollment=enrollment, problem=form.cleaned_data["problem"], by=request.user
            )
        except TransitionNotAllowed as exc:
            _refusal(request, exc)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Saved. Your mentor now validates the problem you bring."))
    return redirect(_safe_next(request, reverse("programs:my_training")))


@require_GET
def mentees(request):
    if not rules.has_training(request.user):
        raise Http404
    enrollments = queries.mentee_enrollments(request.user)
    page = Paginator(enrollments, ENROLMENT_PAGE_SIZE).get_page(request.GET.get("page"))
    for e in page.object_list:
        e.problem_url = (
            optional_url("problems:problem_detail", e.problem_id) if e.problem_id else ""
        )
    return render(request, "programs/mentees.html", {"page_obj": page})


# --- Sessions and attendance ----------------------------------------------------------------------


def _sessions_url(batch):
    return reverse("programs:batch_sessions", args=[batch.pk])


def _session_url(session):
    return reverse("programs:session_detail", args=[session.pk])


def _batch_for_attendance(request, pk):
    batch = queries.get_batch_for_user(request.user, pk)
    if not rules.can_record_attendance(request.user, batch):
        raise Http404
    return batch


def _sessions_page(request, batch, *, form=None, import_form=None, refused=None):
    manager = rules.can_manage_sessions(request.user, batch)
    sessions = queries.batch_sessions(batch)
    imported = batch.enrollments.filter(jp_attended_imported__isnull=False).count()
    return render(
        request,
        "programs/batch_sessions.html",
        {
            "batch": batch,
            "program": batch.program,
            "sessions": sessions,
            "scheduled_jp": sum(s.jp for s in sessions) or batch.program.total_jp,
            "manager": manager,
            "editable": manager and batch.state in services.SESSION_BATCH_STATES,
            "recording": batch.state in services.ATTENDANCE_BATCH_STATES,
            "form": form
            if form is not None
            else SessionForm(modules=batch.program.modules.order_by("position", "id")),
            "import_form": import_form or AttendanceImportForm(),
            "refused": refused,
            "imported": imported,
        },
        status=400 if refused or (form is not None and form.errors) else 200,
    )


@require_http_methods(["GET", "POST"])
def batch_sessions(request, pk):
    """The batch's sessions (JP, attendance counts), a form to add one and the JP import."""
    batch = _batch_for_attendance(request, pk)
    form = None
    if request.method == "POST":
        if not rules.can_manage_sessions(request.user, batch):
            raise Http404
        form = SessionForm(request.POST, modules=batch.program.modules.order_by("position", "id"))
        if form.is_valid():
            try:
                session = services.session_create(batch=batch, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _apply_errors(form, exc)
            except TransitionNotAllowed as exc:
                _refusal(request, exc)
                return redirect(_sessions_url(batch))
            else:
                messages.success(request, _("Session added: %(title)s.") % {"title": session.title})
                return redirect(_sessions_url(batch))
    return _sessions_page(request, batch, form=form)


@require_http_methods(["GET", "POST"])
def session_update(request, pk):
    session = queries.get_session_for_user(request.user, pk)
    batch = session.batch
    if not rules.can_manage_sessions(request.user, batch):
        raise Http404
    form = SessionForm(
        request.POST or None,
        instance=session,
        modules=batch.program.modules.order_by("position", "id"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update(session=session, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        except TransitionNotAllowed as exc:
            _refusal(request, exc)
            return redirect(_sessions_url(batch))
        else:
            messages.success(request, _("Session saved."))
            return redirect(_sessions_url(batch))
    return render(
        request,
        "programs/session_form.html",
        {"form": form, "session": session, "batch": batch, "program": batch.program},
    )


@require_POST
def session_delete(request, pk):
    session = queries.get_session_for_user(request.user, pk)
    batch = session.batch
    if not rules.can_manage_sessions(request.user, batch):
        raise Http404
    try:
        services.session_delete(session=session, by=request.user)
    except TransitionNotAllowed as exc:
        _refusal(request, exc)
    else:
        messages.success(request, _("Session removed: %(title)s.") % {"title": session.title})
    return redirect(_sessions_url(batch))


def _grid_context(request, session, rows):
    return {
        "session": session,
        "batch": session.batch,
        "program": session.batch.program,
        "rows": rows,
        "statuses": AttendanceStatus.choices,
        "recording": session.batch.state in services.ATTENDANCE_BATCH_STATES,
        "manager": rules.can_manage_sessions(request.user, session.batch),
    }


@require_GET
def session_detail(request, pk):
    """The attendance grid of one session: mark everyone present, then toggle absentees."""
    session = queries.get_session_for_user(request.user, pk)
    if not rules.can_record_attendance(request.user, session.batch):
        raise Http404
    rows = queries.session_grid(session)
    context = _grid_context(request, session, rows)
    context["counts"] = {
        status: sum(1 for r in rows if r.status == status) for status in AttendanceStatus.values
    }
    context["unrecorded"] = sum(1 for r in rows if not r.status)
    return render(request, "programs/session_detail.html", context)


@require_POST
def session_mark(request, pk):
    """Mark one participant (htmx: the row comes back; without JavaScript: the page)."""
    session = queries.get_session_for_user(request.user, pk)
    if not rules.can_record_attendance(request.user, session.batch):
        raise Http404
    enrollment = (
        session.batch.enrollments.select_related("employee")
        .filter(
            pk=request.POST.get("enrollment")
            if str(request.POST.get("enrollment", "")).isdigit()
            else None
        )
        .first()
    )
    if enrollment is None:
        raise Http404
    error = ""
    try:
        services.attendance_mark(
            session=session,
            enrollment=enrollment,
            status=request.POST.get("status", ""),
            by=request.user,
        )
    except (TransitionNotAllowed, ValidationError) as exc:
        error = " ".join(getattr(exc, "messages", [str(exc)]))
    if request.htmx:
        row = queries.get_grid_row(session, enrollment.pk)
        row.error = error
        context = _grid_context(request, session, [row]) | {"r": row}
        return render(request, "programs/session_detail.html#row", context)
    if error:
        messages.error(request, error)
    return redirect(_session_url(session) + f"#row-{enrollment.pk}")


@require_POST
def session_all_present(request, pk):
    session = queries.get_session_for_user(request.user, pk)
    if not rules.can_record_attendance(request.user, session.batch):
        raise Http404
    try:
        n = services.attendance_mark_all_present(session=session, by=request.user)
    except TransitionNotAllowed as exc:
        _refusal(request, exc)
    else:
        messages.success(
            request, _("%(n)d participant(s) marked present. Now mark the absentees.") % {"n": n}
        )
    return redirect(_session_url(session))


@require_POST
def attendance_import(request, pk):
    batch = queries.get_batch_for_user(request.user, pk)
    if not rules.can_manage_sessions(request.user, batch):
        raise Http404
    if request.POST.get("clear"):
        n = services.attendance_import_clear(batch=batch, by=request.user)
        messages.success(
            request,
            _("Imported JP removed for %(n)d participant(s): attendance counts from the sessions.")
            % {"n": n},
        )
        return redirect(_sessions_url(batch))
    form = AttendanceImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _sessions_page(request, batch, import_form=form)
    upload = form.cleaned_data["file"]
    try:
        n = services.attendance_import_jp(
            batch=batch, by=request.user, binary=upload, filename=upload.name, size=upload.size
        )
    except services.AttendanceImportRefused as exc:
        return _sessions_page(request, batch, import_form=form, refused=exc)
    except TransitionNotAllowed as exc:
        _refusal(request, exc)
    else:
        messages.success(request, _("JP attended imported for %(n)d participant(s).") % {"n": n})
    return redirect(_sessions_url(batch))


# --- Results: who cannot pass yet and why -------------------------------------------------------


@require_GET
def batch_results(request, pk):
    batch = queries.get_batch_for_user(request.user, pk)
    if not rules.can_manage_batch(request.user, batch):
        raise Http404
    show = request.GET.get("show", "all")
    if show not in queries.RESULT_FILTERS:
        show = "all"
    rows = queries.pass_board(batch, show=show)
    all_rows = rows if show == "all" else queries.pass_board(batch)
    context = {
        "batch": batch,
        "program": batch.program,
        "rows": rows,
        "show": show,
        "n_can_pass": sum(1 for r in all_rows if r.can_pass),
        "n_cannot_pass": sum(1 for r in all_rows if r.state == "active" and not r.can_pass),
        "results_open": batch.state in rules.ENROLLMENT_ACTION_BATCH_STATES[EnrollmentAction.PASS],
        "here": request.get_full_path(),
    }
    template = "programs/batch_results.html"
    if request.htmx and request.htmx.target == "results":
        template += "#results"
    return render(request, template, context)


@require_POST
def batch_pass_eligible(request, pk):
    batch = queries.get_batch_for_user(request.user, pk)
    if not rules.can_manage_batch(request.user, batch):
        raise Http404
    report = services.enrollment_pass_eligible(batch=batch, by=request.user)
    if report.passed:
        messages.success(request, _("%(n)d participant(s) passed.") % {"n": len(report.passed)})
    else:
        messages.warning(request, _("Nobody could pass yet."))
    for enrollment, reasons in report.refused.items():
        messages.error(request, f"{enrollment.employee.name}: {' '.join(reasons)}")
    return redirect(reverse("programs:batch_results", args=[batch.pk]))


# --- People move ----------------------------------------------------------------------------------


@require_GET
def people_moves(request):
    """Mentor change proposals of the organizer's institutions (pending first)."""
    if not rules.can_review_people_moves(request.user):
        raise Http404
    state = request.GET.get("state", ProposalState.PENDING)
    if state not in ProposalState.values and state != "all":
        state = ProposalState.PENDING
    proposals = queries.proposals_for_user(request.user).order_by("-created_at", "-id")
    if state != "all":
        proposals = proposals.filter(state=state)
    page = Paginator(proposals, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "programs/people_moves.html",
        {"page_obj": page, "state": state, "states": ProposalState.choices},
    )


@require_POST
def people_move_decide(request, pk):
    proposal = queries.get_proposal_for_user(request.user, pk)
    form = ProposalDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Confirm or reject."))
    else:
        data = form.cleaned_data
        try:
            services.mentor_proposal_decide(
                proposal=proposal,
                by=request.user,
                decision=data["decision"],
                note=data["note"],
                mentor_nip=data["mentor_nip"],
            )
        except TransitionNotAllowed as exc:
            _refusal(request, exc)
        except ValidationError as exc:
            messages.error(
                request,
                f"{proposal.enrollment.employee.name}: {' '.join(exc.messages)}",
            )
        else:
            proposal.refresh_from_db()
            if proposal.state == ProposalState.CONFIRMED:
                messages.success(
                    request,
                    _("Confirmed for %(name)s.") % {"name": proposal.enrollment.employee.name},
                )
            else:
                messages.success(
                    request,
                    _("Rejected for %(name)s: nothing changed.")
                    % {"name": proposal.enrollment.employee.name},
                )
    return redirect(_safe_next(request, reverse("programs:people_moves")))
