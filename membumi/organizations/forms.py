from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Agency, WorkUnit

IMPORT_EXTENSIONS = (".csv", ".xlsx")


class EmployeeFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, NIP or position")}),
    )
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Agency.objects.none(), required=False, to_field_name="code"
    )
    unit = forms.ModelChoiceField(
        label=_("Work unit"), queryset=WorkUnit.objects.none(), required=False
    )

    def __init__(self, *args, agencies, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        self.fields["agency"].empty_label = _("All agencies")
        self.fields["unit"].queryset = units
        self.fields["unit"].empty_label = _("All units")
        self.fields["unit"].label_from_instance = lambda u: (
            f"{'— ' * u.depth}{u.name} ({u.agency.code})"
        )


class EmployeeImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        help_text=_(
            "Columns: nip, name, sex, golongan, position_type, position_name, unit, agency, supervisor_nip. Download the template below."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith(IMPORT_EXTENSIONS):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        limit = settings.IMPORT_MAX_UPLOAD_MB * 1024 * 1024
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB.") % {"mb": settings.IMPORT_MAX_UPLOAD_MB}
            )
        head = upload.read(8)
        upload.seek(0)
        if name.endswith(".xlsx") and not head.startswith(b"PK\x03\x04"):
            raise forms.ValidationError(_("This file is not a real XLSX workbook."))
        if name.endswith(".csv") and b"\x00" in head:
            raise forms.ValidationError(_("This file is not a text CSV file."))
        return upload
