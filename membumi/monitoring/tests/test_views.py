"""Pages: timeline and update form, evidence download, signed link page, queue, coach view,
follow-up board — scoping, behaviour and constant query counts."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from membumi.action_plans.models import ActionPlan
from membumi.monitoring import services
from membumi.monitoring.enums import UpdateState
from membumi.monitoring.models import Evidence, ProgressUpdate
from membumi.programs.tests.factories import force_state
from membumi.testing.factories import EmployeeFactory, UserFactory

from .conftest import EXE, PDF, upload

pytestmark = pytest.mark.django_db


def _timeline(plan):
    return reverse("monitoring:plan_timeline", args=[plan.pk])


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("participant", 200),
        ("mentor", 200),
        ("trainer", 200),
        ("organizer", 200),
        ("admin_user", 200),
        ("outsider", 404),
        ("other_organizer", 404),
        ("viewer", 404),
    ],
)
def test_timeline_scoped(request, client, approved_plan, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_timeline(approved_plan)).status_code == status


def test_timeline_names_the_direction_without_nested_brackets(client, approved_plan, participant):
    """The direction label already holds brackets ("decrease (lower is better)"): wrapping it in
    another pair read "(decrease (lower is better))"."""
    client.force_login(participant)
    html = client.get(_timeline(approved_plan)).content.decode()
    label = approved_plan.get_indicator_direction_display().lower()

    assert label in html
    assert f"({label})" not in html


def test_post_update_from_the_form(client, approved_plan, participant):
    client.force_login(participant)
    milestone = approved_plan.milestones.first()
    response = client.post(
        _timeline(approved_plan),
        {
            "narrative": "Loket daring dibuka.",
            "measurement_value": "120",
            "measured_on": "2026-05-01",
            "measurement_source": "SIMPUS",
            f"ms_{milestone.pk}": "done",
            "files": [upload("laporan.pdf", PDF)],
            "links": "https://example.org/a\n",
        },
    )
    assert response.status_code == 302
    update = ProgressUpdate.objects.get()
    assert update.narrative == "Loket daring dibuka."
    assert update.evidence.count() == 2
    page = client.get(_timeline(approved_plan)).content.decode()
    assert "Loket daring dibuka." in page and "laporan.pdf" in page


def test_refused_upload_keeps_the_typed_text(client, approved_plan, participant):
    client.force_login(participant)
    response = client.post(
        _timeline(approved_plan),
        {
            "narrative": "Teks yang panjang diketik di ponsel.",
            "measurement_value": "133",
            "measured_on": "2026-05-02",
            "files": [upload("laporan.pdf", EXE)],
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Teks yang panjang diketik di ponsel." in page
    assert 'value="133' in page and 'value="2026-05-02"' in page
    assert 'data-testid="files-refused"' in page
    assert "its content was checked" in page
    assert not ProgressUpdate.objects.exists()


def test_oversize_upload_refused_in_the_form(client, approved_plan, participant, settings):
    settings.EVIDENCE_MAX_UPLOAD_MB = 1
    client.force_login(participant)
    response = client.post(
        _timeline(approved_plan),
        {"narrative": "Tetap ada", "files": [upload("besar.pdf", PDF + b"0" * 1024 * 1024)]},
    )
    assert response.status_code == 400
    assert "larger than 1 MB" in response.content.decode()
    assert "Tetap ada" in response.content.decode()


def test_mentor_cannot_post_an_update(client, approved_plan, mentor):
    client.force_login(mentor)
    assert client.post(_timeline(approved_plan), {"narrative": "x"}).status_code == 403


# --- Evidence ---------------------------------------------------------------------------------


@pytest.fixture
def evidence(approved_plan, participant):
    update = services.progress_update_create(
        plan=approved_plan, by=participant, narrative="Bukti", files=[upload("foto.pdf", PDF)]
    )
    return Evidence.objects.get(update=update)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("participant", 200),
        ("mentor", 200),
        ("trainer", 200),
        ("organizer", 200),
        ("admin_user", 200),
        ("outsider", 404),
        ("other_organizer", 404),
        ("viewer", 404),
    ],
)
def test_evidence_download_scoped(request, client, evidence, persona, status):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("monitoring:evidence", args=[evidence.pk]))
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("attachment;")
        assert "sandbox" in response["Content-Security-Policy"]


def test_evidence_anonymous_redirected_to_login(client, evidence):
    response = client.get(reverse("monitoring:evidence", args=[evidence.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- Signed link page --------------------------------------------------------------------------


def _mailed_link(approved_plan, participant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        update = services.progress_update_create(
            plan=approved_plan,
            by=participant,
            narrative="Lewat surel",
            files=[upload("a.pdf", PDF)],
        )
    body = next(m.body for m in mail.outbox if "/monitoring/v/" in m.body)
    path = re.search(r"https?://[^/\s]+(/monitoring/v/[^\s]+/)", body).group(1)
    return update, path


def test_link_get_changes_nothing_and_post_accepts(
    client, approved_plan, participant, django_capture_on_commit_callbacks
):
    update, path = _mailed_link(approved_plan, participant, django_capture_on_commit_callbacks)
    for _ in range(2):  # a mail scanner's prefetch, then the mentor
        response = client.get(path)
        assert response.status_code == 200
        assert "Lewat surel" in response.content.decode()
    update.refresh_from_db()
    assert update.state == UpdateState.SUBMITTED
    evidence = update.evidence.get()
    assert client.get(f"{path}evidence/{evidence.pk}/").status_code == 200

    response = client.post(path, {"decision": "accept"})
    assert 'data-testid="link-done"' in response.content.decode()
    update.refresh_from_db()
    assert update.state == UpdateState.ACCEPTED
    again = client.post(path, {"decision": "reject", "note": "x"})
    assert again.status_code == 410
    assert client.get(f"{path}evidence/{evidence.pk}/").status_code == 404


def test_link_reject_without_note_shows_the_error(
    client, approved_plan, participant, django_capture_on_commit_callbacks
):
    update, path = _mailed_link(approved_plan, participant, django_capture_on_commit_callbacks)
    response = client.post(path, {"decision": "reject", "note": ""})
    assert response.status_code == 400
    assert "Say why the update is rejected." in response.content.decode()
    update.refresh_from_db()
    assert update.state == UpdateState.SUBMITTED


def test_link_refuses_another_logged_in_user(
    client, approved_plan, participant, trainer, django_capture_on_commit_callbacks
):
    update, path = _mailed_link(approved_plan, participant, django_capture_on_commit_callbacks)
    client.force_login(trainer)
    assert client.get(path).status_code == 403
    assert client.post(path, {"decision": "accept"}).status_code == 403
    update.refresh_from_db()
    assert update.state == UpdateState.SUBMITTED


def test_link_tampered_page(client, db):
    response = client.get(reverse("monitoring:link", args=["not-a-token"]))
    assert response.status_code == 404
    assert 'data-testid="link-refused"' in response.content.decode()


# --- Lists: content and constant query counts ------------------------------------------------


def _more_plans(batch, mentor, trainer, n, state="in_progress"):
    """``n`` more plans of mentees of ``mentor`` coached by ``trainer``, each with a pending
    update carrying a measurement and a file."""
    from membumi.action_plans.models import Milestone
    from membumi.programs.models import Enrollment

    plans = []
    for i in range(n):
        employee = EmployeeFactory(agency=batch.program.institution.agency)
        account = UserFactory(username=f"p{i}-{employee.pk}", employee=employee)
        enrollment = Enrollment.objects.create(
            batch=batch,
            employee=employee,
            agency=employee.agency,
            mentor=mentor.employee,
            coach=trainer,
        )
        plan = ActionPlan.objects.create(
            enrollment=enrollment,
            agency=employee.agency,
            title=f"Rencana {i}",
            baseline_value=10,
            target_value=20,
            state="approved",
            indicator_name="Cakupan",
        )
        Milestone.objects.create(
            plan=plan, term="short", output="Langkah", due_date=dt.date(2020, 1, 1)
        )
        services.progress_update_create(
            plan=plan,
            by=account,
            narrative=f"Kemajuan {i}",
            measurement={"value": "15", "measured_on": dt.date(2026, 1, 1)},
            files=[upload("a.pdf", PDF)],
        )
        plans.append(force_state(plan, state))
    return plans


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


@pytest.mark.parametrize(
    ("persona", "url_name", "marker"),
    [
        ("mentor", "monitoring:mentor_queue", 'data-testid="queue-item"'),
        ("trainer", "monitoring:coaching", 'data-testid="plan-row"'),
    ],
)
def test_lists_constant_queries(
    request, client, approved_plan, batch, mentor, trainer, persona, url_name, marker
):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    _more_plans(batch, mentor, trainer, 1)
    one, page = _count(client, reverse(url_name))
    assert page.count(marker) == 2 if persona == "trainer" else page.count(marker) == 1
    _more_plans(batch, mentor, trainer, 4)
    many, page = _count(client, reverse(url_name))
    assert page.count(marker) >= 5
    assert one == many


def test_board_constant_queries_and_statuses(
    client, approved_plan, batch, mentor, trainer, organizer
):
    client.force_login(organizer)
    url = reverse("monitoring:board", args=[batch.pk])
    _more_plans(batch, mentor, trainer, 1)  # an overdue milestone: late
    one, page = _count(client, url)
    _more_plans(batch, mentor, trainer, 4)
    many, page = _count(client, url)
    assert one == many
    assert page.count('data-status="late"') >= 5
    assert f"{batch.program.name} · {batch.name}" in page
    # the approved plan without any update, approved long ago: silent
    ActionPlan.objects.filter(pk=approved_plan.pk).update(
        approved_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )
    approved_plan.milestones.update(due_date=dt.date(2999, 1, 1))
    page = client.get(url, {"status": "silent"}).content.decode()
    assert page.count('data-testid="plan-row"') == 1 and approved_plan.title in page


def test_board_stopped_by_a_blocked_milestone(client, approved_plan, batch, participant, organizer):
    approved_plan.milestones.update(due_date=dt.date(2999, 1, 1))
    milestone = approved_plan.milestones.first()
    services.progress_update_create(
        plan=approved_plan,
        by=participant,
        narrative="Tertahan",
        milestones=[{"milestone_id": milestone.pk, "status": "blocked", "note": "Anggaran"}],
    )
    client.force_login(organizer)
    page = client.get(
        reverse("monitoring:board", args=[batch.pk]), {"status": "stopped"}
    ).content.decode()
    assert approved_plan.title in page


@pytest.mark.parametrize("persona", ["other_organizer", "participant", "outsider"])
def test_board_out_of_scope(request, client, batch, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("monitoring:board", args=[batch.pk])).status_code == 404


def test_my_plans_constant_queries(client, approved_plan, participant):
    client.force_login(participant)
    one, page = _count(client, reverse("monitoring:my_plans"))
    assert approved_plan.title in page
    services.progress_update_create(plan=approved_plan, by=participant, narrative="Satu")
    again, _page = _count(client, reverse("monitoring:my_plans"))
    assert one == again


def test_mentor_decides_from_the_queue(client, approved_plan, participant, mentor):
    update = services.progress_update_create(plan=approved_plan, by=participant, narrative="Satu")
    client.force_login(mentor)
    queue = reverse("monitoring:mentor_queue")
    response = client.post(
        reverse("monitoring:update_decide", args=[update.pk]),
        {"decision": "reject", "note": "", "next": queue},
    )
    assert response["Location"] == queue
    update.refresh_from_db()
    assert update.state == UpdateState.SUBMITTED
    client.post(
        reverse("monitoring:update_decide", args=[update.pk]),
        {"decision": "accept", "next": "https://evil.example/"},
    )
    update.refresh_from_db()
    assert update.state == UpdateState.ACCEPTED


def _report(plan, by, n, *, decide_by=None):
    update = services.progress_update_create(
        plan=plan,
        by=by,
        narrative=f"Laporan {n}",
        measurement={"value": str(10 + n), "measured_on": dt.date(2026, 1, 1)},
        files=[upload(f"bukti-{n}.pdf", PDF)],
        links=[f"https://contoh.go.id/bukti/{n}"],
    )
    if decide_by is not None:
        services.progress_update_decide(update=update, by=decide_by, action="accept")
    return update


@pytest.mark.parametrize("persona", ["participant", "mentor"])
def test_timeline_constant_queries(request, client, approved_plan, participant, mentor, persona):
    """The timeline (updates, measurements, evidence, decisions, plan steps) costs the same
    number of queries for one report as for many."""
    client.force_login(request.getfixturevalue(persona))
    url = reverse("monitoring:plan_timeline", args=[approved_plan.pk])
    _report(approved_plan, participant, 1, decide_by=mentor)
    one, page = _count(client, url)
    assert page.count("Laporan 1") >= 1
    for n in range(2, 7):
        _report(approved_plan, participant, n, decide_by=mentor if n % 2 else None)
    many, page = _count(client, url)
    assert all(f"Laporan {n}" in page for n in range(1, 7))
    assert one == many
