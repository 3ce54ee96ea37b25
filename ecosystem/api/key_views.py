"""``api-keys/``: the tenant's API keys, as the portal's API keys page (tenant owners, signed in).

List (newest first; filters ``scope`` and ``active``), read, create (answers the ``key`` once) and
``revoke/``. Every write calls :mod:`ecosystem.api.services`, as the portal does. An API key may not
manage API keys: a leaked key must not be able to mint a successor that outlives its revocation.
``Idempotency-Key`` is deliberately not honoured on create: the stored answer would keep the secret.
"""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from ecosystem.accounts.models import Role

from . import services
from .models import ApiKey, ApiKeyScope
from .pagination import CreatedCursorPagination
from .permissions import PeopleOnly
from .views import TenantViewSet

OWNERS = frozenset({Role.OWNER})


class ApiKeyInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, help_text="The system that will use it, e.g. CRM sync.")
    scope = serializers.ChoiceField(choices=ApiKeyScope.choices, default=ApiKeyScope.READ)


class ApiKeyOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiKey
        fields = ["id", "name", "prefix", "scope", "is_active", "created_at", "last_used_at", "revoked_at"]


class ApiKeyWithSecretSerializer(ApiKeyOutputSerializer):
    """Answers creation only: the whole key, shown this once and never stored."""

    key = serializers.CharField(read_only=True, help_text="prm_<prefix>_<secret>: store it now, it is not shown again.")

    class Meta(ApiKeyOutputSerializer.Meta):
        fields = [*ApiKeyOutputSerializer.Meta.fields, "key"]


class ApiKeyFilter(django_filters.FilterSet):
    scope = django_filters.ChoiceFilter(choices=ApiKeyScope.choices)
    active = django_filters.BooleanFilter(field_name="revoked_at", lookup_expr="isnull", label="Not revoked")

    class Meta:
        model = ApiKey
        fields = ["scope", "active"]


_KEY = {
    "id": "3f6c8a52-1c1e-4b7a-9d0a-5b2f1e7c4d21",
    "name": "CRM sync",
    "prefix": "9f2c41ab",
    "scope": "read",
    "is_active": True,
    "created_at": "2026-03-02T09:30:00Z",
    "last_used_at": "2026-03-05T14:12:09Z",
    "revoked_at": None,
}


class ApiKeyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """The tenant's API keys, newest first. Filters: ``scope``, ``active``. Tenant owners, signed in."""

    model = ApiKey
    serializer_class = ApiKeyOutputSerializer
    filterset_class = ApiKeyFilter
    ordering_fields = ["created_at", "name", "last_used_at"]
    pagination_class = CreatedCursorPagination
    permission_classes = [permissions.IsAuthenticated, PeopleOnly]
    read_roles = OWNERS
    write_roles = OWNERS

    def scoped_queryset(self) -> QuerySet:
        return ApiKey.objects.filter(tenant=self.tenant)

    @extend_schema(
        request=ApiKeyInputSerializer,
        responses={201: ApiKeyWithSecretSerializer},
        examples=[
            OpenApiExample("A read-only key for BI", value={"name": "BI export", "scope": "read"}, request_only=True),
            OpenApiExample(
                "The new key, shown once",
                value={**_KEY, "last_used_at": None, "key": "prm_9f2c41ab_q8Zk1v3XbT0m6yWcN2rLhP4sJd7uGa9e"},
                response_only=True,
                status_codes=["201"],
            ),
        ],
    )
    def create(self, request, *args, **kwargs):
        """Issue a key. The answer carries the whole ``key`` this once; only its hash is kept."""
        payload = ApiKeyInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        issued = services.api_key_create(tenant=self.tenant, actor=self.actor, **payload.validated_data)
        issued.api_key.key = issued.plaintext
        return Response(ApiKeyWithSecretSerializer(issued.api_key).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={200: ApiKeyOutputSerializer},
        examples=[
            OpenApiExample(
                "Revoked",
                value={**_KEY, "is_active": False, "revoked_at": "2026-03-06T08:00:00Z"},
                response_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, *args, **kwargs):
        """Revoke the key at once (its next request answers 401). Revoking twice changes nothing."""
        api_key = services.api_key_revoke(tenant=self.tenant, actor=self.actor, api_key=self.get_object())
        return Response(ApiKeyOutputSerializer(api_key).data)
