import io
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from membumi.accounts.enums import Role
from membumi.core.models import AuditLog
from membumi.seminars import queries, services
from membumi.seminars.models import Criterion, Score, SeminarConfig, SeminarSession
from membumi.testing.factories import RoleAssignmentFactory, UserFactory

from .conftest import add_submitted_plans, score_all

pytestmark = pytest.mark.django_db


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def _config_post(pass_mark="70", rows=None, enabled=True):
    rows = rows if rows is not None else [("Relevansi", "20", "100"), ("Kelayakan", "20", "100")]
    data = {
        "pass_mark": pass_mark,
        "criteria-TOTAL_FORMS": str(len(rows) + 1),
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "12",
    }
    if enabled:
        data["enabled"] = "on"
    for i, (name, weight, max_score) in enumerate(rows):
        data[f"criteria-{i}-name"] = name
        data[f"criteria-{i}-weight"] = weight
        data[f"criteria-{i}-max_score"] = max_score
    return data


# --- Settings -------------------------------------------------------------------------------------


def test_config_page_offers_the_default_rubric(client, organizer, program):
    client.force_login(organizer)
    response = client.get(reverse("seminars:config", args=[program.pk]))

    content = response.content.decode()
    for name in ("Relevance to the problem", "Feasibility", "Measurability", "Stakeholder support", "Innovation"):  # fmt: skip
        assert f'value="{name}"' in content
    assert 'data-testid="config-locked"' not in content


def test_config_saved_from_the_page(client, organizer, program):
    client.force_login(organizer)
    response = client.post(
        reverse("seminars:config", args=[program.pk]),
        _config_post(rows=[("Relevansi", "30", "5"), ("Kelayakan", "10", "5")]),
    )

    assert response.status_code == 302
    config = SeminarConfig.objects.get(program=program)
    assert config.enabled and config.pass_mark == Decimal("70")
    assert list(Criterion.objects.values_list("name", "weight", "max_score")) == [
        ("Relevansi", 30, 5),
        ("Kelayakan", 10, 5),
    ]


def test_config_page_shows_bad_input(client, organizer, program):
    client.force_login(organizer)
    response = client.post(
        reverse("seminars:config", args=[program.pk]),
        _config_post(pass_mark="150", rows=[("Relevansi", "0", "100")]),
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "The pass mark must be a number from 0 to 100." in content
    assert "“Relevansi”: the weight must be a whole number from 1 to 100." in content
    assert not SeminarConfig.objects.exists()


def test_config_page_locked_after_a_score(client, organizer, session, submitted_plan, examiner):
    score_all(session, submitted_plan, examiner, 80)
    client.force_login(organizer)
    url = reverse("seminars:config", args=[session.batch.program_id])

    page = client.get(url)
    response = client.post(url, _config_post(pass_mark="10"))

    assert 'data-testid="config-locked"' in page.content.decode()
    assert "rubric and pass mark are locked" in " ".join(_messages(response))
    assert SeminarConfig.objects.get().pass_mark == Decimal("70")


@pytest.mark.parametrize(
    "persona", ["trainer", "other_organizer", "outsider", "participant", "examiner"]
)
def test_config_page_is_the_organizers(client, request, program, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("seminars:config", args=[program.pk])).status_code == 404


# --- Sessions -------------------------------------------------------------------------------------


def test_session_created_from_the_page(client, organizer, seminar_program, batch, examiner):
    client.force_login(organizer)
    url = reverse("seminars:session_create", args=[batch.pk])

    form = client.get(url)
    response = client.post(
        url,
        {
            "kind": "laporan",
            "starts_at": "2026-03-19T13:30",
            "place": "Aula",
            "examiners": [examiner.pk],
        },
    )

    assert "penguji" in form.content.decode()
    session = SeminarSession.objects.get()
    assert response.url == reverse("seminars:session_detail", args=[session.pk])
    assert (session.kind, session.place, list(session.examiners.all())) == (
        "laporan",
        "Aula",
        [examiner],
    )


def test_session_form_refuses_someone_without_the_examiner_role(
    client, organizer, seminar_program, batch, trainer
):
    client.force_login(organizer)
    response = client.post(
        reverse("seminars:session_create", args=[batch.pk]),
        {
            "kind": "rancangan",
            "starts_at": "2026-03-19T13:30",
            "place": "Aula",
            "examiners": [trainer.pk],
        },
    )

    assert "does not hold the examiner role at this institution" in response.content.decode()
    assert not SeminarSession.objects.exists()


def test_session_create_sends_to_settings_while_seminars_are_off(client, organizer, batch):
    client.force_login(organizer)
    response = client.get(reverse("seminars:session_create", args=[batch.pk]))
    assert response.url == reverse("seminars:config", args=[batch.program_id])


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("organizer", 200), ("examiner", 200), ("examiner2", 200), ("trainer", 200), ("mentor", 200),
        ("other_organizer", 404), ("outsider", 404), ("participant", 404), ("foreign_examiner", 404),
        ("unassigned_examiner", 404), ("viewer", 404),
    ],
)  # fmt: skip
def test_session_page_scope(client, request, session, persona, status, institution):
    if persona == "unassigned_examiner":
        user = UserFactory(username="penguji-lain-sesi")
        RoleAssignmentFactory(user=user, role=Role.EXAMINER, institution=institution)
    else:
        user = request.getfixturevalue(persona)
    client.force_login(user)

    assert client.get(reverse("seminars:session_detail", args=[session.pk])).status_code == status


@pytest.mark.parametrize(
    "persona", ["organizer", "trainer", "mentor", "foreign_examiner", "participant"]
)
def test_only_assigned_examiners_get_the_score_form(
    client, request, session, submitted_plan, persona
):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("seminars:score", args=[session.pk, submitted_plan.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404
    assert not Score.objects.exists()


def test_examiner_scores_with_a_bad_input_first(client, examiner, session, submitted_plan):
    criteria = queries.criteria_for(session.batch.program)
    client.force_login(examiner)
    url = reverse("seminars:score", args=[session.pk, submitted_plan.pk])
    data = {f"score_{c.pk}": "80" for c in criteria} | {"note": "Layak diteruskan"}

    bad = client.post(url, data | {f"score_{criteria[2].pk}": "120"})
    good = client.post(url, data | {f"comment_{criteria[0].pk}": "Akar masalah jelas"})

    assert (
        "“Measurability”: the score must be a whole number from 1 to 100." in bad.content.decode()
    )
    assert good.url == reverse("seminars:session_detail", args=[session.pk])
    score = Score.objects.get()
    assert (score.examiner, score.total, score.note) == (
        examiner,
        Decimal("80.00"),
        "Layak diteruskan",
    )
    assert score.items.get(criterion=criteria[0]).comment == "Akar masalah jelas"


def test_finalise_page_lists_missing_scores_then_finalises(
    client, organizer, session, submitted_plan, examiner, examiner2
):
    score_all(session, submitted_plan, examiner, 80)
    client.force_login(organizer)
    url = reverse("seminars:session_transition", args=[session.pk])

    page = client.get(reverse("seminars:session_detail", args=[session.pk])).content.decode()
    refused = client.post(url, {"action": "finalise"})
    score_all(session, submitted_plan, examiner2, 70)
    done = client.post(url, {"action": "finalise"})

    assert "Ir. Budi Kedua has not scored: “Antrean daring puskesmas” (Pak Peserta)" in page
    assert "Ir. Budi Kedua has not scored: “Antrean daring puskesmas” (Pak Peserta)" in _messages(
        refused
    )
    assert "The berita acara is final. Participants were told their results." in _messages(done)
    session.refresh_from_db()
    assert session.state == "finalised"


def test_examiner_cannot_finalise(client, examiner, session, submitted_plan, examiner2):
    score_all(session, submitted_plan, examiner, 80)
    score_all(session, submitted_plan, examiner2, 80)
    client.force_login(examiner)

    response = client.post(
        reverse("seminars:session_transition", args=[session.pk]), {"action": "finalise"}
    )

    assert response.status_code == 404
    session.refresh_from_db()
    assert session.state == "open"


# --- Finalised: results and the berita acara ------------------------------------------------------


@pytest.fixture
def finalised(session, submitted_plan, examiner, examiner2, organizer):
    score_all(session, submitted_plan, examiner, 82, note="Lanjutkan ke unit kerja")
    score_all(session, submitted_plan, examiner2, 74)
    return services.seminar_session_transition(session=session, action="finalise", by=organizer)


def test_participant_sees_own_result_and_comments_after_finalisation(
    client, participant, session, submitted_plan, examiner, examiner2, organizer
):
    client.force_login(participant)
    sheet_url = reverse("seminars:plan_sheet", args=[session.pk, submitted_plan.pk])
    before = client.get(sheet_url)
    score_all(session, submitted_plan, examiner, 82, note="Lanjutkan ke unit kerja")
    score_all(session, submitted_plan, examiner2, 74)
    services.seminar_session_transition(session=session, action="finalise", by=organizer)

    board = client.get(reverse("seminars:session_detail", args=[session.pk])).content.decode()
    sheet = client.get(sheet_url).content.decode()

    assert before.status_code == 404
    assert "78.00" in board and "meets the pass mark" in board
    assert "Lanjutkan ke unit kerja" in sheet and "Komentar Feasibility" in sheet
    assert "78.00" in sheet


def test_participant_sees_only_own_row(client, participant, finalised, batch, organizer, mentor):
    # Another participant's plan, submitted after the session was finalised: not examined there.
    add_submitted_plans(batch, organizer, mentor, 1)
    client.force_login(participant)
    response = client.get(reverse("seminars:session_detail", args=[finalised.pk]))
    assert [row.plan.title for row in response.context["board"].rows] == [
        "Antrean daring puskesmas"
    ]


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.mark.parametrize("persona", ["organizer", "examiner", "participant", "mentor", "trainer"])
def test_berita_acara_pdf(client, request, finalised, submitted_plan, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("seminars:berita_acara", args=[finalised.pk, submitted_plan.pk]))

    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content.startswith(b"%PDF")
    text = _pdf_text(content)
    for expected in ("Pak Peserta", "Antrean daring puskesmas", "BPSDM ALFA", "Relevance to the problem", "78.00", "Dr. Sri Penguji", "Ir. Budi Kedua", "/BA-SR/BPSDM-A/", "Lanjutkan ke unit kerja"):  # fmt: skip
        assert expected in text, expected
    assert AuditLog.objects.filter(action="seminars.berita_acara_exported").exists()


@pytest.mark.parametrize("persona", ["outsider", "other_organizer", "foreign_examiner", "viewer"])
def test_berita_acara_out_of_scope(client, request, finalised, submitted_plan, persona):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("seminars:berita_acara", args=[finalised.pk, submitted_plan.pk])
    assert client.get(url).status_code == 404


def test_no_berita_acara_before_finalisation(client, organizer, session, submitted_plan):
    client.force_login(organizer)
    url = reverse("seminars:berita_acara", args=[session.pk, submitted_plan.pk])
    assert client.get(url).status_code == 404


def test_score_form_closed_after_finalisation(client, examiner, finalised, submitted_plan):
    client.force_login(examiner)
    response = client.post(reverse("seminars:score", args=[finalised.pk, submitted_plan.pk]), {})
    assert "scores can no longer be changed" in " ".join(_messages(response))


# --- Query counts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["organizer", "examiner"])
def test_scoring_list_query_count_does_not_grow(
    client, request, session, submitted_plan, batch, organizer, mentor, examiner, examiner2, persona
):
    user = request.getfixturevalue(persona)
    score_all(session, submitted_plan, examiner, 80)
    client.force_login(user)
    url = reverse("seminars:session_detail", args=[session.pk])
    client.get(url)  # warm up
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for plan in add_submitted_plans(batch, organizer, mentor, 6):
        score_all(session, plan, examiner, 75)
        score_all(session, plan, examiner2, 65)

    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert len(response.context["board"].rows) == 7
    assert len(many.captured_queries) == len(one.captured_queries)


def test_session_list_query_count_does_not_grow(
    client, examiner, examiner2, seminar_program, batch, organizer, session
):
    client.force_login(examiner)
    url = reverse("seminars:session_list")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for place in ("Aula 2", "Aula 3", "Aula 4"):
        services.seminar_session_create(
            batch=batch, by=organizer, kind="laporan", starts_at=session.starts_at, place=place,
            examiners=[examiner, examiner2],
        )  # fmt: skip

    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert len(response.context["page_obj"]) == 4
    assert len(many.captured_queries) == len(one.captured_queries)


def test_examiner_nav_and_list(client, examiner, session):
    client.force_login(examiner)
    content = client.get(reverse("seminars:session_list")).content.decode()
    assert "Seminars to score" in content
    assert reverse("seminars:session_detail", args=[session.pk]) in content


# --- The examiner reads the plan they score ---------------------------------------------------


def test_examiner_reads_the_plan_on_the_sheet_without_a_link_to_a_page_refused_to_them(
    client, examiner, session, submitted_plan
):
    """The plan's own page is not the examiner's (404 there): the sheet shows the plan
    read-only instead of offering "Open the plan"."""
    client.force_login(examiner)
    plan_url = reverse("action_plans:plan_detail", args=[submitted_plan.pk])

    html = client.get(
        reverse("seminars:plan_sheet", args=[session.pk, submitted_plan.pk])
    ).content.decode()

    assert client.get(plan_url).status_code == 404
    assert f'href="{plan_url}"' not in html
    assert 'data-testid="sheet-plan"' in html
    assert "Menurunkan waktu tunggu dari 180 menjadi 60 menit" in html
    assert "Keluaran short" in html and "Keluaran long" in html


def test_organizer_gets_the_link_to_the_plan_page(client, organizer, session, submitted_plan):
    client.force_login(organizer)

    html = client.get(
        reverse("seminars:plan_sheet", args=[session.pk, submitted_plan.pk])
    ).content.decode()

    assert f'href="{reverse("action_plans:plan_detail", args=[submitted_plan.pk])}"' in html
