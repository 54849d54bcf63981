"""Read-only admin for plans (they change through the services: checked, audited, with
history); review policies are plain settings and editable here."""

from django.contrib import admin

from .models import ActionPlan, Milestone, PlanApproval, PlanTransition, ReviewPolicy, Stakeholder


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False


class MilestoneInline(ReadOnlyInline):
    model = Milestone
    fields = ["position", "term", "output", "due_date", "budget", "responsible", "status"]


class StakeholderInline(ReadOnlyInline):
    model = Stakeholder
    fields = ["position", "kind", "name", "role", "support_needed"]


class ApprovalInline(ReadOnlyInline):
    model = PlanApproval
    fields = ["review_round", "role", "decision", "by", "note", "at"]


class TransitionInline(ReadOnlyInline):
    model = PlanTransition
    fields = ["created_at", "action", "from_state", "to_state", "by", "note"]


@admin.register(ActionPlan)
class ActionPlanAdmin(admin.ModelAdmin):
    list_display = ["title", "enrollment", "agency", "state", "updated_at"]
    list_filter = ["state", "agency"]
    search_fields = ["title", "enrollment__employee__name", "enrollment__employee__nip"]
    list_select_related = ["enrollment__employee", "enrollment__batch__program", "agency"]
    inlines = [StakeholderInline, MilestoneInline, ApprovalInline, TransitionInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReviewPolicy)
class ReviewPolicyAdmin(admin.ModelAdmin):
    list_display = ["program", "require_coach", "require_mentor"]
    list_select_related = ["program"]
    raw_id_fields = ["program"]
