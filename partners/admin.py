from django.contrib import admin

from ecosystem.tenancy.admin import PlatformAdmin

from .models import PartnerOrganization


@admin.register(PartnerOrganization)
class PartnerOrganizationAdmin(PlatformAdmin):
    list_display = ["name", "tenant", "partner_type", "status", "country", "website_domain", "created_at"]
    list_filter = ["partner_type", "status", "tenant"]
    search_fields = ["name", "website_domain"]
    list_select_related = ["tenant"]
