from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.i18n import set_language as django_set_language

from membumi.accounts import rules as account_rules
from membumi.accounts.enums import Role
from membumi.accounts.queries import user_roles

from .models import AuditLog
from .queries import home_sections


@require_GET
def home(request):
    roles = user_roles(request.user)
    return render(
        request,
        "core/home.html",
        {
            "sections": home_sections(request.user),
            "roles": [(code, Role(code).label) for code in roles.codes()],
        },
    )


@require_GET
def audit_log(request):
    if not account_rules.is_platform_admin(request.user):
        raise Http404
    entries = AuditLog.objects.select_related("actor__employee")
    action = request.GET.get("action", "").strip()
    if action:
        entries = entries.filter(action=action)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    actions = AuditLog.objects.order_by("action").values_list("action", flat=True).distinct()
    return render(
        request,
        "core/auditlog_list.html",
        {"page_obj": page, "actions": actions, "action": action},
    )


set_language = login_not_required(django_set_language)


@login_not_required
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
