"""Django admin for operators: each tenant's retention setting and the people it erased, read-only.

Erasure and settings change only through the services in the owner's portal (audited there)."""

from django.contrib import admin

from ecosystem.tenancy.admin import PlatformAdmin

from .models import ErasedPerson, PrivacySettings


class ReadOnlyAdmin(PlatformAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PrivacySettings)
class PrivacySettingsAdmin(ReadOnlyAdmin):
    list_display = ["tenant", "engagement_retention_days", "updated_at"]
    list_select_related = ["tenant"]


@admin.register(ErasedPerson)
class ErasedPersonAdmin(ReadOnlyAdmin):
    list_display = ["label", "tenant", "erased_at"]
    list_filter = ["tenant"]
    list_select_related = ["tenant"]
