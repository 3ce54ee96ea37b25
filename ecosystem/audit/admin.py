from django.contrib import admin

from ecosystem.tenancy.admin import ReadOnlyPlatformAdmin

from .models import AuditEntry, PlatformAuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyPlatformAdmin):
    list_display = ["created_at", "tenant", "action", "object_repr", "actor_label", "via", "ip"]
    list_filter = ["via", "tenant"]
    search_fields = ["action", "object_repr", "actor_label", "request_id"]
    list_select_related = ["tenant"]


@admin.register(PlatformAuditEntry)
class PlatformAuditEntryAdmin(ReadOnlyPlatformAdmin):
    list_display = ["created_at", "action", "object_type", "object_repr", "actor_label", "ip"]
    search_fields = ["action", "object_repr", "actor_label"]
