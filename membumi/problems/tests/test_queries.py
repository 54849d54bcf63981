"""Who sees which problem, who may submit for which unit, similar problems and their scope,
and traceability into programs."""

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from membumi.accounts.enums import Role
from membumi.needs.models import Need, NeedsAnalysis
from membumi.problems import queries, rules, services, similarity
from membumi.problems.models import Problem
from membumi.programs.models import Batch, Enrollment, Module, Program
from membumi.testing.factories import (
    EmployeeFactory,
    RoleAssignmentFactory,
    UserFactory,
    WorkUnitFactory,
)

from .conftest import ANTREAN, STUNTING, make_problem

# --- Scope -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["participant", "mentor", "organizer", "trainer", "viewer", "admin_user"]
)
def test_problem_visible_in_scope(request, everyone, problem, persona):
    user = request.getfixturevalue(persona)

    assert queries.get_problem_for_user(user, problem.pk) == problem
    assert problem in queries.problems_for_user(user)


@pytest.mark.parametrize("persona", ["outsider", "other_organizer"])
def test_problem_invisible_outside_scope(request, everyone, problem, persona):
    user = request.getfixturevalue(persona)

    with pytest.raises(Http404):
        queries.get_problem_for_user(user, problem.pk)
    assert problem not in queries.problems_for_user(user)


def test_employee_of_another_unit_of_the_agency_sees_it(problem, agency, sibling_unit):
    """Agency-wide, so a colleague finds the problem another unit wrote and joins it."""
    colleague = UserFactory(employee=EmployeeFactory(agency=agency, work_unit=sibling_unit))

    assert queries.get_problem_for_user(colleague, problem.pk) == problem


def test_joining_does_not_cross_agencies_but_a_joined_problem_stays_visible(
    problem, outsider, agency, sibling_unit
):
    colleague = UserFactory(employee=EmployeeFactory(agency=agency, work_unit=sibling_unit))
    services.problem_endorse(problem=problem, by=colleague)
    colleague.employee.agency = outsider.employee.agency  # moves to another agency
    colleague.employee.work_unit = outsider.employee.work_unit
    colleague.employee.save()
    colleague.refresh_from_db()

    assert queries.get_problem_for_user(colleague, problem.pk) == problem


def test_user_without_employee_or_role_sees_nothing(problem):
    nobody = UserFactory(username="kosong")

    assert not queries.problems_for_user(nobody).exists()
    assert not rules.can_browse_problems(nobody)


def test_get_problem_for_user_bad_id_is_404(problem, participant):
    with pytest.raises(Http404):
        queries.get_problem_for_user(participant, "abc")


# --- Submission and import scope -------------------------------------------------------------


def test_participant_submits_for_own_unit_only(participant, unit, sibling_unit):
    units = queries.submission_units(participant)

    assert list(units) == [unit]
    assert queries.default_submission_unit(participant, units) == unit


def test_viewer_submits_for_any_unit_of_the_agency(viewer, unit, sibling_unit, foreign_unit):
    units = queries.submission_units(viewer)

    assert set(units) >= {unit, sibling_unit}
    assert foreign_unit not in units
    assert {u.agency_id for u in units} == {unit.agency_id}
    assert queries.default_submission_unit(viewer, units) is None


def test_admin_submits_for_any_unit(admin_user, unit, foreign_unit):
    assert {unit, foreign_unit} <= set(queries.submission_units(admin_user))


def test_unit_head_submits_for_units_below(unit):
    child = WorkUnitFactory(agency=unit.agency, parent=unit, name="Puskesmas Sukamaju")
    head = UserFactory(username="kepala")
    RoleAssignmentFactory(user=head, role=Role.MENTOR, work_unit=unit)

    assert set(queries.submission_units(head)) == {unit, child}


def test_user_without_unit_submits_nowhere(db):
    employee = EmployeeFactory(work_unit=None)
    assert not queries.submission_units(UserFactory(employee=employee)).exists()
    assert not queries.submission_units(UserFactory(username="kosong")).exists()


def test_import_agencies(organizer, viewer, admin_user, participant, agency, other_agency):
    assert queries.import_agency_ids(organizer) == {agency.pk}
    assert queries.import_agency_ids(viewer) == {agency.pk}
    assert queries.import_agency_ids(admin_user) is None
    assert queries.import_agency_ids(participant) == set()
    assert rules.can_import_problems(organizer)
    assert not rules.can_import_problems(participant)


# --- Similar problems ------------------------------------------------------------------------


def test_similar_ranks_the_close_text_first(problem, participant, unit):
    make_problem(unit=unit, by=participant, title=STUNTING[0], statement=STUNTING[1])

    result = queries.similar_for_user(participant, "akta kelahiran antrean panjang berkas")

    assert [m.problem for m in result.matches] == [problem]
    [match] = result.matches
    assert 0 < match.score <= 1
    assert match.own_agency


def test_similar_from_another_agency_is_only_counted(
    everyone, problem, foreign_problem, outsider, participant
):
    """The outsider never sees the problem of Kabupaten Alfa: no title, only a count and the
    agency name. And the other way round."""
    text = f"{ANTREAN[0]}. {ANTREAN[1]}"

    result = queries.similar_for_user(outsider, text)

    assert [m.problem for m in result.matches] == [foreign_problem]
    assert result.outside_count == 1
    assert result.outside_agencies == ["Kabupaten Alfa"]

    mirrored = queries.similar_for_user(participant, text)
    assert [m.problem for m in mirrored.matches] == [problem]
    assert (mirrored.outside_count, mirrored.outside_agencies) == (1, ["Kabupaten Zulu"])


def test_similar_orders_own_agency_before_other_visible(organizer, problem, foreign_problem):
    """An organizer serving both agencies sees both; their own agency's problem comes first
    even when the other one scores higher."""
    organizer_institution = organizer.role_assignments.get().institution
    organizer_institution.served_agencies.add(foreign_problem.agency)
    organizer.__dict__.pop("_membumi_roles", None)

    result = queries.similar_for_user(organizer, foreign_problem.title)

    assert [m.problem for m in result.matches] == [problem, foreign_problem]
    assert [m.own_agency for m in result.matches] == [True, False]
    assert result.matches[1].score >= result.matches[0].score


def test_similar_leaves_out_closed_and_duplicates(participant, unit):
    make_problem(unit=unit, by=participant, title=ANTREAN[0], statement=ANTREAN[1], state="closed")

    assert not queries.similar_for_user(participant, ANTREAN[0]).matches


def test_similar_excludes_the_problem_being_edited(problem, participant):
    result = queries.similar_for_user(participant, ANTREAN[0], exclude_ids={problem.pk})
    assert result.matches == []


def test_similar_marks_join_state(problem, agency, sibling_unit, participant):
    colleague = UserFactory(employee=EmployeeFactory(agency=agency, work_unit=sibling_unit))

    [match] = queries.similar_for_user(colleague, ANTREAN[0]).matches
    assert (match.joined, match.join_refusal) == (False, "")

    services.problem_endorse(problem=problem, by=colleague)
    [match] = queries.similar_for_user(colleague, ANTREAN[0]).matches
    assert match.joined

    [own] = queries.similar_for_user(participant, ANTREAN[0]).matches
    assert own.join_refusal == "You submitted this problem yourself."


def test_similar_empty_text_finds_nothing(problem, participant):
    assert queries.similar_for_user(participant, "   ").matches == []


def test_similarity_index_follows_the_bank(problem, participant, unit):
    assert [m.problem_id for m in similarity.rank(STUNTING[0])] == []

    other = make_problem(unit=unit, by=participant, title=STUNTING[0], statement=STUNTING[1])

    assert [m.problem_id for m in similarity.rank(STUNTING[0])] == [other.pk]
    Problem.objects.filter(pk=other.pk).update(state="closed", updated_at=timezone.now())
    assert similarity.rank(STUNTING[0]) == []


def test_duplicate_candidates_are_similar_visible_problems(problem, participant, unit, mentor):
    copy = make_problem(unit=unit, by=participant, title=ANTREAN[0] + " lagi", statement=ANTREAN[1])
    make_problem(unit=unit, by=participant, title=STUNTING[0], statement=STUNTING[1])

    assert queries.duplicate_candidates(mentor, copy) == [problem]
    assert copy not in queries.duplicate_targets(mentor, copy)


# --- Traceability ----------------------------------------------------------------------------


def test_traceability_follows_modules_needs_batches_and_enrolments(
    problem, institution, organizer, participant, mentor
):
    analysis = NeedsAnalysis.objects.create(institution=institution, title="AKP 2026")
    need = Need.objects.create(analysis=analysis, label="Layanan adminduk lambat", accepted=True)
    need.problems.add(problem, through_defaults={"analysis_id": analysis.pk})
    program = Program.objects.create(
        institution=institution,
        name="Pelayanan Prima",
        program_type="teknis",
        total_jp=40,
        mode="klasikal",
    )
    by_need = Module.objects.create(program=program, title="Alur layanan", jp=20, objectives="-")
    by_need.needs.add(need)
    direct = Module.objects.create(
        program=program, title="Data kependudukan", jp=20, objectives="-"
    )
    direct.problems.add(problem)
    unrelated_program = Program.objects.create(
        institution=institution,
        name="Kepemimpinan",
        program_type="pka",
        total_jp=80,
        mode="blended",
    )
    Module.objects.create(program=unrelated_program, title="Visi", jp=80, objectives="-")
    batch = Batch.objects.create(
        program=program,
        name="Angkatan I",
        start_date=dt.date(2026, 3, 2),
        end_date=dt.date(2026, 3, 20),
        mode="klasikal",
        capacity=30,
    )
    other_batch = Batch.objects.create(
        program=unrelated_program,
        name="Angkatan II",
        start_date=dt.date(2026, 4, 6),
        end_date=dt.date(2026, 4, 24),
        mode="blended",
        capacity=30,
    )
    Enrollment.objects.create(
        batch=other_batch, employee=participant.employee, agency=problem.agency, problem=problem
    )

    trace = queries.problem_traceability(problem)

    assert trace.needs == [need]
    assert set(trace.programs) == {program, unrelated_program}  # a participant brings it there
    assert set(trace.modules) == {by_need, direct}
    assert [(b, b.brought_here) for b in trace.batches] == [(other_batch, True), (batch, False)]
    assert {m: m.direct for m in trace.modules} == {by_need: False, direct: True}
    assert not trace.is_empty


def test_traceability_empty(problem):
    assert queries.problem_traceability(problem).is_empty


# --- The similarity index's life cycle -------------------------------------------------------


def test_new_problems_are_found_without_rebuilding_the_main_index(problem, participant, unit):
    similarity.rank(ANTREAN[0])
    main = similarity._current.main

    added = make_problem(unit=unit, by=participant, title=STUNTING[0], statement=STUNTING[1])

    assert [m.problem_id for m in similarity.rank(STUNTING[0])] == [added.pk]
    assert similarity._current.main is main
    assert similarity._current.recent is not None


def test_many_new_problems_rebuild_the_main_index(problem, participant, unit, monkeypatch):
    monkeypatch.setattr(similarity, "MAX_RECENT", 1)
    similarity.rank(ANTREAN[0])
    main = similarity._current.main
    for _ in range(2):
        make_problem(unit=unit, by=participant, title=STUNTING[0], statement=STUNTING[1])

    assert len(similarity.rank(STUNTING[0])) == 2
    assert similarity._current.main is not main
    assert similarity._current.recent is None


def test_edited_texts_are_picked_up_after_the_rebuild_delay(problem, participant, monkeypatch):
    similarity.rank(ANTREAN[0])
    services.problem_update(
        problem=problem, by=participant, title=STUNTING[0], statement=STUNTING[1]
    )

    monkeypatch.setattr(similarity, "REBUILD_AFTER_SECONDS", 0)

    assert [m.problem_id for m in similarity.rank(STUNTING[0])] == [problem.pk]


def test_likely_duplicate_flag(problem, participant):
    [match] = queries.similar_for_user(participant, f"{ANTREAN[0]}. {ANTREAN[1]}").matches
    assert match.score >= similarity.LIKELY_DUPLICATE
    assert match.likely_duplicate
