from django.contrib import admin

from ecosystem.tenancy.admin import PlatformAdmin

from .models import AuditEntry, PlatformAuditEntry


class ReadOnlyAdmin(PlatformAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "tenant", "action", "object_repr", "actor_label", "via", "ip"]
    list_filter = ["via", "tenant"]
    search_fields = ["action", "object_repr", "actor_label", "request_id"]
    list_select_related = ["tenant"]


@admin.register(PlatformAuditEntry)
class PlatformAuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "object_type", "object_repr", "actor_label", "ip"]
    search_fields = ["action", "object_repr", "actor_label"]
