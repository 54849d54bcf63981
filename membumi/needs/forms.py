from django import forms
from django.utils.translation import gettext_lazy as _

from membumi.organizations.models import Agency, Institution, WorkUnit
from membumi.problems.enums import Sector

from .models import Need


class NeedsAnalysisForm(forms.Form):
    """The scope of a run. Every filter is optional: an empty scope is everything the
    institution's organizers may analyse."""

    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Leave empty for “Needs analysis” and today's date."),
    )
    institution = forms.ModelChoiceField(
        label=_("Institution"), queryset=Institution.objects.none(), to_field_name="code"
    )
    agencies = forms.ModelMultipleChoiceField(
        label=_("Agencies"),
        queryset=Agency.objects.none(),
        required=False,
        to_field_name="code",
        help_text=_("None selected: every agency the institution serves."),
    )
    units = forms.ModelMultipleChoiceField(
        label=_("Work units"),
        queryset=WorkUnit.objects.none(),
        required=False,
        help_text=_("A unit includes the units below it. None selected: every unit."),
    )
    sectors = forms.MultipleChoiceField(
        label=_("Sectors"),
        choices=Sector.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None selected: every sector."),
    )
    period_from = forms.DateField(
        label=_("Problems submitted from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    period_to = forms.DateField(
        label=_("Problems submitted until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, institutions, agencies, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions
        if len(institutions) == 1:
            self.fields["institution"].initial = institutions[0]
            self.fields["institution"].widget = forms.HiddenInput()
        self.fields["agencies"].queryset = agencies
        self.fields["agencies"].widget.attrs["size"] = min(8, max(3, len(agencies)))
        self.fields["units"].queryset = units
        self.fields["units"].widget.attrs["size"] = 8
        self.fields["units"].label_from_instance = lambda u: (
            f"{'— ' * u.depth}{u.name} ({u.agency.code})"
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("period_from"), data.get("period_to")
        if start and end and start > end:
            self.add_error("period_to", _("The end of the period is before its start."))
        return data


class NeedRenameForm(forms.Form):
    label = forms.CharField(label=_("Name"), max_length=200)


class NeedMergeForm(forms.Form):
    target = forms.ModelChoiceField(
        label=_("Merge into"),
        queryset=Need.objects.none(),
        empty_label=_("Choose a need"),
    )

    def __init__(self, *args, need, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = (
            need.analysis.needs.exclude(pk=need.pk).filter(accepted=False).order_by("position")
        )


class NeedMoveForm(forms.Form):
    """Move selected problems of a need to another need, or to a new one (a split)."""

    problems = forms.TypedMultipleChoiceField(
        label=_("Problems to move"),
        coerce=int,
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Select at least one problem to move.")},
    )
    target = forms.ModelChoiceField(
        label=_("Move to"),
        queryset=Need.objects.none(),
        required=False,
        empty_label=_("A new need"),
    )
    new_label = forms.CharField(
        label=_("Name of the new need"),
        max_length=200,
        required=False,
        help_text=_("Only when moving to a new need."),
    )

    def __init__(self, *args, need, problem_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["problems"].choices = [(pk, pk) for pk in problem_ids]
        self.fields["target"].queryset = (
            need.analysis.needs.exclude(pk=need.pk).filter(accepted=False).order_by("position")
        )

    def clean(self):
        data = super().clean()
        if not data.get("target") and not (data.get("new_label") or "").strip():
            self.add_error("new_label", _("Name the new need, or choose a need to move to."))
        return data
