"""Monitoring pages: the participant's plan timeline (with the update form and the complete
button), the mentor's verification queue and decisions, the signed e-mail link page, the
coach's view of coachees' progress, the organizer's follow-up board, and the evidence
download (the only way to a stored file: scope checked, attachment, nosniff).

Each view: authorize (a scoped lookup, 404 outside the scope) → bind the form → call the
service → redirect or render.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from membumi.accounts.enums import Role
from membumi.accounts.queries import user_roles
from membumi.action_plans import services as plan_services
from membumi.action_plans.enums import PlanAction, PlanState
from membumi.action_plans.rules import allowed_actions, plan_relations
from membumi.core.exceptions import TransitionNotAllowed

from . import queries, rules, services
from .achievement import plan_achievement
from .evidence import download_name
from .forms import BoardFilterForm, DecisionForm, PlanStepForm, ProgressUpdateForm

PAGE_SIZE = 25
PLAN_STEPS = {PlanAction.COMPLETE, PlanAction.VERIFY, PlanAction.REJECT}


def _page(request, items):
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def _safe_next(request, default):
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _form_errors(form, exc: ValidationError):
    fields = form.FIELD_FOR_ERROR
    for key, messages_ in exc.message_dict.items():
        field = fields.get(key)
        for message in messages_:
            form.add_error(field if field in form.fields else None, message)


# --- The participant's plans and a plan's timeline ---------------------------------------------


@require_GET
def my_plans(request):
    plans = queries.own_plans(request.user)
    page = _page(request, plans)
    page.object_list = queries.attach_achievement(page.object_list)
    return render(request, "monitoring/my_plans.html", {"page_obj": page})


@require_http_methods(["GET", "POST"])
def plan_timeline(request, pk):
    plan = queries.get_monitored_plan_for_user(request.user, pk)
    relations = plan_relations(request.user, plan)
    can_add = rules.can_add_update(request.user, plan)
    max_mb = settings.EVIDENCE_MAX_UPLOAD_MB
    form = ProgressUpdateForm(plan=plan, max_mb=max_mb) if can_add else None
    status = 200
    if request.method == "POST":
        if not can_add:
            raise PermissionDenied(_("Only the participant reports progress on an open plan."))
        form = ProgressUpdateForm(request.POST, request.FILES, plan=plan, max_mb=max_mb)
        if form.is_valid():
            try:
                services.progress_update_create(plan=plan, by=request.user, **form.service_kwargs())
            except ValidationError as exc:
                _form_errors(form, exc)
            except TransitionNotAllowed as exc:
                messages.error(request, str(exc))
                return redirect("monitoring:plan_timeline", pk=plan.pk)
            else:
                messages.success(
                    request, _("Progress recorded. Your mentor has been asked to verify it.")
                )
                return redirect("monitoring:plan_timeline", pk=plan.pk)
        status = 400
    steps = [a for a in allowed_actions(plan.state, relations) if a in PLAN_STEPS]
    return render(
        request,
        "monitoring/plan_timeline.html",
        {
            "plan": plan,
            "entries": queries.plan_timeline(plan),
            "measurements": queries.plan_measurements(plan),
            "achievement": plan_achievement(plan),
            "verification": getattr(plan, "verification", None)
            if plan.state == PlanState.VERIFIED
            else None,
            "form": form,
            "files_refused": bool(form is not None and form.errors.get("files")),
            "can_decide": "mentor" in relations,
            "steps": steps,
            "step_form": PlanStepForm(),
            "decision_form": DecisionForm(),
        },
        status=status,
    )


@require_POST
def plan_step(request, pk, action):
    plan = queries.get_monitored_plan_for_user(request.user, pk)
    if action not in PLAN_STEPS:
        raise Http404
    form = PlanStepForm(request.POST)
    note = form.data.get("note", "") if form.is_valid() else ""
    try:
        plan_services.action_plan_transition(plan=plan, action=action, by=request.user, note=note)
    except (TransitionNotAllowed, ValidationError) as exc:
        message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, message)
    else:
        messages.success(
            request,
            {
                PlanAction.COMPLETE: _(
                    "The plan is completed. Your mentor has been asked to verify it."
                ),
                PlanAction.VERIFY: _("The plan is verified."),
                PlanAction.REJECT: _("The plan was sent back to in progress."),
            }[action],
        )
    return redirect("monitoring:plan_timeline", pk=plan.pk)


# --- Mentor decisions ----------------------------------------------------------------------


@require_POST
def update_decide(request, pk):
    update = queries.get_update_for_user(request.user, pk)
    form = DecisionForm(request.POST)
    default = reverse("monitoring:plan_timeline", args=[update.plan_id])
    if not form.is_valid():
        messages.error(request, _("Choose accept or reject."))
        return redirect(_safe_next(request, default))
    try:
        services.progress_update_decide(
            update=update,
            action=form.cleaned_data["decision"],
            by=request.user,
            note=form.cleaned_data["note"],
        )
    except (TransitionNotAllowed, ValidationError) as exc:
        message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, message)
    else:
        messages.success(
            request,
            _("Update accepted.")
            if form.cleaned_data["decision"] == "accept"
            else _("Update rejected; the participant has been told why."),
        )
    return redirect(_safe_next(request, default))


@require_GET
def mentor_queue(request):
    # Scoped to the caller's own mentees (mentor is a relation, not only a role): anyone
    # else sees an empty queue.
    page = _page(request, queries.mentor_queue(request.user))
    return render(
        request,
        "monitoring/mentor_queue.html",
        {"page_obj": page, "decision_form": DecisionForm()},
    )


LINK_MESSAGES = {
    "tampered": _("This link is not valid. Open the update from your queue in the app."),
    "expired": _("This link has expired. Open the update from your queue in the app."),
    "used": _("This link has already been used."),
    "decided": _("This update has already been decided."),
}


@login_not_required
@require_http_methods(["GET", "POST"])
def link_page(request, token):
    """The signed link from the mentor's e-mail. GET only shows (mail scanners prefetch
    links); the decision is a POST. Works without logging in, but not for another
    logged-in user."""
    try:
        link = services.verification_link_resolve(token)
        services.link_check_user(link, request.user)
    except services.LinkRefused as exc:
        return render(
            request,
            "monitoring/link_refused.html",
            {"message": LINK_MESSAGES[exc.reason], "link": exc.link},
            status=410 if exc.reason in ("used", "decided", "expired") else 404,
        )
    form = DecisionForm()
    status = 200
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if form.is_valid():
            try:
                services.progress_update_decide_by_link(
                    token=token,
                    user=request.user,
                    action=form.cleaned_data["decision"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error("note", message)
            except services.LinkRefused as exc:
                return render(
                    request,
                    "monitoring/link_refused.html",
                    {"message": LINK_MESSAGES[exc.reason], "link": exc.link},
                    status=410,
                )
            else:
                return render(
                    request,
                    "monitoring/link_done.html",
                    {"update": link.update, "accepted": form.cleaned_data["decision"] == "accept"},
                )
        status = 400
    update = queries.with_details(
        type(link.update)
        .objects.filter(pk=link.update_id)
        .select_related("plan__enrollment__employee")
    ).get()
    return render(
        request,
        "monitoring/link_page.html",
        {"link": link, "token": token, "update": update, "plan": update.plan, "form": form},
        status=status,
    )


@login_not_required
@require_GET
def link_evidence(request, token, pk):
    """An evidence file of the linked update, for the mentor holding a valid link."""
    try:
        link = services.verification_link_resolve(token)
        services.link_check_user(link, request.user)
    except services.LinkRefused as exc:
        raise Http404 from exc
    evidence = link.update.evidence.filter(pk=pk).first()
    if evidence is None:
        raise Http404
    return _serve(evidence)


# --- Evidence ----------------------------------------------------------------------------------


def _serve(evidence):
    if not evidence.file:
        raise Http404
    try:
        handle = evidence.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=download_name(evidence.original_name, evidence.content_type),
        content_type=evidence.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def evidence_download(request, pk):
    return _serve(queries.get_evidence_for_user(request.user, pk))


# --- Coach and organizer views -----------------------------------------------------------------


@require_GET
def coaching(request):
    # Scoped to the caller's own coachees: anyone else sees an empty list.
    form = BoardFilterForm(
        request.GET or None,
        statuses={s: label for s, label in PlanState.choices if s in queries.MONITORED_STATES},
    )
    form.fields["status"].label = _("State")
    state = q = ""
    if form.is_bound and form.is_valid():
        state, q = form.cleaned_data["status"], form.cleaned_data["q"]
    page = _page(request, queries.coachee_plans(request.user, state=state, q=q))
    page.object_list = queries.attach_achievement(page.object_list)
    template = "monitoring/coaching.html"
    if request.htmx:
        template += "#results"
    return render(request, template, {"page_obj": page, "form": form})


@require_GET
def board_batches(request):
    if not user_roles(request.user).has(Role.ORGANIZER, Role.PLATFORM_ADMIN):
        raise PermissionDenied
    page = _page(request, queries.board_batches(request.user))
    return render(request, "monitoring/board_batches.html", {"page_obj": page})


@require_GET
def board(request, batch_pk):
    batch = queries.get_board_batch_for_user(request.user, batch_pk)
    form = BoardFilterForm(request.GET or None, statuses=queries.FOLLOW_STATUSES)
    status = q = ""
    if form.is_bound and form.is_valid():
        status, q = form.cleaned_data["status"], form.cleaned_data["q"]
    page = _page(request, queries.follow_up_board(batch, status=status, q=q))
    page.object_list = queries.attach_achievement(page.object_list)
    template = "monitoring/board.html"
    if request.htmx:
        template += "#results"
    counts = queries.board_counts(batch)
    return render(
        request,
        template,
        {
            "batch": batch,
            "page_obj": page,
            "form": form,
            # (code, label, count) per follow-up status, in the board's order.
            "status_counts": [
                (code, label, counts[code]) for code, label in queries.FOLLOW_STATUSES.items()
            ],
        },
    )
