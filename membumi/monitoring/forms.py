"""The progress-update form (kept small for phones) and the decision forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .enums import ProgressStatus
from .evidence import MAX_FILES


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


EVIDENCE_ACCEPT = ".pdf,.png,.jpg,.jpeg,.gif,.webp,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.odp"


class ProgressUpdateForm(forms.Form):
    """Milestone fields (``ms_<id>`` status, ``ms_<id>_note``) are added per milestone of the
    plan; the service validates everything again (the API uses it directly)."""

    narrative = forms.CharField(
        label=_("What was done"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=_("What changed at work since the last update, and what is next."),
    )
    measurement_value = forms.DecimalField(
        label=_("Measured value"), required=False, max_digits=14, decimal_places=2
    )
    measured_on = forms.DateField(
        label=_("Measured on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    measurement_source = forms.CharField(label=_("Data source"), required=False, max_length=200)
    files = MultipleFileField(
        label=_("Evidence files"),
        required=False,
        help_text=_("PDF, images or office documents, at most %(n)d files of %(mb)s MB each."),
    )
    links = forms.CharField(
        label=_("Evidence links"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One web address per line (e.g. a shared folder or a news item)."),
    )

    def __init__(self, *args, plan, max_mb, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = self.fields["files"].help_text % {
            "n": MAX_FILES,
            "mb": max_mb,
        }
        self.fields["files"].widget.attrs["accept"] = EVIDENCE_ACCEPT
        self.milestone_rows = []
        choices = [("", _("Unchanged")), *ProgressStatus.choices]
        for milestone in plan.milestones.all():
            status = f"ms_{milestone.pk}"
            note = f"ms_{milestone.pk}_note"
            self.fields[status] = forms.ChoiceField(
                label=milestone.output[:120], choices=choices, required=False
            )
            self.fields[note] = forms.CharField(
                label=_("Reason or note"), required=False, max_length=1000
            )
            self.milestone_rows.append((milestone, self[status], self[note]))

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        milestones = [
            {
                "milestone_id": milestone.pk,
                "status": data.get(f"ms_{milestone.pk}") or "",
                "note": data.get(f"ms_{milestone.pk}_note") or "",
            }
            for milestone, _s, _n in self.milestone_rows
        ]
        measurement = None
        if data.get("measurement_value") is not None or data.get("measured_on"):
            measurement = {
                "value": data.get("measurement_value"),
                "measured_on": data.get("measured_on"),
                "source": data.get("measurement_source", ""),
            }
        return {
            "narrative": data["narrative"],
            "milestones": milestones,
            "measurement": measurement,
            "files": data.get("files") or [],
            "links": (data.get("links") or "").splitlines(),
        }

    # Service errors keyed by these names land on the matching field.
    FIELD_FOR_ERROR = {
        "narrative": "narrative",
        "measurement_value": "measurement_value",
        "measured_on": "measured_on",
        "files": "files",
        "links": "links",
        "milestones": None,
    }


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", _("Accept")), ("reject", _("Reject"))], widget=forms.HiddenInput
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text=_("Required to reject: say what is missing."),
    )


class PlanStepForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class BoardFilterForm(forms.Form):
    q = forms.CharField(label=_("Search participant or plan"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, statuses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All")), *statuses.items()]
