"""The lifecycle tables, the relations a user has to programs, batches and enrolments, and the
publish check."""

import pytest

from membumi.programs import rules, services
from membumi.programs.enums import BatchState, EnrollmentState, ProgramState

from .factories import force_state


def _walk(table, start):
    """The states reachable from ``start`` following the table."""
    seen, todo = {start}, [start]
    while todo:
        state = todo.pop()
        for sources, target, _who in table.values():
            if state in sources and target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def test_program_lifecycle_is_draft_published_archived():
    assert _walk(rules.PROGRAM_TRANSITIONS, ProgramState.DRAFT) == set(ProgramState.values)
    assert not _walk(rules.PROGRAM_TRANSITIONS, ProgramState.ARCHIVED) - {"archived"}


def test_batch_lifecycle_is_a_chain():
    chain = [(sorted(s), t) for s, t, _w in rules.BATCH_TRANSITIONS.values()]
    assert chain == [
        (["planned"], "enrolling"),
        (["enrolling"], "running"),
        (["running"], "follow_up"),
        (["follow_up"], "closed"),
    ]


def test_enrollment_results_are_final():
    for final in ("passed", "not_passed", "withdrawn"):
        assert _walk(rules.ENROLLMENT_TRANSITIONS, final) == {final}
    assert _walk(rules.ENROLLMENT_TRANSITIONS, "enrolled") == set(EnrollmentState.values)


@pytest.mark.parametrize(
    "table", [rules.PROGRAM_TRANSITIONS, rules.BATCH_TRANSITIONS, rules.ENROLLMENT_TRANSITIONS]
)
def test_every_step_says_who_may_take_it(table):
    for _sources, _target, who in table.values():
        assert who and who <= set(rules.RELATION_LABELS)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("organizer", {"organizer"}),
        ("admin_user", {"admin"}),
        ("trainer", {"trainer"}),
        ("other_organizer", set()),
        ("participant", set()),
    ],
)
def test_program_relations(request, batch, persona, expected):
    user = request.getfixturevalue(persona)
    assert rules.program_relations(user, batch.program) == expected


def test_trainer_not_teaching_has_no_relation(program, trainer):
    assert rules.program_relations(trainer, program) == set()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("participant", {"participant"}),
        ("mentor", {"mentor"}),
        ("trainer", {"coach"}),
        ("organizer", {"organizer"}),
        ("outsider", set()),
    ],
)
def test_enrollment_relations(request, enrollment, persona, expected):
    assert rules.enrollment_relations(request.getfixturevalue(persona), enrollment) == expected


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("organizer", True),
        ("trainer", True),
        ("admin_user", True),
        ("participant", False),
        ("mentor", False),
        ("viewer", False),
    ],
)
def test_can_use_programs(request, persona, allowed):
    assert rules.can_use_programs(request.getfixturevalue(persona)) is allowed


def test_allowed_actions_follow_state_and_relation(batch):
    assert rules.allowed_actions(rules.BATCH_TRANSITIONS, "planned", {"organizer"}) == [
        "open_enrolment"
    ]
    assert rules.allowed_actions(rules.BATCH_TRANSITIONS, "planned", {"trainer"}) == []


def test_publish_check_errors_and_warnings(organizer, program, module):
    services.module_create(program=program, by=organizer, title="Kosong", jp=8, objectives="x")

    errors, warnings = rules.program_publish_check(program)

    assert errors == ["These modules address no problem and no need: “Kosong”."]
    assert warnings == ["The modules add up to 48 JP but the program states 40 JP."]


def test_guards_for_batch(organizer, batch, enrollment):
    assert rules.batch_has_participants(batch) is None
    force_state(enrollment, EnrollmentState.WITHDRAWN)
    assert rules.batch_has_participants(batch) == "Nobody is enrolled in the batch yet."
    force_state(batch, BatchState.FOLLOW_UP)
    assert rules.batch_all_results_recorded(batch) is None


@pytest.mark.parametrize(
    ("batch_state", "offered"),
    [
        ("planned", ["withdraw"]),
        ("running", ["activate", "withdraw"]),
    ],
)
def test_enrollment_actions_offered_for_enrolled(batch_state, offered):
    assert rules.enrollment_actions_offered("enrolled", batch_state, {"organizer"}) == offered


def test_enrollment_results_offered_after_classes():
    assert rules.enrollment_actions_offered("active", "running", {"organizer"}) == ["withdraw"]
    assert rules.enrollment_actions_offered("active", "follow_up", {"organizer"}) == [
        "pass",
        "fail",
        "withdraw",
    ]
    assert rules.enrollment_actions_offered("active", "follow_up", {"coach"}) == []
