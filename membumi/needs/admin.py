"""Read-mostly admin: analyses are run and curated through the services (audited), so the
admin shows them without offering edits that would bypass the audit log."""

from django.contrib import admin

from .models import Need, NeedProblem, NeedsAnalysis


class NeedInline(admin.TabularInline):
    model = Need
    fields = ["position", "label", "keywords", "accepted", "accepted_by", "accepted_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(NeedsAnalysis)
class NeedsAnalysisAdmin(admin.ModelAdmin):
    list_display = ["title", "institution", "created_at", "status", "problem_count"]
    list_filter = ["status", "institution"]
    search_fields = ["title"]
    list_select_related = ["institution"]
    readonly_fields = [
        "institution",
        "title",
        "created_by",
        "created_at",
        "scope",
        "problem_count",
        "status",
        "progress",
        "message",
        "finished_at",
    ]
    inlines = [NeedInline]

    def has_add_permission(self, request):
        return False


class NeedProblemInline(admin.TabularInline):
    model = NeedProblem
    fields = ["problem"]
    readonly_fields = ["problem"]
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("problem")


@admin.register(Need)
class NeedAdmin(admin.ModelAdmin):
    list_display = ["label", "analysis", "position", "accepted"]
    list_filter = ["accepted"]
    search_fields = ["label"]
    list_select_related = ["analysis"]
    readonly_fields = ["analysis", "label", "keywords", "accepted", "accepted_by", "accepted_at"]
    inlines = [NeedProblemInline]

    def has_add_permission(self, request):
        return False
