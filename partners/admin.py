from django.contrib import admin

from ecosystem.tenancy.admin import PlatformAdmin

from .models import Capability, ContentItem, EngagementEvent, PartnerOrganization, PartnerStatusChange


@admin.register(PartnerOrganization)
class PartnerOrganizationAdmin(PlatformAdmin):
    list_display = ["name", "tenant", "partner_type", "status", "country", "website_domain", "created_at"]
    list_filter = ["partner_type", "status", "tenant"]
    search_fields = ["name", "website_domain"]
    list_select_related = ["tenant"]


@admin.register(Capability)
class CapabilityAdmin(PlatformAdmin):
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
    list_display = ["title", "tenant", "kind", "is_published", "original_filename", "created_at"]
    list_filter = ["tenant", "kind", "is_published"]
    search_fields = ["title", "original_filename"]
    list_select_related = ["tenant"]
    # The stored file never gets a link (there is no public URL for it): partners download through
    # their portal, behind the sales-access gate. Kind and file are fixed once created.
    exclude = ["file"]
    readonly_fields = ["kind", "original_filename", "file_size", "created_by", "created_at", "updated_at"]
