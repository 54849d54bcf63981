"""Forms bind the input; the services check it (one set of messages for pages and API)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .enums import SessionKind
from .models import MAX_SCORE_LIMIT


class ConfigForm(forms.Form):
    enabled = forms.BooleanField(label=_("The program holds plan seminars"), required=False)
    pass_mark = forms.CharField(
        label=_("Pass mark (0–100)"),
        help_text=_(
            "A plan meets it when the average of the examiners' weighted totals is at least this."
        ),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}),
    )


class CriterionForm(forms.Form):
    name = forms.CharField(label=_("Criterion"), max_length=120, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    weight = forms.CharField(
        label=_("Weight"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 1, "max": 100, "inputmode": "numeric"}),
    )
    max_score = forms.CharField(
        label=_("Maximum score"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 2, "max": MAX_SCORE_LIMIT, "inputmode": "numeric"}),
    )
    DELETE = forms.BooleanField(label=_("Remove"), required=False)

    def row(self) -> dict | None:
        data = self.cleaned_data
        if data.get("DELETE"):
            return None
        if not any((data.get(k) or "").strip() for k in ("name", "description", "weight")):
            return None  # an empty spare row
        return {k: data.get(k, "") for k in ("name", "description", "weight", "max_score")}


CriterionFormSet = forms.formset_factory(CriterionForm, extra=1, max_num=12, absolute_max=20)


class SessionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SessionKind.choices, widget=forms.RadioSelect)
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    place = forms.CharField(label=_("Place"), max_length=200)
    examiners = forms.ModelMultipleChoiceField(
        label=_("Examiners"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("People holding the examiner role at the institution."),
        error_messages={
            "invalid_choice": _("%(value)s does not hold the examiner role at this institution."),
            "required": _("Choose at least one examiner."),
        },
    )

    def __init__(self, *args, examiners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["examiners"].queryset = examiners
        self.fields["examiners"].label_from_instance = lambda u: (
            f"{u.get_full_name() or u.username} ({u.username})"
        )


class ScoreForm(forms.Form):
    """One score and one comment field per criterion, and the overall note."""

    note = forms.CharField(
        label=_("Overall note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        fields = {}
        for c in criteria:
            fields[f"score_{c.pk}"] = forms.CharField(
                label=_("Score for “%(name)s” (1–%(max)d)") % {"name": c.name, "max": c.max_score},
                required=False,
                widget=forms.NumberInput(
                    attrs={"min": 1, "max": c.max_score, "inputmode": "numeric", "step": 1}
                ),
                help_text=c.description,
            )
            fields[f"comment_{c.pk}"] = forms.CharField(
                label=_("Comment on “%(name)s” (optional)") % {"name": c.name},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        note = self.fields.pop("note")
        self.fields.update(fields)
        self.fields["note"] = note

    def criterion_rows(self):
        return [(c, self[f"score_{c.pk}"], self[f"comment_{c.pk}"]) for c in self.criteria]

    def values(self) -> dict:
        return {c.pk: self.cleaned_data.get(f"score_{c.pk}") for c in self.criteria}

    def comments(self) -> dict:
        return {c.pk: self.cleaned_data.get(f"comment_{c.pk}", "") for c in self.criteria}
