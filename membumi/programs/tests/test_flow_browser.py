"""The problems-first flow through the real UI in Chromium, on the demo world, each role in
turn: peserta submits a problem and sees similar ones while typing → mentor validates it →
penyelenggara runs a needs analysis, accepts the need, builds a program whose module
addresses it (a module that addresses nothing blocks publishing, naming the module), opens a
batch and enrols peserta (a bulk list with an unknown NIP enrols nobody) → peserta finds the
batch on My training and brings the validated problem.

Selectors are test ids, field names and URLs, never button text: the UI speaks Indonesian and
its catalogue is still being written. What the user sees is asserted at each step, the
database at the end.
"""

import re

import pytest
from playwright.sync_api import expect

from membumi.accounts.models import User
from membumi.needs.models import NeedProblem, NeedsAnalysis
from membumi.problems import similarity
from membumi.problems.models import Problem
from membumi.programs.models import Batch, Enrollment, Program
from membumi.testing.browser import login, logout

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

TITLE = "Bayi di Dusun Lendang Bajur tidak kembali untuk imunisasi campak rubela"
STATEMENT = (
    "Dari 46 bayi di Dusun Lendang Bajur yang mendapat imunisasi DPT-HB-Hib 3, hanya 29 yang "
    "kembali untuk imunisasi campak rubela pada usia sembilan bulan. Posyandu dusun buka pada "
    "jam kerja dan kader tidak mengingatkan orang tua."
)
UNKNOWN_NIP = "199001012015031999"


def submit(page, form):
    """Click the main submit button of ``form`` (a CSS selector of the form)."""
    page.locator(form).locator("button[type=submit]:not([name])").first.click()


def test_problem_to_enrolment_flow_in_the_browser(page, demo_world):
    similarity.invalidate()  # the index is cached per process; this test has its own world
    users = {u.username: u for u in User.objects.filter(username__in=["peserta", "mentor"])}
    peserta, mentor = users["peserta"], users["mentor"]

    # --- peserta writes the problem down and sees that others have it too ---------------------
    login(page, "peserta")
    page.goto("/problems/new/")
    expect(page.get_by_test_id("fixed-unit")).to_contain_text("Puskesmas Masbagik")
    page.locator("#id_title").fill(TITLE)
    similar = page.get_by_test_id("similar-item")
    similar.first.wait_for()
    assert similar.count() >= 2
    assert any("imunisasi" in text.lower() for text in similar.all_inner_texts())
    # Other agencies' problems are only counted, with the agencies' names.
    expect(page.get_by_test_id("similar-outside")).to_contain_text("Kota Mataram")

    page.locator("#id_statement").fill(STATEMENT)
    page.locator("#id_sector").select_option("health")
    page.locator("#id_public_service").fill("Imunisasi bayi di posyandu")
    page.locator("#id_indicator_name").fill("Bayi DPT-HB-Hib 3 yang mendapat campak rubela")
    page.locator("#id_indicator_unit").fill("%")
    page.locator("#id_indicator_direction").select_option("increase")
    page.locator("#id_baseline_value").fill("63")
    page.locator("#id_baseline_date").fill("2026-10-31")
    page.locator("#id_urgency").select_option("5")
    page.locator("#id_seriousness").select_option("4")
    page.locator("#id_growth").select_option("4")
    expect(page.locator("#usg-priority strong")).to_have_text("13")
    submit(page, "[data-testid=problem-form]")
    page.wait_for_url(re.compile(r"/problems/\d+/$"))
    problem = Problem.objects.get(title=TITLE)
    expect(page.locator("h1 [data-state=open]")).to_be_visible()
    expect(page.get_by_test_id("priority")).to_have_text("13")
    logout(page)

    # --- mentor finds it in the problem bank and validates it ----------------------------------
    login(page, "mentor")
    page.goto("/problems/")
    page.locator("#id_q").fill("Lendang Bajur")
    row = page.get_by_test_id("problem-row").filter(has_text=TITLE)
    expect(row).to_have_count(1)
    expect(page.get_by_test_id("problem-row")).to_have_count(1)
    row.get_by_role("link", name=TITLE).click()
    page.wait_for_url(f"**/problems/{problem.pk}/")
    page.locator("[data-testid=action-validate] button[type=submit]").click()
    page.wait_for_url(f"**/problems/{problem.pk}/")
    expect(page.locator("h1 [data-state=validated]")).to_be_visible()
    expect(page.get_by_test_id("action-validate")).to_have_count(0)
    logout(page)

    # --- penyelenggara: needs analysis, accept the need ----------------------------------------
    login(page, "penyelenggara")
    page.goto("/needs/new/")
    page.locator("#id_title").fill("AKP kesehatan Lombok Timur, November 2026")
    page.locator("#id_agencies").select_option("KAB-LOTIM")
    page.locator("input[name=sectors][value=health]").check()
    submit(page, "[data-testid=analysis-form]")
    page.wait_for_url(re.compile(r"/needs/\d+/$"))
    expect(page.get_by_test_id("needs-table")).to_be_visible()  # finished in the request
    analysis = NeedsAnalysis.objects.latest("id")
    assert analysis.status == NeedsAnalysis.Status.DONE
    expect(page.get_by_test_id("problem-count")).to_have_text(str(analysis.problem_count))
    need = NeedProblem.objects.get(analysis=analysis, problem=problem).need
    expect(page.get_by_test_id("need-count")).to_have_text(str(analysis.needs.count()))
    page.locator(f"[data-testid=need-row][data-need='{need.pk}'] [data-testid=need-label]").click()
    page.wait_for_url(f"**/needs/need/{need.pk}/")
    expect(page.get_by_test_id("need-problems")).to_contain_text(TITLE)
    rename = page.locator(f"form[action='/needs/need/{need.pk}/rename/']")
    rename.locator("input[name=label]").fill("Imunisasi bayi tidak lengkap di Lombok Timur")
    rename.locator("button[type=submit]").click()
    expect(page.get_by_test_id("need-title")).to_have_text(
        "Imunisasi bayi tidak lengkap di Lombok Timur"
    )
    page.locator(f"form[action='/needs/need/{need.pk}/accept/'] button[type=submit]").click()
    expect(page.get_by_test_id("need-accepted")).to_be_visible()

    # --- a program from the need; publishing waits for a module that addresses nothing --------
    page.goto(f"/programs/new/?need={need.pk}")
    expect(page.locator(f"input[name=needs][value='{need.pk}']")).to_be_checked()
    page.locator("#id_name").fill("Pelatihan Imunisasi Kejar bagi Bidan Desa")
    page.locator("#id_program_type").select_option("teknis")
    page.locator("#id_total_jp").fill("24")
    page.locator("#id_mode").select_option("klasikal")
    submit(page, "form:has(#id_total_jp)")
    page.wait_for_url(re.compile(r"/programs/\d+/$"))
    program = Program.objects.get(name="Pelatihan Imunisasi Kejar bagi Bidan Desa")
    expect(page.get_by_test_id("program-state")).to_have_attribute("data-state", "draft")
    expect(page.get_by_test_id("program-needs")).to_contain_text(
        "Imunisasi bayi tidak lengkap di Lombok Timur"
    )

    page.locator(f"a[href='/programs/{program.pk}/modules/new/']").click()
    page.locator("#id_title").fill("Daftar Sasaran dan Imunisasi Kejar")
    page.locator("#id_jp").fill("18")
    page.locator("#id_objectives").fill("Menyusun daftar bayi yang tertinggal dan jadwal kejar.")
    page.locator(f"input[name=needs][value='{need.pk}']").check()
    page.locator(f"input[name=problems][value='{problem.pk}']").check()
    submit(page, "form:has(#id_objectives)")
    page.wait_for_url(f"**/programs/{program.pk}/")
    page.locator(f"a[href='/programs/{program.pk}/modules/new/']").click()
    page.locator("#id_title").fill("Kunjungan Lapangan")
    page.locator("#id_jp").fill("6")
    page.locator("#id_objectives").fill("Melihat posyandu yang berhasil.")
    submit(page, "form:has(#id_objectives)")
    page.wait_for_url(f"**/programs/{program.pk}/")
    expect(page.get_by_test_id("module-row")).to_have_count(2)
    expect(page.get_by_test_id("publish-check")).to_contain_text("Kunjungan Lapangan")

    page.get_by_test_id("program-publish").click()
    page.wait_for_url(f"**/programs/{program.pk}/")
    expect(page.locator(".messages .message-error")).to_contain_text("Kunjungan Lapangan")
    expect(page.get_by_test_id("program-state")).to_have_attribute("data-state", "draft")

    bare = program.modules.get(title="Kunjungan Lapangan")
    page.locator(f"a[href='/programs/modules/{bare.pk}/edit/']").click()
    page.locator(f"input[name=needs][value='{need.pk}']").check()
    submit(page, "form:has(#id_objectives)")
    page.wait_for_url(f"**/programs/{program.pk}/")
    page.get_by_test_id("program-publish").click()
    expect(page.get_by_test_id("program-state")).to_have_attribute("data-state", "published")
    expect(page.locator(".messages .message-error")).to_have_count(0)

    # --- a batch, enrolment open; a list with an unknown NIP enrols nobody ---------------------
    page.locator(f"a[href='/programs/{program.pk}/batches/new/']").click()
    page.locator("#id_name").fill("Angkatan Uji 2026")
    page.locator("#id_start_date").fill("2026-12-07")
    page.locator("#id_end_date").fill("2026-12-10")
    page.locator("#id_mode").select_option("klasikal")
    page.locator("#id_location").fill("Aula Dinas Kesehatan Lombok Timur, Selong")
    page.locator("#id_capacity").fill("25")
    trainer = User.objects.get(username="widyaiswara")
    page.locator(f"input[name=trainers][value='{trainer.pk}']").check()
    submit(page, "form:has(#id_capacity)")
    page.wait_for_url(re.compile(r"/programs/batches/\d+/$"))
    batch = Batch.objects.get(program=program)
    expect(page.get_by_test_id("batch-state")).to_have_attribute("data-state", "planned")
    page.get_by_test_id("batch-open_enrolment").click()
    expect(page.get_by_test_id("batch-state")).to_have_attribute("data-state", "enrolling")

    page.locator(f"a[href='/programs/batches/{batch.pk}/enrol/']").click()
    page.locator("#id_nips").fill(f"19960211 202203 1 007\n{UNKNOWN_NIP}")
    submit(page, "form:has(#id_nips)")
    report = page.get_by_test_id("enrol-report")
    expect(report).to_be_visible()
    expect(page.get_by_test_id("enrol-problem")).to_have_count(1)
    expect(page.get_by_test_id("enrol-problem")).to_contain_text(UNKNOWN_NIP)
    assert page.get_by_test_id("enrol-problem").locator("td").first.inner_text() == "2"
    assert not Enrollment.objects.filter(batch=batch).exists()

    page.locator("#id_nip").fill("19960211 202203 1 007")
    submit(page, "form:has(#id_nip)")
    page.wait_for_url(f"**/programs/batches/{batch.pk}/")
    expect(page.get_by_test_id("enrollment-row")).to_have_count(1)
    expect(page.get_by_test_id("enrollment-row")).to_contain_text("Muhammad Rizki Hidayat")
    expect(page.get_by_test_id("seats")).to_contain_text("1 / 25")
    logout(page)

    # --- peserta finds the batch and brings the validated problem --------------------------------
    login(page, "peserta")
    page.goto("/programs/my/")
    # This batch and the demo's own (the running one, and earlier ones later stages add).
    expect(page.get_by_test_id("my-enrollment")).to_have_count(
        Enrollment.objects.filter(employee=peserta.employee).count()
    )
    mine = page.get_by_test_id("my-enrollment").filter(has_text="Angkatan Uji 2026")
    enrolment = Enrollment.objects.get(batch=batch)
    pick = mine.locator(f"form[action='/programs/enrollments/{enrolment.pk}/problem/']")
    pick.locator("select[name=problem]").select_option(str(problem.pk))
    pick.locator("button[type=submit]").click()
    page.wait_for_url("**/programs/my/")
    mine = page.get_by_test_id("my-enrollment").filter(has_text="Angkatan Uji 2026")
    expect(mine.get_by_test_id("my-problem")).to_contain_text(TITLE)

    # --- the database after the flow ------------------------------------------------------------
    problem.refresh_from_db()
    assert (problem.state, problem.submitted_by, problem.validated_by) == (
        "validated",
        peserta,
        mentor,
    )
    assert problem.work_unit == peserta.employee.work_unit and problem.priority == 13
    need.refresh_from_db()
    assert need.accepted and need.label == "Imunisasi bayi tidak lengkap di Lombok Timur"
    program.refresh_from_db()
    assert program.state == "published" and list(program.needs.all()) == [need]
    assert all(m.needs.filter(pk=need.pk).exists() for m in program.modules.all())
    assert program.modules.get(title="Daftar Sasaran dan Imunisasi Kejar").problems.get() == problem
    batch.refresh_from_db()
    assert batch.state == "enrolling" and list(batch.trainers.all()) == [trainer]
    enrolment.refresh_from_db()
    assert (enrolment.employee, enrolment.mentor, enrolment.coach, enrolment.problem) == (
        peserta.employee,
        mentor.employee,
        trainer,
        problem,
    )
    assert enrolment.state == "enrolled"
