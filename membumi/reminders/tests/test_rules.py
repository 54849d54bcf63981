"""Each rule fires on its day and not the day before, once, to the right people, never for
closed plans; a pass interrupted half-way and run again misses nothing and doubles nothing."""

import datetime as dt

import pytest
import time_machine

from membumi.monitoring.models import ProgressUpdate
from membumi.notifications.models import EmailState, Notification
from membumi.programs.tests.factories import force_state
from membumi.reminders.services import reminder_pass

from .conftest import at, make_live


@pytest.fixture(autouse=True)
def _no_extra_passes(settings):
    settings.REMINDER_PASSES = []


def run(day: str, hour: int = 9, **kwargs):
    with time_machine.travel(at(day, hour), tick=False):
        return reminder_pass(**kwargs)


def sent(kind: str) -> list[tuple[str, str]]:
    """(username, key) of every notification of ``kind``, sorted."""
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__username", "key"))


def milestone(plan, term):
    return plan.milestones.get(term=term)


def test_due_in_7_days_fires_on_the_day_not_before(live_plan, participant):
    short = milestone(live_plan, "short")  # due 2026-03-15
    assert run("2026-03-07")["milestone_due_7"] == 0
    assert run("2026-03-08")["milestone_due_7"] == 1
    assert sent("milestone_due_7") == [
        (participant.username, f"milestone_due_7:{short.pk}:2026-03-15:{participant.pk}")
    ]
    assert run("2026-03-08")["milestone_due_7"] == 0  # a re-run the same day
    assert run("2026-03-10")["milestone_due_7"] == 0  # and the days after
    n = Notification.objects.get(kind="milestone_due_7")
    assert n.url == f"/plans/{live_plan.pk}/"
    assert n.title == "Milestone due on 15 March 2026: Keluaran short"
    assert "Antrean daring puskesmas" in n.body
    assert n.email_state == EmailState.PENDING


def test_due_tomorrow_fires_on_the_day_before_only(live_plan, participant):
    assert run("2026-03-13")["milestone_due_1"] == 0
    assert run("2026-03-14")["milestone_due_1"] == 1
    assert run("2026-03-14")["milestone_due_1"] == 0
    n = Notification.objects.get(kind="milestone_due_1")
    assert n.recipient == participant
    assert n.title == "Milestone due tomorrow: Keluaran short"


def test_overdue_goes_to_participant_and_mentor_once(live_plan, participant, mentor):
    short = milestone(live_plan, "short")
    assert run("2026-03-15")["milestone_overdue"] == 0  # due today is not overdue
    assert run("2026-03-16")["milestone_overdue"] == 2
    assert sent("milestone_overdue") == sorted(
        [
            (mentor.username, f"milestone_overdue:{short.pk}:2026-03-15:{mentor.pk}"),
            (participant.username, f"milestone_overdue:{short.pk}:2026-03-15:{participant.pk}"),
        ]
    )
    assert run("2026-03-16")["milestone_overdue"] == 0
    assert run("2026-04-01")["milestone_overdue"] == 0
    to_mentor = Notification.objects.get(kind="milestone_overdue", recipient=mentor)
    assert participant.employee.name in to_mentor.title


def test_done_or_dropped_milestones_are_not_reminded(live_plan):
    live_plan.milestones.filter(term="short").update(status="done")
    live_plan.milestones.filter(term="mid").update(status="dropped")
    counts = run("2026-07-01")
    assert counts["milestone_overdue"] == 0 and counts["milestone_due_7"] == 0


def test_a_moved_due_date_is_a_new_occasion(live_plan):
    run("2026-03-16")
    assert Notification.objects.filter(kind="milestone_overdue").count() == 2
    live_plan.milestones.filter(term="short").update(due_date=dt.date(2026, 3, 20))
    assert run("2026-03-13")["milestone_due_7"] == 1
    assert run("2026-03-21")["milestone_overdue"] == 2


@pytest.mark.parametrize(
    "state", ["draft", "submitted", "revision_requested", "completed", "verified", "abandoned"]
)
def test_milestones_of_plans_not_live_get_nothing(ready_plan, state):
    make_live(ready_plan, state=state)
    counts = run("2026-03-08")
    counts2 = run("2026-03-14")
    counts3 = run("2026-07-01")
    for c in (counts, counts2, counts3):
        assert c["milestone_due_7"] == c["milestone_due_1"] == c["milestone_overdue"] == 0
        assert c["plan_silent_30"] == 0
    assert not Notification.objects.exists()


def test_approved_plan_gets_milestone_reminders(ready_plan, participant):
    make_live(ready_plan, state="approved")
    assert run("2026-03-08")["milestone_due_7"] == 1
    assert run("2026-07-01")["plan_silent_30"] == 0  # not started: no silence rule


def _update(plan, participant, when: str, state="submitted", hour=10):
    with time_machine.travel(at(when, hour), tick=False):
        return ProgressUpdate.objects.create(
            plan=plan, agency=plan.agency, by=participant, narrative="Rapat koordinasi", state=state
        )


def test_update_awaiting_verification_goes_to_mentor_after_7_days(live_plan, participant, mentor):
    update = _update(live_plan, participant, "2026-03-02", hour=10)
    assert run("2026-03-09", hour=9)["update_unverified_7"] == 0  # 6 days 23 hours
    assert run("2026-03-09", hour=10)["update_unverified_7"] == 1
    assert sent("update_unverified_7") == [
        (mentor.username, f"update_unverified_7:{update.pk}:{mentor.pk}")
    ]
    assert run("2026-03-10")["update_unverified_7"] == 0
    n = Notification.objects.get(kind="update_unverified_7")
    assert "2 March 2026" in n.body and participant.employee.name in n.title


def test_update_unverified_14_days_goes_to_the_institutions_organizers(
    live_plan, participant, organizer, other_organizer, trainer
):
    update = _update(live_plan, participant, "2026-03-02")
    assert run("2026-03-16", hour=9)["update_unverified_14"] == 0
    assert run("2026-03-16", hour=10)["update_unverified_14"] == 1
    assert sent("update_unverified_14") == [
        (organizer.username, f"update_unverified_14:{update.pk}:{organizer.pk}")
    ]
    assert run("2026-03-20")["update_unverified_14"] == 0


@pytest.mark.parametrize("update_state", ["accepted", "rejected"])
def test_decided_updates_are_not_escalated(live_plan, participant, update_state):
    _update(live_plan, participant, "2026-03-02", state=update_state)
    counts = run("2026-04-01")
    assert counts["update_unverified_7"] == counts["update_unverified_14"] == 0


@pytest.mark.parametrize("state", ["verified", "abandoned"])
def test_updates_of_closed_plans_are_not_escalated(ready_plan, participant, state):
    plan = make_live(ready_plan)
    _update(plan, participant, "2026-03-02")
    force_state(plan, state)
    counts = run("2026-04-01")
    assert counts["update_unverified_7"] == counts["update_unverified_14"] == 0


def test_silent_for_30_days_from_the_start_goes_to_participant_and_coach(
    live_plan, participant, trainer
):
    # Started 2026-02-01 09:00 (Jakarta); thirty days later is 2026-03-03 09:00.
    assert run("2026-03-03", hour=8)["plan_silent_30"] == 0
    assert run("2026-03-03", hour=9)["plan_silent_30"] == 2
    assert sent("plan_silent_30") == sorted(
        [
            (participant.username, f"plan_silent_30:{live_plan.pk}:2026-02-01:{participant.pk}"),
            (trainer.username, f"plan_silent_30:{live_plan.pk}:2026-02-01:{trainer.pk}"),
        ]
    )
    assert run("2026-03-20")["plan_silent_30"] == 0
    n = Notification.objects.get(kind="plan_silent_30", recipient=participant)
    assert "1 February 2026" in n.body


def test_silence_is_measured_from_the_last_update(live_plan, participant):
    _update(live_plan, participant, "2026-02-20", state="accepted", hour=9)
    assert run("2026-03-22", hour=8)["plan_silent_30"] == 0
    assert run("2026-03-22", hour=9)["plan_silent_30"] == 2
    # A new update starts a new silence, reminded again thirty days after it.
    _update(live_plan, participant, "2026-04-01", state="accepted", hour=9)
    assert run("2026-04-30")["plan_silent_30"] == 0
    assert run("2026-05-01")["plan_silent_30"] == 2
    assert Notification.objects.filter(kind="plan_silent_30").count() == 4


@pytest.mark.parametrize("state", ["completed", "verified", "abandoned"])
def test_silence_rule_only_for_plans_in_progress(ready_plan, state):
    make_live(ready_plan, state=state)
    assert run("2026-05-01")["plan_silent_30"] == 0


def test_inactive_accounts_get_nothing(live_plan, mentor):
    mentor.is_active = False
    mentor.save(update_fields=["is_active"])
    run("2026-03-16")
    assert sent("milestone_overdue")[0][0] != mentor.username
    assert Notification.objects.filter(recipient=mentor).count() == 0


def test_interrupted_pass_then_rerun_creates_each_reminder_exactly_once(
    ready_plan, enrollment, participant
):
    """Chunks of one row; the pass dies right after the first chunk that created something
    was committed; the re-run completes it."""
    plan = make_live(ready_plan)
    _update(plan, participant, "2026-03-01")
    chunks = []

    def die_when_something_is_made(kind, role, lo, created):
        chunks.append((kind, role, lo, created))
        if created:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run("2026-07-01", chunk_size=1, on_chunk=die_when_something_is_made)
    assert chunks[-1][:2] == ("milestone_overdue", "participant")
    partial = Notification.objects.count()
    rest = run("2026-07-01", chunk_size=1)
    assert partial > 0 and sum(rest.values()) == Notification.objects.count() - partial
    keys = list(Notification.objects.values_list("key", flat=True))
    assert len(keys) == len(set(keys))
    # The same as one uninterrupted pass would have made.
    expected = {
        "milestone_overdue": 4,  # short and mid milestones × participant and mentor
        "milestone_due_7": 0,
        "milestone_due_1": 0,
        "update_unverified_7": 1,
        "update_unverified_14": 1,
        "plan_silent_30": 2,
    }
    got = {kind: Notification.objects.filter(kind=kind).count() for kind in expected}
    assert got == expected
