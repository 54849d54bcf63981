"""Seminar pages: program settings (rubric), a batch's sessions, the scoring list of a
session, an examiner's score form, a plan's score sheet and its berita acara PDF.

Every view reads the same way: authorize (scoped lookup → 404 outside scope) → bind form →
call service → redirect or render.
"""

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from membumi.action_plans import queries as plan_queries
from membumi.action_plans.enums import Term
from membumi.core.exceptions import TransitionNotAllowed
from membumi.programs import queries as program_queries

from . import queries, rules, scoring, services
from .enums import SessionAction, SessionKind, SessionState
from .forms import ConfigForm, CriterionFormSet, ScoreForm, SessionForm
from .models import DEFAULT_MAX_SCORE, DEFAULT_PASS_MARK

PAGE_SIZE = 25


def _apply_errors(form, exc: ValidationError):
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.message_dict.items():
        target = name if name in form.fields and name != NON_FIELD_ERRORS else None
        for message in errors:
            form.add_error(target, message)


def _optional_url(name, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _session_url(session):
    return reverse("seminars:session_detail", args=[session.pk])


# --- Settings per program ---------------------------------------------------------------------


def _criteria_initial(program, config):
    if config is not None and (config.pk and config.criteria.exists()):
        return [
            {
                "name": c.name,
                "description": c.description,
                "weight": c.weight,
                "max_score": c.max_score,
            }
            for c in queries.criteria_for(program)
        ]
    return [
        {
            "name": str(name),
            "description": str(description),
            "weight": rules.DEFAULT_WEIGHT,
            "max_score": DEFAULT_MAX_SCORE,
        }
        for name, description in rules.DEFAULT_CRITERIA
    ]


@require_http_methods(["GET", "POST"])
def config(request, program_pk):
    program = program_queries.get_program_for_user(request.user, program_pk)
    if not rules.can_configure(request.user, program):
        raise Http404
    current = queries.config_for(program)
    locked = queries.config_locked(program)
    initial = {
        "enabled": current.enabled if current else False,
        "pass_mark": current.pass_mark if current else DEFAULT_PASS_MARK,
    }
    data = request.POST if request.method == "POST" else None
    form = ConfigForm(data, initial=initial)
    formset = CriterionFormSet(data, initial=_criteria_initial(program, current), prefix="criteria")
    criteria_errors = []
    if request.method == "POST":
        if locked:
            messages.error(request, services.rules_locked_message())
            return redirect(reverse("seminars:config", args=[program.pk]))
        if form.is_valid() and formset.is_valid():
            rows = [row for f in formset.forms if (row := f.row()) is not None]
            try:
                services.seminar_config_save(
                    program=program,
                    by=request.user,
                    enabled=form.cleaned_data["enabled"],
                    pass_mark=form.cleaned_data["pass_mark"],
                    criteria=rows,
                )
            except ValidationError as exc:
                criteria_errors = exc.message_dict.pop("criteria", [])
                if exc.message_dict:
                    _apply_errors(form, ValidationError(exc.message_dict))
            except TransitionNotAllowed as exc:
                messages.error(request, str(exc))
                return redirect(reverse("seminars:config", args=[program.pk]))
            else:
                messages.success(request, _("Seminar settings saved."))
                return redirect(reverse("seminars:config", args=[program.pk]))
        else:
            criteria_errors = list(formset.non_form_errors())
    weights = [c.weight for c in queries.criteria_for(program)] if current else []
    return render(
        request,
        "seminars/config_form.html",
        {
            "program": program,
            "form": form,
            "formset": formset,
            "criteria_errors": criteria_errors,
            "locked": locked,
            "config": current,
            "criteria": queries.criteria_for(program) if locked else [],
            "weights": weights,
            "batches": program.batches.order_by("-start_date", "-id")
            if current and current.enabled
            else [],
        },
    )


# --- Sessions of a batch ----------------------------------------------------------------------


@require_GET
def batch_sessions(request, batch_pk):
    batch = program_queries.get_batch_for_user(request.user, batch_pk)
    if not rules.can_manage_batch_seminars(request.user, batch):
        raise Http404
    config = queries.config_for(batch.program)
    sessions = list(queries.batch_sessions(request.user, batch))
    return render(
        request,
        "seminars/batch_sessions.html",
        {
            "batch": batch,
            "program": batch.program,
            "sessions": sessions,
            "enabled": bool(config and config.enabled),
        },
    )


def _session_form(request, batch, session=None):
    examiners = queries.institution_examiners(batch.program.institution_id)
    initial = {}
    if session is not None:
        initial = {
            "kind": session.kind,
            "starts_at": session.starts_at,
            "place": session.place,
            "examiners": list(session.examiners.all()),
        }
    else:
        initial = {"kind": SessionKind.RANCANGAN, "place": batch.location}
    form = SessionForm(request.POST or None, initial=initial, examiners=examiners)
    return form, examiners


@require_http_methods(["GET", "POST"])
def session_create(request, batch_pk):
    batch = program_queries.get_batch_for_user(request.user, batch_pk)
    if not rules.can_manage_batch_seminars(request.user, batch):
        raise Http404
    config = queries.config_for(batch.program)
    if not (config and config.enabled):
        messages.error(
            request,
            _("The program does not hold seminars: enable them in its seminar settings first."),
        )
        return redirect(reverse("seminars:config", args=[batch.program_id]))
    form, examiners = _session_form(request, batch)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.seminar_session_create(
                batch=batch, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        except TransitionNotAllowed as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Seminar session created. The examiners were notified."))
            return redirect(_session_url(session))
    return render(
        request,
        "seminars/session_form.html",
        {"form": form, "batch": batch, "session": None, "has_examiners": examiners.exists()},
    )


@require_http_methods(["GET", "POST"])
def session_update(request, pk):
    session = queries.get_session_for_user(request.user, pk)
    if not rules.can_manage_batch_seminars(request.user, session.batch):
        raise Http404
    if session.state != SessionState.OPEN:
        messages.error(
            request, _("The berita acara is finalised: the session can no longer be changed.")
        )
        return redirect(_session_url(session))
    form, examiners = _session_form(request, session.batch, session)
    if request.method == "POST" and form.is_valid():
        try:
            services.seminar_session_update(session=session, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        except TransitionNotAllowed as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Seminar session saved."))
            return redirect(_session_url(session))
    return render(
        request,
        "seminars/session_form.html",
        {
            "form": form,
            "batch": session.batch,
            "session": session,
            "has_examiners": examiners.exists(),
        },
    )


# --- Lists ----------------------------------------------------------------------------------------


@require_GET
def session_list(request):
    """Seminars the user sees: the examiner's to score, the organizer's, a participant's
    results. Filter by state, search by batch or program."""
    sessions = queries.session_list(request.user)
    state = request.GET.get("state", "")
    if state in SessionState.values:
        sessions = sessions.filter(state=state)
    text = request.GET.get("q", "").strip()
    if text:
        sessions = sessions.filter(
            Q(batch__name__icontains=text) | Q(batch__program__name__icontains=text)
        )
    page = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "seminars/session_list.html"
    if request.htmx and request.htmx.target == "session-results":
        template += "#results"
    return render(
        request,
        template,
        {
            "page_obj": page,
            "states": SessionState.choices,
            "state": state,
            "q": text,
            "is_examiner": rules.is_examiner(request.user),
        },
    )


@require_GET
def session_detail(request, pk):
    session = queries.get_session_for_user(request.user, pk)
    relations = rules.session_relations(request.user, session)
    board = queries.session_board(request.user, session, relations)
    manager = bool(relations & rules.ORGANIZERS)
    missing = (
        services.missing_scores(session)
        if manager and session.state == SessionState.OPEN and board.rows
        else []
    )
    return render(
        request,
        "seminars/session_detail.html",
        {
            "session": session,
            "batch": session.batch,
            "board": board,
            "manager": manager,
            "can_score": rules.can_score(relations, session),
            "actions": rules.allowed_actions(session.state, relations),
            "action_labels": dict(SessionAction.choices),
            "missing": missing,
            "history": session.transitions.select_related("by__employee"),
            "finalised": session.state == SessionState.FINALISED,
        },
    )


@require_POST
def session_transition(request, pk):
    session = queries.get_session_for_user(request.user, pk)
    try:
        services.seminar_session_transition(
            session=session,
            action=request.POST.get("action", ""),
            by=request.user,
            note=request.POST.get("note", ""),
        )
    except services.FinaliseRefused as exc:
        messages.error(request, _("The berita acara cannot be finalised yet."))
        for reason in exc.reasons:
            messages.error(request, reason)
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    except PermissionDenied as exc:
        raise Http404 from exc
    else:
        messages.success(
            request, _("The berita acara is final. Participants were told their results.")
        )
    return redirect(_session_url(session))


# --- One plan ------------------------------------------------------------------------------------


@require_GET
def plan_sheet(request, pk, plan_pk):
    session = queries.get_session_for_user(request.user, pk)
    relations = rules.session_relations(request.user, session)
    plan = queries.get_plan_for_user(request.user, session, plan_pk, relations)
    sheet = queries.plan_sheet(session, plan)
    rows = []
    for c in sheet.criteria:
        rows.append((c, [s.by_criterion.get(c.pk) if s else None for s in sheet.scores]))
    # The examiner scores what they read here: the plan itself, read-only. Its own page
    # belongs to the participant, reviewers and organizers; an examiner only gets a link
    # there when that page would open for them.
    milestones = list(plan.milestones.all())
    in_scope = plan_queries.plans_for_user(request.user).filter(pk=plan.pk).exists()
    return render(
        request,
        "seminars/plan_sheet.html",
        {
            "session": session,
            "plan": plan,
            "sheet": sheet,
            "rows": rows,
            "examiner_scores": list(zip(sheet.examiners, sheet.scores, strict=True)),
            "shares": {
                c.pk: scoring.weight_share(c.weight, [x.weight for x in sheet.criteria])
                for c in sheet.criteria
            },
            "can_score": rules.can_score(relations, session),
            "finalised": session.state == SessionState.FINALISED,
            "plan_url": _optional_url("action_plans:plan_detail", plan.pk) if in_scope else "",
            "terms": [(term, [m for m in milestones if m.term == term]) for term in Term],
            "stakeholders": list(plan.stakeholders.all()),
        },
    )


@require_http_methods(["GET", "POST"])
def score(request, pk, plan_pk):
    session = queries.get_session_for_user(request.user, pk)
    relations = rules.session_relations(request.user, session)
    if "examiner" not in relations:
        raise Http404
    plan = queries.get_plan_for_user(request.user, session, plan_pk, relations)
    if session.state != SessionState.OPEN:
        messages.error(
            request, _("The berita acara is finalised: scores can no longer be changed.")
        )
        return redirect(reverse("seminars:plan_sheet", args=[session.pk, plan.pk]))
    criteria = queries.criteria_for(session.batch.program)
    initial = {}
    existing = (
        plan.seminar_scores.filter(session=session, examiner=request.user)
        .prefetch_related("items")
        .first()
    )
    if existing is not None:
        initial["note"] = existing.note
        for item in existing.items.all():
            initial[f"score_{item.criterion_id}"] = item.value
            initial[f"comment_{item.criterion_id}"] = item.comment
    form = ScoreForm(request.POST or None, initial=initial, criteria=criteria)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.score_save(
                session=session,
                plan=plan,
                by=request.user,
                values=form.values(),
                comments=form.comments(),
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        except (TransitionNotAllowed, PermissionDenied) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Scores saved for “%(title)s”: weighted total %(total)s.")
                % {"title": plan.title, "total": saved.total},
            )
            return redirect(_session_url(session))
    return render(
        request,
        "seminars/score_form.html",
        {"session": session, "plan": plan, "form": form, "existing": existing},
    )


@require_GET
def berita_acara(request, pk, plan_pk):
    session = queries.get_session_for_user(request.user, pk)
    relations = rules.session_relations(request.user, session)
    plan = queries.get_plan_for_user(request.user, session, plan_pk, relations)
    if session.state != SessionState.FINALISED:
        raise Http404
    content = services.berita_acara_export(session=session, plan=plan, by=request.user)
    filename = f"berita-acara-{session.pk}-{plan.pk}.pdf"
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
