from __future__ import annotations

import django_filters
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, PARTNER_ROLES, STAFF_ROLES, Role
from ecosystem.api.idempotency import idempotent
from ecosystem.api.views import TenantViewSet
from ecosystem.tenancy.access import access_row
from partners import content, imports, lifecycle, selectors, services
from partners.filters import PartnerFilter
from partners.models import ContentItem, ContentKind, PartnerOrganization, PartnerType, Tier

from .contact_views import import_schema, run_import
from .serializers import (
    ContentItemOutputSerializer,
    LifecycleReasonInputSerializer,
    LogoInputSerializer,
    PartnerInputSerializer,
    PartnerLogoOutputSerializer,
    PartnerOutputSerializer,
)

_PARTNER = {
    "id": "6f1c2e4a-8b1d-4c3e-9f2a-1d5b7e9c0a11",
    "name": "Northwind Traders",
    "partner_type": "reseller",
    "website_domain": "northwind.example",
    "country": "DE",
    "status": "active",
    "created_at": "2026-01-12T08:15:00Z",
    "updated_at": "2026-03-02T09:30:00Z",
}
_PARTNER_ANSWER = OpenApiExample("An active reseller", value=_PARTNER, response_only=True)

_EXAMPLE = OpenApiExample(
    "A reseller",
    value={"name": "Northwind Traders", "partner_type": "reseller", "website_domain": "northwind.example", "country": "DE"},
    request_only=True,
)


@extend_schema_view(list=extend_schema(examples=[_PARTNER_ANSWER]), retrieve=extend_schema(examples=[_PARTNER_ANSWER]))
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

    @extend_schema(
        request=PartnerInputSerializer,
        responses={201: PartnerOutputSerializer},
        examples=[_EXAMPLE, OpenApiExample("Created", value={**_PARTNER, "status": "prospect"}, response_only=True)],
    )
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

    @import_schema("partners")
    @action(detail=False, methods=["post"], url_path="import", url_name="import")
    @idempotent
    def import_file(self, request, *args, **kwargs):
        """Import partners from a CSV file, all or nothing (columns and matching: docs/partner-manager.md)."""
        return run_import(self, request, imports.partners_import)

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


class ContentItemInputSerializer(serializers.Serializer):
    """A library item, as the portal's content form: a link (JSON or form) or a file (multipart, field ``file``).
    The rules (https links, file types and size, the kind never changing) live in :mod:`partners.content`."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=ContentKind.choices, help_text="Set on create; an item keeps its kind.")
    url = serializers.CharField(max_length=500, required=False, allow_blank=True, help_text="Links: a full https:// address.")
    file = serializers.FileField(
        required=False, help_text="Files: PDF, PowerPoint, Word, Excel, PNG, JPG or ZIP, 25 MiB at most."
    )
    partner_types = serializers.ListField(
        child=serializers.ChoiceField(choices=PartnerType.choices), required=False, help_text="Empty: every partner type."
    )
    min_tier = serializers.UUIDField(required=False, allow_null=True, help_text="A tier's id: only that tier and above see it.")
    is_published = serializers.BooleanField(required=False, default=True)


_CONTENT_LINK = {
    "title": "Partner pitch deck 2026",
    "description": "The deck for first customer meetings.",
    "kind": "link",
    "url": "https://files.acme.example/pitch-2026.pdf",
    "partner_types": ["reseller", "msp"],
    "is_published": True,
}


class ContentItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """The content library for staff and integrations. Filters: ``kind``, ``is_published``, ``partner_type``.

    Owners, partner managers and write keys add items (a link, or a file in a multipart body), change them
    (``PATCH``) and ``unpublish`` them, as on the portal's content pages (:mod:`partners.content`).
    """

    model = ContentItem
    serializer_class = ContentItemOutputSerializer
    filterset_class = ContentItemFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self):
        return content.content_list(tenant=self.tenant)

    def _values(self, data: dict) -> dict:
        values = dict(data)
        if "min_tier" in values:
            values["min_tier"] = (
                access_row(Tier.objects, tenant=self.tenant, public_id=values["min_tier"]) if values["min_tier"] else None
            )
        return values

    def _answer(self, item: ContentItem, *, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(ContentItemOutputSerializer(self.get_queryset().get(pk=item.pk)).data, status=status_code)

    @extend_schema(
        request={"application/json": ContentItemInputSerializer, "multipart/form-data": ContentItemInputSerializer},
        responses={201: ContentItemOutputSerializer},
        examples=[OpenApiExample("A link for resellers and MSPs", value=_CONTENT_LINK, request_only=True)],
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        """Add a link or a file. ``400`` naming the field: ``invalid_url`` (https only), ``file_type``, ``file_too_large``."""
        payload = ContentItemInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        item = content.content_create(tenant=self.tenant, actor=self.actor, **self._values(payload.validated_data))
        return self._answer(item, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        request={"application/json": ContentItemInputSerializer, "multipart/form-data": ContentItemInputSerializer},
        responses={200: ContentItemOutputSerializer},
        examples=[OpenApiExample("Show it to every partner type", value={"partner_types": []}, request_only=True)],
    )
    def partial_update(self, request, *args, **kwargs):
        """Change the fields sent (a new ``file`` replaces a file item's file); the kind stays."""
        item = self.get_object()
        payload = ContentItemInputSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        values = self._values(payload.validated_data)  # partial: only the fields sent, and no defaults
        values.pop("kind", None)  # an item keeps the kind it was created as
        item = content.content_update(tenant=self.tenant, actor=self.actor, item=item, **values)
        return self._answer(item)

    @extend_schema(request=None, responses={200: ContentItemOutputSerializer})
    @action(detail=True, methods=["post"])
    def unpublish(self, request, *args, **kwargs):
        """Take the item out of the partner portal at once; it stays in the library."""
        return self._answer(content.content_unpublish(tenant=self.tenant, actor=self.actor, item=self.get_object()))
