"""Forms bind and check input; the services decide. Choices are narrowed to what the user may
pick (accepted needs of the institution, the program's needs and their problems, the
institution's trainers)."""

import csv
import io
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from .enums import DeliveryMode, ProgramType
from .models import Batch, Module, Program, Session
from .services import EnrolmentRequest

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_CSV_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000


class ServiceModelForm(forms.ModelForm):
    """A model form that leaves the model's validation to the service (one set of messages)."""

    def _post_clean(self):
        pass


class ProgramForm(ServiceModelForm):
    institution = forms.ModelChoiceField(label=_("Institution"), queryset=None)
    needs = forms.ModelMultipleChoiceField(
        label=_("Needs answered"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Accepted needs of your institution's needs analyses."),
    )

    class Meta:
        model = Program
        fields = [
            "name",
            "program_type",
            "total_jp",
            "min_attendance_percent",
            "mode",
            "competencies",
            "description",
        ]
        widgets = {
            "competencies": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, institutions, needs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions
        if self.instance.pk or len(institutions) == 1:
            del self.fields["institution"]
        self.fields["needs"].queryset = needs
        self.fields["needs"].label_from_instance = lambda n: f"{n.label} — {n.analysis.title}"
        self.fields["program_type"].choices = ProgramType.choices
        self.fields["mode"].choices = DeliveryMode.choices
        self.fields["min_attendance_percent"].required = False

    def clean_min_attendance_percent(self):
        value = self.cleaned_data.get("min_attendance_percent")
        return self.instance.min_attendance_percent if value is None else value


class ModuleForm(ServiceModelForm):
    needs = forms.ModelMultipleChoiceField(
        label=_("Needs addressed"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    problems = forms.ModelMultipleChoiceField(
        label=_("Problems addressed"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Problems grouped in the program's needs. Name a need, a problem, or both."),
    )

    class Meta:
        model = Module
        fields = ["title", "jp", "objectives"]
        widgets = {"objectives": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, needs, problems, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["needs"].queryset = needs
        self.fields["problems"].queryset = problems
        self.fields["problems"].label_from_instance = lambda p: (
            f"{p.title} ({p.work_unit.name}, USG {p.priority})"
        )
        if self.instance.pk:
            self.initial["needs"] = list(self.instance.needs.all())
            self.initial["problems"] = list(self.instance.problems.all())


class BatchForm(ServiceModelForm):
    trainers = forms.ModelMultipleChoiceField(
        label=_("Trainers"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Trainers of the institution. Each participant gets one of them as coach."),
    )

    class Meta:
        model = Batch
        fields = ["name", "start_date", "end_date", "mode", "location", "capacity"]
        widgets = {"start_date": DATE_WIDGET, "end_date": DATE_WIDGET}

    def __init__(self, *args, trainers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainers"].queryset = trainers
        self.fields["trainers"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["capacity"].min_value = None  # the service says it in plain words
        self.fields["capacity"].widget.attrs["min"] = 1
        if self.instance.pk:
            self.initial["trainers"] = list(self.instance.trainers.all())


class EnrolOneForm(forms.Form):
    nip = forms.CharField(
        label=_("NIP"), max_length=40, help_text=_("Spaces are fine: 19860926 201505 1 001")
    )
    mentor_nip = forms.CharField(
        label=_("Mentor NIP"),
        max_length=40,
        required=False,
        help_text=_("Leave empty for the participant's direct supervisor."),
    )
    coach = forms.ModelChoiceField(
        label=_("Coach"),
        queryset=None,
        required=False,
        empty_label=_("Automatic (the trainer with the fewest coachees)"),
    )

    def __init__(self, *args, trainers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coach"].queryset = trainers
        self.fields["coach"].label_from_instance = lambda u: u.get_full_name() or u.username

    def requests(self) -> list[EnrolmentRequest]:
        data = self.cleaned_data
        coach = data.get("coach")
        return [
            EnrolmentRequest(
                nip=data["nip"],
                mentor_nip=data.get("mentor_nip", ""),
                coach_username=coach.username if coach else "",
                line=1,
            )
        ]


class EnrolListForm(forms.Form):
    nips = forms.CharField(
        label=_("NIPs, one per line"),
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=_("Spaces inside a NIP are fine. Mentors default to each direct supervisor."),
    )

    def requests(self) -> list[EnrolmentRequest]:
        """One request per NIP; a line may also hold several NIPs separated by commas or
        semicolons (spaces stay inside a NIP: "19860926 201505 1 001")."""
        return [
            EnrolmentRequest(nip=part.strip(), line=number)
            for number, line in enumerate(self.cleaned_data["nips"].splitlines(), start=1)
            for part in re.split(r"[,;]", line)
            if part.strip()
        ]


class EnrolCsvForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns: nip (required), mentor_nip and coach_username (optional)."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError(_("Upload a .csv file."))
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(_("Save the file as UTF-8 text.")) from exc
        first = text.split("\n", 1)[0]
        delimiter = max(",;\t", key=first.count)
        reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
        fields = [(f or "").strip().lower() for f in reader.fieldnames or []]
        if "nip" not in fields:
            raise forms.ValidationError(_("The file has no “nip” column in its first line."))
        reader.fieldnames = fields
        rows = []
        for row in reader:
            if len(rows) >= MAX_ROWS:
                raise forms.ValidationError(
                    _("The file has more than %(n)d rows.") % {"n": MAX_ROWS}
                )
            values = {k: (v or "").strip() for k, v in row.items() if isinstance(v, str)}
            if not any(values.values()):
                continue
            rows.append(
                EnrolmentRequest(
                    nip=values.get("nip", ""),
                    mentor_nip=values.get("mentor_nip", ""),
                    coach_username=values.get("coach_username", ""),
                    line=reader.line_num,
                )
            )
        if not rows:
            raise forms.ValidationError(_("The file has no rows below its header."))
        self.rows = rows
        return upload

    def requests(self) -> list[EnrolmentRequest]:
        return self.rows


class EnrollmentEditForm(forms.Form):
    mentor_nip = forms.CharField(label=_("Mentor NIP"), max_length=40)
    coach = forms.ModelChoiceField(label=_("Coach"), queryset=None)

    def __init__(self, *args, trainers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coach"].queryset = trainers
        self.fields["coach"].label_from_instance = lambda u: u.get_full_name() or u.username


class TransitionForm(forms.Form):
    action = forms.CharField(max_length=30)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ProblemPickForm(forms.Form):
    problem = forms.ModelChoiceField(label=_("The problem I bring"), queryset=None)

    def __init__(self, *args, problems, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["problem"].queryset = problems
        self.fields["problem"].label_from_instance = lambda p: (
            f"{p.title} — {p.get_state_display()}"
        )


class SessionForm(ServiceModelForm):
    class Meta:
        model = Session
        fields = ["date", "title", "jp", "module"]
        widgets = {"date": DATE_WIDGET}

    def __init__(self, *args, modules, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].queryset = modules
        self.fields["module"].required = False


class AttendanceImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        help_text=_(
            "Columns: nip and jp (the JP each participant attended). The figure replaces the "
            "sessions in their attendance."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        return upload


class ProposalDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("confirm", _("Confirm")), ("reject", _("Reject"))], widget=forms.HiddenInput
    )
    mentor_nip = forms.CharField(label=_("Another mentor (NIP)"), max_length=40, required=False)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)
