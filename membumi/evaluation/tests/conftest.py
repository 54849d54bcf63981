"""Follow-ups on top of the personas in the root conftest.

``batch`` (BPSDM Alfa, classes 2 – 20 March 2026) has ended (``follow_up``); ``enrollment``
puts ``participant`` in it with ``mentor`` (their supervisor) and ``trainer`` as coach, and
``plan`` is their approved plan (in progress). With the default policy the 3-month follow-up
opens on 20 June 2026 and stays open until 19 July 2026 (30 days).

Plans are arranged directly in the database (the action-plans lifecycle is tested there);
messages are asserted in English.
"""

import datetime as dt
import itertools

import pytest
from django.utils import timezone, translation

from membumi.accounts.enums import Role
from membumi.action_plans.models import ActionPlan
from membumi.programs import services as program_services
from membumi.programs.tests.factories import (
    force_state,
    make_analysis,
    make_batch,
    make_need,
    make_problem,
    make_program,
)
from membumi.testing.factories import EmployeeFactory, RoleAssignmentFactory, UserFactory

END = dt.date(2026, 3, 20)
DUE_3 = dt.date(2026, 6, 20)
LAST_3 = dt.date(2026, 7, 19)
DUE_6 = dt.date(2026, 9, 20)

_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def problem(participant, unit):
    return make_problem(unit=unit, by=participant, title="Antrean puskesmas", state="validated")


@pytest.fixture
def program(organizer, institution, problem):
    need = make_need(make_analysis(institution, organizer), problem, label="Layanan lambat")
    program = make_program(organizer, institution, need)
    program_services.module_create(
        program=program, by=organizer, title="Antrean", jp=40, objectives="Alur", needs=[need]
    )
    return program_services.program_transition(program=program, action="publish", by=organizer)


@pytest.fixture
def batch(program, organizer, trainer):
    return make_batch(program, organizer, trainer)


def enrol(batch, organizer, user, *, problem=None):
    enrollment = program_services.enrollment_create(
        batch=batch, by=organizer, nip=user.employee.nip
    )
    if problem is not None:
        enrollment.problem = problem
        enrollment.save(update_fields=["problem"])
    return enrollment


def make_plan(enrollment, *, approved=True, state="in_progress", title=None):
    return ActionPlan.objects.create(
        enrollment=enrollment,
        agency_id=enrollment.agency_id,
        title=title or f"Rencana aksi {next(_seq)}",
        state=state if approved else "draft",
        approved_at=timezone.now() if approved else None,
    )


def make_person(agency, *, unit=None, supervisor=None, name=None, role=Role.PARTICIPANT):
    n = next(_seq)
    kwargs = {"agency": agency, "supervisor": supervisor, "name": name or f"Peserta {n}"}
    if unit is not None:
        kwargs["work_unit"] = unit
    user = UserFactory(username=f"pegawai{n}", employee=EmployeeFactory(**kwargs))
    RoleAssignmentFactory(user=user, role=role)
    return user


def end_batch(batch, *enrollments):
    for enrollment in enrollments:
        force_state(enrollment, "passed")
    return force_state(batch, "follow_up")


@pytest.fixture
def enrollment(batch, organizer, participant, problem):
    return enrol(batch, organizer, participant, problem=problem)


@pytest.fixture
def plan(enrollment):
    return make_plan(enrollment)


@pytest.fixture
def ended(batch, enrollment, plan):
    """The batch has ended with the participant's approved plan."""
    return end_batch(batch, enrollment)


@pytest.fixture
def forms(ended):
    """The 3-month forms of the participant and the mentor, open on their due date."""
    from membumi.evaluation.models import FollowUp
    from membumi.evaluation.reminders import followup_schedule_pass

    followup_schedule_pass(today=DUE_3)
    own = FollowUp.objects.get(role="participant", offset_months=3)
    theirs = FollowUp.objects.get(role="mentor", offset_months=3)
    return own, theirs


GOOD = {"applies": 4, "involves": 3, "uses_data": 5, "serves_public": 4}
