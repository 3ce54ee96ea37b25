"""Webhooks in the API (tenant owners and API keys).

``webhook-endpoints/``: list, read, create (answers the ``secret`` once; ``Idempotency-Key`` honoured),
``PATCH`` (url, event_types, description, is_active), ``DELETE`` (deactivates: the delivery log stays),
``rotate-secret/`` (answers the new ``secret``) and ``test/`` (queues a ``webhook.test`` event).
``webhook-deliveries/``: the delivery log, newest first, filter ``endpoint`` (id) and ``status``; ``resend/``
for a dead one. Every action calls :mod:`ecosystem.webhooks.services`, as the portal does.
"""

from __future__ import annotations

import uuid

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from ecosystem.accounts.models import Role
from ecosystem.api.idempotency import idempotent
from ecosystem.api.pagination import CreatedCursorPagination
from ecosystem.api.views import TenantViewSet

from .. import selectors, services
from ..models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from .serializers import (
    WebhookDeliveryOutputSerializer,
    WebhookEndpointInputSerializer,
    WebhookEndpointOutputSerializer,
    WebhookEndpointUpdateSerializer,
    WebhookEndpointWithSecretSerializer,
)

OWNERS = frozenset({Role.OWNER})


class WebhookEndpointFilter(django_filters.FilterSet):
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = WebhookEndpoint
        fields = ["is_active"]


class WebhookDeliveryFilter(django_filters.FilterSet):
    """The delivery log's filters; the selector narrows by them too, this validates and documents them."""

    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices)
    endpoint = django_filters.UUIDFilter(field_name="endpoint__public_id", label="Endpoint id")

    class Meta:
        model = WebhookDelivery
        fields = ["status", "endpoint"]


class WebhookEndpointViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """The program's webhook endpoints, newest first."""

    model = WebhookEndpoint
    serializer_class = WebhookEndpointOutputSerializer
    pagination_class = CreatedCursorPagination
    filterset_class = WebhookEndpointFilter
    ordering_fields = ["created_at"]
    read_roles = OWNERS
    write_roles = OWNERS

    def scoped_queryset(self) -> QuerySet:
        return WebhookEndpoint.objects.filter(tenant=self.tenant)

    @extend_schema(
        request=WebhookEndpointInputSerializer,
        responses={201: WebhookEndpointWithSecretSerializer},
        examples=[
            OpenApiExample(
                "Won deals to the CRM",
                value={
                    "url": "https://crm.acme.example/hooks/prm",
                    "event_types": ["deal.won", "registration.approved"],
                    "description": "CRM sync",
                },
                request_only=True,
            ),
            OpenApiExample(
                "Created, with its secret shown once",
                value={
                    "id": "0b7e5d2c-3a4f-4e6b-8c1d-2f9a6b3e7d22",
                    "url": "https://crm.acme.example/hooks/prm",
                    "description": "CRM sync",
                    "event_types": ["deal.won", "registration.approved"],
                    "is_active": True,
                    "rotated_at": None,
                    "created_at": "2026-03-02T09:30:00Z",
                    "secret": "whsec_4pX9v2Lq8ZbT0m6yWcN2rLhP4sJd7uGa",
                },
                response_only=True,
                status_codes=["201"],
            ),
        ],
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        """Add an endpoint. The answer carries its signing ``secret``, shown this once. ``400`` with ``attr``
        ``url`` when the outbound policy refuses the URL (``scheme_not_allowed``, ``address_not_allowed``…)."""
        payload = WebhookEndpointInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        endpoint = services.webhook_endpoint_create(tenant=self.tenant, actor=self.actor, **payload.validated_data)
        return Response(WebhookEndpointWithSecretSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=WebhookEndpointUpdateSerializer, responses={200: WebhookEndpointOutputSerializer})
    def partial_update(self, request, *args, **kwargs):
        endpoint = self.get_object()
        payload = WebhookEndpointUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        updated = services.webhook_endpoint_update(
            tenant=self.tenant, actor=self.actor, endpoint=endpoint, **payload.validated_data
        )
        return Response(WebhookEndpointOutputSerializer(updated).data)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request, *args, **kwargs):
        """Deactivate: no new deliveries; the endpoint and its delivery log stay readable."""
        endpoint = self.get_object()
        services.webhook_endpoint_update(tenant=self.tenant, actor=self.actor, endpoint=endpoint, is_active=False)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: WebhookEndpointWithSecretSerializer})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, *args, **kwargs):
        """A new secret (answered once). For 24 h the old one also signs, in ``X-PRM-Signature-Previous``."""
        endpoint = services.webhook_endpoint_rotate_secret(tenant=self.tenant, actor=self.actor, endpoint=self.get_object())
        return Response(WebhookEndpointWithSecretSerializer(endpoint).data)

    @extend_schema(request=None, responses={202: WebhookDeliveryOutputSerializer})
    @action(detail=True, methods=["post"])
    def test(self, request, *args, **kwargs):
        """Queue a ``webhook.test`` event to this endpoint; follow it at ``webhook-deliveries/<id>/``."""
        delivery = services.webhook_send_test(tenant=self.tenant, actor=self.actor, endpoint=self.get_object())
        return Response(WebhookDeliveryOutputSerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class WebhookDeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """The delivery log, newest first: filter ``endpoint`` (its id) and ``status``."""

    model = WebhookDelivery
    serializer_class = WebhookDeliveryOutputSerializer
    pagination_class = CreatedCursorPagination
    filterset_class = WebhookDeliveryFilter
    ordering_fields = ["created_at"]
    read_roles = OWNERS
    write_roles = OWNERS

    def scoped_queryset(self) -> QuerySet:
        deliveries = selectors.delivery_log(tenant=self.tenant, status=self.request.query_params.get("status"))
        endpoint_id = self.request.query_params.get("endpoint")
        if endpoint_id:
            deliveries = deliveries.filter(endpoint__public_id=endpoint_id) if _is_uuid(endpoint_id) else deliveries.none()
        return deliveries

    @extend_schema(request=None, responses={202: WebhookDeliveryOutputSerializer})
    @action(detail=True, methods=["post"])
    def resend(self, request, *args, **kwargs):
        """Send a dead delivery again (same event id, fresh attempts). ``400`` ``delivery_not_dead``."""
        delivery = services.webhook_delivery_resend(tenant=self.tenant, actor=self.actor, delivery=self.get_object())
        fresh = selectors.delivery_log(tenant=self.tenant).get(pk=delivery.pk)
        return Response(WebhookDeliveryOutputSerializer(fresh).data, status=status.HTTP_202_ACCEPTED)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
