"""The one form-field template: every id an input's aria-describedby names exists, so screen
readers read the help text and the error with the field."""

import re

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.template.loader import render_to_string

from membumi.testing.factories import UserFactory


class _Form(forms.Form):
    name = forms.CharField(label="Nama", help_text="Nama lengkap dengan gelar.")
    email = forms.EmailField(label="Surel")


def _render(form) -> str:
    return "".join(render_to_string("includes/field.html", {"field": f}) for f in form)


def _described_ids_missing(html: str) -> list[str]:
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    named = [i for ref in re.findall(r'aria-describedby="([^"]+)"', html) for i in ref.split()]
    return [i for i in named if i not in ids]


def test_help_text_and_errors_are_what_aria_describedby_names():
    form = _Form({"name": "", "email": "bukan-surel"})
    form.is_valid()

    html = _render(form)

    assert html.count("aria-describedby=") == 2
    assert _described_ids_missing(html) == []
    assert 'id="id_name_helptext"' in html
    assert 'id="id_email_error"' in html


def test_password_rules_list_is_not_nested_in_a_paragraph(db):
    html = _render(SetPasswordForm(UserFactory()))

    assert _described_ids_missing(html) == []
    assert not re.search(r"<p[^>]*>\s*<ul", html)
