"""Django admin for operators: the deals data of every tenant, read through the platform alias.

Operators look across tenants and fix data; the decisions themselves (approve, reject, route a
lead, take over) are the managers' in the vendor portal, where the rules of engagement apply, so
registrations, their history, conflicts, offers and imports are read-only here.
"""

from django.contrib import admin

from ecosystem.tenancy.admin import PlatformAdmin, ReadOnlyPlatformAdmin

from .models import (
    CurrencyRate,
    CustomerAccount,
    DealConflict,
    DealParticipant,
    DealRegistration,
    DirectOpportunity,
    EngagementRules,
    ImportBatch,
    Lead,
    LeadOffer,
    ProductLine,
    RegistrationDecision,
)


@admin.register(ProductLine)
class ProductLineAdmin(PlatformAdmin):
    allow_add_tenant_rows = True
    list_display = ["name", "slug", "tenant", "is_active"]
    list_filter = ["tenant", "is_active"]


@admin.register(EngagementRules)
class EngagementRulesAdmin(PlatformAdmin):
    list_display = ["tenant", "protection_days", "auto_approve_below", "currency", "approval_sla_hours", "direct_takeover"]
    list_select_related = ["tenant"]


@admin.register(CustomerAccount)
class CustomerAccountAdmin(PlatformAdmin):
    list_display = ["name", "domain", "tenant", "industry", "region", "owner_kind", "created_at"]
    list_filter = ["tenant", "owner_kind", "region"]
    search_fields = ["name", "domain", "external_id"]
    list_select_related = ["tenant"]
    raw_id_fields = ["owner_user", "owner_partner"]
    readonly_fields = ["name_key", "root_domain"]


@admin.register(DirectOpportunity)
class DirectOpportunityAdmin(PlatformAdmin):
    list_display = ["name", "account", "tenant", "stage", "is_open", "amount", "currency", "close_date"]
    list_filter = ["tenant", "is_open"]
    search_fields = ["name", "external_id"]
    list_select_related = ["account", "tenant"]
    raw_id_fields = ["account"]


@admin.register(DealRegistration)
class DealRegistrationAdmin(ReadOnlyPlatformAdmin):
    list_display = [
        "customer_name",
        "partner",
        "tenant",
        "status",
        "stage",
        "value",
        "currency",
        "submitted_at",
        "protected_until",
    ]
    list_filter = ["tenant", "status", "stage"]
    search_fields = ["customer_name", "customer_domain"]
    list_select_related = ["partner", "tenant"]


@admin.register(DealConflict)
class DealConflictAdmin(ReadOnlyPlatformAdmin):
    list_display = ["registration", "partner", "kind", "score", "tenant", "created_at"]
    list_filter = ["tenant", "kind"]
    list_select_related = ["registration", "partner", "tenant"]


@admin.register(RegistrationDecision)
class RegistrationDecisionAdmin(ReadOnlyPlatformAdmin):
    list_display = ["registration", "action", "rule", "from_status", "to_status", "decided_by", "decided_at", "tenant"]
    list_filter = ["tenant", "action"]
    list_select_related = ["registration", "decided_by", "tenant"]


@admin.register(DealParticipant)
class DealParticipantAdmin(ReadOnlyPlatformAdmin):
    list_display = ["registration", "partner", "role", "status", "tenant", "invited_at"]
    list_filter = ["tenant", "role", "status"]
    list_select_related = ["registration", "partner", "tenant"]


@admin.register(Lead)
class LeadAdmin(ReadOnlyPlatformAdmin):
    list_display = ["company_name", "status", "offered_to", "respond_by", "region", "tenant", "created_at"]
    list_filter = ["tenant", "status", "region"]
    search_fields = ["company_name", "domain"]
    list_select_related = ["offered_to", "tenant"]


@admin.register(LeadOffer)
class LeadOfferAdmin(ReadOnlyPlatformAdmin):
    list_display = ["lead", "partner", "status", "manual", "offered_at", "respond_by", "tenant"]
    list_filter = ["tenant", "status", "manual"]
    list_select_related = ["lead", "partner", "tenant"]


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyPlatformAdmin):
    list_display = ["file_name", "kind", "rows", "created", "updated", "imported_at", "tenant"]
    list_filter = ["tenant", "kind"]
    list_select_related = ["tenant"]


@admin.register(CurrencyRate)
class CurrencyRateAdmin(ReadOnlyPlatformAdmin):
    """The managers keep the rate table in the portal (audited there); operators read it."""

    list_display = ["currency", "valid_from", "rate", "tenant", "updated_at"]
    list_filter = ["tenant", "currency"]
    list_select_related = ["tenant"]
