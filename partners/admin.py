from django.contrib import admin

from ecosystem.tenancy.admin import PlatformAdmin, PlatformInline

from .models import (
    Capability,
    ContentItem,
    EngagementEvent,
    PartnerContact,
    PartnerOrganization,
    PartnerStatusChange,
    Tier,
    TierPolicy,
    TierRule,
)


@admin.register(PartnerOrganization)
class PartnerOrganizationAdmin(PlatformAdmin):
    list_display = ["name", "tenant", "partner_type", "status", "country", "website_domain", "created_at"]
    list_filter = ["partner_type", "status", "tenant"]
    search_fields = ["name", "website_domain"]
    list_select_related = ["tenant"]
    # Logos are uploaded through the portal or the API, where the file is checked (type, size, first
    # bytes); admin's plain file widget would skip that check and link to an address that is not served.
    exclude = ["logo"]


@admin.register(PartnerContact)
class PartnerContactAdmin(PlatformAdmin):
    list_display = ["name", "email", "partner", "tenant", "role", "updated_at"]
    list_filter = ["tenant", "role"]
    search_fields = ["name", "email"]
    list_select_related = ["partner", "tenant"]


@admin.register(Capability)
class CapabilityAdmin(PlatformAdmin):
    allow_add_tenant_rows = True
    list_display = ["name", "slug", "tenant"]
    list_filter = ["tenant"]


@admin.register(PartnerStatusChange)
class PartnerStatusChangeAdmin(PlatformAdmin):
    list_display = ["partner", "tenant", "from_status", "to_status", "reason", "changed_at"]
    list_filter = ["tenant", "to_status"]
    list_select_related = ["partner", "tenant"]


@admin.register(EngagementEvent)
class EngagementEventAdmin(PlatformAdmin):
    list_display = ["partner", "tenant", "kind", "occurred_at"]
    list_filter = ["tenant", "kind"]
    list_select_related = ["partner", "tenant"]


@admin.register(ContentItem)
class ContentItemAdmin(PlatformAdmin):
    list_display = ["title", "tenant", "kind", "min_tier", "is_published", "original_filename", "created_at"]
    list_filter = ["tenant", "kind", "is_published"]
    search_fields = ["title", "original_filename"]
    list_select_related = ["tenant", "min_tier"]
    # The stored file never gets a link (there is no public URL for it): partners download through
    # their portal, behind the sales-access gate. Kind and file are fixed once created.
    exclude = ["file"]
    readonly_fields = ["kind", "original_filename", "file_size", "created_by", "created_at", "updated_at"]


class TierRuleInline(PlatformInline):
    model = TierRule
    extra = 1
    fields = ["metric", "minimum"]


@admin.register(Tier)
class TierAdmin(PlatformAdmin):
    allow_add_tenant_rows = True
    list_display = ["name", "tenant", "rank", "discount_percent", "mdf_eligible", "deal_protection_days"]
    list_filter = ["tenant"]
    inlines = [TierRuleInline]


@admin.register(TierPolicy)
class TierPolicyAdmin(PlatformAdmin):
    allow_add_tenant_rows = True
    list_display = ["tenant", "auto_apply", "downgrade_grace_days"]
