"""Action-plan pages for reading many plans: the plan list (``/plans/``), the review queue of
a coach or mentor (``/plans/review/``) and the similar plans side by side
(``/plans/<pk>/similar/``, coach, organizer and administrator only).

Every view reads the same way: authorize → read through ``queries`` → render. htmx requests
get a partial of the same template.
"""

import re

from django import forms
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from membumi.programs import rules as program_rules
from membumi.programs.models import Batch, Program
from membumi.text.stem import analyze

from .. import analysis, queries, rules
from ..enums import PlanState
from ..models import ActionPlan

PAGE_SIZE = 25
SIMILAR_LIMIT = 10


# --- Plan list --------------------------------------------------------------------------------


class PlanFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Participant's name or plan title"),
    )
    program = forms.ModelChoiceField(
        label=_("Program"),
        queryset=Program.objects.none(),
        required=False,
        empty_label=_("Any program"),
    )
    batch = forms.ModelChoiceField(
        label=_("Batch"), queryset=Batch.objects.none(), required=False, empty_label=_("Any batch")
    )
    state = forms.ChoiceField(label=_("State"), required=False)

    def __init__(self, *args, plans, **kwargs):
        super().__init__(*args, **kwargs)
        in_scope = plans.values("enrollment__batch_id")
        self.fields["batch"].queryset = (
            Batch.objects.filter(pk__in=in_scope)
            .select_related("program")
            .order_by("-start_date", "name")
        )
        self.fields["program"].queryset = (
            Program.objects.filter(batches__in=in_scope.values("enrollment__batch_id"))
            .distinct()
            .order_by("name")
        )
        self.fields["state"].choices = [("", _("Any state")), *PlanState.choices]


def _sees_others(user) -> bool:
    """Whether the user's list holds other people's plans (and needs the filters)."""
    from membumi.accounts.enums import Role
    from membumi.accounts.queries import user_roles

    return user_roles(user).has(Role.ORGANIZER, Role.PLATFORM_ADMIN, Role.TRAINER, Role.MENTOR)


@require_GET
def plan_list(request):
    user = request.user
    if not rules.can_browse_plans(user):
        raise Http404
    plans = queries.plans_for_user(user)
    sees_others = _sees_others(user)
    form = PlanFilterForm(request.GET or None, plans=plans) if sees_others else None
    filtered = plans
    clinic_batch = None
    if form is not None and form.is_valid():
        data = form.cleaned_data
        filtered = queries.filter_plans(
            plans,
            program=data["program"],
            batch=data["batch"],
            state=data["state"],
            text=data["q"].strip(),
        )
        clinic_batch = data["batch"]
    filtered = filtered.order_by("-updated_at", "-id")
    page_obj = Paginator(filtered, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page_obj": page_obj,
        "sees_others": sees_others,
        "filtered": bool(request.GET.get("q") or request.GET.get("program"))
        or bool(request.GET.get("batch") or request.GET.get("state")),
        "clinic_batches": list(queries.clinic_batches_for_user(user)),
        "clinic_batch": clinic_batch,
        "has_training": program_rules.has_training(user),
    }
    if request.htmx and request.htmx.target == "plan-results":
        return render(request, "action_plans/review_plan_list.html#results", context)
    return render(request, "action_plans/review_plan_list.html", context)


# --- Review queue -----------------------------------------------------------------------------


@require_GET
def review_queue(request):
    plans = list(queries.review_queue(request.user))
    now = timezone.now()
    for plan in plans:
        plan.waited = now - plan.submitted_at if plan.submitted_at else None
    return render(request, "action_plans/review_queue.html", {"plans": plans, "now": now})


# --- Similar plans side by side ---------------------------------------------------------------

_WORD_RE = re.compile(r"\w+|\W+", re.UNICODE)


def _stems(text: str) -> set[str]:
    return {stem for stem, _surface in analyze(text)}


def _marked(text: str, shared: set[str]) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, shared?) pieces: a word is marked when its stem is among the
    stems both plans use (stop words and numbers never are)."""
    pieces = []
    for piece in _WORD_RE.findall(text or ""):
        mark = False
        if piece[0].isalnum():
            stems = _stems(piece)
            mark = bool(stems) and stems <= shared
        if pieces and pieces[-1][1] == mark:
            pieces[-1] = (pieces[-1][0] + piece, mark)
        else:
            pieces.append((piece, mark))
    return pieces


def _side(plan, *, shared, visible: bool):
    """What one column shows of a plan. ``visible``: the plan is in the viewer's own scope
    (the participant's name is shown only then)."""
    enrollment = plan.enrollment
    batch = enrollment.batch
    return {
        "plan": plan,
        "title": _marked(plan.title, shared),
        "goal": _marked(plan.goal, shared),
        "milestones": [(m, _marked(m.output, shared)) for m in plan.milestones.all()],
        "batch": batch,
        "program": batch.program,
        "institution": batch.program.institution,
        "year": batch.start_date.year,
        "participant": enrollment.employee.name if visible else None,
        "visible": visible,
    }


@require_GET
def similar(request, pk):
    plan = queries.get_plan_for_user(request.user, pk)
    if not rules.can_see_similar(request.user, plan):
        raise Http404
    hits = analysis.similar_plans(plan, limit=SIMILAR_LIMIT)
    others = (
        ActionPlan.objects.select_related(
            "enrollment__batch__program__institution", "enrollment__employee"
        )
        .prefetch_related("milestones")
        .in_bulk([hit.plan_id for hit in hits])
    )
    visible = set(
        queries.plans_for_user(request.user)
        .filter(pk__in=list(others))
        .values_list("pk", flat=True)
    )
    own_stems = _stems(analysis.plan_text_of(plan))
    rows = []
    for hit in hits:
        other = others.get(hit.plan_id)
        if other is None or not rules.similar_plan_shown(other, in_scope=other.pk in visible):
            continue
        shared = own_stems & _stems(analysis.plan_text_of(other))
        rows.append(
            {
                "percent": round(hit.similarity * 100),
                "same_institution": other.enrollment.batch.program.institution_id
                == plan.enrollment.batch.program.institution_id,
                "this": _side(plan, shared=shared, visible=True),
                "other": _side(other, shared=shared, visible=other.pk in visible),
                "other_url_visible": other.pk in visible,
            }
        )
    return render(
        request,
        "action_plans/similar.html",
        {
            "plan": plan,
            "rows": rows,
            "threshold": round(analysis.THRESHOLD * 100),
        },
    )


urlpatterns = [
    path("", plan_list, name="plan_list"),
    path("review/", review_queue, name="review_queue"),
    path("<int:pk>/similar/", similar, name="similar"),
]
