"""The problem bank pages: list, submit (with similar problems while typing), detail with the
lifecycle actions and traceability, edit, join, and the bulk import.

Every view reads the same way: authorize → bind form → call the service → redirect or render.
htmx requests get a partial of the same template.
"""

import tempfile
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from membumi.core.exceptions import TransitionNotAllowed
from membumi.organizations.queries import agencies_for_user, units_for_user

from . import queries, rules, services
from .enums import ProblemAction
from .forms import (
    ProblemFilterForm,
    ProblemForm,
    ProblemImportForm,
    SimilarForm,
    TransitionForm,
    priority_from,
)
from .importing import import_problems, write_template

PAGE_SIZE = 25
DONE = {
    ProblemAction.VALIDATE: gettext_lazy("The problem was validated."),
    ProblemAction.ADDRESS: gettext_lazy("The problem is marked as addressed by training."),
    ProblemAction.RESOLVE: gettext_lazy("The problem was resolved."),
    ProblemAction.CLOSE: gettext_lazy("The problem was closed."),
    ProblemAction.MARK_DUPLICATE: gettext_lazy("The problem was marked as a duplicate."),
    ProblemAction.REOPEN: gettext_lazy("The problem was reopened."),
}
SIMILAR_LIMIT = 5
LIST_ORDER = ["-priority", "-created_at", "-id"]


def _add_errors(form, exc: ValidationError) -> None:
    """Put a service's ``ValidationError`` on the form: known fields on the field, the rest
    on the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


# --- List ------------------------------------------------------------------------------------


@require_GET
def problem_list(request):
    if not rules.can_browse_problems(request.user):
        raise Http404
    form = ProblemFilterForm(
        request.GET or None,
        agencies=agencies_for_user(request.user),
        units=units_for_user(request.user).order_by("agency__name", "path"),
    )
    problems = queries.problems_for_user(request.user)
    if form.is_valid():
        problems = queries.filter_problems(
            problems,
            text=form.cleaned_data["q"],
            sector=form.cleaned_data["sector"],
            state=form.cleaned_data["state"],
            agency=form.cleaned_data["agency"],
            unit=form.cleaned_data["unit"],
            min_priority=form.cleaned_data["min_priority"],
        )
    problems = queries.with_endorsement_counts(problems).order_by(*LIST_ORDER)
    page = Paginator(problems, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "problems/problem_list.html"
    if request.htmx and request.htmx.target == "problem-results":
        template += "#results"
    return render(
        request,
        template,
        {
            "form": form,
            "page_obj": page,
            "can_submit": queries.submission_units(request.user).exists(),
            "can_import": rules.can_import_problems(request.user),
        },
    )


# --- Submit and edit -------------------------------------------------------------------------


def _priority_partial(request, template):
    return render(request, f"{template}#priority", {"priority": priority_from(request.GET)})


@require_http_methods(["GET", "POST"])
def problem_create(request):
    units = queries.submission_units(request.user)
    if not units.exists():
        raise Http404
    template = "problems/problem_form.html"
    if request.htmx and request.htmx.target == "usg-priority":
        return _priority_partial(request, template)
    default_unit = queries.default_submission_unit(request.user, units)
    form = ProblemForm(
        request.POST or None,
        units=units,
        initial={"work_unit": default_unit.pk if default_unit else None},
    )
    if request.method == "POST" and form.is_valid():
        try:
            problem = services.problem_create(
                by=request.user, work_unit=form.cleaned_data["work_unit"], **form.service_fields()
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The problem was submitted."))
            return redirect("problems:problem_detail", pk=problem.pk)
    similar = None
    if request.method == "POST":
        similar = queries.similar_for_user(
            request.user,
            f"{request.POST.get('title', '')}. {request.POST.get('statement', '')}",
            limit=SIMILAR_LIMIT,
        )
    return render(
        request,
        template,
        {
            "form": form,
            "priority": form.priority(),
            "similar": similar,
            "default_unit": default_unit,
            "problem": None,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def problem_edit(request, pk):
    problem = queries.get_problem_for_user(request.user, pk)
    if not rules.can_edit_problem(request.user, problem):
        if problem.state not in rules.EDITABLE_STATES:
            messages.error(
                request,
                _("A problem can be edited only while it is open; this one is %(state)s.")
                % {"state": problem.get_state_display()},
            )
            return redirect("problems:problem_detail", pk=problem.pk)
        raise PermissionDenied(_("Only the submitter or the mentor may edit this problem."))
    template = "problems/problem_form.html"
    if request.htmx and request.htmx.target == "usg-priority":
        return _priority_partial(request, template)
    form = ProblemForm(request.POST or None, instance=problem, exclude_similar=problem.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.problem_update(problem=problem, by=request.user, **form.service_fields())
        except ValidationError as exc:
            _add_errors(form, exc)
        except (TransitionNotAllowed, PermissionDenied) as exc:
            messages.error(request, str(exc))
            return redirect("problems:problem_detail", pk=problem.pk)
        else:
            messages.success(request, _("The problem was saved."))
            return redirect("problems:problem_detail", pk=problem.pk)
    return render(
        request,
        template,
        {"form": form, "priority": form.priority(), "similar": None, "problem": problem},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def similar_hx(request):
    """Similar problems for the text being typed (title + statement). Problems the user may
    see are listed, own agency first; of the others only a count and agency names."""
    if not rules.can_browse_problems(request.user):
        raise Http404
    form = SimilarForm(request.POST if request.method == "POST" else request.GET)
    exclude = request.GET.get("exclude", "")
    similar = queries.similar_for_user(
        request.user,
        form.text(),
        limit=SIMILAR_LIMIT,
        exclude_ids={int(exclude)} if exclude.isdigit() else (),
    )
    template = "problems/problem_similar.html"
    if request.htmx:
        template += "#results"
    return render(request, template, {"similar": similar, "form": form})


# --- Detail and the lifecycle ----------------------------------------------------------------


def _transition_forms(request, problem, bound: TransitionForm | None = None):
    actions = rules.allowed_actions(request.user, problem)
    forms = []
    for action in actions:
        if bound is not None and bound.action == action:
            forms.append(bound)
            continue
        kwargs = {}
        if action == ProblemAction.MARK_DUPLICATE:
            kwargs = {
                "targets": queries.duplicate_targets(request.user, problem),
                "candidates": queries.duplicate_candidates(request.user, problem),
            }
        forms.append(TransitionForm(prefix=action, action=action, **kwargs))
    return forms


def _render_detail(request, problem, *, bound=None, status=200):
    relations = rules.problem_relations(request.user, problem)
    return render(
        request,
        "problems/problem_detail.html",
        {
            "problem": problem,
            "history": queries.problem_history(problem),
            "endorsements": queries.problem_endorsements(problem),
            "trace": queries.problem_traceability(problem, request.user),
            "action_forms": _transition_forms(request, problem, bound),
            "can_edit": rules.can_edit_problem(request.user, problem),
            "join_refusal": rules.join_refusal(request.user, problem),
            "joined": problem.endorsements.filter(user_id=request.user.pk).exists(),
            "relations": relations,
            "fishbone": queries.root_cause_notes(problem),
            # The original may lie outside the user's scope (an organizer serving two
            # agencies marked it): then only the fact that it is a duplicate is shown.
            "duplicate_of_visible": bool(problem.duplicate_of_id)
            and queries.problems_for_user(request.user).filter(pk=problem.duplicate_of_id).exists(),
        },
        status=status,
    )


@require_GET
def problem_detail(request, pk):
    problem = queries.get_problem_for_user(request.user, pk)
    return _render_detail(request, problem)


@require_POST
def problem_transition(request, pk, action):
    problem = queries.get_problem_for_user(request.user, pk)
    action = action.replace("-", "_")
    if action not in ProblemAction.values:
        raise Http404
    kwargs = {}
    if action == ProblemAction.MARK_DUPLICATE:
        kwargs = {
            "targets": queries.duplicate_targets(request.user, problem),
            "candidates": queries.duplicate_candidates(request.user, problem),
        }
    form = TransitionForm(request.POST, prefix=action, action=action, **kwargs)
    if form.is_valid():
        try:
            services.problem_transition(
                problem=problem,
                action=action,
                by=request.user,
                note=form.cleaned_data["note"],
                duplicate_of=form.cleaned_data.get("duplicate_of"),
            )
        except (TransitionNotAllowed, PermissionDenied) as exc:
            messages.error(request, str(exc))
            return redirect("problems:problem_detail", pk=problem.pk)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, str(DONE[action]))
            return redirect("problems:problem_detail", pk=problem.pk)
    return _render_detail(request, problem, bound=form, status=400)


@require_POST
def problem_join(request, pk):
    """ "Our unit has this too": join the problem instead of writing it again."""
    problem = queries.get_problem_for_user(request.user, pk)
    error = ""
    try:
        services.problem_endorse(problem=problem, by=request.user)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.htmx:
        return render(
            request,
            "problems/problem_similar.html#join",
            {"problem": problem, "joined": not error, "join_error": error},
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Your unit joined this problem."))
    return redirect("problems:problem_detail", pk=problem.pk)


# --- Import ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def import_start(request):
    """Upload a CSV/XLSX of problems. Problem files are small (hundreds of rows), so the
    import runs in the request and the report is shown at once; large files go through
    ``membumi import-problems``."""
    if not rules.can_import_problems(request.user):
        raise Http404
    form = ProblemImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = import_problems(
            upload,
            upload.name,
            upload.size,
            by=request.user,
            allowed_agency_ids=queries.import_agency_ids(request.user),
        )
        if report.fatal:
            form.add_error("file", report.fatal)
            report = None
    return render(
        request,
        "problems/import_form.html",
        {"form": form, "report": report},
        status=400 if request.method == "POST" and report is None else 200,
    )


@require_GET
def import_template(request, fmt):
    if not rules.can_import_problems(request.user) or fmt not in ("csv", "xlsx"):
        raise Http404
    tmp = Path(tempfile.mkdtemp()) / f"template-masalah.{fmt}"
    write_template(tmp)
    return FileResponse(tmp.open("rb"), as_attachment=True, filename=tmp.name)
