"""Reads: who may analyse what, scoped lookups, and the figures of the needs table."""

import pytest
from django.http import Http404

from membumi.accounts.enums import Role
from membumi.needs import queries
from membumi.problems.queries import analysable_problems
from membumi.testing.factories import AgencyFactory, InstitutionFactory, RoleAssignmentFactory

from .conftest import endorse, make_analysis, make_problem

# --- analysable_problems ---------------------------------------------------------------------


@pytest.fixture
def bank(unit, far_unit):
    """Problems in ``agency`` (served by ``institution``) and ``other_agency`` (not served)."""
    return {
        "open": make_problem(unit=unit, state="open"),
        "validated": make_problem(unit=unit, state="validated"),
        "resolved": make_problem(unit=unit, state="resolved"),
        "closed": make_problem(unit=unit, state="closed"),
        "duplicate": make_problem(unit=unit, state="duplicate"),
        "far": make_problem(unit=far_unit),
    }


def test_analysable_problems_organizer_served_agencies_not_closed_or_duplicate(organizer, bank):
    ids = set(analysable_problems(organizer).values_list("pk", flat=True))

    assert bank["open"].pk in ids
    assert bank["validated"].pk in ids
    assert bank["resolved"].pk in ids
    assert bank["closed"].pk not in ids
    assert bank["duplicate"].pk not in ids
    assert bank["far"].pk not in ids


def test_analysable_problems_viewer_analyses_nothing(viewer, bank):
    assert not analysable_problems(viewer).exists()


def test_analysable_problems_participant_analyses_nothing(participant, bank):
    assert not analysable_problems(participant).exists()


def test_analysable_problems_organizer_who_also_views_another_agency(organizer, other_agency, bank):
    """Seeing an agency as its viewer does not make its problems analysable."""
    RoleAssignmentFactory(user=organizer, role=Role.AGENCY_VIEWER, agency=other_agency)
    organizer._membumi_roles = None

    ids = set(analysable_problems(organizer).values_list("pk", flat=True))

    assert bank["far"].pk not in ids
    assert bank["open"].pk in ids


def test_analysable_problems_institution_agency_not_served(db, unit, bank):
    """Only served agencies count: an institution's own agency is analysable only if served."""
    province = AgencyFactory(code="PROV", name="Provinsi")
    institution = InstitutionFactory(agency=province, code="BPSDM-P")
    institution.served_agencies.set([unit.agency])
    user = RoleAssignmentFactory(role=Role.ORGANIZER, institution=institution).user
    province_unit = type(unit).objects.create(agency=province, name="Biro", path="/x/")
    own = make_problem(unit=province_unit)

    ids = set(analysable_problems(user).values_list("pk", flat=True))

    assert own.pk not in ids
    assert bank["open"].pk in ids


def test_analysable_problems_admin_everything_but_closed_and_duplicates(admin_user, bank):
    ids = set(analysable_problems(admin_user).values_list("pk", flat=True))

    assert ids == {bank[k].pk for k in ("open", "validated", "resolved", "far")} | {
        bank["duplicate"].duplicate_of_id
    }


# --- Scoped lookups ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["organizer", "admin_user"])
def test_get_analysis_for_user_in_scope(request, analysis, persona):
    user = request.getfixturevalue(persona)
    assert queries.get_analysis_for_user(user, analysis.pk) == analysis


@pytest.mark.parametrize(
    "persona", ["participant", "mentor", "trainer", "viewer", "outsider", "other_organizer"]
)
def test_get_analysis_for_user_out_of_scope_404(request, analysis, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(Http404):
        queries.get_analysis_for_user(user, analysis.pk)
    with pytest.raises(Http404):
        queries.get_need_for_user(user, analysis.needs.first().pk)


def test_get_analysis_for_user_garbage_pk_404(organizer):
    with pytest.raises(Http404):
        queries.get_analysis_for_user(organizer, "abc")


# --- The needs table -------------------------------------------------------------------------------


def test_needs_table_figures(analysis, unit, other_unit):
    table = {n.label: n for n in queries.needs_table(analysis)}

    imunisasi = table["Imunisasi"]
    assert imunisasi.problem_count == 2
    assert imunisasi.units_affected == 2  # unit and other_unit
    assert imunisasi.priority_total == 15 + 6
    assert imunisasi.priority_mean == 10.5
    assert [p.title for p in imunisasi.examples] == ["Imunisasi rendah", "Vaksin kosong"]
    perizinan = table["Perizinan"]
    assert perizinan.problem_count == 2
    assert perizinan.units_affected == 1  # both in the same unit
    assert perizinan.priority_total == 18
    assert perizinan.priority_mean == 9.0


def test_needs_table_units_count_endorsing_units_once(analysis, unit, other_unit, far_unit):
    need = analysis.needs.get(label="Perizinan")
    problem = need.problems.first()
    endorse(problem, unit)
    endorse(problem, unit)  # a second person of the same unit
    endorse(problem, other_unit)
    endorse(need.problems.last(), problem.work_unit)  # the problem's own unit again

    row = next(n for n in queries.needs_table(analysis) if n.pk == need.pk)

    assert row.units_affected == 3  # sibling_unit (the problems'), unit, other_unit


def test_needs_table_examples_top_three_by_priority(institution, unit):
    problems = [
        make_problem(unit=unit, title=f"P{usg}", urgency=usg, seriousness=usg, growth=usg)
        for usg in (1, 4, 2, 5, 3)
    ]
    analysis = make_analysis(institution, [("Semua", problems)])

    (row,) = queries.needs_table(analysis)

    assert [p.title for p in row.examples] == ["P5", "P4", "P3"]
    assert row.problem_count == 5
    assert row.priority_total == 3 * (1 + 4 + 2 + 5 + 3)


def test_needs_table_empty_need(institution):
    analysis = make_analysis(institution, [("Kosong", [])])

    (row,) = queries.needs_table(analysis)

    assert (row.problem_count, row.units_affected, row.priority_total) == (0, 0, 0)
    assert row.priority_mean is None
    assert row.examples == []


def _many(institution, unit, n_needs, per_need):
    groups = [
        (f"Kebutuhan {i}", [make_problem(unit=unit) for _ in range(per_need)])
        for i in range(n_needs)
    ]
    return make_analysis(institution, groups)


def test_needs_table_constant_queries(django_assert_num_queries, institution, unit, other_unit):
    small = _many(institution, unit, 1, 1)
    big = _many(institution, unit, 6, 5)
    for problem in big.needs.first().problems.all():
        endorse(problem, other_unit)

    with django_assert_num_queries(2):
        queries.needs_table(small)
    with django_assert_num_queries(2):
        table = queries.needs_table(big)
    assert len(table) == 6
    assert all(len(n.examples) == 3 for n in table)


def test_problem_ids_by_need(analysis):
    ids = queries.problem_ids_by_need(analysis)

    for need in analysis.needs.all():
        assert ids[need.pk] == sorted(need.problems.values_list("pk", flat=True))
