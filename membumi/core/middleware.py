from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import render, resolve_url
from django.utils import translation
from django.utils.cache import patch_vary_headers

API_PREFIX = "/api/"


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Deny by default. The JSON API authenticates on its own (token or session) and answers
    401 in JSON instead of redirecting, so it is the one prefix this middleware leaves alone."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith(API_PREFIX):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)

    def handle_no_permission(self, request, view_func):
        """An htmx request (a search as one types, a progress poll) after the session ended
        would swap the whole login page into the fragment; send the window there instead,
        to come back to the page the user was on."""
        if request.headers.get("HX-Request") != "true":
            return super().handle_no_permission(request, view_func)
        page = urlsplit(request.headers.get("HX-Current-URL", ""))
        back = page.path + (f"?{page.query}" if page.query else "") or request.get_full_path()
        login = redirect_to_login(
            back,
            resolve_url(self.get_login_url(view_func)),
            self.get_redirect_field_name(view_func),
        )
        response = HttpResponse(status=204)
        response["HX-Redirect"] = login["Location"]
        return response


def axes_lockout_response(request, original_response=None, credentials=None):
    """``AXES_LOCKOUT_CALLABLE``: what a locked-out login attempt gets back.

    The JSON API answers a lockout itself (429 with the usual ``{"detail", "errors"}`` body),
    so its response is kept; pages get the HTML "locked out" page."""
    if request.path_info.startswith(API_PREFIX) and original_response is not None:
        return original_response
    return render(
        request,
        settings.AXES_LOCKOUT_TEMPLATE,
        {"failure_limit": settings.AXES_FAILURE_LIMIT},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


class ContentSecurityPolicyMiddleware:
    """A strict CSP: no inline scripts or styles anywhere in Membumi's own pages."""

    POLICY = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
        "base-uri 'self'; object-src 'none'"
    )
    # Swagger UI (the API docs) sets inline styles on its widgets.
    DOCS_POLICY = POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            docs = request.path_info.startswith(API_PREFIX) and request.path_info.endswith("/docs")
            response["Content-Security-Policy"] = self.DOCS_POLICY if docs else self.POLICY
        return response


class PreferredLanguageMiddleware:
    """Bahasa Indonesia unless the user chose another language (the language switcher sets a
    cookie). Unlike Django's LocaleMiddleware, the browser's Accept-Language is ignored: many
    civil servants' browsers say English, but Membumi speaks Indonesian by default."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ["Cookie"])
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response
