"""Follow-up pages: "My follow-ups" (participant and mentor), one form (answer it, or read
it), the roll-up per batch (organizer, trainer/coach, admin) and a program's policy.

Every view reads the same way: authorize (scoped lookup → 404 outside scope) → bind form →
call service → redirect or render.
"""

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from membumi.core.exceptions import TransitionNotAllowed
from membumi.programs.models import Program
from membumi.programs.queries import get_program_for_user

from . import queries, rules, services
from .enums import FollowUpStatus, RespondentRole
from .forms import AnswerForm, PolicyForm

PAGE_SIZE = 20
ROLLUP_PAGE_SIZE = 25


def _apply_errors(form, exc: ValidationError):
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.message_dict.items():
        target = name if name in form.fields and name != NON_FIELD_ERRORS else None
        for message in errors:
            form.add_error(target, message)


def _decorate(follow_up, user, today):
    follow_up.status = rules.follow_up_status(follow_up, today)
    follow_up.mine = rules.is_respondent(user, follow_up)
    follow_up.is_self = follow_up.role == RespondentRole.PARTICIPANT
    return follow_up


@require_GET
def my_follow_ups(request):
    today = timezone.localdate()
    pending_only = request.GET.get("show") == "pending"
    items = queries.my_follow_ups(request.user, today=today, pending_only=pending_only)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    for follow_up in page.object_list:
        _decorate(follow_up, request.user, today)
    return render(
        request,
        "evaluation/my_list.html",
        {"page_obj": page, "pending_only": pending_only, "today": today},
    )


@require_http_methods(["GET", "POST"])
def follow_up_detail(request, pk):
    today = timezone.localdate()
    follow_up = _decorate(queries.get_follow_up_for_user(request.user, pk), request.user, today)
    answerable = follow_up.mine and follow_up.status == FollowUpStatus.OPEN
    form = None
    if request.method == "POST":
        if not follow_up.mine:
            raise PermissionDenied(_("Only the respondent answers this follow-up."))
        form = AnswerForm(request.POST, follow_up=follow_up)
        if form.is_valid():
            try:
                services.follow_up_respond(
                    follow_up=follow_up,
                    by=request.user,
                    plan_status=form.cleaned_data["plan_status"],
                    stop_reason=form.cleaned_data["stop_reason"],
                    ratings=form.ratings(),
                    comment=form.cleaned_data["comment"],
                    today=today,
                )
            except TransitionNotAllowed as exc:
                messages.error(request, str(exc))
                return redirect("evaluation:follow_up_detail", pk=follow_up.pk)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Thank you: your answer is recorded."))
                return redirect("evaluation:my_follow_ups")
    elif answerable:
        form = AnswerForm(follow_up=follow_up)
    ratings = queries.ratings_of(follow_up)
    answers = [
        {
            "label": rules.item_label(item["code"], item["text"]),
            "value": ratings.get(item["code"]),
            "likert": rules.LIKERT.get(ratings.get(item["code"])),
        }
        for item in follow_up.items
    ]
    return render(
        request,
        "evaluation/detail.html",
        {"follow_up": follow_up, "form": form, "answers": answers, "today": today},
    )


@require_GET
def rollup_list(request):
    if not rules.can_browse_rollups(request.user):
        raise Http404
    batches = queries.rollup_batches_for_user(request.user)
    page = Paginator(batches, ROLLUP_PAGE_SIZE).get_page(request.GET.get("page"))
    for batch in page.object_list:
        batch.rate = round(100 * batch.n_answered / batch.n_forms) if batch.n_forms else None
    programs = (
        Program.objects.filter(
            institution_id__in=rules.program_rules.organizer_institution_ids(request.user)
        )
        .exclude(state="archived")
        .order_by("name")
        .only("pk", "name")
    )
    return render(request, "evaluation/rollup_list.html", {"page_obj": page, "programs": programs})


@require_GET
def batch_rollup(request, pk):
    batch = queries.get_rollup_batch_for_user(request.user, pk)
    rollup = queries.batch_rollup(batch, today=timezone.localdate(), viewer=request.user)
    return render(
        request,
        "evaluation/rollup.html",
        {
            "batch": batch,
            "rollup": rollup,
            "can_set_policy": rules.can_set_policy(request.user, batch.program),
        },
    )


@require_GET
def policy_pick(request):
    """The program picker on the roll-up list sends here (a GET form cannot build a path)."""
    try:
        pk = int(request.GET.get("program", ""))
    except ValueError as exc:
        raise Http404 from exc
    return redirect("evaluation:policy_edit", pk=pk)


@require_http_methods(["GET", "POST"])
def policy_edit(request, pk):
    program = get_program_for_user(request.user, pk)
    if not rules.can_set_policy(request.user, program):
        raise Http404
    policy = queries.policy_for(program)
    if request.method == "POST":
        form = PolicyForm(request.POST)
        if form.is_valid():
            try:
                services.follow_up_policy_set(
                    program=program,
                    by=request.user,
                    offsets=form.cleaned_data["offsets"],
                    window_days=form.cleaned_data["window_days"],
                    items=form.cleaned_data["items"],
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("The follow-up policy is saved."))
                return redirect(reverse("evaluation:policy_edit", args=[program.pk]))
    else:
        form = PolicyForm(initial=PolicyForm.initial_for(policy))
    return render(
        request,
        "evaluation/policy_form.html",
        {"program": program, "form": form, "policy": policy},
    )
