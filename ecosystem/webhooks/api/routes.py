"""This area's part of ``/api/v1/t/<tenant>/``: viewsets on the shared router."""

from .views import WebhookDeliveryViewSet, WebhookEndpointViewSet


def register(router) -> None:
    """Add this area's viewsets to the tenant API router (ecosystem/api/urls.py calls it)."""
    router.register("webhook-endpoints", WebhookEndpointViewSet, basename="webhook-endpoint")
    router.register("webhook-deliveries", WebhookDeliveryViewSet, basename="webhook-delivery")


urlpatterns: list = []  # paths relative to /api/v1/t/<tenant_slug>/, named in the "api" namespace
