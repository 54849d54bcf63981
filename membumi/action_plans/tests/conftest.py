"""Action plans on top of the personas in the root conftest and the programs builders.

``enrollment``: ``participant`` in a batch of BPSDM Alfa with ``mentor`` (their supervisor)
and ``trainer`` as coach; ``problem`` is the participant's, validated by the mentor and
brought to the enrolment. ``plan`` is a draft for it; ``ready_plan`` is a draft that passes
every submit check (goal, indicator, target better than the baseline, one milestone per term).

Messages are asserted in English (the source language).
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from membumi.action_plans import services
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


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_plan_index():
    """The originality index is cached per process; ids are reused between tests."""
    from membumi.action_plans import analysis

    analysis.invalidate()
    yield
    analysis.invalidate()


@pytest.fixture
def problem(participant, unit):
    return make_problem(
        unit=unit, by=participant, title="Antrean pasien puskesmas panjang", state="validated"
    )


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


@pytest.fixture
def enrollment(batch, organizer, participant, problem):
    enrollment = program_services.enrollment_create(
        batch=batch, by=organizer, nip=participant.employee.nip
    )
    enrollment.problem = problem
    enrollment.save(update_fields=["problem"])
    return enrollment


@pytest.fixture
def plan(enrollment, participant):
    return services.action_plan_create(
        enrollment=enrollment, by=participant, title="Antrean daring puskesmas"
    )


def make_ready(plan, by):
    services.action_plan_update(
        plan=plan,
        by=by,
        goal="Menurunkan waktu tunggu dari 180 menjadi 60 menit dengan antrean daring.",
        target_value=Decimal("60"),
        target_date=dt.date(2026, 12, 31),
    )
    for term, due in (("short", "2026-03-15"), ("mid", "2026-06-15"), ("long", "2026-12-15")):
        services.milestone_add(
            plan=plan,
            by=by,
            term=term,
            output=f"Keluaran {term}",
            due_date=dt.date.fromisoformat(due),
            responsible="Kepala puskesmas",
            values=["akuntabel"],
        )
    return ActionPlan.objects.get(pk=plan.pk)


@pytest.fixture
def ready_plan(plan, participant):
    return make_ready(plan, participant)


def in_state(plan, state):
    return force_state(plan, state)
