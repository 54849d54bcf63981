"""Follow-ups are read-only here (answers go through ``services.follow_up_respond``: checked,
audited, once); policies are plain settings but go through the service's validation via the
organizer's page, so they are read-only here too."""

from django.contrib import admin

from .models import FollowUp, FollowUpPolicy, FollowUpRating


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RatingInline(admin.TabularInline):
    model = FollowUpRating
    extra = 0
    can_delete = False
    fields = ["item", "value"]
    readonly_fields = ["item", "value"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "enrollment",
        "offset_months",
        "role",
        "due_date",
        "open_until",
        "answered_at",
        "plan_status",
    ]
    list_filter = ["role", "offset_months", "plan_status"]
    list_select_related = ["enrollment__employee", "enrollment__batch__program"]
    raw_id_fields = ["enrollment"]
    inlines = [RatingInline]


@admin.register(FollowUpPolicy)
class FollowUpPolicyAdmin(ReadOnlyAdmin):
    list_display = ["program", "offsets", "window_days", "updated_at"]
    list_select_related = ["program"]
