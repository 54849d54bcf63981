"""Services: programs from accepted needs, modules, publishing, batches, the three lifecycles,
all-or-nothing enrolment with default mentor and coach, the participant's problem."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from membumi.action_plans.models import ActionPlan
from membumi.core.exceptions import TransitionNotAllowed
from membumi.core.models import AuditLog
from membumi.problems.models import ProblemTransition
from membumi.programs import rules, services
from membumi.programs.enums import (
    BatchAction,
    BatchState,
    EnrollmentAction,
    EnrollmentState,
    ProgramAction,
    ProgramState,
)
from membumi.programs.models import Batch, Enrollment, Module, Program, StateChange

from .factories import (
    force_state,
    make_analysis,
    make_batch,
    make_employee,
    make_need,
    make_problem,
    make_program,
    make_trainer,
)

# --- Programs ---------------------------------------------------------------------------------


def test_program_create_from_accepted_need(organizer, institution, need):
    program = make_program(organizer, institution, need)

    assert program.state == ProgramState.DRAFT
    assert list(program.needs.all()) == [need]
    assert program.created_by == organizer
    change = StateChange.objects.get(object_type="program", object_id=program.pk)
    assert (change.from_state, change.to_state, change.by) == ("", "draft", organizer)
    assert AuditLog.objects.filter(action="programs.program_created", object_id=str(program.pk))


def test_program_create_requires_a_need(organizer, institution):
    with pytest.raises(ValidationError) as exc:
        make_program(organizer, institution)
    assert "Choose at least one accepted need" in exc.value.message_dict["needs"][0]
    assert not Program.objects.exists()


def test_program_create_refuses_unaccepted_need(organizer, institution, analysis, problem):
    pending = make_need(analysis, problem, accepted=False, label="Belum diterima")

    with pytest.raises(ValidationError) as exc:
        make_program(organizer, institution, pending)

    assert "“Belum diterima”" in exc.value.message_dict["needs"][0]
    assert not Program.objects.exists()


def test_program_create_refuses_need_of_other_institution(
    organizer, institution, other_organizer, problem
):
    other_institution = other_organizer.role_assignments.get().institution
    foreign = make_need(make_analysis(other_institution), label="Milik lembaga lain")

    with pytest.raises(ValidationError) as exc:
        make_program(organizer, institution, foreign)

    assert "Milik lembaga lain" in exc.value.message_dict["needs"][0]


def test_program_create_other_organizer_denied(other_organizer, institution, need):
    with pytest.raises(PermissionDenied):
        make_program(other_organizer, institution, need)


def test_program_create_reports_field_and_need_errors_together(organizer, institution):
    with pytest.raises(ValidationError) as exc:
        services.program_create(
            by=organizer,
            institution=institution,
            needs=[],
            name="",
            program_type="nope",
            total_jp=0,
            mode="klasikal",
        )
    assert {"name", "program_type", "total_jp", "needs"} <= set(exc.value.message_dict)


def test_program_update_removing_need_used_by_module_names_module(
    organizer, program, module, analysis
):
    other = make_need(analysis, label="Kebutuhan lain")

    with pytest.raises(ValidationError) as exc:
        services.program_update(program=program, by=organizer, needs=[other])

    assert "“Manajemen antrean”" in exc.value.message_dict["needs"][0]
    assert list(program.needs.values_list("label", flat=True)) == ["Pelayanan puskesmas lambat"]


def test_program_update_published_refused(organizer, published_program):
    with pytest.raises(TransitionNotAllowed, match="only a draft program"):
        services.program_update(program=published_program, by=organizer, name="Baru")


# --- Modules ----------------------------------------------------------------------------------


def test_module_create_appends_in_order(organizer, program, need, problem):
    first = services.module_create(
        program=program, by=organizer, title="A", jp=10, objectives="x", needs=[need]
    )
    second = services.module_create(
        program=program, by=organizer, title="B", jp=10, objectives="x", problems=[problem]
    )

    assert (first.position, second.position) == (0, 1)
    assert list(second.problems.all()) == [problem]


def test_module_refuses_need_outside_program(organizer, program, analysis):
    stranger = make_need(analysis, label="Bukan kebutuhan program")

    with pytest.raises(ValidationError) as exc:
        services.module_create(
            program=program, by=organizer, title="A", jp=4, objectives="x", needs=[stranger]
        )

    assert "“Bukan kebutuhan program”" in exc.value.message_dict["needs"][0]


def test_module_refuses_problem_outside_program_needs(organizer, program, unit):
    stray = make_problem(unit=unit, title="Masalah lepas")

    with pytest.raises(ValidationError) as exc:
        services.module_create(
            program=program, by=organizer, title="A", jp=4, objectives="x", problems=[stray]
        )

    assert "“Masalah lepas”" in exc.value.message_dict["problems"][0]


def test_module_move_and_delete_renumber(organizer, program, need):
    a, _b, c = (
        services.module_create(
            program=program, by=organizer, title=t, jp=1, objectives="x", needs=[need]
        )
        for t in "ABC"
    )

    services.module_move(module=c, to=0, by=organizer)
    assert list(program.modules.values_list("title", flat=True)) == ["C", "A", "B"]

    services.module_delete(module=a, by=organizer)
    assert list(program.modules.values_list("title", "position")) == [("C", 0), ("B", 1)]


def test_module_changes_refused_once_published(organizer, published_program, module):
    with pytest.raises(TransitionNotAllowed):
        services.module_delete(module=module, by=organizer)
    assert Module.objects.filter(pk=module.pk).exists()


def test_module_trainer_may_not_change(trainer, program, module):
    with pytest.raises(PermissionDenied):
        services.module_move(module=module, to=0, by=trainer)


# --- Publishing -------------------------------------------------------------------------------


def test_publish_refused_without_modules(organizer, program):
    with pytest.raises(TransitionNotAllowed, match="no module"):
        services.program_transition(program=program, action="publish", by=organizer)
    program.refresh_from_db()
    assert program.state == ProgramState.DRAFT


def test_publish_refused_names_every_bare_module(organizer, program, module):
    for title in ("Etika ASN", "Literasi digital"):
        services.module_create(program=program, by=organizer, title=title, jp=4, objectives="x")

    with pytest.raises(TransitionNotAllowed) as exc:
        services.program_transition(program=program, action="publish", by=organizer)

    message = str(exc.value)
    assert "“Etika ASN”" in message and "“Literasi digital”" in message
    assert "Manajemen antrean" not in message
    assert not StateChange.objects.filter(object_type="program", to_state="published").exists()


def test_publish_warns_when_jp_differ_but_publishes(organizer, program, module):
    Program.objects.filter(pk=program.pk).update(total_jp=60)

    program = services.program_transition(program=program, action="publish", by=organizer)

    assert program.state == ProgramState.PUBLISHED
    assert program.published_at is not None
    _errors, warnings = rules.program_publish_check(program)
    assert warnings == ["The modules add up to 40 JP but the program states 60 JP."]


def test_publish_module_addressing_only_a_problem_is_enough(organizer, program, problem):
    services.module_create(
        program=program, by=organizer, title="A", jp=40, objectives="x", problems=[problem]
    )
    assert services.program_transition(program=program, action="publish", by=organizer).state == (
        ProgramState.PUBLISHED
    )


PROGRAM_CASES = [
    (action, state) for action in ProgramAction.values for state in ProgramState.values
]


@pytest.mark.parametrize(("action", "state"), PROGRAM_CASES)
def test_program_transition_table(organizer, program, module, action, state):
    force_state(program, state)
    sources, target, _who = rules.PROGRAM_TRANSITIONS[action]

    if state in sources:
        services.program_transition(program=program, action=action, by=organizer, note="ok")
        program.refresh_from_db()
        assert program.state == target
        change = StateChange.objects.filter(object_type="program", object_id=program.pk).last()
        assert (change.from_state, change.to_state, change.by, change.note) == (
            state,
            target,
            organizer,
            "ok",
        )
        assert AuditLog.objects.filter(action=f"programs.program_{action}").exists()
    else:
        with pytest.raises(TransitionNotAllowed, match="Cannot"):
            services.program_transition(program=program, action=action, by=organizer)
        program.refresh_from_db()
        assert program.state == state


@pytest.mark.parametrize("persona", ["trainer", "participant", "other_organizer", "viewer"])
@pytest.mark.parametrize("action", ProgramAction.values)
def test_program_transition_other_roles_denied(request, program, module, persona, action):
    with pytest.raises(PermissionDenied, match="Only the organizer"):
        services.program_transition(
            program=program, action=action, by=request.getfixturevalue(persona)
        )


def test_program_transition_admin_may(admin_user, program, module):
    program = services.program_transition(program=program, action="publish", by=admin_user)
    assert program.state == ProgramState.PUBLISHED


def test_program_transition_unknown_action(organizer, program):
    with pytest.raises(TransitionNotAllowed, match="Unknown action"):
        services.program_transition(program=program, action="explode", by=organizer)


def test_archive_refused_while_batch_open(organizer, batch):
    with pytest.raises(TransitionNotAllowed, match="Angkatan I 2026"):
        services.program_transition(program=batch.program, action="archive", by=organizer)


# --- Batches ----------------------------------------------------------------------------------


def test_batch_create_for_published_program(organizer, published_program, trainer):
    batch = make_batch(published_program, organizer, trainer)

    assert batch.state == BatchState.PLANNED
    assert list(batch.trainers.all()) == [trainer]
    assert StateChange.objects.filter(object_type="batch", object_id=batch.pk, to_state="planned")


def test_batch_create_refused_for_draft_program(organizer, program, module, trainer):
    with pytest.raises(TransitionNotAllowed, match="published program"):
        make_batch(program, organizer, trainer)
    assert not Batch.objects.exists()


def test_batch_create_end_before_start(organizer, published_program):
    with pytest.raises(ValidationError) as exc:
        services.batch_create(
            program=published_program,
            by=organizer,
            name="Angkatan I",
            start_date=dt.date(2026, 3, 10),
            end_date=dt.date(2026, 3, 9),
            mode="klasikal",
            capacity=10,
        )
    assert exc.value.message_dict["end_date"] == [
        "The end date (2026-03-09) is before the start date (2026-03-10)."
    ]


def test_batch_create_capacity_at_least_one(organizer, published_program):
    with pytest.raises(ValidationError) as exc:
        make_batch(published_program, organizer, capacity=0)
    assert exc.value.message_dict["capacity"] == ["The capacity must be at least 1 participant."]


def test_batch_create_duplicate_name(organizer, batch):
    with pytest.raises(ValidationError) as exc:
        make_batch(batch.program, organizer, name="angkatan i 2026")
    assert "already has a batch named" in exc.value.message_dict["name"][0]


def test_batch_create_trainer_of_other_institution_refused(
    organizer, published_program, other_organizer
):
    other_institution = other_organizer.role_assignments.get().institution
    stranger = make_trainer(other_institution, "wi-lain")

    with pytest.raises(ValidationError) as exc:
        make_batch(published_program, organizer, stranger)
    assert "trainers" in exc.value.message_dict


def test_batch_update_capacity_below_seats_refused(organizer, batch, enrollment, agency, mentor):
    second = make_employee(agency, supervisor=mentor.employee)
    services.enrollment_create(batch=batch, by=organizer, nip=second.nip)

    with pytest.raises(ValidationError) as exc:
        services.batch_update(batch=batch, by=organizer, capacity=1)

    assert exc.value.message_dict["capacity"] == [
        "2 participants are already enrolled: the capacity cannot be lower."
    ]
    batch.refresh_from_db()
    assert batch.capacity == 30


def test_batch_update_changes_place_and_dates(organizer, batch):
    services.batch_update(
        batch=batch, by=organizer, location="Daring", end_date=dt.date(2026, 3, 27)
    )
    batch.refresh_from_db()
    assert (batch.location, batch.end_date) == ("Daring", dt.date(2026, 3, 27))


def test_batch_update_removing_coach_refused(organizer, batch, enrollment, trainer):
    with pytest.raises(ValidationError, match="still coach"):
        services.batch_update(batch=batch, by=organizer, trainers=[])


def _batch_ready(batch, participant, organizer, state):
    """An enrolment with a result (holds a seat, nothing pending), then the wanted state."""
    enrollment = services.enrollment_create(batch=batch, by=organizer, nip=participant.employee.nip)
    force_state(enrollment, EnrollmentState.PASSED)
    return force_state(batch, state)


BATCH_CASES = [(action, state) for action in BatchAction.values for state in BatchState.values]


@pytest.mark.parametrize(("action", "state"), BATCH_CASES)
def test_batch_transition_table(organizer, batch, participant, action, state):
    batch = _batch_ready(batch, participant, organizer, state)
    sources, target, _who = rules.BATCH_TRANSITIONS[action]

    if state in sources:
        services.batch_transition(batch=batch, action=action, by=organizer)
        batch.refresh_from_db()
        assert batch.state == target
        change = StateChange.objects.filter(object_type="batch", object_id=batch.pk).last()
        assert (change.from_state, change.to_state, change.by) == (state, target, organizer)
        assert AuditLog.objects.filter(action=f"programs.batch_{action}").exists()
    else:
        with pytest.raises(TransitionNotAllowed, match="Cannot"):
            services.batch_transition(batch=batch, action=action, by=organizer)
        batch.refresh_from_db()
        assert batch.state == state


@pytest.mark.parametrize("persona", ["trainer", "participant", "other_organizer", "mentor"])
def test_batch_transition_other_roles_denied(request, batch, persona):
    with pytest.raises(PermissionDenied):
        services.batch_transition(
            batch=batch, action="open_enrolment", by=request.getfixturevalue(persona)
        )
    batch.refresh_from_db()
    assert batch.state == BatchState.PLANNED


def test_batch_start_refused_without_participants(organizer, batch):
    force_state(batch, BatchState.ENROLLING)
    with pytest.raises(TransitionNotAllowed, match="Nobody is enrolled"):
        services.batch_transition(batch=batch, action="start", by=organizer)


def test_batch_close_refused_while_results_pending(organizer, batch, enrollment):
    force_state(batch, BatchState.FOLLOW_UP)
    with pytest.raises(TransitionNotAllowed, match="1 participant"):
        services.batch_transition(batch=batch, action="close", by=organizer)


def test_batch_start_activates_and_addresses_validated_problem(
    organizer, batch, enrollment, problem, participant
):
    services.enrollment_problem_pick(enrollment=enrollment, problem=problem, by=participant)
    force_state(problem, "validated")
    services.batch_transition(batch=batch, action="open_enrolment", by=organizer)

    services.batch_transition(batch=batch, action="start", by=organizer)

    enrollment.refresh_from_db()
    problem.refresh_from_db()
    assert enrollment.state == EnrollmentState.ACTIVE
    assert problem.state == "addressed"
    step = ProblemTransition.objects.get(problem=problem, action="address")
    assert step.by == organizer and "Angkatan I 2026" in step.note


def test_batch_start_leaves_open_problem_alone(organizer, batch, enrollment, problem, participant):
    services.enrollment_problem_pick(enrollment=enrollment, problem=problem, by=participant)
    force_state(batch, BatchState.ENROLLING)

    services.batch_transition(batch=batch, action="start", by=organizer)

    problem.refresh_from_db()
    assert problem.state == "open"


def test_batch_end_addresses_problems_validated_during_the_run(
    organizer, batch, enrollment, problem, participant
):
    services.enrollment_problem_pick(enrollment=enrollment, problem=problem, by=participant)
    force_state(batch, BatchState.RUNNING)
    force_state(problem, "validated")

    services.batch_transition(batch=batch, action="end", by=organizer)

    problem.refresh_from_db()
    batch.refresh_from_db()
    assert (batch.state, problem.state) == (BatchState.FOLLOW_UP, "addressed")


def test_batch_address_problems_idempotent(organizer, batch, enrollment, problem, participant):
    services.enrollment_problem_pick(enrollment=enrollment, problem=problem, by=participant)
    force_state(batch, BatchState.RUNNING)
    force_state(problem, "validated")

    assert services.batch_problems_waiting(batch) == 1
    assert services.batch_address_problems(batch=batch, by=organizer) == 1
    assert services.batch_address_problems(batch=batch, by=organizer) == 0
    assert services.batch_problems_waiting(batch) == 0
    assert ProblemTransition.objects.filter(problem=problem, action="address").count() == 1


def test_batch_address_problems_only_while_running(organizer, batch):
    with pytest.raises(TransitionNotAllowed):
        services.batch_address_problems(batch=batch, by=organizer)


# --- Enrolment: all or nothing ----------------------------------------------------------------


def _request(nip, line, **kw):
    return services.EnrolmentRequest(nip=nip, line=line, **kw)


def _staff(agency, n, supervisor):
    return [make_employee(agency, supervisor=supervisor) for _ in range(n)]


def test_enrol_many_with_spaces_and_defaults(organizer, batch, agency, mentor, trainer):
    people = _staff(agency, 3, mentor.employee)
    spaced = f"{people[0].nip[:8]} {people[0].nip[8:14]} {people[0].nip[14]} {people[0].nip[15:]}"

    created = services.enrollment_create_many(
        batch=batch,
        by=organizer,
        requests=[_request(spaced, 1)] + [_request(p.nip, i) for i, p in enumerate(people[1:], 2)],
    )

    assert len(created) == 3
    assert set(Enrollment.objects.values_list("mentor", flat=True)) == {mentor.employee.pk}
    assert set(Enrollment.objects.values_list("coach", flat=True)) == {trainer.pk}
    assert set(Enrollment.objects.values_list("agency", flat=True)) == {agency.pk}
    assert StateChange.objects.filter(object_type="enrollment", to_state="enrolled").count() == 3
    assert AuditLog.objects.get(action="programs.enrolled").data["nips"] == [p.nip for p in people]


def test_enrol_reports_every_failure_kind_and_writes_nothing(
    organizer, batch, agency, other_agency, mentor, participant
):
    force_state(batch, BatchState.ENROLLING)
    Batch.objects.filter(pk=batch.pk).update(capacity=2)
    batch.refresh_from_db()
    services.enrollment_create(batch=batch, by=organizer, nip=participant.employee.nip)
    fine = _staff(agency, 2, mentor.employee)
    stranger = make_employee(other_agency, supervisor=make_employee(other_agency))
    orphan = make_employee(agency)  # no supervisor
    before = Enrollment.objects.count()

    with pytest.raises(services.EnrolmentRefused) as exc:
        services.enrollment_create_many(
            batch=batch,
            by=organizer,
            requests=[
                _request(fine[0].nip, 1),
                _request("199001012015011999", 2),  # unknown
                _request(stranger.nip, 3),  # outside the institution's scope
                _request(fine[0].nip, 4),  # duplicate in the input
                _request(participant.employee.nip, 5),  # already enrolled
                _request("12345", 6),  # not a NIP
                _request(orphan.nip, 7),  # no supervisor, no mentor given
                _request(fine[1].nip, 8, mentor_nip="199901012020121001"),  # unknown mentor
                _request(
                    make_employee(agency, supervisor=mentor.employee).nip,
                    10,
                    coach_username="nobody",
                ),
            ],
        )

    refused = exc.value
    by_line = {p.line: p.message for p in refused.problems}
    assert "Unknown NIP" in by_line[2]
    assert "Unknown NIP" in by_line[3]  # another agency's employee is unknown, not "forbidden"
    assert by_line[4] == "This NIP appears more than once in the input (first on line 1)."
    assert "already enrolled" in by_line[5]
    assert "not a NIP" in by_line[6]
    assert "no direct supervisor" in by_line[7]
    assert "Unknown mentor NIP" in by_line[8]
    assert "not a trainer of this batch" in by_line[10]
    assert 1 not in by_line
    assert len(refused.general) == 1 and "Over capacity" in refused.general[0]
    assert "2 seats, 1 are taken" in refused.general[0]
    assert Enrollment.objects.count() == before
    assert AuditLog.objects.filter(action="programs.enrolled").count() == 1  # the first one


def test_enrol_over_capacity_alone_refuses_all(organizer, batch, agency, mentor):
    Batch.objects.filter(pk=batch.pk).update(capacity=2)
    people = _staff(agency, 3, mentor.employee)

    with pytest.raises(services.EnrolmentRefused) as exc:
        services.enrollment_create_many(
            batch=batch, by=organizer, requests=[_request(p.nip, i) for i, p in enumerate(people)]
        )

    assert exc.value.problems == []
    assert exc.value.general == [
        "Over capacity: the batch has 2 seats, 0 are taken and this would add 3 (1 too many)."
    ]
    assert not Enrollment.objects.exists()


def test_enrol_withdrawn_frees_seat(organizer, batch, agency, mentor, enrollment):
    Batch.objects.filter(pk=batch.pk).update(capacity=1)
    services.enrollment_transition(
        enrollment=enrollment, action="withdraw", by=organizer, note="sakit"
    )

    other = make_employee(agency, supervisor=mentor.employee)
    services.enrollment_create(batch=batch, by=organizer, nip=other.nip)

    assert Enrollment.objects.count() == 2


def test_enrol_without_trainers_refused(organizer, published_program, participant):
    batch = make_batch(published_program, organizer, name="Tanpa pelatih")
    with pytest.raises(services.EnrolmentRefused) as exc:
        services.enrollment_create(batch=batch, by=organizer, nip=participant.employee.nip)
    assert "no trainers" in exc.value.general[0]


def test_enrol_explicit_mentor_and_coach(organizer, batch, agency, participant, institution):
    other_trainer = make_trainer(institution, "wi-kedua")
    batch.trainers.add(other_trainer)
    boss = make_employee(agency, name="Kepala Bidang")

    enrollment = services.enrollment_create(
        batch=batch,
        by=organizer,
        nip=participant.employee.nip,
        mentor_nip=boss.nip,
        coach_username="wi-kedua",
    )

    assert enrollment.mentor == boss and enrollment.coach == other_trainer


def test_enrol_default_coach_balances_deterministically(
    organizer, batch, agency, mentor, institution, trainer
):
    second = make_trainer(institution, "a-wi")  # sorts before "widyaiswara"
    batch.trainers.add(second)
    people = _staff(agency, 5, mentor.employee)

    services.enrollment_create_many(
        batch=batch, by=organizer, requests=[_request(p.nip, i) for i, p in enumerate(people, 1)]
    )

    coaches = [Enrollment.objects.get(employee=p).coach.username for p in people]
    assert coaches == ["a-wi", "widyaiswara", "a-wi", "widyaiswara", "a-wi"]


def test_enrol_default_coach_counts_existing_coachees(
    organizer, batch, agency, mentor, institution, trainer, enrollment
):
    second = make_trainer(institution, "zz-wi")
    batch.trainers.add(second)
    newcomer = make_employee(agency, supervisor=mentor.employee)

    created = services.enrollment_create(batch=batch, by=organizer, nip=newcomer.nip)

    assert created.coach == second  # widyaiswara already coaches the participant


def test_enrol_refused_after_batch_ran(organizer, batch, participant):
    force_state(batch, BatchState.FOLLOW_UP)
    with pytest.raises(TransitionNotAllowed, match="planned, enrolling or running"):
        services.enrollment_create(batch=batch, by=organizer, nip=participant.employee.nip)


def test_enrol_into_running_batch_activates(organizer, batch, participant):
    force_state(batch, BatchState.RUNNING)
    enrollment = services.enrollment_create(batch=batch, by=organizer, nip=participant.employee.nip)
    enrollment.refresh_from_db()
    assert enrollment.state == EnrollmentState.ACTIVE
    assert list(
        StateChange.objects.filter(object_type="enrollment", object_id=enrollment.pk).values_list(
            "to_state", flat=True
        )
    ) == ["enrolled", "active"]


def test_enrol_by_trainer_denied(trainer, batch, participant):
    with pytest.raises(PermissionDenied):
        services.enrollment_create(batch=batch, by=trainer, nip=participant.employee.nip)


def test_enrol_empty_input(organizer, batch):
    with pytest.raises(services.EnrolmentRefused) as exc:
        services.enrollment_create_many(batch=batch, by=organizer, requests=[])
    assert exc.value.general == ["Give at least one NIP."]


def test_enrollment_update_mentor_and_coach(organizer, enrollment, agency, institution):
    new_coach = make_trainer(institution, "wi-baru")
    enrollment.batch.trainers.add(new_coach)
    boss = make_employee(agency)

    services.enrollment_update(
        enrollment=enrollment, by=organizer, mentor_nip=boss.nip, coach=new_coach
    )

    enrollment.refresh_from_db()
    assert (enrollment.mentor, enrollment.coach) == (boss, new_coach)


def test_enrollment_update_refuses_self_mentor_and_foreign_coach(
    organizer, enrollment, participant, institution
):
    outsider_trainer = make_trainer(institution, "wi-lain")  # not in this batch

    with pytest.raises(ValidationError) as exc:
        services.enrollment_update(
            enrollment=enrollment,
            by=organizer,
            mentor_nip=participant.employee.nip,
            coach=outsider_trainer,
        )

    assert set(exc.value.message_dict) == {"mentor_nip", "coach"}


def test_enrollment_pass_refused_without_an_approved_action_plan(organizer, batch, enrollment):
    force_state(batch, BatchState.FOLLOW_UP)
    force_state(enrollment, EnrollmentState.ACTIVE)

    with pytest.raises(TransitionNotAllowed, match="approved action plan"):
        services.enrollment_transition(enrollment=enrollment, action="pass", by=organizer)

    enrollment.refresh_from_db()
    assert enrollment.state == EnrollmentState.ACTIVE


# --- Enrolment lifecycle ----------------------------------------------------------------------

ENROLLMENT_CASES = [
    (action, state) for action in EnrollmentAction.values for state in EnrollmentState.values
]
# The batch state that satisfies each action's guard, so only the table decides.
GUARD_BATCH_STATE = {
    "activate": BatchState.RUNNING,
    "pass": BatchState.FOLLOW_UP,
    "fail": BatchState.FOLLOW_UP,
    "withdraw": BatchState.RUNNING,
}


@pytest.mark.parametrize(("action", "state"), ENROLLMENT_CASES)
def test_enrollment_transition_table(organizer, batch, enrollment, action, state):
    force_state(batch, GUARD_BATCH_STATE[action])
    force_state(enrollment, state)
    if action == "pass":  # the pass gate wants an approved plan and enough attendance
        ActionPlan.objects.create(
            enrollment=enrollment, agency=enrollment.agency, title="Rencana aksi", state="approved"
        )
        Enrollment.objects.filter(pk=enrollment.pk).update(jp_attended_imported=40)
    sources, target, _who = rules.ENROLLMENT_TRANSITIONS[action]

    if state in sources:
        services.enrollment_transition(
            enrollment=enrollment, action=action, by=organizer, note="alasan"
        )
        enrollment.refresh_from_db()
        assert enrollment.state == target
        change = StateChange.objects.filter(
            object_type="enrollment", object_id=enrollment.pk
        ).last()
        assert (change.from_state, change.to_state, change.note) == (state, target, "alasan")
    else:
        with pytest.raises(TransitionNotAllowed, match="Cannot"):
            services.enrollment_transition(
                enrollment=enrollment, action=action, by=organizer, note="alasan"
            )
        enrollment.refresh_from_db()
        assert enrollment.state == state


@pytest.mark.parametrize(
    "batch_state", [BatchState.PLANNED, BatchState.ENROLLING, BatchState.RUNNING]
)
@pytest.mark.parametrize("action", ["pass", "fail"])
def test_enrollment_result_refused_before_batch_ends(
    organizer, batch, enrollment, batch_state, action
):
    force_state(batch, batch_state)
    force_state(enrollment, EnrollmentState.ACTIVE)

    with pytest.raises(TransitionNotAllowed, match="after the classes end"):
        services.enrollment_transition(enrollment=enrollment, action=action, by=organizer, note="x")


def test_enrollment_activate_refused_before_batch_runs(organizer, enrollment):
    with pytest.raises(TransitionNotAllowed, match="only when the batch is running"):
        services.enrollment_transition(enrollment=enrollment, action="activate", by=organizer)


@pytest.mark.parametrize("action", ["withdraw", "fail"])
def test_enrollment_reason_required(organizer, batch, enrollment, action):
    force_state(batch, BatchState.FOLLOW_UP)
    force_state(enrollment, EnrollmentState.ACTIVE)
    with pytest.raises(ValidationError) as exc:
        services.enrollment_transition(enrollment=enrollment, action=action, by=organizer)
    assert exc.value.message_dict == {"note": ["Give a reason."]}


@pytest.mark.parametrize("persona", ["participant", "mentor", "trainer", "other_organizer"])
def test_enrollment_transition_other_roles_denied(request, enrollment, persona):
    with pytest.raises(PermissionDenied):
        services.enrollment_transition(
            enrollment=enrollment, action="withdraw", by=request.getfixturevalue(persona), note="x"
        )


def test_pass_gate_is_extensible(organizer, batch, enrollment, monkeypatch):
    """The action-plans stage adds its own condition to the pass gate."""
    force_state(batch, BatchState.FOLLOW_UP)
    force_state(enrollment, EnrollmentState.ACTIVE)
    gates = {
        **rules.ENROLLMENT_GUARDS,
        "pass": [*rules.ENROLLMENT_GUARDS["pass"], lambda e: "No plan."],
    }
    monkeypatch.setattr(rules, "ENROLLMENT_GUARDS", gates)

    with pytest.raises(TransitionNotAllowed, match="No plan"):
        services.enrollment_transition(enrollment=enrollment, action="pass", by=organizer)


# --- The participant's problem ----------------------------------------------------------------


def test_pick_own_problem(participant, enrollment, problem):
    services.enrollment_problem_pick(enrollment=enrollment, problem=problem, by=participant)
    enrollment.refresh_from_db()
    assert enrollment.problem == problem
    assert AuditLog.objects.filter(action="programs.enrollment_problem_picked").exists()


def test_pick_unit_problem_of_a_colleague(participant, enrollment, unit, mentor):
    colleague_problem = make_problem(unit=unit, by=mentor, state="validated")
    services.enrollment_problem_pick(
        enrollment=enrollment, problem=colleague_problem, by=participant
    )
    enrollment.refresh_from_db()
    assert enrollment.problem == colleague_problem


@pytest.mark.parametrize("state", ["addressed", "resolved", "closed"])
def test_pick_refuses_problem_in_wrong_state(participant, enrollment, unit, state):
    done = make_problem(unit=unit, by=participant, state=state)
    with pytest.raises(ValidationError):
        services.enrollment_problem_pick(enrollment=enrollment, problem=done, by=participant)


def test_pick_refuses_other_units_problem(participant, enrollment, agency):
    other_unit_problem = make_problem(
        unit=make_employee(agency).work_unit, title="Masalah unit lain"
    )
    with pytest.raises(ValidationError):
        services.enrollment_problem_pick(
            enrollment=enrollment, problem=other_unit_problem, by=participant
        )


def test_pick_only_by_the_participant(mentor, organizer, enrollment, problem):
    for someone in (mentor, organizer):
        with pytest.raises(PermissionDenied):
            services.enrollment_problem_pick(enrollment=enrollment, problem=problem, by=someone)


def test_pick_refused_after_classes_end(participant, batch, enrollment, problem):
    force_state(batch, BatchState.FOLLOW_UP)
    with pytest.raises(TransitionNotAllowed):
        services.enrollment_problem_pick(enrollment=enrollment, problem=problem, by=participant)


def test_messages_speak_indonesian(organizer, institution, need, batch):
    draft = make_program(organizer, institution, need, name="Draf")
    with translation.override("id"):
        with pytest.raises(TransitionNotAllowed) as refused:
            services.program_transition(program=draft, action="publish", by=organizer)
        with pytest.raises(services.EnrolmentRefused) as report:
            services.enrollment_create(batch=batch, by=organizer, nip="199001012015011999")

    assert str(refused.value) == (
        "Program pelatihan belum memiliki mata pelatihan: tambahkan paling sedikit satu."
    )
    assert report.value.problems[0].message.startswith("NIP tidak dikenal")


@pytest.mark.parametrize("state", BatchState.values)
def test_batch_update_until_classes_end(organizer, batch, state):
    force_state(batch, state)
    if state in rules.BATCH_EDITABLE_STATES:
        services.batch_update(batch=batch, by=organizer, location="Aula B")
        batch.refresh_from_db()
        assert batch.location == "Aula B"
    else:
        with pytest.raises(TransitionNotAllowed, match="can no longer be changed"):
            services.batch_update(batch=batch, by=organizer, location="Aula B")
