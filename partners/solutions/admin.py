"""Django admin for operators: every tenant's joint solutions and their components, read through the platform alias.

Operators may correct a solution's wording (name, summary, industries, regions). Who is on it, its
status and its team arrays are the services' alone (they keep row-level security in step), so those
fields and the components are read-only here: the managers and partners change them in the portals.
"""

from django.contrib import admin

from ecosystem.tenancy.admin import PlatformAdmin, PlatformInline

from .models import JointSolution, SolutionComponent


class SolutionComponentInline(PlatformInline):
    model = SolutionComponent
    fields = ["partner", "role", "description", "status", "added_at", "responded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(JointSolution)
class JointSolutionAdmin(PlatformAdmin):
    list_display = ["name", "tenant", "status", "orchestrator_kind", "orchestrator_partner", "proposed_by", "launched_at"]
    list_filter = ["tenant", "status", "orchestrator_kind"]
    search_fields = ["name", "summary"]
    list_select_related = ["tenant", "orchestrator_partner", "proposed_by"]
    readonly_fields = [
        "public_id",
        "status",
        "orchestrator_kind",
        "orchestrator_partner",
        "orchestrator_user",
        "proposed_by",
        "team_partner_ids",
        "decision_reason",
        "created_by",
        "created_at",
        "submitted_at",
        "launched_at",
        "retired_at",
    ]
    inlines = [SolutionComponentInline]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # retire it in the vendor portal: deals keep referencing it


@admin.register(SolutionComponent)
class SolutionComponentAdmin(PlatformAdmin):
    list_display = ["solution", "partner", "role", "status", "tenant", "added_at"]
    list_filter = ["tenant", "role", "status"]
    list_select_related = ["solution", "partner", "tenant"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
