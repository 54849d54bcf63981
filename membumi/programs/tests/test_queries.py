"""Traceability (what addresses a problem), the coverage report, and scoping."""

import pytest
from django.http import Http404

from membumi.programs import queries, services
from membumi.programs.enums import ProgramState

from .factories import (
    force_state,
    make_analysis,
    make_batch,
    make_employee,
    make_need,
    make_problem,
    make_program,
)

# --- addressing_for_problem --------------------------------------------------------------------


def test_addressing_through_a_need(problem, batch, module):
    found = queries.addressing_for_problem(problem)

    assert [p.pk for p in found.programs] == [batch.program_id]
    program = found.programs[0]
    assert program.answers_need is True
    assert [m.title for m in program.addressing_modules] == ["Manajemen antrean"]
    assert program.addressing_modules[0].direct is False
    assert [b.name for b in program.addressing_batches] == ["Angkatan I 2026"]
    assert found.batches[0].brought_here is False
    assert bool(found)


def test_addressing_directly_by_module(organizer, institution, analysis, unit, problem):
    other = make_problem(unit=unit, title="Masalah lain")
    need = make_need(analysis, other, label="Kebutuhan lain")
    program = make_program(organizer, institution, need, name="Program lain")
    # A module may address a problem of the program's needs only; add the problem to the need.
    need.problems.add(problem, through_defaults={"analysis_id": analysis.pk})
    services.module_create(
        program=program, by=organizer, title="Langsung", jp=4, objectives="x", problems=[problem]
    )

    found = queries.addressing_for_problem(problem)

    modules = {m.title: m.direct for m in found.modules}
    assert modules == {"Langsung": True}
    assert [p.name for p in found.programs] == ["Program lain"]


def test_addressing_batch_where_participant_brings_it(
    organizer, participant, enrollment, problem, analysis, institution, unit
):
    unrelated = make_problem(unit=unit, by=participant, title="Tidak terkait")
    services.enrollment_problem_pick(enrollment=enrollment, problem=unrelated, by=participant)

    found = queries.addressing_for_problem(unrelated)

    assert [b.name for b in found.batches] == ["Angkatan I 2026"]
    assert found.batches[0].brought_here is True
    assert found.programs[0].answers_need is False
    assert found.programs[0].addressing_modules == []


def test_addressing_nothing(unit):
    lonely = make_problem(unit=unit)
    found = queries.addressing_for_problem(lonely)
    assert not found
    assert (found.programs, found.modules, found.batches) == ([], [], [])


@pytest.mark.parametrize("n", [1, 4])
def test_addressing_query_count_constant(
    organizer, institution, problem, trainer, n, django_assert_num_queries
):
    for i in range(n):
        need = make_need(make_analysis(institution, title=f"AKP {i}"), problem, label=f"K{i}")
        program = make_program(organizer, institution, need, name=f"P{i}")
        services.module_create(
            program=program, by=organizer, title=f"M{i}", jp=40, objectives="x", needs=[need]
        )
        services.module_create(
            program=program, by=organizer, title=f"N{i}", jp=4, objectives="x", needs=[need]
        )
        services.program_transition(program=program, action="publish", by=organizer)
        make_batch(program, organizer, trainer, name="A")
        make_batch(program, organizer, trainer, name="B")

    with django_assert_num_queries(3):
        found = queries.addressing_for_problem(problem)
        _ = [(p.institution.name, len(p.addressing_batches)) for p in found.programs]


# --- Coverage ---------------------------------------------------------------------------------


def test_coverage_lists_uncovered_needs_and_bare_modules(
    organizer, institution, analysis, need, program, module
):
    uncovered = make_need(analysis, label="Belum ada program")
    make_need(analysis, label="Belum diterima", accepted=False)
    bare = services.module_create(
        program=program, by=organizer, title="Tanpa sasaran", jp=2, objectives="x"
    )

    report = queries.coverage_report(institution)

    assert report.accepted == 2
    assert report.covered == 1
    assert [n.label for n in report.uncovered_needs] == [uncovered.label]
    assert [m.pk for m in report.bare_modules] == [bare.pk]


def test_coverage_archived_program_does_not_cover(organizer, institution, need, published_program):
    force_state(published_program, ProgramState.ARCHIVED)
    report = queries.coverage_report(institution)
    assert [n.pk for n in report.uncovered_needs] == [need.pk]


@pytest.mark.parametrize("n", [1, 5])
def test_coverage_query_count_constant(
    organizer, institution, analysis, unit, n, django_assert_num_queries
):
    for i in range(n):
        make_need(analysis, make_problem(unit=unit), label=f"K{i}")
        program = make_program(organizer, institution, make_need(analysis, label=f"C{i}"))
        services.module_create(program=program, by=organizer, title=f"M{i}", jp=1, objectives="x")

    with django_assert_num_queries(2):
        report = queries.coverage_report(institution)
        _ = [
            (m.program.name, n.analysis.title)
            for m in report.bare_modules
            for n in report.uncovered_needs
        ]


# --- Scope ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("organizer", True),
        ("admin_user", True),
        ("trainer", True),
        ("other_organizer", False),
        ("participant", False),
        ("outsider", False),
    ],
)
def test_batch_scope(request, batch, persona, sees):
    user = request.getfixturevalue(persona)
    assert queries.batches_for_user(user).filter(pk=batch.pk).exists() is sees
    assert queries.programs_for_user(user).filter(pk=batch.program_id).exists() is sees
    if not sees:
        with pytest.raises(Http404):
            queries.get_batch_for_user(user, batch.pk)


def test_enrollment_scope_includes_participant_mentor_coach(
    enrollment, participant, mentor, trainer, outsider
):
    for user in (participant, mentor, trainer):
        assert queries.get_enrollment_for_user(user, enrollment.pk) == enrollment
    with pytest.raises(Http404):
        queries.get_enrollment_for_user(outsider, enrollment.pk)


def test_pickable_problems(participant, unit, mentor, agency, problem):
    colleague = make_problem(unit=unit, by=mentor, state="validated", title="Rekan")
    make_problem(unit=unit, by=participant, state="closed", title="Tutup")
    make_problem(unit=make_employee(agency).work_unit, title="Unit lain")

    titles = set(queries.pickable_problems(participant).values_list("title", flat=True))

    assert titles == {problem.title, colleague.title}
