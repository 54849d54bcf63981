"""The plan editor and the plan page (views/editor.py): scope, editability, autosave of valid
fields, milestones and stakeholders as htmx partials, every lifecycle step from the plan page
with its refusals, in-app notifications, and constant query counts."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from membumi.action_plans import services
from membumi.action_plans.models import ActionPlan, Milestone, Stakeholder
from membumi.action_plans.views.editor import optional_url
from membumi.notifications.models import Notification
from membumi.programs import services as program_services
from membumi.programs.tests.factories import make_problem
from membumi.testing.factories import EmployeeFactory, RoleAssignmentFactory, UserFactory

from .conftest import in_state

HX = {"HX-Request": "true"}


def _url(name, *args):
    return reverse(f"action_plans:{name}", args=args)


def _plan_data(plan, **overrides):
    data = {
        "problem": plan.problem_id or "",
        "title": plan.title,
        "goal": plan.goal,
        "root_cause": plan.root_cause,
        "indicator_name": plan.indicator_name,
        "indicator_unit": plan.indicator_unit,
        "indicator_direction": plan.indicator_direction,
        "baseline_value": "" if plan.baseline_value is None else str(plan.baseline_value),
        "baseline_date": plan.baseline_date.isoformat() if plan.baseline_date else "",
        "target_value": "" if plan.target_value is None else str(plan.target_value),
        "target_date": plan.target_date.isoformat() if plan.target_date else "",
        "data_source": plan.data_source,
    }
    data.update(overrides)
    return data


@pytest.fixture
def classmate(agency, unit, mentor, batch, organizer):
    """Another participant of the same batch, with their own plan."""
    user = UserFactory(
        username="rekan",
        employee=EmployeeFactory(agency=agency, work_unit=unit, supervisor=mentor.employee),
    )
    RoleAssignmentFactory(user=user, role="participant")
    enrollment = program_services.enrollment_create(
        batch=batch, by=organizer, nip=user.employee.nip
    )
    services.action_plan_create(enrollment=enrollment, by=user, title="Rencana rekan")
    return user


# --- Starting a plan from My training ---------------------------------------------------------


def test_my_training_offers_to_write_the_plan(client, participant, enrollment):
    client.force_login(participant)

    page = client.get(reverse("programs:my_training")).content.decode()

    assert "Write my action plan" in page
    assert _url("plan_create", enrollment.pk) in page


def test_start_plan_creates_draft_and_opens_editor(client, participant, enrollment, problem):
    client.force_login(participant)

    response = client.post(_url("plan_create", enrollment.pk))

    plan = ActionPlan.objects.get(enrollment=enrollment)
    assert response.status_code == 302
    assert response["Location"] == _url("plan_edit", plan.pk)
    assert (plan.state, plan.title, plan.problem) == ("draft", problem.title, problem)
    # A second click opens the same plan instead of failing.
    again = client.post(_url("plan_create", enrollment.pk))
    assert again["Location"] == _url("plan_edit", plan.pk)
    assert ActionPlan.objects.filter(enrollment=enrollment).count() == 1


def test_my_training_links_the_existing_plan_with_its_state(client, participant, plan):
    client.force_login(participant)

    page = client.get(reverse("programs:my_training")).content.decode()

    assert "Write my action plan" not in page
    assert _url("plan_detail", plan.pk) in page
    assert _url("plan_edit", plan.pk) in page
    assert 'data-state="draft"' in page


@pytest.mark.parametrize("persona", ["mentor", "trainer", "outsider", "organizer"])
def test_start_plan_for_someone_else_404(client, request, persona, enrollment):
    client.force_login(request.getfixturevalue(persona))

    response = client.post(_url("plan_create", enrollment.pk))

    assert response.status_code == 404
    assert not ActionPlan.objects.exists()


# --- Scope ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["outsider", "other_organizer", "viewer", "classmate"])
@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("plan_detail", "get"),
        ("plan_edit", "get"),
        ("plan_autosave", "post"),
        ("plan_quality", "get"),
        ("stakeholder_add", "post"),
    ],
)
def test_plan_urls_outside_scope_404(client, request, plan, persona, name, method):
    client.force_login(request.getfixturevalue(persona))

    response = getattr(client, method)(_url(name, plan.pk))

    assert response.status_code == 404


def test_milestone_urls_outside_scope_404(client, ready_plan, outsider):
    milestone = ready_plan.milestones.first()
    client.force_login(outsider)

    for url in (
        _url("milestone_save", ready_plan.pk, milestone.pk),
        _url("milestone_remove", ready_plan.pk, milestone.pk),
        _url("milestone_move", ready_plan.pk, milestone.pk, "up"),
        _url("milestone_add", ready_plan.pk, "short"),
        _url("plan_act", ready_plan.pk, "submit"),
    ):
        assert client.post(url).status_code == 404
    assert ready_plan.milestones.count() == 3


def test_anonymous_is_sent_to_login(client, plan):
    response = client.get(_url("plan_edit", plan.pk))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_anonymous_autosave_over_htmx_keeps_the_page(client, plan):
    """An ended session: htmx gets HX-Redirect (plan-editor.js keeps the text and says so)."""
    response = client.post(
        _url("plan_autosave", plan.pk),
        {"title": "Baru"},
        headers={**HX, "HX-Current-URL": f"http://testserver{_url('plan_edit', plan.pk)}"},
    )

    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/accounts/login/")
    assert ActionPlan.objects.get().title == "Antrean daring puskesmas"


# --- Who may edit, and when -------------------------------------------------------------------


def test_editor_shows_the_form_and_the_quality_panel(client, participant, plan):
    client.force_login(participant)

    response = client.get(_url("plan_edit", plan.pk))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="plan-form"' in page
    assert 'data-testid="quality-panel"' in page
    assert 'data-code="goal_missing"' in page
    assert "plan-editor.js" in page
    assert f'data-plan="{plan.pk}"' in page


@pytest.mark.parametrize("persona", ["mentor", "trainer", "organizer"])
def test_editor_refused_to_reviewers_with_a_message(client, request, plan, persona):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(_url("plan_edit", plan.pk), follow=True)

    assert response.redirect_chain[-1][0] == _url("plan_detail", plan.pk)
    assert "Only the participant writes and changes their action plan." in (
        response.content.decode()
    )


@pytest.mark.parametrize(
    ("state", "editable"),
    [
        ("draft", True),
        ("revision_requested", True),
        ("submitted", False),
        ("approved", False),
        ("in_progress", False),
        ("abandoned", False),
    ],
)
def test_editor_only_in_draft_or_revision(client, participant, plan, state, editable):
    in_state(plan, state)
    client.force_login(participant)

    response = client.get(_url("plan_edit", plan.pk), follow=True)

    if editable:
        assert response.redirect_chain == []
        assert 'id="plan-form"' in response.content.decode()
    else:
        assert response.redirect_chain[-1][0] == _url("plan_detail", plan.pk)
        assert "it can be changed only as a draft" in response.content.decode()


def test_autosave_on_submitted_plan_redirects_the_window(client, participant, plan):
    in_state(plan, "submitted")
    client.force_login(participant)

    response = client.post(_url("plan_autosave", plan.pk), _plan_data(plan, title="X"), headers=HX)

    assert response["HX-Redirect"] == _url("plan_detail", plan.pk)
    assert ActionPlan.objects.get().title == "Antrean daring puskesmas"


# --- Autosave ---------------------------------------------------------------------------------


def test_autosave_saves_valid_fields_and_reports_invalid(client, participant, plan):
    client.force_login(participant)

    response = client.post(
        _url("plan_autosave", plan.pk),
        _plan_data(
            plan,
            title="Antrean daring",
            goal="Menurunkan waktu tunggu dari 180 menjadi 60 menit.",
            baseline_value="banyak",
            target_value="60",
            target_date="2026-13-45",
        ),
        headers=HX,
    )

    plan.refresh_from_db()
    page = response.content.decode()
    assert response.status_code == 200
    assert plan.title == "Antrean daring"
    assert plan.goal.startswith("Menurunkan")
    assert plan.target_value == Decimal("60")
    assert plan.baseline_value == Decimal("180")  # kept: "banyak" is not a number
    assert plan.target_date is None
    assert "Enter a number, for example 72,5." in page
    assert 'id="id_baseline_value_error" hx-swap-oob="true"' in page
    assert 'id="quality-panel"' in page and 'hx-swap-oob="true"' in page
    assert "Saved at" in page
    trigger = json.loads(response["HX-Trigger"])["membumi:autosaved"]
    assert trigger["form"] == "plan-form"
    assert sorted(trigger["invalid"]) == ["baseline_value", "target_date"]
    assert trigger["updated"] == int(plan.updated_at.timestamp() * 1000)


def test_autosave_reads_indonesian_numbers(client, participant, plan):
    client.force_login(participant)

    client.post(
        _url("plan_autosave", plan.pk),
        _plan_data(plan, baseline_value="1.240,5", target_value="72,5"),
        headers=HX,
    )

    plan.refresh_from_db()
    assert (plan.baseline_value, plan.target_value) == (Decimal("1240.5"), Decimal("72.5"))


def test_autosave_target_worse_than_baseline_is_saved_and_flagged(client, participant, plan):
    """Direction decrease, baseline 180: a target of 200 is a blocking finding, not an
    input error (the participant may still be typing)."""
    client.force_login(participant)

    response = client.post(
        _url("plan_autosave", plan.pk), _plan_data(plan, target_value="200"), headers=HX
    )

    plan.refresh_from_db()
    assert plan.target_value == Decimal("200")
    assert 'data-code="target_not_improvement"' in response.content.decode()


def test_autosave_refuses_a_problem_of_another_unit(client, participant, plan, outsider):
    foreign = make_problem(unit=outsider.employee.work_unit, by=outsider, state="validated")
    client.force_login(participant)

    response = client.post(
        _url("plan_autosave", plan.pk),
        _plan_data(plan, problem=foreign.pk, title="Judul baru"),
        headers=HX,
    )

    plan.refresh_from_db()
    assert plan.problem_id != foreign.pk
    assert plan.title == "Judul baru"
    assert "problem" in json.loads(response["HX-Trigger"])["membumi:autosaved"]["invalid"]


def test_autosave_empty_title_is_refused_but_others_saved(client, participant, plan):
    client.force_login(participant)

    response = client.post(
        _url("plan_autosave", plan.pk),
        _plan_data(plan, title="", data_source="Register puskesmas"),
        headers=HX,
    )

    plan.refresh_from_db()
    assert plan.title == "Antrean daring puskesmas"
    assert plan.data_source == "Register puskesmas"
    assert "This field is required." in response.content.decode()


def test_autosave_without_javascript(client, participant, plan):
    client.force_login(participant)

    ok = client.post(_url("plan_autosave", plan.pk), _plan_data(plan, goal="Tujuan"))
    bad = client.post(
        _url("plan_autosave", plan.pk), _plan_data(plan, goal="Tujuan", target_value="x")
    )

    assert ok.status_code == 302 and ok["Location"] == _url("plan_edit", plan.pk)
    assert bad.status_code == 400
    assert "Enter a number" in bad.content.decode()
    plan.refresh_from_db()
    assert plan.goal == "Tujuan"


def test_autosave_from_the_editor_saves_only_the_fields_typed_in(client, participant, plan):
    """plan-editor.js sends the fields typed since the last save (``_partial``,
    ``_fields``): the others, possibly stale on the page, are left alone, even if empty."""
    services.action_plan_update(plan=plan, by=participant, goal="Tujuan tersimpan")
    client.force_login(participant)

    response = client.post(
        _url("plan_autosave", plan.pk),
        {
            "_partial": "1",
            "_fields": ["data_source"],
            "data_source": "ASIK",
            "title": "",
            "goal": "",
        },
        headers=HX,
    )

    plan.refresh_from_db()
    assert (plan.title, plan.goal, plan.data_source) == (
        "Antrean daring puskesmas",
        "Tujuan tersimpan",
        "ASIK",
    )
    assert "This field is required." not in response.content.decode()
    assert json.loads(response["HX-Trigger"])["membumi:autosaved"]["invalid"] == []


def test_milestone_autosave_partial_clears_unchecked_values(client, participant, plan):
    program = plan.enrollment.batch.program
    type(program).objects.filter(pk=program.pk).update(program_type="latsar")
    milestone = services.milestone_add(
        plan=plan, by=participant, term="short", output="Satu", values=["akuntabel"]
    )
    client.force_login(participant)

    client.post(
        _url("milestone_save", plan.pk, milestone.pk),
        {"_partial": "1", "_fields": [f"ms-{milestone.pk}-values"]},
        headers=HX,
    )

    milestone.refresh_from_db()
    assert (milestone.values, milestone.output) == ([], "Satu")


def test_autosave_without_changes_writes_nothing(client, participant, plan):
    client.force_login(participant)
    before = ActionPlan.objects.get().updated_at

    client.post(_url("plan_autosave", plan.pk), _plan_data(plan), headers=HX)

    assert ActionPlan.objects.get().updated_at == before


# --- Milestones -------------------------------------------------------------------------------


def test_milestone_add_returns_the_term(client, participant, plan):
    client.force_login(participant)

    response = client.post(
        _url("milestone_add", plan.pk, "short"),
        {
            "new-short-term": "short",
            "new-short-output": "SOP antrean disahkan",
            "new-short-due_date": "2026-03-16",
            "new-short-budget": "1.500.000,00",
            "new-short-responsible": "Kepala puskesmas",
        },
        headers=HX,
    )

    milestone = Milestone.objects.get()
    page = response.content.decode()
    assert (milestone.term, milestone.budget) == ("short", Decimal("1500000"))
    assert page.startswith('<div id="term-short"')
    assert "SOP antrean disahkan" in page
    assert 'id="quality-panel"' in page and 'id="autosave-status"' in page


def test_milestone_add_invalid_shows_errors_in_the_form(client, participant, plan):
    client.force_login(participant)

    response = client.post(
        _url("milestone_add", plan.pk, "mid"),
        {"new-mid-term": "mid", "new-mid-output": "", "new-mid-budget": "mahal"},
        headers=HX,
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert not Milestone.objects.exists()
    assert "This field is required." in page
    assert "Enter a number" in page
    assert 'value="mahal"' in page  # what was typed stays


def test_milestone_add_unknown_term_404(client, participant, plan):
    client.force_login(participant)

    assert client.post(_url("milestone_add", plan.pk, "forever"), headers=HX).status_code == 404


def _short_milestones(plan, by, n=3):
    return [
        services.milestone_add(plan=plan, by=by, term="short", output=f"Langkah {i}")
        for i in range(1, n + 1)
    ]


def test_milestone_move_up_and_down(client, participant, plan):
    first, second, third = _short_milestones(plan, participant)
    services.milestone_add(plan=plan, by=participant, term="mid", output="Tengah")
    client.force_login(participant)

    response = client.post(_url("milestone_move", plan.pk, third.pk, "up"), headers=HX)

    order = list(plan.milestones.filter(term="short").values_list("pk", flat=True))
    assert order == [first.pk, third.pk, second.pk]
    page = response.content.decode()
    assert f'data-focus="ms-{third.pk}-up"' in page
    assert page.index("Langkah 3") < page.index("Langkah 2")

    client.post(_url("milestone_move", plan.pk, first.pk, "down"), headers=HX)
    order = list(plan.milestones.filter(term="short").values_list("pk", flat=True))
    assert order == [third.pk, first.pk, second.pk]


def test_milestone_move_past_the_end_changes_nothing(client, participant, plan):
    first, second = _short_milestones(plan, participant, 2)
    client.force_login(participant)

    response = client.post(_url("milestone_move", plan.pk, first.pk, "up"), headers=HX)

    assert response.status_code == 200
    assert list(plan.milestones.values_list("pk", flat=True)) == [first.pk, second.pk]


def test_milestone_move_button_disabled_at_the_ends(client, participant, plan):
    first, second = _short_milestones(plan, participant, 2)
    client.force_login(participant)

    page = client.get(_url("plan_edit", plan.pk)).content.decode()

    assert (
        f'id="ms-{first.pk}-up" class="button-small button-secondary" data-testid="move-up" disabled'
        in page
    )
    assert (
        f'id="ms-{second.pk}-down" class="button-small button-secondary" data-testid="move-down" disabled'
        in page
    )


def test_milestone_remove(client, participant, plan):
    first, second = _short_milestones(plan, participant, 2)
    client.force_login(participant)

    response = client.post(_url("milestone_remove", plan.pk, first.pk), headers=HX)

    assert list(Milestone.objects.values_list("pk", flat=True)) == [second.pk]
    assert "Langkah 1" not in response.content.decode()


def test_milestone_autosave_saves_valid_fields(client, participant, plan):
    (milestone,) = _short_milestones(plan, participant, 1)
    client.force_login(participant)
    prefix = f"ms-{milestone.pk}"

    response = client.post(
        _url("milestone_save", plan.pk, milestone.pk),
        {
            f"{prefix}-term": "short",
            f"{prefix}-output": "Langkah pertama diubah",
            f"{prefix}-due_date": "bukan tanggal",
            f"{prefix}-budget": "",
            f"{prefix}-responsible": "Bidan koordinator",
        },
        headers=HX,
    )

    milestone.refresh_from_db()
    assert milestone.output == "Langkah pertama diubah"
    assert milestone.responsible == "Bidan koordinator"
    trigger = json.loads(response["HX-Trigger"])["membumi:autosaved"]
    assert trigger == {
        "form": prefix,
        "invalid": [f"{prefix}-due_date"],
        "updated": trigger["updated"],
    }
    assert f'id="id_{prefix}-due_date_error" hx-swap-oob="true"><p class="error">' in (
        response.content.decode()
    )


def test_milestone_term_change_redraws_all_terms(client, participant, plan):
    (milestone,) = _short_milestones(plan, participant, 1)
    client.force_login(participant)
    prefix = f"ms-{milestone.pk}"

    response = client.post(
        _url("milestone_save", plan.pk, milestone.pk),
        {f"{prefix}-term": "long", f"{prefix}-output": "Langkah 1"},
        headers=HX,
    )

    milestone.refresh_from_db()
    assert milestone.term == "long"
    assert response["HX-Retarget"] == "#milestones"
    assert response.content.decode().startswith('<section id="milestones"')


def test_latsar_milestones_offer_berakhlak_values(client, participant, plan):
    program = plan.enrollment.batch.program
    type(program).objects.filter(pk=program.pk).update(program_type="latsar")
    client.force_login(participant)

    client.post(
        _url("milestone_add", plan.pk, "short"),
        {
            "new-short-term": "short",
            "new-short-output": "Layanan ramah",
            "new-short-values": ["akuntabel", "harmonis"],
        },
        headers=HX,
    )
    page = client.get(_url("plan_edit", plan.pk)).content.decode()

    assert Milestone.objects.get().values == ["akuntabel", "harmonis"]
    assert "BerAKHLAK values" in page


def test_milestone_of_another_plan_404(client, participant, plan, classmate):
    other = ActionPlan.objects.get(created_by=classmate)
    foreign = services.milestone_add(plan=other, by=classmate, term="short", output="Milik rekan")
    client.force_login(participant)

    response = client.post(_url("milestone_remove", plan.pk, foreign.pk), headers=HX)

    assert response.status_code == 404
    assert Milestone.objects.filter(pk=foreign.pk).exists()


# --- Stakeholders -----------------------------------------------------------------------------


def test_stakeholder_add_and_remove(client, participant, plan):
    client.force_login(participant)

    added = client.post(
        _url("stakeholder_add", plan.pk),
        {"sh-kind": "external", "sh-name": "Kepala desa", "sh-role": "Penggerak"},
        headers=HX,
    )
    stakeholder = Stakeholder.objects.get()
    removed = client.post(_url("stakeholder_remove", plan.pk, stakeholder.pk), headers=HX)

    assert "Kepala desa" in added.content.decode()
    assert added.content.decode().startswith('<section id="stakeholders"')
    assert not Stakeholder.objects.exists()
    assert "Kepala desa" not in removed.content.decode()


def test_stakeholder_add_without_name_shows_error(client, participant, plan):
    client.force_login(participant)

    response = client.post(
        _url("stakeholder_add", plan.pk), {"sh-kind": "internal", "sh-name": ""}, headers=HX
    )

    assert not Stakeholder.objects.exists()
    assert "This field is required." in response.content.decode()


# --- The plan page ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["participant", "mentor", "trainer", "organizer", "admin_user"])
def test_plan_page_for_everyone_in_scope(client, request, ready_plan, persona):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(_url("plan_detail", ready_plan.pk))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Keluaran short" in page
    assert 'data-testid="history"' in page
    assert 'id="clinic-panel"' in page


def _actions(client, user, plan):
    client.force_login(user)
    page = client.get(_url("plan_detail", plan.pk)).content.decode()
    return {a for a in ("submit", "approve", "request_revision", "start", "complete",
                        "verify", "reject", "abandon") if f'data-testid="action-{a}"' in page}  # fmt: skip


def test_plan_page_offers_the_steps_of_each_role(
    client, ready_plan, participant, mentor, trainer, organizer
):
    assert _actions(client, participant, ready_plan) == {"submit", "abandon"}
    assert _actions(client, trainer, ready_plan) == set()
    assert _actions(client, organizer, ready_plan) == {"abandon"}
    services.action_plan_transition(plan=ready_plan, action="submit", by=participant)
    assert _actions(client, trainer, ready_plan) == {"approve", "request_revision"}
    assert _actions(client, mentor, ready_plan) == {"approve", "request_revision"}
    services.action_plan_transition(plan=ready_plan, action="approve", by=trainer)
    # The coach has approved this round: only the revision request remains for them.
    assert _actions(client, trainer, ready_plan) == {"request_revision"}


def test_submit_refusal_lists_the_blocking_findings(client, participant, plan):
    client.force_login(participant)

    response = client.post(_url("plan_act", plan.pk, "submit"), follow=True)

    page = response.content.decode()
    assert response.status_code == 200
    assert "The plan cannot be submitted yet" in page
    assert ActionPlan.objects.get().state == "draft"
    assert 'class="message message-error"' in page


def test_submit_then_review_round_trip(client, participant, trainer, mentor, ready_plan):
    client.force_login(participant)
    response = client.post(_url("plan_act", ready_plan.pk, "submit"), follow=True)
    assert "The plan was submitted" in response.content.decode()

    client.force_login(trainer)
    empty = client.post(_url("plan_act", ready_plan.pk, "request-revision"), {})
    assert empty.status_code == 400
    assert "Give a reason." in empty.content.decode()
    assert ActionPlan.objects.get().state == "submitted"
    client.post(
        _url("plan_act", ready_plan.pk, "request_revision"),
        {"request_revision-note": "Tambahkan pemangku kepentingan."},
    )
    assert ActionPlan.objects.get().state == "revision_requested"

    client.force_login(participant)
    client.post(_url("plan_act", ready_plan.pk, "submit"))
    client.force_login(trainer)
    partial = client.post(_url("plan_act", ready_plan.pk, "approve"), follow=True)
    assert "waits for the other approval" in partial.content.decode()
    client.force_login(mentor)
    full = client.post(_url("plan_act", ready_plan.pk, "approve"), follow=True)

    page = full.content.decode()
    assert "The plan is approved." in page
    assert ActionPlan.objects.get().state == "approved"
    assert page.count('data-testid="approval"') == 2
    assert 'data-decision="approved"' in page
    actions = [a for a in ActionPlan.objects.get().transitions.values_list("action", flat=True)]
    assert actions == ["submit", "request_revision", "submit", "approve", "approve"]
    assert page.count('data-testid="history-row"') == 5
    assert "Tambahkan pemangku kepentingan." in page


def test_second_approval_by_the_same_role_is_refused_with_a_message(
    client, participant, trainer, ready_plan
):
    services.action_plan_transition(plan=ready_plan, action="submit", by=participant)
    services.action_plan_transition(plan=ready_plan, action="approve", by=trainer)
    client.force_login(trainer)

    response = client.post(_url("plan_act", ready_plan.pk, "approve"), follow=True)

    assert "You have already approved this version of the plan." in response.content.decode()


def test_step_not_allowed_in_this_state_is_a_message(client, participant, ready_plan):
    client.force_login(participant)

    response = client.post(_url("plan_act", ready_plan.pk, "complete"), follow=True)

    assert response.status_code == 200
    assert "Cannot complete the action plan: it is Draft." in response.content.decode()


def test_step_by_a_role_that_may_not_take_it_is_a_message(client, mentor, ready_plan):
    client.force_login(mentor)

    response = client.post(_url("plan_act", ready_plan.pk, "submit"), follow=True)

    assert "Only the participant may submit this action plan." in response.content.decode()


def test_unknown_step_404(client, participant, plan):
    client.force_login(participant)

    assert client.post(_url("plan_act", plan.pk, "publish")).status_code == 404


def test_carry_out_reject_verify(client, participant, mentor, ready_plan):
    plan = in_state(ready_plan, "approved")
    client.force_login(participant)
    client.post(_url("plan_act", plan.pk, "start"))
    assert ActionPlan.objects.get().state == "in_progress"
    refused = client.post(_url("plan_act", plan.pk, "complete"), follow=True)
    assert 'class="message message-error"' in refused.content.decode()
    assert ActionPlan.objects.get().state == "in_progress"
    plan = in_state(plan, "completed")

    client.force_login(mentor)
    no_reason = client.post(_url("plan_act", plan.pk, "reject"))
    assert no_reason.status_code == 400 and "Give a reason." in no_reason.content.decode()
    client.post(_url("plan_act", plan.pk, "reject"), {"reject-note": "Bukti kurang."})
    assert ActionPlan.objects.get().state == "in_progress"
    plan = in_state(plan, "completed")
    # Verification needs accepted evidence (monitoring): either way the answer is a message.
    response = client.post(_url("plan_act", plan.pk, "verify"), follow=True)
    assert response.status_code == 200
    assert 'class="message message-' in response.content.decode()


def test_abandon_request_and_acknowledgement(client, participant, mentor, ready_plan):
    client.force_login(participant)
    empty = client.post(_url("plan_act", ready_plan.pk, "abandon"))
    assert empty.status_code == 400
    response = client.post(
        _url("plan_act", ready_plan.pk, "abandon"),
        {"abandon-note": "Pindah tugas."},
        follow=True,
    )
    assert "sent to your mentor" in response.content.decode()
    assert _actions(client, participant, ready_plan) == {"submit"}

    assert "abandon" in _actions(client, mentor, ready_plan)
    client.post(_url("plan_act", ready_plan.pk, "abandon"))
    assert ActionPlan.objects.get().state == "abandoned"


def test_similar_link_only_for_coach_and_organizer(client, participant, trainer, ready_plan):
    url = optional_url("action_plans:similar", ready_plan.pk)
    client.force_login(trainer)
    coach_page = client.get(_url("plan_detail", ready_plan.pk)).content.decode()
    client.force_login(participant)
    own_page = client.get(_url("plan_detail", ready_plan.pk)).content.decode()

    assert 'data-testid="similar-link"' not in own_page
    assert ('data-testid="similar-link"' in coach_page) == bool(url)


def test_clinic_panel_loads_when_the_clinic_exists(client, participant, ready_plan):
    url = optional_url("action_plans:clinic_panel", ready_plan.pk)
    client.force_login(participant)

    page = client.get(_url("plan_detail", ready_plan.pk)).content.decode()

    if url:
        assert f'hx-get="{url}" hx-trigger="load"' in page
    else:
        assert '<div id="clinic-panel" data-testid="clinic-panel"></div>' in page


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_plan_page_queries_do_not_grow_with_milestones_and_history(
    client, participant, trainer, mentor, ready_plan, enrollment
):
    client.force_login(trainer)
    services.action_plan_transition(plan=ready_plan, action="submit", by=participant)
    few = _count(client, _url("plan_detail", ready_plan.pk))

    for i in range(4):
        services.action_plan_transition(
            plan=ready_plan, action="request_revision", by=trainer, note=f"Revisi {i}"
        )
        services.milestone_add(
            plan=ready_plan, by=participant, term="mid", output=f"Tambahan {i}",
            due_date=dt.date(2026, 5, 1), responsible="Saya",
        )  # fmt: skip
        services.stakeholder_add(plan=ready_plan, by=participant, kind="internal", name=f"S{i}")
        services.action_plan_transition(plan=ready_plan, action="submit", by=participant)
    services.action_plan_transition(plan=ready_plan, action="approve", by=trainer)
    many = _count(client, _url("plan_detail", ready_plan.pk))

    assert ready_plan.transitions.count() >= 9
    assert many == few


def test_editor_queries_do_not_grow_with_milestones(client, participant, plan):
    client.force_login(participant)
    services.milestone_add(plan=plan, by=participant, term="short", output="Satu")
    few = _count(client, _url("plan_edit", plan.pk))
    for i in range(6):
        services.milestone_add(plan=plan, by=participant, term="long", output=f"Lagi {i}")
        services.stakeholder_add(plan=plan, by=participant, kind="external", name=f"S{i}")

    assert _count(client, _url("plan_edit", plan.pk)) == few


def test_my_training_queries_do_not_grow_with_plans(
    client, participant, plan, organizer, program, trainer
):
    from membumi.programs.tests.factories import make_batch

    client.force_login(participant)
    few = _count(client, reverse("programs:my_training"))
    for i in range(2):
        batch = make_batch(program, organizer, trainer, name=f"Angkatan {i + 2}")
        enrollment = program_services.enrollment_create(
            batch=batch, by=organizer, nip=participant.employee.nip
        )
        services.action_plan_create(enrollment=enrollment, by=participant, title=f"Rencana {i}")

    assert _count(client, reverse("programs:my_training")) == few


# --- Notifications ----------------------------------------------------------------------------


def test_submit_notifies_coach_and_mentor_in_the_app_with_one_mail(
    participant, trainer, mentor, ready_plan, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.action_plan_transition(plan=ready_plan, action="submit", by=participant)

    notes = Notification.objects.order_by("recipient__username")
    assert [(n.recipient, n.kind) for n in notes] == [
        (mentor, "action_plan_submit"),
        (trainer, "action_plan_submit"),
    ]
    assert all(n.url == _url("plan_detail", ready_plan.pk) for n in notes)
    assert "Pak Peserta" in notes[0].title
    assert len(mail.outbox) == 1  # the review e-mail only, not a copy per notification


def test_approval_and_revision_notify_the_participant(
    participant, trainer, mentor, ready_plan, django_capture_on_commit_callbacks
):
    services.action_plan_transition(plan=ready_plan, action="submit", by=participant)
    Notification.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        services.action_plan_transition(
            plan=ready_plan, action="request_revision", by=mentor, note="Perjelas target."
        )

    mine = Notification.objects.get(recipient=participant)
    assert mine.kind == "action_plan_request_revision"
    assert "Perjelas target." in mine.body
    # The coach hears of it in the app; the mentor who asked does not notify herself.
    assert Notification.objects.filter(recipient=trainer).exists()
    assert not Notification.objects.filter(recipient=mentor).exists()
    assert [m.to for m in mail.outbox] == [[participant.email]]


def test_verify_notifies_the_coach_by_mail_too(
    participant, mentor, trainer, ready_plan, django_capture_on_commit_callbacks
):
    """The participant hears of it from monitoring's step effect; the coach from here."""
    plan = in_state(ready_plan, "completed")
    plan.transitions.create(action="verify", from_state="completed", to_state="verified", by=mentor)
    row = plan.transitions.get()
    from membumi.action_plans import notifications

    with django_capture_on_commit_callbacks(execute=True):
        notifications.transition_notify(plan=plan, row=row)

    (note,) = Notification.objects.all()
    assert (note.recipient, note.kind) == (trainer, "action_plan_verify")
    assert [m.to for m in mail.outbox] == [[trainer.email]]


def test_abandon_by_organizer_notifies_everyone_concerned(
    participant, mentor, trainer, organizer, ready_plan
):
    services.action_plan_transition(
        plan=ready_plan, action="abandon", by=organizer, note="Peserta mutasi."
    )

    assert set(
        Notification.objects.filter(kind="action_plan_abandon").values_list(
            "recipient__username", flat=True
        )
    ) == {participant.username, mentor.username, trainer.username}


def test_notifications_only_once_per_step(participant, ready_plan):
    services.action_plan_transition(plan=ready_plan, action="submit", by=participant)
    row = ready_plan.transitions.get()
    from membumi.action_plans import notifications

    notifications.transition_notify(plan=ready_plan, row=row)

    assert Notification.objects.count() == 2
