"""Read-only admin: programs, batches and enrolments change through the services (checked,
audited, with history), so the admin shows them without offering edits that would bypass the
lifecycles or the all-or-nothing enrolment."""

from django.contrib import admin

from .models import Batch, Enrollment, Module, Program, StateChange


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ModuleInline(admin.TabularInline):
    model = Module
    fields = ["position", "title", "jp"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Program)
class ProgramAdmin(ReadOnlyAdmin):
    list_display = ["name", "institution", "program_type", "mode", "total_jp", "state"]
    list_filter = ["state", "program_type", "mode", "institution"]
    search_fields = ["name"]
    list_select_related = ["institution"]
    inlines = [ModuleInline]


@admin.register(Module)
class ModuleAdmin(ReadOnlyAdmin):
    list_display = ["title", "program", "position", "jp"]
    search_fields = ["title", "program__name"]
    list_select_related = ["program"]


@admin.register(Batch)
class BatchAdmin(ReadOnlyAdmin):
    list_display = ["name", "program", "start_date", "end_date", "mode", "capacity", "state"]
    list_filter = ["state", "mode"]
    search_fields = ["name", "program__name"]
    list_select_related = ["program"]


@admin.register(Enrollment)
class EnrollmentAdmin(ReadOnlyAdmin):
    list_display = ["employee", "batch", "mentor", "coach", "problem", "state"]
    list_filter = ["state"]
    search_fields = ["employee__nip", "employee__name", "batch__name"]
    list_select_related = ["employee", "batch__program", "mentor", "coach", "problem"]


@admin.register(StateChange)
class StateChangeAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "object_type", "object_id", "from_state", "to_state", "by"]
    list_filter = ["object_type", "to_state"]
    list_select_related = ["by"]
