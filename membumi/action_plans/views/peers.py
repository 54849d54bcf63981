"""The peer clinic (issue #4 item 6): participants of a batch give structured feedback on each
other's submitted plans, the author answers each, coach and organizer see all of it, the
mentor reads it.

* ``clinic`` (``/plans/clinic/<batch_pk>/``) — the batch's plans open for feedback, with the
  counts (given, given by me, unanswered);
* ``clinic_panel`` (``/plans/<pk>/clinic/panel/``) — the feedback thread and its forms. An
  htmx request gets the panel alone (the plan page embeds it); a plain request gets a page
  with the plan read-only above the panel (how batch-mates read a plan: they never get the
  plan page, the editor or the similar plans);
* ``clinic_feedback`` / ``clinic_answer`` (POST) — give feedback, answer one; htmx swaps the
  panel, without JavaScript the browser is redirected back to the panel page.

Refusals come from ``rules`` (peer clinic section) through ``clinic.py`` and are shown on the
form; the plain (non-htmx) page answers them with 400 / 403 / 409.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from membumi.core.exceptions import TransitionNotAllowed

from .. import clinic as clinic_services
from .. import queries, rules
from ..enums import PlanState, Term
from ..models import ActionPlan

PAGE_SIZE = 25
TEMPLATE = "action_plans/clinic_plan.html"


class FeedbackForm(forms.Form):
    strengths = forms.CharField(
        label=gettext_lazy("Strengths"),
        required=False,
        max_length=clinic_services.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What works well in this plan?"),
    )
    to_fix = forms.CharField(
        label=gettext_lazy("What to fix"),
        required=False,
        max_length=clinic_services.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What is unclear, unrealistic or missing? Suggest how to fix it."),
    )
    questions = forms.CharField(
        label=gettext_lazy("Questions"),
        required=False,
        max_length=clinic_services.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("What would you ask the author?"),
    )

    def clean(self):
        data = super().clean()
        if not any((data.get(name) or "").strip() for name in clinic_services.FEEDBACK_FIELDS):
            raise ValidationError(_("Fill in at least one: strengths, what to fix or a question."))
        return data


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=gettext_lazy("Your answer"),
        max_length=clinic_services.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _add_errors(form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _panel_context(
    request, plan, *, feedback_form=None, answer_form=None, answer_for=None, done=""
):
    user = request.user
    thread = list(queries.feedback_thread(plan))
    is_owner = rules.is_plan_owner(user, plan)
    refusal = rules.feedback_refusal(user, plan)
    for item in thread:
        item.can_answer = is_owner and not item.is_answered and rules.plan_open_for_clinic(plan)
        item.answer_form = (
            answer_form if answer_for == item.pk else AnswerForm(auto_id=f"id_answer_{item.pk}_%s")
        )
    return {
        "plan": plan,
        "thread": thread,
        "is_owner": is_owner,
        "can_give": refusal is None,
        # A refusal worth explaining: to the author, and to batch-mates when the plan is closed.
        "give_notice": refusal if (is_owner or rules.is_batch_mate(user, plan)) else "",
        "feedback_form": feedback_form or FeedbackForm(),
        "unanswered": sum(1 for item in thread if not item.is_answered),
        "done": done,
    }


def _page_context(request, plan):
    """The plan read-only above the panel (the full page)."""
    milestones = list(plan.milestones.all())
    terms = [(term, [m for m in milestones if m.term == term]) for term in Term]
    return {
        "terms": terms,
        "stakeholders": list(plan.stakeholders.all()),
        "plan_in_scope": queries.plans_for_user(request.user).filter(pk=plan.pk).exists(),
    }


def _render_panel(request, plan, status=200, **kwargs):
    context = _panel_context(request, plan, **kwargs)
    if request.htmx:
        return render(request, f"{TEMPLATE}#panel", context)
    context.update(_page_context(request, plan))
    return render(request, TEMPLATE, context, status=status)


def _readable_plan(request, pk) -> ActionPlan:
    plan = queries.get_clinic_plan_for_user(request.user, pk)
    if not rules.can_read_clinic_thread(request.user, plan):
        raise Http404
    return plan


def _panel_url(plan, anchor="") -> str:
    return reverse("action_plans:clinic_panel", args=[plan.pk]) + (f"#{anchor}" if anchor else "")


# --- Pages ------------------------------------------------------------------------------------


@require_GET
def clinic(request, batch_pk):
    user = request.user
    batch = queries.clinic_batch_for_user(user, batch_pk)
    page_obj = Paginator(queries.clinic_plans(user, batch), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    employee_id = getattr(user, "employee_id", None)
    my_plan = None
    if employee_id:
        my_plan = (
            ActionPlan.objects.filter(enrollment__batch=batch, enrollment__employee_id=employee_id)
            .exclude(state=PlanState.ABANDONED)
            .first()
        )
    return render(
        request,
        "action_plans/clinic.html",
        {
            "batch": batch,
            "page_obj": page_obj,
            "my_plan": my_plan,
            "employee_id": employee_id,
        },
    )


@require_GET
def clinic_panel(request, pk):
    return _render_panel(request, _readable_plan(request, pk))


def _clinic_write(request, plan, form, write, *, done: str, anchor):
    """Run one clinic write for a bound ``form``: refusals become form errors with their
    status (400 invalid, 403 not allowed, 409 not open); success answers with the panel
    (htmx) or a redirect to the thread. Returns ``(response or None, status)``."""
    status = 400
    if form.is_valid():
        try:
            result = write(form.cleaned_data)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            status = 403
        except TransitionNotAllowed as exc:
            form.add_error(None, exc.message if hasattr(exc, "message") else str(exc))
            status = 409
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            if request.htmx:
                return _render_panel(request, plan, done=done), status
            messages.success(request, done)
            return redirect(_panel_url(plan, anchor(result))), status
    return None, status


@require_POST
def clinic_feedback(request, pk):
    plan = _readable_plan(request, pk)
    form = FeedbackForm(request.POST)
    response, status = _clinic_write(
        request,
        plan,
        form,
        lambda data: clinic_services.peer_feedback_give(
            plan=plan,
            by=request.user,
            strengths=data["strengths"],
            to_fix=data["to_fix"],
            questions=data["questions"],
        ),
        done=_("Thank you: your feedback was sent to the author."),
        anchor=lambda feedback: f"feedback-{feedback.pk}",
    )
    return response or _render_panel(request, plan, status=status, feedback_form=form)


@require_POST
def clinic_answer(request, pk, fid):
    plan = _readable_plan(request, pk)
    feedback = plan.peer_feedback.filter(pk=fid).first()
    if feedback is None:
        raise Http404
    form = AnswerForm(request.POST, auto_id=f"id_answer_{fid}_%s")
    response, status = _clinic_write(
        request,
        plan,
        form,
        lambda data: clinic_services.peer_feedback_answer(
            feedback=feedback, by=request.user, answer=data["answer"]
        ),
        done=_("Your answer was sent."),
        anchor=lambda _answered: f"feedback-{fid}",
    )
    return response or _render_panel(
        request, plan, status=status, answer_form=form, answer_for=feedback.pk
    )


urlpatterns = [
    path("clinic/<int:batch_pk>/", clinic, name="clinic"),
    path("<int:pk>/clinic/panel/", clinic_panel, name="clinic_panel"),
    path("<int:pk>/clinic/feedback/", clinic_feedback, name="clinic_feedback"),
    path("<int:pk>/clinic/feedback/<int:fid>/answer/", clinic_answer, name="clinic_answer"),
]
