"""The services: submit, edit, every transition (allowed and refused), joining a problem."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from membumi.core.exceptions import TransitionNotAllowed
from membumi.core.models import AuditLog
from membumi.problems import rules, services
from membumi.problems.enums import ProblemAction, ProblemState
from membumi.problems.models import Problem, ProblemEndorsement, ProblemTransition
from membumi.testing.factories import EmployeeFactory, UserFactory

from .conftest import make_problem, problem_fields

PERSONA = {
    "submitter": "participant",
    "validator": "mentor",
    "organizer": "organizer",
    "agency_viewer": "viewer",
    "admin": "admin_user",
}


def _audit(action):
    return AuditLog.objects.filter(action=action)


# --- Create ----------------------------------------------------------------------------------


def test_problem_create_saves_history_and_audit(participant, unit):
    problem = services.problem_create(
        by=participant,
        work_unit=unit,
        **problem_fields(title="Antrean obat lama", root_causes={"method": "Resep manual"}),
    )

    problem.refresh_from_db()
    assert problem.state == ProblemState.OPEN
    assert problem.agency_id == unit.agency_id
    assert problem.priority == 11
    assert problem.root_causes == {"method": "Resep manual"}
    [row] = problem.transitions.all()
    assert (row.action, row.from_state, row.to_state, row.by) == ("submit", "", "open", participant)
    entry = _audit("problems.submitted").get()
    assert (entry.actor, entry.object_id, entry.summary) == (
        participant,
        str(problem.pk),
        "Antrean obat lama",
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"urgency": 6}, "urgency"),
        ({"growth": 0}, "growth"),
        ({"sector": "space"}, "sector"),
        ({"indicator_direction": "sideways"}, "indicator_direction"),
        ({"title": ""}, "title"),
        ({"root_causes": {"luck": "bad"}}, "root_causes"),
    ],
)
def test_problem_create_invalid_is_refused(participant, unit, overrides, field):
    with pytest.raises(ValidationError) as info:
        services.problem_create(by=participant, work_unit=unit, **problem_fields(**overrides))

    assert field in info.value.message_dict
    assert not Problem.objects.exists()
    assert not ProblemTransition.objects.exists()


def test_problem_create_drops_empty_root_cause_notes(participant, unit):
    problem = services.problem_create(
        by=participant,
        work_unit=unit,
        **problem_fields(root_causes={"man": "  ", "money": "Tidak ada anggaran"}),
    )
    assert problem.root_causes == {"money": "Tidak ada anggaran"}


def test_problem_create_unknown_field_is_a_programming_error(participant, unit):
    with pytest.raises(TypeError):
        services.problem_create(
            by=participant, work_unit=unit, state="resolved", **problem_fields()
        )


# --- Update ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["participant", "mentor", "admin_user"])
def test_problem_update_while_open(request, problem, persona):
    user = request.getfixturevalue(persona)

    services.problem_update(problem=problem, by=user, title="Akta kelahiran terlambat", urgency=5)

    problem.refresh_from_db()
    assert (problem.title, problem.urgency, problem.priority) == ("Akta kelahiran terlambat", 5, 12)
    entry = _audit("problems.updated").get()
    assert entry.actor == user
    assert entry.data == {"fields": ["title", "urgency"]}


@pytest.mark.parametrize("persona", ["organizer", "viewer", "outsider"])
def test_problem_update_other_relations_refused(request, problem, persona):
    with pytest.raises(PermissionDenied):
        services.problem_update(problem=problem, by=request.getfixturevalue(persona), title="X")

    problem.refresh_from_db()
    assert problem.title != "X"


@pytest.mark.parametrize(
    "state", sorted(set(ProblemState) - rules.EDITABLE_STATES - {ProblemState.DUPLICATE})
)
def test_problem_update_after_open_is_a_conflict(participant, unit, state):
    problem = make_problem(unit=unit, by=participant, state=state)

    with pytest.raises(TransitionNotAllowed, match="only while it is open"):
        services.problem_update(problem=problem, by=participant, title="Baru")


def test_problem_update_duplicate_is_a_conflict(participant, unit):
    original = make_problem(unit=unit, by=participant)
    problem = make_problem(unit=unit, by=participant, state="duplicate", duplicate_of=original)

    with pytest.raises(TransitionNotAllowed):
        services.problem_update(problem=problem, by=participant, title="Baru")


def test_problem_update_without_change_writes_nothing(problem, participant):
    services.problem_update(problem=problem, by=participant, title=problem.title)
    assert not _audit("problems.updated").exists()


def test_problem_update_invalid_value_refused(problem, participant):
    with pytest.raises(ValidationError) as info:
        services.problem_update(problem=problem, by=participant, seriousness=9)
    assert "seriousness" in info.value.message_dict
    assert Problem.objects.get(pk=problem.pk).seriousness == 4


# --- Transitions: every (action × state × relation) ------------------------------------------

CASES = [
    (action, state, relation)
    for action in ProblemAction
    for state in ProblemState
    for relation in PERSONA
]


def _arrange(state, *, participant, unit):
    original = make_problem(unit=unit, by=participant, title="Masalah asli")
    problem = make_problem(
        unit=unit,
        by=participant,
        state=state,
        duplicate_of=original if state == ProblemState.DUPLICATE else None,
    )
    return problem, original


@pytest.mark.parametrize(("action", "state", "relation"), CASES)
def test_problem_transition_every_combination(
    request, everyone, participant, unit, action, state, relation
):
    user = request.getfixturevalue(PERSONA[relation])
    problem, original = _arrange(state, participant=participant, unit=unit)
    assert rules.problem_relations(user, problem) == {relation}
    sources, target, who = rules.PROBLEM_TRANSITIONS[action]
    history_before = problem.transitions.count()

    def act():
        return services.problem_transition(
            problem=problem,
            action=action,
            by=user,
            note="Alasan yang jelas",
            duplicate_of=original if action == ProblemAction.MARK_DUPLICATE else None,
        )

    if state not in sources:
        with pytest.raises(TransitionNotAllowed):
            act()
    elif relation not in who:
        with pytest.raises(PermissionDenied):
            act()
    else:
        act()
        problem.refresh_from_db()
        assert problem.state == target
        row = problem.transitions.last()
        assert (row.action, row.from_state, row.to_state, row.by, row.note) == (
            action,
            state,
            target,
            user,
            "Alasan yang jelas",
        )
        entry = _audit(f"problems.{action}").get()
        assert (entry.actor, entry.object_id) == (user, str(problem.pk))
        assert entry.summary.endswith(f"{state} → {target}")
        if action == ProblemAction.MARK_DUPLICATE:
            assert problem.duplicate_of == original
        if action == ProblemAction.REOPEN:
            assert problem.duplicate_of is None
        if action == ProblemAction.VALIDATE:
            assert problem.validated_by == user
            assert problem.validated_at is not None
        return
    problem.refresh_from_db()
    assert problem.state == state
    assert problem.transitions.count() == history_before
    assert not AuditLog.objects.filter(action__startswith=f"problems.{action}").exists()


def test_problem_transition_refusal_messages(problem, participant, viewer):
    with pytest.raises(TransitionNotAllowed, match="Cannot resolve a problem that is Open"):
        services.problem_transition(problem=problem, action="resolve", by=participant)
    with pytest.raises(PermissionDenied, match="Only the mentor or unit head may validate"):
        services.problem_transition(problem=problem, action="validate", by=viewer)


def test_problem_transition_unknown_action_is_a_conflict(problem, mentor):
    with pytest.raises(TransitionNotAllowed, match="Unknown action"):
        services.problem_transition(problem=problem, action="explode", by=mentor)


@pytest.mark.parametrize("action", sorted(rules.NOTE_REQUIRED))
def test_problem_transition_needs_a_reason(admin_user, participant, unit, action):
    state = "closed" if action == ProblemAction.REOPEN else "open"
    problem = make_problem(unit=unit, by=participant, state=state)
    original = make_problem(unit=unit, by=participant)

    with pytest.raises(ValidationError) as info:
        services.problem_transition(
            problem=problem, action=action, by=admin_user, note="   ", duplicate_of=original
        )

    assert info.value.message_dict == {"note": ["Give a reason."]}
    problem.refresh_from_db()
    assert problem.state == state
    assert problem.transitions.count() == 1


def test_mark_duplicate_needs_an_original(problem, mentor):
    with pytest.raises(ValidationError) as info:
        services.problem_transition(
            problem=problem, action="mark_duplicate", by=mentor, note="Sama"
        )
    assert "duplicate_of" in info.value.message_dict


def test_mark_duplicate_not_of_itself(problem, mentor):
    with pytest.raises(ValidationError, match="cannot duplicate itself"):
        services.problem_transition(
            problem=problem, action="mark_duplicate", by=mentor, note="Sama", duplicate_of=problem
        )


def test_mark_duplicate_of_a_duplicate_asks_for_its_original(problem, mentor, participant, unit):
    first = make_problem(unit=unit, by=participant)
    copy = make_problem(unit=unit, by=participant, state="duplicate", duplicate_of=first)

    with pytest.raises(ValidationError, match="choose its original"):
        services.problem_transition(
            problem=problem, action="mark_duplicate", by=mentor, note="Sama", duplicate_of=copy
        )


def test_transition_works_with_a_stale_object(problem, mentor, participant):
    """The service locks and re-reads the row; a caller's stale copy cannot skip a check."""
    stale = Problem.objects.get(pk=problem.pk)
    services.problem_transition(problem=problem, action="close", by=participant, note="Selesai")

    with pytest.raises(TransitionNotAllowed):
        services.problem_transition(problem=stale, action="validate", by=mentor)


def test_mentor_role_on_a_parent_unit_validates(problem, participant, unit):
    """A unit head holds the mentor role on a unit above the problem's unit."""
    from membumi.accounts.enums import Role
    from membumi.testing.factories import RoleAssignmentFactory

    head = UserFactory(username="kepala-dinas")
    RoleAssignmentFactory(user=head, role=Role.MENTOR, work_unit=unit)

    services.problem_transition(problem=problem, action="validate", by=head)

    assert Problem.objects.get(pk=problem.pk).state == ProblemState.VALIDATED


# --- Joining ---------------------------------------------------------------------------------


def _colleague(agency, sibling_unit, name="Rekan"):
    return UserFactory(
        username=name.lower(), employee=EmployeeFactory(agency=agency, work_unit=sibling_unit)
    )


def test_endorse_records_the_unit_once(problem, agency, sibling_unit):
    colleague = _colleague(agency, sibling_unit)

    first = services.problem_endorse(problem=problem, by=colleague, note="Kami juga")
    again = services.problem_endorse(problem=problem, by=colleague)

    assert first == again
    endorsement = ProblemEndorsement.objects.get()
    assert (endorsement.work_unit, endorsement.user, endorsement.note) == (
        sibling_unit,
        colleague,
        "Kami juga",
    )
    assert _audit("problems.endorsed").count() == 1


def test_endorse_own_problem_refused(problem, participant):
    with pytest.raises(ValidationError, match="submitted this problem yourself"):
        services.problem_endorse(problem=problem, by=participant)


def test_endorse_own_unit_refused(problem, mentor):
    with pytest.raises(ValidationError, match="already belongs to your unit"):
        services.problem_endorse(problem=problem, by=mentor)


def test_endorse_without_unit_refused(problem, viewer):
    with pytest.raises(ValidationError, match="employee with a work unit"):
        services.problem_endorse(problem=problem, by=viewer)


@pytest.mark.parametrize("state", ["resolved", "closed"])
def test_endorse_finished_problem_refused(participant, unit, agency, sibling_unit, state):
    problem = make_problem(unit=unit, by=participant, state=state)
    with pytest.raises(ValidationError, match="cannot be joined"):
        services.problem_endorse(problem=problem, by=_colleague(agency, sibling_unit))
    assert not ProblemEndorsement.objects.exists()


# --- Bulk create (the import's writer) ---------------------------------------------------------


def test_problem_bulk_create_writes_history(participant, unit):
    problems = [
        Problem(agency=unit.agency, work_unit=unit, submitted_by=participant, **problem_fields())
        for _ in range(3)
    ]

    created = services.problem_bulk_create(problems=problems, by=participant)

    assert len(created) == 3
    assert set(ProblemTransition.objects.values_list("action", "to_state", "by")) == {
        ("import", "open", participant.pk)
    }
    assert ProblemTransition.objects.count() == 3
