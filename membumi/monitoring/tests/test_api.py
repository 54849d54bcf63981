"""/api/v1/action-plans/{id}/updates and /api/v1/updates/{id}/verify (DESIGN §7)."""

import json

import pytest

from membumi.accounts.services import api_token_create
from membumi.monitoring import services
from membumi.monitoring.enums import UpdateState
from membumi.monitoring.models import ProgressUpdate

from .conftest import EXE, PDF, upload

pytestmark = pytest.mark.django_db


def _auth(user):
    _token, raw = api_token_create(user=user)
    return {"Authorization": f"Bearer {raw}"}


def _url(plan):
    return f"/api/v1/action-plans/{plan.pk}/updates"


def test_create_multipart_with_evidence(client, approved_plan, participant):
    milestone = approved_plan.milestones.first()
    response = client.post(
        _url(approved_plan),
        {
            "narrative": "Loket daring dibuka.",
            "measurement_value": "120",
            "measured_on": "2026-05-01",
            "measurement_source": "SIMPUS",
            "milestones": json.dumps([{"milestone_id": milestone.pk, "status": "done"}]),
            "links": ["https://example.org/a"],
            "files": [upload("laporan.pdf", PDF)],
        },
        headers=_auth(participant),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "submitted"
    assert body["measurements"][0]["value"] == "120.00"
    kinds = sorted(e["kind"] for e in body["evidence"])
    assert kinds == ["file", "link"]
    file_item = next(e for e in body["evidence"] if e["kind"] == "file")
    assert file_item["content_type"] == "application/pdf"
    assert file_item["url"] == f"/monitoring/evidence/{file_item['id']}/"
    assert body["milestones"] == [{"milestone_id": milestone.pk, "status": "done", "note": ""}]


def test_create_refuses_a_renamed_executable_400(client, approved_plan, participant):
    response = client.post(
        _url(approved_plan),
        {"narrative": "x", "files": [upload("laporan.pdf", EXE)]},
        headers=_auth(participant),
    )
    assert response.status_code == 400
    assert "files" in response.json()["errors"]
    assert not ProgressUpdate.objects.exists()


def test_create_bad_milestones_json_400(client, approved_plan, participant):
    response = client.post(
        _url(approved_plan), {"narrative": "x", "milestones": "{"}, headers=_auth(participant)
    )
    assert response.status_code == 400
    assert "milestones" in response.json()["errors"]


@pytest.mark.parametrize(
    ("persona", "status"), [("mentor", 403), ("outsider", 404), ("viewer", 404)]
)
def test_create_by_others(request, client, approved_plan, persona, status):
    response = client.post(
        _url(approved_plan), {"narrative": "x"}, headers=_auth(request.getfixturevalue(persona))
    )
    assert response.status_code == status


def test_create_on_a_draft_409(client, plan, participant):
    response = client.post(_url(plan), {"narrative": "x"}, headers=_auth(participant))
    assert response.status_code == 409


def test_list_scoped(client, approved_plan, participant, mentor, trainer, organizer, outsider):
    services.progress_update_create(plan=approved_plan, by=participant, narrative="Satu")
    for user in (participant, mentor, trainer, organizer):
        response = client.get(_url(approved_plan), headers=_auth(user))
        assert response.status_code == 200
        assert [u["narrative"] for u in response.json()["items"]] == ["Satu"]
    assert client.get(_url(approved_plan), headers=_auth(outsider)).status_code == 404


def test_verify_accept_reject_and_errors(client, approved_plan, participant, mentor, outsider):
    update = services.progress_update_create(plan=approved_plan, by=participant, narrative="Satu")
    url = f"/api/v1/updates/{update.pk}/verify"

    def post(user, data):
        return client.post(url, data, content_type="application/json", headers=_auth(user))

    assert post(outsider, {"decision": "accept"}).status_code == 404
    assert post(participant, {"decision": "accept"}).status_code == 403
    response = post(mentor, {"decision": "reject"})
    assert response.status_code == 400 and "note" in response.json()["errors"]
    assert post(mentor, {"decision": "maybe"}).status_code == 400
    response = post(mentor, {"decision": "reject", "note": "Foto buram"})
    assert response.status_code == 200
    assert response.json()["state"] == UpdateState.REJECTED
    assert response.json()["decision_note"] == "Foto buram"
    assert post(mentor, {"decision": "accept"}).status_code == 409
    assert update.decisions.get().channel == "api"


def test_get_update_outsider_404(client, approved_plan, participant, outsider):
    update = services.progress_update_create(plan=approved_plan, by=participant, narrative="Satu")
    assert client.get(f"/api/v1/updates/{update.pk}", headers=_auth(outsider)).status_code == 404
    assert client.get(f"/api/v1/updates/{update.pk}", headers=_auth(participant)).status_code == 200
