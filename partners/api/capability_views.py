"""The capabilities the program tracks partners by, in the API for vendor staff.

``partners.services.capability_add`` does the write, as on the portal's setup page (staff read;
owners and partner managers add).
"""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, STAFF_ROLES
from ecosystem.api.idempotency import idempotent
from ecosystem.api.pagination import CreatedCursorPagination
from ecosystem.api.views import TenantViewSet
from partners.models import Capability
from partners.services import capability_add


class CapabilityOutputSerializer(serializers.ModelSerializer):
    """A capability; partners and leads name it by its ``slug``."""

    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Capability
        fields = ["id", "name", "slug"]
        read_only_fields = fields


class CapabilityInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80, help_text="The capability's name; its key (slug) is made from it.")


class CapabilityFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label="Names containing this text")

    class Meta:
        model = Capability
        fields = ["name"]


class NameCursorPagination(CreatedCursorPagination):
    ordering = ("name", "id")


class CapabilityViewSet(mixins.ListModelMixin, TenantViewSet):
    """The program's capabilities, by name. Filter: ``name`` (contains)."""

    model = Capability
    serializer_class = CapabilityOutputSerializer
    filterset_class = CapabilityFilter
    pagination_class = NameCursorPagination
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self):
        return Capability.objects.filter(tenant=self.tenant).order_by("name", "id")

    @extend_schema(
        request=CapabilityInputSerializer,
        responses={201: CapabilityOutputSerializer},
        examples=[OpenApiExample("A capability", value={"name": "Cloud migration"}, request_only=True)],
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        """Add a capability. ``400 duplicate_capability`` when its key is taken. ``Idempotency-Key`` honoured."""
        payload = CapabilityInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        capability = capability_add(tenant=self.tenant, actor=self.actor, name=payload.validated_data["name"])
        return Response(CapabilityOutputSerializer(capability).data, status=status.HTTP_201_CREATED)
