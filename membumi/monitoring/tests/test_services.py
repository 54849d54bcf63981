"""Progress updates, decisions, the plan lifecycle through updates, and achievement."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from membumi.action_plans import services as plan_services
from membumi.action_plans.enums import PlanState
from membumi.action_plans.models import ActionPlan
from membumi.core.exceptions import TransitionNotAllowed
from membumi.monitoring import services
from membumi.monitoring.achievement import achievement
from membumi.monitoring.enums import MeasurementState, UpdateState
from membumi.monitoring.models import (
    Evidence,
    MilestoneProgress,
    PlanVerification,
    ProgressUpdate,
    UpdateDecision,
)
from membumi.notifications.models import Notification
from membumi.problems.enums import Direction

from .conftest import EXE, PDF, PNG, docx_bytes, upload

pytestmark = pytest.mark.django_db


def _update(plan, by, **kwargs):
    kwargs.setdefault("narrative", "Antrean daring diuji di loket 1.")
    return services.progress_update_create(plan=plan, by=by, **kwargs)


def test_first_update_starts_the_plan_and_asks_the_mentor(
    approved_plan, participant, mentor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        update = _update(
            approved_plan,
            participant,
            measurement={"value": "150", "measured_on": dt.date(2026, 5, 1), "source": "SIMPUS"},
            files=[upload("laporan.pdf", PDF)],
            links=["https://example.org/berita"],
        )

    approved_plan.refresh_from_db()
    assert approved_plan.state == PlanState.IN_PROGRESS
    start = approved_plan.transitions.get(action="start")
    assert start.by is None and start.from_state == PlanState.APPROVED
    assert update.state == UpdateState.SUBMITTED
    assert update.agency_id == approved_plan.agency_id
    measurement = update.measurements.get()
    assert measurement.value == Decimal("150.00")
    assert measurement.state == MeasurementState.SUBMITTED
    files = Evidence.objects.filter(update=update).exclude(file="")
    (stored,) = files
    assert stored.content_type == "application/pdf"
    assert stored.original_name == "laporan.pdf"
    assert "laporan" not in stored.file.name and stored.file.name.startswith("evidence/")
    assert len(stored.sha256) == 64
    assert Evidence.objects.filter(update=update, url="https://example.org/berita").exists()
    note = Notification.objects.get(recipient=mentor, kind="monitoring.update_submitted")
    assert note.url.startswith("/monitoring/v/")
    (message,) = [m for m in mail.outbox if "/monitoring/v/" in m.body]
    assert message.to == [mentor.email]


def test_second_update_does_not_start_again(approved_plan, participant):
    _update(approved_plan, participant)
    _update(approved_plan, participant)
    assert approved_plan.transitions.filter(action="start").count() == 1
    assert ProgressUpdate.objects.filter(plan=approved_plan).count() == 2


def test_milestone_statuses_including_blocked(approved_plan, participant):
    first, second, third = approved_plan.milestones.all()
    _update(
        approved_plan,
        participant,
        milestones=[
            {"milestone_id": first.pk, "status": "done"},
            {"milestone_id": second.pk, "status": "blocked", "note": "Anggaran belum cair"},
            {"milestone_id": third.pk, "status": "dropped", "note": "Diganti kegiatan lain"},
        ],
    )
    first.refresh_from_db(), second.refresh_from_db(), third.refresh_from_db()
    assert first.status == "done"
    assert (second.status, second.status_note) == ("in_progress", "Blocked: Anggaran belum cair")
    assert (third.status, third.status_note) == ("dropped", "Diganti kegiatan lain")
    assert MilestoneProgress.objects.get(milestone=second).status == "blocked"


@pytest.mark.parametrize("status", ["blocked", "dropped"])
def test_blocked_or_dropped_needs_a_reason(approved_plan, participant, status):
    milestone = approved_plan.milestones.first()
    with pytest.raises(ValidationError) as exc:
        _update(
            approved_plan,
            participant,
            milestones=[{"milestone_id": milestone.pk, "status": status}],
        )
    assert "say why" in str(exc.value.message_dict["milestones"])
    assert not ProgressUpdate.objects.exists()
    approved_plan.refresh_from_db()
    assert approved_plan.state == PlanState.APPROVED


def test_executable_renamed_to_pdf_is_refused(approved_plan, participant):
    with pytest.raises(ValidationError) as exc:
        _update(approved_plan, participant, files=[upload("laporan.pdf", EXE)])
    assert "its content was checked" in exc.value.message_dict["files"][0]
    assert not ProgressUpdate.objects.exists()


def test_oversize_file_is_refused(approved_plan, participant, settings):
    settings.EVIDENCE_MAX_UPLOAD_MB = 1
    big = PDF + b"0" * (1024 * 1024)
    with pytest.raises(ValidationError) as exc:
        _update(approved_plan, participant, files=[upload("besar.pdf", big)])
    assert "larger than 1 MB" in exc.value.message_dict["files"][0]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("foto.png", PNG, "image/png"),
        ("foto.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20, "image/jpeg"),
        (
            "laporan.docx",
            docx_bytes(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "lama.doc",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 20,
            "application/x-ole-storage",
        ),
        ("gambar.pdf", PNG, "image/png"),  # by content, not by name
    ],
)
def test_accepted_types_detected_by_content(approved_plan, participant, name, content, expected):
    update = _update(approved_plan, participant, files=[upload(name, content)])
    assert update.evidence.get().content_type == expected


def test_zip_that_is_not_an_office_document_is_refused(approved_plan, participant):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.exe", EXE)
    with pytest.raises(ValidationError):
        _update(approved_plan, participant, files=[upload("laporan.docx", buffer.getvalue())])


def test_only_the_participant_reports(approved_plan, mentor, trainer, organizer):
    for user in (mentor, trainer, organizer):
        with pytest.raises(PermissionDenied):
            _update(approved_plan, user)


@pytest.mark.parametrize("state", ["draft", "submitted", "completed", "verified", "abandoned"])
def test_no_update_outside_approved_or_in_progress(approved_plan, participant, state):
    from membumi.programs.tests.factories import force_state

    plan = force_state(approved_plan, state)
    with pytest.raises(TransitionNotAllowed, match="approved plan or one in progress"):
        _update(plan, participant)


def test_measurement_validation(approved_plan, participant):
    with pytest.raises(ValidationError) as exc:
        _update(
            approved_plan,
            participant,
            measurement={"value": "", "measured_on": dt.date(2026, 1, 1)},
        )
    assert "measurement_value" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _update(
            approved_plan,
            participant,
            measurement={"value": "1", "measured_on": dt.date(2999, 1, 1)},
        )
    assert "measured_on" in exc.value.message_dict


@pytest.mark.parametrize(
    ("indicator_unit", "value", "refused"),
    [("%", "101", True), ("persen", "-5", True), ("%", "100", False), ("menit", "240", False)],
)
def test_a_percentage_lies_between_0_and_100(
    approved_plan, participant, indicator_unit, value, refused
):
    ActionPlan.objects.filter(pk=approved_plan.pk).update(indicator_unit=indicator_unit)
    approved_plan.refresh_from_db()
    measurement = {"value": value, "measured_on": dt.date(2026, 1, 1)}
    if refused:
        with pytest.raises(ValidationError) as exc:
            _update(approved_plan, participant, measurement=measurement)
        assert exc.value.message_dict["measurement_value"] == [
            "A percentage lies between 0 and 100."
        ]
    else:
        assert _update(approved_plan, participant, measurement=measurement).pk


def test_mentor_accepts_and_measurement_counts(approved_plan, participant, mentor):
    update = _update(
        approved_plan, participant, measurement={"value": "120", "measured_on": dt.date(2026, 5, 1)}
    )
    services.progress_update_decide(update=update, action="accept", by=mentor)

    update.refresh_from_db()
    assert update.state == UpdateState.ACCEPTED
    assert update.decided_by == mentor
    assert update.measurements.get().state == MeasurementState.ACCEPTED
    row = UpdateDecision.objects.get(update=update)
    assert (row.from_state, row.to_state, row.channel) == ("submitted", "accepted", "web")
    assert Notification.objects.filter(
        recipient=participant, kind="monitoring.update_accepted"
    ).exists()


def test_reject_needs_a_note_and_decide_once(approved_plan, participant, mentor):
    update = _update(approved_plan, participant)
    with pytest.raises(ValidationError):
        services.progress_update_decide(update=update, action="reject", by=mentor, note=" ")
    services.progress_update_decide(update=update, action="reject", by=mentor, note="Bukti kurang")
    with pytest.raises(TransitionNotAllowed, match="already rejected"):
        services.progress_update_decide(update=update, action="accept", by=mentor)


@pytest.mark.parametrize("persona", ["participant", "trainer", "organizer", "outsider"])
def test_only_the_mentor_decides(request, approved_plan, participant, persona):
    update = _update(approved_plan, participant)
    with pytest.raises(PermissionDenied, match="Only the mentor"):
        services.progress_update_decide(
            update=update, action="accept", by=request.getfixturevalue(persona)
        )


# --- The plan lifecycle through monitoring -----------------------------------------------------


def _all_done(plan, participant, value="70"):
    return _update(
        plan,
        participant,
        milestones=[{"milestone_id": m.pk, "status": "done"} for m in plan.milestones.all()],
        measurement={"value": value, "measured_on": dt.date(2026, 6, 1)} if value else None,
    )


def test_complete_without_a_measurement_is_refused(approved_plan, participant):
    _all_done(approved_plan, participant, value=None)
    with pytest.raises(TransitionNotAllowed, match="final measurement"):
        plan_services.action_plan_transition(plan=approved_plan, action="complete", by=participant)


def test_complete_with_a_rejected_measurement_only_is_refused(approved_plan, participant, mentor):
    update = _all_done(approved_plan, participant)
    services.progress_update_decide(update=update, action="reject", by=mentor, note="Data salah")
    with pytest.raises(TransitionNotAllowed, match="final measurement"):
        plan_services.action_plan_transition(plan=approved_plan, action="complete", by=participant)


def test_verify_with_pending_updates_is_refused(approved_plan, participant, mentor):
    _all_done(approved_plan, participant)
    plan = plan_services.action_plan_transition(
        plan=approved_plan, action="complete", by=participant
    )
    with pytest.raises(TransitionNotAllowed, match=r"1 progress update\(s\) still await"):
        plan_services.action_plan_transition(plan=plan, action="verify", by=mentor)
    plan.refresh_from_db()
    assert plan.state == PlanState.COMPLETED


def test_verify_records_the_implementation(
    approved_plan, participant, mentor, django_capture_on_commit_callbacks
):
    # baseline 180 → target 60 minutes (decrease); 90 measured: (180-90)/(180-60) = 0.75
    update = _all_done(approved_plan, participant, value="90")
    services.progress_update_decide(update=update, action="accept", by=mentor)
    plan = plan_services.action_plan_transition(
        plan=approved_plan, action="complete", by=participant
    )
    with django_capture_on_commit_callbacks(execute=True):
        plan = plan_services.action_plan_transition(
            plan=plan, action="verify", by=mentor, note="Terbukti"
        )

    assert plan.state == PlanState.VERIFIED
    record = PlanVerification.objects.get(plan=plan)
    assert record.final_value == Decimal("90.00")
    assert record.achievement == Decimal("0.7500")
    assert record.verified_by == mentor
    assert Notification.objects.filter(
        recipient=participant, kind="monitoring.plan_verified"
    ).exists()
    assert Notification.objects.filter(recipient=mentor, kind="monitoring.plan_completed").exists()


def test_mentor_rejection_sends_the_plan_back(approved_plan, participant, mentor):
    update = _all_done(approved_plan, participant)
    services.progress_update_decide(update=update, action="accept", by=mentor)
    plan = plan_services.action_plan_transition(
        plan=approved_plan, action="complete", by=participant
    )
    plan = plan_services.action_plan_transition(plan=plan, action="reject", by=mentor, note="Belum")
    assert plan.state == PlanState.IN_PROGRESS
    assert not PlanVerification.objects.exists()
    assert Notification.objects.filter(
        recipient=participant, kind="monitoring.plan_rejected"
    ).exists()


# --- Achievement (DESIGN §5) -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "baseline", "target", "value", "expected"),
    [
        (Direction.INCREASE, 40, 80, 60, "0.5000"),
        (Direction.INCREASE, 40, 80, 80, "1.0000"),
        (Direction.INCREASE, 40, 80, 30, "0.0000"),  # worse than baseline: clipped at 0
        (Direction.INCREASE, 40, 80, 200, "1.5000"),  # far beyond target: clipped at 1.5
        (Direction.DECREASE, 180, 60, 90, "0.7500"),
        (Direction.DECREASE, 180, 60, 200, "0.0000"),
        (Direction.DECREASE, 180, 60, 0, "1.5000"),
        (Direction.DECREASE, 180, 60, 30, "1.2500"),
    ],
)
def test_achievement_per_direction_and_clipped(direction, baseline, target, value, expected):
    assert achievement(
        baseline=baseline, target=target, value=value, direction=direction
    ) == Decimal(expected)


@pytest.mark.parametrize(
    ("baseline", "target", "value"), [(40, 80, None), (None, 80, 60), (40, 40, 60)]
)
def test_achievement_undefined(baseline, target, value):
    assert achievement(baseline=baseline, target=target, value=value, direction="increase") is None


def test_plan_achievement_uses_the_latest_verified_value(approved_plan, participant, mentor):
    from membumi.monitoring.achievement import plan_achievement

    assert plan_achievement(approved_plan) is None
    first = _update(
        approved_plan, participant, measurement={"value": "150", "measured_on": dt.date(2026, 4, 1)}
    )
    services.progress_update_decide(update=first, action="accept", by=mentor)
    _update(
        approved_plan, participant, measurement={"value": "60", "measured_on": dt.date(2026, 5, 1)}
    )
    # the later measurement is not verified yet: (180-150)/(180-60) = 0.25
    assert plan_achievement(approved_plan) == Decimal("0.2500")


# --- Signed links -----------------------------------------------------------------------------


def _link(approved_plan, participant, mentor):
    update = _update(approved_plan, participant)
    return update, services.verification_link_create(update=update, mentor=mentor)


def test_link_decides_once(approved_plan, participant, mentor):
    update, token = _link(approved_plan, participant, mentor)
    services.progress_update_decide_by_link(token=token, user=None, action="accept")
    update.refresh_from_db()
    assert update.state == UpdateState.ACCEPTED
    assert update.decided_by == mentor
    assert update.decisions.get().channel == "email"
    with pytest.raises(services.LinkRefused) as exc:
        services.verification_link_resolve(token)
    assert exc.value.reason == "used"


def test_link_expires(approved_plan, participant, mentor, settings):
    settings.VERIFICATION_LINK_MAX_AGE_DAYS = 14
    with time_machine.travel(dt.datetime(2026, 6, 1, 8, tzinfo=dt.UTC), tick=False):
        update, token = _link(approved_plan, participant, mentor)
    with (
        time_machine.travel(dt.datetime(2026, 6, 16, 8, tzinfo=dt.UTC), tick=False),
        pytest.raises(services.LinkRefused) as exc,
    ):
        services.progress_update_decide_by_link(token=token, user=None, action="accept")
    assert exc.value.reason == "expired"
    update.refresh_from_db()
    assert update.state == UpdateState.SUBMITTED


def test_link_tampered(approved_plan, participant, mentor):
    _, token = _link(approved_plan, participant, mentor)
    with pytest.raises(services.LinkRefused) as exc:
        services.verification_link_resolve(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    assert exc.value.reason == "tampered"


def test_link_refuses_another_logged_in_user(approved_plan, participant, mentor, trainer):
    update, token = _link(approved_plan, participant, mentor)
    with pytest.raises(PermissionDenied):
        services.progress_update_decide_by_link(token=token, user=trainer, action="accept")
    update.refresh_from_db()
    assert update.state == UpdateState.SUBMITTED


def test_link_reject_needs_a_note_and_stays_usable(approved_plan, participant, mentor):
    update, token = _link(approved_plan, participant, mentor)
    with pytest.raises(ValidationError):
        services.progress_update_decide_by_link(token=token, user=None, action="reject")
    services.verification_link_resolve(token)  # still usable
    services.progress_update_decide_by_link(
        token=token, user=mentor, action="reject", note="Foto buram"
    )
    update.refresh_from_db()
    assert update.state == UpdateState.REJECTED


def test_link_of_an_update_decided_in_the_app(approved_plan, participant, mentor):
    update, token = _link(approved_plan, participant, mentor)
    services.progress_update_decide(update=update, action="accept", by=mentor)
    with pytest.raises(services.LinkRefused) as exc:
        services.verification_link_resolve(token)
    assert exc.value.reason == "decided"
