"""/api/v1/problems: list, create, retrieve, update, transitions, similar, import, join —
scoped like the pages, errors per DESIGN §7."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from membumi.accounts.services import api_token_create
from membumi.problems.models import Problem, ProblemEndorsement
from membumi.testing.factories import EmployeeFactory, UserFactory

from .conftest import ANTREAN, make_problem
from .test_importing import row, write_csv

URL = "/api/v1/problems"

BODY = {
    "title": "Antrean obat di apotek puskesmas",
    "statement": "Pasien menunggu obat lebih dari satu jam.",
    "sector": "health",
    "indicator_name": "Waktu tunggu obat",
    "indicator_unit": "menit",
    "indicator_direction": "decrease",
    "baseline_value": "75.5",
    "baseline_date": "2026-02-01",
    "urgency": 4,
    "seriousness": 3,
    "growth": 3,
    "root_causes": {"method": "Resep ditulis tangan"},
}


class Api:
    """A client that authenticates with a bearer token, like a script would."""

    def __init__(self, client, user):
        self.client = client
        _token, raw = api_token_create(user=user)
        self.headers = {"Authorization": f"Bearer {raw}"}

    def get(self, url, params=None):
        return self.client.get(url, params or {}, headers=self.headers)

    def post(self, url, body=None):
        return self.client.post(
            url, json.dumps(body or {}), content_type="application/json", headers=self.headers
        )

    def patch(self, url, body):
        return self.client.patch(
            url, json.dumps(body), content_type="application/json", headers=self.headers
        )

    def upload(self, url, upload):
        return self.client.post(url, {"file": upload}, headers=self.headers)


@pytest.fixture
def api(client):
    return lambda user: Api(client, user)


def error_shape(response):
    body = response.json()
    assert set(body) == {"detail", "errors"}
    return body


# --- Authentication and scope ----------------------------------------------------------------


def test_without_credentials_401(client, problem):
    for response in (client.get(URL), client.get(f"{URL}/{problem.pk}")):
        assert response.status_code == 401
        error_shape(response)


def test_session_auth_works_for_the_browser(client, participant, problem):
    client.force_login(participant)
    assert client.get(URL).json()["count"] == 1


def test_list_is_scoped(api, everyone, problem, foreign_problem, outsider, viewer):
    assert [p["id"] for p in api(viewer).get(URL).json()["items"]] == [problem.pk]
    assert [p["id"] for p in api(outsider).get(URL).json()["items"]] == [foreign_problem.pk]


def test_retrieve_outside_scope_404(api, everyone, problem, outsider):
    response = api(outsider).get(f"{URL}/{problem.pk}")

    assert response.status_code == 404
    assert error_shape(response)["detail"] == "Not found."


# --- List ------------------------------------------------------------------------------------


def test_list_item_shape(api, problem, participant, agency, unit):
    body = api(participant).get(URL).json()

    assert body["count"] == 1
    item = body["items"][0]
    assert item["id"] == problem.pk
    assert item["title"] == ANTREAN[0]
    assert item["agency"] == {"id": agency.pk, "name": "Kabupaten Alfa", "code": "KAB-A"}
    assert item["work_unit"] == {"id": unit.pk, "name": "Dinas Kesehatan"}
    assert item["submitted_by"] == "Pak Peserta"
    assert (item["priority"], item["state"], item["baseline_value"]) == (11, "open", 180.0)
    assert (item["endorsement_count"], item["duplicate_of_id"]) == (0, None)
    assert item["baseline_date"] == "2026-01-31"


@pytest.mark.parametrize(
    ("params", "titles"),
    [
        ({"sector": "education"}, ["Sekolah"]),
        ({"state": "validated"}, ["Sekolah"]),
        ({"agency": "KAB-A"}, ["Sekolah", "Akta"]),
        ({"agency": "KAB-Z"}, []),
        ({"q": "akta"}, ["Akta"]),
        ({"min_priority": 14}, ["Sekolah"]),
        ({"unit": "SIBLING"}, ["Sekolah"]),
        ({"unit": 999999}, []),
    ],
)
def test_list_filters(api, viewer, participant, unit, sibling_unit, params, titles):
    make_problem(unit=unit, by=participant, title="Akta")
    make_problem(
        unit=sibling_unit,
        by=viewer,
        title="Sekolah",
        sector="education",
        state="validated",
        urgency=5,
        seriousness=5,
        growth=5,
    )
    if params.get("unit") == "SIBLING":
        params = {"unit": sibling_unit.pk}

    body = api(viewer).get(URL, params).json()

    assert [p["title"] for p in body["items"]] == titles


def test_list_bad_filter_400(api, viewer):
    response = api(viewer).get(URL, {"sector": "space"})
    assert response.status_code == 400
    assert "sector" in error_shape(response)["errors"]


def test_list_query_count_does_not_grow(api, participant, unit, agency, sibling_unit):
    client = api(participant)
    make_problem(unit=unit, by=participant)
    client.get(URL)
    with CaptureQueriesContext(connection) as one:
        client.get(URL)
    colleague = UserFactory(employee=EmployeeFactory(agency=agency, work_unit=sibling_unit))
    for n in range(60):
        make_problem(unit=unit if n % 2 else sibling_unit, by=colleague if n % 3 else participant)

    with CaptureQueriesContext(connection) as many:
        body = client.get(URL).json()

    assert len(body["items"]) == 50
    assert len(many.captured_queries) == len(one.captured_queries)


# --- Create ----------------------------------------------------------------------------------


def test_create_for_own_unit(api, participant, unit):
    response = api(participant).post(URL, BODY)

    assert response.status_code == 201
    body = response.json()
    problem = Problem.objects.get(pk=body["id"])
    assert (problem.work_unit, problem.submitted_by, problem.priority) == (unit, participant, 10)
    assert body["root_causes"] == {"method": "Resep ditulis tangan"}
    assert body["allowed_actions"] == ["close"]
    assert [t["action"] for t in body["transitions"]] == ["submit"]


def test_create_viewer_must_choose_a_unit(api, viewer, unit, sibling_unit, foreign_unit):
    client = api(viewer)

    missing = client.post(URL, BODY)
    foreign = client.post(URL, {**BODY, "work_unit_id": foreign_unit.pk})
    chosen = client.post(URL, {**BODY, "work_unit_id": sibling_unit.pk})

    assert missing.status_code == 400
    assert "work_unit_id" in error_shape(missing)["errors"]
    assert foreign.status_code == 400
    assert chosen.status_code == 201
    assert Problem.objects.get().work_unit == sibling_unit


def test_create_without_unit_or_role_403(api, db):
    response = api(UserFactory(username="kosong")).post(URL, BODY)

    assert response.status_code == 403
    error_shape(response)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"urgency": 6}, "urgency"),
        ({"sector": "space"}, "sector"),
        ({"baseline_date": "31/01/2026"}, "baseline_date"),
        ({"root_causes": {"luck": "bad"}}, "root_causes"),
        ({"title": ""}, "title"),
    ],
)
def test_create_invalid_400_per_field(api, participant, change, field):
    response = api(participant).post(URL, {**BODY, **change})

    assert response.status_code == 400
    assert field in error_shape(response)["errors"]
    assert not Problem.objects.exists()


# --- Retrieve and update ---------------------------------------------------------------------


def test_retrieve_has_history_and_endorsements(api, problem, mentor, agency, sibling_unit):
    colleague = UserFactory(employee=EmployeeFactory(agency=agency, work_unit=sibling_unit))
    api(colleague).post(f"{URL}/{problem.pk}/join")

    body = api(mentor).get(f"{URL}/{problem.pk}").json()

    assert body["allowed_actions"] == ["validate", "close", "mark_duplicate"]
    assert body["transitions"][0]["action"] == "submit"
    assert body["transitions"][0]["by"] == "Pak Peserta"
    assert body["endorsements"][0]["work_unit"]["id"] == sibling_unit.pk
    assert body["endorsement_count"] == 1


def test_update_while_open(api, problem, participant):
    response = api(participant).patch(f"{URL}/{problem.pk}", {"urgency": 5, "title": "Baru"})

    assert response.status_code == 200
    assert (response.json()["priority"], response.json()["title"]) == (12, "Baru")
    problem.refresh_from_db()
    assert problem.title == "Baru"


def test_update_after_open_409(api, problem, mentor, participant):
    api(mentor).post(f"{URL}/{problem.pk}/validate")

    response = api(participant).patch(f"{URL}/{problem.pk}", {"title": "Baru"})

    assert response.status_code == 409
    assert "only while it is open" in error_shape(response)["detail"]


def test_update_by_viewer_403(api, problem, viewer):
    response = api(viewer).patch(f"{URL}/{problem.pk}", {"title": "Baru"})
    assert response.status_code == 403
    error_shape(response)


def test_update_outside_scope_404(api, problem, outsider):
    assert api(outsider).patch(f"{URL}/{problem.pk}", {"title": "Baru"}).status_code == 404


def test_update_invalid_400(api, problem, participant):
    response = api(participant).patch(f"{URL}/{problem.pk}", {"growth": 0})
    assert response.status_code == 400
    assert "growth" in error_shape(response)["errors"]


# --- Transitions -----------------------------------------------------------------------------


def test_validate_then_resolve(api, problem, mentor):
    client = api(mentor)

    validated = client.post(f"{URL}/{problem.pk}/validate", {"note": "Kewenangan unit"})
    resolved = client.post(f"{URL}/{problem.pk}/resolve", {"note": "Waktu tunggu 2 hari"})

    assert validated.status_code == 200
    assert validated.json()["state"] == "validated"
    assert resolved.json()["state"] == "resolved"
    assert [t["to_state"] for t in resolved.json()["transitions"]] == [
        "open",
        "validated",
        "resolved",
    ]


def test_invalid_transition_409(api, problem, mentor):
    response = api(mentor).post(f"{URL}/{problem.pk}/resolve", {"note": "x"})

    assert response.status_code == 409
    assert error_shape(response)["detail"] == "Cannot resolve a problem that is Open."


def test_transition_relation_may_not_act_403(api, problem, participant):
    response = api(participant).post(f"{URL}/{problem.pk}/validate")

    assert response.status_code == 403
    assert "mentor or unit head" in error_shape(response)["detail"]


def test_close_without_note_400(api, problem, participant):
    response = api(participant).post(f"{URL}/{problem.pk}/close", {})

    assert response.status_code == 400
    assert error_shape(response)["errors"] == {"note": ["Give a reason."]}
    assert Problem.objects.get(pk=problem.pk).state == "open"


def test_close_with_note(api, problem, participant):
    response = api(participant).post(f"{URL}/{problem.pk}/close", {"note": "Sudah tertangani"})
    assert response.json()["state"] == "closed"


def test_transition_outside_scope_404(api, problem, outsider):
    assert api(outsider).post(f"{URL}/{problem.pk}/close", {"note": "x"}).status_code == 404


def test_mark_duplicate(api, problem, mentor, participant, unit):
    copy = make_problem(unit=unit, by=participant)

    response = api(mentor).post(
        f"{URL}/{copy.pk}/mark-duplicate", {"note": "Sama", "duplicate_of": problem.pk}
    )

    assert response.status_code == 200
    assert (response.json()["state"], response.json()["duplicate_of_id"]) == (
        "duplicate",
        problem.pk,
    )


def test_mark_duplicate_needs_a_visible_original(api, problem, mentor, foreign_problem):
    client = api(mentor)

    missing = client.post(f"{URL}/{problem.pk}/mark-duplicate", {"note": "Sama"})
    foreign = client.post(
        f"{URL}/{problem.pk}/mark-duplicate", {"note": "Sama", "duplicate_of": foreign_problem.pk}
    )

    assert missing.status_code == 400
    assert "duplicate_of" in error_shape(missing)["errors"]
    assert foreign.status_code == 400
    assert "duplicate_of" in error_shape(foreign)["errors"]


def test_address_and_reopen(api, problem, mentor, organizer, admin_user):
    api(mentor).post(f"{URL}/{problem.pk}/validate")
    addressed = api(organizer).post(f"{URL}/{problem.pk}/address")
    closed = api(mentor).post(f"{URL}/{problem.pk}/close", {"note": "Salah unit"})
    reopened = api(admin_user).post(f"{URL}/{problem.pk}/reopen", {"note": "Ternyata benar"})

    assert addressed.json()["state"] == "addressed"
    assert closed.json()["state"] == "closed"
    assert reopened.json()["state"] == "open"


# --- Join ------------------------------------------------------------------------------------


def test_join(api, problem, agency, sibling_unit, participant):
    colleague = UserFactory(employee=EmployeeFactory(agency=agency, work_unit=sibling_unit))

    response = api(colleague).post(f"{URL}/{problem.pk}/join")
    refused = api(participant).post(f"{URL}/{problem.pk}/join")

    assert response.status_code == 200
    assert ProblemEndorsement.objects.get().user == colleague
    assert refused.status_code == 400
    assert "yourself" in error_shape(refused)["errors"]["__all__"][0]


# --- Similar ---------------------------------------------------------------------------------


def test_similar_ranked_and_scoped(api, everyone, problem, foreign_problem, participant, unit):
    make_problem(unit=unit, by=participant, title="Stunting balita", statement="Gizi buruk")

    response = api(participant).get(f"{URL}/similar", {"q": ANTREAN[0], "limit": 5})

    body = response.json()
    assert response.status_code == 200
    assert [r["id"] for r in body["results"]] == [problem.pk]
    result = body["results"][0]
    assert 0 < result["score"] <= 1
    assert result["own_agency"] is True
    assert body["outside_scope"] == {"count": 1, "agencies": ["Kabupaten Zulu"]}
    assert foreign_problem.title not in response.content.decode()


def test_similar_outsider_gets_only_the_count(api, everyone, problem, outsider):
    response = api(outsider).get(f"{URL}/similar", {"q": f"{ANTREAN[0]}. {ANTREAN[1]}"})

    body = response.json()
    assert body["results"] == []
    assert body["outside_scope"] == {"count": 1, "agencies": ["Kabupaten Alfa"]}
    assert ANTREAN[0] not in response.content.decode()


def test_similar_limit(api, participant, unit):
    for n in range(4):
        make_problem(unit=unit, by=participant, title=f"{ANTREAN[0]} {n}", statement=ANTREAN[1])

    body = api(participant).get(f"{URL}/similar", {"q": ANTREAN[0], "limit": 2}).json()

    assert len(body["results"]) == 2
    assert body["results"][0]["score"] >= body["results"][1]["score"]


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "x", "limit": 0}, {"q": "x", "limit": 51}])
def test_similar_bad_query_400(api, participant, params):
    response = api(participant).get(f"{URL}/similar", params)
    assert response.status_code == 400
    error_shape(response)


# --- Import ----------------------------------------------------------------------------------


def _csv_upload(tmp_path, rows):
    path = write_csv(tmp_path / "masalah.csv", rows)
    return SimpleUploadedFile("masalah.csv", path.read_bytes(), content_type="text/csv")


def test_import_returns_the_report(api, tmp_path, viewer, unit):
    response = api(viewer).upload(
        f"{URL}/import",
        _csv_upload(
            tmp_path,
            [row(1, unit="Dinas Kesehatan"), row(2, unit="Dinas Kesehatan", urgency="7")],
        ),
    )

    body = response.json()
    assert response.status_code == 200
    assert (body["rows"], body["created"], body["unchanged"], body["rejected"]) == (2, 1, 0, 1)
    assert body["errors"] == [
        {
            "row": 3,
            "column": "urgency",
            "message": "“7” is not a score from 1 to 5.",
            "level": "error",
        }
    ]
    assert body["summary"] == "2 rows read: 1 created, 0 updated, 0 unchanged, 1 rejected."


def test_import_role_may_not_403(api, tmp_path, participant, unit):
    response = api(participant).upload(f"{URL}/import", _csv_upload(tmp_path, [row(1)]))
    assert response.status_code == 403
    assert not Problem.objects.exists()


def test_import_bad_file_400(api, viewer):
    response = api(viewer).upload(
        f"{URL}/import", SimpleUploadedFile("m.csv", b"judul\nx\n", content_type="text/csv")
    )
    assert response.status_code == 400
    assert "Required columns are missing" in error_shape(response)["errors"]["file"][0]
    wrong = api(viewer).upload(
        f"{URL}/import", SimpleUploadedFile("m.pdf", b"%PDF", content_type="application/pdf")
    )
    assert wrong.status_code == 400
    assert "file" in error_shape(wrong)["errors"]


def test_openapi_lists_the_endpoints(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/problems",
        "/api/v1/problems/similar",
        "/api/v1/problems/import",
        "/api/v1/problems/{problem_id}",
        "/api/v1/problems/{problem_id}/validate",
        "/api/v1/problems/{problem_id}/mark-duplicate",
    ):
        assert path in paths
