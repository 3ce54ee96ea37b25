"""Django admin for operators: every tenant's MDF budgets, allocations, requests, claims and evidence, read-only.

Money moves only through the services (they lock the budget, keep the limits and audit every step),
so nothing here can be added, changed or deleted: the managers and partners work in the portals.
"""

from django.contrib import admin

from ecosystem.tenancy.admin import PlatformAdmin

from .models import MdfAllocation, MdfBudget, MdfClaim, MdfEvidence, MdfRequest


class ReadOnlyAdmin(PlatformAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(MdfBudget)
class MdfBudgetAdmin(ReadOnlyAdmin):
    list_display = ["period", "tenant", "amount", "currency", "created_at"]
    list_filter = ["tenant", "year", "quarter"]
    list_select_related = ["tenant"]


@admin.register(MdfAllocation)
class MdfAllocationAdmin(ReadOnlyAdmin):
    list_display = ["budget", "partner", "tier", "amount", "tenant"]
    list_filter = ["tenant"]
    list_select_related = ["budget", "partner", "tier", "tenant"]


@admin.register(MdfRequest)
class MdfRequestAdmin(ReadOnlyAdmin):
    list_display = ["title", "partner", "tenant", "status", "planned_spend", "approved_amount", "currency", "start_date"]
    list_filter = ["tenant", "status", "activity_type"]
    search_fields = ["title"]
    list_select_related = ["partner", "tenant"]


@admin.register(MdfClaim)
class MdfClaimAdmin(ReadOnlyAdmin):
    list_display = ["request", "partner", "tenant", "status", "claimed_amount", "approved_amount", "paid_at"]
    list_filter = ["tenant", "status"]
    list_select_related = ["request", "partner", "tenant"]


@admin.register(MdfEvidence)
class MdfEvidenceAdmin(ReadOnlyAdmin):
    list_display = ["original_filename", "claim", "partner", "tenant", "size", "uploaded_at"]
    list_filter = ["tenant"]
    list_select_related = ["claim", "partner", "tenant"]
