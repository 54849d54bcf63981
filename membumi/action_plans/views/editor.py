"""The participant's plan in the browser: start a plan, the editor (autosave, milestones and
stakeholders without reloading, the live quality panel) and the plan page (read-only plan,
approvals, history and the lifecycle steps the user may take).

Every view reads the same way: look the plan up in the user's scope (404 outside it) →
authorize → bind the form → call the service → render the partial (htmx) or redirect. Every
form keeps a working ``action``, so the pages work without JavaScript too.

Autosave: the editor's forms post to ``…/autosave/`` (the plan) and ``…/milestones/<id>/``
(a milestone) as the participant types. Every valid field is saved even when another is not;
the answer swaps only the status line, the fields' error messages and the quality panel
(never the inputs being typed in) and says in ``HX-Trigger`` which fields were refused, so
``plan-editor.js`` keeps those in the browser.
"""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from membumi.core.exceptions import TransitionNotAllowed
from membumi.problems.models import Problem
from membumi.programs import queries as program_queries
from membumi.programs.enums import ProgramType
from membumi.programs.rules import enrollment_relations
from membumi.text.quality import term_window

from .. import queries, rules, services
from ..analysis import plan_quality
from ..enums import BerAkhlak, PlanAction, PlanState, Term
from ..forms import (
    MilestoneForm,
    PlanForm,
    StakeholderForm,
    TransitionForm,
    sent_fields,
    valid_changes,
)
from ..models import ActionPlan, PlanApproval

EDITOR = "action_plans/plan_editor.html"
DETAIL = "action_plans/plan_detail.html"
PLAN_FORM_ID = "plan-form"

DONE = {
    PlanAction.SUBMIT: gettext_lazy("The plan was submitted to your coach and mentor."),
    PlanAction.APPROVE: gettext_lazy("Your approval was recorded."),
    PlanAction.REQUEST_REVISION: gettext_lazy("A revision was requested."),
    PlanAction.START: gettext_lazy("The plan is now in progress."),
    PlanAction.COMPLETE: gettext_lazy("The plan is marked completed."),
    PlanAction.VERIFY: gettext_lazy("The plan was verified."),
    PlanAction.REJECT: gettext_lazy("The plan was sent back to in progress."),
    PlanAction.ABANDON: gettext_lazy("The plan was abandoned."),
}
NOTE_LABELS = {
    PlanAction.SUBMIT: gettext_lazy("Note for your coach and mentor (optional)"),
    PlanAction.APPROVE: gettext_lazy("Note (optional)"),
    PlanAction.REQUEST_REVISION: gettext_lazy("What should be revised? (required)"),
    PlanAction.START: gettext_lazy("Note (optional)"),
    PlanAction.COMPLETE: gettext_lazy("Note (optional)"),
    PlanAction.VERIFY: gettext_lazy("Note (optional)"),
    PlanAction.REJECT: gettext_lazy("Why is it sent back? (required)"),
    PlanAction.ABANDON: gettext_lazy("Why is the plan abandoned? (required)"),
}


def optional_url(name, *args) -> str:
    """The URL of a page another part of the app provides, or "" while it does not exist."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _is_latsar(plan) -> bool:
    return plan.enrollment.batch.program.program_type == ProgramType.LATSAR


def _problems(user, plan):
    """The problems the participant may address: their own and their unit's (open or
    validated), the enrolment's problem and the one the plan names now."""
    pickable = program_queries.pickable_problems(user).values("pk")
    keep = [pk for pk in (plan.enrollment.problem_id, plan.problem_id) if pk]
    return Problem.objects.filter(Q(pk__in=pickable) | Q(pk__in=keep)).order_by("title", "pk")


def _fresh(request, plan) -> ActionPlan:
    return queries.get_plan_for_user(request.user, plan.pk)


def _refuse(request, plan, message):
    """Back to the plan page with the reason (htmx: the window goes there)."""
    messages.error(request, message)
    url = reverse("action_plans:plan_detail", args=[plan.pk])
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _editable(request, pk):
    """(plan, None) when the user may edit the plan now, else (plan, refusal response).
    Outside the user's scope: 404."""
    plan = queries.get_plan_for_user(request.user, pk)
    if not rules.is_plan_owner(request.user, plan):
        return plan, _refuse(
            request, plan, _("Only the participant writes and changes their action plan.")
        )
    if not rules.plan_is_editable(plan):
        return plan, _refuse(
            request,
            plan,
            _(
                "The plan is %(state)s: it can be changed only as a draft or when a revision "
                "is requested."
            )
            % {"state": plan.get_state_display()},
        )
    return plan, None


def _epoch_ms(moment) -> int:
    return int(moment.timestamp() * 1000)


# --- Start a plan ----------------------------------------------------------------------------


@require_POST
def plan_create(request, enrollment_pk):
    enrollment = program_queries.get_enrollment_for_user(request.user, enrollment_pk)
    if "participant" not in enrollment_relations(request.user, enrollment):
        raise Http404
    existing = (
        ActionPlan.objects.filter(enrollment=enrollment).exclude(state=PlanState.ABANDONED).first()
    )
    if existing is not None:
        return redirect("action_plans:plan_edit", pk=existing.pk)
    title = enrollment.problem.title if enrollment.problem_id else _("My action plan")
    try:
        plan = services.action_plan_create(
            enrollment=enrollment, by=request.user, title=title[:200]
        )
    except (TransitionNotAllowed, PermissionDenied, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("programs:my_training")
    messages.success(request, _("Your action plan was started. It is saved as you type."))
    return redirect("action_plans:plan_edit", pk=plan.pk)


# --- The editor ------------------------------------------------------------------------------


def _milestone_form(milestone, latsar, data=None):
    return MilestoneForm(data, instance=milestone, prefix=f"ms-{milestone.pk}", latsar=latsar)


def _add_form(term, latsar, data=None):
    return MilestoneForm(
        data, prefix=f"new-{term}", latsar=latsar, fixed_term=True, initial={"term": term}
    )


def _term_groups(plan, *, bound_add=None, focus=""):
    """Milestones by term: (term, label, window, [(milestone, form)], add form)."""
    latsar = _is_latsar(plan)
    batch = plan.enrollment.batch
    milestones = list(plan.milestones.all())
    groups = []
    for term in Term:
        rows = [m for m in milestones if m.term == term]
        items = []
        for index, m in enumerate(rows):
            m.is_first = index == 0
            m.is_last = index == len(rows) - 1
            m.value_labels = [BerAkhlak(v).label for v in m.values if v in BerAkhlak.values]
            items.append((m, _milestone_form(m, latsar)))
        add = bound_add if bound_add is not None and bound_add.prefix == f"new-{term}" else None
        groups.append(
            {
                "term": term.value,
                "label": term.label,
                "window": term_window(term.value, batch.start_date, batch.end_date),
                "items": items,
                "add_form": add or _add_form(term.value, latsar),
                "focus": focus,
            }
        )
    return groups


def _editor_context(request, plan, *, form=None, bound_add=None, stakeholder_form=None):
    return {
        "plan": plan,
        "form": form or PlanForm(instance=plan, problems=_problems(request.user, plan)),
        "form_id": PLAN_FORM_ID,
        "groups": _term_groups(plan, bound_add=bound_add),
        "latsar": _is_latsar(plan),
        "stakeholders": list(plan.stakeholders.all()),
        "stakeholder_form": stakeholder_form or StakeholderForm(prefix="sh"),
        "quality": plan_quality(plan),
        "server_updated": _epoch_ms(plan.updated_at),
        "server_now": _epoch_ms(timezone.now()),
        "saved_at": None,
    }


@require_GET
def plan_edit(request, pk):
    plan, refusal = _editable(request, pk)
    if refusal:
        return refusal
    return render(request, EDITOR, _editor_context(request, plan))


def _saved(request, plan, *, form, form_id, invalid, partial="autosave", extra=None, status=200):
    """The answer to an autosave: status line, field errors, quality panel (out of band)."""
    context = {
        "plan": plan,
        "form": form,
        "form_id": form_id,
        "quality": plan_quality(plan),
        "saved_at": timezone.localtime(plan.updated_at),
        "invalid": invalid,
        **(extra or {}),
    }
    response = render(request, f"{EDITOR}#{partial}", context, status=status)
    response["HX-Trigger"] = _trigger(form_id, [form.add_prefix(n) for n in invalid], plan)
    return response


def _trigger(form_id, invalid, plan) -> str:
    """The ``HX-Trigger`` of an autosave: which form, which of its fields were refused (the
    browser keeps those), and the plan's new version time."""
    return json.dumps(
        {
            "membumi:autosaved": {
                "form": form_id,
                "invalid": invalid,
                "updated": _epoch_ms(plan.updated_at),
            }
        }
    )


def _apply_service_errors(form, exc: ValidationError) -> list[str]:
    names = []
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return names
    for name, errors in exc.message_dict.items():
        if name in form.fields:
            form.add_error(name, errors)
            names.append(name)
        else:
            form.add_error(None, errors)
    return names


@require_POST
def plan_autosave(request, pk):
    """Save every valid field of the plan form; report the invalid ones."""
    plan, refusal = _editable(request, pk)
    if refusal:
        return refusal
    before = {name: getattr(plan, name) for name in services.PLAN_FIELDS}
    before["problem"] = plan.problem
    form = PlanForm(request.POST, problems=_problems(request.user, plan))
    changes, invalid = valid_changes(form, before, sent_fields(form, request.POST))
    if changes:
        problem = changes.pop("problem", ...)
        try:
            plan = services.action_plan_update(
                plan=plan, by=request.user, problem=problem, **changes
            )
        except ValidationError as exc:
            # The service refused a field the form accepted: save the others.
            refused = _apply_service_errors(form, exc)
            invalid += refused
            rest = {k: v for k, v in changes.items() if k not in refused}
            if "problem" in refused:
                problem = ...
            if refused and (rest or problem is not ...):
                try:
                    plan = services.action_plan_update(
                        plan=plan, by=request.user, problem=problem, **rest
                    )
                except ValidationError as again:
                    invalid += _apply_service_errors(form, again)
        except (TransitionNotAllowed, PermissionDenied) as exc:
            return _refuse(request, plan, str(exc))
        plan = _fresh(request, plan)
    if not request.htmx:
        if form.errors:
            context = _editor_context(request, plan, form=form)
            return render(request, EDITOR, context, status=400)
        messages.success(request, _("The plan was saved."))
        return redirect("action_plans:plan_edit", pk=plan.pk)
    return _saved(request, plan, form=form, form_id=PLAN_FORM_ID, invalid=invalid)


@require_GET
def plan_quality_hx(request, pk):
    """The quality panel (anyone who sees the plan)."""
    plan = queries.get_plan_for_user(request.user, pk)
    return render(request, f"{EDITOR}#quality", {"plan": plan, "quality": plan_quality(plan)})


# --- Milestones ------------------------------------------------------------------------------


def _milestone(plan, mid):
    for milestone in plan.milestones.all():
        if milestone.pk == mid:
            return milestone
    raise Http404


def _term_response(request, plan, term, *, bound_add=None, focus="", status=200):
    """One term's milestones (htmx) or back to the editor."""
    if not request.htmx:
        if bound_add is not None and bound_add.errors:
            context = _editor_context(request, plan, bound_add=bound_add)
            return render(request, EDITOR, context, status=400)
        return redirect(reverse("action_plans:plan_edit", args=[plan.pk]) + f"#term-{term}")
    groups = _term_groups(plan, bound_add=bound_add, focus=focus)
    group = next(g for g in groups if g["term"] == term)
    return render(
        request,
        f"{EDITOR}#term_response",
        {
            "plan": plan,
            "group": group,
            "latsar": _is_latsar(plan),
            "quality": plan_quality(plan),
            "saved_at": timezone.localtime(plan.updated_at),
        },
        status=status,
    )


@require_POST
def milestone_add(request, pk, term):
    plan, refusal = _editable(request, pk)
    if refusal:
        return refusal
    if term not in Term.values:
        raise Http404
    form = _add_form(term, _is_latsar(plan), data=request.POST)
    if form.is_valid():
        fields = form.service_fields()
        fields["term"] = term
        try:
            services.milestone_add(plan=plan, by=request.user, **fields)
        except ValidationError as exc:
            _apply_service_errors(form, exc)
        except (TransitionNotAllowed, PermissionDenied) as exc:
            return _refuse(request, plan, str(exc))
        else:
            form = None
    return _term_response(request, _fresh(request, plan), term, bound_add=form)


@require_POST
def milestone_save(request, pk, mid):
    """Autosave of one milestone row: every valid field is saved."""
    plan, refusal = _editable(request, pk)
    if refusal:
        return refusal
    milestone = _milestone(plan, mid)
    latsar = _is_latsar(plan)
    before = {
        name: getattr(milestone, name)
        for name in ("term", "output", "due_date", "budget", "responsible", "values")
    }
    form = _milestone_form(milestone, latsar, data=request.POST)
    # ModelForm validation writes the valid values onto the instance: compare with ``before``.
    changes, invalid = valid_changes(form, before, sent_fields(form, request.POST))
    if changes:
        try:
            services.milestone_update(milestone=milestone, by=request.user, **changes)
        except ValidationError as exc:
            invalid += _apply_service_errors(form, exc)
        except (TransitionNotAllowed, PermissionDenied) as exc:
            return _refuse(request, plan, str(exc))
    plan = _fresh(request, plan)
    if not request.htmx:
        if form.errors:
            messages.error(request, _("Some fields of the milestone were not saved."))
        return redirect(reverse("action_plans:plan_edit", args=[plan.pk]) + f"#ms-{mid}")
    if "term" in changes:
        # The milestone moves to another term: both groups change.
        response = render(
            request,
            f"{EDITOR}#milestones_response",
            {
                "plan": plan,
                "groups": _term_groups(plan),
                "latsar": latsar,
                "quality": plan_quality(plan),
                "saved_at": timezone.localtime(plan.updated_at),
            },
        )
        response["HX-Retarget"] = "#milestones"
        response["HX-Reswap"] = "outerHTML"
        response["HX-Trigger"] = _trigger(f"ms-{mid}", [form.add_prefix(n) for n in invalid], plan)
        return response
    return _saved(request, plan, form=form, form_id=f"ms-{mid}", invalid=invalid)


@require_POST
def milestone_remove(request, pk, mid):
    plan, refusal = _editable(request, pk)
    if refusal:
        return refusal
    milestone = _milestone(plan, mid)
    term = milestone.term
    try:
        services.milestone_remove(milestone=milestone, by=request.user)
    except (TransitionNotAllowed, PermissionDenied) as exc:
        return _refuse(request, plan, str(exc))
    return _term_response(request, _fresh(request, plan), term)


@require_POST
def milestone_move(request, pk, mid, direction):
    """Move a milestone up or down among the milestones of its term."""
    plan, refusal = _editable(request, pk)
    if refusal:
        return refusal
    if direction not in ("up", "down"):
        raise Http404
    milestone = _milestone(plan, mid)
    order = [m.pk for m in plan.milestones.all()]
    same_term = [m.pk for m in plan.milestones.all() if m.term == milestone.term]
    index = same_term.index(milestone.pk)
    neighbour = index - 1 if direction == "up" else index + 1
    if 0 <= neighbour < len(same_term):
        a, b = order.index(milestone.pk), order.index(same_term[neighbour])
        order[a], order[b] = order[b], order[a]
        try:
            services.milestone_reorder(plan=plan, by=request.user, order=order)
        except (TransitionNotAllowed, PermissionDenied) as exc:
            return _refuse(request, plan, str(exc))
    return _term_response(
        request, _fresh(request, plan), milestone.term, focus=f"ms-{mid}-{direction}"
    )


# --- Stakeholders ----------------------------------------------------------------------------


def _stakeholders_response(request, plan, *, form=None, status=200):
    if not request.htmx:
        if form is not None and form.errors:
            context = _editor_context(request, plan, stakeholder_form=form)
            return render(request, EDITOR, context, status=400)
        return redirect(reverse("action_plans:plan_edit", args=[plan.pk]) + "#stakeholders")
    return render(
        request,
        f"{EDITOR}#stakeholders_response",
        {
            "plan": plan,
            "stakeholders": list(plan.stakeholders.all()),
            "stakeholder_form": form or StakeholderForm(prefix="sh"),
            "quality": plan_quality(plan),
            "saved_at": timezone.localtime(plan.updated_at),
        },
        status=status,
    )


@require_POST
def stakeholder_add(request, pk):
    plan, refusal = _editable(request, pk)
    if refusal:
        return refusal
    form = StakeholderForm(request.POST, prefix="sh")
    if form.is_valid():
        try:
            services.stakeholder_add(plan=plan, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_service_errors(form, exc)
        except (TransitionNotAllowed, PermissionDenied) as exc:
            return _refuse(request, plan, str(exc))
        else:
            form = None
    return _stakeholders_response(request, _fresh(request, plan), form=form)


@require_POST
def stakeholder_remove(request, pk, sid):
    plan, refusal = _editable(request, pk)
    if refusal:
        return refusal
    stakeholder = next((s for s in plan.stakeholders.all() if s.pk == sid), None)
    if stakeholder is None:
        raise Http404
    try:
        services.stakeholder_remove(stakeholder=stakeholder, by=request.user)
    except (TransitionNotAllowed, PermissionDenied) as exc:
        return _refuse(request, plan, str(exc))
    return _stakeholders_response(request, _fresh(request, plan))


# --- The plan page ---------------------------------------------------------------------------


def _offered_actions(user, plan, relations, approvals) -> list[str]:
    """The steps the user may take now (``rules.allowed_actions``), without the ones that
    would only be refused for a reason the page already shows (an approval already given in
    this round; a mentor's acknowledgement with no pending request)."""
    actions = rules.allowed_actions(plan.state, relations)
    given = {a.role for a in approvals if a.decision == "approved"}
    mine = rules.reviewer_roles(relations)
    if PlanAction.APPROVE in actions and mine and mine <= given:
        actions.remove(PlanAction.APPROVE)
    if PlanAction.ABANDON in actions:
        organizer = relations & rules.ORGANIZERS
        mentor_only = "mentor" in relations and not organizer and "participant" not in relations
        if (mentor_only and not plan.abandon_requested_at) or (
            "participant" in relations and not organizer and plan.abandon_requested_at
        ):
            actions.remove(PlanAction.ABANDON)
    return actions


def _render_detail(request, plan, *, bound=None, status=200):
    relations = rules.plan_relations(request.user, plan)
    approvals = list(
        PlanApproval.objects.filter(plan=plan, review_round=plan.review_round)
        .select_related("by__employee")
        .order_by("role")
    )
    forms = []
    for action in _offered_actions(request.user, plan, relations, approvals):
        if bound is not None and bound.action == action:
            forms.append(bound)
        else:
            forms.append(
                TransitionForm(prefix=action, action=action, note_label=NOTE_LABELS.get(action))
            )
    clinic_url = optional_url("action_plans:clinic_panel", plan.pk)
    similar_url = (
        optional_url("action_plans:similar", plan.pk)
        if rules.can_see_similar(request.user, plan)
        else ""
    )
    is_owner = "participant" in relations
    return render(
        request,
        DETAIL,
        {
            "plan": plan,
            "groups": _term_groups(plan),
            "stakeholders": list(plan.stakeholders.all()),
            "approvals": approvals,
            "required": sorted(rules.required_approvals(plan)),
            "history": queries.plan_history(plan).select_related("by__employee"),
            "action_forms": forms,
            "can_edit": is_owner and rules.plan_is_editable(plan),
            "is_owner": is_owner,
            "quality": plan_quality(plan) if rules.plan_is_editable(plan) or not is_owner else None,
            "clinic_url": clinic_url,
            "similar_url": similar_url,
        },
        status=status,
    )


@require_GET
def plan_detail(request, pk):
    plan = queries.get_plan_for_user(request.user, pk)
    return _render_detail(request, plan)


@require_POST
def plan_act(request, pk, action):
    """One lifecycle step from the plan page (``services.action_plan_transition``)."""
    plan = queries.get_plan_for_user(request.user, pk)
    action = action.replace("-", "_")
    if action not in PlanAction.values:
        raise Http404
    form = TransitionForm(
        request.POST, prefix=action, action=action, note_label=NOTE_LABELS.get(action)
    )
    if form.is_valid():
        try:
            plan = services.action_plan_transition(
                plan=plan, action=action, by=request.user, note=form.cleaned_data["note"]
            )
        except (TransitionNotAllowed, PermissionDenied) as exc:
            messages.error(request, str(exc))
            return redirect("action_plans:plan_detail", pk=plan.pk)
        except ValidationError as exc:
            for name, errors in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
                form.add_error("note" if name == "note" else None, errors)
        else:
            message = DONE[action]
            if action == PlanAction.APPROVE and plan.state == PlanState.SUBMITTED:
                message = _("Your approval was recorded; the plan waits for the other approval.")
            elif action == PlanAction.APPROVE:
                message = _("The plan is approved.")
            elif action == PlanAction.ABANDON and plan.state != PlanState.ABANDONED:
                message = _("Your request to abandon the plan was sent to your mentor.")
            messages.success(request, str(message))
            return redirect("action_plans:plan_detail", pk=plan.pk)
    plan = queries.get_plan_for_user(request.user, pk)
    return _render_detail(request, plan, bound=form, status=400)


urlpatterns = [
    path("start/<int:enrollment_pk>/", plan_create, name="plan_create"),
    path("<int:pk>/", plan_detail, name="plan_detail"),
    path("<int:pk>/edit/", plan_edit, name="plan_edit"),
    path("<int:pk>/autosave/", plan_autosave, name="plan_autosave"),
    path("<int:pk>/quality/", plan_quality_hx, name="plan_quality"),
    path("<int:pk>/milestones/add/<str:term>/", milestone_add, name="milestone_add"),
    path("<int:pk>/milestones/<int:mid>/", milestone_save, name="milestone_save"),
    path("<int:pk>/milestones/<int:mid>/remove/", milestone_remove, name="milestone_remove"),
    path(
        "<int:pk>/milestones/<int:mid>/move/<str:direction>/",
        milestone_move,
        name="milestone_move",
    ),
    path("<int:pk>/stakeholders/add/", stakeholder_add, name="stakeholder_add"),
    path("<int:pk>/stakeholders/<int:sid>/remove/", stakeholder_remove, name="stakeholder_remove"),
    path("<int:pk>/act/<str:action>/", plan_act, name="plan_act"),
]
