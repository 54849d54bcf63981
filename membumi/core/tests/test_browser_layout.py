"""Pages fit a phone: nothing but a table (which scrolls in its own box) is wider than 390px."""

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

OVERFLOW = """() => [...document.querySelectorAll('body *')]
  .filter(e => !e.closest('.table-wrap') && e.getBoundingClientRect().right > innerWidth + 1)
  .map(e => e.tagName + ': ' + e.textContent.trim().slice(0, 40))"""


def test_home_and_employee_record_fit_a_phone(page, participant):
    employee = participant.employee
    employee.name = "Ns. Muhammad Rizki Hidayat Kusumawardhana, S.Kep., M.Kep."
    employee.position_name = "Analis Sumber Daya Manusia Aparatur Ahli Muda"
    employee.save()
    work_unit = employee.work_unit
    work_unit.name = "Bidang Pengembangan Kompetensi Manajerial dan Sosial Kultural"
    work_unit.save()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(reverse("login"))
    page.locator("input[name=username]").fill("peserta")
    page.locator("input[name=password]").fill("secret-pass-123")
    page.locator("form.stack button[type=submit]").click()
    page.get_by_test_id("section-participant").wait_for()

    for url in (reverse("home"), reverse("organizations:employee_detail", args=[employee.nip])):
        page.goto(url)
        assert page.evaluate(OVERFLOW) == [], url
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url


def test_hidden_labels_inside_a_scrolling_table_do_not_widen_the_page(page, db):
    """A visually hidden label (position: absolute) in a wide table must stay inside the
    table's scrolling box: without a positioned .table-wrap it escaped to the page and made
    the whole batch page scroll sideways on a phone."""
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(reverse("login"))
    page.evaluate(
        """() => {
          const wrap = document.createElement('div');
          wrap.className = 'table-wrap';
          const cells = Array.from({length: 8}, (_, i) =>
            `<td><label class="visually-hidden" for="x${i}">Label</label>`
            + `<select id="x${i}"><option>Pilihan yang cukup panjang ${i}</option></select></td>`);
          wrap.innerHTML = `<table><tr>${cells.join('')}</tr></table>`;
          document.querySelector('main').append(wrap);
        }"""
    )
    assert page.evaluate("document.querySelector('.table-wrap').scrollWidth") > 375
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
