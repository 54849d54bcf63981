"""Sessions, attendance, the attendance half of the pass gate, the batch-level blockers and the
"who can pass" page."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from membumi.action_plans.models import ActionPlan
from membumi.core.exceptions import TransitionNotAllowed
from membumi.core.models import AuditLog
from membumi.programs import queries, rules, services
from membumi.programs.attendance import Figures, figures_of
from membumi.programs.enums import BatchState, EnrollmentState
from membumi.programs.models import Attendance, Enrollment, Session

from .factories import force_state, make_employee


@pytest.fixture
def running(batch, enrollment):
    force_state(batch, BatchState.RUNNING)
    force_state(enrollment, EnrollmentState.ACTIVE)
    return batch


def add_sessions(batch, organizer, *jps):
    return [
        services.session_create(
            batch=batch,
            by=organizer,
            date=batch.start_date + dt.timedelta(days=i),
            title=f"Sesi {i + 1}",
            jp=jp,
        )
        for i, jp in enumerate(jps)
    ]


def enrol_more(batch, organizer, supervisor, n):
    people = [make_employee(supervisor.agency, supervisor=supervisor) for _ in range(n)]
    created = services.enrollment_create_many(
        batch=batch,
        by=organizer,
        requests=[services.EnrolmentRequest(nip=p.nip, line=i) for i, p in enumerate(people)],
    )
    for e in created:
        force_state(e, EnrollmentState.ACTIVE)
    return created


def approve_plan(enrollment):
    return ActionPlan.objects.create(
        enrollment=enrollment, agency=enrollment.agency, title="Rencana", state="approved"
    )


# --- Figures ------------------------------------------------------------------------------------


def test_figures_count_present_jp_only(organizer, running, enrollment):
    s1, s2, s3 = add_sessions(running, organizer, 10, 20, 10)
    services.attendance_mark(session=s1, enrollment=enrollment, status="present", by=organizer)
    services.attendance_mark(session=s2, enrollment=enrollment, status="excused", by=organizer)
    services.attendance_mark(session=s3, enrollment=enrollment, status="absent", by=organizer)

    figures = figures_of(Enrollment.objects.select_related("batch__program").get(pk=enrollment.pk))

    assert (figures.attended_jp, figures.scheduled_jp, figures.percent) == (10, 40, 25)
    assert figures.minimum_percent == 90
    assert not figures.sufficient


def test_figures_count_held_sessions_and_gate_names_missing_ones(organizer, running, enrollment):
    s1, _s2, _s3 = add_sessions(running, organizer, 10, 4, 6)
    services.attendance_mark(session=s1, enrollment=enrollment, status="present", by=organizer)

    figures = figures_of(Enrollment.objects.select_related("batch__program").get(pk=enrollment.pk))

    assert (figures.attended_jp, figures.scheduled_jp, figures.percent) == (10, 10, 100)
    assert figures.sufficient
    assert figures.refusal() == "Attendance is not taken yet for 2 sessions (10 JP)."


def test_figures_without_sessions_use_program_total_jp(running, enrollment):
    figures = figures_of(Enrollment.objects.select_related("batch__program").get(pk=enrollment.pk))
    assert (figures.attended_jp, figures.scheduled_jp) == (0, 40)


@pytest.mark.parametrize(
    ("attended", "scheduled", "minimum", "ok"),
    [(36, 40, 90, True), (35, 40, 90, False), (32, 40, 80, True), (179, 200, 90, False)],
)
def test_sufficient_is_exact_and_percent_rounds_down(attended, scheduled, minimum, ok):
    figures = Figures(attended, scheduled, minimum)
    assert figures.sufficient is ok
    assert figures.percent == attended * 100 // scheduled
    assert (figures.refusal() is None) is ok


def test_refusal_names_the_figures():
    assert Figures(25, 40, 80).refusal() == ("Attendance 62% (25 of 40 JP); the minimum is 80%.")


# --- Sessions and recording ---------------------------------------------------------------------


def test_session_create_validates_dates_and_jp(organizer, batch):
    with pytest.raises(ValidationError) as exc:
        services.session_create(
            batch=batch, by=organizer, date=dt.date(2025, 1, 1), title=" ", jp=0
        )
    assert set(exc.value.message_dict) == {"date", "title", "jp"}
    assert not Session.objects.exists()


def test_session_module_of_another_program_refused(organizer, batch, institution, need):
    from .factories import make_program

    other = make_program(organizer, institution, need, name="Lain")
    module = services.module_create(
        program=other, by=organizer, title="M", jp=2, objectives="x", needs=[need]
    )
    with pytest.raises(ValidationError) as exc:
        services.session_create(
            batch=batch, by=organizer, date=batch.start_date, title="S", jp=2, module=module
        )
    assert "module" in exc.value.message_dict


@pytest.mark.parametrize("persona", ["trainer", "participant", "mentor", "other_organizer"])
def test_only_organizer_plans_sessions(request, batch, persona):
    with pytest.raises(PermissionDenied):
        services.session_create(
            batch=batch,
            by=request.getfixturevalue(persona),
            date=batch.start_date,
            title="S",
            jp=2,
        )


def test_trainer_of_the_batch_records_attendance(organizer, trainer, running, enrollment):
    (session,) = add_sessions(running, organizer, 4)
    services.attendance_mark(session=session, enrollment=enrollment, status="absent", by=trainer)
    services.attendance_mark(session=session, enrollment=enrollment, status="present", by=trainer)

    record = Attendance.objects.get()
    assert (record.status, record.recorded_by) == ("present", trainer)
    assert AuditLog.objects.filter(action="programs.attendance_marked").count() == 2


@pytest.mark.parametrize("persona", ["participant", "mentor", "other_organizer", "outsider"])
def test_others_cannot_record_attendance(request, organizer, running, enrollment, persona):
    (session,) = add_sessions(running, organizer, 4)
    with pytest.raises(PermissionDenied):
        services.attendance_mark(
            session=session,
            enrollment=enrollment,
            status="present",
            by=request.getfixturevalue(persona),
        )
    assert not Attendance.objects.exists()


def test_attendance_refused_before_the_batch_runs(organizer, batch, enrollment):
    (session,) = add_sessions(batch, organizer, 4)
    with pytest.raises(TransitionNotAllowed, match="while the batch runs"):
        services.attendance_mark(
            session=session, enrollment=enrollment, status="present", by=organizer
        )


def test_bad_status_refused(organizer, running, enrollment):
    (session,) = add_sessions(running, organizer, 4)
    with pytest.raises(ValidationError):
        services.attendance_mark(
            session=session, enrollment=enrollment, status="late", by=organizer
        )


def test_mark_all_present_keeps_existing_marks(organizer, mentor, running, enrollment):
    others = enrol_more(running, organizer, mentor.employee, 2)
    (session,) = add_sessions(running, organizer, 4)
    services.attendance_mark(session=session, enrollment=others[0], status="absent", by=organizer)

    assert services.attendance_mark_all_present(session=session, by=organizer) == 2

    statuses = dict(Attendance.objects.values_list("enrollment_id", "status"))
    assert statuses == {enrollment.pk: "present", others[0].pk: "absent", others[1].pk: "present"}
    assert services.attendance_mark_all_present(session=session, by=organizer) == 0


def _csv(text):
    return io.BytesIO(text.encode())


def test_jp_import_replaces_sessions(organizer, running, enrollment, participant):
    add_sessions(running, organizer, 20, 20)
    n = services.attendance_import_jp(
        batch=running, by=organizer, binary=_csv(f"nip;jp\n{participant.employee.nip};38\n"),
        filename="jp.csv",
    )  # fmt: skip
    assert n == 1
    enrollment.refresh_from_db()
    assert enrollment.jp_attended_imported == 38
    assert figures_of(enrollment).sufficient
    assert AuditLog.objects.filter(action="programs.attendance_imported").exists()

    services.attendance_import_clear(batch=running, by=organizer)
    enrollment.refresh_from_db()
    assert enrollment.jp_attended_imported is None


def test_jp_import_is_all_or_nothing_and_lists_every_line(
    organizer, running, enrollment, participant, outsider
):
    nip = participant.employee.nip
    text = f"nip,jp\n{nip},30\n{outsider.employee.nip},10\n{nip},5\n123,4\n"
    with pytest.raises(services.AttendanceImportRefused) as exc:
        services.attendance_import_jp(
            batch=running, by=organizer, binary=_csv(text), filename="jp.csv"
        )
    assert [p.line for p in exc.value.problems] == [3, 4, 5]
    enrollment.refresh_from_db()
    assert enrollment.jp_attended_imported is None


@pytest.mark.parametrize("value", ["41", "-1", "2.5", "abc", ""])
def test_jp_import_refuses_bad_numbers(organizer, running, enrollment, participant, value):
    with pytest.raises(services.AttendanceImportRefused, match="whole number"):
        services.attendance_import_jp(
            batch=running, by=organizer,
            binary=_csv(f"nip,jp\n{participant.employee.nip},{value}\n"), filename="jp.csv",
        )  # fmt: skip


# --- The pass gate ------------------------------------------------------------------------------


def test_pass_refused_with_attendance_figures(organizer, batch, enrollment):
    force_state(batch, BatchState.FOLLOW_UP)
    force_state(enrollment, EnrollmentState.ACTIVE)
    approve_plan(enrollment)
    Enrollment.objects.filter(pk=enrollment.pk).update(jp_attended_imported=25)

    with pytest.raises(TransitionNotAllowed) as exc:
        services.enrollment_transition(enrollment=enrollment, action="pass", by=organizer)

    assert str(exc.value) == "Attendance 62% (25 of 40 JP); the minimum is 90%."
    enrollment.refresh_from_db()
    assert enrollment.state == EnrollmentState.ACTIVE


def test_pass_allowed_with_plan_and_attendance(organizer, batch, enrollment):
    force_state(batch, BatchState.FOLLOW_UP)
    force_state(enrollment, EnrollmentState.ACTIVE)
    approve_plan(enrollment)
    Enrollment.objects.filter(pk=enrollment.pk).update(jp_attended_imported=36)

    services.enrollment_transition(enrollment=enrollment, action="pass", by=organizer)

    enrollment.refresh_from_db()
    assert enrollment.state == EnrollmentState.PASSED


def test_min_attendance_is_per_program(organizer, batch, enrollment, program):
    program.__class__.objects.filter(pk=program.pk).update(min_attendance_percent=60)
    force_state(batch, BatchState.FOLLOW_UP)
    force_state(enrollment, EnrollmentState.ACTIVE)
    approve_plan(enrollment)
    Enrollment.objects.filter(pk=enrollment.pk).update(jp_attended_imported=25)

    services.enrollment_transition(enrollment=enrollment, action="pass", by=organizer)
    enrollment.refresh_from_db()
    assert enrollment.state == EnrollmentState.PASSED


def test_batch_blockers_equal_single_guards(organizer, mentor, batch, enrollment):
    """A mix: plan + attendance, plan only, attendance only, neither; and a running batch."""
    others = enrol_more(batch, organizer, mentor.employee, 3)
    force_state(enrollment, EnrollmentState.ACTIVE)
    everyone = [enrollment, *others]
    approve_plan(everyone[0])
    approve_plan(everyone[1])
    ActionPlan.objects.create(
        enrollment=everyone[3], agency=everyone[3].agency, title="Draf", state="draft"
    )
    for e, jp in zip(everyone, [40, 10, 36, 0], strict=True):
        Enrollment.objects.filter(pk=e.pk).update(jp_attended_imported=jp)

    for batch_state in (BatchState.FOLLOW_UP, BatchState.RUNNING):
        force_state(batch, batch_state)
        rows = list(
            Enrollment.objects.filter(batch=batch).select_related("batch__program", "employee")
        )
        batch_level = rules.enrollment_blockers("pass", rows)
        single = {e.pk: rules.guard_refusals(rules.ENROLLMENT_GUARDS, "pass", e) for e in rows}
        assert batch_level == single
    assert batch_level[everyone[0].pk] == [
        "Results are recorded after the classes end (batch in follow-up or closed)."
    ]
    force_state(batch, BatchState.FOLLOW_UP)
    rows = list(Enrollment.objects.filter(batch=batch).select_related("batch__program"))
    blockers = rules.enrollment_blockers("pass", rows)
    assert blockers[everyone[0].pk] == []
    assert blockers[everyone[1].pk] == ["Attendance 25% (10 of 40 JP); the minimum is 90%."]
    assert blockers[everyone[2].pk] == ["The participant has no approved action plan."]
    assert len(blockers[everyone[3].pk]) == 2


def test_pass_eligible_passes_only_those_nothing_blocks(organizer, mentor, batch, enrollment):
    others = enrol_more(batch, organizer, mentor.employee, 2)
    force_state(enrollment, EnrollmentState.ACTIVE)
    force_state(batch, BatchState.FOLLOW_UP)
    for e in (enrollment, others[0]):
        approve_plan(e)
        Enrollment.objects.filter(pk=e.pk).update(jp_attended_imported=40)

    report = services.enrollment_pass_eligible(batch=batch, by=organizer)

    assert {e.pk for e in report.passed} == {enrollment.pk, others[0].pk}
    assert [e.pk for e in report.refused] == [others[1].pk]
    states = dict(Enrollment.objects.values_list("pk", "state"))
    assert states[others[1].pk] == EnrollmentState.ACTIVE
    assert states[enrollment.pk] == EnrollmentState.PASSED


# --- Pages ------------------------------------------------------------------------------------


def _everyone(request):
    for name in ("participant", "mentor", "organizer", "trainer", "outsider", "other_organizer"):
        request.getfixturevalue(name)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("organizer", 200), ("trainer", 200), ("other_organizer", 404), ("outsider", 404),
     ("participant", 404), ("mentor", 404)],
)  # fmt: skip
def test_session_pages_scope(client, request, organizer, running, persona, status):
    (session,) = add_sessions(running, organizer, 4)
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("programs:batch_sessions", args=[running.pk])).status_code == status
    assert client.get(reverse("programs:session_detail", args=[session.pk])).status_code == status


def test_other_organizer_cannot_mark(client, organizer, other_organizer, running, enrollment):
    (session,) = add_sessions(running, organizer, 4)
    client.force_login(other_organizer)
    response = client.post(
        reverse("programs:session_mark", args=[session.pk]),
        {"enrollment": enrollment.pk, "status": "present"},
    )
    assert response.status_code == 404
    assert not Attendance.objects.exists()


def test_grid_mark_with_htmx_returns_the_row(client, organizer, running, enrollment):
    (session,) = add_sessions(running, organizer, 4)
    client.force_login(organizer)
    response = client.post(
        reverse("programs:session_mark", args=[session.pk]),
        {"enrollment": enrollment.pk, "status": "absent"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li class="attendance-row" id="row-{enrollment.pk}"')
    assert 'data-status="absent"' in html
    assert Attendance.objects.get().status == "absent"


def test_session_add_form_shows_errors(client, organizer, batch):
    client.force_login(organizer)
    response = client.post(
        reverse("programs:batch_sessions", args=[batch.pk]),
        {"date": "2020-01-01", "title": "Sesi", "jp": "3"},
    )
    assert response.status_code == 400
    assert "The date must fall within the batch" in response.content.decode()
    assert not Session.objects.exists()


def test_import_page_reports_lines(client, organizer, running, enrollment):
    client.force_login(organizer)
    upload = SimpleUploadedFile("jp.csv", b"nip,jp\n199001012015031999,4\n", "text/csv")
    response = client.post(
        reverse("programs:attendance_import", args=[running.pk]), {"file": upload}
    )
    assert response.status_code == 400
    assert "Not a current participant of this batch." in response.content.decode()


def test_my_training_shows_my_attendance(client, organizer, participant, running, enrollment):
    s1, s2, s3 = add_sessions(running, organizer, 15, 15, 10)
    services.attendance_mark(session=s1, enrollment=enrollment, status="present", by=organizer)
    services.attendance_mark(session=s2, enrollment=enrollment, status="present", by=organizer)
    services.attendance_mark(session=s3, enrollment=enrollment, status="absent", by=organizer)
    client.force_login(participant)
    html = client.get(reverse("programs:my_training")).content.decode()
    assert "75% (30 of 40 JP held so far); the minimum is 90%" in html
    assert "below the minimum" in html


def test_results_page_scope(client, request, organizer, trainer, other_organizer, batch):
    for user, status in ((organizer, 200), (trainer, 404), (other_organizer, 404)):
        client.force_login(user)
        assert client.get(reverse("programs:batch_results", args=[batch.pk])).status_code == status


def _results_queries(client, django_assert_num_queries, url, n):
    client.get(url)  # warm the session and caches
    with django_assert_num_queries(n):
        client.get(url)


def test_results_page_query_count_is_constant(
    client, organizer, mentor, batch, enrollment, django_assert_max_num_queries
):
    force_state(batch, BatchState.FOLLOW_UP)
    force_state(enrollment, EnrollmentState.ACTIVE)
    approve_plan(enrollment)
    add_sessions(batch, organizer, 4)
    client.force_login(organizer)
    url = reverse("programs:batch_results", args=[batch.pk])

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as one:
        response = client.get(url)
    assert response.content.decode().count('data-testid="result-row"') == 1

    force_state(batch, BatchState.RUNNING)
    more = enrol_more(batch, organizer, mentor.employee, 6)
    force_state(batch, BatchState.FOLLOW_UP)
    for e in more:
        approve_plan(e)
        Enrollment.objects.filter(pk=e.pk).update(jp_attended_imported=e.pk % 5)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.decode().count('data-testid="result-row"') == 7
    assert len(many) == len(one)


def test_session_grid_and_sessions_query_count_constant(client, organizer, mentor, running):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    (session,) = add_sessions(running, organizer, 4)
    client.force_login(organizer)
    urls = [
        reverse("programs:session_detail", args=[session.pk]),
        reverse("programs:batch_sessions", args=[running.pk]),
    ]
    counts = []
    for url in urls:
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        counts.append(len(ctx))
    enrol_more(running, organizer, mentor.employee, 5)
    add_sessions(running, organizer, 2, 2)
    services.attendance_mark_all_present(session=session, by=organizer)
    for url, before in zip(urls, counts, strict=True):
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        assert len(ctx) == before, url


def test_my_training_query_count_constant(client, organizer, participant, running, enrollment):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    add_sessions(running, organizer, 4)
    client.force_login(participant)
    url = reverse("programs:my_training")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for s in add_sessions(running, organizer, 2, 2, 2):
        services.attendance_mark(session=s, enrollment=enrollment, status="present", by=organizer)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(one)


def test_pass_eligible_view_lists_refusals(client, organizer, mentor, batch, enrollment):
    other = enrol_more(batch, organizer, mentor.employee, 1)[0]
    force_state(enrollment, EnrollmentState.ACTIVE)
    force_state(batch, BatchState.FOLLOW_UP)
    approve_plan(enrollment)
    Enrollment.objects.filter(pk=enrollment.pk).update(jp_attended_imported=40)
    client.force_login(organizer)

    response = client.post(reverse("programs:batch_pass_eligible", args=[batch.pk]), follow=True)

    html = response.content.decode()
    assert "1 participant(s) passed." in html
    assert f"{other.employee.name}: Attendance 0% (0 of 40 JP)" in html
    assert queries.pass_board(batch, show="cannot_pass") == [other] or [
        e.pk for e in queries.pass_board(batch, show="cannot_pass")
    ] == [other.pk]


def test_results_page_while_running_states_the_timing_once(client, organizer, running, enrollment):
    approve_plan(enrollment)
    Enrollment.objects.filter(pk=enrollment.pk).update(jp_attended_imported=40)
    client.force_login(organizer)
    html = client.get(reverse("programs:batch_results", args=[running.pk])).content.decode()
    assert html.count("Results are recorded after the classes end") == 1
    assert "nothing but the end of the classes" in html
    assert 'data-testid="pass-one"' not in html and 'data-testid="pass-eligible"' not in html
