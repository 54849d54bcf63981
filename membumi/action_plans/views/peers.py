"""Action-plan pages: the peer clinic (see the app README)."""

from django.http import Http404
from django.urls import path
from django.views.decorators.http import require_GET


@require_GET
def clinic(request, batch_pk):
    raise Http404


@require_GET
def clinic_panel(request, pk):
    raise Http404


urlpatterns = [
    path("clinic/<int:batch_pk>/", clinic, name="clinic"),
    path("<int:pk>/clinic/panel/", clinic_panel, name="clinic_panel"),
]
