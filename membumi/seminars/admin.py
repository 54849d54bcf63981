"""Read-only admin: the rubric, sessions and scores change through the services (checked,
locked, audited), so the admin shows them without offering edits that would bypass them."""

from django.contrib import admin

from .models import Criterion, Score, ScoreItem, SeminarConfig, SeminarResult, SeminarSession


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CriterionInline(admin.TabularInline):
    model = Criterion
    fields = ["position", "name", "weight", "max_score"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SeminarConfig)
class SeminarConfigAdmin(ReadOnlyAdmin):
    list_display = ["program", "enabled", "pass_mark", "updated_at"]
    inlines = [CriterionInline]


@admin.register(SeminarSession)
class SeminarSessionAdmin(ReadOnlyAdmin):
    list_display = ["batch", "kind", "starts_at", "place", "state"]
    list_filter = ["state", "kind"]


class ScoreItemInline(admin.TabularInline):
    model = ScoreItem
    fields = ["criterion", "value", "comment"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Score)
class ScoreAdmin(ReadOnlyAdmin):
    list_display = ["session", "plan", "examiner", "total", "updated_at"]
    inlines = [ScoreItemInline]


@admin.register(SeminarResult)
class SeminarResultAdmin(ReadOnlyAdmin):
    list_display = ["number", "session", "plan", "average", "passed"]
    search_fields = ["number"]
