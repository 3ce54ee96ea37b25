from __future__ import annotations

import django_filters
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, STAFF_ROLES
from ecosystem.api.views import TenantViewSet
from partners import content, selectors, services
from partners.filters import PartnerFilter
from partners.models import ContentItem, ContentKind, PartnerOrganization, PartnerType

from .serializers import ContentItemOutputSerializer, PartnerInputSerializer, PartnerOutputSerializer

_EXAMPLE = OpenApiExample(
    "A reseller",
    value={"name": "Northwind Traders", "partner_type": "reseller", "website_domain": "northwind.example", "country": "DE"},
    request_only=True,
)


class PartnerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Partner organisations of the tenant. Filters: ``q``, ``partner_type``, ``status``, ``country``."""

    model = PartnerOrganization
    serializer_class = PartnerOutputSerializer
    filterset_class = PartnerFilter
    ordering_fields = ["name", "created_at", "status"]
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self):
        return selectors.partner_list(tenant=self.tenant)

    @extend_schema(request=PartnerInputSerializer, responses={201: PartnerOutputSerializer}, examples=[_EXAMPLE])
    def create(self, request, *args, **kwargs):
        payload = PartnerInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        partner = services.partner_create(tenant=self.tenant, actor=self.actor, **payload.validated_data)
        return Response(PartnerOutputSerializer(partner).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PartnerInputSerializer, responses={200: PartnerOutputSerializer})
    def partial_update(self, request, *args, **kwargs):
        partner = self.get_object()
        payload = PartnerInputSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        fields = {key: value for key, value in payload.validated_data.items() if key in request.data}
        partner = services.partner_update(tenant=self.tenant, actor=self.actor, partner=partner, **fields)
        return Response(PartnerOutputSerializer(partner).data)

    @extend_schema(request=PartnerInputSerializer, responses={200: PartnerOutputSerializer})
    def update(self, request, *args, **kwargs):
        partner = self.get_object()
        payload = PartnerInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        partner = services.partner_update(tenant=self.tenant, actor=self.actor, partner=partner, **payload.validated_data)
        return Response(PartnerOutputSerializer(partner).data)


class ContentItemFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ContentKind.choices)
    is_published = django_filters.BooleanFilter()
    partner_type = django_filters.ChoiceFilter(
        choices=PartnerType.choices, method="filter_partner_type", label="Items a partner of this type sees"
    )

    class Meta:
        model = ContentItem
        fields = ["kind", "is_published", "partner_type"]

    def filter_partner_type(self, queryset, name, value):
        return queryset.filter(content.for_partner_type(value))


class ContentItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """The content library, read-only, for staff and integrations. Filters: ``kind``, ``is_published``, ``partner_type``."""

    model = ContentItem
    serializer_class = ContentItemOutputSerializer
    filterset_class = ContentItemFilter
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset()

    def scoped_queryset(self):
        return content.content_list(tenant=self.tenant)
