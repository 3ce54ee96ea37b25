"""Reads of the webhooks app: endpoints with their delivery counts, one endpoint's delivery log."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from ecosystem.errors import NotFoundError
from ecosystem.tenancy.models import Tenant

from .models import DeliveryStatus, WebhookDelivery, WebhookEndpoint


def endpoint_list(*, tenant: Tenant) -> QuerySet:
    """Every endpoint, newest first, with ``delivered``, ``failing`` (retrying) and ``dead`` counts."""
    return WebhookEndpoint.objects.filter(tenant=tenant).annotate(
        delivered=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.DELIVERED)),
        failing=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.RETRYING)),
        dead=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.DEAD)),
    )


def access_endpoint(*, tenant: Tenant, endpoint_id) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.filter(tenant=tenant, public_id=endpoint_id).first()
    if endpoint is None:
        raise NotFoundError()
    return endpoint


def delivery_log(*, tenant: Tenant, endpoint: WebhookEndpoint | None = None, status: str | None = None) -> QuerySet:
    """Deliveries newest first, with their event (type and id), optionally of one endpoint and status."""
    deliveries = WebhookDelivery.objects.filter(tenant=tenant).select_related("event", "endpoint")
    if endpoint is not None:
        deliveries = deliveries.filter(endpoint=endpoint)
    if status in DeliveryStatus.values:
        deliveries = deliveries.filter(status=status)
    return deliveries.order_by("-created_at", "-id")


def access_delivery(*, tenant: Tenant, delivery_id) -> WebhookDelivery:
    delivery = delivery_log(tenant=tenant).filter(public_id=delivery_id).first()
    if delivery is None:
        raise NotFoundError()
    return delivery
