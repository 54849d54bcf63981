from django.conf import settings

from .navigation import navigation_for


def membumi(request):
    user = getattr(request, "user", None)
    return {
        "MEMBUMI_DEMO": settings.MEMBUMI_DEMO,
        "nav_items": navigation_for(user, request.path) if user and user.is_authenticated else [],
    }
