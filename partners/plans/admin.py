"""Django admin for operators: every tenant's business plans, read through the platform alias.

Operators look across tenants and fix data. Plans, goals and initiatives may be corrected here (each
change audited by the platform admin base); the review records keep the figures of their day and are
read-only. Targets and the shared status are normally the two sides' own, in the portals and the API.
"""

from django.contrib import admin

from ecosystem.tenancy.admin import PlatformAdmin

from .models import BusinessPlan, PlanGoal, PlanInitiative, PlanReview


@admin.register(BusinessPlan)
class BusinessPlanAdmin(PlatformAdmin):
    list_display = ["title", "partner", "solution", "period_start", "period_end", "state", "health", "tenant"]
    list_filter = ["tenant", "state", "health"]
    search_fields = ["title"]
    list_select_related = ["partner", "solution", "tenant"]
    raw_id_fields = ["partner", "solution", "vendor_owner", "partner_owner", "status_updated_by", "created_by"]
    readonly_fields = ["public_id", "team_partner_ids", "created_at", "updated_at"]


@admin.register(PlanGoal)
class PlanGoalAdmin(PlatformAdmin):
    list_display = ["plan", "metric", "target", "manual_actual", "tenant"]
    list_filter = ["tenant", "metric"]
    list_select_related = ["plan", "tenant"]
    raw_id_fields = ["plan", "partner"]
    readonly_fields = ["public_id", "team_partner_ids"]


@admin.register(PlanInitiative)
class PlanInitiativeAdmin(PlatformAdmin):
    list_display = ["title", "plan", "status", "due_date", "vendor_owner", "partner_owner", "tenant"]
    list_filter = ["tenant", "status"]
    search_fields = ["title"]
    list_select_related = ["plan", "vendor_owner", "partner_owner", "tenant"]
    raw_id_fields = ["plan", "partner", "vendor_owner", "partner_owner"]
    readonly_fields = ["public_id", "team_partner_ids", "completed_at", "created_at", "updated_at"]


@admin.register(PlanReview)
class PlanReviewAdmin(PlatformAdmin):
    list_display = ["plan", "quarter", "held_on", "recorded_by", "tenant"]
    list_filter = ["tenant", "quarter"]
    list_select_related = ["plan", "recorded_by", "tenant"]
    readonly_fields = [
        "public_id",
        "plan",
        "partner",
        "quarter",
        "held_on",
        "summary",
        "decisions",
        "figures",
        "recorded_by",
        "team_partner_ids",
        "recorded_at",
    ]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
