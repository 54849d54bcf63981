"""JSON API for monitoring (DESIGN §7), scoped like every read.

* ``GET /action-plans/{id}/updates`` — the plan's progress updates, newest first (paginated);
* ``POST /action-plans/{id}/updates`` — multipart: ``narrative``; optional
  ``measurement_value``, ``measured_on`` (YYYY-MM-DD), ``measurement_source``;
  ``milestones`` (JSON: ``[{"milestone_id", "status": "in_progress|done|blocked|dropped",
  "note"}]``); ``links`` (repeatable); ``files`` (repeatable; PDF, images, office documents,
  type checked by content, at most ``EVIDENCE_MAX_UPLOAD_MB`` each);
* ``GET /updates/{id}``;
* ``POST /updates/{id}/verify`` with ``{"decision": "accept"|"reject", "note"}`` (the mentor).

Errors: 400 invalid input (including a refused file), 403 the role may not act, 404 outside
the caller's scope, 409 the lifecycle does not allow the step.
"""

import json
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.urls import reverse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from membumi.accounts.api import ErrorOut

from . import queries, services

router = Router(tags=["monitoring"])

ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class MeasurementOut(Schema):
    id: int
    value: Decimal
    measured_on: date
    source: str
    state: str


class EvidenceOut(Schema):
    id: int
    kind: str
    name: str
    url: str
    content_type: str
    size: int
    sha256: str

    @staticmethod
    def resolve_kind(obj):
        return "file" if obj.file else "link"

    @staticmethod
    def resolve_name(obj):
        return obj.original_name or obj.url

    @staticmethod
    def resolve_url(obj):
        return reverse("monitoring:evidence", args=[obj.pk]) if obj.file else obj.url


class MilestoneChangeOut(Schema):
    milestone_id: int
    status: str
    note: str


class UpdateOut(Schema):
    id: int
    plan_id: int
    state: str
    narrative: str
    by: str | None
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str
    milestones: list[MilestoneChangeOut]
    measurements: list[MeasurementOut]
    evidence: list[EvidenceOut]

    @staticmethod
    def resolve_by(obj):
        return obj.by.username if obj.by else None

    @staticmethod
    def resolve_decided_by(obj):
        return obj.decided_by.username if obj.decided_by else None

    @staticmethod
    def resolve_milestones(obj):
        return list(obj.milestone_changes.all())

    @staticmethod
    def resolve_measurements(obj):
        return list(obj.measurements.all())

    @staticmethod
    def resolve_evidence(obj):
        return list(obj.evidence.all())


class UpdateIn(Schema):
    narrative: str
    measurement_value: str = ""
    measured_on: str = ""
    measurement_source: str = ""
    milestones: str = ""
    links: list[str] = []


class VerifyIn(Schema):
    decision: str
    note: str = ""


def _milestones(raw: str) -> list[dict]:
    if not raw.strip():
        return []
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise ValidationError({"milestones": ["Not valid JSON."]}) from exc
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
        raise ValidationError({"milestones": ["Expected a list of objects."]})
    return data


@router.get(
    "/action-plans/{plan_id}/updates",
    response=list[UpdateOut],
    summary="Progress updates of a plan, newest first",
)
@paginate(PageNumberPagination, page_size=50)
def list_updates(request, plan_id: int):
    plan = queries.get_monitored_plan_for_user(request.user, plan_id)
    return queries.with_details(queries.updates_for_user(request.user).filter(plan=plan)).order_by(
        "-created_at", "-id"
    )


@router.post(
    "/action-plans/{plan_id}/updates",
    response={201: UpdateOut, **ERRORS},
    summary="Report progress (multipart, with evidence files)",
)
def create_update(
    request,
    plan_id: int,
    payload: Form[UpdateIn],
    files: File[list[UploadedFile]] = None,
):
    plan = queries.get_monitored_plan_for_user(request.user, plan_id)
    measurement = None
    if payload.measurement_value or payload.measured_on:
        measurement = {
            "value": payload.measurement_value,
            "measured_on": payload.measured_on or None,
            "source": payload.measurement_source,
        }
    update = services.progress_update_create(
        plan=plan,
        by=request.user,
        narrative=payload.narrative,
        milestones=_milestones(payload.milestones),
        measurement=measurement,
        files=files or [],
        links=payload.links,
    )
    return Status(201, queries.get_update_for_user(request.user, update.pk))


@router.get("/updates/{update_id}", response={200: UpdateOut, 404: ErrorOut})
def get_update(request, update_id: int):
    return queries.get_update_for_user(request.user, update_id)


@router.post(
    "/updates/{update_id}/verify",
    response={200: UpdateOut, **ERRORS},
    summary="The mentor accepts or rejects a progress update (a note is required to reject)",
)
def verify_update(request, update_id: int, payload: VerifyIn):
    update = queries.get_update_for_user(request.user, update_id)
    services.progress_update_decide(
        update=update, action=payload.decision, by=request.user, note=payload.note, channel="api"
    )
    return queries.get_update_for_user(request.user, update_id)
