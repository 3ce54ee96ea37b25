"""Django admin for operators: every tenant's SLAs, read through the platform alias.

Operators may switch an SLA on or off and fix a target; the registration and lead targets are the
rules of engagement's (``RULE_FIELD``), so they are changed there (or on the SLA page, which
changes both) and are read-only here.
"""

from django.contrib import admin

from ecosystem.tenancy.admin import PlatformAdmin

from .models import RULE_FIELD, SlaDefinition, SlaWarning


@admin.register(SlaDefinition)
class SlaDefinitionAdmin(PlatformAdmin):
    list_display = ["kind", "tenant", "owed_by", "target_hours", "is_active", "updated_at"]
    list_filter = ["tenant", "kind", "owed_by", "is_active"]
    list_select_related = ["tenant"]
    readonly_fields = ["kind", "owed_by", "public_id", "updated_at"]
    fields = ["kind", "owed_by", "target_hours", "is_active", "public_id", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.kind in RULE_FIELD:
            fields.append("target_hours")
        return fields


@admin.register(SlaWarning)
class SlaWarningAdmin(PlatformAdmin):
    """The warnings the platform sent before a breach: a record, read-only."""

    list_display = ["kind", "tenant", "partner", "due_at", "sent_at", "recipients"]
    list_filter = ["tenant", "kind"]
    list_select_related = ["tenant", "partner"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
