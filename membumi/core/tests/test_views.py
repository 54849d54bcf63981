import re

import pytest
from django.conf import settings
from django.urls import reverse

from membumi.accounts.models import User
from membumi.core.models import AuditLog
from membumi.organizations.models import Agency, Employee, WorkUnit
from membumi.testing.factories import EmployeeFactory, UserFactory, WorkUnitFactory


def test_home_requires_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("persona", "section"),
    [
        ("participant", "section-participant"),
        ("mentor", "section-mentor"),
        ("organizer", "section-organizer"),
        ("trainer", "section-trainer"),
        ("viewer", "section-agency_viewer"),
        ("admin_user", "section-platform_admin"),
    ],
)
def test_home_shows_each_role_its_section(client, request, persona, section):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert f'data-testid="{section}"'.encode() in response.content


# --- Home: real figures per role ----------------------------------------------------------------


def _figure(response, testid):
    match = re.search(
        rf'data-testid="{testid}"><span class="value">([\d.,]+)</span>', response.content.decode()
    )
    assert match, testid
    return int(match.group(1).replace(".", "").replace(",", ""))


def test_home_viewer_counts_active_employees_of_agency(client, viewer, participant, agency, unit):
    EmployeeFactory(agency=agency, work_unit=unit, is_active=False)
    EmployeeFactory(name="Di Instansi Lain")
    child = WorkUnitFactory(agency=agency, parent=unit)
    EmployeeFactory(agency=agency, work_unit=child)
    client.force_login(viewer)

    response = client.get(reverse("home"))

    expected = Employee.objects.filter(agency=agency, is_active=True).count()
    assert expected == 3  # mentor, participant, the one in the child unit
    assert _figure(response, "agency-employees") == expected
    assert _figure(response, "agency-units") == WorkUnit.objects.filter(agency=agency).count()
    section = response.context["sections"][0]
    assert section["title"] == "Kabupaten Alfa"
    # The top-level unit counts its whole subtree.
    assert (unit, 3) in section["unit_rows"]


def test_home_mentor_counts_direct_reports(client, mentor, participant, agency):
    EmployeeFactory(agency=agency, supervisor=mentor.employee, name="Bawahan Dua")
    EmployeeFactory(agency=agency, supervisor=participant.employee, name="Bukan Langsung")
    client.force_login(mentor)

    response = client.get(reverse("home"))

    assert _figure(response, "mentor-direct-reports") == 2
    html = response.content.decode()
    assert "Pak Peserta" in html
    assert "Bawahan Dua" in html
    assert "Bukan Langsung" not in html


def test_home_participant_sees_own_record_and_supervisor(client, participant):
    client.force_login(participant)

    html = client.get(reverse("home")).content.decode()

    assert '<dd data-testid="my-supervisor">Bu Mentor</dd>' in html
    assert participant.employee.nip_display in html
    assert "Dinas Kesehatan" in html


def test_home_participant_without_supervisor_shows_dash(client, outsider):
    client.force_login(outsider)
    html = client.get(reverse("home")).content.decode()
    assert '<dd data-testid="my-supervisor">—</dd>' in html


def test_home_organizer_figures(client, organizer, trainer, participant, institution):
    third = EmployeeFactory(name="Di Kota Tiga")
    institution.served_agencies.add(third.agency)
    EmployeeFactory(name="Tidak Dilayani")
    client.force_login(organizer)

    response = client.get(reverse("home"))

    served = institution.served_agencies.all()
    assert _figure(response, "organizer-agencies") == 2
    assert (
        _figure(response, "organizer-employees")
        == Employee.objects.filter(agency__in=served).count()
    )
    assert _figure(response, "organizer-trainers") == 1
    assert "BPSDM Alfa" in response.content.decode()


def test_home_trainer_figures(client, trainer, organizer, institution):
    client.force_login(trainer)

    response = client.get(reverse("home"))

    assert _figure(response, "trainer-agencies") == 1
    assert _figure(response, "trainer-colleagues") == 1
    assert 'data-testid="section-organizer"' not in response.content.decode()


def test_home_admin_platform_figures(client, admin_user, participant, outsider):
    client.force_login(admin_user)

    response = client.get(reverse("home"))

    assert _figure(response, "admin-agencies") == Agency.objects.count()
    assert _figure(response, "admin-employees") == Employee.objects.count()
    assert _figure(response, "admin-users") == User.objects.count()


def test_home_participant_sees_no_other_sections(client, participant):
    client.force_login(participant)

    html = client.get(reverse("home")).content.decode()

    for other in ("organizer", "trainer", "agency_viewer", "platform_admin", "mentor"):
        assert f'data-testid="section-{other}"' not in html


def test_home_user_without_role_sees_no_sections(client, db):
    client.force_login(UserFactory(username="kosong"))
    response = client.get(reverse("home"))
    assert response.context["sections"] == []


def _populate(agency, mentor, n):
    """n top-level units, n employees reporting to the mentor, n audit entries by people."""
    for i in range(n):
        unit = WorkUnitFactory(agency=agency, name=f"Unit {i}")
        employee = EmployeeFactory(agency=agency, work_unit=unit, supervisor=mentor.employee)
        actor = UserFactory(employee=employee)
        AuditLog.objects.create(actor=actor, action="test.populated", summary=f"entry {i}")


# Measured: the same at 1 and at 30 rows. Everyone pays session, user and roles; a person with
# an employee record adds the record, its unit, agency and supervisor, and the reports query.
HOME_QUERIES = {
    "participant": 9,
    "mentor": 10,
    "organizer": 13,
    "trainer": 13,
    "viewer": 9,
    "admin_user": 10,
}


@pytest.mark.parametrize("persona", sorted(HOME_QUERIES))
@pytest.mark.parametrize("n", [1, 30])
def test_home_query_count_constant(
    client, request, agency, mentor, persona, n, django_assert_num_queries
):
    user = request.getfixturevalue(persona)
    _populate(agency, mentor, n)
    client.force_login(user)

    with django_assert_num_queries(HOME_QUERIES[persona]):
        response = client.get(reverse("home"))

    assert response.status_code == 200


# --- Audit log ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["participant", "mentor", "organizer", "trainer", "viewer", "outsider"]
)
def test_audit_log_non_admin_404(client, request, db, persona):
    AuditLog.objects.create(action="accounts.role_assigned", summary="rahasia")
    client.force_login(request.getfixturevalue(persona))

    response = client.get(reverse("core:audit_log"))

    assert response.status_code == 404
    assert b"rahasia" not in response.content


def test_audit_log_admin_sees_entries(client, admin_user, mentor):
    AuditLog.objects.create(actor=mentor, action="accounts.role_assigned", summary="Peran A")
    client.force_login(admin_user)

    html = client.get(reverse("core:audit_log")).content.decode()

    assert "Peran A" in html
    assert "Bu Mentor" in html  # the actor


def test_audit_log_filter_by_action(client, admin_user):
    AuditLog.objects.create(action="accounts.role_assigned", summary="Peran A")
    AuditLog.objects.create(action="organizations.import_started", summary="Impor B")
    client.force_login(admin_user)

    response = client.get(reverse("core:audit_log"), {"action": "organizations.import_started"})

    assert [e.summary for e in response.context["page_obj"]] == ["Impor B"]
    assert list(response.context["actions"]) == [
        "accounts.role_assigned",
        "organizations.import_started",
    ]


@pytest.mark.parametrize("n", [1, 30])
def test_audit_log_query_count_constant(
    client, admin_user, agency, mentor, n, django_assert_num_queries
):
    _populate(agency, mentor, n)
    client.force_login(admin_user)

    # session, user, roles, count, page (with actors and their employees), actions
    with django_assert_num_queries(7):
        client.get(reverse("core:audit_log"))


# --- Language -------------------------------------------------------------------------------


def test_language_default_is_indonesian(client, participant):
    assert b'<html lang="id">' in client.get(reverse("login")).content
    client.force_login(participant)
    assert b'<html lang="id">' in client.get(reverse("home")).content


def test_language_switch_to_english(client, participant):
    client.force_login(participant)

    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})

    assert response["Location"] == reverse("home")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert b'<html lang="en">' in client.get(reverse("home")).content


def test_language_switch_back_to_indonesian(client, participant):
    client.force_login(participant)
    client.post(reverse("set_language"), {"language": "en"})

    client.post(reverse("set_language"), {"language": "id"})

    assert b'<html lang="id">' in client.get(reverse("home")).content


def test_language_unknown_code_ignored(client, db):
    response = client.post(reverse("set_language"), {"language": "xx", "next": "/accounts/login/"})
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


# --- Security headers -------------------------------------------------------------------------


def _csp_directives(response):
    policy = response["Content-Security-Policy"]
    return dict((part.split()[0], part.split()[1:]) for part in policy.split(";") if part.strip())


def _assert_strict(response):
    assert response.status_code == 200
    directives = _csp_directives(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # no inline scripts
    assert " style=" not in html


@pytest.mark.parametrize("url", ["/", "/employees/", "/audit/", "/accounts/password_change/"])
def test_security_headers_strict_on_pages(client, admin_user, url):
    client.force_login(admin_user)
    _assert_strict(client.get(url))


@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/password_reset/"])
def test_security_headers_strict_on_public_pages(client, db, url):
    _assert_strict(client.get(url))


def test_security_headers_on_anonymous_redirect(client, db):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert "script-src 'self';" in response["Content-Security-Policy"]


def test_healthz_anonymous_ok(client, db):
    response = client.get(reverse("healthz"))
    assert response.json() == {"status": "ok"}


def test_ui_is_indonesian_even_when_browser_asks_for_english(client, participant):
    client.force_login(participant)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert b'<html lang="id">' in response.content
    assert response["Content-Language"] == "id"


def test_ui_follows_the_language_the_user_chose(client, participant):
    client.force_login(participant)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="id")
    assert b'<html lang="en">' in response.content


def test_site_stylesheet_and_htmx_are_served(client, db):
    for path in ("/static/membumi/membumi.css", "/static/membumi/htmx.min.js"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert b"".join(response.streaming_content if response.streaming else [response.content])


def test_home_names_roles_in_indonesian(client, organizer):
    client.force_login(organizer)
    response = client.get("/")
    assert b'data-role="organizer">Penyelenggara</span>' in response.content


def test_login_page_lists_every_demo_account(client, db, settings):
    from membumi.cli import DEMO_ACCOUNTS

    settings.MEMBUMI_DEMO = True
    html = client.get(reverse("login")).content.decode()

    for username in DEMO_ACCOUNTS:
        assert f"<code>{username}</code>" in html, username
