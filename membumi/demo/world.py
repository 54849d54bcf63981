"""The demo world: the Province of Nusa Tenggara Barat, two of its kabupaten/kota, the
provincial BPSDM that trains them all, their people and the demo accounts; then the
problems-first flow on top of them: a bank of 200 work-unit problems (``data/problems.csv``),
the BPSDM's needs analysis with its accepted needs, two published programs built from them
and a running batch in which ``peserta`` brings the problem ``mentor`` validated.

Deterministic: fixed data, and ``random.Random(SEED)`` for the rest, so every run builds the
same world. Idempotent: ``build`` runs a sequence of small steps (``STEPS``) in one
transaction; each step either creates its part of the world or, when that part is already in
the database, loads it into the ``World`` and creates nothing. Running it twice therefore
duplicates nothing, and a failure leaves nothing half-made.

To extend the world (problems, programs, batches, action plans …), append a step with the same
shape: ``def build_<part>(world: World) -> bool`` that loads its part and returns ``False``
when a marker of it exists, and otherwise creates it through the services and returns
``True``. Give each step its own ``random.Random(SEED)`` so what it draws does not depend on
which earlier steps ran in this process.

Dates are reckoned as of ``WORLD_YEAR`` (ages, years of service, retirement) and
``DEMO_TODAY`` (submissions, the analysis, publication, the batch that runs "today"), never
from the clock, so the world does not drift from one day to the next.
"""

import csv
import datetime as dt
import functools
import json
import random
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from membumi.accounts.enums import Role
from membumi.accounts.models import RoleAssignment, User
from membumi.accounts.services import role_assign
from membumi.core.tabular import ImportReport
from membumi.demo.attendance import build_attendance
from membumi.demo.follow_ups import build_follow_ups
from membumi.demo.monitoring import build_monitoring
from membumi.demo.plans import build_action_plans
from membumi.demo.reminders import build_reminders
from membumi.demo.seminars import build_seminars
from membumi.needs.models import Need, NeedProblem, NeedsAnalysis
from membumi.needs.services import need_accept, need_rename, needs_analysis_run
from membumi.organizations.enums import (
    PANGKAT,
    AgencyKind,
    AgencyLevel,
    EmploymentType,
    InstitutionKind,
    PositionType,
    Sex,
    WorkUnitKind,
)
from membumi.organizations.models import Agency, Employee, Institution, WorkUnit
from membumi.organizations.nip import parse_nip
from membumi.organizations.services import agency_create, institution_create, work_unit_create
from membumi.problems.enums import FISHBONE
from membumi.problems.models import Problem, ProblemEndorsement, ProblemTransition
from membumi.problems.services import (
    problem_bulk_create,
    problem_create,
    problem_endorse,
    problem_import_record,
    problem_transition,
)
from membumi.programs.models import Batch, Enrollment, Program, StateChange
from membumi.programs.services import (
    EnrolmentRequest,
    batch_create,
    batch_transition,
    enrollment_create_many,
    enrollment_problem_pick,
    enrollment_transition,
    module_create,
    program_create,
    program_transition,
)

SEED = 20261128
DEMO_PASSWORD = "membumi-demo"  # noqa: S105 - public on purpose: demo accounts only
WORLD_YEAR = 2026


class DemoWorldError(Exception):
    """The database holds part of the demo world in a shape the builder cannot complete."""


# --- Work units -----------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitRule:
    """How a unit name maps to its kind and to the title and type of its head."""

    prefix: str
    kind: str
    head: str  # format: {name} the unit, {rest} the name after the prefix, {parent} the parent
    head_type: str
    head_level: str  # key of LEVELS


# Longest prefixes first: the first match wins.
UNIT_RULES = (
    UnitRule("Sekretariat Daerah", WorkUnitKind.SECRETARIAT, "Sekretaris Daerah", PositionType.JPT, "sekda"),
    UnitRule("Sekretariat", WorkUnitKind.SECRETARIAT, "Sekretaris {parent}", PositionType.ADMINISTRATOR, "administrator"),
    UnitRule("Inspektorat", WorkUnitKind.BADAN, "Inspektur", PositionType.JPT, "jpt"),
    UnitRule("Dinas", WorkUnitKind.DINAS, "Kepala {name}", PositionType.JPT, "jpt"),
    UnitRule("Badan", WorkUnitKind.BADAN, "Kepala {name}", PositionType.JPT, "jpt"),
    UnitRule("Biro", WorkUnitKind.BIDANG, "Kepala {name}", PositionType.JPT, "jpt"),
    UnitRule("Bagian", WorkUnitKind.BIDANG, "Kepala {name}", PositionType.ADMINISTRATOR, "administrator"),
    UnitRule("Bidang", WorkUnitKind.BIDANG, "Kepala {name}", PositionType.ADMINISTRATOR, "administrator"),
    UnitRule("Subbagian", WorkUnitKind.SEKSI, "Kepala {name}", PositionType.SUPERVISOR, "pengawas"),
    UnitRule("Seksi", WorkUnitKind.SEKSI, "Kepala {name}", PositionType.SUPERVISOR, "pengawas"),
    UnitRule("Puskesmas", WorkUnitKind.PUSKESMAS, "Kepala {name}", PositionType.SUPERVISOR, "pengawas"),
    UnitRule("RSUD", WorkUnitKind.HOSPITAL, "Direktur {name}", PositionType.JPT, "jpt"),
    UnitRule("SD Negeri", WorkUnitKind.SCHOOL, "Kepala {name}", PositionType.FUNCTIONAL, "kepala_sekolah"),
    UnitRule("SMP Negeri", WorkUnitKind.SCHOOL, "Kepala {name}", PositionType.FUNCTIONAL, "kepala_sekolah"),
    UnitRule("SMA Negeri", WorkUnitKind.SCHOOL, "Kepala {name}", PositionType.FUNCTIONAL, "kepala_sekolah"),
    UnitRule("SMK Negeri", WorkUnitKind.SCHOOL, "Kepala {name}", PositionType.FUNCTIONAL, "kepala_sekolah"),
    UnitRule("Kecamatan", WorkUnitKind.DISTRICT, "Camat {rest}", PositionType.ADMINISTRATOR, "administrator"),
    UnitRule("Kelurahan", WorkUnitKind.VILLAGE, "Lurah {rest}", PositionType.SUPERVISOR, "pengawas"),
    UnitRule("UPTD", WorkUnitKind.UPT, "Kepala {name}", PositionType.SUPERVISOR, "pengawas"),
)  # fmt: skip


def unit_rule(name: str) -> UnitRule:
    for rule in UNIT_RULES:
        if name.startswith(rule.prefix):
            return rule
    raise ValueError(f"no unit rule for {name!r}")


@dataclass(frozen=True)
class U:
    """A unit in the spec tree. ``sector`` picks the staff and the heads' degrees; children
    inherit it."""

    name: str
    children: tuple["U", ...] = ()
    sector: str = ""

    @property
    def kind(self) -> str:
        return unit_rule(self.name).kind


def u(name: str, *children: U, sector: str = "") -> U:
    return U(name, children, sector)


def _seksi(*names: str) -> tuple[U, ...]:
    return tuple(u(name) for name in names)


def _dinkes(*, puskesmas: tuple[str, ...], full: bool) -> U:
    """A kabupaten/kota Dinas Kesehatan with its bidang, seksi and puskesmas."""
    p2p = ["Seksi Surveilans dan Imunisasi", "Seksi Pencegahan dan Pengendalian Penyakit Menular"]
    kesmas = ["Seksi Kesehatan Keluarga dan Gizi", "Seksi Promosi dan Pemberdayaan Masyarakat"]
    if full:
        p2p.append("Seksi Pencegahan dan Pengendalian Penyakit Tidak Menular dan Kesehatan Jiwa")
        kesmas.append("Seksi Kesehatan Lingkungan, Kesehatan Kerja dan Olahraga")
    return u(
        "Dinas Kesehatan",
        u("Sekretariat", *_seksi("Subbagian Umum dan Kepegawaian")),
        u("Bidang Pencegahan dan Pengendalian Penyakit", *_seksi(*p2p)),
        u("Bidang Kesehatan Masyarakat", *_seksi(*kesmas)),
        u("Bidang Pelayanan dan Sumber Daya Kesehatan"),
        *(u(f"Puskesmas {name}") for name in puskesmas),
        sector="health",
    )  # fmt: skip


def _dikbud(*, schools: tuple[str, ...]) -> U:
    return u(
        "Dinas Pendidikan",
        u("Bidang Pembinaan Sekolah Dasar"),
        u("Bidang Pembinaan Sekolah Menengah Pertama"),
        *(u(name) for name in schools),
        sector="education",
    )


def _kecamatan(name: str, *kelurahan: str) -> U:
    if kelurahan:
        children = tuple(u(f"Kelurahan {k}") for k in kelurahan)
    else:
        children = _seksi("Seksi Pemerintahan", "Seksi Pelayanan Umum")
    return u(f"Kecamatan {name}", *children, sector="kecamatan")


def _regency_units(
    *,
    setda: U,
    puskesmas: tuple[str, ...],
    full_dinkes: bool,
    rsud: str,
    schools: tuple[str, ...],
    kecamatan: tuple[U, ...],
) -> tuple[U, ...]:
    """The perangkat daerah every kabupaten/kota in the demo has, around its own specifics."""
    return (
        setda,
        u("Inspektorat Daerah", sector="inspektorat"),
        _dinkes(puskesmas=puskesmas, full=full_dinkes),
        u(rsud, sector="health"),
        _dikbud(schools=schools),
        u(
            "Dinas Kependudukan dan Pencatatan Sipil",
            u("Bidang Pelayanan Pendaftaran Penduduk"),
            u("Bidang Pelayanan Pencatatan Sipil"),
            sector="dukcapil",
        ),
        u(
            "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
            u("Bidang Pelayanan Perizinan dan Nonperizinan"),
            sector="dpmptsp",
        ),
        u(
            "Dinas Lingkungan Hidup",
            u("Bidang Pengelolaan Sampah dan Limbah B3"),
            sector="dlh",
        ),
        u(
            "Dinas Pekerjaan Umum dan Penataan Ruang",
            u("Bidang Bina Marga"),
            u("Bidang Sumber Daya Air"),
            sector="pupr",
        ),
        u(
            "Dinas Sosial",
            u("Bidang Perlindungan dan Jaminan Sosial"),
            sector="sosial",
        ),
        u(
            "Badan Perencanaan Pembangunan Daerah",
            u("Bidang Pemerintahan dan Pembangunan Manusia"),
            sector="bappeda",
        ),
        u(
            "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
            u("Bidang Mutasi dan Promosi"),
            u("Bidang Pengembangan Kompetensi Aparatur"),
            sector="bkpsdm",
        ),
        *kecamatan,
    )


def _kabupaten_setda() -> U:
    return u(
        "Sekretariat Daerah",
        u("Bagian Pemerintahan"),
        u("Bagian Hukum", *_seksi("Subbagian Perundang-undangan")),
        u("Bagian Organisasi", *_seksi("Subbagian Kelembagaan dan Analisis Jabatan", "Subbagian Reformasi Birokrasi dan Akuntabilitas Kinerja")),
        u("Bagian Umum"),
        sector="setda",
    )  # fmt: skip


PROVINCE_UNITS = (
    u(
        "Sekretariat Daerah",
        u("Biro Pemerintahan"),
        u("Biro Organisasi", u("Bagian Kelembagaan dan Analisis Jabatan"), u("Bagian Reformasi Birokrasi dan Akuntabilitas Kinerja")),
        u("Biro Hukum"),
        sector="setda",
    ),
    u("Inspektorat", sector="inspektorat"),
    u(
        "Dinas Kesehatan",
        u("Sekretariat", u("Subbagian Umum dan Kepegawaian")),
        u("Bidang Pencegahan dan Pengendalian Penyakit", u("Seksi Surveilans dan Imunisasi")),
        u("Bidang Kesehatan Masyarakat", u("Seksi Kesehatan Keluarga dan Gizi")),
        u("Bidang Pelayanan dan Sumber Daya Kesehatan"),
        sector="health",
    ),
    u("RSUD Provinsi Nusa Tenggara Barat", sector="health"),
    u(
        "Dinas Pendidikan dan Kebudayaan",
        u("Bidang Pembinaan Sekolah Menengah Atas"),
        u("Bidang Pembinaan Sekolah Menengah Kejuruan"),
        u("SMA Negeri 1 Mataram"),
        u("SMA Negeri 1 Selong"),
        u("SMK Negeri 3 Mataram"),
        sector="education",
    ),
    u(
        "Badan Perencanaan Pembangunan Daerah",
        u("Bidang Pemerintahan dan Pembangunan Manusia"),
        sector="bappeda",
    ),
    u(
        "Badan Kepegawaian Daerah",
        u("Bidang Mutasi dan Promosi"),
        sector="bkpsdm",
    ),
    u(
        "Badan Pengembangan Sumber Daya Manusia Daerah",
        u("Sekretariat"),
        u("Bidang Pengembangan Kompetensi Manajerial dan Sosial Kultural"),
        u("Bidang Pengembangan Kompetensi Teknis dan Fungsional"),
        sector="bpsdm",
    ),
    u(
        "Dinas Pekerjaan Umum dan Perumahan Rakyat",
        u("Bidang Bina Marga"),
        sector="pupr",
    ),
    u("Dinas Sosial", u("Bidang Rehabilitasi Sosial"), sector="sosial"),
    u(
        "Dinas Lingkungan Hidup dan Kehutanan",
        u("Bidang Pengelolaan Sampah dan Limbah B3"),
        sector="dlh",
    ),
    u("Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", u("Bidang Pelayanan Perizinan dan Nonperizinan"), sector="dpmptsp"),
    u(
        "Dinas Pemberdayaan Masyarakat, Pemerintahan Desa, Kependudukan dan Pencatatan Sipil",
        u("Bidang Administrasi Kependudukan"),
        sector="dukcapil",
    ),
)  # fmt: skip

LOMBOK_TIMUR_UNITS = _regency_units(
    setda=_kabupaten_setda(),
    puskesmas=("Selong", "Masbagik", "Aikmel", "Sakra", "Labuhan Haji", "Sembalun"),
    full_dinkes=True,
    rsud="RSUD dr. R. Soedjono Selong",
    schools=(
        "SD Negeri 1 Selong",
        "SD Negeri 2 Masbagik",
        "SD Negeri 3 Sakra",
        "SMP Negeri 1 Selong",
        "SMP Negeri 2 Masbagik",
    ),
    kecamatan=(
        _kecamatan("Selong", "Pancor", "Selong", "Sandubaya", "Majidi"),
        _kecamatan("Masbagik"),
    ),
)

MATARAM_UNITS = _regency_units(
    setda=u(
        "Sekretariat Daerah",
        u("Bagian Pemerintahan"),
        u("Bagian Hukum"),
        u("Bagian Organisasi", *_seksi("Subbagian Kelembagaan dan Analisis Jabatan")),
        sector="setda",
    ),
    puskesmas=("Ampenan", "Tanjung Karang", "Karang Pule", "Cakranegara", "Dasan Agung"),
    full_dinkes=False,
    rsud="RSUD Kota Mataram",
    schools=(
        "SD Negeri 1 Mataram",
        "SD Negeri 5 Ampenan",
        "SMP Negeri 2 Mataram",
    ),
    kecamatan=(
        _kecamatan("Ampenan", "Ampenan Selatan", "Ampenan Tengah", "Dayan Peken"),
        _kecamatan("Cakranegara", "Cakranegara Barat", "Sayang-Sayang"),
    ),
)  # fmt: skip


# --- Agencies and the training institution --------------------------------------------------


@dataclass(frozen=True)
class AgencySpec:
    code: str
    name: str
    level: str
    parent: str | None
    email_domain: str  # .example: never deliverable, whatever the mail settings
    cultures: tuple[tuple[str, int], ...]  # name origins and their weights
    units: tuple[U, ...]


AGENCIES = (
    AgencySpec(
        code="PROV-NTB",
        name="Provinsi Nusa Tenggara Barat",
        level=AgencyLevel.PROVINCE,
        parent=None,
        email_domain="ntbprov.example",
        cultures=(("sasak", 45), ("jawa", 14), ("bugis_mbojo", 12), ("arab", 12), ("bali", 10), ("kristen", 7)),
        units=PROVINCE_UNITS,
    ),
    AgencySpec(
        code="KAB-LOTIM",
        name="Kabupaten Lombok Timur",
        level=AgencyLevel.REGENCY,
        parent="PROV-NTB",
        email_domain="lomboktimurkab.example",
        cultures=(("sasak", 62), ("jawa", 10), ("bugis_mbojo", 8), ("arab", 14), ("bali", 2), ("kristen", 4)),
        units=LOMBOK_TIMUR_UNITS,
    ),
    AgencySpec(
        code="KOTA-MTR",
        name="Kota Mataram",
        level=AgencyLevel.CITY,
        parent="PROV-NTB",
        email_domain="mataramkota.example",
        cultures=(("sasak", 40), ("jawa", 14), ("bugis_mbojo", 10), ("arab", 14), ("bali", 14), ("kristen", 8)),
        units=MATARAM_UNITS,
    ),
)  # fmt: skip
AGENCY_CODES = tuple(spec.code for spec in AGENCIES)

INSTITUTION_CODE = "BPSDM-NTB"
INSTITUTION_NAME = "BPSDM Provinsi Nusa Tenggara Barat"


# --- Positions, grades and careers -----------------------------------------------------------

# Level: (lowest golongan, highest golongan, years of service (min, max), retirement age).
LEVELS = {
    "jpt": ("IV/b", "IV/d", (20, 32), 60),
    "sekda": ("IV/c", "IV/d", (24, 34), 60),
    "jpt_madya": ("IV/d", "IV/e", (26, 34), 60),
    "administrator": ("III/d", "IV/b", (14, 30), 58),
    "pengawas": ("III/c", "IV/a", (8, 26), 58),
    "kepala_sekolah": ("III/d", "IV/b", (15, 30), 60),
    "pelaksana": ("II/a", "III/b", (1, 30), 58),
    "Ahli Utama": ("IV/d", "IV/e", (26, 36), 65),
    "Ahli Madya": ("IV/a", "IV/c", (16, 32), 60),
    "Ahli Muda": ("III/c", "III/d", (8, 22), 58),
    "Ahli Pertama": ("III/a", "III/b", (1, 9), 58),
    "Penyelia": ("III/c", "III/d", (14, 30), 58),
    "Mahir": ("III/a", "III/b", (6, 18), 58),
    "Terampil": ("II/c", "II/d", (1, 10), 58),
}
FUNCTIONAL_LEVELS = ("Ahli Utama", "Ahli Madya", "Ahli Muda", "Ahli Pertama", "Penyelia", "Mahir", "Terampil")  # fmt: skip
GOLONGAN_ORDER = list(PANGKAT)
START_GOLONGAN = {"sma": "II/a", "d3": "II/c", "s1": "III/a", "profesi": "III/a", "dr": "III/b"}
PPPK_GOLONGAN = {"sma": "V", "d3": "VII", "s1": "IX", "profesi": "IX", "dr": "IX"}
ENTRY_AGE = {"sma": (19, 24), "d3": (21, 27), "s1": (22, 30), "profesi": (24, 31), "dr": (25, 32)}
# No TMT CPNS in the moratorium years: move to the nearest year with an intake.
CPNS_INTAKE_YEAR = {2015: 2014, 2016: 2014, 2017: 2018, 2023: 2024}
CPNS_MONTHS = (1, 1, 1, 3, 3, 4, 12)
PPPK_YEARS = (2022, 2022, 2023, 2024, 2025)
PPPK_MONTHS = (1, 3, 4, 7, 10)
OLD_TITLES = ("Drs.", "Ir.")  # degrees awarded before the 1990s reform


@dataclass(frozen=True)
class Post:
    """A staff position. ``titles`` are "front|back" academic titles, one chosen per person;
    the entry education (and so the starting golongan) follows from them."""

    name: str
    titles: tuple[str, ...] = ("|",)
    female: float = 0.5
    pppk: float = 0.0  # share of PPPK among the people in this post
    weight: int = 1
    retirement: int = 0  # when it differs from the level's (guru: 60)

    @property
    def level(self) -> str:
        for level in FUNCTIONAL_LEVELS:
            if self.name.endswith(level):
                return level
        return "pelaksana"

    @property
    def position_type(self) -> str:
        return PositionType.EXECUTOR if self.level == "pelaksana" else PositionType.FUNCTIONAL


ADMIN_STAFF = (
    Post("Pengadministrasi Perkantoran", ("|", "|", "|A.Md."), weight=2),
    Post("Pengolah Data dan Informasi", ("|A.Md.", "|S.Kom.", "|")),
    Post("Penata Layanan Operasional", ("|S.Sos.", "|S.E.", "|A.Md.")),
)

STAFF = {
    "subbagian": (
        Post("Analis Sumber Daya Manusia Aparatur Ahli Pertama", ("|S.Psi.", "|S.IP.", "|S.Sos.")),
        Post("Analis Keuangan Pusat dan Daerah Ahli Pertama", ("|S.E.", "|S.Ak."), female=0.6),
        Post("Pranata Komputer Ahli Pertama", ("|S.Kom.",)),
        Post("Arsiparis Terampil", ("|A.Md.",)),
        *ADMIN_STAFF,
    ),
    "puskesmas": (
        Post("Dokter Ahli Pertama", ("dr.|",), female=0.6, weight=2),
        Post("Dokter Gigi Ahli Pertama", ("drg.|",), female=0.7),
        Post("Perawat Ahli Pertama", ("Ns.|S.Kep.",), female=0.6, pppk=0.3, weight=3),
        Post("Perawat Ahli Muda", ("Ns.|S.Kep.",), female=0.6),
        Post("Perawat Terampil", ("|A.Md.Kep.",), female=0.6, pppk=0.4, weight=3),
        Post("Bidan Terampil", ("|A.Md.Keb.",), female=1.0, pppk=0.4, weight=3),
        Post("Bidan Ahli Pertama", ("|S.Tr.Keb.", "Bd.|S.Keb."), female=1.0),
        Post("Bidan Penyelia", ("|A.Md.Keb.",), female=1.0),
        Post("Nutrisionis Ahli Pertama", ("|S.Gz.",), female=0.8),
        Post("Tenaga Sanitasi Lingkungan Terampil", ("|A.Md.KL.",)),
        Post("Pranata Laboratorium Kesehatan Terampil", ("|A.Md.AK.",), female=0.6),
        Post("Apoteker Ahli Pertama", ("apt.|S.Farm.",), female=0.7),
        Post("Penyuluh Kesehatan Masyarakat Ahli Pertama", ("|S.KM.",), female=0.6),
        Post("Epidemiolog Kesehatan Ahli Pertama", ("|S.KM.",)),
        Post("Pengadministrasi Perkantoran", ("|", "|A.Md.")),
    ),
    "rsud": (
        Post("Dokter Ahli Muda", ("dr.|Sp.PD.", "dr.|Sp.OG.", "dr.|Sp.A.", "dr.|Sp.B.", "dr.|Sp.An."), weight=2),
        Post("Dokter Ahli Pertama", ("dr.|",), female=0.6),
        Post("Perawat Ahli Pertama", ("Ns.|S.Kep.",), female=0.6, pppk=0.3, weight=2),
        Post("Perawat Ahli Muda", ("Ns.|S.Kep.",), female=0.6, weight=2),
        Post("Perawat Terampil", ("|A.Md.Kep.",), female=0.6, pppk=0.4, weight=2),
        Post("Bidan Terampil", ("|A.Md.Keb.",), female=1.0, pppk=0.3),
        Post("Apoteker Ahli Pertama", ("apt.|S.Farm.",), female=0.7),
        Post("Perekam Medis Terampil", ("|A.Md.Kes.",), female=0.6),
        Post("Fisioterapis Terampil", ("|A.Md.Ftr.",)),
        Post("Pengadministrasi Perkantoran", ("|", "|A.Md.")),
    ),
    "sekolah": (
        Post("Guru Ahli Pertama", ("|S.Pd.", "|S.Pd.", "|S.Pd.I."), female=0.65, pppk=0.55, weight=5, retirement=60),
        Post("Guru Ahli Muda", ("|S.Pd.", "|S.Pd.", "|S.Pd.I.", "|S.Pd., M.Pd."), female=0.6, weight=3, retirement=60),
        Post("Guru Ahli Madya", ("|S.Pd.", "|S.Pd., M.Pd."), female=0.55, weight=2, retirement=60),
        Post("Pengadministrasi Perkantoran", ("|", "|A.Md.")),
    ),
    "widyaiswara": (
        Post("Widyaiswara Ahli Muda", ("|S.Pd., M.Pd.", "|S.Sos., M.Si.", "|S.E., M.M.", "|S.KM., M.Kes.")),
        Post("Widyaiswara Ahli Madya", ("Dr.|M.Pd.", "|S.H., M.H.", "|S.Sos., M.Si.", "|S.T., M.T."), weight=2),
        Post("Widyaiswara Ahli Utama", ("Dr.|M.Si.", "Dr.|M.Pd."), female=0.4),
    ),
    "health": (
        Post("Epidemiolog Kesehatan Ahli Muda", ("|S.KM., M.Epid.", "|S.KM.")),
        Post("Administrator Kesehatan Ahli Pertama", ("|S.KM.", "Ns.|S.Kep."), female=0.6),
        Post("Administrator Kesehatan Ahli Muda", ("|S.KM., M.Kes.", "|S.KM.")),
        Post("Penyuluh Kesehatan Masyarakat Ahli Muda", ("|S.KM.",), female=0.6),
        Post("Nutrisionis Ahli Muda", ("|S.Gz.", "|S.Gz., M.Gz."), female=0.8),
        Post("Entomolog Kesehatan Ahli Pertama", ("|S.Si.",)),
        Post("Pranata Komputer Ahli Pertama", ("|S.Kom.",)),
        Post("Analis Keuangan Pusat dan Daerah Ahli Pertama", ("|S.E.", "|S.Ak."), female=0.6),
        *ADMIN_STAFF,
    ),
    "education": (
        Post("Pengawas Sekolah Ahli Madya", ("|S.Pd., M.Pd.",), retirement=60),
        Post("Analis Kebijakan Ahli Muda", ("|S.Pd., M.Pd.", "|S.Sos., M.Si.")),
        Post("Pranata Komputer Ahli Pertama", ("|S.Kom.",)),
        Post("Analis Keuangan Pusat dan Daerah Ahli Pertama", ("|S.E.", "|S.Ak."), female=0.6),
        *ADMIN_STAFF,
    ),
    "setda": (
        Post("Analis Hukum Ahli Pertama", ("|S.H.",)),
        Post("Perancang Peraturan Perundang-undangan Ahli Muda", ("|S.H., M.H.", "|S.H.")),
        Post("Analis Kebijakan Ahli Muda", ("|S.IP., M.Si.", "|S.Sos., M.AP.")),
        Post("Analis Kebijakan Ahli Pertama", ("|S.IP.", "|S.Tr.IP.")),
        Post("Analis Sumber Daya Manusia Aparatur Ahli Pertama", ("|S.Psi.", "|S.IP.")),
        Post("Pranata Komputer Ahli Pertama", ("|S.Kom.",)),
        Post("Pranata Hubungan Masyarakat Ahli Pertama", ("|S.I.Kom.",)),
        Post("Arsiparis Terampil", ("|A.Md.",)),
        *ADMIN_STAFF,
    ),
    "inspektorat": (
        Post("Auditor Ahli Pertama", ("|S.E.", "|S.Ak.")),
        Post("Auditor Ahli Muda", ("|S.E., M.Ak.", "|S.E.")),
        Post("Pengawas Penyelenggaraan Urusan Pemerintahan di Daerah Ahli Muda", ("|S.STP., M.Si.", "|S.H.")),
        Post("Pengawas Penyelenggaraan Urusan Pemerintahan di Daerah Ahli Pertama", ("|S.IP.", "|S.H.")),
        Post("Pengadministrasi Perkantoran", ("|", "|A.Md.")),
    ),
    "bappeda": (
        Post("Perencana Ahli Pertama", ("|S.E.", "|S.T.", "|S.P.", "|S.Si."), weight=2),
        Post("Perencana Ahli Muda", ("|S.E., M.Si.", "|S.T., M.T.", "|S.P., M.Si."), weight=2),
        Post("Perencana Ahli Madya", ("|S.E., M.E.", "|S.T., M.T.")),
        Post("Statistisi Ahli Pertama", ("|S.Si.", "|S.Stat.")),
        Post("Pengadministrasi Perkantoran", ("|", "|A.Md.")),
    ),
    "bkpsdm": (
        Post("Analis Sumber Daya Manusia Aparatur Ahli Pertama", ("|S.Psi.", "|S.IP.", "|S.Sos."), weight=2),
        Post("Analis Sumber Daya Manusia Aparatur Ahli Muda", ("|S.Psi., M.Si.", "|S.Sos.")),
        Post("Asesor Sumber Daya Manusia Aparatur Ahli Muda", ("|S.Psi., M.Psi.",)),
        Post("Pranata Sumber Daya Manusia Aparatur Terampil", ("|A.Md.",)),
        Post("Pranata Sumber Daya Manusia Aparatur Mahir", ("|A.Md.",)),
        Post("Pengolah Data dan Informasi", ("|S.Kom.", "|A.Md.")),
    ),
    "bpsdm": (
        Post("Analis Sumber Daya Manusia Aparatur Ahli Pertama", ("|S.Psi.", "|S.IP.", "|S.Sos.")),
        Post("Analis Sumber Daya Manusia Aparatur Ahli Muda", ("|S.Psi., M.Si.", "|S.Sos., M.AP.")),
        Post("Pengembang Teknologi Pembelajaran Ahli Pertama", ("|S.Kom.", "|S.Pd.")),
        Post("Pranata Komputer Ahli Pertama", ("|S.Kom.",)),
        Post("Pengadministrasi Perkantoran", ("|", "|A.Md.")),
    ),
    "pupr": (
        Post("Teknik Jalan dan Jembatan Ahli Pertama", ("|S.T.",), female=0.25),
        Post("Teknik Jalan dan Jembatan Ahli Muda", ("|S.T., M.T.", "|S.T."), female=0.25),
        Post("Teknik Pengairan Ahli Pertama", ("|S.T.",), female=0.25),
        Post("Teknik Tata Bangunan dan Perumahan Ahli Pertama", ("|S.T.",), female=0.35),
        Post("Penata Ruang Ahli Pertama", ("|S.T.", "|S.PWK.")),
        Post("Penata Layanan Operasional", ("|A.Md.T.", "|")),
        Post("Pengadministrasi Perkantoran", ("|", "|A.Md.")),
    ),
    "dlh": (
        Post("Pengendali Dampak Lingkungan Ahli Pertama", ("|S.Si.", "|S.T.")),
        Post("Pengendali Dampak Lingkungan Ahli Muda", ("|S.T., M.Si.", "|S.Si., M.Si.")),
        Post("Pengawas Lingkungan Hidup Ahli Pertama", ("|S.Hut.", "|S.T.")),
        Post("Penyuluh Lingkungan Hidup Ahli Pertama", ("|S.Pd.", "|S.Sos.")),
        Post("Pengadministrasi Perkantoran", ("|", "|A.Md.")),
    ),
    "dukcapil": (
        Post("Administrator Database Kependudukan Ahli Pertama", ("|S.Kom.",)),
        Post("Administrator Database Kependudukan Ahli Muda", ("|S.Kom., M.T.", "|S.Kom.")),
        Post("Pengolah Data Kependudukan", ("|", "|A.Md.")),
        *ADMIN_STAFF,
    ),
    "dpmptsp": (
        Post("Penata Perizinan Ahli Pertama", ("|S.H.", "|S.E.")),
        Post("Penata Perizinan Ahli Muda", ("|S.H., M.H.", "|S.E., M.M.")),
        Post("Analis Kebijakan Ahli Pertama", ("|S.E.", "|S.IP.")),
        *ADMIN_STAFF,
    ),
    "sosial": (
        Post("Pekerja Sosial Ahli Pertama", ("|S.Sos.", "|S.Tr.Sos."), female=0.6),
        Post("Pekerja Sosial Ahli Muda", ("|S.Sos., M.Si.", "|S.Sos."), female=0.6),
        Post("Penyuluh Sosial Ahli Pertama", ("|S.Sos.",)),
        *ADMIN_STAFF,
    ),
    "kecamatan": (
        Post("Analis Kebijakan Ahli Pertama", ("|S.STP.", "|S.IP.", "|S.Tr.IP.")),
        Post("Pengolah Data Kependudukan", ("|", "|A.Md.")),
        *ADMIN_STAFF,
    ),
}  # fmt: skip

# Staff per unit, beside its head: (min, max), by unit kind.
STAFF_COUNT = {
    WorkUnitKind.SECRETARIAT: (1, 2),
    WorkUnitKind.DINAS: (0, 1),
    WorkUnitKind.BADAN: (1, 2),
    WorkUnitKind.BIDANG: (0, 2),
    WorkUnitKind.SEKSI: (0, 2),
    WorkUnitKind.PUSKESMAS: (4, 6),
    WorkUnitKind.HOSPITAL: (4, 6),
    WorkUnitKind.SCHOOL: (3, 4),
    WorkUnitKind.DISTRICT: (1, 2),
    WorkUnitKind.VILLAGE: (1, 1),
    WorkUnitKind.UPT: (2, 3),
}

# Degrees of unit heads, by sector ("front|back"); heads of seksi, subbagian, puskesmas and
# kelurahan often have only the first degree.
HEAD_TITLES = {
    "setda": ("|S.H., M.H.", "|S.Sos., M.Si.", "|S.IP., M.AP.", "Drs.|M.Si.", "|S.STP., M.Si."),
    "inspektorat": ("|S.E., M.Ak.", "|S.E., M.M.", "|S.H., M.H."),
    "health": ("dr.|M.Kes.", "dr.|MPH", "|S.KM., M.Kes.", "Ns.|S.Kep., M.Kep.", "dr.|"),
    "education": ("|S.Pd., M.Pd.", "Drs.|M.Pd.", "|S.Pd."),
    "bappeda": ("|S.E., M.Si.", "Ir.|M.T.", "|S.P., M.Si.", "|S.T., M.T."),
    "bkpsdm": ("|S.Psi., M.Si.", "|S.Sos., M.AP.", "|S.IP., M.Si."),
    "bpsdm": ("|S.Sos., M.Si.", "Dr.|M.Pd.", "|S.Psi., M.Psi.", "|S.IP., M.AP."),
    "pupr": ("|S.T., M.T.", "Ir.|M.T.", "|S.T."),
    "dlh": ("|S.Hut., M.Si.", "|S.T., M.Eng.", "|S.Si., M.Si."),
    "dukcapil": ("|S.Kom., M.T.", "|S.Sos., M.Si.", "|S.IP."),
    "dpmptsp": ("|S.E., M.M.", "|S.H., M.H.", "|S.E."),
    "sosial": ("|S.Sos., M.Si.", "|S.Psi.", "|S.Sos."),
    "subbagian": ("|S.E., M.M.", "|S.Sos., M.Si.", "|S.AP.", "|S.E.", "|S.Sos."),
    "kecamatan": ("|S.STP., M.Si.", "|S.Sos.", "|S.IP.", "|S.STP."),
}
HEAD_FEMALE = {"health": 0.5, "education": 0.5}


# --- Names -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Culture:
    """Given names common in NTB for one origin. A name is a first and a last given name;
    a leading name (Muhammad, Siti, Sri …) may take a second one before the last. ``singles``
    are names people carry alone. ``prefixes`` are (male, female) titles of birth such as the
    Sasak Lalu and Baiq; Balinese names carry theirs in ``male``/``female``."""

    male: tuple[str, ...]
    male_last: tuple[str, ...]
    female: tuple[str, ...]
    female_last: tuple[str, ...]
    singles: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())  # (male, female)
    single_share: float = 0.0
    prefixes: tuple[str, str] = ("", "")
    prefix_share: float = 0.0
    muslim: bool = True


LEADING_NAMES = {"Muhammad", "Ahmad", "Abdul", "Siti", "Sitti", "Sri", "Nurul", "Dwi", "Tri", "Eka"}
MIDDLE_SHARE = 0.5  # of names that start with a leading name


def _middle_name(word: str) -> bool:
    # Not another leading name, nor an Arabic construct ("Zainul", "Zuhriatun") that wants
    # its own partner.
    return word not in LEADING_NAMES and not word.endswith(("ul", "un"))


CULTURES = {
    "sasak": Culture(
        male=("Muhammad", "Ahmad", "Zainul", "Saipul", "Hairul", "Zulkarnain", "Mahsun", "Supardi", "Sahnan", "Rusman", "Junaidi", "Hamdani", "Sukri", "Nasrullah", "Marzuki", "Suhaimi", "Azhar", "Mustiadi", "Lukmanul", "Samsul"),
        male_last=("Hakim", "Zaini", "Fathurrahman", "Juaini", "Saputra", "Hidayat", "Hasbullah", "Mutawalli", "Sofyan", "Arianto", "Fauzi", "Wardi", "Habibi", "Rahman", "Ridwan", "Ilham", "Syukri", "Kurniawan", "Apriadi", "Wahyudi", "Maulana", "Azmi"),
        female=("Siti", "Nurul", "Rabiatul", "Husnul", "Sri", "Laelatul", "Zuhriatun", "Maesarah", "Hirni", "Rohani", "Sumiati", "Hilmiati", "Eka", "Dewi", "Fitri", "Lia", "Juniarti", "Ulfa", "Rahmi", "Nurhayati"),
        female_last=("Hidayati", "Aini", "Adawiyah", "Khotimah", "Wahyuni", "Rahmawati", "Handayani", "Fitriani", "Sulastri", "Mardiana", "Susanti", "Apriani", "Nurhasanah", "Agustina", "Yuliana", "Kartini", "Wulandari", "Hamdiah", "Septiani", "Mulyani", "Jannah"),
        singles=(("Sahnan", "Supardi", "Mahsun", "Junaidi", "Hamdani", "Sukri", "Marzuki", "Mustiadi", "Rusman"), ("Sumiati", "Rohani", "Hirni", "Maesarah", "Hilmiati", "Juniarti", "Nurhayati")),
        single_share=0.07,
        prefixes=("Lalu", "Baiq"),
        prefix_share=0.22,
    ),
    "jawa": Culture(
        male=("Budi", "Agus", "Dwi", "Tri", "Eko", "Wahyu", "Bambang", "Joko", "Slamet", "Heru", "Teguh", "Yudi", "Arif", "Bayu", "Hendro", "Sigit"),
        male_last=("Santoso", "Setiawan", "Prasetyo", "Hidayat", "Susilo", "Purnomo", "Wibowo", "Nugroho", "Utomo", "Saputro", "Kurniawan", "Haryanto", "Prabowo", "Raharjo"),
        female=("Sri", "Endang", "Dwi", "Tri", "Rina", "Ratna", "Dyah", "Retno", "Ika", "Yuni", "Wulan", "Anik", "Sulis", "Kurnia"),
        female_last=("Rahayu", "Sulistyowati", "Lestari", "Wulandari", "Kartika", "Purwaningsih", "Susanti", "Handayani", "Astuti", "Pratiwi", "Setyaningsih", "Utami", "Wijayanti", "Ningsih"),
        singles=(("Slamet", "Sugeng", "Suparman", "Sutrisno"), ("Sumarni", "Suwarni", "Sulastri", "Endang")),
        single_share=0.05,
    ),
    "bugis_mbojo": Culture(
        male=("Muhammad", "Syamsul", "Abdul", "Sudirman", "Jufri", "Syarifuddin", "Ismail", "Nasaruddin", "Hasanuddin", "Amiruddin", "Rahmat", "Arifin", "Ilyas", "Mukhtar"),
        male_last=("Bahri", "Saleh", "Arief", "Rauf", "Hamid", "Jamaluddin", "Mustamin", "Kadir", "Latif", "Sultan", "Amin", "Tahir"),
        female=("Nurmiati", "Hasnah", "Nurfitriani", "Hadijah", "Rosmini", "Ernawati", "Jumriani", "Nuraeni", "Hasmiati", "Syamsiah", "Rahmatia", "Sitti"),
        female_last=("Nur", "Hamzah", "Amir", "Saleh", "Rahman", "Yusuf", "Basri", "Ramli"),
        singles=(("Sudirman", "Jufri", "Ismail", "Syarifuddin"), ("Hasnah", "Nurmiati", "Rosmini", "Ernawati")),
        single_share=0.08,
        prefixes=("Andi", "Andi"),
        prefix_share=0.2,
    ),
    "arab": Culture(
        male=("Muhammad", "Ahmad", "Fauzan", "Ridwan", "Ikhsan", "Habib", "Syahrul", "Zulkifli", "Fikri", "Rizki", "Faisal", "Hafiz", "Umar", "Hasan"),
        male_last=("Assegaf", "Alaydrus", "Bawazier", "Albar", "Baraqbah", "Rahman", "Hakim", "Ramadhan", "Hidayatullah", "Firdaus", "Syahputra", "Alhabsyi"),
        female=("Aisyah", "Fatimah", "Khadijah", "Nadia", "Zahra", "Salma", "Naila", "Ulfa", "Rahmah", "Annisa", "Zakiyah", "Hanifah"),
        female_last=("Azzahra", "Fitriyah", "Assegaf", "Maulida", "Nabila", "Salsabila", "Khairunnisa", "Alaydrus", "Rahmawati", "Bawazier"),
        prefixes=("", "Syarifah"),
        prefix_share=0.1,
    ),
    "bali": Culture(
        male=("I Made", "I Ketut", "I Wayan", "I Nyoman", "I Gusti Ngurah", "Ida Bagus", "I Putu", "I Komang", "I Gede"),
        male_last=("Suardana", "Sudarma", "Wirawan", "Mahendra", "Suarjana", "Astawa", "Budiarta", "Sutama", "Arsana", "Widiarta", "Sukadana", "Parwata"),
        female=("Ni Luh", "Ni Made", "Ni Ketut", "Ni Wayan", "Ni Putu", "Ida Ayu", "Anak Agung Ayu", "Ni Nyoman", "Ni Komang"),
        female_last=("Sukerti", "Suartini", "Ariani", "Sriasih", "Widiastuti", "Puspitasari", "Suryani", "Darmayanti", "Astiti", "Sudiasih", "Rusmini", "Wahyuni"),
        muslim=False,
    ),
    "kristen": Culture(
        male=("Yohanes", "Fransiskus", "Stefanus", "Paulus", "Yosef", "Markus", "Daniel", "Robertus", "Agustinus", "Petrus", "Yakobus", "Kornelis"),
        male_last=("Bria", "Manek", "Lado", "Sitorus", "Simanjuntak", "Wenas", "Kristianto", "Hutapea", "Tanamal", "Ndun", "Pandie", "Laoh"),
        female=("Maria", "Agnes", "Kristina", "Yuliana", "Margaretha", "Elisabeth", "Veronika", "Theresia", "Natalia", "Yohana", "Debora", "Lidia"),
        female_last=("Bria", "Manek", "Lado", "Sitorus", "Simanjuntak", "Wenas", "Hutapea", "Tanamal", "Ndun", "Pandie", "Laoh", "Kristiani"),
        muslim=False,
    ),
}  # fmt: skip

# Words left out of e-mail addresses: titles of birth and Balinese prefixes.
_EMAIL_SKIP = {"lalu", "baiq", "andi", "syarifah", "i", "ni", "luh", "ida", "bagus", "ayu", "anak", "agung", "gusti", "ngurah"}  # fmt: skip
_TITLE_WORDS = {"dr.", "drg.", "Dr.", "Drs.", "Dra.", "Ir.", "Ns.", "apt.", "Bd.", "H.", "Hj."}


def core_name(full: str) -> str:
    """The name without academic or pilgrimage titles ("dr. Hj. Baiq Aini, M.Kes." → "Baiq Aini")."""
    words = full.split(",")[0].split()
    while words and words[0] in _TITLE_WORDS:
        words.pop(0)
    return " ".join(words)


def _education(title: str) -> str:
    front, back = title.split("|")
    if front in ("dr.", "drg."):
        return "dr"
    if front in ("Ns.", "apt.", "Bd."):
        return "profesi"
    if back.startswith("A.Md"):
        return "d3"
    if not front and not back:
        return "sma"
    return "s1"


class _Registry:
    """Hands out names, NIPs and e-mail addresses that are unique in the world."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.names: set[str] = set()
        self.nips: set[str] = set()
        self.emails: set[str] = set()
        self.sequences: dict[tuple[int, int, str], int] = {}

    def reserve(self, *, name: str, nip: str, email: str) -> None:
        self.names.add(core_name(name))
        self.nips.add(nip)
        self.emails.add(email)

    def name(self, culture: Culture, sex: str) -> str:
        rng = self.rng
        female = sex == Sex.FEMALE
        firsts = culture.female if female else culture.male
        lasts = culture.female_last if female else culture.male_last
        singles = culture.singles[1 if female else 0]
        for _attempt in range(200):
            if singles and rng.random() < culture.single_share:
                words = [rng.choice(singles)]
            else:
                words = [rng.choice(firsts)]
                if words[0] in LEADING_NAMES and rng.random() < MIDDLE_SHARE:
                    words.append(rng.choice([w for w in firsts if _middle_name(w)]))
                words.append(rng.choice([w for w in lasts if w not in words]))
            prefix = culture.prefixes[1 if female else 0]
            if prefix and rng.random() < culture.prefix_share:
                words.insert(0, prefix)
            name = " ".join(words)
            if name not in self.names:
                self.names.add(name)
                return name
        raise RuntimeError("ran out of names")  # pragma: no cover - lists are long enough

    def nip(self, birth: dt.date, tmt_year: int, tmt_month: int, sex: str) -> str:
        digit = "1" if sex == Sex.MALE else "2"
        key = (tmt_year, tmt_month, digit)
        while True:
            if key in self.sequences:
                sequence = self.sequences[key] + self.rng.randint(1, 4)
            else:
                sequence = self.rng.randint(1, 30)
            self.sequences[key] = sequence
            nip = f"{birth:%Y%m%d}{tmt_year:04d}{tmt_month:02d}{digit}{sequence:03d}"
            if nip not in self.nips:
                self.nips.add(nip)
                return nip

    def email(self, name: str, domain: str) -> str:
        words = [re.sub(r"[^a-z]", "", w.lower()) for w in name.split()]
        words = [w for w in words if w and w not in _EMAIL_SKIP] or [w for w in words if w]
        local = f"{words[0]}.{words[-1]}" if len(words) > 1 else words[0]
        email, number = f"{local}@{domain}", 1
        while email in self.emails:
            number += 1
            email = f"{local}{number}@{domain}"
        self.emails.add(email)
        return email


# --- The people with demo accounts -----------------------------------------------------------


@dataclass(frozen=True)
class FixedPerson:
    key: str
    agency: str
    unit: tuple[str, ...]  # names from the root of the agency's tree
    head: bool  # the head of ``unit`` (otherwise staff in it)
    name: str
    sex: str
    nip: str
    golongan: str
    position_type: str
    position_name: str
    email: str


FIXED_PEOPLE = (
    FixedPerson(
        key="pimpinan",
        agency="KAB-LOTIM",
        unit=("Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",),
        head=True,
        name="H. Ahmad Juaini Fathurrahman, S.Sos., M.Si.",
        sex=Sex.MALE,
        nip="197003211996031004",
        golongan="IV/c",
        position_type=PositionType.JPT,
        position_name="Kepala Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
        email="ahmad.fathurrahman@lomboktimurkab.example",
    ),
    FixedPerson(
        key="mentor",
        agency="KAB-LOTIM",
        unit=("Dinas Kesehatan", "Puskesmas Masbagik"),
        head=True,
        name="dr. Baiq Fitria Rahmawati, M.Kes.",
        sex=Sex.FEMALE,
        nip="198308172010012012",
        golongan="III/d",
        position_type=PositionType.SUPERVISOR,
        position_name="Kepala Puskesmas Masbagik",
        email="fitria.rahmawati@lomboktimurkab.example",
    ),
    FixedPerson(
        key="peserta",
        agency="KAB-LOTIM",
        unit=("Dinas Kesehatan", "Puskesmas Masbagik"),
        head=False,
        name="Ns. Muhammad Rizki Hidayat, S.Kep.",
        sex=Sex.MALE,
        nip="199602112022031007",
        golongan="III/a",
        position_type=PositionType.FUNCTIONAL,
        position_name="Perawat Ahli Pertama",
        email="muhammad.hidayat@lomboktimurkab.example",
    ),
    FixedPerson(
        key="widyaiswara",
        agency="PROV-NTB",
        unit=("Badan Pengembangan Sumber Daya Manusia Daerah",),
        head=False,
        name="Dr. Lalu Ahmad Zaenuri, M.Pd.",
        sex=Sex.MALE,
        nip="197205031998031006",
        golongan="IV/b",
        position_type=PositionType.FUNCTIONAL,
        position_name="Widyaiswara Ahli Madya",
        email="ahmad.zaenuri@ntbprov.example",
    ),
    FixedPerson(
        key="penyelenggara",
        agency="PROV-NTB",
        unit=(
            "Badan Pengembangan Sumber Daya Manusia Daerah",
            "Bidang Pengembangan Kompetensi Manajerial dan Sosial Kultural",
        ),
        head=False,
        name="Baiq Nurul Hidayati, S.Psi., M.Si.",
        sex=Sex.FEMALE,
        nip="198609142011012009",
        golongan="III/d",
        position_type=PositionType.FUNCTIONAL,
        position_name="Analis Sumber Daya Manusia Aparatur Ahli Muda",
        email="nurul.hidayati@ntbprov.example",
    ),
)


@dataclass(frozen=True)
class Account:
    username: str
    person: str | None  # key of FIXED_PEOPLE
    role: str
    scope: str | None  # "institution", "agency" (the person's), "work_unit" (the person's)
    superuser: bool = False
    first_name: str = ""
    last_name: str = ""


ACCOUNTS = (
    Account("admin", None, Role.PLATFORM_ADMIN, None, superuser=True, first_name="Admin", last_name="Membumi"),
    Account("penyelenggara", "penyelenggara", Role.ORGANIZER, "institution"),
    Account("widyaiswara", "widyaiswara", Role.TRAINER, "institution"),
    Account("mentor", "mentor", Role.MENTOR, "work_unit"),
    Account("peserta", "peserta", Role.PARTICIPANT, None),
    Account("pimpinan", "pimpinan", Role.AGENCY_VIEWER, "agency"),
    Account("penguji", None, Role.EXAMINER, "institution", first_name="Dr. Hj. Sri Wahyuni, M.Si."),
)  # fmt: skip
DEMO_USERNAMES = tuple(account.username for account in ACCOUNTS)


# --- The world and its steps -----------------------------------------------------------------

UnitKey = tuple[str, tuple[str, ...]]  # (agency code, names from the root)


@dataclass
class World:
    """What the steps have built or loaded, for the steps that follow."""

    agencies: dict[str, Agency] = field(default_factory=dict)
    units: dict[UnitKey, WorkUnit] = field(default_factory=dict)
    institution: Institution | None = None
    people: dict[str, Employee] = field(default_factory=dict)  # FIXED_PEOPLE by key
    users: dict[str, User] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # The problems-first stages (issue 3):
    staff: "_Staff | None" = None  # who heads and who works in each unit
    employee_users: dict[int, User] = field(default_factory=dict)  # employee id → user
    problems: dict[str, Problem] = field(default_factory=dict)  # by key in problems.csv
    analysis: NeedsAnalysis | None = None
    needs: dict[str, Need] = field(default_factory=dict)  # by NEEDS key
    programs: dict[str, Program] = field(default_factory=dict)  # by PROGRAMS key
    batches: dict[str, Batch] = field(default_factory=dict)  # by BATCHES key

    def unit(self, code: str, *names: str) -> WorkUnit:
        return self.units[(code, names)]


def _walk(specs: tuple[U, ...], path: tuple[str, ...] = (), sector: str = ""):
    """Yield (names from the root, spec, sector) for a tree of specs, parents first."""
    for spec in specs:
        here = (*path, spec.name)
        own_sector = spec.sector or sector
        yield here, spec, own_sector
        yield from _walk(spec.children, here, own_sector)


def _load_units(agencies: dict[str, Agency]) -> dict[UnitKey, WorkUnit]:
    code_of = {agency.pk: code for code, agency in agencies.items()}
    units: dict[UnitKey, WorkUnit] = {}
    path_of: dict[int, tuple[str, ...]] = {}
    for unit in WorkUnit.objects.filter(agency__in=agencies.values()).order_by("depth", "pk"):
        names = (*path_of.get(unit.parent_id, ()), unit.name)
        path_of[unit.pk] = names
        units[(code_of[unit.agency_id], names)] = unit
    return units


def build_organizations(world: World) -> bool:
    """The three agencies, their unit trees and the provincial BPSDM."""
    existing = {a.code: a for a in Agency.objects.filter(code__in=AGENCY_CODES)}
    if existing:
        institution = Institution.objects.filter(code=INSTITUTION_CODE).first()
        if len(existing) != len(AGENCY_CODES) or institution is None:
            raise DemoWorldError(
                "Part of the demo organizations exists (agencies "
                f"{', '.join(sorted(existing))}); remove them or load the demo into a fresh "
                "database."
            )
        world.agencies = {code: existing[code] for code in AGENCY_CODES}
        world.units = _load_units(world.agencies)
        world.institution = institution
        return False

    for spec in AGENCIES:
        agency = agency_create(
            code=spec.code,
            name=spec.name,
            kind=AgencyKind.REGIONAL,
            level=spec.level,
            parent=world.agencies[spec.parent] if spec.parent else None,
        )
        world.agencies[spec.code] = agency
        for path, unit_spec, _sector in _walk(spec.units):
            parent = world.units[(spec.code, path[:-1])] if len(path) > 1 else None
            world.units[(spec.code, path)] = work_unit_create(
                agency=agency, parent=parent, name=unit_spec.name, kind=unit_spec.kind
            )
    province = world.agencies["PROV-NTB"]
    world.institution = institution_create(
        agency=province,
        code=INSTITUTION_CODE,
        name=INSTITUTION_NAME,
        kind=InstitutionKind.BPSDM,
        served_agencies=[a for code, a in world.agencies.items() if code != province.code],
    )
    return True


class _PeopleMaker:
    """Makes (unsaved, validated) employees with careers that hang together."""

    def __init__(self, rng: random.Random, registry: _Registry):
        self.rng = rng
        self.registry = registry

    def make(
        self,
        *,
        spec: AgencySpec,
        agency: Agency,
        unit: WorkUnit,
        position_name: str,
        position_type: str,
        level: str,
        titles: tuple[str, ...],
        female: float,
        pppk_share: float = 0.0,
        retirement: int = 0,
        strip_masters: float = 0.0,
    ) -> Employee:
        rng = self.rng
        lowest, highest, (least, most), level_retirement = LEVELS[level]
        retirement = retirement or level_retirement
        sex = Sex.FEMALE if rng.random() < female else Sex.MALE
        title = rng.choice([t for t in titles if t.split("|")[0] not in OLD_TITLES] or titles)
        education = _education(title)

        pppk = rng.random() < pppk_share
        if pppk:
            tmt_year, tmt_month = rng.choice(PPPK_YEARS), rng.choice(PPPK_MONTHS)
            birth_year = tmt_year - rng.randint(23, 42)
        else:
            tmt_year = WORLD_YEAR - rng.randint(least, most)
            tmt_year = CPNS_INTAKE_YEAR.get(tmt_year, tmt_year)
            tmt_month = rng.choice(CPNS_MONTHS)
            birth_year = tmt_year - rng.randint(*ENTRY_AGE[education])
        # Still in service in WORLD_YEAR, and born 1965–2000.
        birth_year = min(max(birth_year, WORLD_YEAR - retirement + 1, 1965), 2000)
        if tmt_year < birth_year + 19:
            tmt_year = birth_year + 19
            tmt_year = tmt_year if pppk else CPNS_INTAKE_YEAR.get(tmt_year, tmt_year)
        birth = dt.date(birth_year, 1, 1) + dt.timedelta(days=rng.randrange(365))

        old_titles = [t for t in titles if t.split("|")[0] in OLD_TITLES]
        if old_titles and birth_year < 1972 and rng.random() < 0.5:
            title = rng.choice(old_titles)
        front, back = title.split("|")
        if back and rng.random() < strip_masters:
            back = ", ".join(p for p in back.split(", ") if not p.startswith("M"))
        if front == "Drs." and sex == Sex.FEMALE:
            front = "Dra."

        if pppk:
            golongan = PPPK_GOLONGAN[education]
        else:
            step = GOLONGAN_ORDER.index(START_GOLONGAN[education]) + (WORLD_YEAR - tmt_year) // 4
            step = min(max(step, GOLONGAN_ORDER.index(lowest)), GOLONGAN_ORDER.index(highest))
            golongan = GOLONGAN_ORDER[step]

        culture_names, weights = zip(*spec.cultures, strict=True)
        culture = CULTURES[rng.choices(culture_names, weights)[0]]
        core = self.registry.name(culture, sex)
        haji = ""
        if culture.muslim and birth_year < 1982 and rng.random() < 0.35:
            haji = "Hj." if sex == Sex.FEMALE else "H."
        name = " ".join(w for w in (front, haji, core) if w) + (f", {back}" if back else "")

        return self._employee(
            nip=self.registry.nip(birth, tmt_year, tmt_month, sex),
            name=name,
            sex=sex,
            employment_type=EmploymentType.PPPK if pppk else EmploymentType.PNS,
            golongan=golongan,
            position_type=PositionType.FUNCTIONAL if pppk else position_type,
            position_name=position_name,
            agency=agency,
            work_unit=unit,
            email=self.registry.email(core, spec.email_domain),
        )

    def fixed(self, person: FixedPerson, *, agency: Agency, unit: WorkUnit) -> Employee:
        return self._employee(
            nip=person.nip,
            name=person.name,
            sex=person.sex,
            employment_type=EmploymentType.PNS,
            golongan=person.golongan,
            position_type=person.position_type,
            position_name=person.position_name,
            agency=agency,
            work_unit=unit,
            email=person.email,
        )

    @staticmethod
    def _employee(**fields) -> Employee:
        employee = Employee(**fields)
        # What employee_create checks, without a query per row: the NIP against the sex,
        # every field's validators, and the model's own rules.
        parse_nip(employee.nip, sex=employee.sex)
        employee.clean_fields(exclude=["agency", "work_unit", "supervisor"])
        employee.clean()
        return employee


def _head_of(
    maker: _PeopleMaker, spec: AgencySpec, agency: Agency, unit: WorkUnit, path, sector: str
) -> Employee:
    rule = unit_rule(path[-1])
    level = rule.head_level
    if rule.prefix == "Sekretariat Daerah" and spec.level == AgencyLevel.PROVINCE:
        level = "jpt_madya"
    position = rule.head.format(
        name=path[-1],
        rest=path[-1][len(rule.prefix) :].strip(),
        parent=path[-2] if len(path) > 1 else "",
    )
    return maker.make(
        spec=spec,
        agency=agency,
        unit=unit,
        position_name=position,
        position_type=rule.head_type,
        level=level,
        titles=HEAD_TITLES["subbagian" if rule.prefix == "Subbagian" else sector],
        female=HEAD_FEMALE.get(sector, 0.35),
        strip_masters=0.6 if rule.head_type in (PositionType.SUPERVISOR, PositionType.FUNCTIONAL) else 0.0,
    )  # fmt: skip


def _staff_posts(name: str, sector: str, kind: str) -> tuple[Post, ...]:
    if name.startswith("Subbagian"):
        return STAFF["subbagian"]
    if kind == WorkUnitKind.PUSKESMAS:
        return STAFF["puskesmas"]
    if kind == WorkUnitKind.HOSPITAL:
        return STAFF["rsud"]
    if kind == WorkUnitKind.SCHOOL:
        return STAFF["sekolah"]
    if sector == "bpsdm" and kind == WorkUnitKind.BADAN:
        return STAFF["widyaiswara"]
    return STAFF[sector]


def build_people(world: World) -> bool:
    """About 390 employees: a head for every unit (supervised by the head of the unit above,
    or by the Sekretaris Daerah) and staff supervised by their unit's head."""
    agencies = list(world.agencies.values())
    if Employee.objects.filter(agency__in=agencies).exists():
        found = {e.nip: e for e in Employee.objects.filter(nip__in=[p.nip for p in FIXED_PEOPLE])}
        missing = [p.key for p in FIXED_PEOPLE if p.nip not in found]
        if missing:
            raise DemoWorldError(
                "The demo agencies have employees but not the demo people "
                f"({', '.join(missing)}); load the demo into a fresh database."
            )
        world.people = {p.key: found[p.nip] for p in FIXED_PEOPLE}
        return False

    rng = random.Random(SEED)
    registry = _Registry(rng)
    for person in FIXED_PEOPLE:
        registry.reserve(name=person.name, nip=person.nip, email=person.email)
    maker = _PeopleMaker(rng, registry)
    fixed_heads = {(p.agency, p.unit): p for p in FIXED_PEOPLE if p.head}
    fixed_staff = defaultdict(list)
    for person in FIXED_PEOPLE:
        if not person.head:
            fixed_staff[(person.agency, person.unit)].append(person)

    employees: list[Employee] = []
    supervisor_key: dict[int, UnitKey | None] = {}  # index in employees → unit whose head
    heads: dict[UnitKey, int] = {}
    for spec in AGENCIES:
        agency = world.agencies[spec.code]
        sekda: UnitKey = (spec.code, (spec.units[0].name,))
        for path, unit_spec, sector in _walk(spec.units):
            key: UnitKey = (spec.code, path)
            unit = world.units[key]
            person = fixed_heads.get(key)
            if person:
                head = maker.fixed(person, agency=agency, unit=unit)
                world.people[person.key] = head
            else:
                head = _head_of(maker, spec, agency, unit, path, sector)
            heads[key] = len(employees)
            if len(path) > 1:
                supervisor_key[len(employees)] = (spec.code, path[:-1])
            else:
                supervisor_key[len(employees)] = None if key == sekda else sekda
            employees.append(head)

            for person in fixed_staff.get(key, ()):
                supervisor_key[len(employees)] = key
                world.people[person.key] = maker.fixed(person, agency=agency, unit=unit)
                employees.append(world.people[person.key])
            posts = _staff_posts(unit_spec.name, sector, unit_spec.kind)
            for _ in range(rng.randint(*STAFF_COUNT[unit_spec.kind])):
                post = rng.choices(posts, [p.weight for p in posts])[0]
                supervisor_key[len(employees)] = key
                employees.append(
                    maker.make(
                        spec=spec,
                        agency=agency,
                        unit=unit,
                        position_name=post.name,
                        position_type=post.position_type,
                        level=post.level,
                        titles=post.titles,
                        female=post.female,
                        pppk_share=post.pppk,
                        retirement=post.retirement,
                    )
                )

    Employee.objects.bulk_create(employees)
    for index, employee in enumerate(employees):
        boss = supervisor_key[index]
        employee.supervisor = employees[heads[boss]] if boss else None
    Employee.objects.bulk_update(employees, ["supervisor"], batch_size=500)
    return True


def build_accounts(world: World) -> bool:
    """The demo accounts, linked to their people and holding their roles. A demo username that
    already exists (say, made with createsuperuser) is reused and keeps its password."""
    created = False
    password = None
    existing = {user.username: user for user in User.objects.filter(username__in=DEMO_USERNAMES)}
    for account in ACCOUNTS:
        employee = world.people.get(account.person) if account.person else None
        user = existing.get(account.username)
        if user is None:
            password = password or make_password(DEMO_PASSWORD)  # hash once: it is slow
            user = User(
                username=account.username,
                first_name=account.first_name,
                last_name=account.last_name,
                email=employee.email if employee else "",
                is_staff=account.superuser,
                is_superuser=account.superuser,
                employee=employee,
                password=password,
            )
            user.save()
            created = True
        elif employee is not None and user.employee_id is None:
            user.employee = employee
            user.save(update_fields=["employee"])
        world.users[account.username] = user

        scope = {}
        if account.scope == "institution":
            scope["institution"] = world.institution
        elif account.scope == "agency":
            scope["agency"] = employee.agency
        elif account.scope == "work_unit":
            scope["work_unit"] = employee.work_unit
        if not RoleAssignment.objects.filter(user=user, role=account.role, **scope).exists():
            if account.username in existing:
                world.notes.append(
                    f"User {user.username} already existed: it keeps its own password."
                )
            role_assign(user=user, role=account.role, **scope)
            created = True
    return created


# --- The problem bank, the needs analysis, programs and a running batch ------------------------
#
# Issue 3 (problems first). Everything happens as of ``DEMO_TODAY``: problems were submitted
# from February 2026, the BPSDM ran its needs analysis (AKP) in August over the problems
# submitted until July, built two programs from it, and the technical program's first batch is
# running today. The services do every write (history rows, audit entries, refusals); only the
# dates of what they record are then moved back to the demo's calendar (``_at``), since a
# service stamps "now". The audit log keeps the real time of loading.

DEMO_TODAY = dt.date(2026, 11, 28)  # the demo's "today" (and SEED)
PROBLEMS_CSV = Path(__file__).resolve().parent / "data" / "problems.csv"


def _at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    """A moment of the demo's calendar, in the site's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _workday(day: dt.date, days: int = 0) -> dt.date:
    """``days`` after ``day``, moved to the next Monday when it falls on a weekend."""
    day += dt.timedelta(days=days)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _unit_key(text: str, agency: str = "") -> UnitKey:
    """``"Dinas Kesehatan > Puskesmas Selong"`` (with ``agency``) or
    ``"KAB-LOTIM:Dinas Kesehatan > Puskesmas Selong"`` → a key of ``World.units``."""
    if not agency:
        agency, text = text.split(":", 1)
    return agency.strip(), tuple(name.strip() for name in text.split(">"))


@dataclass(frozen=True)
class ProblemRow:
    """One problem of ``data/problems.csv``: what the submitter wrote, when, and what became
    of it (``state``: open, validated, resolved, closed or duplicate)."""

    key: str
    unit: UnitKey
    fields: dict  # the arguments of problem_create
    submitted_on: dt.date
    submitted_by: str  # a demo username, or "" for a person of the unit
    state: str
    state_note: str
    duplicate_of: str  # key of the original
    joined_by: tuple[UnitKey, ...]  # units that say "we have this too"


@functools.cache
def problem_rows() -> tuple[ProblemRow, ...]:
    with PROBLEMS_CSV.open(encoding="utf-8", newline="") as f:
        records = list(csv.DictReader(f))
    rows = []
    for r in records:
        causes = json.loads(r["root_causes"]) if r["root_causes"] else {}
        if set(causes) - {key for key, _label in FISHBONE}:
            raise DemoWorldError(f"{r['key']}: unknown root-cause categories {sorted(causes)}")
        rows.append(
            ProblemRow(
                key=r["key"],
                unit=_unit_key(r["unit"], r["agency"]),
                fields={
                    "title": r["title"],
                    "statement": r["statement"],
                    "sector": r["sector"],
                    "public_service": r["public_service"],
                    "indicator_name": r["indicator_name"],
                    "indicator_unit": r["indicator_unit"],
                    "indicator_direction": r["indicator_direction"],
                    "baseline_value": Decimal(r["baseline_value"]),
                    "baseline_date": dt.date.fromisoformat(r["baseline_date"]),
                    "data_source": r["data_source"],
                    "root_causes": causes,
                    "urgency": int(r["urgency"]),
                    "seriousness": int(r["seriousness"]),
                    "growth": int(r["growth"]),
                },
                submitted_on=dt.date.fromisoformat(r["submitted_on"]),
                submitted_by=r["submitted_by"],
                state=r["state"],
                state_note=r["state_note"],
                duplicate_of=r["duplicate_of"],
                joined_by=tuple(_unit_key(u) for u in r["joined_by"].split("|") if u.strip()),
            )
        )
    return tuple(rows)


class _Staff:
    """Who heads each demo unit and who works in it (staff ordered by NIP), to pick
    submitters, validators and participants deterministically."""

    def __init__(self, world: World):
        employees = list(
            Employee.objects.filter(agency__in=world.agencies.values())
            .select_related("work_unit")
            .order_by("nip")
        )
        self.by_id = {e.pk: e for e in employees}
        self.usernames: set[str] = set()
        self.roles: set[tuple] = set()  # (user id, role, scope id…) already assigned
        self.heads: dict[int, Employee] = {}
        self.members: dict[int, list[Employee]] = defaultdict(list)
        fixed = {p.nip for p in FIXED_PEOPLE}
        for e in employees:
            boss = self.by_id.get(e.supervisor_id)
            if boss is None or boss.work_unit_id != e.work_unit_id:
                self.heads[e.work_unit_id] = e
            elif e.nip not in fixed:
                self.members[e.work_unit_id].append(e)

    def head(self, unit: WorkUnit) -> Employee:
        return self.heads[unit.pk]

    def member(self, unit: WorkUnit, index: int = 0) -> Employee:
        """The ``index``-th staff member of the unit (demo people left out); its head when
        the unit has nobody else."""
        staff = self.members.get(unit.pk, [])
        return staff[index] if index < len(staff) else self.heads[unit.pk]

    def supervisor(self, employee: Employee) -> Employee | None:
        return self.by_id.get(employee.supervisor_id)


def _staff(world: World) -> _Staff:
    if world.staff is None:
        world.staff = _Staff(world)
        world.employee_users = {
            u.employee_id: u
            for u in User.objects.filter(employee__agency__in=world.agencies.values())
        }
        world.staff.usernames = set(User.objects.values_list("username", flat=True))
        world.staff.roles = {
            (a.user_id, a.role, *(pk for pk in (a.work_unit_id, a.institution_id) if pk))
            for a in RoleAssignment.objects.filter(
                role__in=[Role.MENTOR, Role.PARTICIPANT, Role.TRAINER]
            )
        }
    return world.staff


def _users(world: World, employees) -> None:
    """Make sure each of ``employees`` has a user (one insert for all that lack one): username
    = NIP, no usable password. These people act in the demo's history; the demo accounts
    are the ones for logging in."""
    staff = _staff(world)
    missing = {e.pk: e for e in employees if e.pk not in world.employee_users}
    clash = sorted(e.nip for e in missing.values() if e.nip in staff.usernames)
    if clash:
        raise DemoWorldError(
            f"Users named {', '.join(clash)} exist but belong to no demo employee; load the "
            "demo into a fresh database."
        )
    unusable = make_password(None)  # "!…": no password can match it
    created = User.objects.bulk_create(
        User(username=e.nip, email=e.email, employee=e, password=unusable)
        for e in sorted(missing.values(), key=lambda e: e.nip)
    )
    if any(u.pk is None for u in created):  # pragma: no cover - databases without RETURNING
        created = list(User.objects.filter(username__in=[u.username for u in created]))
    for user in created:
        world.employee_users[user.employee_id] = user
        staff.usernames.add(user.username)


def _user(world: World, employee: Employee, *roles: str) -> User:
    """The user of ``employee`` (made by ``_users`` when missing) holding ``roles`` (mentor:
    on the person's own unit; trainer: at the BPSDM)."""
    if employee.pk not in world.employee_users:
        _users(world, [employee])
    user = world.employee_users[employee.pk]
    for role in roles:
        scope = {}
        if role == Role.MENTOR:
            scope["work_unit"] = employee.work_unit
        elif role == Role.TRAINER:
            scope["institution"] = world.institution
        key = (user.pk, role, *(obj.pk for obj in scope.values()))
        if key not in world.staff.roles:
            role_assign(user=user, role=role, **scope)
            world.staff.roles.add(key)
            user.__dict__.pop("_membumi_roles", None)  # user_roles() caches per object
    return user


def _organizer(world: World) -> User:
    return world.users["penyelenggara"]


# --- Problems ------------------------------------------------------------------------------


def _load_problems(world: World) -> dict[str, Problem]:
    rows = problem_rows()
    wanted = {(world.units[row.unit].pk, row.fields["title"]): row.key for row in rows}
    found = {}
    for problem in Problem.objects.filter(
        work_unit_id__in={unit for unit, _title in wanted}, title__in={t for _u, t in wanted}
    ):
        key = wanted.get((problem.work_unit_id, problem.title))
        if key:
            found[key] = problem
    return found


def build_problem_bank(world: World) -> bool:
    """About 200 problems of the three agencies (``data/problems.csv``), submitted from
    February to November 2026 by the people of their units, validated by their heads, a few
    closed or marked duplicate, some joined by other units ("we have this too")."""
    rows = problem_rows()
    first = rows[0]
    if Problem.objects.filter(
        work_unit=world.units[first.unit], title=first.fields["title"]
    ).exists():
        world.problems = _load_problems(world)
        return False

    staff = _staff(world)
    timeline: dict[int, list[dt.datetime]] = {}  # problem id → when each history row happened
    stamps: dict[int, dict] = {}  # problem id → the dates the problem row carries

    def act(problem: Problem, when: dt.datetime, **kwargs) -> Problem:
        problem = problem_transition(problem=problem, **kwargs)
        timeline[problem.pk].append(when)
        stamps[problem.pk]["updated_at"] = when
        return problem

    # Most of the bank goes in as one import (validated as the problem import validates a
    # row: a query per problem would double the load time); the problems of the demo
    # accounts are submitted one by one through the form's service, so their history reads
    # "submitted". Both keep the order of the file.
    submitters: dict[str, tuple[User, Employee]] = {}
    pending: list[tuple[ProblemRow, Problem]] = []
    people = {row.key: staff.member(world.units[row.unit]) for row in rows if not row.submitted_by}
    people |= {
        f"{row.key}>{unit}": staff.member(world.units[unit])
        for row in rows
        for unit in row.joined_by
    }
    _users(world, people.values())

    def flush() -> None:
        created = problem_bulk_create(problems=[p for _row, p in pending], by=None)
        for (row, _p), problem in zip(pending, created, strict=True):
            world.problems[row.key] = problem
        pending.clear()

    for row in rows:
        unit = world.units[row.unit]
        if row.submitted_by:
            user = world.users[row.submitted_by]
            employee = user.employee
            flush()
            world.problems[row.key] = problem_create(by=user, work_unit=unit, **row.fields)
        else:
            employee = people[row.key]
            user = world.employee_users[employee.pk]
            problem = Problem(
                agency_id=unit.agency_id, work_unit=unit, submitted_by=user, **row.fields
            )
            problem.clean_fields(exclude=["agency", "work_unit", "submitted_by"])
            pending.append((row, problem))
        submitters[row.key] = (user, employee)
    flush()
    report = ImportReport(
        rows=len(rows), created=len(rows) - sum(1 for r in rows if r.submitted_by)
    )
    problem_import_record(by=None, filename=PROBLEMS_CSV.name, report=report)
    for index, row in enumerate(rows):
        submitted = _at(row.submitted_on, 7 + index * 7 % 9, index * 13 % 60)
        pk = world.problems[row.key].pk
        timeline[pk] = [submitted]
        stamps[pk] = {"created_at": submitted, "updated_at": submitted}

    for index, row in enumerate(rows):
        problem = world.problems[row.key]
        user, employee = submitters[row.key]
        unit = world.units[row.unit]
        later = _workday(row.submitted_on, 3 + index % 11)
        if row.state in ("validated", "resolved"):
            head = staff.head(unit)
            validator = head if head.pk != employee.pk else staff.supervisor(employee)
            by = _user(world, validator, Role.MENTOR)
            when = _at(later, 10, index % 60)
            problem = act(problem, when, action="validate", by=by)
            stamps[problem.pk]["validated_at"] = when
            if row.state == "resolved":
                done = _workday(dt.date(2026, 6, 30))
                problem = act(problem, _at(done, 14), action="resolve", by=by, note=row.state_note)
        elif row.state == "closed":
            problem = act(problem, _at(later, 11), action="close", by=user, note=row.state_note)
        elif row.state == "duplicate":
            # The agency viewer of Lombok Timur tidies the bank; the BPSDM's organizer marks
            # the ones its viewer wrote.
            by = world.users["pimpinan"] if user != world.users["pimpinan"] else _organizer(world)
            problem = act(
                problem,
                _at(later, 13),
                action="mark_duplicate",
                by=by,
                note=row.state_note,
                duplicate_of=world.problems[row.duplicate_of],
            )
        world.problems[row.key] = problem
        for joiner_unit in row.joined_by:
            joiner = world.employee_users[people[f"{row.key}>{joiner_unit}"].pk]
            problem_endorse(problem=problem, by=joiner, note="Unit kami mengalami hal yang sama.")
            ProblemEndorsement.objects.filter(problem=problem, user=joiner).update(
                created_at=_at(_workday(row.submitted_on, 20), 10)
            )

    # Move what the services stamped "now" to the demo's calendar.
    # (One UPDATE per row: bulk_update's CASE expressions cost more than they save here.)
    for pk, values in stamps.items():
        Problem.objects.filter(pk=pk).update(**values)
    history = ProblemTransition.objects.filter(problem_id__in=timeline).order_by("id")
    seen: dict[int, int] = defaultdict(int)
    for pk, problem_id in history.values_list("pk", "problem_id"):
        when = timeline[problem_id][seen[problem_id]]
        seen[problem_id] += 1
        ProblemTransition.objects.filter(pk=pk).update(created_at=when)
    return True


# --- Needs analysis ------------------------------------------------------------------------

ANALYSIS_TITLE = "Analisis Kebutuhan Pelatihan Semester II 2026"
ANALYSIS_PERIOD = (dt.date(2026, 1, 1), dt.date(2026, 7, 31))
ANALYSIS_DAY = dt.date(2026, 8, 5)
NEEDS_ACCEPTED_DAY = dt.date(2026, 8, 7)


@dataclass(frozen=True)
class NeedSpec:
    """A need of the analysis, found by a problem it groups; renamed when ``label`` is set.
    Every need listed here is accepted."""

    key: str
    marker: str  # key of a problem in problems.csv
    label: str = ""


NEEDS = (
    NeedSpec("imunisasi", "imun-masbagik", "Cakupan imunisasi dasar lengkap rendah"),
    NeedSpec("kinerja", "sakip-lotim", "Manajemen kinerja dan akuntabilitas perangkat daerah"),
    NeedSpec("layanan", "rsud-selong-poli", "Waktu tunggu pelayanan kesehatan rawat jalan"),
    NeedSpec("stunting", "stunting-selong", "Stunting dan gizi balita"),
    NeedSpec("sampah", "sampah-lotim"),
)


def _needs_by_marker(analysis: NeedsAnalysis, world: World) -> dict[str, Need]:
    markers = {spec.key: world.problems.get(spec.marker) for spec in NEEDS}
    found = {
        link.problem_id: link.need
        for link in NeedProblem.objects.filter(
            analysis=analysis, problem__in=[p for p in markers.values() if p]
        ).select_related("need__analysis")
    }
    return {key: found[p.pk] for key, p in markers.items() if p and p.pk in found}


def build_needs_analysis(world: World) -> bool:
    """The BPSDM's needs analysis over the problems submitted January–July 2026 in the
    agencies it serves, run by ``penyelenggara``; the main needs renamed and accepted."""
    institution = world.institution
    existing = NeedsAnalysis.objects.filter(institution=institution, title=ANALYSIS_TITLE).first()
    if existing is not None:
        world.analysis = existing
        world.needs = _needs_by_marker(existing, world)
        return False

    organizer = _organizer(world)
    analysis = needs_analysis_run(
        institution=institution,
        by=organizer,
        title=ANALYSIS_TITLE,
        period_from=ANALYSIS_PERIOD[0],
        period_to=ANALYSIS_PERIOD[1],
    )
    if analysis.status != NeedsAnalysis.Status.DONE:
        raise DemoWorldError(f"The demo needs analysis failed: {analysis.message}")
    needs = _needs_by_marker(analysis, world)
    done: set[int] = set()
    for spec in NEEDS:
        need = needs.get(spec.key)
        if need is None or need.pk in done:
            continue  # two markers in one need: the first names it
        done.add(need.pk)
        if spec.label:
            need = need_rename(need=need, by=organizer, label=spec.label)
        needs[spec.key] = need_accept(need=need, by=organizer)
    NeedsAnalysis.objects.filter(pk=analysis.pk).update(
        created_at=_at(ANALYSIS_DAY, 9, 30), finished_at=_at(ANALYSIS_DAY, 9, 31)
    )
    Need.objects.filter(analysis=analysis, accepted=True).update(
        accepted_at=_at(NEEDS_ACCEPTED_DAY, 14)
    )
    analysis.refresh_from_db()
    world.analysis = analysis
    world.needs = {key: Need.objects.get(pk=need.pk) for key, need in needs.items()}
    return True


# --- Programs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModuleSpec:
    title: str
    jp: int
    objectives: str
    needs: tuple[str, ...] = ()  # NEEDS keys
    problems: tuple[str, ...] = ()  # problems.csv keys (kept only when in the program's needs)


@dataclass(frozen=True)
class ProgramSpec:
    key: str
    name: str
    program_type: str
    total_jp: int
    mode: str
    needs: tuple[str, ...]
    competencies: str
    description: str
    modules: tuple[ModuleSpec, ...]
    created: dt.date
    published: dt.date


PROGRAMS = (
    ProgramSpec(
        key="pka",
        name="Pelatihan Kepemimpinan Administrator (PKA) 2027",
        program_type="pka",
        total_jp=330,
        mode="blended",
        needs=("kinerja", "layanan"),
        competencies=(
            "Mengelola kinerja unit dan menurunkannya sampai ke kinerja individu.\n"
            "Memimpin perubahan pelayanan publik di unit kerja.\n"
            "Merancang dan menjalankan proyek perubahan yang terukur."
        ),
        description=(
            "Untuk pejabat administrator (eselon III) perangkat daerah Lombok Timur, Kota "
            "Mataram dan Provinsi NTB. Setiap peserta membawa masalah kinerja atau pelayanan "
            "unitnya dari bank masalah sebagai bahan proyek perubahan."
        ),
        modules=(
            ModuleSpec(
                "Kepemimpinan Pancasila dan Bela Negara",
                30,
                "Peserta mampu menunjukkan integritas dan menindaklanjuti temuan pengawasan di unitnya.",
                needs=("kinerja",),
                problems=("tlhp-lotim", "tlhp-mataram", "disiplin-mataram"),
            ),
            ModuleSpec(
                "Kepemimpinan Kinerja",
                57,
                "Peserta mampu menyusun pohon kinerja unit, menurunkannya ke rencana hasil kerja pegawai dan melakukan dialog kinerja.",
                needs=("kinerja",),
                problems=("sakip-lotim", "skp-lotim", "skp-mataram"),
            ),
            ModuleSpec(
                "Manajemen Perubahan",
                36,
                "Peserta mampu memetakan pemangku kepentingan dan memimpin perubahan proses layanan.",
                needs=("layanan",),
            ),
            ModuleSpec(
                "Inovasi Pelayanan Publik",
                36,
                "Peserta mampu merancang inovasi yang memangkas waktu tunggu layanan berdasarkan data antrean.",
                needs=("layanan",),
                problems=("rsud-selong-poli", "pkm-cakra-antrean", "rsud-mataram-poli"),
            ),
            ModuleSpec(
                "Aktualisasi Kepemimpinan: Proyek Perubahan",
                171,
                "Peserta merancang, melaksanakan dan melaporkan proyek perubahan atas masalah nyata unitnya, dengan indikator dan baseline dari bank masalah.",
                needs=("kinerja", "layanan"),
            ),
        ),
        created=dt.date(2026, 8, 12),
        published=dt.date(2026, 8, 26),
    ),
    ProgramSpec(
        key="imunisasi",
        name="Pelatihan Teknis Peningkatan Cakupan Imunisasi",
        program_type="teknis",
        total_jp=45,
        mode="blended",
        needs=("imunisasi",),
        competencies=(
            "Memetakan sasaran imunisasi by name by address dan menjalankan imunisasi kejar.\n"
            "Mengelola rantai dingin vaksin.\n"
            "Menghadapi penolakan imunisasi bersama tokoh masyarakat."
        ),
        description=(
            "Untuk pengelola program imunisasi, bidan dan perawat puskesmas serta dinas "
            "kesehatan. Lima hari klasikal di BPSDM lalu tiga minggu praktik di wilayah kerja "
            "dengan rencana aksi atas masalah imunisasi yang dibawa peserta."
        ),
        modules=(
            ModuleSpec(
                "Kebijakan dan Sasaran Program Imunisasi",
                4,
                "Peserta memahami jadwal imunisasi nasional, sasaran dan indikator cakupan.",
                needs=("imunisasi",),
            ),
            ModuleSpec(
                "Pemetaan Sasaran dan Imunisasi Kejar",
                8,
                "Peserta mampu menyusun daftar sasaran bayi dan baduta per desa dan merencanakan imunisasi kejar.",
                needs=("imunisasi",),
                problems=("imun-masbagik-sweeping", "imun-tanjung-karang", "imun-ampenan"),
            ),
            ModuleSpec(
                "Manajemen Rantai Dingin Vaksin",
                6,
                "Peserta mampu memantau suhu, membaca VVM dan menyusun permintaan vaksin per sesi.",
                needs=("imunisasi",),
            ),
            ModuleSpec(
                "Pencatatan dan Pelaporan Imunisasi di ASIK",
                5,
                "Peserta mampu mencatat imunisasi sekali di ASIK dan membaca PWS.",
                problems=("imun-cakranegara-asik",),
            ),
            ModuleSpec(
                "Komunikasi Perubahan Perilaku dan Penanganan Penolakan Imunisasi",
                8,
                "Peserta mampu berdialog dengan orang tua yang ragu dan melibatkan tokoh agama.",
                problems=("imun-sakra", "imun-masbagik"),
            ),
            ModuleSpec(
                "Surveilans KIPI dan PD3I",
                5,
                "Peserta mampu melaporkan dan menginvestigasi KIPI serta kasus campak rubela.",
                problems=("imun-mataram-kipi", "imun-prov"),
            ),
            ModuleSpec(
                "Rencana Aksi Peningkatan Cakupan di Wilayah Kerja",
                9,
                "Peserta menyusun rencana aksi dengan indikator, baseline dan target cakupan di wilayah kerjanya.",
                needs=("imunisasi",),
            ),
        ),
        created=dt.date(2026, 8, 12),
        published=dt.date(2026, 8, 26),
    ),
)


def _stamp_history(obj, *moments: dt.datetime) -> None:
    """Give the state-change rows of ``obj`` (oldest first) the demo's dates."""
    rows = list(
        StateChange.objects.filter(object_type=obj._meta.model_name, object_id=obj.pk).order_by(
            "id"
        )
    )
    for row, when in zip(rows, moments, strict=False):
        row.created_at = when
    StateChange.objects.bulk_update(rows, ["created_at"])


def build_programs(world: World) -> bool:
    """Two published programs from the accepted needs: a PKA for administrators (performance
    and service needs) and a technical immunisation program; each module names the needs or
    problems it addresses."""
    names = [spec.name for spec in PROGRAMS]
    existing = {
        p.name: p for p in Program.objects.filter(institution=world.institution, name__in=names)
    }
    if existing:
        world.programs = {
            spec.key: existing[spec.name] for spec in PROGRAMS if spec.name in existing
        }
        return False

    organizer = _organizer(world)
    for spec in PROGRAMS:
        needs = [world.needs[key] for key in spec.needs if key in world.needs]
        needs = list({n.pk: n for n in needs}.values())
        if not needs:
            raise DemoWorldError(f"No accepted need for the demo program “{spec.name}”.")
        program = program_create(
            by=organizer,
            institution=world.institution,
            needs=needs,
            name=spec.name,
            program_type=spec.program_type,
            total_jp=spec.total_jp,
            mode=spec.mode,
            competencies=spec.competencies,
            description=spec.description,
        )
        in_needs = set(
            NeedProblem.objects.filter(need__in=needs).values_list("problem_id", flat=True)
        )
        for module in spec.modules:
            problems = [
                world.problems[key]
                for key in module.problems
                if key in world.problems and world.problems[key].pk in in_needs
            ]
            module_needs = [world.needs[key] for key in module.needs if key in world.needs]
            if not problems and not module_needs:
                module_needs = needs[:1]  # the program's first need rather than nothing
            module_create(
                program=program,
                by=organizer,
                title=module.title,
                jp=module.jp,
                objectives=module.objectives,
                needs=module_needs,
                problems=problems,
            )
        program = program_transition(program=program, action="publish", by=organizer)
        Program.objects.filter(pk=program.pk).update(
            created_at=_at(spec.created, 10), published_at=_at(spec.published, 15)
        )
        _stamp_history(program, _at(spec.created, 10), _at(spec.published, 15))
        program.refresh_from_db()
        world.programs[spec.key] = program
    return True


# --- Batches and enrolment -------------------------------------------------------------------

_PKM = "Dinas Kesehatan > Puskesmas "
_SURV = (
    "Dinas Kesehatan > Bidang Pencegahan dan Pengendalian Penyakit > Seksi Surveilans dan Imunisasi"
)


@dataclass(frozen=True)
class ParticipantSpec:
    """A participant of the running batch: the ``index``-th staff member of ``unit`` (its head
    when the unit has no one else), bringing ``problem`` (a problems.csv key of their own or
    their unit, or "" while they have not chosen)."""

    unit: str  # "AGENCY:unit > path"
    index: int = 0
    problem: str = ""
    withdrawn: str = ""  # the reason, for one who left


PARTICIPANTS = (
    ParticipantSpec(f"KAB-LOTIM:{_PKM}Selong", 0, "imun-selong"),
    ParticipantSpec(f"KAB-LOTIM:{_PKM}Selong", 1, withdrawn="Tugas belajar D-IV kebidanan mulai November 2026."),
    ParticipantSpec(f"KAB-LOTIM:{_PKM}Masbagik", 0, "imun-masbagik-sweeping"),
    ParticipantSpec(f"KAB-LOTIM:{_PKM}Aikmel", 0, "imun-aikmel"),
    ParticipantSpec(f"KAB-LOTIM:{_PKM}Aikmel", 1),
    ParticipantSpec(f"KAB-LOTIM:{_PKM}Sakra", 0, "imun-sakra"),
    ParticipantSpec(f"KAB-LOTIM:{_PKM}Labuhan Haji", 0, "imun-labuhan-haji"),
    ParticipantSpec(f"KAB-LOTIM:{_PKM}Sembalun", 0, "imun-sembalun-cold"),
    ParticipantSpec(f"KAB-LOTIM:{_SURV}", 0, "imun-lotim-kab"),
    ParticipantSpec("KAB-LOTIM:Dinas Kesehatan > Bidang Kesehatan Masyarakat > Seksi Promosi dan Pemberdayaan Masyarakat", 0, "posyandu-lotim"),
    ParticipantSpec(f"KOTA-MTR:{_PKM}Ampenan", 0, "imun-ampenan"),
    ParticipantSpec(f"KOTA-MTR:{_PKM}Tanjung Karang", 0),
    ParticipantSpec(f"KOTA-MTR:{_PKM}Karang Pule", 0, "imun-karang-pule-bias"),
    ParticipantSpec(f"KOTA-MTR:{_PKM}Cakranegara", 0, "imun-cakranegara-asik"),
    ParticipantSpec(f"KOTA-MTR:{_PKM}Cakranegara", 1, "imun-cakra-idl"),
    ParticipantSpec(f"KOTA-MTR:{_PKM}Dasan Agung", 0, "imun-dasan-agung"),
    ParticipantSpec(f"KOTA-MTR:{_PKM}Dasan Agung", 1),
    ParticipantSpec(f"KOTA-MTR:{_SURV}", 0, "imun-mataram-kipi"),
    ParticipantSpec(f"PROV-NTB:{_SURV}", 0, "imun-prov"),
)  # fmt: skip


@dataclass(frozen=True)
class BatchSpec:
    key: str
    program: str  # PROGRAMS key
    name: str
    start: dt.date
    end: dt.date
    location: str
    capacity: int
    trainers: int  # widyaiswara: the demo account and the first others of the BPSDM
    created: dt.date
    enrolling: dt.date | None = None  # when enrolment opened
    running: dt.date | None = None  # when the classes started


BATCHES = (
    BatchSpec(
        key="imunisasi",
        program="imunisasi",
        name="Angkatan I 2026",
        start=dt.date(2026, 11, 16),
        end=dt.date(2026, 12, 11),
        location="Kampus BPSDM Provinsi NTB, Mataram; praktik di wilayah kerja peserta",
        capacity=30,
        trainers=3,
        created=dt.date(2026, 9, 1),
        enrolling=dt.date(2026, 9, 7),
        running=dt.date(2026, 11, 16),
    ),
    BatchSpec(
        key="pka",
        program="pka",
        name="Angkatan I 2027",
        start=dt.date(2027, 2, 8),
        end=dt.date(2027, 6, 18),
        location="Kampus BPSDM Provinsi NTB, Mataram",
        capacity=40,
        trainers=2,
        created=dt.date(2026, 10, 5),
    ),
)
ENROLLED_DAY = dt.date(2026, 10, 12)


def _trainers(world: World, count: int) -> list[User]:
    """The demo ``widyaiswara`` and the first other widyaiswara of the BPSDM (by NIP)."""
    bpsdm = world.people["widyaiswara"].work_unit
    others = [
        e
        for e in _staff(world).members.get(bpsdm.pk, [])
        if e.position_name.startswith("Widyaiswara")
    ]
    users = [world.users["widyaiswara"]]
    users += [_user(world, employee, Role.TRAINER) for employee in others[: count - 1]]
    return users


def build_batches(world: World) -> bool:
    """A running batch of the immunisation program (peserta with mentor and widyaiswara,
    bringing the problem the mentor validated; 19 others from the three agencies) and a
    planned PKA batch."""
    existing = {
        (b.program_id, b.name): b for b in Batch.objects.filter(program__in=world.programs.values())
    }
    if existing:
        for spec in BATCHES:
            program = world.programs.get(spec.program)
            if program and (program.pk, spec.name) in existing:
                world.batches[spec.key] = existing[(program.pk, spec.name)]
        return False

    organizer = _organizer(world)
    staff = _staff(world)
    for spec in BATCHES:
        batch = batch_create(
            program=world.programs[spec.program],
            by=organizer,
            name=spec.name,
            start_date=spec.start,
            end_date=spec.end,
            mode="blended",
            capacity=spec.capacity,
            location=spec.location,
            trainers=_trainers(world, spec.trainers),
        )
        Batch.objects.filter(pk=batch.pk).update(created_at=_at(spec.created, 9))
        moments = [_at(spec.created, 9)]
        if spec.enrolling:
            batch = batch_transition(batch=batch, action="open_enrolment", by=organizer)
            moments.append(_at(spec.enrolling, 9))
        world.batches[spec.key] = batch
        if spec.key != "imunisasi":
            _stamp_history(batch, *moments)
            continue

        # Enrol peserta (mentor: her supervisor, the demo mentor; coach: widyaiswara) and the
        # others (mentor: their supervisors; coaches balanced among the batch's trainers).
        peserta = world.people["peserta"]
        people = [(staff.member(world.units[_unit_key(p.unit)], p.index), p) for p in PARTICIPANTS]
        _users(world, [employee for employee, _p in people])
        requests = [EnrolmentRequest(nip=peserta.nip, coach_username="widyaiswara", line=1)]
        requests += [
            EnrolmentRequest(nip=employee.nip, line=line)
            for line, (employee, _p) in enumerate(people, start=2)
        ]
        enrolments = {
            e.employee_id: e
            for e in enrollment_create_many(batch=batch, by=organizer, requests=requests)
        }
        for employee, p in people:
            user = _user(world, employee, Role.PARTICIPANT)
            if p.problem:
                enrollment_problem_pick(
                    enrollment=enrolments[employee.pk], problem=world.problems[p.problem], by=user
                )
        batch = batch_transition(batch=batch, action="start", by=organizer)
        moments.append(_at(spec.running, 8))
        for employee, p in people:
            if p.withdrawn:
                enrollment_transition(
                    enrollment=enrolments[employee.pk],
                    action="withdraw",
                    by=organizer,
                    note=p.withdrawn,
                )
        enrollment_problem_pick(
            enrollment=enrolments[peserta.pk],
            problem=world.problems["imun-masbagik"],
            by=world.users["peserta"],
        )
        _stamp_enrolment(batch, enrolments.values(), spec)
        _stamp_history(batch, *moments)
        world.batches[spec.key] = batch
    return True


def _stamp_enrolment(batch: Batch, enrolments, spec: BatchSpec) -> None:
    """The demo's dates for the enrolments, their history and the problems marked addressed
    when the classes started."""
    ids = [e.pk for e in enrolments]
    Enrollment.objects.filter(pk__in=ids).update(created_at=_at(ENROLLED_DAY, 10))
    started = _at(spec.running, 8)
    for row in StateChange.objects.filter(object_type="enrollment", object_id__in=ids):
        row.created_at = {
            "enrolled": _at(ENROLLED_DAY, 10),
            "active": started,
            "withdrawn": _at(_workday(spec.running, 4), 11),
        }.get(row.to_state, started)
        row.save(update_fields=["created_at"])
    addressed = ProblemTransition.objects.filter(
        action="address", problem__enrollments__batch=batch
    )
    addressed.update(created_at=started)
    Problem.objects.filter(pk__in=addressed.values("problem_id")).update(updated_at=started)


STEPS = [
    build_organizations,
    build_people,
    build_accounts,
    build_problem_bank,
    build_needs_analysis,
    build_programs,
    build_batches,
    build_action_plans,  # plans of the running batch in review; near-duplicates in an earlier batch
    build_monitoring,  # an ended batch (follow_up) with plans in every state, updates, evidence
    build_follow_ups,  # after build_monitoring once it exists: needs an ended batch
    build_seminars,  # keep last: it scores the plans the steps before it made
    build_attendance,  # sessions and attendance of the running batch; a people-move proposal
    build_reminders,  # keep at the very end: a reminder pass over the world (changes no plan)
]


def build(stdout=None) -> World:
    """Build (or load) the whole demo world in one transaction and print a summary."""
    out = stdout or sys.stdout
    started = time.monotonic()
    world = World()
    with transaction.atomic():
        created = [step.__name__ for step in STEPS if step(world)]
    if created:
        out.write(f"Demo world loaded in {time.monotonic() - started:.1f} s.\n")
    else:
        out.write("Demo world already loaded.\n")
    for note in world.notes:
        out.write(f"  {note}\n")
    out.write(summary(world) + "\n")
    return world


def summary(world: World) -> str:
    agencies = list(world.agencies.values())
    employees = Employee.objects.filter(agency__in=agencies)
    pppk = employees.filter(employment_type=EmploymentType.PPPK).count()
    lines = [
        f"  {len(agencies)} agencies: {', '.join(a.name for a in agencies)}",
        f"  {WorkUnit.objects.filter(agency__in=agencies).count()} work units",
        f"  1 training institution: {world.institution}",
        f"  {employees.count()} employees ({pppk} PPPK)",
        f"  {len(world.users)} demo accounts: {', '.join(world.users)}",
    ]
    problems = Problem.objects.filter(agency__in=agencies)
    states = dict(problems.values_list("state").annotate(n=Count("pk")).order_by())
    if states:
        lines.append(
            f"  {sum(states.values())} problems ("
            + ", ".join(f"{n} {state}" for state, n in sorted(states.items()))
            + ")"
        )
    if world.analysis is not None:
        needs = world.analysis.needs.aggregate(
            n=Count("pk"), accepted=Count("pk", filter=Q(accepted=True))
        )
        lines.append(
            f"  needs analysis “{world.analysis.title}”: {needs['n']} needs, "
            f"{needs['accepted']} accepted"
        )
    for program in world.programs.values():
        lines.append(f"  program “{program.name}” ({program.get_state_display()})")
    for batch in world.batches.values():
        enrolled = batch.enrollments.count()
        lines.append(f"  batch “{batch}” ({batch.state}, {enrolled} enrolled)")
    return "\n".join(lines)
