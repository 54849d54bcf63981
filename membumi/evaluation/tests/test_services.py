import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from membumi.core.exceptions import TransitionNotAllowed
from membumi.core.models import AuditLog
from membumi.evaluation import services
from membumi.evaluation.models import FollowUp, FollowUpPolicy

from .conftest import DUE_3, GOOD, LAST_3

pytestmark = pytest.mark.django_db


def respond(form, by, *, today=DUE_3, **answer):
    data = {"plan_status": "continuing", "ratings": GOOD, **answer}
    return services.follow_up_respond(follow_up=form, by=by, today=today, **data)


def test_participant_answers_their_form(forms, participant):
    own, _ = forms
    respond(own, participant, plan_status="completed", comment="  Antrean turun.  ")
    own.refresh_from_db()
    assert own.plan_status == "completed"
    assert own.comment == "Antrean turun."
    assert own.answered_by == participant
    assert own.answered_at is not None
    assert {r.item: r.value for r in own.ratings.all()} == GOOD
    assert AuditLog.objects.filter(action="follow_up.respond", object_id=str(own.pk)).exists()


def test_mentor_answers_theirs(forms, mentor):
    _, theirs = forms
    respond(theirs, mentor, plan_status="stopped", stop_reason="Anggaran dipotong")
    theirs.refresh_from_db()
    assert theirs.stop_reason == "Anggaran dipotong"


def test_stopped_needs_a_reason(forms, participant):
    own, _ = forms
    with pytest.raises(ValidationError) as exc:
        respond(own, participant, plan_status="stopped", stop_reason="   ")
    assert exc.value.message_dict["stop_reason"] == ["Say why the action plan stopped."]
    assert FollowUp.objects.get(pk=own.pk).answered_at is None


def test_a_reason_is_dropped_when_the_plan_did_not_stop(forms, participant):
    own, _ = forms
    respond(own, participant, plan_status="continuing", stop_reason="lupa")
    own.refresh_from_db()
    assert own.stop_reason == ""


@pytest.mark.parametrize(
    ("ratings", "message"),
    [
        ({**GOOD, "applies": 0}, "Ratings are whole numbers from 1 to 5"),
        ({**GOOD, "applies": 6}, "Ratings are whole numbers from 1 to 5"),
        ({**GOOD, "applies": "x"}, "Ratings are whole numbers from 1 to 5"),
        ({k: v for k, v in GOOD.items() if k != "uses_data"}, "Rate every item"),
        ({**GOOD, "extra": 3}, "This form has no item extra"),
    ],
)
def test_ratings_in_range_and_for_every_item(forms, participant, ratings, message):
    own, _ = forms
    with pytest.raises(ValidationError) as exc:
        respond(own, participant, ratings=ratings)
    assert any(message in m for m in exc.value.message_dict["ratings"])
    assert not own.ratings.exists()


def test_plan_status_must_be_known(forms, participant):
    own, _ = forms
    with pytest.raises(ValidationError) as exc:
        respond(own, participant, plan_status="paused")
    assert "plan_status" in exc.value.message_dict


def test_answer_once(forms, participant):
    own, _ = forms
    respond(own, participant)
    with pytest.raises(TransitionNotAllowed, match="already been answered"):
        respond(own, participant, plan_status="stopped", stop_reason="x")
    own.refresh_from_db()
    assert own.plan_status == "continuing"


def test_closed_form_refuses(forms, participant):
    own, _ = forms
    with pytest.raises(TransitionNotAllowed, match="closed"):
        respond(own, participant, today=LAST_3 + dt.timedelta(days=1))
    respond(own, participant, today=LAST_3)  # the last day still counts


def test_not_yet_open_refuses(forms, participant):
    own, _ = forms
    with pytest.raises(TransitionNotAllowed, match="not open yet"):
        respond(own, participant, today=DUE_3 - dt.timedelta(days=1))


@pytest.mark.parametrize("who", ["mentor", "organizer", "trainer", "outsider"])
def test_only_the_respondent_answers(forms, who, request):
    own, _ = forms
    with pytest.raises(PermissionDenied):
        respond(own, request.getfixturevalue(who))


def test_participant_cannot_answer_the_mentors_form(forms, participant):
    _, theirs = forms
    with pytest.raises(PermissionDenied, match="the mentor"):
        respond(theirs, participant)


def test_policy_set_by_the_organizer(program, organizer):
    policy = services.follow_up_policy_set(
        program=program,
        by=organizer,
        offsets=[12, 3, 3],
        window_days=21,
        items=[
            {"code": "applies", "text": "Applies what was learned in the training in daily work"},
            {"code": "sops", "text": "  Menyusun   SOP baru "},
        ],
    )
    assert policy.offsets == [3, 12]
    assert policy.items[1] == {"code": "sops", "text": "Menyusun SOP baru"}
    assert AuditLog.objects.filter(action="follow_up.policy_set").exists()


def test_policy_refused_for_another_institution(program, other_organizer, trainer):
    for user in (other_organizer, trainer):
        with pytest.raises(PermissionDenied):
            services.follow_up_policy_set(
                program=program, by=user, offsets=[3], window_days=30, items=[]
            )
    assert not FollowUpPolicy.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"offsets": []}, "offsets"),
        ({"offsets": [0]}, "offsets"),
        ({"offsets": [37]}, "offsets"),
        ({"offsets": [1, 2, 3, 4, 5, 6, 7]}, "offsets"),
        ({"window_days": 3}, "window_days"),
        ({"window_days": 91}, "window_days"),
        ({"items": []}, "items"),
        ({"items": [{"code": "Bad code", "text": "x"}]}, "items"),
        ({"items": [{"code": "a", "text": "x"}, {"code": "a", "text": "y"}]}, "items"),
        ({"items": [{"code": "a", "text": ""}]}, "items"),
    ],
)
def test_policy_validation(program, organizer, data, field):
    good = {"offsets": [3], "window_days": 30, "items": [{"code": "a", "text": "A"}]}
    with pytest.raises(ValidationError) as exc:
        services.follow_up_policy_set(program=program, by=organizer, **{**good, **data})
    assert field in exc.value.message_dict
