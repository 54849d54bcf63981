"""``/api/v1/needs-analyses``: run over a scope, list, retrieve; roles and error shapes."""

import pytest

from membumi.accounts.services import api_token_create
from membumi.core.models import AuditLog
from membumi.needs.models import NeedProblem, NeedsAnalysis
from membumi.testing.factories import InstitutionFactory, RoleAssignmentFactory

from .conftest import make_analysis, make_problem, make_theme_problems

URL = "/api/v1/needs-analyses"


def _bearer(user):
    _token, raw = api_token_create(user=user)
    return {"Authorization": f"Bearer {raw}"}


def _post(client, user, payload):
    return client.post(URL, payload, content_type="application/json", headers=_bearer(user))


@pytest.fixture
def themed(unit, sibling_unit):
    return make_theme_problems(unit, "school") + make_theme_problems(sibling_unit, "licensing")


# --- POST ---------------------------------------------------------------------------------------


def test_post_empty_scope_runs_over_everything(client, organizer, themed):
    response = _post(client, organizer, {})

    assert response.status_code == 201
    body = response.json()
    analysis = NeedsAnalysis.objects.get()
    assert body["id"] == analysis.pk
    assert body["status"] == "done"
    assert body["progress"] == 100
    assert body["problem_count"] == 8
    assert body["institution"]["code"] == "BPSDM-A"
    assert body["created_by"] == "penyelenggara"
    assert body["scope"] == {
        "agencies": [],
        "units": [],
        "sectors": [],
        "period_from": None,
        "period_to": None,
    }
    assert body["need_count"] == len(body["needs"]) >= 2
    returned = [pk for need in body["needs"] for pk in need["problem_ids"]]
    assert sorted(returned) == sorted(p.pk for p in themed)  # every problem, once
    for need in body["needs"]:
        assert need["label"]
        assert need["keywords"]
        assert need["problem_count"] == len(need["problem_ids"])
        assert need["units_affected"] >= 1
        assert need["priority_total"] == 9 * need["problem_count"]
        assert need["priority_mean"] == 9.0
        assert set(need["example_problem_ids"]) <= set(need["problem_ids"])
        assert need["accepted"] is False


def test_post_with_scope(client, organizer, themed, unit):
    response = _post(
        client,
        organizer,
        {
            "title": "AKP Pendidikan",
            "agencies": ["KAB-A"],
            "units": [unit.pk],
            "sectors": ["education"],
            "period_from": "2000-01-01",
            "period_to": "2100-01-01",
        },
    )

    assert response.status_code == 201
    body = response.json()
    assert body["title"] == "AKP Pendidikan"
    assert body["problem_count"] == 4
    assert body["scope"] == {
        "agencies": ["KAB-A"],
        "units": [unit.pk],
        "sectors": ["education"],
        "period_from": "2000-01-01",
        "period_to": "2100-01-01",
    }


def test_post_twice_makes_two_analyses(client, organizer, themed):
    first = _post(client, organizer, {"title": "Satu"}).json()
    second = _post(client, organizer, {"title": "Dua"}).json()

    assert first["id"] != second["id"]
    assert NeedsAnalysis.objects.count() == 2
    assert NeedProblem.objects.filter(analysis_id=first["id"]).count() == 8


def test_post_scope_outside_institution_400_per_field(client, organizer, other_organizer, themed):
    response = _post(client, organizer, {"agencies": ["KAB-Z"], "sectors": ["astrologi"]})

    assert response.status_code == 400
    body = response.json()
    assert body["detail"]
    assert set(body["errors"]) == {"agencies", "sectors"}
    assert not NeedsAnalysis.objects.exists()


def test_post_bad_types_400(client, organizer, themed):
    response = _post(client, organizer, {"units": ["satu"], "period_from": "kemarin"})

    assert response.status_code == 400
    assert {"units.0", "period_from"} <= set(response.json()["errors"])


def test_post_nothing_in_scope_400(client, organizer, themed):
    response = _post(client, organizer, {"sectors": ["disaster"]})

    assert response.status_code == 400
    assert response.json()["errors"]["__all__"]


@pytest.mark.parametrize("persona", ["participant", "viewer", "trainer", "mentor"])
def test_post_by_non_organizer_403(client, request, themed, persona):
    response = _post(client, request.getfixturevalue(persona), {})

    assert response.status_code == 403
    assert response.json()["detail"]
    assert not NeedsAnalysis.objects.exists()


def test_post_without_credentials_401(client, themed):
    response = client.post(URL, {}, content_type="application/json")
    assert response.status_code == 401


def test_post_organizer_of_two_institutions_must_say_which(client, organizer, agency, themed):
    second = InstitutionFactory(agency=agency, code="PUSDIKLAT")
    RoleAssignmentFactory(user=organizer, role="organizer", institution=second)

    missing = _post(client, organizer, {})
    chosen = _post(client, organizer, {"institution": "PUSDIKLAT"})
    foreign = _post(client, organizer, {"institution": "NOPE"})

    assert missing.status_code == 400
    assert "institution" in missing.json()["errors"]
    assert chosen.status_code == 201
    assert chosen.json()["institution"]["code"] == "PUSDIKLAT"
    assert foreign.status_code == 400


def test_post_admin_names_institution(client, admin_user, institution, other_organizer, themed):
    """With several institutions in the system, an administrator says which one."""
    assert _post(client, admin_user, {}).status_code == 400
    response = _post(client, admin_user, {"institution": "BPSDM-A"})
    assert response.status_code == 201
    assert response.json()["problem_count"] == 8


def test_post_clustering_failure_reports_failed(client, organizer, themed, monkeypatch):
    from membumi.needs import services

    monkeypatch.setattr(services, "cluster_problems", lambda items: 1 / 0)

    response = _post(client, organizer, {})

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "failed"
    assert body["needs"] == []
    assert body["message"]


# --- GET ------------------------------------------------------------------------------------------


def test_get_list_paginated_own_institution(client, organizer, other_organizer, analysis, unit):
    other_institution = other_organizer.role_assignments.get().institution
    make_analysis(other_institution, [("Lain", [make_problem(unit=unit)])], title="Milik lain")

    response = client.get(URL, headers=_bearer(organizer))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    (item,) = body["items"]
    assert item["title"] == "AKP uji"
    assert item["need_count"] == 2
    assert item["accepted_count"] == 0
    assert item["status"] == "done"


def test_get_list_query_count_constant(
    client, django_assert_num_queries, django_assert_max_num_queries, organizer, institution, unit
):
    headers = _bearer(organizer)
    make_analysis(institution, [("A", [make_problem(unit=unit)])])
    client.get(URL, headers=headers)  # the first use of a token records it
    with django_assert_max_num_queries(8) as one:
        client.get(URL, headers=headers)
    for i in range(5):
        make_analysis(institution, [(f"K{i}", [make_problem(unit=unit), make_problem(unit=unit)])])
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(URL, headers=headers).json()["count"] == 6


def test_get_one_with_needs_and_problem_ids(client, organizer, analysis):
    response = client.get(f"{URL}/{analysis.pk}", headers=_bearer(organizer))

    assert response.status_code == 200
    body = response.json()
    needs = {n["label"]: n for n in body["needs"]}
    imunisasi = analysis.needs.get(label="Imunisasi")
    assert needs["Imunisasi"]["problem_ids"] == sorted(
        imunisasi.problems.values_list("pk", flat=True)
    )
    assert needs["Imunisasi"]["priority_total"] == 21
    assert needs["Imunisasi"]["priority_mean"] == 10.5
    assert needs["Imunisasi"]["units_affected"] == 2
    assert len(needs["Imunisasi"]["example_problem_ids"]) == 2


def test_get_one_query_count_constant(
    client,
    django_assert_num_queries,
    django_assert_max_num_queries,
    organizer,
    institution,
    unit,
):
    headers = _bearer(organizer)
    small = make_analysis(institution, [("A", [make_problem(unit=unit)])])
    big = make_analysis(
        institution, [(f"K{i}", [make_problem(unit=unit) for _ in range(3)]) for i in range(6)]
    )
    client.get(f"{URL}/{small.pk}", headers=headers)  # the first use of a token records it
    with django_assert_max_num_queries(10) as one:
        client.get(f"{URL}/{small.pk}", headers=headers)
    with django_assert_num_queries(len(one.captured_queries)):
        body = client.get(f"{URL}/{big.pk}", headers=headers).json()
    assert len(body["needs"]) == 6


@pytest.mark.parametrize("persona", ["participant", "viewer"])
def test_get_by_non_organizer_403(client, request, analysis, persona):
    user = request.getfixturevalue(persona)
    assert client.get(URL, headers=_bearer(user)).status_code == 403
    assert client.get(f"{URL}/{analysis.pk}", headers=_bearer(user)).status_code == 403


def test_get_other_institution_404(client, other_organizer, analysis):
    response = client.get(f"{URL}/{analysis.pk}", headers=_bearer(other_organizer))

    assert response.status_code == 404
    assert response.json()["detail"]


def test_api_run_is_audited(client, organizer, themed):
    _post(client, organizer, {})
    assert AuditLog.objects.filter(action="needs.analysis_started", actor=organizer).exists()


def test_openapi_lists_needs_endpoints(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/needs-analyses" in paths
    assert "/api/v1/needs-analyses/{analysis_id}" in paths
