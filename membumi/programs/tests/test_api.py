"""/api/v1/programs, /modules, /batches and /enrollments: scoped, errors per DESIGN §7."""

import pytest

from membumi.accounts.services import api_token_create
from membumi.programs.enums import BatchState, ProgramState
from membumi.programs.models import Batch, Enrollment, Module, Program

from .factories import force_state, make_employee, make_need


@pytest.fixture
def everyone(participant, mentor, organizer, trainer, viewer, outsider, other_organizer):
    """Create every persona, so that each scope has something to leave out."""


def _auth(user):
    _token, raw = api_token_create(user=user)
    return {"Authorization": f"Bearer {raw}"}


def _get(client, user, url, params=None):
    return client.get(url, params or {}, headers=_auth(user))


def _post(client, user, url, data=None):
    return client.post(url, data or {}, content_type="application/json", headers=_auth(user))


def _patch(client, user, url, data):
    return client.patch(url, data, content_type="application/json", headers=_auth(user))


def _program_payload(need, **extra):
    return {
        "name": "Pelatihan Antrean",
        "program_type": "teknis",
        "total_jp": 24,
        "mode": "e_learning",
        "competencies": "Layanan",
        "need_ids": [need.pk],
        **extra,
    }


# --- Programs ---------------------------------------------------------------------------------


def test_programs_without_credentials_401(client, program):
    response = client.get("/api/v1/programs")
    assert response.status_code == 401
    assert set(response.json()) == {"detail", "errors"}


def test_program_create_and_retrieve(client, everyone, organizer, need, institution):
    response = _post(client, organizer, "/api/v1/programs", _program_payload(need))

    assert response.status_code == 201
    body = response.json()
    assert body["state"] == "draft" and body["need_ids"] == [need.pk]
    assert body["institution"] == {"id": institution.pk, "name": "BPSDM Alfa"}
    assert _get(client, organizer, f"/api/v1/programs/{body['id']}").json()["name"] == (
        "Pelatihan Antrean"
    )


def test_program_create_unaccepted_need_400(client, everyone, organizer, analysis):
    pending = make_need(analysis, accepted=False)

    response = _post(client, organizer, "/api/v1/programs", _program_payload(pending))

    assert response.status_code == 400
    assert "need_ids" in response.json()["errors"]
    assert not Program.objects.exists()


def test_program_create_bad_type_400(client, everyone, organizer, need):
    response = _post(
        client, organizer, "/api/v1/programs", _program_payload(need, program_type="seminar")
    )
    assert response.status_code == 400
    assert "program_type" in response.json()["errors"]


@pytest.mark.parametrize("persona", ["trainer", "participant"])
def test_program_create_other_roles_403(client, request, everyone, need, persona):
    user = request.getfixturevalue(persona)
    response = _post(client, user, "/api/v1/programs", _program_payload(need))
    assert response.status_code == 403


def test_program_list_scoped(client, everyone, organizer, other_organizer, program):
    assert _get(client, organizer, "/api/v1/programs").json()["count"] == 1
    assert _get(client, other_organizer, "/api/v1/programs").json()["count"] == 0


@pytest.mark.parametrize("persona", ["other_organizer", "outsider"])
def test_program_retrieve_out_of_scope_404(client, request, everyone, program, persona):
    response = _get(client, request.getfixturevalue(persona), f"/api/v1/programs/{program.pk}")
    assert response.status_code == 404


def test_program_update(client, everyone, organizer, program):
    response = _patch(client, organizer, f"/api/v1/programs/{program.pk}", {"total_jp": 32})
    assert response.status_code == 200
    program.refresh_from_db()
    assert program.total_jp == 32


def test_program_update_published_409(client, everyone, organizer, published_program):
    response = _patch(
        client, organizer, f"/api/v1/programs/{published_program.pk}", {"name": "Baru"}
    )
    assert response.status_code == 409


def test_program_update_by_trainer_403(client, everyone, trainer, batch):
    response = _patch(client, trainer, f"/api/v1/programs/{batch.program_id}", {"name": "X"})
    assert response.status_code == 403


def test_publish_refused_409_names_module(client, everyone, organizer, program, module):
    _post(
        client,
        organizer,
        f"/api/v1/programs/{program.pk}/modules",
        {"title": "Etika", "jp": 4, "objectives": "x"},
    )

    response = _post(client, organizer, f"/api/v1/programs/{program.pk}/publish")

    assert response.status_code == 409
    assert "“Etika”" in response.json()["detail"]


def test_publish_returns_warnings(client, everyone, organizer, program, module):
    Program.objects.filter(pk=program.pk).update(total_jp=50)

    response = _post(client, organizer, f"/api/v1/programs/{program.pk}/publish")

    assert response.status_code == 200
    assert response.json()["state"] == "published"
    assert response.json()["warnings"] == [
        "The modules add up to 40 JP but the program states 50 JP."
    ]


def test_publish_by_trainer_403(client, everyone, trainer, batch):
    force_state(batch.program, ProgramState.DRAFT)
    response = _post(client, trainer, f"/api/v1/programs/{batch.program_id}/publish")
    assert response.status_code == 403


# --- Modules ----------------------------------------------------------------------------------


def test_modules_crud(client, everyone, organizer, program, need, problem):
    url = f"/api/v1/programs/{program.pk}/modules"
    created = _post(
        client,
        organizer,
        url,
        {"title": "A", "jp": 10, "objectives": "x", "need_ids": [need.pk]},
    ).json()
    second = _post(
        client,
        organizer,
        url,
        {"title": "B", "jp": 10, "objectives": "x", "problem_ids": [problem.pk]},
    ).json()
    assert second["problem_ids"] == [problem.pk]

    moved = _patch(client, organizer, f"{url}/{second['id']}", {"position": 0}).json()
    assert moved["position"] == 0
    assert [m["title"] for m in _get(client, organizer, url).json()] == ["B", "A"]

    renamed = _patch(client, organizer, f"{url}/{created['id']}", {"title": "A2"}).json()
    assert renamed["title"] == "A2" and renamed["need_ids"] == [need.pk]

    response = client.delete(f"{url}/{created['id']}", headers=_auth(organizer))
    assert response.status_code == 204
    assert list(Module.objects.values_list("title", flat=True)) == ["B"]


def test_module_create_unknown_problem_400(client, everyone, organizer, program, unit):
    from .factories import make_problem

    stray = make_problem(unit=unit)
    response = _post(
        client,
        organizer,
        f"/api/v1/programs/{program.pk}/modules",
        {"title": "A", "jp": 1, "objectives": "x", "problem_ids": [stray.pk]},
    )
    assert response.status_code == 400
    assert "problem_ids" in response.json()["errors"]


def test_module_of_other_program_404(client, everyone, organizer, program, module, need):
    other = _post(client, organizer, "/api/v1/programs", _program_payload(need)).json()
    response = _patch(
        client, organizer, f"/api/v1/programs/{other['id']}/modules/{module.pk}", {"title": "X"}
    )
    assert response.status_code == 404


# --- Batches ----------------------------------------------------------------------------------


def _batch_payload(program, **extra):
    return {
        "program_id": program.pk,
        "name": "Angkatan II 2026",
        "start_date": "2026-06-01",
        "end_date": "2026-06-19",
        "mode": "klasikal",
        "location": "Aula",
        "capacity": 20,
        "trainer_usernames": ["widyaiswara"],
        **extra,
    }


def test_batch_create_and_list(client, everyone, organizer, trainer, published_program):
    response = _post(client, organizer, "/api/v1/batches", _batch_payload(published_program))

    assert response.status_code == 201
    body = response.json()
    assert body["state"] == "planned" and body["trainer_usernames"] == ["widyaiswara"]
    assert body["enrolled"] == 0
    listed = _get(client, trainer, "/api/v1/batches").json()
    assert [b["name"] for b in listed["items"]] == ["Angkatan II 2026"]


def test_batch_create_end_before_start_400(client, everyone, organizer, published_program):
    response = _post(
        client,
        organizer,
        "/api/v1/batches",
        _batch_payload(published_program, end_date="2026-05-01"),
    )
    assert response.status_code == 400
    assert response.json()["errors"]["end_date"] == [
        "The end date (2026-05-01) is before the start date (2026-06-01)."
    ]


def test_batch_create_for_draft_409(client, everyone, organizer, program):
    response = _post(client, organizer, "/api/v1/batches", _batch_payload(program))
    assert response.status_code == 409


def test_batch_create_unknown_trainer_400(client, everyone, organizer, published_program):
    response = _post(
        client,
        organizer,
        "/api/v1/batches",
        _batch_payload(published_program, trainer_usernames=["siapa"]),
    )
    assert response.status_code == 400
    assert "trainer_usernames" in response.json()["errors"]


def test_batch_transition(client, everyone, organizer, batch):
    response = _post(
        client, organizer, f"/api/v1/batches/{batch.pk}/transition", {"action": "open_enrolment"}
    )
    assert response.status_code == 200 and response.json()["state"] == "enrolling"


def test_batch_transition_invalid_409(client, everyone, organizer, batch):
    response = _post(
        client, organizer, f"/api/v1/batches/{batch.pk}/transition", {"action": "close"}
    )
    assert response.status_code == 409
    assert response.json()["detail"] == "Cannot close: the batch is Planned."


def test_batch_transition_unknown_action_400(client, everyone, organizer, batch):
    response = _post(client, organizer, f"/api/v1/batches/{batch.pk}/transition", {"action": "x"})
    assert response.status_code == 400


def test_batch_transition_trainer_403(client, everyone, trainer, batch):
    response = _post(
        client, trainer, f"/api/v1/batches/{batch.pk}/transition", {"action": "open_enrolment"}
    )
    assert response.status_code == 403
    batch.refresh_from_db()
    assert batch.state == BatchState.PLANNED


@pytest.mark.parametrize("persona", ["other_organizer", "outsider", "participant"])
def test_batch_out_of_scope_404(client, request, everyone, batch, persona):
    user = request.getfixturevalue(persona)
    assert _get(client, user, f"/api/v1/batches/{batch.pk}").status_code == 404
    assert _get(client, user, f"/api/v1/batches/{batch.pk}/enrollments").status_code == 404
    response = _post(client, user, f"/api/v1/batches/{batch.pk}/enrollments", {"nip": "1"})
    assert response.status_code == 404


# --- Enrolments -------------------------------------------------------------------------------


def test_enrol_one(client, everyone, organizer, batch, participant, mentor):
    response = _post(
        client,
        organizer,
        f"/api/v1/batches/{batch.pk}/enrollments",
        {"nip": participant.employee.nip_display},
    )

    assert response.status_code == 201
    (item,) = response.json()
    assert item["nip"] == participant.employee.nip
    assert item["mentor_nip"] == mentor.employee.nip
    assert item["coach_username"] == "widyaiswara"
    assert item["state"] == "enrolled"


def test_enrol_one_errors_per_field(client, everyone, organizer, batch, participant):
    response = _post(
        client,
        organizer,
        f"/api/v1/batches/{batch.pk}/enrollments",
        {
            "nip": participant.employee.nip,
            "mentor_nip": "199901012020121001",
            "coach_username": "x",
        },
    )

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"mentor_nip", "coach_username"}
    assert not Enrollment.objects.exists()


def test_enrol_bulk_all_or_nothing(client, everyone, organizer, batch, agency, mentor):
    fine = make_employee(agency, supervisor=mentor.employee)
    url = f"/api/v1/batches/{batch.pk}/enrollments"

    response = _post(client, organizer, url, {"nips": [fine.nip, "199001012015011999", fine.nip]})

    assert response.status_code == 400
    body = response.json()
    assert "Nobody was enrolled" in body["detail"]
    assert set(body["errors"]) == {"nips.1", "nips.2"}
    assert "Unknown NIP" in body["errors"]["nips.1"][0]
    assert not Enrollment.objects.exists()

    response = _post(client, organizer, url, {"nips": [fine.nip]})
    assert response.status_code == 201


def test_enrol_bulk_over_capacity(client, everyone, organizer, batch, agency, mentor):
    Batch.objects.filter(pk=batch.pk).update(capacity=1)
    people = [make_employee(agency, supervisor=mentor.employee).nip for _ in range(2)]

    response = _post(client, organizer, f"/api/v1/batches/{batch.pk}/enrollments", {"nips": people})

    assert response.status_code == 400
    assert "Over capacity" in response.json()["errors"]["__all__"][0]


def test_enrol_closed_batch_409(client, everyone, organizer, batch, participant):
    force_state(batch, BatchState.CLOSED)
    response = _post(
        client,
        organizer,
        f"/api/v1/batches/{batch.pk}/enrollments",
        {"nip": participant.employee.nip},
    )
    assert response.status_code == 409


def test_enrol_by_trainer_403(client, everyone, trainer, batch, participant):
    response = _post(
        client,
        trainer,
        f"/api/v1/batches/{batch.pk}/enrollments",
        {"nip": participant.employee.nip},
    )
    assert response.status_code == 403


def test_enrollment_list_and_transition(client, everyone, organizer, trainer, enrollment):
    url = f"/api/v1/batches/{enrollment.batch_id}/enrollments"
    assert [e["name"] for e in _get(client, trainer, url).json()["items"]] == ["Pak Peserta"]
    force_state(enrollment, "active")

    response = _post(client, organizer, f"{url}/{enrollment.pk}/transition", {"action": "pass"})
    assert response.status_code == 409
    assert "after the classes end" in response.json()["detail"]

    response = _post(
        client, organizer, f"{url}/{enrollment.pk}/transition", {"action": "withdraw", "note": "x"}
    )
    assert response.status_code == 200 and response.json()["state"] == "withdrawn"


@pytest.mark.parametrize("n", [1, 4])
def test_enrollment_list_query_count_constant(
    client, organizer, batch, agency, mentor, n, django_assert_num_queries
):
    from membumi.programs import services

    for _ in range(n):
        services.enrollment_create(
            batch=batch, by=organizer, nip=make_employee(agency, supervisor=mentor.employee).nip
        )
    headers = _auth(organizer)
    with django_assert_num_queries(6):
        client.get(f"/api/v1/batches/{batch.pk}/enrollments", headers=headers)


@pytest.mark.parametrize("n", [1, 4])
def test_program_list_api_query_count_constant(
    client, organizer, institution, analysis, n, django_assert_num_queries
):
    from .factories import make_program

    for i in range(n):
        make_program(organizer, institution, make_need(analysis, label=f"K{i}"), name=f"P{i}")
    headers = _auth(organizer)
    with django_assert_num_queries(6):
        client.get("/api/v1/programs", headers=headers)
