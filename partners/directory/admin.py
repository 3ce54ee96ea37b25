"""Django admin for operators: directory profiles and collaboration requests of every tenant, through the platform alias.

Profiles are the partners' own and requests a record between two partners: operators read them and
may unpublish a profile that should not be shown; everything else happens in the portals.
"""

from django.contrib import admin

from ecosystem.tenancy.admin import PlatformAdmin

from .models import CollaborationRequest, DirectoryProfile


@admin.register(DirectoryProfile)
class DirectoryProfileAdmin(PlatformAdmin):
    list_display = ["partner", "tenant", "is_published", "headline", "published_at", "updated_at"]
    list_filter = ["tenant", "is_published"]
    search_fields = ["headline", "partner__name"]
    list_select_related = ["partner", "tenant"]
    readonly_fields = ["partner", "published_at", "updated_by", "created_at", "updated_at"]


@admin.register(CollaborationRequest)
class CollaborationRequestAdmin(PlatformAdmin):
    list_display = ["from_partner", "to_partner", "tenant", "subject_kind", "status", "requested_at", "answered_at"]
    list_filter = ["tenant", "status", "subject_kind"]
    search_fields = ["subject_label", "from_partner__name", "to_partner__name"]
    list_select_related = ["from_partner", "to_partner", "tenant"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
