import datetime as dt

import pytest

from membumi.evaluation import services
from membumi.evaluation.reminders import followup_remind_pass
from membumi.notifications.models import Notification

from .conftest import DUE_3, GOOD, LAST_3, make_person

pytestmark = pytest.mark.django_db


def day(n):
    return DUE_3 + dt.timedelta(days=n)


def kinds(user):
    return list(
        Notification.objects.filter(recipient=user).order_by("id").values_list("kind", flat=True)
    )


def test_opening_notice_then_two_reminders_then_nothing(forms, participant, mentor):
    sent = [followup_remind_pass(today=day(n)) for n in range(31)]
    # Day 0: both are told the form opened; day 7 and day 14: one reminder each.
    assert sent[0] == 2 and sent[7] == 2 and sent[14] == 2
    assert sum(sent) == 6
    for user in (participant, mentor):
        assert kinds(user) == ["followup_open", "followup_reminder", "followup_reminder"]
    own, theirs = forms
    notice = Notification.objects.filter(recipient=participant).first()
    assert notice.url == f"/follow-ups/{own.pk}/"
    assert "3 months after" in notice.title
    mentor_notice = Notification.objects.filter(recipient=mentor).first()
    assert participant.employee.name in mentor_notice.title
    assert mentor_notice.url == f"/follow-ups/{theirs.pk}/"
    # After the window: nothing, ever.
    assert followup_remind_pass(today=LAST_3 + dt.timedelta(days=1)) == 0


def test_a_rerun_sends_nothing_twice(forms):
    assert followup_remind_pass(today=day(0)) == 2
    assert followup_remind_pass(today=day(0)) == 0
    assert followup_remind_pass(today=day(7)) == 2
    assert followup_remind_pass(today=day(7)) == 0
    assert Notification.objects.count() == 4


def test_an_answered_form_gets_no_reminder(forms, participant, mentor):
    own, _theirs = forms
    followup_remind_pass(today=day(0))
    services.follow_up_respond(
        follow_up=own, by=participant, plan_status="continuing", ratings=GOOD, today=day(3)
    )
    assert followup_remind_pass(today=day(7)) == 1
    assert followup_remind_pass(today=day(14)) == 1
    assert kinds(participant) == ["followup_open"]
    assert kinds(mentor) == ["followup_open", "followup_reminder", "followup_reminder"]


def test_a_late_pass_sends_only_the_stage_due_now(forms, participant):
    assert followup_remind_pass(today=day(15)) == 2
    assert kinds(participant) == ["followup_reminder"]
    assert followup_remind_pass(today=day(16)) == 0


def test_a_new_mentor_is_told_too(forms, agency, mentor):
    _own, theirs = forms
    followup_remind_pass(today=day(0))
    new_mentor = make_person(agency, name="Pak Mentor Baru", role="mentor")
    enrollment = theirs.enrollment
    type(enrollment).objects.filter(pk=enrollment.pk).update(mentor=new_mentor.employee)
    assert followup_remind_pass(today=day(1)) == 1
    assert kinds(new_mentor) == ["followup_open"]
    assert kinds(mentor) == ["followup_open"]


def test_no_account_no_message(forms, participant):
    participant.employee = None
    participant.save(update_fields=["employee"])
    assert followup_remind_pass(today=day(0)) == 1  # the mentor only


def test_one_form_per_chunk_sends_the_same_and_a_killed_pass_is_completed(forms, monkeypatch):
    from membumi.evaluation import reminders

    monkeypatch.setattr(reminders, "CHUNK", 1)
    calls = []
    real = Notification.objects.bulk_create

    def dies_on_the_second_chunk(rows, **kwargs):
        calls.append(len(rows))
        if len(calls) == 2:
            raise RuntimeError("killed")
        return real(rows, **kwargs)

    monkeypatch.setattr(Notification.objects, "bulk_create", dies_on_the_second_chunk)
    with pytest.raises(RuntimeError):
        followup_remind_pass(today=day(0))
    assert Notification.objects.count() == 1  # the first chunk was committed
    monkeypatch.setattr(Notification.objects, "bulk_create", real)
    assert followup_remind_pass(today=day(0)) == 1  # only the missing one
    assert followup_remind_pass(today=day(0)) == 0
    assert sorted(Notification.objects.values_list("kind", flat=True)) == ["followup_open"] * 2
