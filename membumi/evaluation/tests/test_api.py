import datetime as dt

import pytest

from membumi.evaluation.models import FollowUp

from .conftest import GOOD

pytestmark = pytest.mark.django_db

BASE = "/api/v1/follow-ups"


@pytest.fixture
def today(time_machine):
    time_machine.move_to(dt.datetime(2026, 6, 25, 10, 0), tick=False)


def respond(client, form, **data):
    payload = {"plan_status": "continuing", "ratings": GOOD, "comment": "", **data}
    return client.post(f"{BASE}/{form.pk}/respond", payload, content_type="application/json")


def test_list_mine_paginated_with_pending_filter(client, forms, participant, today):
    own, _ = forms
    client.force_login(participant)
    body = client.get(BASE).json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["id"] == own.pk and item["role"] == "participant"
    assert item["status"] == "open" and item["can_respond"] is True
    assert [i["code"] for i in item["items"]] == list(GOOD)
    assert respond(client, own).status_code == 200
    assert client.get(f"{BASE}?pending=true").json()["count"] == 0
    assert client.get(f"{BASE}?pending=false").json()["count"] == 1


def test_respond_records_the_answer(client, forms, mentor, today):
    _, theirs = forms
    client.force_login(mentor)
    response = respond(client, theirs, plan_status="stopped", stop_reason="Mutasi", comment="ok")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "answered" and body["plan_status"] == "stopped"
    assert body["ratings"] == GOOD and body["can_respond"] is False
    theirs.refresh_from_db()
    assert theirs.stop_reason == "Mutasi"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"plan_status": "stopped", "stop_reason": ""}, "stop_reason"),
        ({"ratings": {**GOOD, "applies": 7}}, "ratings"),
        ({"ratings": {"applies": 3}}, "ratings"),
        ({"plan_status": "paused"}, "plan_status"),
    ],
)
def test_invalid_answer_is_400(client, forms, participant, today, data, field):
    own, _ = forms
    client.force_login(participant)
    response = respond(client, own, **data)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert FollowUp.objects.get(pk=own.pk).answered_at is None


def test_already_answered_is_409(client, forms, participant, today):
    own, _ = forms
    client.force_login(participant)
    assert respond(client, own).status_code == 200
    response = respond(client, own)
    assert response.status_code == 409
    assert "already been answered" in response.json()["detail"]


def test_closed_is_409(client, forms, participant, time_machine):
    own, _ = forms
    time_machine.move_to(dt.datetime(2026, 8, 1, 10, 0), tick=False)
    client.force_login(participant)
    assert respond(client, own).status_code == 409
    assert client.get(f"{BASE}/{own.pk}").json()["status"] == "closed"


def test_not_the_respondent(client, forms, organizer, outsider, participant, today):
    own, theirs = forms
    client.force_login(organizer)
    assert client.get(f"{BASE}/{own.pk}").status_code == 200
    assert respond(client, own).status_code == 403
    client.force_login(outsider)
    assert client.get(f"{BASE}/{own.pk}").status_code == 404
    assert respond(client, own).status_code == 404
    assert client.get(BASE).json()["count"] == 0
    client.force_login(participant)
    assert client.get(f"{BASE}/{theirs.pk}").status_code == 404


def test_unauthenticated_is_401(client, forms):
    assert client.get(BASE).status_code == 401


def test_policy_get_and_put(client, program, organizer, other_organizer):
    client.force_login(organizer)
    body = client.get(f"{BASE}/policy/{program.pk}").json()
    assert body["offsets"] == [3, 6, 12] and body["window_days"] == 30
    new = {"offsets": [6], "window_days": 14, "items": [{"code": "sops", "text": "SOP baru"}]}
    response = client.put(f"{BASE}/policy/{program.pk}", new, content_type="application/json")
    assert response.status_code == 200 and response.json() == new
    bad = {**new, "offsets": [0]}
    response = client.put(f"{BASE}/policy/{program.pk}", bad, content_type="application/json")
    assert response.status_code == 400 and "offsets" in response.json()["errors"]
    client.force_login(other_organizer)
    assert client.get(f"{BASE}/policy/{program.pk}").status_code == 404
