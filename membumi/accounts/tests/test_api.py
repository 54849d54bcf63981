"""The JSON API's front door: tokens, who-am-I, the error shape, the schema and the docs."""

import datetime as dt

import pytest
from django.utils import timezone

from membumi.accounts.models import ApiToken, hash_token
from membumi.accounts.services import api_token_create

PASSWORD = "secret-pass-123"
TOKEN_URL = "/api/v1/auth/token"
ME_URL = "/api/v1/me"


def _post_token(client, payload):
    return client.post(TOKEN_URL, payload, content_type="application/json")


def _bearer(raw):
    return {"Authorization": f"Bearer {raw}"}


def test_token_good_credentials_returns_token_that_authenticates(client, participant):
    response = _post_token(client, {"username": "peserta", "password": PASSWORD})

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires_at"}
    stored = ApiToken.objects.get(user=participant)
    assert stored.key_hash == hash_token(body["token"])  # only the hash is kept
    assert stored.prefix == body["token"][:8]
    assert dt.datetime.fromisoformat(body["expires_at"]) == stored.expires_at
    assert stored.expires_at > timezone.now() + dt.timedelta(days=29)
    me = client.get(ME_URL, headers=_bearer(body["token"]))
    assert me.json()["username"] == "peserta"


@pytest.mark.parametrize(
    "payload",
    [
        {"username": "peserta", "password": "salah"},
        {"username": "tidak-ada", "password": PASSWORD},
    ],
)
def test_token_bad_credentials_401_json(client, participant, payload):
    response = _post_token(client, payload)

    assert response.status_code == 401
    assert response.json()["detail"]
    assert not ApiToken.objects.exists()


def test_token_missing_password_400_with_field_errors(client, participant):
    response = _post_token(client, {"username": "peserta"})

    assert response.status_code == 400
    body = response.json()
    assert body["detail"]
    assert list(body["errors"]) == ["password"]
    assert body["errors"]["password"]


def test_token_not_json_400(client, participant):
    response = client.post(TOKEN_URL, "username=peserta", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"]


def test_token_five_failures_then_correct_password_429_json(client, participant):
    for i in range(5):
        _post_token(client, {"username": "peserta", "password": f"salah-{i}"})

    response = _post_token(client, {"username": "peserta", "password": PASSWORD})

    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]
    assert not ApiToken.objects.exists()


def test_token_fifth_failure_answers_429_json(client, participant):
    statuses = [
        _post_token(client, {"username": "peserta", "password": f"salah-{i}"}).status_code
        for i in range(5)
    ]
    assert statuses == [401, 401, 401, 401, 429]


def test_me_without_credentials_401_json(client, db):
    response = client.get(ME_URL)

    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert body["detail"]


def test_me_bearer_token_returns_roles_and_employee(client, participant, unit, agency):
    _token, raw = api_token_create(user=participant)

    response = client.get(ME_URL, headers=_bearer(raw))

    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "peserta"
    assert body["full_name"] == "Pak Peserta"
    assert body["email"] == "peserta@example.go.id"
    assert body["roles"] == [
        {"role": "participant", "scope_type": None, "scope_id": None, "scope_name": None}
    ]
    assert body["employee"] == {
        "nip": participant.employee.nip,
        "name": "Pak Peserta",
        "agency": {"id": agency.pk, "code": "KAB-A", "name": "Kabupaten Alfa"},
        "work_unit": {"id": unit.pk, "name": "Dinas Kesehatan", "code": None},
    }


def test_me_organizer_role_scoped_to_institution(client, organizer, institution):
    _token, raw = api_token_create(user=organizer)

    body = client.get(ME_URL, headers=_bearer(raw)).json()

    assert body["roles"] == [
        {
            "role": "organizer",
            "scope_type": "institution",
            "scope_id": institution.pk,
            "scope_name": "BPSDM Alfa",
        }
    ]


def test_me_viewer_without_employee(client, viewer, agency):
    _token, raw = api_token_create(user=viewer)

    body = client.get(ME_URL, headers=_bearer(raw)).json()

    assert body["employee"] is None
    assert body["roles"] == [
        {
            "role": "agency_viewer",
            "scope_type": "agency",
            "scope_id": agency.pk,
            "scope_name": "Kabupaten Alfa",
        }
    ]


def test_me_token_records_last_use(client, participant):
    token, raw = api_token_create(user=participant)
    assert token.last_used_at is None

    client.get(ME_URL, headers=_bearer(raw))

    token.refresh_from_db()
    assert token.last_used_at is not None


def test_me_expired_token_401(client, participant):
    token, raw = api_token_create(user=participant)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    response = client.get(ME_URL, headers=_bearer(raw))

    assert response.status_code == 401
    assert response.json()["detail"]


def test_me_token_of_inactive_user_401(client, participant):
    _token, raw = api_token_create(user=participant)
    participant.is_active = False
    participant.save(update_fields=["is_active"])

    assert client.get(ME_URL, headers=_bearer(raw)).status_code == 401


@pytest.mark.parametrize("header", ["Bearer not-a-real-token", "Bearer ", "Basic abc", "Token x"])
def test_me_garbage_authorization_401(client, participant, header):
    api_token_create(user=participant)

    response = client.get(ME_URL, headers={"Authorization": header})

    assert response.status_code == 401
    assert set(response.json()) == {"detail", "errors"}


def test_me_session_auth_works_for_get(client, mentor):
    client.force_login(mentor)

    response = client.get(ME_URL)

    assert response.status_code == 200
    assert response.json()["username"] == "mentor"
    assert response.json()["roles"][0]["role"] == "mentor"


def test_me_query_count_constant(client, organizer, django_assert_num_queries):
    _token, raw = api_token_create(user=organizer)
    client.get(ME_URL, headers=_bearer(raw))  # records last_used_at once

    # token+user+employee, roles, employee's agency, employee's work unit
    with django_assert_num_queries(4):
        client.get(ME_URL, headers=_bearer(raw))


def test_openapi_lists_paths(client, db):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/v1/auth/token",
        "/api/v1/me",
        "/api/v1/employees",
        "/api/v1/employees/{nip}",
    ):
        assert path in schema["paths"], path
    assert "post" in schema["paths"]["/api/v1/auth/token"]


def test_docs_render_with_local_swagger(client, participant):
    client.force_login(participant)

    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "/static/ninja/swagger-ui.css" in html
    for cdn in ("cdn.jsdelivr", "unpkg.com", "cdnjs", "https://"):
        assert cdn not in html
    # Swagger UI styles its widgets inline; scripts stay strict.
    csp = response["Content-Security-Policy"]
    assert "script-src 'self';" in csp
    assert "style-src 'self' 'unsafe-inline'" in csp


def test_docs_public_for_anonymous(client, db):
    """The docs and the schema describe the API; they contain no data, so they stay public."""
    assert client.get("/api/v1/docs").status_code == 200
    assert client.get("/api/v1/openapi.json").status_code == 200
