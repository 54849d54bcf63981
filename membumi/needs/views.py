"""Needs analysis pages: list and run analyses, the needs table (with htmx-polled progress),
curation of needs (rename inline, merge, move/split, accept), XLSX and printable exports.

Every view: authorize (scoped lookup, 404 outside the scope) → bind form → call a service →
redirect or render; htmx requests get a partial of the same template.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from membumi.core.exceptions import TransitionNotAllowed

from . import exporting, queries, rules, services
from .forms import NeedMergeForm, NeedMoveForm, NeedRenameForm, NeedsAnalysisForm
from .models import NeedsAnalysis
from .tasks import run_needs_analysis

PAGE_SIZE = 25
PROBLEMS_PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_analyst(user) -> None:
    if not rules.can_analyse(user):
        raise Http404


def _next_url(request) -> str:
    url = request.POST.get("next", "")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- Analyses ----------------------------------------------------------------------------------


@require_GET
def analysis_list(request):
    _require_analyst(request.user)
    analyses = queries.analyses_with_counts(queries.analyses_for_user(request.user))
    page = Paginator(analyses, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "needs/needsanalysis_list.html", {"page_obj": page})


@require_http_methods(["GET", "POST"])
def analysis_create(request):
    _require_analyst(request.user)
    institutions = list(queries.institutions_for_user(request.user).order_by("name"))
    if not institutions:
        raise Http404
    data = request.POST if request.method == "POST" else request.GET
    units = queries.served_units(institutions)
    chosen = [code for code in data.getlist("agencies") if code]
    if chosen:  # the unit list follows the agencies chosen
        units = units.filter(agency__code__in=chosen)
    form = NeedsAnalysisForm(
        request.POST or None,
        institutions=queries.institutions_for_user(request.user).order_by("name"),
        agencies=queries.served_agencies(institutions).order_by("name"),
        units=units,
    )
    if request.htmx and request.method == "GET" and request.htmx.target == "units-field":
        return render(request, "needs/needsanalysis_form.html#units-field", {"form": form})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            analysis = services.needs_analysis_start(
                institution=data["institution"],
                by=request.user,
                title=data["title"],
                agencies=data["agencies"],
                units=data["units"],
                sectors=data["sectors"],
                period_from=data["period_from"],
                period_to=data["period_to"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error("institution", str(exc))
        else:
            run_needs_analysis.enqueue(analysis.pk)
            messages.success(request, _("The analysis has started; this page follows it."))
            return redirect("needs:analysis_detail", pk=analysis.pk)
    return render(request, "needs/needsanalysis_form.html", {"form": form})


def _detail_context(request, analysis):
    needs = queries.needs_table(analysis) if analysis.status == NeedsAnalysis.Status.DONE else []
    return {
        "analysis": analysis,
        "needs": needs,
        "scope": queries.scope_display(analysis),
        "accepted_count": sum(1 for n in needs if n.accepted),
    }


@require_GET
def analysis_detail(request, pk):
    analysis = queries.get_analysis_for_user(request.user, pk)
    template = "needs/needsanalysis_detail.html"
    if request.htmx and request.htmx.target == "analysis-progress":
        # The progress card polls itself; once finished, the whole page reloads.
        response = render(request, f"{template}#progress", {"analysis": analysis})
        if analysis.is_finished:
            response["HX-Refresh"] = "true"
        return response
    return render(request, template, _detail_context(request, analysis))


@require_GET
def analysis_print(request, pk):
    analysis = queries.get_analysis_for_user(request.user, pk)
    if analysis.status != NeedsAnalysis.Status.DONE:
        raise Http404
    services.needs_analysis_record_export(analysis=analysis, by=request.user, fmt="print")
    return render(request, "needs/needsanalysis_print.html", _detail_context(request, analysis))


@require_GET
def analysis_export(request, pk):
    analysis = queries.get_analysis_for_user(request.user, pk)
    if analysis.status != NeedsAnalysis.Status.DONE:
        raise Http404
    content = exporting.write_xlsx(analysis)
    services.needs_analysis_record_export(analysis=analysis, by=request.user, fmt="xlsx")
    name = slugify(analysis.title) or "analisis-kebutuhan"
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}-{analysis.pk}.xlsx"'
    return response


# --- Needs -------------------------------------------------------------------------------------


def _need_context(request, need, **forms):
    problems = queries.need_problems(need)
    page = Paginator(problems, PROBLEMS_PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "need": need,
        "analysis": need.analysis,
        "figures": queries.needs_with_figures(need.analysis).get(pk=need.pk),
        "page_obj": page,
        "rename_form": forms.get("rename_form") or NeedRenameForm(initial={"label": need.label}),
        "merge_form": forms.get("merge_form") or NeedMergeForm(need=need),
        "move_form": forms.get("move_form")
        or NeedMoveForm(need=need, problem_ids=[p.pk for p in page]),
        "editable": rules.need_is_editable(need),
    }


@require_GET
def need_detail(request, pk):
    need = queries.get_need_for_user(request.user, pk)
    return render(request, "needs/need_detail.html", _need_context(request, need))


def _need_row(request, need, *, error=""):
    """The need's row of the needs table, figures included (for htmx swaps)."""
    row = next(n for n in queries.needs_table(need.analysis) if n.pk == need.pk)
    return render(
        request,
        "needs/needsanalysis_detail.html#need-row",
        {"need": row, "analysis": need.analysis, "error": error},
    )


@require_http_methods(["GET", "POST"])
def need_rename(request, pk):
    need = queries.get_need_for_user(request.user, pk)
    form = NeedRenameForm(request.POST or None, initial={"label": need.label})
    if request.method == "POST" and form.is_valid():
        try:
            need = services.need_rename(
                need=need, by=request.user, label=form.cleaned_data["label"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        except TransitionNotAllowed as exc:
            form.add_error(None, str(exc))
        else:
            if request.htmx:
                return render(request, "needs/needsanalysis_detail.html#need-label", {"need": need})
            messages.success(request, _("Renamed to “%(label)s”.") % {"label": need.label})
            return redirect("needs:need_detail", pk=need.pk)
    if request.htmx:
        return render(
            request, "needs/needsanalysis_detail.html#rename-form", {"need": need, "form": form}
        )
    return render(request, "needs/need_detail.html", _need_context(request, need, rename_form=form))


@require_POST
def need_accept(request, pk):
    need = queries.get_need_for_user(request.user, pk)
    accept = request.POST.get("accepted", "1") != "0"
    try:
        if accept:
            need = services.need_accept(need=need, by=request.user)
        else:
            need = services.need_unaccept(need=need, by=request.user)
    except TransitionNotAllowed as exc:
        if request.htmx:
            return _need_row(request, need, error=str(exc))
        messages.error(request, str(exc))
    else:
        if request.htmx:
            return _need_row(request, need)
        if accept:
            messages.success(request, _("“%(label)s” is accepted.") % {"label": need.label})
        else:
            messages.success(
                request, _("“%(label)s” is no longer accepted.") % {"label": need.label}
            )
    return redirect(_next_url(request) or need.analysis.get_absolute_url())


@require_POST
def need_merge(request, pk):
    need = queries.get_need_for_user(request.user, pk)
    form = NeedMergeForm(request.POST, need=need)
    if form.is_valid():
        try:
            target = services.need_merge(
                source=need, target=form.cleaned_data["target"], by=request.user
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        except TransitionNotAllowed as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("“%(source)s” was merged into “%(target)s”.")
                % {"source": need.label, "target": target.label},
            )
            return redirect("needs:need_detail", pk=target.pk)
    return render(request, "needs/need_detail.html", _need_context(request, need, merge_form=form))


@require_POST
def need_move(request, pk):
    need = queries.get_need_for_user(request.user, pk)
    problem_ids = list(need.memberships.values_list("problem_id", flat=True))
    form = NeedMoveForm(request.POST, need=need, problem_ids=problem_ids)
    if form.is_valid():
        data = form.cleaned_data
        try:
            target = services.need_move_problems(
                need=need,
                problems=data["problems"],
                target=data["target"],
                new_label=data["new_label"],
                by=request.user,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        except TransitionNotAllowed as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("%(n)d problems moved to “%(label)s”.")
                % {"n": len(data["problems"]), "label": target.label},
            )
            if need.pk and need.memberships.exists():
                return redirect("needs:need_detail", pk=need.pk)
            return redirect("needs:need_detail", pk=target.pk)
    return render(request, "needs/need_detail.html", _need_context(request, need, move_form=form))
