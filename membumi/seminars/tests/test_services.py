import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from membumi.core.exceptions import TransitionNotAllowed
from membumi.core.models import AuditLog
from membumi.notifications.models import Notification
from membumi.programs.tests.factories import force_state
from membumi.seminars import queries, scoring, services
from membumi.seminars.models import Criterion, SeminarResult, SessionTransition

from .conftest import default_criteria, score_all

pytestmark = pytest.mark.django_db

WHEN = timezone.make_aware(dt.datetime(2026, 3, 18, 9, 0))


# --- Configuration --------------------------------------------------------------------------------


def test_config_saves_rubric_in_order(program, organizer):
    rows = default_criteria()
    rows[0]["weight"] = 40
    config = services.seminar_config_save(
        program=program, by=organizer, enabled=True, pass_mark="72,5", criteria=rows
    )

    assert config.enabled and config.pass_mark == Decimal("72.50")
    assert [(c.name, c.weight) for c in queries.criteria_for(program)] == [
        ("Relevance to the problem", 40),
        ("Feasibility", 20),
        ("Measurability", 20),
        ("Stakeholder support", 20),
        ("Innovation", 20),
    ]
    assert AuditLog.objects.filter(action="seminars.config_saved").count() == 1


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"pass_mark": "101"}, "pass_mark", "The pass mark must be a number from 0 to 100."),
        ({"pass_mark": "tujuh"}, "pass_mark", "The pass mark must be a number from 0 to 100."),
        ({"weight": 0}, "criteria", "“Feasibility”: the weight must be a whole number from 1 to 100."),
        ({"weight": "x"}, "criteria", "“Feasibility”: the weight must be a whole number from 1 to 100."),
        ({"max_score": 1}, "criteria", "“Feasibility”: the maximum score must be a whole number from 2 to 100."),
        ({"max_score": 101}, "criteria", "“Feasibility”: the maximum score must be a whole number from 2 to 100."),
        ({"name": ""}, "criteria", "Criterion 2 needs a name."),
        ({"name": "innovation"}, "criteria", "“Innovation” appears twice."),
    ],
)  # fmt: skip
def test_config_refuses_bad_input(program, organizer, change, field, message):
    rows = default_criteria()
    pass_mark = change.pop("pass_mark", "70")
    rows[1].update(change)

    with pytest.raises(ValidationError) as exc:
        services.seminar_config_save(
            program=program, by=organizer, enabled=True, pass_mark=pass_mark, criteria=rows
        )

    assert message in exc.value.message_dict[field]
    assert not Criterion.objects.exists()


def test_config_enabled_needs_a_criterion(program, organizer):
    with pytest.raises(ValidationError) as exc:
        services.seminar_config_save(
            program=program, by=organizer, enabled=True, pass_mark="70", criteria=[]
        )
    assert exc.value.message_dict["criteria"] == ["A seminar needs at least one criterion."]


@pytest.mark.parametrize("persona", ["trainer", "other_organizer", "participant", "examiner"])
def test_config_only_by_the_organizer(request, program, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.seminar_config_save(
            program=program, by=user, enabled=True, pass_mark="70", criteria=default_criteria()
        )


def test_config_locked_once_a_score_exists(session, submitted_plan, examiner, organizer):
    program = session.batch.program
    services.seminar_config_save(
        program=program, by=organizer, enabled=True, pass_mark="60", criteria=default_criteria()
    )  # still editable: no score yet
    session = queries.get_session_for_user(organizer, session.pk)
    score_all(session, submitted_plan, examiner, 80)

    assert queries.config_locked(program)
    with pytest.raises(TransitionNotAllowed, match="rubric and pass mark are locked"):
        services.seminar_config_save(
            program=program, by=organizer, enabled=True, pass_mark="50", criteria=default_criteria()
        )
    assert queries.config_for(program).pass_mark == Decimal("60.00")


# --- Sessions -------------------------------------------------------------------------------------


def test_session_needs_seminars_enabled(program, batch, organizer, examiner):
    with pytest.raises(TransitionNotAllowed, match="does not hold seminars"):
        services.seminar_session_create(
            batch=batch, by=organizer, kind="rancangan", starts_at=WHEN, place="Aula",
            examiners=[examiner],
        )  # fmt: skip


def test_session_refuses_examiners_of_other_institutions_and_non_examiners(
    seminar_program, batch, organizer, examiner, foreign_examiner, trainer
):
    with pytest.raises(ValidationError) as exc:
        services.seminar_session_create(
            batch=batch, by=organizer, kind="rancangan", starts_at=WHEN, place="Aula",
            examiners=[examiner, foreign_examiner, trainer],
        )  # fmt: skip

    (message,) = exc.value.message_dict["examiners"]
    assert "penguji-lain" in message and "Widyaiswara" in message
    assert "do(es) not hold the examiner role at BPSDM Alfa" in message
    assert "Sri" not in message


def test_session_create_notifies_examiners(session, examiner, examiner2):
    notes = Notification.objects.filter(kind="seminar_assigned")
    assert {n.recipient for n in notes} == {examiner, examiner2}
    assert all(n.url == f"/seminars/{session.pk}/" for n in notes)


def test_session_update_keeps_examiners_who_scored(
    session, submitted_plan, examiner, examiner2, organizer
):
    session = queries.get_session_for_user(organizer, session.pk)
    score_all(session, submitted_plan, examiner, 80)

    with pytest.raises(ValidationError) as exc:
        services.seminar_session_update(
            session=session, by=organizer, kind="rancangan", starts_at=WHEN, place="Aula 2",
            examiners=[examiner2],
        )  # fmt: skip
    assert "already scored plans at this session" in exc.value.message_dict["examiners"][0]

    services.seminar_session_update(
        session=session, by=organizer, kind="laporan", starts_at=WHEN, place="Aula 2",
        examiners=[examiner],
    )  # fmt: skip
    session.refresh_from_db()
    assert session.place == "Aula 2" and list(session.examiners.all()) == [examiner]


def test_examined_plans_are_submitted_or_later(session, submitted_plan, batch, organizer):
    assert list(queries.examined_plans(session)) == [submitted_plan]
    for state in ("draft", "abandoned"):
        force_state(submitted_plan, state)
        assert not queries.examined_plans(session).exists()
    for state in ("revision_requested", "approved", "in_progress", "completed", "verified"):
        force_state(submitted_plan, state)
        assert list(queries.examined_plans(session)) == [submitted_plan]


# --- Scoring --------------------------------------------------------------------------------------


def test_weighted_total_on_a_0_100_scale():
    class C:
        def __init__(self, weight, max_score):
            self.weight, self.max_score = weight, max_score

    assert scoring.weighted_total([(C(20, 100), 80)] * 5) == Decimal("80.00")
    assert scoring.weighted_total([(C(40, 100), 90), (C(60, 100), 70)]) == Decimal("78.00")
    assert scoring.weighted_total([(C(1, 5), 4), (C(1, 5), 3)]) == Decimal("70.00")
    assert scoring.weighted_total([(C(1, 3), 1), (C(2, 3), 2)]) == Decimal("55.56")
    assert scoring.average([Decimal("80"), Decimal("71.25")]) == Decimal("75.63")


def test_score_saved_with_weighted_total(session, submitted_plan, examiner, organizer):
    program = session.batch.program
    criteria = queries.criteria_for(program)
    values = dict(zip([c.pk for c in criteria], [90, 80, 70, 60, 50], strict=True))

    score = services.score_save(
        session=session, plan=submitted_plan, by=examiner, values=values,
        comments={criteria[0].pk: "  Sangat relevan  "}, note="Bagus",
    )  # fmt: skip

    assert score.total == Decimal("70.00")
    assert score.items.get(criterion=criteria[0]).comment == "Sangat relevan"
    assert score.note == "Bagus"
    # A changed score replaces the earlier one.
    score = score_all(session, submitted_plan, examiner, 85)
    assert score.total == Decimal("85.00") and score.items.count() == 5
    assert AuditLog.objects.filter(action="seminars.score_changed").count() == 1


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "Give a score for “Feasibility”."),
        ("", "Give a score for “Feasibility”."),
        ("0", "“Feasibility”: the score must be a whole number from 1 to 100."),
        ("101", "“Feasibility”: the score must be a whole number from 1 to 100."),
        ("7.5", "“Feasibility”: the score must be a whole number from 1 to 100."),
        ("delapan", "“Feasibility”: the score must be a whole number from 1 to 100."),
    ],
)
def test_score_validation(session, submitted_plan, examiner, value, message):
    criteria = queries.criteria_for(session.batch.program)
    values = {c.pk: 80 for c in criteria}
    values[criteria[1].pk] = value

    with pytest.raises(ValidationError) as exc:
        services.score_save(session=session, plan=submitted_plan, by=examiner, values=values)

    assert exc.value.message_dict == {f"score_{criteria[1].pk}": [message]}
    assert not submitted_plan.seminar_scores.exists()


def test_score_only_by_an_assigned_examiner(
    session, submitted_plan, organizer, foreign_examiner, institution
):
    from membumi.accounts.enums import Role
    from membumi.testing.factories import RoleAssignmentFactory, UserFactory

    unassigned = UserFactory(username="penguji-lain-sesi")
    RoleAssignmentFactory(user=unassigned, role=Role.EXAMINER, institution=institution)
    for user in (organizer, foreign_examiner, unassigned):
        with pytest.raises(PermissionDenied):
            score_all(session, submitted_plan, user, 80)


def test_score_refused_for_a_plan_not_examined(session, submitted_plan, examiner):
    force_state(submitted_plan, "draft")
    with pytest.raises(TransitionNotAllowed, match="not examined at this session"):
        score_all(session, submitted_plan, examiner, 80)


# --- Finalising -----------------------------------------------------------------------------------


def test_finalise_refused_listing_missing_scores(
    session, submitted_plan, examiner, examiner2, organizer
):
    score_all(session, submitted_plan, examiner, 80)

    with pytest.raises(services.FinaliseRefused) as exc:
        services.seminar_session_transition(session=session, action="finalise", by=organizer)

    assert exc.value.reasons == [
        "Ir. Budi Kedua has not scored: “Antrean daring puskesmas” (Pak Peserta)"
    ]
    session.refresh_from_db()
    assert session.state == "open" and not SeminarResult.objects.exists()


def test_finalise_refused_without_plans(seminar_program, batch, organizer, examiner, plan):
    session = services.seminar_session_create(
        batch=batch,
        by=organizer,
        kind="laporan",
        starts_at=WHEN,
        place="Aula",
        examiners=[examiner],
    )
    with pytest.raises(TransitionNotAllowed, match="No submitted plan"):
        services.seminar_session_transition(session=session, action="finalise", by=organizer)


@pytest.mark.parametrize("persona", ["examiner", "trainer", "other_organizer", "participant"])
def test_finalise_only_by_the_organizer(request, session, persona):
    with pytest.raises(PermissionDenied):
        services.seminar_session_transition(
            session=session, action="finalise", by=request.getfixturevalue(persona)
        )


def test_finalise_freezes_results_and_locks_scores(
    session, submitted_plan, examiner, examiner2, organizer, participant
):
    score_all(session, submitted_plan, examiner, 80)
    score_all(session, submitted_plan, examiner2, 55)

    session = services.seminar_session_transition(
        session=session, action="finalise", by=organizer, note="Selesai"
    )

    assert session.state == "finalised" and session.finalised_by == organizer
    result = SeminarResult.objects.get()
    assert (result.average, result.pass_mark, result.passed) == (
        Decimal("67.50"), Decimal("70.00"), False,
    )  # fmt: skip
    assert result.number.startswith("001/BA-SR/BPSDM-A/")
    history = SessionTransition.objects.get()
    assert (history.from_state, history.to_state, history.by, history.note) == (
        "open", "finalised", organizer, "Selesai",
    )  # fmt: skip
    note = Notification.objects.get(kind="seminar_result")
    assert note.recipient == participant and "67.50" in note.title
    with pytest.raises(TransitionNotAllowed, match="finalised"):
        score_all(session, submitted_plan, examiner, 90)
    with pytest.raises(TransitionNotAllowed, match="it is Finalised"):
        services.seminar_session_transition(session=session, action="finalise", by=organizer)
    # A plan abandoned later keeps its result at this session.
    force_state(submitted_plan, "abandoned")
    assert list(queries.examined_plans(session)) == [submitted_plan]
