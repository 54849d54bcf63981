"""Action-plan pages: plan list, review queue, similar plans side by side (see the app README)."""

from django.http import Http404, HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET


@require_GET
def plan_list(request):
    return HttpResponse("")  # placeholder, replaced below in this module's history


@require_GET
def review_queue(request):
    return HttpResponse("")


@require_GET
def similar(request, pk):
    raise Http404


urlpatterns = [
    path("", plan_list, name="plan_list"),
    path("review/", review_queue, name="review_queue"),
    path("<int:pk>/similar/", similar, name="similar"),
]
