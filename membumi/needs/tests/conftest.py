"""Problems and analyses for the needs tests, on top of the personas in the root conftest.

``institution`` (BPSDM Alfa, organised by ``organizer``) serves ``agency``; ``other_agency``
is served by ``other_organizer``'s institution only.
"""

import datetime as dt
import itertools

import pytest

from membumi.needs.models import Need, NeedProblem, NeedsAnalysis
from membumi.problems.models import Problem, ProblemEndorsement
from membumi.testing.factories import UserFactory, WorkUnitFactory

_seq = itertools.count(1)

# Realistic problem texts in three themes, so clustering has something to find.
THEMES = {
    "immunisation": [
        (
            "Cakupan imunisasi dasar lengkap rendah",
            "Cakupan imunisasi dasar lengkap bayi di puskesmas hanya 68 persen, jauh di bawah target 95 persen; banyak orang tua menolak imunisasi.",
        ),
        (
            "Imunisasi bayi tidak lengkap di desa terpencil",
            "Bayi di desa terpencil tidak mendapat imunisasi lengkap karena posyandu jarang buka dan vaksin sering habis.",
        ),
        (
            "Penolakan imunisasi oleh orang tua",
            "Orang tua bayi menolak imunisasi campak karena isu halal; cakupan imunisasi puskesmas turun.",
        ),
        (
            "Stok vaksin imunisasi sering kosong",
            "Vaksin untuk imunisasi dasar bayi sering kosong di puskesmas sehingga jadwal imunisasi tertunda.",
        ),
    ],
    "licensing": [
        (
            "Penerbitan izin usaha lambat",
            "Izin usaha mikro di DPMPTSP terbit rata-rata 21 hari, padahal standar pelayanan perizinan 5 hari.",
        ),
        (
            "Berkas perizinan bangunan menumpuk",
            "Permohonan izin persetujuan bangunan gedung menumpuk karena verifikasi berkas perizinan manual.",
        ),
        (
            "Pelaku usaha tidak paham perizinan daring",
            "Pelaku usaha kecil tidak paham mengajukan izin usaha melalui OSS sehingga perizinan gagal diproses.",
        ),
        (
            "Waktu layanan izin usaha melebihi standar",
            "Waktu penyelesaian izin usaha melebihi standar pelayanan perizinan karena tanda tangan pejabat tertunda.",
        ),
    ],
    "school": [
        (
            "Angka putus sekolah SMP tinggi",
            "Angka putus sekolah siswa SMP di kecamatan mencapai 7 persen karena siswa bekerja membantu orang tua.",
        ),
        (
            "Siswa putus sekolah karena jarak",
            "Siswa SMP di desa putus sekolah karena jarak ke sekolah jauh dan tidak ada transportasi.",
        ),
        (
            "Kemampuan literasi siswa sekolah dasar rendah",
            "Hasil asesmen literasi siswa sekolah dasar rendah; guru belum menerapkan pembelajaran literasi.",
        ),
        (
            "Guru sekolah kurang di daerah terpencil",
            "Sekolah dasar di daerah terpencil kekurangan guru sehingga siswa belajar digabung.",
        ),
    ],
}
THEME_SECTORS = {"immunisation": "health", "licensing": "licensing", "school": "education"}


def make_problem(
    *,
    unit,
    title=None,
    statement=None,
    sector="health",
    urgency=3,
    seriousness=3,
    growth=3,
    state="open",
    created_at=None,
    submitted_by=None,
):
    n = next(_seq)
    original = make_problem(unit=unit) if state == "duplicate" else None
    problem = Problem.objects.create(
        duplicate_of=original,
        agency_id=unit.agency_id,
        work_unit=unit,
        submitted_by=submitted_by,
        title=title or f"Masalah {n}",
        statement=statement or f"Uraian masalah nomor {n} di unit kerja.",
        sector=sector,
        indicator_name="Capaian",
        indicator_unit="%",
        indicator_direction="increase",
        baseline_value=50,
        baseline_date=dt.date(2026, 1, 1),
        urgency=urgency,
        seriousness=seriousness,
        growth=growth,
        state=state,
    )
    if created_at is not None:
        Problem.objects.filter(pk=problem.pk).update(created_at=created_at)
    problem.refresh_from_db()
    return problem


def make_theme_problems(unit, theme, **kwargs):
    return [
        make_problem(
            unit=unit, title=title, statement=statement, sector=THEME_SECTORS[theme], **kwargs
        )
        for title, statement in THEMES[theme]
    ]


def make_analysis(institution, groups, *, by=None, title="AKP uji"):
    """A finished analysis with one need per ``(label, problems)`` in ``groups``."""
    analysis = NeedsAnalysis.objects.create(
        institution=institution,
        title=title,
        created_by=by,
        status=NeedsAnalysis.Status.DONE,
        progress=100,
        problem_count=sum(len(problems) for _label, problems in groups),
    )
    for position, (label, problems) in enumerate(groups, start=1):
        need = Need.objects.create(
            analysis=analysis, label=label, keywords=label.lower().split(), position=position
        )
        NeedProblem.objects.bulk_create(
            NeedProblem(analysis=analysis, need=need, problem=p) for p in problems
        )
    return analysis


def endorse(problem, unit):
    user = UserFactory()
    return ProblemEndorsement.objects.create(problem=problem, work_unit=unit, user=user)


@pytest.fixture
def other_unit(agency, unit):
    """A second unit of ``agency``, under ``unit`` (a puskesmas under the dinas)."""
    return WorkUnitFactory(agency=agency, parent=unit, name="Puskesmas Sukamaju")


@pytest.fixture
def sibling_unit(agency):
    return WorkUnitFactory(agency=agency, name="DPMPTSP")


@pytest.fixture
def far_unit(other_agency):
    return WorkUnitFactory(agency=other_agency, name="Dinas Pendidikan Zulu")


@pytest.fixture
def analysis(institution, organizer, unit, other_unit, sibling_unit):
    """A finished analysis of ``institution`` with two needs of two problems each."""
    a1 = make_problem(unit=unit, title="Imunisasi rendah", urgency=5, seriousness=5, growth=5)
    a2 = make_problem(unit=other_unit, title="Vaksin kosong", urgency=2, seriousness=2, growth=2)
    b1 = make_problem(unit=sibling_unit, title="Izin lambat", sector="licensing")
    b2 = make_problem(unit=sibling_unit, title="Berkas menumpuk", sector="licensing")
    return make_analysis(
        institution, [("Imunisasi", [a1, a2]), ("Perizinan", [b1, b2])], by=organizer
    )
