from django.contrib import admin

from ecosystem.tenancy.admin import PlatformAdmin

from .models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(PlatformAdmin):
    list_display = ["name", "tenant", "prefix", "scope", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["scope", "tenant"]
    readonly_fields = ["prefix", "secret_hash"]
    list_select_related = ["tenant"]
