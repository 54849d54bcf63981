from django.conf import settings

from membumi.notifications.queries import unread_count

from .navigation import navigation_for


def membumi(request):
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "unread_notifications": unread_count(user) if signed_in else 0,
        "MEMBUMI_DEMO": settings.MEMBUMI_DEMO,
        "nav_items": navigation_for(user, request.path) if user and user.is_authenticated else [],
    }
