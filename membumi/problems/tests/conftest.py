"""Problems on top of the personas in the root conftest.

``problem`` is submitted by ``participant`` for ``unit`` (Dinas Kesehatan of Kabupaten Alfa):
``mentor`` (the participant's supervisor) is its validator, ``organizer`` runs the BPSDM that
serves the agency, ``viewer`` reads the agency, ``outsider`` works in Kabupaten Zulu and must
never see it. ``foreign_problem`` belongs to Kabupaten Zulu.

Messages are asserted in English (the source language), whatever the default language is.
"""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.utils import translation

from membumi.problems import services, similarity
from membumi.problems.models import Problem
from membumi.testing.factories import WorkUnitFactory

_seq = itertools.count(1)

ANTREAN = (
    "Antrean panjang pembuatan akta kelahiran",
    "Warga menunggu rata-rata sembilan hari untuk akta kelahiran di kantor Disdukcapil; "
    "banyak yang datang dua kali karena berkas kurang lengkap.",
)
STUNTING = (
    "Prevalensi stunting balita tinggi",
    "Prevalensi stunting pada balita di wilayah puskesmas mencapai 31 persen; posyandu jarang "
    "melakukan pengukuran tinggi badan.",
)


def problem_fields(**overrides) -> dict:
    n = next(_seq)
    fields = {
        "title": f"Waktu tunggu layanan puskesmas panjang {n}",
        "statement": "Pasien menunggu lebih dari tiga jam setiap pagi di loket pendaftaran.",
        "sector": "health",
        "public_service": "Pendaftaran pasien",
        "indicator_name": "Waktu tunggu rata-rata",
        "indicator_unit": "menit",
        "indicator_direction": "decrease",
        "baseline_value": Decimal("180"),
        "baseline_date": dt.date(2026, 1, 31),
        "data_source": "Catatan loket",
        "urgency": 4,
        "seriousness": 4,
        "growth": 3,
    }
    fields.update(overrides)
    return fields


def make_problem(*, unit, by=None, state=None, duplicate_of=None, **overrides) -> Problem:
    """A problem through the service (with its history row); ``state`` is then arranged
    directly — tests only: ``services.problem_transition`` is the only code that changes it."""
    problem = services.problem_create(by=by, work_unit=unit, **problem_fields(**overrides))
    if state is not None and state != problem.state:
        Problem.objects.filter(pk=problem.pk).update(state=state, duplicate_of=duplicate_of)
        problem.refresh_from_db()
    return problem


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_similarity_index():
    similarity.invalidate()
    yield
    similarity.invalidate()


@pytest.fixture
def everyone(
    participant, mentor, organizer, trainer, viewer, outsider, other_organizer, admin_user
):
    """Create every persona, so that each scope has something to leave out."""


@pytest.fixture
def problem(participant, unit):
    return make_problem(unit=unit, by=participant, title=ANTREAN[0], statement=ANTREAN[1])


@pytest.fixture
def sibling_unit(agency):
    return WorkUnitFactory(agency=agency, name="Dinas Kependudukan dan Pencatatan Sipil")


@pytest.fixture
def foreign_unit(other_agency):
    return WorkUnitFactory(agency=other_agency, name="Disdukcapil Zulu")


@pytest.fixture
def foreign_problem(outsider, foreign_unit):
    return make_problem(
        unit=foreign_unit,
        by=outsider,
        title="Antrean akta kelahiran sangat panjang di Disdukcapil",
        statement="Warga menunggu berhari-hari untuk akta kelahiran; berkas sering kurang.",
    )
