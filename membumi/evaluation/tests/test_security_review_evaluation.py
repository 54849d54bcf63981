"""Security review of follow-ups (each test failed before its fix).

The mentor's form is a candid rating of the participant: the participant never reads it, also
when another role would let them read every form of the batch (the participant is their own
coach, or an organizer of the institution that runs their batch)."""

import datetime as dt

import pytest
from django.urls import reverse

from membumi.accounts.enums import Role
from membumi.evaluation import queries
from membumi.testing.factories import RoleAssignmentFactory

from .conftest import GOOD

pytestmark = pytest.mark.django_db

BASE = "/api/v1/follow-ups"


@pytest.fixture
def today(time_machine):
    time_machine.move_to(dt.datetime(2026, 6, 25, 10, 0), tick=False)


@pytest.fixture
def answered(forms, mentor, today):
    from membumi.evaluation import services

    _own, theirs = forms
    return services.follow_up_respond(
        follow_up=theirs,
        by=mentor,
        plan_status="stopped",
        stop_reason="Tidak didukung atasan",
        ratings={**GOOD, "applies": 1},
        comment="Belum berubah.",
    )


def _self_coached(participant, enrollment, institution, organizer):
    RoleAssignmentFactory(user=participant, role=Role.TRAINER, institution=institution)
    enrollment.batch.trainers.add(participant)
    enrollment.coach = participant
    enrollment.save(update_fields=["coach"])


def _organizer_participant(participant, enrollment, institution, organizer):
    RoleAssignmentFactory(user=participant, role=Role.ORGANIZER, institution=institution)


@pytest.mark.parametrize("arrange", [_self_coached, _organizer_participant])
def test_participant_never_reads_the_mentors_rating_of_themselves(
    client, answered, participant, enrollment, institution, organizer, arrange
):
    arrange(participant, enrollment, institution, organizer)
    client.force_login(participant)

    assert answered not in queries.follow_ups_for_user(participant)
    page = client.get(reverse("evaluation:follow_up_detail", args=[answered.pk]))
    assert page.status_code == 404
    assert b"Tidak didukung atasan" not in page.content
    api = client.get(f"{BASE}/{answered.pk}")
    assert api.status_code == 404
    assert set(api.json()) == {"detail", "errors"}


def test_participants_own_form_stays_readable_when_they_also_coach(
    client, forms, participant, enrollment, institution, organizer, today
):
    own, _theirs = forms
    _self_coached(participant, enrollment, institution, organizer)
    client.force_login(participant)

    assert client.get(reverse("evaluation:follow_up_detail", args=[own.pk])).status_code == 200


def test_coach_still_reads_the_mentors_form(client, answered, trainer):
    client.force_login(trainer)

    assert client.get(f"{BASE}/{answered.pk}").json()["stop_reason"] == "Tidak didukung atasan"


def test_self_coached_participant_reads_no_mentor_stop_reason_about_themselves_in_the_rollup(
    client, answered, participant, enrollment, institution, organizer, trainer
):
    _self_coached(participant, enrollment, institution, organizer)
    url = reverse("evaluation:batch_rollup", args=[enrollment.batch_id])

    client.force_login(trainer)
    assert "Tidak didukung atasan" in client.get(url).content.decode()
    client.force_login(participant)
    page = client.get(url)
    assert page.status_code == 200
    assert "Tidak didukung atasan" not in page.content.decode()


def test_api_refuses_a_boolean_rating_instead_of_recording_it_as_1(
    client, forms, participant, today
):
    own, _theirs = forms
    client.force_login(participant)

    response = client.post(
        f"{BASE}/{own.pk}/respond",
        {"plan_status": "continuing", "ratings": {**GOOD, "applies": True}},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert set(response.json()) == {"detail", "errors"}
    own.refresh_from_db()
    assert own.answered_at is None
