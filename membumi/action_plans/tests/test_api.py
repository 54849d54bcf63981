"""/api/v1/action-plans: scoped, lifecycle steps, milestones, errors per DESIGN §7."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from membumi.accounts.services import api_token_create
from membumi.action_plans import services
from membumi.action_plans.enums import PlanState
from membumi.action_plans.models import ActionPlan, Milestone, ReviewPolicy, Stakeholder
from membumi.programs import services as program_services
from membumi.testing.factories import EmployeeFactory, RoleAssignmentFactory, UserFactory

from .conftest import in_state

BASE = "/api/v1/action-plans"


@pytest.fixture
def everyone(participant, mentor, organizer, trainer, viewer, outsider, other_organizer):
    """Create every persona, so that each scope has something to leave out."""


def _auth(user):
    _token, raw = api_token_create(user=user)
    return {"Authorization": f"Bearer {raw}"}


def _get(client, user, url):
    return client.get(url, headers=_auth(user))


def _post(client, user, url, data=None):
    return client.post(url, data or {}, content_type="application/json", headers=_auth(user))


def _patch(client, user, url, data):
    return client.patch(url, data, content_type="application/json", headers=_auth(user))


def _delete(client, user, url):
    return client.delete(url, headers=_auth(user))


def test_list_without_credentials_401(client, plan):
    response = client.get(BASE)

    assert response.status_code == 401
    assert response.json()["detail"]


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("participant", True),
        ("mentor", True),
        ("trainer", True),
        ("organizer", True),
        ("admin_user", True),
        ("viewer", False),
        ("outsider", False),
        ("other_organizer", False),
    ],
)
def test_list_and_retrieve_scoped(client, request, everyone, plan, persona, sees):
    user = request.getfixturevalue(persona)

    listed = _get(client, user, BASE).json()["items"]
    detail = _get(client, user, f"{BASE}/{plan.pk}")

    assert [p["id"] for p in listed] == ([plan.pk] if sees else [])
    assert detail.status_code == (200 if sees else 404)


def test_create_prefills_indicator_from_problem(client, participant, enrollment, problem):
    response = _post(
        client, participant, BASE, {"enrollment_id": enrollment.pk, "title": "Antrean daring"}
    )

    assert response.status_code == 201
    body = response.json()
    plan = ActionPlan.objects.get(pk=body["id"])
    assert (plan.state, plan.problem, plan.agency_id) == ("draft", problem, enrollment.agency_id)
    assert body["indicator_unit"] == "menit"
    assert body["baseline_value"] == "180.00"


def test_create_second_active_plan_409(client, participant, plan, enrollment):
    response = _post(client, participant, BASE, {"enrollment_id": enrollment.pk, "title": "Lagi"})

    assert response.status_code == 409
    assert "already has an action plan" in response.json()["detail"]


def test_create_by_mentor_403(client, mentor, enrollment):
    response = _post(client, mentor, BASE, {"enrollment_id": enrollment.pk, "title": "X"})

    assert response.status_code == 403
    assert not ActionPlan.objects.exists()


def test_create_for_enrolment_outside_scope_404(client, outsider, enrollment):
    response = _post(client, outsider, BASE, {"enrollment_id": enrollment.pk, "title": "X"})

    assert response.status_code == 404


def test_create_with_foreign_problem_400(client, participant, enrollment, other_agency):
    from membumi.programs.tests.factories import make_problem
    from membumi.testing.factories import WorkUnitFactory

    foreign = make_problem(unit=WorkUnitFactory(agency=other_agency), state="validated")

    response = _post(
        client,
        participant,
        BASE,
        {"enrollment_id": enrollment.pk, "title": "X", "problem_id": foreign.pk},
    )

    assert response.status_code == 400
    assert "problem" in response.json()["errors"]


def test_update_in_draft(client, participant, plan):
    response = _patch(
        client, participant, f"{BASE}/{plan.pk}", {"goal": "Turun ke 60 menit", "target_value": 60}
    )

    assert response.status_code == 200
    plan.refresh_from_db()
    assert (plan.goal, plan.target_value) == ("Turun ke 60 menit", 60)


@pytest.mark.parametrize("state", ["submitted", "approved", "in_progress", "abandoned"])
def test_update_outside_editable_states_409(client, participant, plan, state):
    in_state(plan, state)

    response = _patch(client, participant, f"{BASE}/{plan.pk}", {"goal": "Baru"})

    assert response.status_code == 409
    plan.refresh_from_db()
    assert plan.goal == ""


def test_update_by_coach_403(client, trainer, plan):
    response = _patch(client, trainer, f"{BASE}/{plan.pk}", {"goal": "Baru"})

    assert response.status_code == 403


def test_update_invalid_value_400(client, participant, plan):
    response = _patch(client, participant, f"{BASE}/{plan.pk}", {"target_value": "banyak"})

    assert response.status_code == 400
    assert "target_value" in response.json()["errors"]


def test_review_flow_through_api(client, participant, trainer, mentor, ready_plan):
    url = f"{BASE}/{ready_plan.pk}"

    assert _post(client, participant, f"{url}/submit").json()["state"] == "submitted"
    revision = _post(client, trainer, f"{url}/request-revision", {"note": "Target lebih jelas"})
    assert revision.json()["state"] == "revision_requested"
    assert _post(client, participant, f"{url}/submit").json()["state"] == "submitted"
    assert _post(client, trainer, f"{url}/approve").json()["state"] == "submitted"
    approved = _post(client, mentor, f"{url}/approve").json()
    assert approved["state"] == "approved"
    assert {a["role"] for a in approved["approvals"]} == {"coach", "mentor"}
    assert _post(client, participant, f"{url}/start").json()["state"] == "in_progress"

    history = _get(client, participant, f"{url}/history").json()
    assert [h["action"] for h in history] == [
        "submit",
        "request_revision",
        "submit",
        "approve",
        "approve",
        "start",
    ]


@pytest.mark.parametrize(
    ("persona", "actions"),
    [
        ("participant", ["abandon"]),
        ("trainer", ["approve", "request_revision"]),
        ("mentor", ["approve", "request_revision", "abandon"]),
        ("organizer", ["abandon"]),
    ],
)
def test_plan_shows_the_callers_allowed_actions(client, request, ready_plan, persona, actions):
    in_state(ready_plan, PlanState.SUBMITTED)

    body = _get(client, request.getfixturevalue(persona), f"{BASE}/{ready_plan.pk}").json()

    assert body["allowed_actions"] == actions


def test_submit_incomplete_409_lists_reasons(client, participant, plan):
    response = _post(client, participant, f"{BASE}/{plan.pk}/submit")

    assert response.status_code == 409
    assert "Tujuan" in response.json()["detail"]


def test_quality_endpoint(client, participant, plan):
    response = _get(client, participant, f"{BASE}/{plan.pk}/quality")

    body = response.json()
    assert 0 <= body["score"] < 100
    codes = {f["code"]: f for f in body["findings"]}
    assert codes["target_missing"]["severity"] == "blocking"
    assert codes["target_missing"]["suggestion"]


def test_quality_of_ready_plan_has_no_blocking(client, trainer, ready_plan):
    body = _get(client, trainer, f"{BASE}/{ready_plan.pk}/quality").json()

    assert [f for f in body["findings"] if f["severity"] == "blocking"] == []


def test_quality_outside_scope_404(client, outsider, plan):
    assert _get(client, outsider, f"{BASE}/{plan.pk}/quality").status_code == 404


def test_step_wrong_role_403(client, participant, ready_plan):
    in_state(ready_plan, PlanState.SUBMITTED)

    response = _post(client, participant, f"{BASE}/{ready_plan.pk}/approve")

    assert response.status_code == 403


def test_step_outside_scope_404(client, outsider, ready_plan):
    response = _post(client, outsider, f"{BASE}/{ready_plan.pk}/submit")

    assert response.status_code == 404


def test_request_revision_without_reason_400(client, participant, trainer, ready_plan):
    in_state(ready_plan, PlanState.SUBMITTED)

    response = _post(client, trainer, f"{BASE}/{ready_plan.pk}/request-revision")

    assert response.status_code == 400
    assert "note" in response.json()["errors"]


def test_abandon_by_organizer(client, organizer, ready_plan):
    response = _post(client, organizer, f"{BASE}/{ready_plan.pk}/abandon", {"note": "Mutasi"})

    assert response.json()["state"] == "abandoned"


# --- Milestones and stakeholders ---------------------------------------------------------------


def test_milestones_create_list_update_delete_order(client, participant, plan):
    url = f"{BASE}/{plan.pk}/milestones"
    first = _post(client, participant, url, {"term": "short", "output": "SOP antrean"}).json()
    second = _post(
        client,
        participant,
        url,
        {"term": "mid", "output": "Aplikasi", "budget": "1500000", "values": ["adaptif"]},
    ).json()

    patched = _patch(client, participant, f"{url}/{first['id']}", {"responsible": "Kasi"})
    ordered = _post(client, participant, f"{url}/order", {"order": [second["id"], first["id"]]})
    listed = _get(client, participant, url).json()
    deleted = _delete(client, participant, f"{url}/{second['id']}")

    assert patched.json()["responsible"] == "Kasi"
    assert [m["id"] for m in ordered.json()] == [second["id"], first["id"]]
    assert [m["output"] for m in listed] == ["Aplikasi", "SOP antrean"]
    assert deleted.status_code == 204
    assert list(Milestone.objects.values_list("output", "position")) == [("SOP antrean", 0)]


def test_milestone_bad_value_400(client, participant, plan):
    response = _post(
        client,
        participant,
        f"{BASE}/{plan.pk}/milestones",
        {"term": "short", "output": "X", "values": ["jujur"]},
    )

    assert response.status_code == 400


def test_milestone_add_when_submitted_409(client, participant, plan):
    in_state(plan, PlanState.SUBMITTED)

    response = _post(
        client, participant, f"{BASE}/{plan.pk}/milestones", {"term": "short", "output": "X"}
    )

    assert response.status_code == 409


def test_milestone_of_another_plan_404(client, participant, plan, outsider):
    other = Milestone.objects.create(plan=plan, term="short", output="X")

    response = _patch(client, outsider, f"{BASE}/{plan.pk}/milestones/{other.pk}", {"output": "Y"})

    assert response.status_code == 404


def test_stakeholders_crud(client, participant, plan):
    url = f"{BASE}/{plan.pk}/stakeholders"
    created = _post(
        client, participant, url, {"kind": "external", "name": "Dinas Kominfo", "role": "Server"}
    ).json()

    _patch(client, participant, f"{url}/{created['id']}", {"support_needed": "Hosting"})
    listed = _get(client, participant, url).json()
    _delete(client, participant, f"{url}/{created['id']}")

    assert listed[0]["support_needed"] == "Hosting"
    assert not Stakeholder.objects.exists()


# --- Query counts ------------------------------------------------------------------------------


def _more_plans(n, *, batch, organizer, mentor, agency):
    for i in range(n):
        employee = EmployeeFactory(agency=agency, supervisor=mentor.employee, name=f"Peserta {i}")
        user = UserFactory(username=f"peserta{i}", employee=employee)
        RoleAssignmentFactory(user=user, role="participant")
        enrollment = program_services.enrollment_create(batch=batch, by=organizer, nip=employee.nip)
        plan = services.action_plan_create(enrollment=enrollment, by=user, title=f"Rencana {i}")
        services.milestone_add(plan=plan, by=user, term="short", output="SOP")
        services.stakeholder_add(plan=plan, by=user, kind="internal", name="Kabid")


def _list_queries(client, user):
    headers = _auth(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(BASE, headers=headers)
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.json()["items"])


def test_list_query_count_constant(client, organizer, plan, batch, mentor, agency):
    one, n_one = _list_queries(client, organizer)
    _more_plans(4, batch=batch, organizer=organizer, mentor=mentor, agency=agency)
    many, n_many = _list_queries(client, organizer)

    assert (n_one, n_many) == (1, 5)
    assert one == many


# --- Review policy -----------------------------------------------------------------------------


def test_review_policy_default_and_set(client, organizer, trainer, ready_plan, program):
    url = f"{BASE}/review-policy/{program.pk}"
    assert _get(client, trainer, url).json() == {"require_coach": True, "require_mentor": True}

    response = client.put(
        url,
        {"require_coach": True, "require_mentor": False},
        content_type="application/json",
        headers=_auth(organizer),
    )

    assert response.json() == {"require_coach": True, "require_mentor": False}
    in_state(ready_plan, PlanState.SUBMITTED)
    type(ready_plan).objects.filter(pk=ready_plan.pk).update(review_round=1)
    assert _post(client, trainer, f"{BASE}/{ready_plan.pk}/approve").json()["state"] == "approved"


@pytest.mark.parametrize(
    ("persona", "status"), [("trainer", 403), ("participant", 404), ("other_organizer", 404)]
)
def test_review_policy_set_by_others_refused(client, request, batch, program, persona, status):
    response = client.put(
        f"{BASE}/review-policy/{program.pk}",
        {"require_coach": False, "require_mentor": True},
        content_type="application/json",
        headers=_auth(request.getfixturevalue(persona)),
    )

    assert response.status_code == status
    assert not ReviewPolicy.objects.exists()


def test_review_policy_needs_one_approval_400(client, organizer, program):
    response = client.put(
        f"{BASE}/review-policy/{program.pk}",
        {"require_coach": False, "require_mentor": False},
        content_type="application/json",
        headers=_auth(organizer),
    )

    assert response.status_code == 400
