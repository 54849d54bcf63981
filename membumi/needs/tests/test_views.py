"""The needs-analysis pages with personas: who sees what, runs, htmx partials, curation,
exports and query counts."""

import io

import openpyxl
import pytest
from django.urls import reverse

from membumi.core.models import AuditLog
from membumi.needs.models import Need, NeedsAnalysis

from .conftest import endorse, make_analysis, make_problem, make_theme_problems

LIST_URL = reverse("needs:analysis_list")
CREATE_URL = reverse("needs:analysis_create")
HX = {"HX-Request": "true"}


def _url(name, obj):
    return reverse(f"needs:{name}", args=[obj.pk])


OUT_OF_SCOPE = ["participant", "mentor", "trainer", "viewer", "outsider", "other_organizer"]


# --- Who may see -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["organizer", "admin_user"])
def test_analysis_detail_shows_needs_table(client, request, analysis, persona):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(_url("analysis_detail", analysis))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>AKP uji</h1>" in html
    assert html.count('data-testid="need-row"') == 2
    assert ">Imunisasi</a>" in html
    assert "Imunisasi rendah" in html  # an example problem
    assert 'data-testid="need-usg-total">21<' in html
    assert 'data-testid="need-usg-mean">10' in html


@pytest.mark.parametrize("persona", OUT_OF_SCOPE)
@pytest.mark.parametrize(
    "name", ["analysis_detail", "analysis_print", "analysis_export", "need_detail"]
)
def test_pages_out_of_scope_404(client, request, analysis, persona, name):
    client.force_login(request.getfixturevalue(persona))
    obj = analysis.needs.first() if name.startswith("need_") else analysis

    response = client.get(_url(name, obj))

    assert response.status_code == 404
    assert b"Imunisasi" not in response.content


@pytest.mark.parametrize("persona", OUT_OF_SCOPE)
@pytest.mark.parametrize("name", ["need_rename", "need_accept", "need_merge", "need_move"])
def test_curation_out_of_scope_404_nothing_changes(client, request, analysis, persona, name):
    client.force_login(request.getfixturevalue(persona))
    need = analysis.needs.get(label="Imunisasi")
    other = analysis.needs.get(label="Perizinan")

    response = client.post(
        _url(name, need),
        {
            "label": "Diretas",
            "accepted": "1",
            "target": other.pk,
            "problems": [1],
            "new_label": "X",
        },
    )

    assert response.status_code == 404
    need.refresh_from_db()
    assert (need.label, need.accepted) == ("Imunisasi", False)
    assert need.problems.count() == 2
    assert not AuditLog.objects.filter(action__startswith="needs.").exists()


@pytest.mark.parametrize("persona", ["participant", "viewer", "trainer", "outsider"])
def test_list_and_create_hidden_from_non_organizers(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(LIST_URL).status_code == 404
    assert client.get(CREATE_URL).status_code == 404
    assert client.post(CREATE_URL, {"title": "x"}).status_code == 404


def test_pages_require_login(client, analysis):
    response = client.get(_url("analysis_detail", analysis))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_list_other_organizer_sees_only_own_institution(client, analysis, other_organizer):
    client.force_login(other_organizer)

    html = client.get(LIST_URL).content.decode()

    assert "AKP uji" not in html


def test_navigation_shows_needs_analysis_to_organizers(client, organizer, participant):
    client.force_login(organizer)
    assert f'href="{LIST_URL}"' in client.get(reverse("home")).content.decode()
    client.force_login(participant)
    assert f'href="{LIST_URL}"' not in client.get(reverse("home")).content.decode()


# --- List ---------------------------------------------------------------------------------------


def test_list_shows_runs_with_counts(client, organizer, analysis):
    client.force_login(organizer)

    html = client.get(LIST_URL).content.decode()

    assert html.count('data-testid="analysis-row"') == 1
    assert f'href="{analysis.get_absolute_url()}">AKP uji</a>' in html
    assert 'data-status="done"' in html


def _analyses(institution, unit, n):
    for i in range(n):
        make_analysis(
            institution,
            [(f"K{i}-{j}", [make_problem(unit=unit) for _ in range(2)]) for j in range(3)],
            title=f"AKP {i}",
        )


def test_list_query_count_constant(
    client, django_assert_num_queries, django_assert_max_num_queries, organizer, institution, unit
):
    client.force_login(organizer)
    _analyses(institution, unit, 1)
    client.get(LIST_URL)  # warm the session
    with django_assert_max_num_queries(8) as one:
        client.get(LIST_URL)
    _analyses(institution, unit, 7)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(LIST_URL)
    assert response.content.decode().count('data-testid="analysis-row"') == 8


# --- Run ----------------------------------------------------------------------------------------


def test_create_form_lists_served_scope(client, organizer, institution, unit, other_agency):
    client.force_login(organizer)

    html = client.get(CREATE_URL).content.decode()

    assert "Kabupaten Alfa" in html
    assert "Dinas Kesehatan" in html
    assert "Kabupaten Zulu" not in html
    assert 'type="hidden" name="institution" value="BPSDM-A"' in html


def test_create_units_follow_chosen_agencies_htmx(
    client, organizer, institution, unit, other_agency, far_unit
):
    institution.served_agencies.add(other_agency)
    client.force_login(organizer)
    headers = HX | {"HX-Target": "units-field"}

    html = client.get(CREATE_URL, {"agencies": ["KAB-Z"]}, headers=headers).content.decode()

    assert html.lstrip().startswith('<div class="field')
    assert "Dinas Pendidikan Zulu" in html
    assert "Dinas Kesehatan" not in html
    assert "<h1>" not in html


def test_create_runs_analysis_and_redirects(client, organizer, unit, sibling_unit):
    make_theme_problems(unit, "school")
    make_theme_problems(sibling_unit, "licensing")
    client.force_login(organizer)

    response = client.post(
        CREATE_URL,
        {"title": "AKP Kesehatan", "institution": "BPSDM-A", "units": [unit.pk]},
    )

    analysis = NeedsAnalysis.objects.get()
    assert response.status_code == 302
    assert response["Location"] == analysis.get_absolute_url()
    assert analysis.status == NeedsAnalysis.Status.DONE  # immediate task backend in tests
    assert analysis.problem_count == 4
    assert analysis.scope["units"] == [unit.pk]
    html = client.get(response["Location"]).content.decode()
    assert 'data-testid="problem-count">4<' in html


def test_create_with_sectors_and_period(client, organizer, unit, sibling_unit):
    make_theme_problems(unit, "school")
    make_theme_problems(sibling_unit, "licensing")
    client.force_login(organizer)

    client.post(
        CREATE_URL,
        {
            "institution": "BPSDM-A",
            "sectors": ["licensing"],
            "period_from": "2000-01-01",
            "period_to": "2100-12-31",
        },
    )

    analysis = NeedsAnalysis.objects.get()
    assert analysis.problem_count == 4
    assert analysis.scope["sectors"] == ["licensing"]


def test_create_empty_scope_shows_error_saves_nothing(client, organizer, unit):
    client.force_login(organizer)

    response = client.post(CREATE_URL, {"institution": "BPSDM-A", "title": "Kosong"})

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not NeedsAnalysis.objects.exists()
    assert 'value="Kosong"' in response.content.decode()  # input kept


def test_create_reversed_period_field_error(client, organizer, unit):
    make_problem(unit=unit)
    client.force_login(organizer)

    response = client.post(
        CREATE_URL,
        {"institution": "BPSDM-A", "period_from": "2026-05-01", "period_to": "2026-04-01"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["period_to"]
    assert not NeedsAnalysis.objects.exists()


def test_create_other_institution_refused(client, organizer, other_organizer, unit):
    make_problem(unit=unit)
    client.force_login(organizer)

    response = client.post(CREATE_URL, {"institution": "BPSDM-Z"})

    assert response.status_code == 200
    assert response.context["form"].errors["institution"]
    assert not NeedsAnalysis.objects.exists()


# --- Progress (htmx polling) -----------------------------------------------------------------------


def test_running_analysis_page_polls_progress(client, organizer, analysis):
    NeedsAnalysis.objects.filter(pk=analysis.pk).update(status="running", progress=40)
    client.force_login(organizer)

    html = client.get(_url("analysis_detail", analysis)).content.decode()

    assert 'data-status="running"' in html
    assert 'hx-trigger="every 1s"' in html
    assert 'value="40"' in html
    assert 'data-testid="needs-table"' not in html


def test_progress_partial_for_htmx(client, organizer, analysis):
    NeedsAnalysis.objects.filter(pk=analysis.pk).update(status="running", progress=25)
    client.force_login(organizer)
    headers = HX | {"HX-Target": "analysis-progress"}

    response = client.get(_url("analysis_detail", analysis), headers=headers)

    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card" id="analysis-progress"')
    assert "<h1>" not in html
    assert "HX-Refresh" not in response


def test_progress_partial_when_finished_refreshes_page(client, organizer, analysis):
    client.force_login(organizer)
    headers = HX | {"HX-Target": "analysis-progress"}

    response = client.get(_url("analysis_detail", analysis), headers=headers)

    assert response["HX-Refresh"] == "true"
    assert 'data-status="done"' in response.content.decode()
    assert "hx-trigger" not in response.content.decode()


def test_failed_analysis_shows_message(client, organizer, analysis):
    NeedsAnalysis.objects.filter(pk=analysis.pk).update(status="failed", message="Gagal total")
    client.force_login(organizer)

    html = client.get(_url("analysis_detail", analysis)).content.decode()

    assert 'data-status="failed"' in html
    assert "Gagal total" in html
    assert "hx-trigger" not in html


# --- Detail query counts -----------------------------------------------------------------------------


def test_detail_query_count_constant(
    client,
    django_assert_num_queries,
    django_assert_max_num_queries,
    organizer,
    institution,
    unit,
    other_unit,
):
    client.force_login(organizer)
    small = make_analysis(institution, [("Satu", [make_problem(unit=unit)])])
    big = make_analysis(
        institution,
        [(f"K{i}", [make_problem(unit=unit) for _ in range(4)]) for i in range(8)],
    )
    for problem in big.needs.first().problems.all():
        endorse(problem, other_unit)
    client.get(_url("analysis_detail", small))  # warm the session

    with django_assert_max_num_queries(10) as one:
        client.get(_url("analysis_detail", small))
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(_url("analysis_detail", big))
    assert response.content.decode().count('data-testid="need-row"') == 8


# --- Rename (htmx inline) -------------------------------------------------------------------------------


def test_rename_htmx_get_returns_inline_form(client, organizer, analysis):
    need = analysis.needs.get(label="Imunisasi")
    client.force_login(organizer)

    html = client.get(_url("need_rename", need), headers=HX).content.decode()

    assert html.lstrip().startswith(f'<form id="need-label-{need.pk}"')
    assert 'value="Imunisasi"' in html
    assert "<h1>" not in html


def test_rename_htmx_post_returns_label_partial(client, organizer, analysis):
    need = analysis.needs.get(label="Imunisasi")
    client.force_login(organizer)

    response = client.post(_url("need_rename", need), {"label": "Cakupan imunisasi"}, headers=HX)

    html = response.content.decode()
    assert html.lstrip().startswith(f'<div id="need-label-{need.pk}"')
    assert ">Cakupan imunisasi</a>" in html
    need.refresh_from_db()
    assert need.label == "Cakupan imunisasi"
    assert AuditLog.objects.filter(action="needs.need_renamed", actor=organizer).count() == 1


def test_rename_htmx_post_blank_returns_form_with_error(client, organizer, analysis):
    need = analysis.needs.get(label="Imunisasi")
    client.force_login(organizer)

    response = client.post(_url("need_rename", need), {"label": " "}, headers=HX)

    html = response.content.decode()
    assert html.lstrip().startswith(f'<form id="need-label-{need.pk}"')
    assert 'role="alert"' in html
    need.refresh_from_db()
    assert need.label == "Imunisasi"


def test_rename_without_js_redirects(client, organizer, analysis):
    need = analysis.needs.get(label="Imunisasi")
    client.force_login(organizer)

    response = client.post(_url("need_rename", need), {"label": "Baru"})

    assert response.status_code == 302
    need.refresh_from_db()
    assert need.label == "Baru"


# --- Accept ----------------------------------------------------------------------------------------------


def test_accept_htmx_returns_row(client, organizer, analysis):
    need = analysis.needs.get(label="Imunisasi")
    client.force_login(organizer)

    response = client.post(_url("need_accept", need), {"accepted": "1"}, headers=HX)

    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="need-{need.pk}"')
    assert 'data-testid="need-accepted"' in html
    assert 'data-testid="need-problems">2<' in html  # figures kept in the swapped row
    need.refresh_from_db()
    assert need.accepted and need.accepted_by == organizer


def test_unaccept_htmx_refused_while_program_uses_it_shows_error(
    client, organizer, analysis, institution
):
    from membumi.programs.models import Program

    need = analysis.needs.get(label="Imunisasi")
    Need.objects.filter(pk=need.pk).update(accepted=True)
    program = Program.objects.create(
        institution=institution,
        name="Teknis Imunisasi",
        program_type="teknis",
        total_jp=30,
        mode="klasikal",
    )
    program.needs.add(need)
    client.force_login(organizer)

    response = client.post(_url("need_accept", need), {"accepted": "0"}, headers=HX)

    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="need-{need.pk}"')
    assert "Teknis Imunisasi" in html and 'role="alert"' in html
    need.refresh_from_db()
    assert need.accepted


def test_unaccept_without_js_redirects_back(client, organizer, analysis):
    need = analysis.needs.get(label="Imunisasi")
    Need.objects.filter(pk=need.pk).update(accepted=True)
    client.force_login(organizer)

    response = client.post(
        _url("need_accept", need), {"accepted": "0", "next": need.get_absolute_url()}
    )

    assert response["Location"] == need.get_absolute_url()
    need.refresh_from_db()
    assert not need.accepted


def test_accept_ignores_offsite_next(client, organizer, analysis):
    need = analysis.needs.first()
    client.force_login(organizer)

    response = client.post(_url("need_accept", need), {"next": "https://evil.example/"})

    assert response["Location"] == analysis.get_absolute_url()


# --- Merge and move --------------------------------------------------------------------------------------


def test_need_detail_lists_problems_and_forms(client, organizer, analysis):
    need = analysis.needs.get(label="Imunisasi")
    client.force_login(organizer)

    html = client.get(_url("need_detail", need)).content.decode()

    assert html.count('data-testid="problem-row"') == 2
    assert 'data-testid="merge-form"' in html
    assert 'data-testid="move-form"' in html
    assert "Perizinan" in html  # a merge / move target


def test_merge_via_form(client, organizer, analysis):
    source = analysis.needs.get(label="Imunisasi")
    target = analysis.needs.get(label="Perizinan")
    client.force_login(organizer)

    response = client.post(_url("need_merge", source), {"target": target.pk})

    assert response["Location"] == target.get_absolute_url()
    assert not Need.objects.filter(pk=source.pk).exists()
    assert target.problems.count() == 4


def test_merge_into_accepted_need_shows_error(client, organizer, analysis):
    source = analysis.needs.get(label="Imunisasi")
    target = analysis.needs.get(label="Perizinan")
    Need.objects.filter(pk=target.pk).update(accepted=True)
    client.force_login(organizer)

    response = client.post(_url("need_merge", source), {"target": target.pk})

    assert response.status_code == 200
    assert response.context["merge_form"].errors
    assert Need.objects.filter(pk=source.pk).exists()


def test_move_via_form_to_new_need(client, organizer, analysis):
    source = analysis.needs.get(label="Imunisasi")
    problem = source.problems.order_by("pk").first()
    client.force_login(organizer)

    response = client.post(
        _url("need_move", source), {"problems": [problem.pk], "new_label": "Vaksin"}
    )

    new = analysis.needs.get(label="Vaksin")
    assert response["Location"] == source.get_absolute_url()
    assert list(new.problems.all()) == [problem]


def test_move_via_form_without_selection_shows_error(client, organizer, analysis):
    source = analysis.needs.get(label="Imunisasi")
    client.force_login(organizer)

    response = client.post(_url("need_move", source), {"new_label": "Vaksin"})

    assert response.status_code == 200
    assert response.context["move_form"].errors["problems"]
    assert analysis.needs.count() == 2


def test_move_problem_of_other_analysis_refused(client, organizer, institution, analysis, unit):
    other = make_analysis(institution, [("Lain", [make_problem(unit=unit)])])
    foreign = other.needs.get().problems.get()
    source = analysis.needs.get(label="Imunisasi")
    client.force_login(organizer)

    response = client.post(
        _url("need_move", source), {"problems": [foreign.pk], "new_label": "Curian"}
    )

    assert response.status_code == 200
    assert not Need.objects.filter(label="Curian").exists()


# --- Exports -------------------------------------------------------------------------------------------


def test_export_xlsx_has_needs_and_problems(client, organizer, analysis):
    client.force_login(organizer)

    response = client.get(_url("analysis_export", analysis))

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    needs_sheet, problems_sheet = workbook.worksheets
    rows = list(needs_sheet.iter_rows(values_only=True))
    assert rows[0][0] == "AKP uji"
    header_at = next(i for i, row in enumerate(rows) if row and row[0] in ("No.", "No"))
    needs = [row for row in rows[header_at + 1 :] if row and row[0] is not None]
    assert [(r[1], r[3], r[4], r[5], r[6]) for r in needs] == [
        ("Imunisasi", 2, 2, 21, 10.5),
        ("Perizinan", 2, 1, 18, 9.0),
    ]
    assert needs[0][8].startswith("Imunisasi rendah")
    problems = list(problems_sheet.iter_rows(values_only=True))[1:]
    assert len(problems) == 4
    by_title = {row[3]: row for row in problems}
    assert by_title["Vaksin kosong"][1] == "Imunisasi"
    assert by_title["Izin lambat"][1] == "Perizinan"
    assert by_title["Imunisasi rendah"][10] == 15
    assert AuditLog.objects.filter(action="needs.analysis_exported", actor=organizer).exists()


def test_export_xlsx_neutralises_formulas(client, organizer, institution, unit):
    problem = make_problem(unit=unit, title='=HYPERLINK("http://x")')
    analysis = make_analysis(institution, [("=1+1", [problem])])
    client.force_login(organizer)

    response = client.get(_url("analysis_export", analysis))

    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    texts = {cell.value for cell in cells if cell.data_type == "s"}
    assert "=1+1" in texts
    assert '=HYPERLINK("http://x")' in texts
    assert not [cell.value for cell in cells if cell.data_type == "f"]


def test_print_page_uses_print_stylesheet(client, organizer, analysis):
    client.force_login(organizer)

    html = client.get(_url("analysis_print", analysis)).content.decode()

    assert "needs/print.css" in html
    assert html.count('data-testid="need-row"') == 2
    assert "Imunisasi rendah" in html
    assert "<style" not in html and "<script>" not in html


def test_exports_of_running_analysis_404(client, organizer, analysis):
    NeedsAnalysis.objects.filter(pk=analysis.pk).update(status="running")
    client.force_login(organizer)
    assert client.get(_url("analysis_export", analysis)).status_code == 404
    assert client.get(_url("analysis_print", analysis)).status_code == 404
