from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.utils.translation import gettext as _


@login_not_required
def not_found(request, rest=""):
    """Any other path under /api/: the API's JSON error shape (DESIGN §7), not an HTML page."""
    return JsonResponse({"detail": _("Not found."), "errors": {}}, status=404)
