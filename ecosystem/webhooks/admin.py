"""Django admin for operators: every tenant's webhook endpoints, events and deliveries, read-only.

Endpoints change, and deliveries are resent, through the services (audited); secrets are never shown here.
"""

from django.contrib import admin

from ecosystem.tenancy.admin import PlatformAdmin

from .models import WebhookDelivery, WebhookEndpoint, WebhookEvent


class ReadOnlyAdmin(PlatformAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdmin):
    list_display = ["url", "tenant", "is_active", "rotated_at", "created_at"]
    list_filter = ["tenant", "is_active"]
    list_select_related = ["tenant"]
    exclude = ["secret", "previous_secret"]


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "event_type", "tenant", "created_at"]
    list_filter = ["tenant", "event_type"]
    list_select_related = ["tenant"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "endpoint", "status", "attempts", "last_status_code", "next_attempt_at", "tenant"]
    list_filter = ["tenant", "status"]
    list_select_related = ["tenant", "endpoint"]
