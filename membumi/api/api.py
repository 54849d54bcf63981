"""The JSON API under /api/v1/ (DESIGN §7). Routers live in each app's ``api.py``; this
module assembles them and turns exceptions into the error shape every client can rely on:
``{"detail": "<message in Bahasa Indonesia>", "errors": {"field": ["message", ...]}}``."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from membumi.accounts.api import router as accounts_router
from membumi.core.exceptions import PermissionDeniedForRole, TransitionNotAllowed
from membumi.organizations.api import router as organizations_router

from .auth import AUTH

api = NinjaAPI(
    title="Membumi API",
    version="1",
    description=(
        "Grounded ASN training. Authenticate with `POST /api/v1/auth/token` and send "
        "`Authorization: Bearer <token>`; browsers use their session. Errors are JSON: "
        "`detail` (a message in Bahasa Indonesia) and `errors` (per field)."
    ),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    auth=AUTH,
)
api.add_router("", accounts_router)
api.add_router("/employees", organizations_router)
api.add_router("/problems", "membumi.problems.api.router")
api.add_router("/needs-analyses", "membumi.needs.api.router")
api.add_router("", "membumi.programs.api.router")
api.add_router("/action-plans", "membumi.action_plans.api.router")
api.add_router("", "membumi.monitoring.api.router")
api.add_router("/follow-ups", "membumi.evaluation.api.router")


def error(request, status: int, detail: str, errors: dict | None = None):
    return api.create_response(request, {"detail": detail, "errors": errors or {}}, status=status)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return error(request, 401, _("Authentication required: send a valid Bearer token or log in."))


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error(request, 404, _("Not found."))


@api.exception_handler(PermissionDenied)
@api.exception_handler(PermissionDeniedForRole)
def on_forbidden(request, exc):
    return error(request, 403, str(exc) or _("Your role may not do this."))


@api.exception_handler(TransitionNotAllowed)
def on_conflict(request, exc):
    return error(request, 409, str(exc))


@api.exception_handler(ValidationError)
def on_django_validation(request, exc):
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return error(request, 400, _("The data is not valid."), errors)


@api.exception_handler(NinjaValidationError)
def on_ninja_validation(request, exc):
    errors: dict[str, list[str]] = {}
    for item in exc.errors:
        loc = [
            str(part)
            for part in item.get("loc", [])
            if part not in ("body", "query", "path", "payload")
        ]
        errors.setdefault(".".join(loc) or "__all__", []).append(item.get("msg", ""))
    return error(request, 400, _("The data is not valid."), errors)


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    return error(request, exc.status_code, str(exc))
