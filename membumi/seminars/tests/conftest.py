"""Seminars on top of the action-plan fixtures (``enrollment``, ``plan``, ``ready_plan`` …).

``examiner`` (penguji) holds the examiner role at BPSDM Alfa; ``examiner2`` too;
``foreign_examiner`` is an examiner of another institution. ``seminar_program`` is the
program with seminars enabled and the default rubric (pass mark 70); ``submitted_plan`` is
the participant's plan in state *submitted*; ``session`` is an open rancangan session of the
batch with ``examiner`` and ``examiner2``.

Messages are asserted in English (the source language).
"""

import datetime as dt

import pytest
from django.utils import timezone

from membumi.accounts.enums import Role
from membumi.action_plans.tests import conftest as plans_conftest
from membumi.programs.tests.factories import force_state
from membumi.seminars import rules, services
from membumi.testing.factories import InstitutionFactory, RoleAssignmentFactory, UserFactory

# The action-plan fixtures, reused as they are.
_english = plans_conftest._english
_fresh_plan_index = plans_conftest._fresh_plan_index
problem = plans_conftest.problem
program = plans_conftest.program
batch = plans_conftest.batch
enrollment = plans_conftest.enrollment
plan = plans_conftest.plan
ready_plan = plans_conftest.ready_plan


def default_criteria(max_score=100):
    return [
        {"name": str(n), "description": str(d), "weight": 20, "max_score": max_score}
        for n, d in rules.DEFAULT_CRITERIA
    ]


@pytest.fixture
def examiner(institution):
    user = UserFactory(username="penguji", first_name="Dr. Sri", last_name="Penguji")
    RoleAssignmentFactory(user=user, role=Role.EXAMINER, institution=institution)
    return user


@pytest.fixture
def examiner2(institution):
    user = UserFactory(username="penguji2", first_name="Ir. Budi", last_name="Kedua")
    RoleAssignmentFactory(user=user, role=Role.EXAMINER, institution=institution)
    return user


@pytest.fixture
def foreign_examiner(other_agency):
    other = InstitutionFactory(agency=other_agency, code="BPSDM-X", name="BPSDM Xray")
    user = UserFactory(username="penguji-lain")
    RoleAssignmentFactory(user=user, role=Role.EXAMINER, institution=other)
    return user


@pytest.fixture
def seminar_program(program, organizer):
    services.seminar_config_save(
        program=program, by=organizer, enabled=True, pass_mark="70", criteria=default_criteria()
    )
    return program


@pytest.fixture
def submitted_plan(ready_plan):
    return force_state(ready_plan, "submitted")


@pytest.fixture
def session(seminar_program, batch, organizer, examiner, examiner2, submitted_plan):
    return services.seminar_session_create(
        batch=batch,
        by=organizer,
        kind="rancangan",
        starts_at=timezone.make_aware(dt.datetime(2026, 3, 18, 9, 0)),
        place="Aula BPSDM",
        examiners=[examiner, examiner2],
    )


def score_all(session, plan, examiner, value, note=""):
    from membumi.seminars.queries import criteria_for

    criteria = criteria_for(session.batch.program)
    return services.score_save(
        session=session,
        plan=plan,
        by=examiner,
        values={c.pk: value for c in criteria},
        comments={c.pk: f"Komentar {c.name}" for c in criteria},
        note=note,
    )


def add_submitted_plans(batch, organizer, mentor, n):
    """``n`` more participants of ``batch`` (staff of ``mentor``), each with a submitted plan
    (arranged directly: the plan's own lifecycle is tested in action_plans)."""
    from membumi.action_plans.models import ActionPlan
    from membumi.programs import services as program_services
    from membumi.programs.tests.factories import make_employee

    plans = []
    for i in range(n):
        employee = make_employee(
            mentor.employee.agency, supervisor=mentor.employee, name=f"Peserta Tambahan {i:02d}"
        )
        enrollment = program_services.enrollment_create(batch=batch, by=organizer, nip=employee.nip)
        plans.append(
            ActionPlan.objects.create(
                enrollment=enrollment,
                agency=enrollment.agency,
                title=f"Rencana aksi tambahan {i:02d}",
                state="submitted",
            )
        )
    return plans
