"""The problem pages with personas: list (scope, filters, htmx, queries), submit (units,
priority, similar problems while typing, joining), detail (facts, actions, history,
traceability), edit, transitions. An outsider gets 404 on every object URL."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from membumi.problems import services
from membumi.problems.models import Problem, ProblemEndorsement
from membumi.problems.views import PAGE_SIZE
from membumi.testing.factories import EmployeeFactory, UserFactory

from .conftest import ANTREAN, make_problem, problem_fields

LIST_URL = reverse("problems:problem_list")
CREATE_URL = reverse("problems:problem_create")
SIMILAR_URL = reverse("problems:similar_hx")


def detail_url(problem):
    return reverse("problems:problem_detail", args=[problem.pk])


def action_url(problem, action):
    return reverse("problems:problem_transition", args=[problem.pk, action])


def form_data(**overrides) -> dict:
    data = {k: str(v) for k, v in problem_fields(**overrides).items()}
    data.update({k: v for k, v in overrides.items() if k.startswith("cause_")})
    return data


def hx(client, method, url, target, data=None):
    headers = {"HX-Request": "true", "HX-Target": target}
    return getattr(client, method)(url, data or {}, headers=headers)


# --- List ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["participant", "mentor", "organizer", "viewer", "admin_user"])
def test_list_shows_problems_in_scope(client, request, everyone, problem, foreign_problem, persona):
    client.force_login(request.getfixturevalue(persona))

    html = client.get(LIST_URL).content.decode()

    assert ANTREAN[0] in html
    assert (foreign_problem.title in html) == (persona == "admin_user")


def test_list_outsider_never_sees_other_agency(
    client, everyone, problem, foreign_problem, outsider
):
    client.force_login(outsider)

    html = client.get(LIST_URL).content.decode()

    assert foreign_problem.title in html
    assert ANTREAN[0] not in html


def test_list_without_scope_404(client, db):
    client.force_login(UserFactory(username="kosong"))
    assert client.get(LIST_URL).status_code == 404


def test_list_requires_login(client, db):
    response = client.get(LIST_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_list_empty_state(client, participant):
    client.force_login(participant)

    response = client.get(LIST_URL)

    assert b'data-testid="problem-empty"' in response.content
    assert b"No problems yet" in response.content


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "akta"}, {"akta"}),
        ({"sector": "education"}, {"sekolah"}),
        ({"state": "validated"}, {"sekolah"}),
        ({"min_priority": "13"}, {"stunting"}),
        ({"unit": "SIBLING"}, {"stunting"}),
        ({}, {"akta", "sekolah", "stunting"}),
    ],
)
def test_list_filters(client, viewer, participant, unit, sibling_unit, params, expected):
    make_problem(unit=unit, by=participant, title="Antrean akta")
    make_problem(
        unit=unit, by=participant, title="Putus sekolah", sector="education", state="validated"
    )
    make_problem(unit=sibling_unit, by=viewer, title="Balita stunting", urgency=5, seriousness=5)
    if params.get("unit") == "SIBLING":
        params = {"unit": sibling_unit.pk}
    client.force_login(viewer)

    page = client.get(LIST_URL, params).context["page_obj"]

    found = {p.title.split()[-1].lower() for p in page}
    assert found == expected


def test_list_orders_by_priority(client, participant, unit):
    make_problem(unit=unit, by=participant, title="Rendah", urgency=1, seriousness=1, growth=1)
    make_problem(unit=unit, by=participant, title="Tinggi", urgency=5, seriousness=5, growth=5)
    client.force_login(participant)

    assert [p.title for p in client.get(LIST_URL).context["page_obj"]] == ["Tinggi", "Rendah"]


def test_list_htmx_returns_results_partial(client, participant, problem):
    client.force_login(participant)

    response = hx(client, "get", LIST_URL, "problem-results", {"q": "akta"})

    html = response.content.decode()
    assert ANTREAN[0] in html
    assert "<html" not in html
    assert 'data-testid="problem-count"' in html
    assert "<form" not in html


def test_list_paginates(client, participant, unit):
    for n in range(PAGE_SIZE + 2):
        make_problem(unit=unit, by=participant, title=f"Masalah {n}")
    client.force_login(participant)

    first = client.get(LIST_URL)
    second = client.get(LIST_URL, {"page": 2})

    assert len(first.context["page_obj"]) == PAGE_SIZE
    assert len(second.context["page_obj"]) == 2
    assert 'rel="next"' in first.content.decode()


def test_list_shows_joined_units_count(client, problem, participant, agency, sibling_unit):
    colleague = UserFactory(employee=EmployeeFactory(agency=agency, work_unit=sibling_unit))
    services.problem_endorse(problem=problem, by=colleague)
    client.force_login(participant)

    [row] = client.get(LIST_URL).context["page_obj"]

    assert row.endorsement_count == 1


@pytest.mark.parametrize("persona", ["participant", "viewer", "admin_user"])
def test_list_query_count_does_not_grow(
    client, request, django_assert_num_queries, participant, unit, persona
):
    user = request.getfixturevalue(persona)
    make_problem(unit=unit, by=participant)
    client.force_login(user)
    client.get(LIST_URL)  # warm up: session, content types
    with CaptureQueriesContext(connection) as one:
        client.get(LIST_URL)
    for _ in range(PAGE_SIZE + 5):
        make_problem(unit=unit, by=participant)

    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(LIST_URL)

    assert len(response.context["page_obj"]) == PAGE_SIZE


# --- Create ----------------------------------------------------------------------------------


def test_participant_submits_for_own_unit(client, participant, unit):
    client.force_login(participant)

    page = client.get(CREATE_URL)
    assert b'data-testid="fixed-unit"' in page.content
    response = client.post(
        CREATE_URL,
        form_data(title="Antrean obat di apotek", work_unit=unit.pk, cause_method="Resep manual"),
    )

    problem = Problem.objects.get(title="Antrean obat di apotek")
    assert response.status_code == 302
    assert response["Location"] == detail_url(problem)
    assert (problem.work_unit, problem.submitted_by, problem.state) == (unit, participant, "open")
    assert problem.root_causes == {"method": "Resep manual"}


def test_participant_cannot_submit_for_another_unit(client, participant, sibling_unit):
    client.force_login(participant)

    response = client.post(CREATE_URL, form_data(work_unit=sibling_unit.pk))

    assert response.status_code == 400
    assert "work_unit" in response.context["form"].errors
    assert not Problem.objects.exists()


def test_viewer_chooses_a_unit_of_the_agency(client, viewer, unit, sibling_unit, foreign_unit):
    client.force_login(viewer)

    form = client.get(CREATE_URL).context["form"]
    assert {u.pk for u in form.fields["work_unit"].queryset} >= {unit.pk, sibling_unit.pk}
    assert foreign_unit not in form.fields["work_unit"].queryset
    client.post(CREATE_URL, form_data(title="Banjir", work_unit=sibling_unit.pk))

    assert Problem.objects.get(title="Banjir").work_unit == sibling_unit


def test_create_without_unit_or_role_404(client, db):
    client.force_login(UserFactory(username="kosong"))
    assert client.get(CREATE_URL).status_code == 404
    trainer_without_unit = UserFactory(employee=EmployeeFactory(work_unit=None))
    client.force_login(trainer_without_unit)
    assert client.get(CREATE_URL).status_code == 404


def test_create_invalid_shows_errors_and_keeps_input(client, participant, unit):
    client.force_login(participant)

    response = client.post(
        CREATE_URL, form_data(title="Judul tetap", urgency="", work_unit=unit.pk)
    )

    assert response.status_code == 400
    assert "urgency" in response.context["form"].errors
    assert 'value="Judul tetap"' in response.content.decode()
    assert not Problem.objects.exists()


def test_create_priority_partial(client, participant):
    client.force_login(participant)

    response = hx(
        client, "get", CREATE_URL, "usg-priority", {"urgency": 5, "seriousness": 4, "growth": 2}
    )
    html = response.content.decode()

    assert 'id="usg-priority"' in html
    assert "<strong>11</strong>" in html
    assert "<html" not in html
    assert not Problem.objects.exists()


def test_create_priority_partial_incomplete(client, participant):
    client.force_login(participant)

    html = hx(client, "get", CREATE_URL, "usg-priority", {"urgency": 5}).content.decode()

    assert "score all three" in html


def test_create_form_asks_for_similar_while_typing(client, participant):
    client.force_login(participant)

    html = client.get(CREATE_URL).content.decode()

    assert f'hx-post="{SIMILAR_URL}"' in html
    assert 'hx-trigger="input changed delay:500ms"' in html
    assert 'id="similar-problems"' in html


# --- Similar while typing --------------------------------------------------------------------


def test_similar_hx_lists_visible_and_counts_the_rest(
    client, everyone, problem, foreign_problem, participant
):
    client.force_login(participant)

    response = hx(
        client, "post", SIMILAR_URL, "similar-problems", {"title": ANTREAN[0], "statement": ""}
    )
    html = response.content.decode()

    assert "<html" not in html
    assert ANTREAN[0] in html
    assert 'data-testid="similar-item"' in html
    assert "%</span>" in html  # the score
    assert foreign_problem.title not in html
    assert foreign_problem.statement not in html
    assert "1 similar problem in other agencies (Kabupaten Zulu)" in html


def test_similar_hx_outsider_sees_only_the_aggregate(
    client, everyone, problem, outsider, foreign_unit
):
    client.force_login(outsider)

    html = hx(
        client,
        "post",
        SIMILAR_URL,
        "similar-problems",
        {"title": ANTREAN[0], "statement": ANTREAN[1]},
    ).content.decode()

    assert ANTREAN[0] not in html
    assert ANTREAN[1] not in html
    assert f"/problems/{problem.pk}/" not in html
    assert "1 similar problem in other agencies (Kabupaten Alfa)" in html


def test_similar_hx_offers_join_to_another_unit(client, problem, agency, sibling_unit):
    colleague = UserFactory(employee=EmployeeFactory(agency=agency, work_unit=sibling_unit))
    client.force_login(colleague)

    html = hx(
        client, "post", SIMILAR_URL, "similar-problems", {"title": ANTREAN[0]}
    ).content.decode()

    assert 'data-testid="join-button"' in html
    assert reverse("problems:problem_join", args=[problem.pk]) in html


def test_similar_hx_own_problem_has_no_join(client, problem, participant):
    client.force_login(participant)

    html = hx(
        client, "post", SIMILAR_URL, "similar-problems", {"title": ANTREAN[0]}
    ).content.decode()

    assert 'data-testid="join-button"' not in html
    assert "You submitted this problem yourself." in html


def test_similar_hx_nothing_found(client, problem, participant):
    client.force_login(participant)

    html = hx(
        client, "post", SIMILAR_URL, "similar-problems", {"title": "zzz qqq"}
    ).content.decode()

    assert 'data-testid="similar-none"' in html


def test_similar_without_htmx_is_a_page(client, problem, participant):
    client.force_login(participant)

    response = client.post(SIMILAR_URL, {"title": ANTREAN[0], "statement": ""})

    assert b"<html" in response.content
    assert ANTREAN[0].encode() in response.content


def test_similar_without_scope_404(client, db):
    client.force_login(UserFactory(username="kosong"))
    assert client.post(SIMILAR_URL, {"title": "x"}).status_code == 404


# --- Join ------------------------------------------------------------------------------------


def test_join_htmx_swaps_the_button(client, problem, agency, sibling_unit):
    colleague = UserFactory(employee=EmployeeFactory(agency=agency, work_unit=sibling_unit))
    client.force_login(colleague)

    response = hx(
        client, "post", reverse("problems:problem_join", args=[problem.pk]), f"join-{problem.pk}"
    )

    html = response.content.decode()
    assert 'data-testid="joined"' in html
    assert "<html" not in html
    assert ProblemEndorsement.objects.get().work_unit == sibling_unit


def test_join_refused_shows_the_reason(client, problem, participant):
    client.force_login(participant)

    response = client.post(reverse("problems:problem_join", args=[problem.pk]), follow=True)

    assert b"You submitted this problem yourself." in response.content
    assert not ProblemEndorsement.objects.exists()


def test_join_outsider_404(client, problem, outsider):
    client.force_login(outsider)
    assert client.post(reverse("problems:problem_join", args=[problem.pk])).status_code == 404
    assert not ProblemEndorsement.objects.exists()


# --- Detail ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["participant", "mentor", "organizer", "viewer", "admin_user"])
def test_detail_shows_the_facts(client, request, everyone, problem, persona):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(detail_url(problem))
    html = response.content.decode()

    assert response.status_code == 200
    assert ANTREAN[0] in html
    assert "Waktu tunggu rata-rata" in html
    assert 'data-testid="priority">11<' in html
    assert 'data-state="open"' in html
    assert "Submitted" in html  # history


@pytest.mark.parametrize("persona", ["outsider", "other_organizer"])
def test_detail_outsider_404(client, request, everyone, problem, persona):
    client.force_login(request.getfixturevalue(persona))

    for url in (
        detail_url(problem),
        reverse("problems:problem_edit", args=[problem.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert ANTREAN[0].encode() not in response.content
    assert client.post(action_url(problem, "close"), {"close-note": "x"}).status_code == 404
    assert Problem.objects.get(pk=problem.pk).state == "open"


def test_detail_unknown_problem_404(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/problems/999999/").status_code == 404


@pytest.mark.parametrize(
    ("persona", "actions"),
    [
        ("participant", ["close"]),
        ("mentor", ["validate", "close", "mark_duplicate"]),
        ("organizer", ["mark_duplicate"]),
        ("viewer", ["mark_duplicate"]),
        ("admin_user", ["close", "mark_duplicate"]),
    ],
)
def test_detail_shows_only_allowed_actions(client, request, problem, persona, actions):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(detail_url(problem))

    assert [f.action for f in response.context["action_forms"]] == actions
    html = response.content.decode()
    for action in ["validate", "resolve", "close", "mark_duplicate", "reopen", "address"]:
        assert (f'data-testid="action-{action}"' in html) == (action in actions)


def test_detail_lists_history_and_endorsements(
    client, problem, mentor, participant, agency, sibling_unit
):
    colleague = UserFactory(employee=EmployeeFactory(agency=agency, work_unit=sibling_unit))
    services.problem_endorse(problem=problem, by=colleague)
    services.problem_transition(
        problem=problem, action="validate", by=mentor, note="Kewenangan unit"
    )
    client.force_login(participant)

    html = client.get(detail_url(problem)).content.decode()

    assert "Validated" in html
    assert "Open → Validated" in html
    assert "Kewenangan unit" in html
    assert "Bu Mentor" in html
    assert sibling_unit.name in html


def _program_addressing(problem, institution):
    import datetime

    from membumi.programs.models import Batch, Module, Program

    program = Program.objects.create(
        institution=institution,
        name="Pelayanan Prima",
        program_type="teknis",
        total_jp=40,
        mode="klasikal",
    )
    Module.objects.create(
        program=program, title="Alur layanan", jp=40, objectives="-"
    ).problems.add(problem)
    batch = Batch.objects.create(
        program=program,
        name="Angkatan I",
        start_date=datetime.date(2026, 3, 2),
        end_date=datetime.date(2026, 3, 13),
        mode="klasikal",
        capacity=30,
    )
    return program, batch


def test_detail_traceability(client, problem, participant, institution):
    """The participant sees which program and batch address the problem, but not as links:
    those pages belong to the organizers and trainers and would answer "not found"."""
    program, batch = _program_addressing(problem, institution)
    client.force_login(participant)

    html = client.get(detail_url(problem)).content.decode()

    assert "Pelayanan Prima" in html
    assert "Alur layanan" in html
    assert "Angkatan I" in html
    assert reverse("programs:program_detail", args=[program.pk]) not in html
    assert reverse("programs:batch_detail", args=[batch.pk]) not in html
    assert client.get(reverse("programs:program_detail", args=[program.pk])).status_code == 404


def test_detail_traceability_links_the_pages_an_organizer_may_open(
    client, problem, organizer, institution
):
    program, batch = _program_addressing(problem, institution)
    client.force_login(organizer)

    html = client.get(detail_url(problem)).content.decode()

    assert reverse("programs:program_detail", args=[program.pk]) in html
    assert reverse("programs:batch_detail", args=[batch.pk]) in html


def test_detail_duplicate_links_the_original(client, problem, participant, unit):
    copy = make_problem(unit=unit, by=participant, state="duplicate", duplicate_of=problem)
    client.force_login(participant)

    html = client.get(detail_url(copy)).content.decode()

    assert f'href="{detail_url(problem)}"' in html


# --- Transitions through the page ------------------------------------------------------------


def test_mentor_validates(client, problem, mentor):
    client.force_login(mentor)

    response = client.post(action_url(problem, "validate"), {"validate-note": "Sesuai kewenangan"})

    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.state == "validated"
    assert problem.transitions.last().note == "Sesuai kewenangan"


def test_refused_transition_shows_the_message(client, problem, participant):
    client.force_login(participant)

    response = client.post(action_url(problem, "validate"), follow=True)

    assert b"Only the mentor or unit head may validate this problem." in response.content
    assert Problem.objects.get(pk=problem.pk).state == "open"


def test_invalid_state_shows_the_message(client, problem, mentor):
    client.force_login(mentor)

    response = client.post(action_url(problem, "resolve"), follow=True)

    assert b"Cannot resolve a problem that is Open." in response.content


def test_close_without_reason_is_a_form_error(client, problem, participant):
    client.force_login(participant)

    response = client.post(action_url(problem, "close"), {"close-note": ""})

    assert response.status_code == 400
    [form] = [f for f in response.context["action_forms"] if f.action == "close"]
    assert "note" in form.errors
    assert Problem.objects.get(pk=problem.pk).state == "open"


def test_mark_duplicate_with_the_chooser(client, problem, mentor, participant, unit):
    copy = make_problem(
        unit=unit, by=participant, title=ANTREAN[0] + " (lagi)", statement=ANTREAN[1]
    )
    client.force_login(mentor)

    page = client.get(detail_url(copy))
    [form] = [f for f in page.context["action_forms"] if f.action == "mark_duplicate"]
    assert problem.pk in [value for value, _label in form.fields["duplicate_of"].widget.choices]
    response = client.post(
        action_url(copy, "mark_duplicate"),
        {"mark_duplicate-note": "Sama", "mark_duplicate-duplicate_of": problem.pk},
    )

    assert response.status_code == 302
    copy.refresh_from_db()
    assert (copy.state, copy.duplicate_of) == ("duplicate", problem)


def test_mark_duplicate_of_invisible_problem_refused(client, problem, mentor, foreign_problem):
    client.force_login(mentor)

    response = client.post(
        action_url(problem, "mark_duplicate"),
        {"mark_duplicate-note": "Sama", "mark_duplicate-duplicate_of": foreign_problem.pk},
    )

    assert response.status_code == 400
    assert Problem.objects.get(pk=problem.pk).state == "open"


def test_unknown_action_404(client, problem, mentor):
    client.force_login(mentor)
    assert client.post(action_url(problem, "explode")).status_code == 404


def test_transition_needs_post(client, problem, mentor):
    client.force_login(mentor)
    assert client.get(action_url(problem, "validate")).status_code == 405


# --- Edit ------------------------------------------------------------------------------------


def test_submitter_edits_while_open(client, problem, participant):
    client.force_login(participant)

    page = client.get(reverse("problems:problem_edit", args=[problem.pk]))
    assert f"?exclude={problem.pk}" in page.content.decode()
    response = client.post(
        reverse("problems:problem_edit", args=[problem.pk]),
        form_data(title="Akta kelahiran terlambat", cause_money="Anggaran kecil"),
    )

    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.title == "Akta kelahiran terlambat"
    assert problem.root_causes == {"money": "Anggaran kecil"}


def test_edit_after_validation_redirects_with_message(client, problem, mentor, participant):
    services.problem_transition(problem=problem, action="validate", by=mentor)
    client.force_login(participant)

    response = client.get(reverse("problems:problem_edit", args=[problem.pk]), follow=True)

    assert b"can be edited only while it is open" in response.content


def test_edit_by_viewer_forbidden(client, problem, viewer):
    client.force_login(viewer)
    assert client.get(reverse("problems:problem_edit", args=[problem.pk])).status_code == 403


# --- Navigation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "shown"),
    [("participant", True), ("viewer", True), ("organizer", True), ("admin_user", True)],
)
def test_nav_item(client, request, persona, shown):
    client.force_login(request.getfixturevalue(persona))
    html = client.get(reverse("home")).content.decode()
    assert (f'href="{LIST_URL}"' in html) == shown


def test_nav_item_hidden_without_scope(db):
    client = Client()
    client.force_login(UserFactory(username="kosong"))
    assert f'href="{LIST_URL}"' not in client.get(reverse("home")).content.decode()
