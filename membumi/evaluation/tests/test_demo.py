"""The demo step (membumi/demo/follow_ups.py) against a small world shaped like the demo's:
``peserta`` (mentor ``mentor``) in a batch that ended about four months before DEMO_TODAY."""

import datetime as dt

import pytest

from membumi.demo.follow_ups import build_follow_ups
from membumi.demo.world import DEMO_TODAY, World
from membumi.evaluation import rules
from membumi.evaluation.models import FollowUp
from membumi.notifications.models import Notification
from membumi.programs.models import Batch

from .conftest import end_batch, enrol, make_person, make_plan

pytestmark = pytest.mark.django_db


def test_no_ended_batch_no_follow_ups(participant):
    world = World()
    assert build_follow_ups(world) is False
    assert not FollowUp.objects.exists()
    assert "none created" in world.notes[0]


def test_demo_follow_ups(batch, organizer, agency, unit, participant, mentor, enrollment, plan):
    other_mentor = make_person(agency, unit=unit, role="mentor", name="Bu Kepala")
    others = []
    for _ in range(8):
        user = make_person(agency, unit=unit, supervisor=other_mentor.employee)
        e = enrol(batch, organizer, user)
        make_plan(e)
        others.append(e)
    end_batch(batch, enrollment, *others)
    Batch.objects.filter(pk=batch.pk).update(
        start_date=dt.date(2026, 7, 6), end_date=dt.date(2026, 7, 24)
    )
    world = World()
    world.users = {"peserta": participant}
    assert build_follow_ups(world) is True

    due = rules.add_months(dt.date(2026, 7, 24), 3)
    own = FollowUp.objects.get(enrollment=enrollment, role="participant")
    theirs = FollowUp.objects.get(enrollment=enrollment, role="mentor")
    for form in (own, theirs):
        assert form.due_date == due
        assert rules.follow_up_status(form, DEMO_TODAY) == "open"
        assert form.open_until >= DEMO_TODAY + dt.timedelta(days=14)
    answered = FollowUp.objects.filter(answered_at__isnull=False)
    assert answered.count() >= 4
    assert not answered.filter(enrollment=enrollment).exists()
    assert set(answered.values_list("plan_status", flat=True)) >= {"continuing"}
    assert Notification.objects.filter(recipient=participant, kind__startswith="followup").exists()
    assert Notification.objects.filter(recipient=mentor, kind__startswith="followup").exists()

    count = FollowUp.objects.count()
    assert build_follow_ups(World()) is False  # idempotent
    assert FollowUp.objects.count() == count
