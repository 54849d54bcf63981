"""JSON API for follow-ups (DESIGN §7), under ``/api/v1/follow-ups``.

* ``GET ""`` — the caller's own forms (as participant or mentor), paginated, open ones first;
  ``?pending=true`` for the open, unanswered ones only.
* ``GET {id}`` — one form: the respondent, and read-only the coach, the organizer of the
  institution and the administrator (404 for anyone else).
* ``POST {id}/respond`` ``{"plan_status": "continuing"|"completed"|"stopped", "stop_reason",
  "ratings": {"<item code>": 1..5}, "comment"}`` — once. 400 invalid (a stop without a
  reason, a missing or out-of-range rating, an unknown item), 403 a reader who is not the
  respondent, 404 outside the caller's scope, 409 not open (closed, not yet open) or already
  answered.
* ``GET | PUT policy/{program_id}`` ``{"offsets": [3, 6, 12], "window_days": 30, "items":
  [{"code", "text"}]}`` — a program's policy (PUT: the organizer of its institution).
"""

import datetime as dt

from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from pydantic import StrictInt

from membumi.accounts.api import ErrorOut
from membumi.programs.queries import get_program_for_user

from . import queries, rules, services
from .enums import PlanStatus

router = Router(tags=["follow-ups"])

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class ItemOut(Schema):
    code: str
    text: str


class FollowUpOut(Schema):
    id: int
    enrollment_id: int
    batch_id: int
    batch: str
    program: str
    participant: str
    plan_id: int | None
    plan_title: str | None
    role: str
    offset_months: int
    due_date: dt.date
    open_until: dt.date
    status: str
    can_respond: bool
    items: list[ItemOut]
    answered_at: dt.datetime | None
    plan_status: str | None
    stop_reason: str
    ratings: dict[str, int]
    comment: str

    @staticmethod
    def resolve_batch(obj):
        return obj.batch.name

    @staticmethod
    def resolve_program(obj):
        return obj.batch.program.name

    @staticmethod
    def resolve_participant(obj):
        return obj.enrollment.employee.name

    @staticmethod
    def resolve_plan_title(obj):
        return obj.plan.title if obj.plan_id else None

    @staticmethod
    def resolve_status(obj):
        return rules.follow_up_status(obj, timezone.localdate())

    @staticmethod
    def resolve_can_respond(obj, context):
        return rules.is_respondent(context["request"].user, obj) and (
            rules.follow_up_status(obj, timezone.localdate()) == "open"
        )

    @staticmethod
    def resolve_items(obj):
        return [
            {"code": i["code"], "text": rules.item_label(i["code"], i["text"])} for i in obj.items
        ]

    @staticmethod
    def resolve_plan_status(obj):
        return obj.plan_status or None

    @staticmethod
    def resolve_ratings(obj):
        return queries.ratings_of(obj)


class FollowUpFilter(Schema):
    pending: bool = False


class RespondIn(Schema):
    plan_status: PlanStatus
    stop_reason: str = ""
    ratings: dict[str, StrictInt]  # ``true`` is not a rating of 1
    comment: str = ""


class PolicyIO(Schema):
    offsets: list[int]
    window_days: int = rules.DEFAULT_WINDOW_DAYS
    items: list[ItemOut]


@router.get("", response=list[FollowUpOut], summary="My follow-up forms")
@paginate(PageNumberPagination, page_size=50)
def list_follow_ups(request, filters: Query[FollowUpFilter]):
    return queries.my_follow_ups(
        request.user, today=timezone.localdate(), pending_only=filters.pending
    )


@router.get(
    "/policy/{program_id}",
    response={200: PolicyIO, 404: ErrorOut},
    summary="A program's follow-up policy (the default when it has none)",
)
def get_policy(request, program_id: int):
    policy = queries.policy_for(get_program_for_user(request.user, program_id))
    return {
        "offsets": policy.offsets,
        "window_days": policy.window_days,
        "items": policy.labelled_items(),
    }


@router.put("/policy/{program_id}", response={200: PolicyIO, **ERRORS})
def set_policy(request, program_id: int, payload: PolicyIO):
    program = get_program_for_user(request.user, program_id)
    services.follow_up_policy_set(
        program=program,
        by=request.user,
        offsets=payload.offsets,
        window_days=payload.window_days,
        items=[item.dict() for item in payload.items],
    )
    return get_policy(request, program_id)


@router.get("/{follow_up_id}", response={200: FollowUpOut, 404: ErrorOut})
def get_follow_up(request, follow_up_id: int):
    return queries.get_follow_up_for_user(request.user, follow_up_id)


@router.post(
    "/{follow_up_id}/respond",
    response={200: FollowUpOut, **ERRORS},
    summary="Answer a follow-up (once)",
)
def respond(request, follow_up_id: int, payload: RespondIn):
    follow_up = queries.get_follow_up_for_user(request.user, follow_up_id)
    services.follow_up_respond(
        follow_up=follow_up,
        by=request.user,
        plan_status=payload.plan_status,
        stop_reason=payload.stop_reason,
        ratings=payload.ratings,
        comment=payload.comment,
    )
    return queries.get_follow_up_for_user(request.user, follow_up_id)
