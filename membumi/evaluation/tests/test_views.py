import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from membumi.evaluation import services
from membumi.evaluation.models import FollowUp, FollowUpPolicy
from membumi.evaluation.reminders import followup_schedule_pass

from .conftest import DUE_3, GOOD, end_batch, enrol, make_person, make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def today(time_machine):
    time_machine.move_to(dt.datetime(2026, 6, 25, 10, 0), tick=False)
    return dt.date(2026, 6, 25)


def post_answer(client, form, follow=False, **data):
    payload = {"plan_status": "continuing", "comment": ""}
    payload.update({f"rating_{code}": value for code, value in GOOD.items()})
    payload.update(data)
    return client.post(
        reverse("evaluation:follow_up_detail", args=[form.pk]), payload, follow=follow
    )


def test_my_follow_ups_lists_the_participants_own_form(client, forms, participant, today):
    own, theirs = forms
    client.force_login(participant)
    html = client.get(reverse("evaluation:my_follow_ups")).content.decode()
    assert f"/follow-ups/{own.pk}/" in html
    assert f"/follow-ups/{theirs.pk}/" not in html
    assert 'data-status="open"' in html


def test_my_follow_ups_lists_the_mentors_form(client, forms, mentor, today):
    own, theirs = forms
    client.force_login(mentor)
    html = client.get(reverse("evaluation:my_follow_ups")).content.decode()
    assert f"/follow-ups/{theirs.pk}/" in html
    assert f"/follow-ups/{own.pk}/" not in html
    assert "Pak Peserta, 3 months on" in html


def test_pending_first_then_answered(client, forms, participant, time_machine):
    own, _ = forms
    time_machine.move_to(dt.datetime(2026, 9, 22, 10, 0), tick=False)
    services.follow_up_respond(
        follow_up=own, by=participant, plan_status="continuing", ratings=GOOD, today=DUE_3
    )
    followup_schedule_pass(today=dt.date(2026, 9, 22))
    six = FollowUp.objects.get(role="participant", offset_months=6)
    client.force_login(participant)
    response = client.get(reverse("evaluation:my_follow_ups"))
    assert [f.pk for f in response.context["page_obj"]] == [six.pk, own.pk]
    pending = client.get(reverse("evaluation:my_follow_ups") + "?show=pending")
    assert [f.pk for f in pending.context["page_obj"]] == [six.pk]


def test_my_list_queries_do_not_grow(
    client, batch, organizer, agency, unit, mentor, enrollment, plan, today
):
    others = [
        enrol(batch, organizer, make_person(agency, unit=unit, supervisor=mentor.employee))
        for _ in range(3)
    ]
    end_batch(batch, enrollment, *others)
    followup_schedule_pass(today=DUE_3)
    client.force_login(mentor)
    url = reverse("evaluation:my_follow_ups")
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(url).context["page_obj"].object_list) == 1
    for e in others:
        make_plan(e)
    followup_schedule_pass(today=DUE_3)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(url).context["page_obj"].object_list) == 4
    assert len(one.captured_queries) == len(many.captured_queries)


def test_participant_answers_in_the_page(client, forms, participant, today):
    own, _ = forms
    client.force_login(participant)
    page = client.get(reverse("evaluation:follow_up_detail", args=[own.pk])).content.decode()
    assert 'data-testid="follow-up-form"' in page
    assert "Uses data to make decisions" in page
    response = post_answer(client, own, plan_status="completed", comment="Selesai")
    assert response.status_code == 302
    assert response.url == reverse("evaluation:my_follow_ups")
    own.refresh_from_db()
    assert own.plan_status == "completed" and own.comment == "Selesai"
    assert {r.item: r.value for r in own.ratings.all()} == GOOD
    page = client.get(reverse("evaluation:follow_up_detail", args=[own.pk])).content.decode()
    assert 'data-testid="answer"' in page and "follow-up-form" not in page


def test_bad_input_shows_errors_and_keeps_what_was_typed(client, forms, participant, today):
    own, _ = forms
    client.force_login(participant)
    response = post_answer(
        client, own, plan_status="stopped", stop_reason="", rating_applies="", comment="Tetap"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Say why the action plan stopped." in html
    assert "Rate this item." in html
    assert "Tetap</textarea>" in html
    assert FollowUp.objects.get(pk=own.pk).answered_at is None
    response = post_answer(client, own, rating_involves="9")
    assert "Select a valid choice" in response.content.decode()


def test_answering_twice_is_refused_with_a_message(client, forms, participant, today):
    own, _ = forms
    client.force_login(participant)
    post_answer(client, own)
    response = post_answer(client, own, plan_status="completed", follow=True)
    assert "already been answered" in response.content.decode()
    own.refresh_from_db()
    assert own.plan_status == "continuing"


def test_closed_form_shows_no_form(client, forms, participant, time_machine):
    own, _ = forms
    time_machine.move_to(dt.datetime(2026, 7, 20, 10, 0), tick=False)
    client.force_login(participant)
    html = client.get(reverse("evaluation:follow_up_detail", args=[own.pk])).content.decode()
    assert "closed without an answer" in html and "follow-up-form" not in html
    response = post_answer(client, own, follow=True)
    assert "closed" in response.content.decode()


@pytest.mark.parametrize("who", ["outsider", "other_organizer", "viewer"])
def test_someone_elses_follow_up_is_404(client, forms, who, request, today):
    own, theirs = forms
    client.force_login(request.getfixturevalue(who))
    for form in (own, theirs):
        url = reverse("evaluation:follow_up_detail", args=[form.pk])
        assert client.get(url).status_code == 404
        assert post_answer(client, form).status_code == 404


def test_participant_does_not_see_the_mentors_form(client, forms, participant, mentor, today):
    own, theirs = forms
    client.force_login(participant)
    assert client.get(reverse("evaluation:follow_up_detail", args=[theirs.pk])).status_code == 404
    client.force_login(mentor)
    assert client.get(reverse("evaluation:follow_up_detail", args=[own.pk])).status_code == 404


@pytest.mark.parametrize("who", ["organizer", "trainer"])
def test_organizer_and_coach_read_but_do_not_answer(client, forms, who, request, today):
    own, _ = forms
    client.force_login(request.getfixturevalue(who))
    html = client.get(reverse("evaluation:follow_up_detail", args=[own.pk])).content.decode()
    assert "follow-up-form" not in html and "Not answered yet." in html
    assert post_answer(client, own).status_code == 403
    assert FollowUp.objects.get(pk=own.pk).answered_at is None


@pytest.mark.parametrize("who", ["organizer", "trainer", "admin_user"])
def test_rollup_for_organizer_coach_and_admin(client, forms, participant, who, request, today):
    own, _ = forms
    services.follow_up_respond(
        follow_up=own,
        by=participant,
        plan_status="stopped",
        stop_reason="Kepala dinas berganti",
        ratings=GOOD,
        today=today,
    )
    client.force_login(request.getfixturevalue(who))
    html = client.get(reverse("evaluation:batch_rollup", args=[own.batch_id])).content.decode()
    assert "Kepala dinas berganti" in html
    assert "1 (50%)" not in html  # one form per role: 1 of 1 participant answered
    assert "1 (100%)" in html
    listing = client.get(reverse("evaluation:rollup_list")).content.decode()
    assert reverse("evaluation:batch_rollup", args=[own.batch_id]) in listing


@pytest.mark.parametrize("who", ["participant", "mentor", "outsider", "other_organizer", "viewer"])
def test_rollup_is_404_for_others(client, forms, who, request, today):
    own, _ = forms
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("evaluation:batch_rollup", args=[own.batch_id])).status_code == 404


def test_organizer_sets_the_policy(client, program, organizer):
    client.force_login(organizer)
    url = reverse("evaluation:policy_edit", args=[program.pk])
    page = client.get(url).content.decode()
    assert "3, 6, 12" in page and "uses_data: Uses data to make decisions" in page
    response = client.post(
        url,
        {
            "offsets": "6; 3",
            "window_days": "21",
            "items": "uses_data: Uses data to make decisions\nsops: Menyusun SOP baru\n",
        },
    )
    assert response.status_code == 302
    policy = FollowUpPolicy.objects.get(program=program)
    assert policy.offsets == [3, 6] and policy.window_days == 21
    assert policy.items == [
        {"code": "uses_data", "text": "Uses data to make decisions"},
        {"code": "sops", "text": "Menyusun SOP baru"},
    ]
    picked = client.get(reverse("evaluation:policy_pick") + f"?program={program.pk}")
    assert picked.url == url


def test_policy_bad_input(client, program, organizer):
    client.force_login(organizer)
    url = reverse("evaluation:policy_edit", args=[program.pk])
    html = client.post(
        url, {"offsets": "tiga", "window_days": "2", "items": "no colon here"}
    ).content.decode()
    assert "Give whole numbers of months" in html
    assert "Ensure this value is greater than or equal to 7" in html
    assert "Line 1: write" in html
    html = client.post(
        url, {"offsets": "3, 40", "window_days": "30", "items": "a: A\na: B"}
    ).content.decode()
    assert "1 to 36 months" in html and "used twice" in html
    assert not FollowUpPolicy.objects.exists()


@pytest.mark.parametrize("who", ["participant", "trainer", "other_organizer", "outsider"])
def test_policy_page_is_404_for_others(client, program, who, request):
    client.force_login(request.getfixturevalue(who))
    url = reverse("evaluation:policy_edit", args=[program.pk])
    assert client.get(url).status_code == 404
    assert (
        client.post(url, {"offsets": "3", "window_days": "30", "items": "a: A"}).status_code == 404
    )


def test_navigation(client, participant, mentor, organizer, today):
    client.force_login(participant)
    html = client.get(reverse("home")).content.decode()
    assert 'href="/follow-ups/"' in html and 'href="/follow-ups/batches/"' not in html
    client.force_login(organizer)
    html = client.get(reverse("home")).content.decode()
    assert 'href="/follow-ups/batches/"' in html
