"""People move: a real employee import (CSV through ``EmployeeImporter``) that moves a
participant or a mentor, or shows that one left, proposes a mentor change that the organizer
confirms or rejects."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from membumi.action_plans.models import ActionPlan, PlanTransition
from membumi.core.exceptions import TransitionNotAllowed
from membumi.core.models import AuditLog
from membumi.notifications.models import Notification
from membumi.organizations.importing import COLUMNS, EmployeeImporter
from membumi.programs import services
from membumi.programs.enums import BatchState, EnrollmentState, MoveReason, ProposalState
from membumi.programs.models import Enrollment, MentorChange, MentorChangeProposal
from membumi.testing.factories import UserFactory, WorkUnitFactory

from .factories import force_state, make_employee


def row(employee, **overrides):
    unit = employee.work_unit
    values = {
        "nip": employee.nip,
        "name": employee.name,
        "sex": "L" if employee.sex == "M" else "P",
        "golongan": employee.golongan,
        "position_type": employee.position_type,
        "position_name": employee.position_name,
        "unit": unit.name if unit else "",
        "agency": employee.agency.code,
        "supervisor_nip": employee.supervisor.nip if employee.supervisor_id else "",
        "email": employee.email,
    }
    values.update(overrides)
    return values


def run_import(*rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow([r.get(c, "") for c in COLUMNS])
    data = buffer.getvalue().encode()
    report = EmployeeImporter().run(io.BytesIO(data), "pegawai.csv", len(data))
    assert not report.fatal and not report.rejected, report.errors
    return report


@pytest.fixture
def running(batch, enrollment):
    force_state(batch, BatchState.RUNNING)
    force_state(enrollment, EnrollmentState.ACTIVE)
    return batch


@pytest.fixture
def boss(agency, mentor):
    """The participant's new direct supervisor, with an account."""
    employee = make_employee(agency, name="Bu Kepala Baru", unit=WorkUnitFactory(agency=agency))
    UserFactory(username="kepala-baru", employee=employee)
    return employee


def test_participant_moved_proposes_new_supervisor(
    running, enrollment, participant, mentor, boss, organizer
):
    employee = participant.employee
    run_import(row(employee, supervisor_nip=boss.nip, unit=boss.work_unit.name))

    proposal = MentorChangeProposal.objects.get()
    assert proposal.enrollment == enrollment
    assert proposal.reason == MoveReason.PARTICIPANT_MOVED
    assert (proposal.current_mentor, proposal.proposed_mentor) == (mentor.employee, boss)
    assert boss.work_unit.name in proposal.detail
    note = Notification.objects.get(recipient=organizer, kind="mentor_change_proposed")
    assert note.url == reverse("programs:people_moves")
    enrollment.refresh_from_db()
    assert enrollment.mentor == mentor.employee  # nothing changes before the organizer decides

    run_import(row(employee, supervisor_nip=boss.nip, unit=boss.work_unit.name))  # again
    assert MentorChangeProposal.objects.count() == 1


def test_confirm_sets_mentor_with_history_and_notifies(
    running, enrollment, participant, mentor, boss, organizer
):
    run_import(row(participant.employee, supervisor_nip=boss.nip))
    proposal = MentorChangeProposal.objects.get()

    services.mentor_proposal_decide(proposal=proposal, by=organizer, decision="confirm")

    enrollment.refresh_from_db()
    assert enrollment.mentor == boss
    change = MentorChange.objects.get()
    assert (change.from_mentor, change.to_mentor, change.by, change.proposal) == (
        mentor.employee,
        boss,
        organizer,
        proposal,
    )
    proposal.refresh_from_db()
    assert (proposal.state, proposal.decided_by) == (ProposalState.CONFIRMED, organizer)
    assert Notification.objects.filter(recipient__username="kepala-baru", kind="mentor_assigned")
    assert Notification.objects.filter(recipient=participant, kind="mentor_changed")
    assert AuditLog.objects.filter(action="programs.mentor_proposal_confirmed").exists()
    with pytest.raises(TransitionNotAllowed, match="already"):
        services.mentor_proposal_decide(proposal=proposal, by=organizer, decision="reject")


def test_reject_changes_nothing(running, enrollment, participant, mentor, boss, organizer):
    run_import(row(participant.employee, supervisor_nip=boss.nip))
    proposal = MentorChangeProposal.objects.get()

    services.mentor_proposal_decide(
        proposal=proposal, by=organizer, decision="reject", note="Tugas sementara"
    )

    enrollment.refresh_from_db()
    assert enrollment.mentor == mentor.employee
    proposal.refresh_from_db()
    assert (proposal.state, proposal.decision_note) == (ProposalState.REJECTED, "Tugas sementara")
    assert not MentorChange.objects.exists()


def test_participant_left_abandons_plan_on_confirmation(
    running, enrollment, participant, organizer
):
    plan = ActionPlan.objects.create(
        enrollment=enrollment, agency=enrollment.agency, title="Rencana", state="approved"
    )
    run_import(row(participant.employee, status="pensiun"))

    proposal = MentorChangeProposal.objects.get()
    assert proposal.reason == MoveReason.PARTICIPANT_LEFT
    assert proposal.proposed_mentor is None

    services.mentor_proposal_decide(
        proposal=proposal, by=organizer, decision="confirm", note="Pensiun dini"
    )

    plan.refresh_from_db()
    assert plan.state == "abandoned"
    step = PlanTransition.objects.get(plan=plan)
    assert (step.from_state, step.to_state, step.note) == ("approved", "abandoned", "Pensiun dini")
    enrollment.refresh_from_db()
    assert enrollment.state == EnrollmentState.WITHDRAWN


def test_mentor_left_with_no_other_supervisor_needs_a_nip(
    running, enrollment, participant, mentor, organizer, agency
):
    run_import(row(mentor.employee, status="meninggal"))

    proposal = MentorChangeProposal.objects.get()
    assert proposal.reason == MoveReason.MENTOR_LEFT
    assert proposal.proposed_mentor is None  # the supervisor on record is the mentor who left
    with pytest.raises(ValidationError) as exc:
        services.mentor_proposal_decide(proposal=proposal, by=organizer, decision="confirm")
    assert "give the NIP" in exc.value.message_dict["mentor_nip"][0]

    other = make_employee(agency, name="Pak Pengganti")
    services.mentor_proposal_decide(
        proposal=proposal, by=organizer, decision="confirm", mentor_nip=other.nip
    )
    enrollment.refresh_from_db()
    assert enrollment.mentor == other


def test_mentor_moved_but_still_supervisor_proposes_nothing(running, enrollment, mentor, agency):
    new_unit = WorkUnitFactory(agency=agency)
    run_import(row(mentor.employee, unit=new_unit.name))
    assert not MentorChangeProposal.objects.exists()


def test_mentor_moved_and_participant_has_new_supervisor(
    running, enrollment, participant, mentor, boss
):
    new_unit = WorkUnitFactory(agency=boss.agency)
    run_import(
        row(mentor.employee, unit=new_unit.name),
        row(participant.employee, supervisor_nip=boss.nip),
    )
    proposal = MentorChangeProposal.objects.get()
    assert proposal.proposed_mentor == boss


def test_closed_enrolments_are_left_alone_open_plans_are_not(
    batch, enrollment, participant, mentor, boss
):
    force_state(batch, BatchState.FOLLOW_UP)
    force_state(enrollment, EnrollmentState.PASSED)
    plan = ActionPlan.objects.create(
        enrollment=enrollment, agency=enrollment.agency, title="Rencana", state="verified"
    )
    run_import(row(participant.employee, supervisor_nip=boss.nip))
    assert not MentorChangeProposal.objects.exists()

    ActionPlan.objects.filter(pk=plan.pk).update(state="in_progress")
    run_import(row(participant.employee, supervisor_nip=mentor.employee.nip))  # back
    run_import(row(participant.employee, supervisor_nip=boss.nip))
    assert MentorChangeProposal.objects.get().proposed_mentor == boss


def test_withdrawn_enrolment_is_left_alone(running, enrollment, participant, boss, organizer):
    services.enrollment_transition(enrollment=enrollment, action="withdraw", by=organizer, note="x")
    run_import(row(participant.employee, supervisor_nip=boss.nip))
    assert not MentorChangeProposal.objects.exists()


@pytest.mark.parametrize("persona", ["other_organizer", "trainer", "mentor", "participant"])
def test_only_the_institution_organizer_decides(request, running, participant, boss, persona):
    run_import(row(participant.employee, supervisor_nip=boss.nip))
    proposal = MentorChangeProposal.objects.get()
    with pytest.raises(PermissionDenied):
        services.mentor_proposal_decide(
            proposal=proposal, by=request.getfixturevalue(persona), decision="confirm"
        )


# --- Pages ------------------------------------------------------------------------------------


def test_page_lists_and_confirms(client, running, enrollment, participant, boss, organizer):
    run_import(row(participant.employee, supervisor_nip=boss.nip))
    proposal = MentorChangeProposal.objects.get()
    client.force_login(organizer)

    html = client.get(reverse("programs:people_moves")).content.decode()
    assert "Bu Kepala Baru" in html and participant.employee.name in html

    response = client.post(
        reverse("programs:people_move_decide", args=[proposal.pk]),
        {"decision": "confirm", "note": ""},
        follow=True,
    )
    assert f"Confirmed for {participant.employee.name}." in response.content.decode()
    assert Enrollment.objects.get(pk=enrollment.pk).mentor == boss


def test_page_bad_nip_shows_error(client, running, participant, boss, organizer):
    run_import(row(participant.employee, supervisor_nip=boss.nip))
    proposal = MentorChangeProposal.objects.get()
    client.force_login(organizer)
    response = client.post(
        reverse("programs:people_move_decide", args=[proposal.pk]),
        {"decision": "confirm", "mentor_nip": "123"},
        follow=True,
    )
    assert "Unknown mentor NIP “123”." in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.PENDING


@pytest.mark.parametrize(("persona", "status"), [("other_organizer", 404), ("trainer", 404)])
def test_page_scope(client, request, running, participant, boss, persona, status):
    run_import(row(participant.employee, supervisor_nip=boss.nip))
    proposal = MentorChangeProposal.objects.get()
    client.force_login(request.getfixturevalue(persona))
    if persona == "other_organizer":
        html = client.get(reverse("programs:people_moves")).content.decode()
        assert participant.employee.name not in html
    else:
        assert client.get(reverse("programs:people_moves")).status_code == status
    response = client.post(
        reverse("programs:people_move_decide", args=[proposal.pk]), {"decision": "confirm"}
    )
    assert response.status_code == status


def test_page_query_count_constant(client, running, organizer, mentor, participant, boss, agency):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    run_import(row(participant.employee, supervisor_nip=boss.nip))
    client.force_login(organizer)
    url = reverse("programs:people_moves")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    people = [make_employee(agency, supervisor=mentor.employee) for _ in range(4)]
    services.enrollment_create_many(
        batch=running,
        by=organizer,
        requests=[services.EnrolmentRequest(nip=p.nip, line=i) for i, p in enumerate(people)],
    )
    run_import(*[row(p, supervisor_nip=boss.nip) for p in people])
    assert MentorChangeProposal.objects.count() == 5
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.decode().count('data-testid="proposal"') == 5
    assert len(many) == len(one)
