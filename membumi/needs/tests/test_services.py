"""Writes: running an analysis over a scope, reruns, and curation of needs (audited)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from membumi.core.exceptions import TransitionNotAllowed
from membumi.core.models import AuditLog
from membumi.needs import services
from membumi.needs.models import Need, NeedProblem, NeedsAnalysis
from membumi.needs.tasks import run_needs_analysis
from membumi.programs.models import Program

from .conftest import make_analysis, make_problem, make_theme_problems


def _run(organizer, institution, **scope):
    return services.needs_analysis_run(institution=institution, by=organizer, **scope)


def _members(analysis) -> dict[str, set[int]]:
    return {n.label: set(n.problems.values_list("pk", flat=True)) for n in analysis.needs.all()}


def _analysed_ids(analysis) -> set[int]:
    return set(NeedProblem.objects.filter(analysis=analysis).values_list("problem_id", flat=True))


@pytest.fixture
def themed(unit, other_unit, sibling_unit):
    """Twelve problems in three themes, in three units of ``agency``."""
    return {
        "immunisation": make_theme_problems(other_unit, "immunisation"),
        "licensing": make_theme_problems(sibling_unit, "licensing"),
        "school": make_theme_problems(unit, "school"),
    }


# --- Run ---------------------------------------------------------------------------------------


def test_run_creates_dated_analysis_grouping_every_problem_once(organizer, institution, themed):
    before = timezone.now()

    analysis = _run(organizer, institution, title="AKP 2026")

    assert analysis.status == NeedsAnalysis.Status.DONE
    assert analysis.title == "AKP 2026"
    assert before <= analysis.created_at <= analysis.finished_at
    assert analysis.created_by == organizer
    assert analysis.problem_count == 12
    assert analysis.percent == 100
    all_ids = {p.pk for problems in themed.values() for p in problems}
    assert _analysed_ids(analysis) == all_ids
    assert NeedProblem.objects.filter(analysis=analysis).count() == 12  # once each
    needs = list(analysis.needs.all())
    assert len(needs) >= 2
    assert [n.position for n in needs] == list(range(1, len(needs) + 1))
    for need in needs:
        assert need.label.strip()
        assert need.keywords and all(isinstance(k, str) for k in need.keywords)
        assert not need.accepted
    assert analysis.scope == {
        "agencies": [],
        "units": [],
        "sectors": [],
        "period_from": None,
        "period_to": None,
    }
    assert AuditLog.objects.filter(action="needs.analysis_started", object_id=analysis.pk).exists()
    assert AuditLog.objects.filter(action="needs.analysis_finished", object_id=analysis.pk).exists()


def test_run_groups_problems_of_one_theme_together(organizer, institution, themed):
    analysis = _run(organizer, institution)

    groups = [ids for ids in _members(analysis).values()]
    for problems in themed.values():
        ids = {p.pk for p in problems}
        assert any(ids <= group for group in groups), "a theme was split across needs"


def test_rerun_creates_new_analysis_and_leaves_first_untouched(organizer, institution, themed):
    first = _run(organizer, institution, title="Pertama")
    need = first.needs.first()
    services.need_rename(need=need, by=organizer, label="Dinamai ulang")
    services.need_accept(need=need, by=organizer)
    snapshot = _members(first)
    make_problem(unit=themed["school"][0].work_unit, title="Masalah baru")

    second = _run(organizer, institution, title="Kedua")

    assert second.pk != first.pk
    assert NeedsAnalysis.objects.count() == 2
    first.refresh_from_db()
    assert first.title == "Pertama"
    assert first.problem_count == 12
    assert _members(first) == snapshot
    assert Need.objects.get(pk=need.pk).accepted
    assert second.problem_count == 13
    assert not second.needs.filter(accepted=True).exists()
    assert not set(first.needs.values_list("pk", flat=True)) & set(
        second.needs.values_list("pk", flat=True)
    )


def test_run_default_title_is_dated(organizer, institution, themed):
    analysis = _run(organizer, institution, title="  ")

    assert analysis.title.startswith("Needs analysis") or analysis.title.startswith("Analisis")
    assert str(timezone.localdate().year) in analysis.title


def test_run_scope_agency(organizer, institution, other_agency, themed, far_unit):
    institution.served_agencies.add(other_agency)
    far = make_problem(unit=far_unit)

    everything = _run(organizer, institution)
    only_far = _run(organizer, institution, agencies=[other_agency.code])

    assert far.pk in _analysed_ids(everything)
    assert _analysed_ids(only_far) == {far.pk}
    assert only_far.scope["agencies"] == ["KAB-Z"]


def test_run_scope_unit_includes_subtree(organizer, institution, unit, themed):
    """``unit`` (the dinas) contains ``other_unit`` (the puskesmas): both are in its scope."""
    analysis = _run(organizer, institution, units=[unit.pk])

    expected = {p.pk for p in themed["school"] + themed["immunisation"]}
    assert _analysed_ids(analysis) == expected
    assert analysis.scope["units"] == [unit.pk]


def test_run_scope_sectors(organizer, institution, themed):
    analysis = _run(organizer, institution, sectors=["licensing", "education"])

    assert _analysed_ids(analysis) == {p.pk for p in themed["licensing"] + themed["school"]}


def test_run_scope_period_of_submission_inclusive(organizer, institution, unit):
    tz = timezone.get_current_timezone()
    at = {
        day: make_problem(
            unit=unit, title=f"Masalah {day}", created_at=dt.datetime(2026, 3, day, 12, tzinfo=tz)
        )
        for day in (1, 10, 20, 31)
    }

    analysis = _run(
        organizer, institution, period_from=dt.date(2026, 3, 10), period_to=dt.date(2026, 3, 20)
    )

    assert _analysed_ids(analysis) == {at[10].pk, at[20].pk}
    assert analysis.scope["period_from"] == "2026-03-10"
    assert analysis.scope["period_to"] == "2026-03-20"


def test_run_leaves_out_closed_duplicate_and_unserved(organizer, institution, unit, far_unit):
    kept = make_problem(unit=unit, state="validated")
    make_problem(unit=unit, state="closed")
    duplicate = make_problem(unit=unit, state="duplicate")
    make_problem(unit=far_unit)

    analysis = _run(organizer, institution)

    assert _analysed_ids(analysis) == {kept.pk, duplicate.duplicate_of_id}


@pytest.mark.parametrize(
    ("scope", "field"),
    [
        ({"agencies": ["KAB-Z"]}, "agencies"),  # not served by the institution
        ({"agencies": ["NOPE"]}, "agencies"),
        ({"units": [999_999]}, "units"),
        ({"units": ["abc"]}, "units"),
        ({"sectors": ["astrology"]}, "sectors"),
        ({"period_from": dt.date(2026, 5, 1), "period_to": dt.date(2026, 4, 1)}, "period_to"),
    ],
)
def test_run_bad_scope_refused_nothing_saved(
    organizer, institution, other_agency, themed, scope, field
):
    with pytest.raises(ValidationError) as info:
        _run(organizer, institution, **scope)

    assert field in info.value.message_dict
    assert not NeedsAnalysis.objects.exists()


def test_run_unit_outside_chosen_agencies_refused(
    organizer, institution, other_agency, unit, far_unit
):
    institution.served_agencies.add(other_agency)

    with pytest.raises(ValidationError) as info:
        _run(organizer, institution, agencies=[other_agency.code], units=[unit.pk])

    assert "units" in info.value.message_dict


def test_run_empty_scope_refused(organizer, institution, themed):
    with pytest.raises(ValidationError):
        _run(organizer, institution, sectors=["disaster"])
    assert not NeedsAnalysis.objects.exists()


@pytest.mark.parametrize("persona", ["participant", "viewer", "trainer", "other_organizer"])
def test_run_by_non_organizer_of_institution_refused(request, institution, themed, persona):
    with pytest.raises(PermissionDenied):
        _run(request.getfixturevalue(persona), institution)
    assert not NeedsAnalysis.objects.exists()


def test_run_by_admin_for_any_institution(admin_user, institution, themed, far_unit):
    make_problem(unit=far_unit)  # not served by this institution: stays out

    analysis = _run(admin_user, institution)

    assert analysis.problem_count == 12


def test_run_clustering_failure_marks_failed(organizer, institution, themed, monkeypatch):
    def broken(items):
        raise RuntimeError("model exploded")

    monkeypatch.setattr(services, "cluster_problems", broken)

    analysis = _run(organizer, institution)

    assert analysis.status == NeedsAnalysis.Status.FAILED
    assert "model exploded" in analysis.message
    assert not analysis.needs.exists()
    assert AuditLog.objects.filter(action="needs.analysis_failed").count() == 1


def test_task_is_idempotent(organizer, institution, themed):
    analysis = _run(organizer, institution)
    needs = sorted(analysis.needs.values_list("pk", flat=True))

    run_needs_analysis.enqueue(analysis.pk)

    assert sorted(analysis.needs.values_list("pk", flat=True)) == needs
    assert AuditLog.objects.filter(action="needs.analysis_finished").count() == 1


def test_start_then_task_computes(organizer, institution, themed):
    analysis = services.needs_analysis_start(institution=institution, by=organizer)
    assert analysis.status == NeedsAnalysis.Status.RUNNING
    assert analysis.percent == 0

    run_needs_analysis.enqueue(analysis.pk)

    analysis.refresh_from_db()
    assert analysis.status == NeedsAnalysis.Status.DONE
    assert analysis.needs.exists()


# --- Curation ---------------------------------------------------------------------------------


def _audit(action):
    return AuditLog.objects.filter(action=action)


def test_rename_audited(organizer, analysis):
    need = analysis.needs.get(label="Imunisasi")

    services.need_rename(need=need, by=organizer, label="  Cakupan   imunisasi ")

    need.refresh_from_db()
    assert need.label == "Cakupan imunisasi"
    entry = _audit("needs.need_renamed").get()
    assert entry.actor == organizer
    assert entry.object_id == str(need.pk)
    assert entry.data["from"] == "Imunisasi"
    assert entry.data["to"] == "Cakupan imunisasi"


def test_rename_blank_refused(organizer, analysis):
    need = analysis.needs.first()
    with pytest.raises(ValidationError):
        services.need_rename(need=need, by=organizer, label="   ")
    assert not _audit("needs.need_renamed").exists()


def test_rename_by_other_organizer_refused(other_organizer, analysis):
    with pytest.raises(PermissionDenied):
        services.need_rename(need=analysis.needs.first(), by=other_organizer, label="X")


def test_merge_moves_problems_and_deletes_source(organizer, analysis):
    source = analysis.needs.get(label="Imunisasi")
    target = analysis.needs.get(label="Perizinan")
    moved = set(source.problems.values_list("pk", flat=True))

    result = services.need_merge(source=source, target=target, by=organizer)

    assert result == target
    assert not Need.objects.filter(pk=source.pk).exists()
    assert set(target.problems.values_list("pk", flat=True)) >= moved
    assert target.problems.count() == 4
    target.refresh_from_db()
    assert target.keywords == ["perizinan", "imunisasi"]
    entry = _audit("needs.need_merged").get()
    assert entry.object_id == str(target.pk)
    assert entry.data["source"] == source.pk
    assert set(entry.data["problems"]) == moved


def test_merge_into_itself_refused(organizer, analysis):
    need = analysis.needs.first()
    with pytest.raises(ValidationError):
        services.need_merge(source=need, target=need, by=organizer)


def test_merge_accepted_need_refused(organizer, analysis):
    source, target = analysis.needs.all()
    services.need_accept(need=target, by=organizer)

    with pytest.raises(TransitionNotAllowed):
        services.need_merge(source=source, target=target, by=organizer)
    assert Need.objects.filter(pk=source.pk).exists()


def test_merge_across_analyses_refused(organizer, institution, analysis, unit):
    other = make_analysis(institution, [("Lain", [make_problem(unit=unit)])])

    with pytest.raises(ValidationError):
        services.need_merge(source=analysis.needs.first(), target=other.needs.first(), by=organizer)


def test_move_problems_to_other_need(organizer, analysis):
    source = analysis.needs.get(label="Imunisasi")
    target = analysis.needs.get(label="Perizinan")
    problem = source.problems.order_by("pk").first()

    services.need_move_problems(need=source, problems=[problem.pk], target=target, by=organizer)

    assert problem in target.problems.all()
    assert problem not in source.problems.all()
    assert source.problems.count() == 1
    entry = _audit("needs.problems_moved").get()
    assert entry.data == {
        "source": source.pk,
        "source_label": "Imunisasi",
        "target": target.pk,
        "target_created": False,
        "source_deleted": False,
        "problems": [problem.pk],
        "analysis": analysis.pk,
    }


def test_move_to_new_need_splits(organizer, analysis):
    source = analysis.needs.get(label="Imunisasi")
    problem = source.problems.order_by("pk").last()

    new = services.need_move_problems(
        need=source, problems=[problem], new_label="Ketersediaan vaksin", by=organizer
    )

    assert new.label == "Ketersediaan vaksin"
    assert new.analysis == analysis
    assert new.position == 3
    assert list(new.problems.all()) == [problem]
    assert analysis.needs.count() == 3
    assert _audit("needs.problems_moved").get().data["target_created"] is True


def test_move_every_problem_deletes_emptied_need(organizer, analysis):
    source = analysis.needs.get(label="Imunisasi")
    target = analysis.needs.get(label="Perizinan")

    services.need_move_problems(
        need=source, problems=list(source.problems.all()), target=target, by=organizer
    )

    assert not Need.objects.filter(pk=source.pk).exists()
    assert target.problems.count() == 4
    assert _audit("needs.problems_moved").get().data["source_deleted"] is True


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"problems": []}, "problems"),
        ({"new_label": ""}, "label"),
    ],
)
def test_move_invalid_refused(organizer, analysis, kwargs, field):
    source = analysis.needs.get(label="Imunisasi")
    arguments = {"problems": [source.problems.first().pk], "new_label": "Baru"} | kwargs

    with pytest.raises(ValidationError) as info:
        services.need_move_problems(need=source, by=organizer, **arguments)

    assert field in info.value.message_dict
    assert analysis.needs.count() == 2


def test_move_problem_of_another_need_refused(organizer, analysis):
    source = analysis.needs.get(label="Imunisasi")
    stranger = analysis.needs.get(label="Perizinan").problems.first()

    with pytest.raises(ValidationError):
        services.need_move_problems(
            need=source, problems=[stranger.pk], new_label="Baru", by=organizer
        )


def test_move_out_of_accepted_need_refused(organizer, analysis):
    source = analysis.needs.get(label="Imunisasi")
    services.need_accept(need=source, by=organizer)

    with pytest.raises(TransitionNotAllowed):
        services.need_move_problems(
            need=source, problems=[source.problems.first()], new_label="Baru", by=organizer
        )


def test_accept_and_unaccept_audited(organizer, analysis):
    need = analysis.needs.first()

    services.need_accept(need=need, by=organizer)
    need.refresh_from_db()
    assert need.accepted
    assert need.accepted_by == organizer
    assert need.accepted_at is not None
    assert _audit("needs.need_accepted").get().object_id == str(need.pk)

    services.need_unaccept(need=need, by=organizer)
    need.refresh_from_db()
    assert not need.accepted
    assert need.accepted_by is None
    assert _audit("needs.need_unaccepted").count() == 1


def test_accept_twice_writes_one_audit_row(organizer, analysis):
    need = analysis.needs.first()
    services.need_accept(need=need, by=organizer)
    services.need_accept(need=need, by=organizer)
    assert _audit("needs.need_accepted").count() == 1


def test_unaccept_refused_while_a_program_uses_it(organizer, analysis, institution):
    need = analysis.needs.first()
    services.need_accept(need=need, by=organizer)
    program = Program.objects.create(
        institution=institution,
        name="PKA Pelayanan Publik",
        program_type="pka",
        total_jp=60,
        mode="blended",
    )
    program.needs.add(need)

    with pytest.raises(TransitionNotAllowed, match="PKA Pelayanan Publik"):
        services.need_unaccept(need=need, by=organizer)
    need.refresh_from_db()
    assert need.accepted


def test_curation_of_running_analysis_refused(organizer, institution, unit):
    analysis = make_analysis(institution, [("A", [make_problem(unit=unit)])])
    NeedsAnalysis.objects.filter(pk=analysis.pk).update(status=NeedsAnalysis.Status.RUNNING)

    with pytest.raises(TransitionNotAllowed):
        services.need_accept(need=analysis.needs.get(), by=organizer)
