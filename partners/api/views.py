from __future__ import annotations

import django_filters
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, PARTNER_ROLES, STAFF_ROLES, Role
from ecosystem.api.views import TenantViewSet
from partners import content, lifecycle, selectors, services
from partners.filters import PartnerFilter
from partners.models import ContentItem, ContentKind, PartnerOrganization, PartnerType

from .serializers import (
    ContentItemOutputSerializer,
    LifecycleReasonInputSerializer,
    LogoInputSerializer,
    PartnerInputSerializer,
    PartnerLogoOutputSerializer,
    PartnerOutputSerializer,
)

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

    @extend_schema(
        request=LifecycleReasonInputSerializer,
        responses={200: PartnerOutputSerializer},
        examples=[OpenApiExample("Retire", value={"reason": "Contract ended"}, request_only=True)],
    )
    @action(detail=True, methods=["post"])
    def retire(self, request, *args, **kwargs):
        """Offboard the partner: its users lose access at once, its history stays (``partners.lifecycle``)."""
        partner = self.get_object()
        payload = LifecycleReasonInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        partner = lifecycle.partner_retire(
            tenant=self.tenant, actor=self.actor, partner=partner, reason=payload.validated_data["reason"]
        )
        return Response(PartnerOutputSerializer(partner).data)

    @extend_schema(request=LifecycleReasonInputSerializer, responses={200: PartnerOutputSerializer})
    @action(detail=True, methods=["post"])
    def reactivate(self, request, *args, **kwargs):
        """Bring a retired partner back: active again, with the users its last retirement removed."""
        partner = self.get_object()
        payload = LifecycleReasonInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        partner = lifecycle.partner_reactivate(
            tenant=self.tenant, actor=self.actor, partner=partner, reason=payload.validated_data["reason"]
        )
        return Response(PartnerOutputSerializer(partner).data)


class PartnerLogoViewSet(TenantViewSet):
    """``partners/<id>/logo/``: upload (PUT, multipart, field ``logo``) or remove (DELETE) a partner's logo.

    Owners and partner managers, for any partner; a partner admin, for their own organisation only
    (another partner's id is "not found"). Analysts and partner reps may not (``role_forbidden``).
    Its own viewset because the partner resource itself is for staff only.
    """

    model = PartnerOrganization
    parser_classes = [MultiPartParser, FormParser]
    read_roles = frozenset(STAFF_ROLES | PARTNER_ROLES)  # so that the others get role_forbidden, not 404
    write_roles = frozenset(PARTNER_EDITOR_ROLES | {Role.PARTNER_ADMIN})

    def scoped_queryset(self):
        return selectors.partner_list(tenant=self.tenant, partner_id=self.caller_partner_id)

    @extend_schema(request={"multipart/form-data": LogoInputSerializer}, responses={200: PartnerLogoOutputSerializer})
    def update(self, request, *args, **kwargs):
        partner = self.get_object()
        partner = services.partner_logo_set(
            tenant=self.tenant, actor=self.actor, partner=partner, upload=request.FILES.get("logo")
        )
        return Response(PartnerLogoOutputSerializer(partner).data)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request, *args, **kwargs):
        services.partner_logo_remove(tenant=self.tenant, actor=self.actor, partner=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


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
