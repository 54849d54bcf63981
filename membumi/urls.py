from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from membumi.accounts import views as account_views
from membumi.accounts.forms import LoginForm
from membumi.api import views as api_views
from membumi.api.api import api
from membumi.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, authentication_form=LoginForm
        ),
        name="login",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("employees/", include("membumi.organizations.urls")),
    path("audit/", include("membumi.core.urls")),
    path("problems/", include("membumi.problems.urls")),
    path("needs/", include("membumi.needs.urls")),
    path("programs/", include("membumi.programs.urls")),
    path("plans/", include("membumi.action_plans.urls")),
    path("monitoring/", include("membumi.monitoring.urls")),
    path("seminars/", include("membumi.seminars.urls")),
    path("follow-ups/", include("membumi.evaluation.urls")),
    path("notifications/", include("membumi.notifications.urls")),
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", api_views.not_found),
    path("admin/", admin.site.urls),
]
