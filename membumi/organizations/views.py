import io
import tempfile
from pathlib import Path

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from . import rules
from .forms import EmployeeFilterForm, EmployeeImportForm
from .importing import write_template
from .models import ImportJob
from .queries import (
    agencies_for_user,
    employees_for_user,
    get_employee_for_user,
    search_employees,
    units_for_user,
)
from .services import import_job_create
from .tasks import run_employee_import

PAGE_SIZE = 25


@require_GET
def employee_list(request):
    if not rules.can_browse_employees(request.user):
        raise Http404
    form = EmployeeFilterForm(
        request.GET or None,
        agencies=agencies_for_user(request.user),
        units=units_for_user(request.user).order_by("agency__name", "path"),
    )
    employees = employees_for_user(request.user)
    if form.is_valid():
        employees = search_employees(
            employees,
            text=form.cleaned_data["q"],
            agency=form.cleaned_data["agency"],
            unit=form.cleaned_data["unit"],
        )
    elif form.is_bound:
        employees = employees.none()  # a filter that is not valid must not widen the list
    page = Paginator(employees.order_by("name", "nip"), PAGE_SIZE).get_page(request.GET.get("page"))
    template = "organizations/employee_list.html"
    if request.htmx and request.htmx.target == "employee-results":
        template += "#results"
    return render(request, template, {"form": form, "page_obj": page})


@require_GET
def employee_detail(request, nip):
    employee = get_employee_for_user(request.user, nip)
    subordinates = employees_for_user(request.user).filter(supervisor=employee).order_by("name")
    return render(
        request,
        "organizations/employee_detail.html",
        {"employee": employee, "subordinates": subordinates[:50]},
    )


def _get_import_job_for_user(user, pk) -> ImportJob:
    if not rules.can_import_employees(user):
        raise Http404
    return get_object_or_404(ImportJob.objects.filter(started_by=user), pk=pk)


@require_http_methods(["GET", "POST"])
def import_start(request):
    if not rules.can_import_employees(request.user):
        raise Http404
    form = EmployeeImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = import_job_create(upload=form.cleaned_data["file"], by=request.user)
        run_employee_import.enqueue(job.pk)
        messages.success(request, _("The file was received; the import runs in the background."))
        return redirect("organizations:import_detail", pk=job.pk)
    jobs = ImportJob.objects.filter(started_by=request.user)[:10]
    return render(request, "organizations/import_form.html", {"form": form, "jobs": jobs})


@require_GET
def import_detail(request, pk):
    job = _get_import_job_for_user(request.user, pk)
    errors = Paginator(job.errors, 50).get_page(request.GET.get("page"))
    template = "organizations/import_detail.html"
    if request.htmx:
        template += "#progress"
    return render(request, template, {"job": job, "page_obj": errors})


@require_GET
def import_template(request, fmt):
    if not rules.can_import_employees(request.user) or fmt not in ("csv", "xlsx"):
        raise Http404
    name = f"template-pegawai.{fmt}"
    with tempfile.TemporaryDirectory() as tmp:  # removed again: one download left a dir behind
        content = write_template(Path(tmp) / name).read_bytes()
    return FileResponse(io.BytesIO(content), as_attachment=True, filename=name)
