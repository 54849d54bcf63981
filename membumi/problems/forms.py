from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from membumi.organizations.forms import EmployeeImportForm
from membumi.organizations.models import Agency, WorkUnit

from .enums import FISHBONE, ProblemState, Sector
from .models import Problem
from .rules import NOTE_REQUIRED

USG_HELP = {
    "urgency": _("How soon must it be handled? 1 = it can wait, 5 = it must be handled now."),
    "seriousness": _(
        "How serious is the harm to service users and the unit? 1 = minor, 5 = severe."
    ),
    "growth": _("How much worse does it get if nothing is done? 1 = stays as it is, 5 = fast."),
}
USG_LABELS = {
    "urgency": [
        _("1 — can wait"),
        _("2 — within a year"),
        _("3 — within months"),
        _("4 — within weeks"),
        _("5 — now"),
    ],
    "seriousness": [
        _("1 — minor"),
        _("2 — noticeable"),
        _("3 — serious"),
        _("4 — very serious"),
        _("5 — severe"),
    ],
    "growth": [
        _("1 — stays as it is"),
        _("2 — grows slowly"),
        _("3 — grows"),
        _("4 — grows quickly"),
        _("5 — grows very fast"),
    ],
}
USG_FIELDS = list(USG_HELP)
PRIORITY_MAX = 15


def priority_from(data) -> int | None:
    """U + S + G from submitted values, or ``None`` while one of them is missing or invalid."""
    total = 0
    for name in USG_FIELDS:
        try:
            value = int(data.get(name, ""))
        except (TypeError, ValueError):
            return None
        if not 1 <= value <= 5:
            return None
        total += value
    return total


def cause_field(key: str) -> str:
    return f"cause_{key}"


class ProblemFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Title, statement or indicator")}
        ),
    )
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    state = forms.ChoiceField(label=_("State"), required=False)
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Agency.objects.none(), required=False, to_field_name="code"
    )
    unit = forms.ModelChoiceField(
        label=_("Work unit"), queryset=WorkUnit.objects.none(), required=False
    )
    min_priority = forms.TypedChoiceField(
        label=_("Minimum priority"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any priority")), *[(n, f"≥ {n}") for n in range(3, 16)]],
    )

    def __init__(self, *args, agencies, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = [("", _("All sectors")), *Sector.choices]
        self.fields["state"].choices = [("", _("All states")), *ProblemState.choices]
        self.fields["agency"].queryset = agencies
        self.fields["agency"].empty_label = _("All agencies")
        self.fields["unit"].queryset = units
        self.fields["unit"].empty_label = _("All units")
        self.fields["unit"].label_from_instance = lambda u: (
            f"{'— ' * u.depth}{u.name} ({u.agency.code})"
        )


class ProblemForm(forms.ModelForm):
    """The problem's facts, USG score and fishbone notes. On create, ``units`` are the units
    the user may submit for: one unit is fixed (not a choice), several make a chooser."""

    work_unit = forms.ModelChoiceField(
        label=_("Work unit"), queryset=WorkUnit.objects.none(), required=True
    )

    class Meta:
        model = Problem
        fields = [
            "work_unit",
            "title",
            "statement",
            "sector",
            "public_service",
            "indicator_name",
            "indicator_unit",
            "indicator_direction",
            "baseline_value",
            "baseline_date",
            "data_source",
            "urgency",
            "seriousness",
            "growth",
        ]
        widgets = {
            "statement": forms.Textarea(attrs={"rows": 5}),
            "baseline_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, units=None, exclude_similar=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is None:  # editing: the unit stays
            del self.fields["work_unit"]
        else:
            field = self.fields["work_unit"]
            field.queryset = units
            field.label_from_instance = lambda u: f"{u.name} ({u.agency.code})"
            if len(field.choices) == 2:  # the empty choice and the one unit
                field.widget = forms.HiddenInput()
        for name in USG_FIELDS:
            field = self.fields[name]
            field.choices = [("", "—"), *zip(range(1, 6), USG_LABELS[name], strict=True)]
            field.help_text = USG_HELP[name]
        self.fields["title"].widget.attrs["placeholder"] = _(
            "e.g. Long queues for birth certificates at the district office"
        )
        similar_url = reverse("problems:similar_hx")
        if exclude_similar:
            similar_url += f"?exclude={exclude_similar}"
        for name in ("title", "statement"):
            self.fields[name].widget.attrs.update(
                {
                    "hx-post": similar_url,
                    "hx-trigger": "input changed delay:500ms",
                    "hx-target": "#similar-problems",
                    "hx-include": "#id_title, #id_statement",
                    "hx-sync": "closest section:replace",
                }
            )
        for name in USG_FIELDS:
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": self._priority_url(),
                    "hx-trigger": "change",
                    "hx-target": "#usg-priority",
                    "hx-swap": "outerHTML",
                    # One request at a time, the latest wins (answers may arrive out of order).
                    "hx-sync": "closest section:replace",
                    "hx-include": "#id_urgency, #id_seriousness, #id_growth",
                }
            )
        causes = (self.instance.root_causes or {}) if self.instance.pk else {}
        for key, label in FISHBONE:
            self.fields[cause_field(key)] = forms.CharField(
                label=label,
                required=False,
                max_length=1000,
                initial=causes.get(key, ""),
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def _priority_url(self) -> str:
        if self.instance.pk:
            return reverse("problems:problem_edit", args=[self.instance.pk])
        return reverse("problems:problem_create")

    @property
    def usg_fields(self):
        return [self[name] for name in USG_FIELDS]

    @property
    def cause_fields(self):
        return [self[cause_field(key)] for key, _label in FISHBONE]

    @property
    def fact_fields(self):
        skip = {*USG_FIELDS, *(cause_field(k) for k, _label in FISHBONE)}
        return [self[name] for name in self.fields if name not in skip and not self[name].is_hidden]

    @property
    def unit_is_fixed(self) -> bool:
        field = self.fields.get("work_unit")
        return field is not None and isinstance(field.widget, forms.HiddenInput)

    def priority(self) -> int | None:
        if self.is_bound:
            return priority_from(self.data)
        if self.instance.pk:
            return self.instance.priority
        return None

    def service_fields(self) -> dict:
        """The cleaned data as keyword arguments of ``problem_create``/``problem_update``."""
        data = {
            name: self.cleaned_data[name]
            for name in self.Meta.fields
            if name != "work_unit" and name in self.cleaned_data
        }
        data["root_causes"] = {
            key: self.cleaned_data[cause_field(key)].strip()
            for key, _label in FISHBONE
            if self.cleaned_data.get(cause_field(key), "").strip()
        }
        return data

    def _post_clean(self):
        # Leave the instance untouched: the service sets the fields, validates the model (with
        # its unit and agency) and records what changed. Its errors come back to this form.
        pass


class SimilarForm(forms.Form):
    title = forms.CharField(required=False, max_length=200)
    statement = forms.CharField(required=False, max_length=10_000)

    def text(self) -> str:
        if not self.is_valid():
            return ""
        return f"{self.cleaned_data['title']}. {self.cleaned_data['statement']}".strip(" .")


class TransitionForm(forms.Form):
    """The note of a transition and, for ``mark_duplicate``, the original. The original may be
    any problem the user sees; the chooser offers the most similar ones."""

    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    duplicate_of = forms.ModelChoiceField(
        label=_("Original problem"), queryset=Problem.objects.none(), required=False
    )

    def __init__(self, *args, action, targets=None, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        if action != "mark_duplicate":
            del self.fields["duplicate_of"]
        else:
            field = self.fields["duplicate_of"]
            field.queryset = targets
            field.required = True
            field.widget.choices = [("", "—")] + [
                (p.pk, f"#{p.pk} {p.title} ({p.work_unit.name}, {p.agency.code})")
                for p in candidates
            ]
        if action in NOTE_REQUIRED:
            self.fields["note"].required = True
            self.fields["note"].label = _("Reason")


class ProblemImportForm(EmployeeImportForm):
    """The upload checks of the employee import (type, size, real XLSX/CSV), with this
    import's columns in the help text."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "Columns: title, statement, sector, public_service, indicator_name, "
            "indicator_unit, indicator_direction, baseline_value, baseline_date, data_source, "
            "urgency, seriousness, growth, unit, agency, submitter_nip. Download the template "
            "below."
        )
