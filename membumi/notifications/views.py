from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from . import queries, services

PAGE_SIZE = 25


@require_GET
def notification_list(request):
    unread_only = request.GET.get("show") == "unread"
    items = queries.notifications_for(request.user, unread_only=unread_only)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {
            "page_obj": page,
            "unread_only": unread_only,
            "unread": queries.unread_count(request.user),
        },
    )


@require_POST
def notification_open(request, pk):
    """Mark the notification read and go to what it is about."""
    notification = get_object_or_404(queries.notifications_for(request.user), pk=pk)
    services.notification_mark_read(user=request.user, pk=notification.pk)
    target = notification.url
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("notifications:list")


@require_POST
def notification_read_all(request):
    services.notification_mark_all_read(user=request.user)
    return redirect("notifications:list")
