"""Small builders for the programs tests: valid, minimal, no surprises. Programs and batches
are built through the services, so they are what the app itself would create."""

import datetime as dt
import itertools
from decimal import Decimal

from membumi.accounts.enums import Role
from membumi.needs.models import Need, NeedsAnalysis
from membumi.problems.models import Problem
from membumi.programs import services
from membumi.testing.factories import EmployeeFactory, RoleAssignmentFactory, UserFactory

_seq = itertools.count(1)


def make_problem(*, unit, by=None, state="open", title=None, **extra) -> Problem:
    n = next(_seq)
    return Problem.objects.create(
        agency_id=unit.agency_id,
        work_unit=unit,
        submitted_by=by,
        title=title or f"Antrean layanan panjang {n}",
        statement="Warga menunggu lebih dari tiga jam untuk dilayani setiap pagi.",
        sector="health",
        indicator_name="Waktu tunggu rata-rata",
        indicator_unit="menit",
        indicator_direction="decrease",
        baseline_value=Decimal("180"),
        baseline_date=dt.date(2026, 1, 31),
        urgency=4,
        seriousness=4,
        growth=3,
        state=state,
        **extra,
    )


def make_analysis(institution, by=None, title="AKP 2026") -> NeedsAnalysis:
    return NeedsAnalysis.objects.create(institution=institution, title=title, created_by=by)


def make_need(analysis, *problems, accepted=True, label=None) -> Need:
    need = Need.objects.create(
        analysis=analysis, label=label or f"Kebutuhan {next(_seq)}", accepted=accepted
    )
    for problem in problems:
        need.problems.add(problem, through_defaults={"analysis_id": analysis.pk})
    return need


def make_employee(agency, *, supervisor=None, name=None, unit=None):
    kwargs = {"agency": agency, "supervisor": supervisor, "name": name or f"Pegawai {next(_seq)}"}
    if unit is not None:
        kwargs["work_unit"] = unit
    return EmployeeFactory(**kwargs)


def make_trainer(institution, username):
    user = UserFactory(username=username)
    RoleAssignmentFactory(user=user, role=Role.TRAINER, institution=institution)
    return user


def make_program(organizer, institution, *needs, name="Pelatihan Layanan Prima", total_jp=40):
    return services.program_create(
        by=organizer,
        institution=institution,
        needs=list(needs),
        name=name,
        program_type="teknis",
        total_jp=total_jp,
        mode="klasikal",
        competencies="Analisis masalah layanan",
    )


def make_batch(program, organizer, *trainers, name="Angkatan I 2026", capacity=30):
    return services.batch_create(
        program=program,
        by=organizer,
        name=name,
        start_date=dt.date(2026, 3, 2),
        end_date=dt.date(2026, 3, 20),
        mode="klasikal",
        location="Kampus BPSDM",
        capacity=capacity,
        trainers=list(trainers),
    )


def force_state(obj, state):
    """Arrange a state directly (tests only: the services are the only code that changes it)."""
    type(obj).objects.filter(pk=obj.pk).update(state=state)
    obj.refresh_from_db()
    return obj
