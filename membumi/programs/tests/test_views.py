"""Pages with personas: the organizer runs programs and batches, the trainer reads their
batches, the participant picks a problem on My training, the mentor sees mentees' problems,
and everyone else gets 404. Query counts do not grow with rows."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from membumi.programs import services
from membumi.programs.enums import BatchState, EnrollmentState, ProgramState
from membumi.programs.models import Batch, Enrollment, Module, Program
from membumi.programs.views import optional_url

from .factories import (
    force_state,
    make_analysis,
    make_batch,
    make_employee,
    make_need,
    make_problem,
    make_program,
)

LIST_URL = reverse("programs:program_list")
MY_URL = reverse("programs:my_training")
MENTEES_URL = reverse("programs:mentees")
COVERAGE_URL = reverse("programs:coverage")


def _url(name, obj):
    return reverse(f"programs:{name}", args=[obj.pk])


@pytest.fixture
def everyone(participant, mentor, organizer, trainer, viewer, outsider, other_organizer):
    """Create every persona, so that each scope has something to leave out."""


# --- Program list and detail ------------------------------------------------------------------


def test_program_list_organizer_sees_institution_programs(client, everyone, organizer, program):
    client.force_login(organizer)

    html = client.get(LIST_URL).content.decode()

    assert "Pelatihan Layanan Prima" in html
    assert _url("program_detail", program) in html
    assert reverse("programs:program_create") in html


def test_program_list_trainer_sees_programs_they_teach(client, everyone, trainer, batch, organizer):
    make_program(organizer, batch.program.institution, *batch.program.needs.all(), name="Lain")
    client.force_login(trainer)

    html = client.get(LIST_URL).content.decode()

    assert "Pelatihan Layanan Prima" in html
    assert "Lain" not in html
    assert reverse("programs:program_create") not in html


def test_program_list_other_organizer_sees_none(client, everyone, other_organizer, program):
    client.force_login(other_organizer)
    assert "Pelatihan Layanan Prima" not in client.get(LIST_URL).content.decode()


@pytest.mark.parametrize("persona", ["participant", "mentor", "outsider", "viewer"])
def test_program_list_other_roles_404(client, request, everyone, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(LIST_URL).status_code == 404


def test_program_list_htmx_returns_results_only(client, everyone, organizer, program):
    client.force_login(organizer)

    response = client.get(
        LIST_URL, {"q": "prima"}, headers={"HX-Request": "true", "HX-Target": "program-results"}
    )

    html = response.content.decode()
    assert "Pelatihan Layanan Prima" in html
    assert "<h1>" not in html


def test_program_list_anonymous_redirected_to_login(client, program):
    response = client.get(LIST_URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_program_detail_organizer_sees_publish_check(client, everyone, organizer, program):
    services.module_create(program=program, by=organizer, title="Kosong", jp=4, objectives="x")
    client.force_login(organizer)

    html = client.get(_url("program_detail", program)).content.decode()

    assert "These modules address no problem and no need: “Kosong”." in html
    assert "Pelayanan puskesmas lambat" in html  # the need it answers
    assert _url("module_create", program) in html
    assert 'data-testid="program-publish"' in html


def test_program_detail_trainer_reads_only(client, everyone, trainer, batch):
    client.force_login(trainer)

    html = client.get(_url("program_detail", batch.program)).content.decode()

    assert "Manajemen antrean" in html
    assert "Angkatan I 2026" in html
    assert "program-archive" not in html
    assert _url("batch_create", batch.program) not in html


@pytest.mark.parametrize("persona", ["other_organizer", "outsider", "participant", "mentor"])
def test_program_detail_out_of_scope_404(client, request, everyone, program, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(_url("program_detail", program))
    assert response.status_code == 404
    assert b"Pelatihan Layanan Prima" not in response.content


# --- Program create, edit, publish ------------------------------------------------------------


def test_program_create_from_need(client, everyone, organizer, need, institution):
    client.force_login(organizer)

    form = client.get(reverse("programs:program_create"), {"need": need.pk}).content.decode()
    assert f'value="{need.pk}"' in form and "checked" in form

    response = client.post(
        reverse("programs:program_create"),
        {
            "name": "Pelatihan Antrean",
            "program_type": "pkp",
            "total_jp": "30",
            "mode": "blended",
            "competencies": "Layanan",
            "description": "",
            "needs": [need.pk],
        },
    )

    program = Program.objects.get(name="Pelatihan Antrean")
    assert response.status_code == 302 and response["Location"] == _url("program_detail", program)
    assert (program.institution, program.program_type, program.mode) == (
        institution,
        "pkp",
        "blended",
    )
    assert list(program.needs.all()) == [need]


def test_program_create_needs_of_other_institution_not_offered(
    client, everyone, other_organizer, need
):
    client.force_login(other_organizer)

    response = client.post(
        reverse("programs:program_create"),
        {
            "name": "X",
            "program_type": "teknis",
            "total_jp": "8",
            "mode": "klasikal",
            "needs": [need.pk],
        },
    )

    assert response.status_code == 200
    assert not Program.objects.filter(name="X").exists()
    assert "Pelayanan puskesmas lambat" not in response.content.decode()


@pytest.mark.parametrize("persona", ["trainer", "participant", "viewer"])
def test_program_create_other_roles_404(client, request, everyone, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("programs:program_create")).status_code == 404


def test_program_update(client, everyone, organizer, program, need):
    client.force_login(organizer)

    client.post(
        _url("program_update", program),
        {
            "name": "Nama baru",
            "program_type": "teknis",
            "total_jp": "40",
            "mode": "klasikal",
            "needs": [need.pk],
        },
    )

    program.refresh_from_db()
    assert program.name == "Nama baru"


def test_publish_refused_names_module(client, everyone, organizer, program, module):
    services.module_create(program=program, by=organizer, title="Etika", jp=4, objectives="x")
    client.force_login(organizer)

    response = client.post(_url("program_transition", program), {"action": "publish"}, follow=True)

    program.refresh_from_db()
    assert program.state == ProgramState.DRAFT
    assert "“Etika”" in response.content.decode()


def test_publish_with_jp_warning(client, everyone, organizer, program, module):
    Program.objects.filter(pk=program.pk).update(total_jp=50)
    client.force_login(organizer)

    response = client.post(_url("program_transition", program), {"action": "publish"}, follow=True)

    program.refresh_from_db()
    assert program.state == ProgramState.PUBLISHED
    assert "The modules add up to 40 JP but the program states 50 JP." in response.content.decode()


def test_publish_by_trainer_forbidden(client, everyone, trainer, batch):
    force_state(batch.program, ProgramState.PUBLISHED)
    client.force_login(trainer)
    response = client.post(_url("program_transition", batch.program), {"action": "archive"})
    assert response.status_code == 403


# --- Modules ----------------------------------------------------------------------------------


def test_module_create_with_need_and_problem(client, everyone, organizer, program, need, problem):
    client.force_login(organizer)

    form = client.get(_url("module_create", program)).content.decode()
    assert "Antrean pasien puskesmas panjang" in form  # problems of the program's needs

    client.post(
        _url("module_create", program),
        {
            "title": "Analisis antrean",
            "jp": "12",
            "objectives": "Memetakan",
            "problems": [problem.pk],
        },
    )

    module = Module.objects.get(title="Analisis antrean")
    assert list(module.problems.all()) == [problem]


def test_module_update_and_delete(client, everyone, organizer, module, need):
    client.force_login(organizer)

    client.post(
        _url("module_update", module),
        {"title": "Antrean 2", "jp": "20", "objectives": "y", "needs": [need.pk]},
    )
    module.refresh_from_db()
    assert (module.title, module.jp) == ("Antrean 2", 20)

    client.post(_url("module_delete", module))
    assert not Module.objects.filter(pk=module.pk).exists()


def test_module_move_htmx_returns_modules_partial(
    client, everyone, organizer, program, module, need
):
    second = services.module_create(
        program=program, by=organizer, title="Kedua", jp=1, objectives="x", needs=[need]
    )
    client.force_login(organizer)

    response = client.post(
        _url("module_move", second),
        {"direction": "up"},
        headers={"HX-Request": "true", "HX-Target": "modules"},
    )

    html = response.content.decode()
    assert "<h1>" not in html
    assert html.index("Kedua") < html.index("Manajemen antrean")
    assert list(program.modules.values_list("title", flat=True)) == ["Kedua", "Manajemen antrean"]


@pytest.mark.parametrize("persona", ["trainer", "other_organizer", "outsider"])
def test_module_edit_others_404(client, request, everyone, module, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_url("module_update", module)).status_code == 404
    assert client.post(_url("module_delete", module)).status_code == 404
    assert Module.objects.filter(pk=module.pk).exists()


# --- Batches ----------------------------------------------------------------------------------


def test_batch_create(client, everyone, organizer, published_program, trainer):
    client.force_login(organizer)

    response = client.post(
        _url("batch_create", published_program),
        {
            "name": "Angkatan II 2026",
            "start_date": "2026-05-04",
            "end_date": "2026-05-22",
            "mode": "blended",
            "location": "Aula",
            "capacity": "25",
            "trainers": [trainer.pk],
        },
    )

    batch = Batch.objects.get(name="Angkatan II 2026")
    assert response["Location"] == _url("batch_detail", batch)
    assert list(batch.trainers.all()) == [trainer]


def test_batch_create_end_before_start_message(client, everyone, organizer, published_program):
    client.force_login(organizer)

    response = client.post(
        _url("batch_create", published_program),
        {
            "name": "Angkatan II",
            "start_date": "2026-05-04",
            "end_date": "2026-05-01",
            "mode": "klasikal",
            "capacity": "0",
        },
    )

    html = response.content.decode()
    assert "The end date (2026-05-01) is before the start date (2026-05-04)." in html
    assert "The capacity must be at least 1 participant." in html
    assert not Batch.objects.exists()


def test_batch_create_for_draft_redirects(client, everyone, organizer, program):
    client.force_login(organizer)
    response = client.get(_url("batch_create", program), follow=True)
    assert "Publish the program before opening a batch." in response.content.decode()


def test_batch_detail_organizer(client, everyone, organizer, enrollment, problem, participant):
    services.enrollment_problem_pick(enrollment=enrollment, problem=problem, by=participant)
    client.force_login(organizer)

    html = client.get(_url("batch_detail", enrollment.batch)).content.decode()

    assert "Pak Peserta" in html and "Bu Mentor" in html and "Widyaiswara" in html
    assert optional_url("problems:problem_detail", problem.pk) in html
    assert 'data-testid="batch-open_enrolment"' in html
    assert _url("batch_enrol", enrollment.batch) in html


def test_batch_detail_trainer_reads_only(client, everyone, trainer, enrollment):
    client.force_login(trainer)

    html = client.get(_url("batch_detail", enrollment.batch)).content.decode()

    assert "Pak Peserta" in html
    assert "batch-open_enrolment" not in html
    assert _url("batch_enrol", enrollment.batch) not in html
    assert _url("enrollment_transition", enrollment) not in html
    response = client.post(_url("batch_transition", enrollment.batch), {"action": "open_enrolment"})
    assert response.status_code == 403
    assert client.get(_url("batch_enrol", enrollment.batch)).status_code == 404


@pytest.mark.parametrize(
    "persona", ["other_organizer", "outsider", "participant", "mentor", "viewer"]
)
def test_batch_pages_out_of_scope_404(client, request, everyone, enrollment, persona):
    client.force_login(request.getfixturevalue(persona))
    batch = enrollment.batch
    for url in (
        _url("batch_detail", batch),
        _url("batch_enrol", batch),
        _url("batch_update", batch),
    ):
        assert client.get(url).status_code == 404
    assert (
        client.post(_url("batch_transition", batch), {"action": "open_enrolment"}).status_code
        == 404
    )
    batch.refresh_from_db()
    assert batch.state == BatchState.PLANNED


def test_batch_transition_view(client, everyone, organizer, batch):
    client.force_login(organizer)

    response = client.post(
        _url("batch_transition", batch), {"action": "open_enrolment"}, follow=True
    )

    batch.refresh_from_db()
    assert batch.state == BatchState.ENROLLING
    assert "The batch is now Enrolling." in response.content.decode()


def test_batch_transition_refused_message(client, everyone, organizer, batch):
    force_state(batch, BatchState.ENROLLING)
    client.force_login(organizer)

    response = client.post(_url("batch_transition", batch), {"action": "start"}, follow=True)

    assert "Nobody is enrolled in the batch yet." in response.content.decode()
    batch.refresh_from_db()
    assert batch.state == BatchState.ENROLLING


def test_batch_address_problems_view(client, everyone, organizer, enrollment, problem, participant):
    services.enrollment_problem_pick(enrollment=enrollment, problem=problem, by=participant)
    force_state(enrollment.batch, BatchState.RUNNING)
    force_state(problem, "validated")
    client.force_login(organizer)

    html = client.get(_url("batch_detail", enrollment.batch)).content.decode()
    assert "1 validated problem brought by a participant" in html

    client.post(_url("batch_address_problems", enrollment.batch))

    problem.refresh_from_db()
    assert problem.state == "addressed"


# --- Enrolment --------------------------------------------------------------------------------


def test_enrol_list_report_and_nothing_written(client, everyone, organizer, batch, agency, mentor):
    fine = make_employee(agency, supervisor=mentor.employee)
    client.force_login(organizer)

    response = client.post(
        _url("batch_enrol", batch),
        {"mode": "list", "nips": f"{fine.nip}\n\n199001012015011999\n{fine.nip}"},
    )

    html = response.content.decode()
    assert "Nobody was enrolled" in html
    assert 'data-testid="enrol-problem"><td class="num">3</td><td>199001012015011999</td>' in html
    assert "first on line 1" in html
    assert "199001012015011999" in html  # the input is kept
    assert not Enrollment.objects.exists()


def test_enrol_list_success(client, everyone, organizer, batch, agency, mentor):
    people = [make_employee(agency, supervisor=mentor.employee) for _ in range(2)]
    spaced = f"{people[0].nip[:8]} {people[0].nip[8:14]} {people[0].nip[14]} {people[0].nip[15:]}"
    client.force_login(organizer)

    response = client.post(
        _url("batch_enrol", batch), {"mode": "list", "nips": f"{spaced}\n{people[1].nip}\n"}
    )

    assert response.status_code == 302
    assert set(Enrollment.objects.values_list("employee", flat=True)) == {p.pk for p in people}


def test_enrol_csv_with_mentor_and_coach(
    client, everyone, organizer, batch, agency, mentor, trainer
):
    person = make_employee(agency)
    boss = make_employee(agency)
    content = f"\ufeffNIP;mentor_nip;coach_username\n{person.nip};{boss.nip};widyaiswara\n".encode()
    client.force_login(organizer)

    client.post(
        _url("batch_enrol", batch),
        {"mode": "csv", "file": SimpleUploadedFile("peserta.csv", content, "text/csv")},
    )

    enrollment = Enrollment.objects.get(employee=person)
    assert (enrollment.mentor, enrollment.coach) == (boss, trainer)


def test_enrol_csv_without_nip_column(client, everyone, organizer, batch):
    client.force_login(organizer)

    response = client.post(
        _url("batch_enrol", batch),
        {"mode": "csv", "file": SimpleUploadedFile("x.csv", b"nama\nBudi\n", "text/csv")},
    )

    assert "The file has no “nip” column in its first line." in response.content.decode()


def test_enrol_one_error_on_field(client, everyone, organizer, batch):
    client.force_login(organizer)

    response = client.post(_url("batch_enrol", batch), {"mode": "one", "nip": "199001012015011999"})

    assert "Unknown NIP" in response.content.decode()
    assert not Enrollment.objects.exists()


def test_enrol_search_htmx(client, everyone, organizer, batch, participant, outsider):
    client.force_login(organizer)

    response = client.get(
        _url("batch_enrol", batch),
        {"q": "pak"},
        headers={"HX-Request": "true", "HX-Target": "candidates"},
    )

    html = response.content.decode()
    assert "Pak Peserta" in html
    assert "<h1>" not in html
    assert participant.employee.nip in html
    response = client.get(_url("batch_enrol", batch), {"q": "orang"})
    assert "Orang-Luar" not in response.content.decode()  # another agency: unknown here


def test_enrollment_update_view(client, everyone, organizer, enrollment, agency):
    boss = make_employee(agency, name="Kabid Baru")
    client.force_login(organizer)

    client.post(
        _url("enrollment_update", enrollment),
        {"mentor_nip": boss.nip, "coach": enrollment.coach_id},
    )

    enrollment.refresh_from_db()
    assert enrollment.mentor == boss


def test_enrollment_withdraw_view(client, everyone, organizer, enrollment):
    client.force_login(organizer)

    client.post(_url("enrollment_transition", enrollment), {"action": "withdraw", "note": "mutasi"})

    enrollment.refresh_from_db()
    assert enrollment.state == EnrollmentState.WITHDRAWN


# --- Coverage ---------------------------------------------------------------------------------


def test_coverage_page(client, everyone, organizer, analysis, program, module):
    uncovered = make_need(analysis, label="Belum dijawab")
    bare = services.module_create(
        program=program, by=organizer, title="Kosong", jp=1, objectives="x"
    )
    client.force_login(organizer)

    html = client.get(COVERAGE_URL).content.decode()

    assert "Belum dijawab" in html
    assert f"{reverse('programs:program_create')}?need={uncovered.pk}" in html
    assert _url("module_update", bare) in html
    assert "Manajemen antrean" not in html


@pytest.mark.parametrize("persona", ["trainer", "participant", "outsider", "viewer"])
def test_coverage_others_404(client, request, everyone, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(COVERAGE_URL).status_code == 404


def test_coverage_other_organizer_sees_own_institution_only(
    client, everyone, other_organizer, need
):
    client.force_login(other_organizer)
    html = client.get(COVERAGE_URL).content.decode()
    assert "Pelayanan puskesmas lambat" not in html
    assert "BPSDM Zulu" in html


# --- My training and mentees ------------------------------------------------------------------


def test_my_training_participant_picks_problem(client, everyone, participant, enrollment, problem):
    client.force_login(participant)

    html = client.get(MY_URL).content.decode()
    assert "Pelatihan Layanan Prima" in html and "Angkatan I 2026" in html
    assert "Antrean pasien puskesmas panjang" in html  # offered
    if create_url := optional_url("problems:problem_create"):  # the problems stage's form
        assert f"{create_url}?next={MY_URL}" in html

    response = client.post(_url("enrollment_problem", enrollment), {"problem": problem.pk})

    assert response["Location"] == MY_URL
    enrollment.refresh_from_db()
    assert enrollment.problem == problem
    html = client.get(MY_URL).content.decode()
    assert "waiting for your mentor to validate it" in html


def test_my_training_cannot_pick_someone_elses_problem(
    client, everyone, participant, enrollment, other_agency
):
    foreign = make_problem(unit=make_employee(other_agency).work_unit, title="Asing")
    client.force_login(participant)

    client.post(_url("enrollment_problem", enrollment), {"problem": foreign.pk})

    enrollment.refresh_from_db()
    assert enrollment.problem is None


def test_pick_problem_by_others_404(client, everyone, mentor, outsider, enrollment, problem):
    for user in (mentor, outsider):
        client.force_login(user)
        response = client.post(_url("enrollment_problem", enrollment), {"problem": problem.pk})
        assert response.status_code == 404
    enrollment.refresh_from_db()
    assert enrollment.problem is None


def test_my_training_empty_for_outsider(client, everyone, outsider, enrollment):
    client.force_login(outsider)
    html = client.get(MY_URL).content.decode()
    assert "You are not enrolled in any batch yet." in html
    assert "Pelatihan Layanan Prima" not in html


def test_my_training_without_employee_404(client, everyone, viewer):
    client.force_login(viewer)
    assert client.get(MY_URL).status_code == 404


def test_mentees_page_shows_problem_with_link(
    client, everyone, mentor, participant, enrollment, problem
):
    services.enrollment_problem_pick(enrollment=enrollment, problem=problem, by=participant)
    client.force_login(mentor)

    html = client.get(MENTEES_URL).content.decode()

    assert "Pak Peserta" in html
    if detail_url := optional_url("problems:problem_detail", problem.pk):
        assert f'href="{detail_url}"' in html
    assert "to validate" in html


def test_mentees_page_others_see_nobody(client, everyone, outsider, trainer, enrollment):
    for user in (outsider, trainer):
        client.force_login(user)
        assert "Pak Peserta" not in client.get(MENTEES_URL).content.decode()


def test_navigation_items(client, everyone, organizer, participant, mentor):
    client.force_login(organizer)
    assert f'href="{LIST_URL}"' in client.get("/").content.decode()
    client.force_login(participant)
    html = client.get("/").content.decode()
    assert f'href="{MY_URL}"' in html and f'href="{LIST_URL}"' not in html
    client.force_login(mentor)
    assert f'href="{MENTEES_URL}"' in client.get("/").content.decode()


# --- Query counts -----------------------------------------------------------------------------


def _programs(organizer, institution, analysis, trainer, n):
    for i in range(n):
        need = make_need(analysis, label=f"K{i}")
        program = make_program(organizer, institution, need, name=f"Program {i}")
        services.module_create(
            program=program, by=organizer, title="M", jp=40, objectives="x", needs=[need]
        )
        services.program_transition(program=program, action="publish", by=organizer)
        make_batch(program, organizer, trainer)


def _count_queries(client, url):
    """How many queries a page runs (compared at 1 and at many rows: they must be equal)."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_program_list_query_count_constant(client, organizer, institution, analysis, trainer):
    client.force_login(organizer)
    _programs(organizer, institution, analysis, trainer, 1)
    one = _count_queries(client, LIST_URL)
    _programs(organizer, institution, make_analysis(institution), trainer, 5)
    many = _count_queries(client, LIST_URL)
    assert one == many


def test_batch_detail_query_count_constant(
    client, organizer, batch, agency, mentor, participant, problem
):
    client.force_login(organizer)
    enrollment = services.enrollment_create(batch=batch, by=organizer, nip=participant.employee.nip)
    services.enrollment_problem_pick(enrollment=enrollment, problem=problem, by=participant)
    one = _count_queries(client, _url("batch_detail", batch))
    for _ in range(6):
        person = make_employee(agency, supervisor=make_employee(agency))
        e = services.enrollment_create(batch=batch, by=organizer, nip=person.nip)
        Enrollment.objects.filter(pk=e.pk).update(problem=make_problem(unit=person.work_unit))
    many = _count_queries(client, _url("batch_detail", batch))
    assert one == many


def test_coverage_query_count_constant(client, organizer, institution, analysis):
    client.force_login(organizer)
    program = make_program(organizer, institution, make_need(analysis, label="C"))
    make_need(analysis, label="U0")
    services.module_create(program=program, by=organizer, title="M0", jp=1, objectives="x")
    one = _count_queries(client, COVERAGE_URL)
    for i in range(1, 6):
        make_need(analysis, label=f"U{i}")
        services.module_create(program=program, by=organizer, title=f"M{i}", jp=1, objectives="x")
    many = _count_queries(client, COVERAGE_URL)
    assert one == many


def test_my_training_and_mentees_query_count_constant(
    client, organizer, published_program, trainer, participant, mentor, problem
):
    def enrol_in_new_batch(i):
        b = make_batch(published_program, organizer, trainer, name=f"Angkatan {i}")
        e = services.enrollment_create(batch=b, by=organizer, nip=participant.employee.nip)
        services.enrollment_problem_pick(enrollment=e, problem=problem, by=participant)

    enrol_in_new_batch(0)
    client.force_login(participant)
    one = _count_queries(client, MY_URL)
    client.force_login(mentor)
    one_mentor = _count_queries(client, MENTEES_URL)
    for i in range(1, 5):
        enrol_in_new_batch(i)
    client.force_login(participant)
    assert _count_queries(client, MY_URL) == one
    client.force_login(mentor)
    assert _count_queries(client, MENTEES_URL) == one_mentor


def test_enrol_list_accepts_commas(client, everyone, organizer, batch, agency, mentor):
    people = [make_employee(agency, supervisor=mentor.employee) for _ in range(3)]
    client.force_login(organizer)

    client.post(
        _url("batch_enrol", batch),
        {"mode": "list", "nips": f"{people[0].nip}, {people[1].nip};\n{people[2].nip}"},
    )

    assert Enrollment.objects.count() == 3


def test_enrol_one_general_problem_shown_on_form(
    client, everyone, organizer, published_program, participant
):
    batch = make_batch(published_program, organizer, name="Tanpa pelatih")
    client.force_login(organizer)

    response = client.post(
        _url("batch_enrol", batch), {"mode": "one", "nip": participant.employee.nip}
    )

    html = response.content.decode()
    assert "The batch has no trainers yet" in html
    assert 'data-testid="enrol-report"' not in html
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize("model", ["program", "module", "batch", "enrollment", "statechange"])
def test_admin_lists_read_only(client, admin_user, enrollment, model):
    client.force_login(admin_user)

    response = client.get(reverse(f"admin:programs_{model}_changelist"))

    assert response.status_code == 200
    assert reverse(f"admin:programs_{model}_add") not in response.content.decode()


def test_enrol_report_in_indonesian_by_default(client, everyone, organizer, batch, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    client.force_login(organizer)

    response = client.post(
        _url("batch_enrol", batch), {"mode": "list", "nips": "199001012015011999\n12345"}
    )

    html = response.content.decode()
    assert "Tidak ada yang didaftarkan: perbaiki baris berikut" in html
    assert "“12345” bukan NIP (18 digit)." in html
