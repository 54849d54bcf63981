"""The peer clinic: who gives feedback on which plan, who answers, who reads; the clinic page
and the panel; notifications and audit entries."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from membumi.action_plans import clinic, queries, rules, services
from membumi.action_plans.models import PeerFeedback
from membumi.action_plans.tests.peers import make_mate, make_plan
from membumi.core.exceptions import TransitionNotAllowed
from membumi.core.models import AuditLog
from membumi.notifications.models import Notification
from membumi.programs import services as program_services
from membumi.programs.tests.factories import make_batch

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def mate(batch, organizer, mentor, unit):
    user, _enrollment = make_mate(
        batch, organizer, username="peserta2", name="Bu Rekan", mentor=mentor, unit=unit
    )
    return user


@pytest.fixture
def mate_plan(mate):
    enrollment = mate.employee.enrollments.get()
    return make_plan(enrollment, mate, title="Pendaftaran daring posyandu")


@pytest.fixture
def submitted(ready_plan, participant):
    return services.action_plan_transition(plan=ready_plan, action="submit", by=participant)


@pytest.fixture
def other_batch_participant(program, organizer, trainer, mentor, unit):
    other_batch = make_batch(program, organizer, trainer, name="Angkatan II 2026")
    user, _enrollment = make_mate(
        other_batch, organizer, username="peserta-lain", name="Pak Lain", mentor=mentor, unit=unit
    )
    return user


def give(plan, by, **parts):
    parts = parts or {"to_fix": "Target 60 menit terlalu ambisius untuk tiga bulan."}
    return clinic.peer_feedback_give(plan=plan, by=by, **parts)


# --- Rules and services -----------------------------------------------------------------------


def test_batch_mate_gives_feedback_author_is_notified_and_audited(submitted, mate, participant):
    feedback = give(submitted, mate, strengths="Indikator jelas.", questions="Siapa operatornya?")

    assert feedback.review_round == 1
    assert (feedback.strengths, feedback.to_fix) == ("Indikator jelas.", "")
    note = Notification.objects.get(recipient=participant, kind="action_plans.peer_feedback")
    assert submitted.title in note.title
    assert note.url == reverse("action_plans:clinic_panel", args=[submitted.pk]) + (
        f"#feedback-{feedback.pk}"
    )
    assert AuditLog.objects.filter(
        action="action_plans.peer_feedback_give", object_id=str(submitted.pk), actor=mate
    ).exists()


def test_author_answers_and_feedback_author_is_notified(submitted, mate, participant):
    feedback = give(submitted, mate)

    answered = clinic.peer_feedback_answer(
        feedback=feedback, by=participant, answer="Kami uji coba dulu di satu loket."
    )

    assert answered.answer == "Kami uji coba dulu di satu loket."
    assert answered.answered_at is not None
    note = Notification.objects.get(recipient=mate, kind="action_plans.peer_feedback_answered")
    assert note.url.endswith(f"#feedback-{feedback.pk}")
    assert AuditLog.objects.filter(
        action="action_plans.peer_feedback_answer", actor=participant
    ).exists()


def test_nobody_gives_feedback_on_their_own_plan(submitted, participant):
    with pytest.raises(PermissionDenied, match="your own plan"):
        give(submitted, participant)
    assert not PeerFeedback.objects.exists()


def test_no_feedback_on_a_draft_plan(mate, plan):
    with pytest.raises(TransitionNotAllowed, match="has not been submitted yet"):
        give(plan, mate)
    assert not PeerFeedback.objects.exists()


def test_no_feedback_on_an_abandoned_plan(submitted, mate, organizer):
    services.action_plan_transition(
        plan=submitted, action="abandon", by=organizer, note="Peserta mengundurkan diri."
    )
    with pytest.raises(TransitionNotAllowed, match="abandoned"):
        give(submitted, mate)


def test_feedback_needs_at_least_one_part(submitted, mate):
    with pytest.raises(ValidationError) as exc:
        give(submitted, mate, strengths="  ", to_fix="", questions="")
    assert "Fill in at least one" in str(exc.value)
    assert not PeerFeedback.objects.exists()


@pytest.mark.parametrize("who", ["trainer", "mentor", "organizer", "outsider"])
def test_only_batch_mates_give_feedback(submitted, who, request):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied, match="same batch"):
        give(submitted, user)


def test_participant_of_another_batch_gives_no_feedback(submitted, other_batch_participant):
    with pytest.raises(PermissionDenied, match="same batch"):
        give(submitted, other_batch_participant)


def test_withdrawn_batch_mate_gives_no_feedback(submitted, mate, organizer):
    enrollment = mate.employee.enrollments.get()
    program_services.enrollment_transition(
        enrollment=enrollment, action="withdraw", by=organizer, note="Sakit."
    )
    assert not rules.is_batch_mate(mate, submitted)
    with pytest.raises(PermissionDenied):
        give(submitted, mate)


def test_only_the_author_answers_once_and_not_empty(submitted, mate, trainer, participant):
    feedback = give(submitted, mate)
    with pytest.raises(PermissionDenied, match="Only the plan's participant"):
        clinic.peer_feedback_answer(feedback=feedback, by=mate, answer="Saya jawab sendiri")
    with pytest.raises(PermissionDenied):
        clinic.peer_feedback_answer(feedback=feedback, by=trainer, answer="Jawaban coach")
    with pytest.raises(ValidationError, match="Write your answer"):
        clinic.peer_feedback_answer(feedback=feedback, by=participant, answer="   ")
    clinic.peer_feedback_answer(feedback=feedback, by=participant, answer="Terima kasih.")
    with pytest.raises(TransitionNotAllowed, match="already been answered"):
        clinic.peer_feedback_answer(feedback=feedback, by=participant, answer="Lagi")
    feedback.refresh_from_db()
    assert feedback.answer == "Terima kasih."


def test_feedback_stays_open_through_revision_and_records_the_round(
    submitted, mate, trainer, participant
):
    services.action_plan_transition(
        plan=submitted, action="request_revision", by=trainer, note="Perjelas target."
    )
    feedback = give(submitted, mate)  # revision_requested: still under discussion
    assert feedback.review_round == 1
    services.action_plan_transition(plan=submitted, action="submit", by=participant)
    assert give(submitted, mate).review_round == 2


# --- Scope: the one place that widens it ------------------------------------------------------


def test_clinic_scope_adds_batch_mates_submitted_plans_only(
    submitted, mate, mate_plan, other_batch_participant, outsider, participant
):
    assert set(queries.clinic_plans_for_user(mate)) == {submitted, mate_plan}
    # ... while the ordinary scope (plan page, editor, API, similar plans) stays their own.
    assert set(queries.plans_for_user(mate)) == {mate_plan}
    assert set(queries.clinic_plans_for_user(other_batch_participant)) == set()
    assert set(queries.clinic_plans_for_user(outsider)) == set()


def test_clinic_scope_excludes_drafts_and_abandoned_plans(
    plan, mate, mate_plan, organizer, participant
):
    assert plan not in queries.clinic_plans_for_user(mate)  # a draft
    assert mate_plan in queries.clinic_plans_for_user(participant)
    services.action_plan_transition(plan=mate_plan, action="abandon", by=organizer, note="x")
    assert mate_plan not in queries.clinic_plans_for_user(participant)


# --- Pages ------------------------------------------------------------------------------------


def test_panel_404_for_outsider_and_other_batch(
    client, submitted, outsider, other_batch_participant, viewer
):
    url = reverse("action_plans:clinic_panel", args=[submitted.pk])
    for user in (outsider, other_batch_participant, viewer):
        client.force_login(user)
        assert client.get(url).status_code == 404


def test_panel_404_for_batch_mate_on_a_draft(client, plan, mate):
    client.force_login(mate)
    assert client.get(reverse("action_plans:clinic_panel", args=[plan.pk])).status_code == 404


def test_batch_mate_reads_plan_read_only_and_gives_feedback_through_htmx(
    client, submitted, mate, participant
):
    client.force_login(mate)
    url = reverse("action_plans:clinic_panel", args=[submitted.pk])
    page = client.get(url).content.decode()
    assert "The plan (read-only)" in page
    assert "Keluaran short" in page  # the milestones are shown
    assert 'data-testid="clinic-feedback-form"' in page
    assert reverse("action_plans:similar", args=[submitted.pk]) not in page

    response = client.post(
        reverse("action_plans:clinic_feedback", args=[submitted.pk]),
        {"strengths": "Data dasar jelas.", "to_fix": "", "questions": ""},
        **HX,
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Data dasar jelas." in body
    assert "The plan (read-only)" not in body  # only the panel is swapped
    assert PeerFeedback.objects.filter(plan=submitted, author=mate).count() == 1
    # The plan page, the editor and the similar plans stay closed to a batch-mate.
    assert client.get(reverse("action_plans:similar", args=[submitted.pk])).status_code == 404


def test_empty_feedback_is_refused_with_a_message(client, submitted, mate):
    client.force_login(mate)
    url = reverse("action_plans:clinic_feedback", args=[submitted.pk])
    response = client.post(url, {"strengths": "", "to_fix": " ", "questions": ""}, **HX)
    assert "Fill in at least one" in response.content.decode()
    assert not PeerFeedback.objects.exists()
    # Without htmx: the full page, status 400.
    response = client.post(url, {"strengths": "", "to_fix": "", "questions": ""})
    assert response.status_code == 400
    assert "Fill in at least one" in response.content.decode()


def test_author_sees_no_form_but_a_notice_and_answers(client, submitted, mate, participant):
    feedback = give(submitted, mate)
    client.force_login(participant)
    url = reverse("action_plans:clinic_panel", args=[submitted.pk])
    body = client.get(url, **HX).content.decode()
    assert 'data-testid="clinic-feedback-form"' not in body
    assert "You cannot give feedback on your own plan" in body
    assert 'data-testid="clinic-answer-form"' in body

    # An own-plan feedback POST is refused with the message (403 without htmx).
    response = client.post(
        reverse("action_plans:clinic_feedback", args=[submitted.pk]), {"strengths": "Bagus"}
    )
    assert response.status_code == 403
    assert "your own plan" in response.content.decode()

    answer_url = reverse("action_plans:clinic_answer", args=[submitted.pk, feedback.pk])
    response = client.post(answer_url, {"answer": ""}, **HX)
    assert "This field is required" in response.content.decode()
    response = client.post(answer_url, {"answer": "Akan saya ubah targetnya."})
    assert response.status_code == 302
    assert response.url.endswith(f"#feedback-{feedback.pk}")
    feedback.refresh_from_db()
    assert feedback.answer == "Akan saya ubah targetnya."


def test_batch_mate_cannot_answer_through_the_page(client, submitted, mate, participant):
    feedback = give(submitted, mate)
    client.force_login(mate)
    response = client.post(
        reverse("action_plans:clinic_answer", args=[submitted.pk, feedback.pk]),
        {"answer": "Saya menjawab sendiri"},
    )
    assert response.status_code == 403
    feedback.refresh_from_db()
    assert feedback.answer == ""


@pytest.mark.parametrize("who", ["trainer", "mentor", "organizer", "admin_user"])
def test_coach_mentor_organizer_read_the_thread_without_a_form(
    client, submitted, mate, who, request
):
    give(submitted, mate, questions="Bagaimana dengan pasien lansia?")
    client.force_login(request.getfixturevalue(who))
    body = client.get(reverse("action_plans:clinic_panel", args=[submitted.pk])).content.decode()
    assert "Bagaimana dengan pasien lansia?" in body
    assert "Bu Rekan" in body
    assert 'data-testid="clinic-feedback-form"' not in body
    assert 'data-testid="clinic-answer-form"' not in body


def test_clinic_page_lists_open_plans_with_counts(client, submitted, mate, mate_plan, participant):
    give(submitted, mate)
    give(submitted, mate)
    give(mate_plan, participant)
    client.force_login(mate)
    response = client.get(reverse("action_plans:clinic", args=[submitted.enrollment.batch_id]))
    rows = {p.pk: p for p in response.context["page_obj"]}
    assert set(rows) == {submitted.pk, mate_plan.pk}
    assert (rows[submitted.pk].n_feedback, rows[submitted.pk].n_mine) == (2, 2)
    assert (rows[mate_plan.pk].n_feedback, rows[mate_plan.pk].n_mine) == (1, 0)
    assert rows[submitted.pk].n_unanswered == 2


def test_clinic_page_hides_drafts_and_explains_own_draft(
    client, plan, mate, mate_plan, participant
):
    client.force_login(participant)
    response = client.get(reverse("action_plans:clinic", args=[plan.enrollment.batch_id]))
    assert [p.pk for p in response.context["page_obj"]] == [mate_plan.pk]
    assert "Your plan appears here once you submit it" in response.content.decode()


def test_clinic_page_404_outside(client, submitted, outsider, other_batch_participant, viewer):
    url = reverse("action_plans:clinic", args=[submitted.enrollment.batch_id])
    for user in (outsider, other_batch_participant, viewer):
        client.force_login(user)
        assert client.get(url).status_code == 404
    assert client.get(reverse("action_plans:clinic", args=[999999])).status_code == 404


@pytest.mark.parametrize("who", ["trainer", "organizer", "mentor"])
def test_clinic_page_open_to_coach_organizer_mentor(client, submitted, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("action_plans:clinic", args=[submitted.enrollment.batch_id]))
    assert response.status_code == 200
    assert submitted.pk in [p.pk for p in response.context["page_obj"]]


def test_clinic_page_query_count_constant(
    client, batch, organizer, mentor, unit, submitted, mate, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("action_plans:clinic", args=[batch.pk])
    client.force_login(mate)
    client.get(url)  # warm caches (roles, session)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for i in range(3):
        user, enrollment = make_mate(
            batch, organizer, username=f"rekan{i}", name=f"Rekan {i}", mentor=mentor, unit=unit
        )
        other = make_plan(enrollment, user, title=f"Rencana {i}")
        give(other, mate)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["page_obj"]) == 4
    assert len(many) == len(one)


def test_panel_query_count_constant(client, submitted, mate, batch, organizer, mentor, unit):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("action_plans:clinic_panel", args=[submitted.pk])
    give(submitted, mate)
    client.force_login(submitted.enrollment.coach)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for i in range(3):
        user, _e = make_mate(
            batch, organizer, username=f"rekan{i}", name=f"Rekan {i}", mentor=mentor, unit=unit
        )
        give(submitted, user)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["thread"]) == 4
    assert len(many) == len(one)
