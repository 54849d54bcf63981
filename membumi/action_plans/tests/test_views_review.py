"""Plan list, review queue and similar plans side by side: who sees what, filters, the queue
per role and per review round, query counts."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from membumi.action_plans import services
from membumi.action_plans.tests.conftest import make_ready
from membumi.action_plans.tests.peers import make_mate, make_plan
from membumi.core.navigation import navigation_for
from membumi.organizations.models import Institution
from membumi.programs import services as program_services
from membumi.programs.tests.factories import (
    make_analysis,
    make_batch,
    make_need,
    make_problem,
    make_program,
    make_trainer,
)
from membumi.testing.factories import WorkUnitFactory


@pytest.fixture
def mate(batch, organizer, mentor, unit):
    user, _e = make_mate(
        batch, organizer, username="peserta2", name="Bu Rekan", mentor=mentor, unit=unit
    )
    return user


@pytest.fixture
def mate_plan(mate):
    return make_plan(mate.employee.enrollments.get(), mate, title="Pendaftaran daring posyandu")


def submit(plan, by):
    return services.action_plan_transition(plan=plan, action="submit", by=by)


def rows(response):
    return [p.pk for p in response.context["page_obj"]]


def queue(client, user):
    client.force_login(user)
    return [p.pk for p in client.get(reverse("action_plans:review_queue")).context["plans"]]


# --- Plan list --------------------------------------------------------------------------------


def test_participant_sees_only_own_plans(client, participant, plan, mate_plan):
    client.force_login(participant)
    response = client.get(reverse("action_plans:plan_list"))
    assert rows(response) == [plan.pk]
    assert response.context["form"] is None  # no filters over one's own plans
    assert reverse("action_plans:clinic", args=[plan.enrollment.batch_id]) in (
        response.content.decode()
    )


def test_participant_without_a_plan_is_sent_to_my_training(client, participant, enrollment):
    client.force_login(participant)
    body = client.get(reverse("action_plans:plan_list")).content.decode()
    assert "You have no action plan yet." in body
    assert reverse("programs:my_training") in body


@pytest.mark.parametrize("who", ["mentor", "trainer", "organizer", "admin_user"])
def test_reviewers_and_organizer_see_the_batch_plans(client, who, request, plan, mate_plan):
    client.force_login(request.getfixturevalue(who))
    assert set(rows(client.get(reverse("action_plans:plan_list")))) == {plan.pk, mate_plan.pk}


def test_other_institution_and_outsider_see_none(client, other_organizer, outsider, plan):
    for user in (other_organizer, outsider):
        client.force_login(user)
        assert rows(client.get(reverse("action_plans:plan_list"))) == []


def test_viewer_without_employee_gets_404(client, viewer, plan):
    client.force_login(viewer)
    assert client.get(reverse("action_plans:plan_list")).status_code == 404


def test_organizer_filters(client, organizer, plan, mate_plan, program, trainer):
    client.force_login(organizer)
    url = reverse("action_plans:plan_list")
    assert rows(client.get(url, {"state": "submitted"})) == [mate_plan.pk]
    assert rows(client.get(url, {"q": "rekan"})) == [mate_plan.pk]  # participant's name
    assert rows(client.get(url, {"q": "antrean daring"})) == [plan.pk]  # title
    assert set(rows(client.get(url, {"program": program.pk}))) == {plan.pk, mate_plan.pk}
    response = client.get(url, {"batch": plan.enrollment.batch_id})
    assert set(rows(response)) == {plan.pk, mate_plan.pk}
    assert reverse("action_plans:clinic", args=[plan.enrollment.batch_id]) in (
        response.content.decode()
    )
    other_batch = make_batch(program, organizer, trainer, name="Angkatan II 2026")
    # A batch without plans is not offered; asking for it shows the field's error.
    response = client.get(url, {"batch": other_batch.pk})
    assert "Select a valid choice" in response.content.decode()
    body = client.get(url, {"q": "tidak ada"}).content.decode()
    assert "No plans match" in body
    # htmx gets the results only.
    partial = client.get(
        url, {"state": "draft"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="plan-results"
    )
    assert "<h1>" not in partial.content.decode()
    assert "Antrean daring puskesmas" in partial.content.decode()


def test_plan_list_paginates(client, organizer, plan, mate_plan, monkeypatch):
    from membumi.action_plans.views import review

    monkeypatch.setattr(review, "PAGE_SIZE", 1)
    client.force_login(organizer)
    url = reverse("action_plans:plan_list")
    first, second = rows(client.get(url)), rows(client.get(url, {"page": 2}))
    assert len(first) == len(second) == 1
    assert set(first + second) == {plan.pk, mate_plan.pk}


def _more_plans(batch, organizer, mentor, unit, n=3):
    for i in range(n):
        user, enrollment = make_mate(
            batch, organizer, username=f"rekan{i}", name=f"Rekan {i}", mentor=mentor, unit=unit
        )
        make_plan(enrollment, user, title=f"Rencana {i}")


@pytest.mark.parametrize("who", ["organizer", "trainer", "mentor"])
def test_plan_list_query_count_constant(client, who, request, batch, organizer, mentor, unit, plan):
    client.force_login(request.getfixturevalue(who))
    url = reverse("action_plans:plan_list")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    _more_plans(batch, organizer, mentor, unit)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(rows(response)) == 4
    assert len(many) == len(one)


# --- Review queue -----------------------------------------------------------------------------


def test_queue_per_role_and_review_round(client, ready_plan, participant, trainer, mentor, mate):
    assert queue(client, trainer) == queue(client, mentor) == []
    plan = submit(ready_plan, participant)
    assert queue(client, trainer) == [plan.pk]
    assert queue(client, mentor) == [plan.pk]
    assert queue(client, participant) == [] and queue(client, mate) == []

    services.action_plan_transition(plan=plan, action="approve", by=trainer)
    assert queue(client, trainer) == []  # decided in this round
    assert queue(client, mentor) == [plan.pk]

    services.action_plan_transition(plan=plan, action="request_revision", by=mentor, note="x")
    assert queue(client, trainer) == queue(client, mentor) == []

    submit(plan, participant)  # round 2: the coach's earlier approval no longer counts
    assert queue(client, trainer) == [plan.pk]
    assert queue(client, mentor) == [plan.pk]


def test_queue_follows_the_review_policy(
    client, ready_plan, participant, trainer, mentor, program, organizer
):
    services.review_policy_set(
        program=program, by=organizer, require_coach=True, require_mentor=False
    )
    plan = submit(ready_plan, participant)
    assert queue(client, trainer) == [plan.pk]
    assert queue(client, mentor) == []


def test_queue_oldest_first_with_waiting_time(client, ready_plan, participant, mate, trainer):
    with time_machine.travel(dt.datetime(2026, 3, 5, 9, tzinfo=dt.UTC), tick=False):
        first = submit(ready_plan, participant)
    mate_enrollment = mate.employee.enrollments.get()
    with time_machine.travel(dt.datetime(2026, 3, 6, 9, tzinfo=dt.UTC), tick=False):
        second = make_plan(mate_enrollment, mate, title="Rencana kedua")
    with time_machine.travel(dt.datetime(2026, 3, 8, 9, tzinfo=dt.UTC), tick=False):
        client.force_login(trainer)
        response = client.get(reverse("action_plans:review_queue"))
        assert [p.pk for p in response.context["plans"]] == [first.pk, second.pk]
        body = response.content.decode()
        assert "3\xa0days" in body and "2\xa0days" in body
        labels = [i.label for i in navigation_for(trainer, "/")]
        assert "To review (2)" in labels


def test_queue_empty_state_and_nav(client, participant, trainer, plan):
    client.force_login(trainer)
    assert (
        "Nothing awaits your decision"
        in client.get(reverse("action_plans:review_queue")).content.decode()
    )
    labels = [i.label for i in navigation_for(participant, "/plans/")]
    assert "Action plans" in labels
    assert not any(label.startswith("To review") for label in labels)


def test_queue_query_count_constant(
    client, batch, organizer, mentor, unit, ready_plan, participant, trainer
):
    submit(ready_plan, participant)
    client.force_login(trainer)
    url = reverse("action_plans:review_queue")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    _more_plans(batch, organizer, mentor, unit)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["plans"]) == 4
    assert len(many) == len(one)


# --- Similar plans ----------------------------------------------------------------------------


@pytest.fixture
def twin(batch, organizer, mentor, unit):
    """A near-copy of ``ready_plan`` by a batch-mate (same institution, in scope)."""
    user, enrollment = make_mate(
        batch, organizer, username="kembar", name="Pak Kembar", mentor=mentor, unit=unit
    )
    plan = services.action_plan_create(
        enrollment=enrollment, by=user, title="Antrean daring puskesmas"
    )
    return make_ready(plan, user)


@pytest.fixture(params=["submitted"])
def far_twin(request, other_organizer, other_agency):
    """A near-copy in another institution (outside the coach's and organizer's scope),
    submitted (``params``: override with ``draft`` through indirect parametrisation)."""
    institution = Institution.objects.get(code="BPSDM-Z")
    unit = WorkUnitFactory(agency=other_agency, name="Dinas Kesehatan Zulu")
    coach = make_trainer(institution, "widyaiswara-z")
    user, _e = None, None
    from membumi.testing.factories import EmployeeFactory, UserFactory

    boss = EmployeeFactory(agency=other_agency, work_unit=unit, name="Atasan Zulu")
    employee = EmployeeFactory(
        agency=other_agency, work_unit=unit, supervisor=boss, name="Pak Rahasia"
    )
    user = UserFactory(username="peserta-z", employee=employee)
    problem = make_problem(unit=unit, by=user, state="validated")
    need = make_need(make_analysis(institution, other_organizer), problem)
    program = make_program(other_organizer, institution, need, name="Pelatihan Zulu")
    program_services.module_create(
        program=program, by=other_organizer, title="M", jp=40, objectives="O", needs=[need]
    )
    program_services.program_transition(program=program, action="publish", by=other_organizer)
    batch = make_batch(program, other_organizer, coach, name="Angkatan Z 2025")
    enrollment = program_services.enrollment_create(
        batch=batch, by=other_organizer, nip=employee.nip
    )
    enrollment.problem = problem
    enrollment.save(update_fields=["problem"])
    plan = services.action_plan_create(
        enrollment=enrollment, by=user, title="Antrean daring puskesmas"
    )
    plan = make_ready(plan, user)
    if request.param == "submitted":
        services.action_plan_transition(plan=plan, action="submit", by=user)
        plan.refresh_from_db()
    return plan


@pytest.mark.parametrize("who", ["participant", "mate", "mentor", "outsider", "other_organizer"])
def test_similar_404_for_everyone_but_coach_and_organizer(
    client, who, request, ready_plan, twin, mate
):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("action_plans:similar", args=[ready_plan.pk])).status_code == 404


@pytest.mark.parametrize("who", ["trainer", "organizer", "admin_user"])
def test_similar_side_by_side(client, who, request, ready_plan, twin, far_twin):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("action_plans:similar", args=[ready_plan.pk]))
    assert response.status_code == 200
    found = {row["other"]["plan"].pk: row for row in response.context["rows"]}
    assert set(found) == {twin.pk, far_twin.pk}
    assert found[twin.pk]["percent"] >= 90
    assert found[twin.pk]["same_institution"] and not found[far_twin.pk]["same_institution"]
    body = response.content.decode()
    assert "Pak Kembar" in body  # in scope: named and linked
    assert reverse("action_plans:plan_detail", args=[twin.pk]) in body
    if who != "admin_user":
        assert reverse("action_plans:plan_detail", args=[far_twin.pk]) not in body
    assert "<mark>" in body  # shared words highlighted
    assert "BPSDM Zulu" in body and "Angkatan Z 2025" in body
    if who == "admin_user":
        assert "Pak Rahasia" in body  # the administrator's scope is everything
    else:
        assert "Pak Rahasia" not in body and far_twin.enrollment.employee.nip not in body
        assert "Not shown: outside your scope" in body


@pytest.mark.parametrize("far_twin", ["draft"], indirect=True)
@pytest.mark.parametrize("who", ["trainer", "organizer", "admin_user"])
def test_similar_never_shows_an_unsubmitted_draft_outside_the_viewers_scope(
    client, who, request, ready_plan, twin, far_twin
):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("action_plans:similar", args=[ready_plan.pk]))
    shown = {row["other"]["plan"].pk for row in response.context["rows"]}
    api = client.get(f"/api/v1/action-plans/{ready_plan.pk}/similar").json()
    in_api = {item["id"] for item in api["similar"]}
    if who == "admin_user":  # everything is in the administrator's scope
        assert shown == in_api == {twin.pk, far_twin.pk}
    else:
        assert shown == in_api == {twin.pk}


def test_similar_empty_state(client, trainer, ready_plan):
    client.force_login(trainer)
    body = client.get(reverse("action_plans:similar", args=[ready_plan.pk])).content.decode()
    assert "No similar plan found" in body
