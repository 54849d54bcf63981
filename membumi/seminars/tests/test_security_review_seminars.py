"""Security review of seminars (each test failed before its fix).

Nobody sees the scores of their own plan before the berita acara is final, whatever other
relation they have to the session (examiner, coach, organizer); and a participant of a batch
does not examine it."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from membumi.accounts.enums import Role
from membumi.action_plans.tests.peers import make_mate, make_plan
from membumi.programs import services as program_services
from membumi.programs.tests.factories import make_problem
from membumi.seminars import services
from membumi.seminars.models import Score
from membumi.testing.factories import EmployeeFactory, RoleAssignmentFactory, UserFactory

from .conftest import score_all


def _create(batch, organizer, examiners):
    return services.seminar_session_create(
        batch=batch,
        by=organizer,
        kind="rancangan",
        starts_at=timezone.make_aware(dt.datetime(2026, 3, 18, 9, 0)),
        place="Aula BPSDM",
        examiners=examiners,
    )


@pytest.fixture
def enrolled_examiner(batch, organizer, mentor, unit, institution):
    """A batch participant (with a submitted plan) who also holds the examiner role."""
    user, enrollment = make_mate(
        batch, organizer, username="peserta-penguji", name="Bu Penguji", mentor=mentor, unit=unit
    )
    RoleAssignmentFactory(user=user, role=Role.EXAMINER, institution=institution)
    plan = make_plan(enrollment, user, title="Pendaftaran daring posyandu")
    return user, plan


def test_a_participant_of_the_batch_is_not_assigned_as_its_examiner(
    seminar_program, batch, organizer, examiner, enrolled_examiner
):
    user, _plan = enrolled_examiner

    with pytest.raises(ValidationError) as refused:
        _create(batch, organizer, [examiner, user])

    assert refused.value.message_dict["examiners"] == [
        "Bu Penguji take(s) part in this batch and cannot examine it."
    ]


def test_examiner_enrolled_after_assignment_sees_no_score_of_own_plan_before_final(
    client, session, examiner, examiner2, batch, organizer, mentor, unit, institution
):
    user = UserFactory(
        username="penguji-pegawai",
        employee=EmployeeFactory(
            agency=unit.agency, work_unit=unit, supervisor=mentor.employee, name="Bu Penguji"
        ),
    )
    RoleAssignmentFactory(user=user, role=Role.EXAMINER, institution=institution)
    services.seminar_session_update(
        session=session,
        by=organizer,
        kind=session.kind,
        starts_at=session.starts_at,
        place=session.place,
        examiners=[examiner, examiner2, user],
    )
    enrollment = program_services.enrollment_create(
        batch=batch, by=organizer, nip=user.employee.nip
    )
    enrollment.problem = make_problem(unit=unit, by=user, state="validated")
    enrollment.save(update_fields=["problem"])
    own = make_plan(enrollment, user, title="Pendaftaran daring posyandu")
    score_all(session, own, examiner, 41, note="Belum layak")
    client.force_login(user)

    board = client.get(reverse("seminars:session_detail", args=[session.pk]))

    assert own.pk not in [row.plan.pk for row in board.context["board"].rows]
    assert "Belum layak" not in board.content.decode()
    sheet_url = reverse("seminars:plan_sheet", args=[session.pk, own.pk])
    assert client.get(sheet_url).status_code == 404
    assert client.get(reverse("seminars:score", args=[session.pk, own.pk])).status_code == 404


def test_examiner_enrolled_after_assignment_does_not_block_finalising(
    session, examiner, examiner2, batch, organizer, mentor, unit, institution
):
    """The (examiner, own plan) pair is never required, so the session can still be final."""
    user = UserFactory(
        username="penguji-peserta",
        employee=EmployeeFactory(
            agency=unit.agency, work_unit=unit, supervisor=mentor.employee, name="Pak Penguji"
        ),
    )
    RoleAssignmentFactory(user=user, role=Role.EXAMINER, institution=institution)
    services.seminar_session_update(
        session=session,
        by=organizer,
        kind=session.kind,
        starts_at=session.starts_at,
        place=session.place,
        examiners=[examiner, examiner2, user],
    )
    enrollment = program_services.enrollment_create(
        batch=batch, by=organizer, nip=user.employee.nip
    )
    enrollment.problem = make_problem(unit=unit, by=user, state="validated")
    enrollment.save(update_fields=["problem"])
    own = make_plan(enrollment, user, title="Pendaftaran daring posyandu")
    from membumi.seminars import queries

    for plan in queries.examined_plans(session):
        for who in (examiner, examiner2, user):
            if plan.pk != own.pk or who != user:
                score_all(session, plan, who, 80)

    assert services.missing_scores(session) == []
    services.seminar_session_transition(session=session, action="finalise", by=organizer)
    session.refresh_from_db()
    assert session.state == "finalised"


@pytest.fixture
def self_coached(enrollment, participant, institution, organizer):
    RoleAssignmentFactory(user=participant, role=Role.TRAINER, institution=institution)
    enrollment.batch.trainers.add(participant)
    return program_services.enrollment_update(
        enrollment=enrollment, by=organizer, coach=participant
    )


def test_participant_who_coaches_themselves_sees_own_scores_only_once_final(
    client, self_coached, session, submitted_plan, participant, examiner, examiner2, organizer
):
    score_all(session, submitted_plan, examiner, 41, note="Belum layak")
    client.force_login(participant)
    sheet_url = reverse("seminars:plan_sheet", args=[session.pk, submitted_plan.pk])
    pdf_url = reverse("seminars:berita_acara", args=[session.pk, submitted_plan.pk])

    board = client.get(reverse("seminars:session_detail", args=[session.pk]))
    sheet = client.get(sheet_url)

    assert [row.plan.pk for row in board.context["board"].rows] == []
    assert "Belum layak" not in board.content.decode()
    assert sheet.status_code == 404
    assert client.get(pdf_url).status_code == 404

    score_all(session, submitted_plan, examiner2, 80)
    services.seminar_session_transition(session=session, action="finalise", by=organizer)

    assert "Belum layak" in client.get(sheet_url).content.decode()


def test_organizer_enrolled_in_own_institutions_batch_sees_no_own_score_before_final(
    client, session, submitted_plan, participant, examiner, institution
):
    RoleAssignmentFactory(user=participant, role=Role.ORGANIZER, institution=institution)
    score_all(session, submitted_plan, examiner, 41, note="Belum layak")
    client.force_login(participant)

    board = client.get(reverse("seminars:session_detail", args=[session.pk]))

    assert board.status_code == 200
    assert [row.plan.pk for row in board.context["board"].rows] == []
    sheet_url = reverse("seminars:plan_sheet", args=[session.pk, submitted_plan.pk])
    assert client.get(sheet_url).status_code == 404
    assert Score.objects.count() == 1
