import datetime as dt

import pytest

from membumi.evaluation import rules, services
from membumi.evaluation.models import FollowUp
from membumi.evaluation.reminders import followup_schedule_pass
from membumi.programs.tests.factories import force_state

from .conftest import DUE_3, DUE_6, LAST_3, end_batch, enrol, make_person, make_plan

pytestmark = pytest.mark.django_db


def test_add_months_clamps_to_the_end_of_a_shorter_month():
    assert rules.add_months(dt.date(2026, 3, 20), 3) == dt.date(2026, 6, 20)
    assert rules.add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert rules.add_months(dt.date(2027, 8, 31), 6) == dt.date(2028, 2, 29)
    assert rules.add_months(dt.date(2026, 11, 30), 12) == dt.date(2027, 11, 30)
    assert rules.add_months(dt.date(2026, 3, 20), -4) == dt.date(2025, 11, 20)


def test_nothing_is_created_before_the_due_date(ended):
    assert followup_schedule_pass(today=DUE_3 - dt.timedelta(days=1)) == 0
    assert not FollowUp.objects.exists()


def test_due_date_creates_one_form_for_the_participant_and_one_for_the_mentor_once(
    ended, enrollment, plan
):
    assert followup_schedule_pass(today=DUE_3) == 2
    forms = {f.role: f for f in FollowUp.objects.all()}
    assert set(forms) == {"participant", "mentor"}
    for form in forms.values():
        assert form.enrollment == enrollment
        assert form.plan == plan
        assert form.batch_id == enrollment.batch_id
        assert form.agency_id == enrollment.agency_id
        assert form.offset_months == 3
        assert form.due_date == DUE_3
        assert form.open_until == LAST_3
        assert [item["code"] for item in form.items] == list(rules.DEFAULT_ITEMS)
    # A re-run (the same day, or any day of the window) creates nothing.
    assert followup_schedule_pass(today=DUE_3) == 0
    assert followup_schedule_pass(today=LAST_3) == 0
    assert FollowUp.objects.count() == 2


def test_each_offset_opens_on_its_own_date(ended):
    followup_schedule_pass(today=DUE_3)
    assert followup_schedule_pass(today=DUE_6 - dt.timedelta(days=1)) == 0
    assert followup_schedule_pass(today=DUE_6) == 2
    assert followup_schedule_pass(today=dt.date(2027, 3, 20)) == 2
    assert set(FollowUp.objects.values_list("offset_months", flat=True)) == {3, 6, 12}


def test_window_status(forms):
    own, _theirs = forms
    assert rules.follow_up_status(own, DUE_3 - dt.timedelta(days=1)) == "upcoming"
    assert rules.follow_up_status(own, DUE_3) == "open"
    assert rules.follow_up_status(own, LAST_3) == "open"
    assert rules.follow_up_status(own, LAST_3 + dt.timedelta(days=1)) == "closed"


def test_a_window_that_passed_is_not_created_late(ended):
    assert followup_schedule_pass(today=LAST_3 + dt.timedelta(days=1)) == 0
    assert not FollowUp.objects.exists()


def test_only_enrolments_with_an_approved_plan_get_follow_ups(
    batch, organizer, agency, unit, mentor, enrollment, plan
):
    draft_only = enrol(batch, organizer, make_person(agency, unit=unit, supervisor=mentor.employee))
    make_plan(draft_only, approved=False)
    no_plan = enrol(batch, organizer, make_person(agency, unit=unit, supervisor=mentor.employee))
    abandoned = enrol(batch, organizer, make_person(agency, unit=unit, supervisor=mentor.employee))
    make_plan(abandoned, state="abandoned")  # approved, then abandoned: still followed up
    withdrawn = enrol(batch, organizer, make_person(agency, unit=unit, supervisor=mentor.employee))
    make_plan(withdrawn)
    end_batch(batch, enrollment, draft_only, no_plan, abandoned)
    force_state(withdrawn, "withdrawn")

    assert followup_schedule_pass(today=DUE_3) == 4
    assert set(FollowUp.objects.values_list("enrollment_id", flat=True)) == {
        enrollment.pk,
        abandoned.pk,
    }


def test_an_enrolment_without_a_mentor_gets_only_the_participant_form(ended, enrollment):
    type(enrollment).objects.filter(pk=enrollment.pk).update(mentor=None)
    assert followup_schedule_pass(today=DUE_3) == 1
    assert FollowUp.objects.get().role == "participant"
    # The mentor named later (still in the window) gets their form on the next pass.
    type(enrollment).objects.filter(pk=enrollment.pk).update(mentor=enrollment.employee.supervisor)
    assert followup_schedule_pass(today=DUE_3 + dt.timedelta(days=3)) == 1
    assert FollowUp.objects.filter(role="mentor").get().due_date == DUE_3


def test_a_running_batch_gets_none(batch, enrollment, plan):
    force_state(batch, "running")
    assert followup_schedule_pass(today=DUE_3) == 0


def test_a_closed_batch_is_still_followed_up(ended):
    force_state(ended, "closed")
    assert followup_schedule_pass(today=DUE_3) == 2


def test_the_program_policy_sets_offsets_window_and_items(ended, organizer, program):
    services.follow_up_policy_set(
        program=program,
        by=organizer,
        offsets=[1, 2],
        window_days=10,
        items=[{"code": "sops", "text": "Menyusun SOP baru"}],
    )
    assert followup_schedule_pass(today=DUE_3) == 0  # 3 months is not in the policy
    assert followup_schedule_pass(today=dt.date(2026, 4, 20)) == 2
    form = FollowUp.objects.first()
    assert form.open_until == dt.date(2026, 4, 29)
    assert form.items == [{"code": "sops", "text": "Menyusun SOP baru"}]


def test_a_later_policy_change_leaves_created_forms_alone(forms, organizer, program):
    services.follow_up_policy_set(
        program=program,
        by=organizer,
        offsets=[3],
        window_days=30,
        items=[{"code": "other", "text": "Something else"}],
    )
    own, _ = forms
    own.refresh_from_db()
    assert [item["code"] for item in own.items] == list(rules.DEFAULT_ITEMS)


def test_one_enrolment_per_chunk_creates_the_same_and_a_killed_pass_is_completed(
    batch, organizer, agency, unit, mentor, enrollment, plan, monkeypatch
):
    second = enrol(batch, organizer, make_person(agency, unit=unit, supervisor=mentor.employee))
    make_plan(second)
    end_batch(batch, enrollment, second)
    monkeypatch.setattr(services, "SCHEDULE_CHUNK", 1)
    calls = []
    real = FollowUp.objects.bulk_create

    def dies_on_the_second_chunk(rows, **kwargs):
        calls.append(len(rows))
        if len(calls) == 2:
            raise RuntimeError("killed")
        return real(rows, **kwargs)

    monkeypatch.setattr(FollowUp.objects, "bulk_create", dies_on_the_second_chunk)
    with pytest.raises(RuntimeError):
        followup_schedule_pass(today=DUE_3)
    assert FollowUp.objects.count() == 2  # the first enrolment's chunk was committed
    monkeypatch.setattr(FollowUp.objects, "bulk_create", real)
    assert followup_schedule_pass(today=DUE_3) == 2  # only the missing ones
    assert followup_schedule_pass(today=DUE_3) == 0
    assert FollowUp.objects.filter(enrollment=second).count() == 2
