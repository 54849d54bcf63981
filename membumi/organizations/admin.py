from django import forms
from django.contrib import admin

from .models import Agency, Employee, ImportJob, Institution, WorkUnit
from .nip import normalize_nip
from .services import work_unit_save


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "level", "parent"]
    list_filter = ["kind", "level"]
    search_fields = ["code", "name"]


@admin.register(WorkUnit)
class WorkUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "agency", "parent", "depth"]
    list_filter = ["kind", "agency"]
    search_fields = ["name"]
    raw_id_fields = ["parent"]
    readonly_fields = ["path", "depth"]

    def save_model(self, request, obj, form, change):
        work_unit_save(unit=obj)  # keeps the materialised path of the unit and its subtree


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "agency"]
    filter_horizontal = ["served_agencies"]
    search_fields = ["code", "name"]


class EmployeeAdminForm(forms.ModelForm):
    """The NIP may be typed as it is written ("19860926 201505 1 001"): the input takes the
    spaces (a maxlength of 18 would cut the number short) and the NIP is stored without them."""

    nip = forms.CharField(label=Employee._meta.get_field("nip").verbose_name, max_length=30)

    def clean_nip(self):
        return normalize_nip(self.cleaned_data["nip"])


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    form = EmployeeAdminForm
    list_display = ["name", "nip", "agency", "work_unit", "position_name", "is_active"]
    list_filter = ["agency", "employment_type", "position_type", "is_active"]
    search_fields = ["nip", "name", "position_name"]
    raw_id_fields = ["work_unit", "supervisor"]
    list_select_related = ["agency", "work_unit"]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = [
        "original_name",
        "status",
        "created",
        "updated",
        "unchanged",
        "rejected",
        "created_at",
    ]
    readonly_fields = [f.name for f in ImportJob._meta.fields]
