"""Forms of the plan editor and the plan page.

The editor saves as the participant types (``views/editor.py``): a form is bound to the whole
posted form, and every field that is valid is saved even when another is not
(``valid_changes``). Numbers accept the Indonesian comma ("72,5") as well as a point.
"""

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from membumi.problems.models import Problem

from .enums import BerAkhlak, StakeholderKind, Term
from .models import ActionPlan, Milestone, Stakeholder


class NumberField(forms.DecimalField):
    """A decimal typed as text (``inputmode=decimal``): "72,5", "72.5", "1.240,5" and
    "1 240" are read; anything else is refused with a message, never silently dropped (a
    ``type=number`` input would send an empty value for "abc" and clear the field)."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("step", None)
        attrs.update({"inputmode": "decimal", "autocomplete": "off"})
        return attrs

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = "".join(str(value).split())
        if "," in text:
            text = text.replace(".", "").replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValidationError(_("Enter a number, for example 72,5."), code="invalid") from None
        if not number.is_finite():
            raise ValidationError(_("Enter a number, for example 72,5."), code="invalid")
        return number


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class PlanForm(forms.ModelForm):
    """The plan's own fields. ``problems``: the problems the participant may address (the
    enrolment's problem is always among them)."""

    problem = forms.ModelChoiceField(
        label=_("Problem addressed"),
        queryset=Problem.objects.none(),
        required=False,
        help_text=_("A validated problem of your own unit."),
    )
    baseline_value = NumberField(label=_("Baseline value"))
    target_value = NumberField(label=_("Target value"))

    class Meta:
        model = ActionPlan
        fields = [
            "problem",
            "title",
            "goal",
            "root_cause",
            "indicator_name",
            "indicator_unit",
            "indicator_direction",
            "baseline_value",
            "baseline_date",
            "target_value",
            "target_date",
            "data_source",
        ]
        widgets = {
            "goal": forms.Textarea(attrs={"rows": 3}),
            "root_cause": forms.Textarea(attrs={"rows": 3}),
            "baseline_date": DateInput(),
            "target_date": DateInput(),
        }
        help_texts = {
            "goal": _(
                "What changes, by how much, by when: “Reduce the waiting time from 180 to 60 "
                "minutes by December 2027 with online queueing”."
            ),
            "root_cause": _("Why does the problem happen? The cause the plan acts on."),
            "indicator_unit": _("For example: minutes, %, patients per day."),
            "data_source": _("Where the value is measured (register, application, report)."),
        }

    def __init__(self, *args, problems, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["problem"].queryset = problems
        self.fields["problem"].empty_label = _("— choose the problem —")
        self.fields["problem"].label_from_instance = lambda p: (
            f"{p.title} ({p.get_state_display()})"
        )

    def field_groups(self):
        """Sections of the editor: (heading, fields)."""
        return [
            (_("The problem and the goal"), ["problem", "title", "goal", "root_cause"]),
            (
                _("Indicator"),
                ["indicator_name", "indicator_unit", "indicator_direction", "data_source"],
            ),
            (
                _("Baseline and target"),
                ["baseline_value", "baseline_date", "target_value", "target_date"],
            ),
        ]


def sent_fields(form, data) -> set[str] | None:
    """The fields an autosave sent: ``plan-editor.js`` sends only the fields typed in since
    the last save (``_partial`` plus one ``_fields`` per field, prefixed names), so a page
    that shows an older copy never overwrites a newer one. ``None``: the whole form (a
    browser without JavaScript)."""
    if not data.get("_partial"):
        return None
    sent = set(data.getlist("_fields"))
    return {name for name in form.fields if form.add_prefix(name) in sent}


def valid_changes(form, before: dict, only: set[str] | None = None) -> tuple[dict, list[str]]:
    """Validate ``form`` and return the valid fields whose value differs from ``before``
    (the values before the form was bound: ModelForm validation writes the valid values onto
    its instance), and the names of the invalid fields. With ``only``, the other fields are
    left alone and their errors dropped. A form-wide error counts for no field."""
    form.is_valid()
    if only is not None:
        for name in [n for n in form.errors if n in form.fields and n not in only]:
            del form.errors[name]
            form.cleaned_data.pop(name, None)
        for name in list(form.cleaned_data):
            if name not in only:
                del form.cleaned_data[name]
    invalid = [name for name in form.errors if name in form.fields]
    changes = {}
    for name in form.fields:
        if name in invalid or name not in form.cleaned_data or name not in before:
            continue
        value = form.cleaned_data[name]
        current = before[name]
        if name == "problem":
            if getattr(value, "pk", None) != getattr(current, "pk", None):
                changes[name] = value
        elif value != current:
            changes[name] = value
    return changes, invalid


class MilestoneForm(forms.ModelForm):
    """One milestone. BerAKHLAK values only for Latsar programs (``latsar=True``)."""

    budget = NumberField(label=_("Budget (Rp)"))
    values = forms.MultipleChoiceField(
        label=_("BerAKHLAK values"),
        choices=BerAkhlak.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Milestone
        fields = ["term", "output", "due_date", "budget", "responsible", "values"]
        widgets = {
            "output": forms.Textarea(attrs={"rows": 2}),
            "due_date": DateInput(),
        }
        labels = {"output": _("Output (what is done or produced)")}

    def __init__(self, *args, latsar: bool = False, fixed_term: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term"].choices = Term.choices
        if fixed_term:
            self.fields["term"].widget = forms.HiddenInput()
        if not latsar:
            del self.fields["values"]

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}


class StakeholderForm(forms.ModelForm):
    class Meta:
        model = Stakeholder
        fields = ["kind", "name", "role", "support_needed"]
        widgets = {"support_needed": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = StakeholderKind.choices


class TransitionForm(forms.Form):
    """A lifecycle step from the plan page, with its note (a reason where the step needs
    one: the service says so, and the error is shown on this field)."""

    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, action: str, note_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        if note_label:
            self.fields["note"].label = note_label
