"""Programs, batches and enrolments on top of the personas in the root conftest.

``institution`` (BPSDM Alfa, organised by ``organizer``, taught by ``trainer``) serves
``agency``, where ``participant`` works in ``unit`` under ``mentor``. ``problem`` is the
participant's; ``need`` is an accepted need of the institution's analysis that groups it.
``program`` is a draft answering ``need`` with ``module`` addressing it; ``batch`` is a planned
batch of the published program, taught by ``trainer``.

Messages are asserted in English (the source language), whatever the default language is.
"""

import pytest
from django.utils import translation

from membumi.programs import services

from .factories import make_analysis, make_batch, make_need, make_problem, make_program


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def problem(participant, unit):
    return make_problem(unit=unit, by=participant, title="Antrean pasien puskesmas panjang")


@pytest.fixture
def analysis(institution, organizer):
    return make_analysis(institution, organizer)


@pytest.fixture
def need(analysis, problem):
    return make_need(analysis, problem, label="Pelayanan puskesmas lambat")


@pytest.fixture
def program(organizer, institution, need):
    return make_program(organizer, institution, need)


@pytest.fixture
def module(program, need, organizer):
    return services.module_create(
        program=program,
        by=organizer,
        title="Manajemen antrean",
        jp=40,
        objectives="Peserta merancang alur antrean.",
        needs=[need],
    )


@pytest.fixture
def published_program(program, module, organizer):
    return services.program_transition(program=program, action="publish", by=organizer)


@pytest.fixture
def batch(published_program, organizer, trainer):
    return make_batch(published_program, organizer, trainer)


@pytest.fixture
def enrollment(batch, organizer, participant):
    return services.enrollment_create(batch=batch, by=organizer, nip=participant.employee.nip)
