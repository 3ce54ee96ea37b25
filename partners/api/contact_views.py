"""``partner-contacts/`` in the API (vendor staff and API keys; partner users get 404), and the CSV imports
of partners and contacts.

- list, newest first, cursor-paginated; filters ``partner`` (public id), ``role``, ``email`` (any case);
  ``ordering`` by ``name``, ``email``, ``created_at``;
- retrieve, create (``Idempotency-Key`` honoured), update (PUT/PATCH; the partner stays), delete;
- ``import``: a CSV file (multipart ``file``), all or nothing: ``200`` with the counts (created,
  updated, unchanged), or ``400`` with every bad row in ``rows`` and nothing written.

Every write calls :mod:`partners.contacts` or :mod:`partners.imports`, as the portal does.
"""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from deals.imports import ImportFileInvalid
from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, STAFF_ROLES
from ecosystem.api.errors import rows_invalid_response
from ecosystem.api.idempotency import idempotent
from ecosystem.api.views import TenantViewSet
from ecosystem.errors import ApplicationError
from partners import contacts, imports
from partners.models import ContactRole, PartnerContact, PartnerOrganization

from .contact_serializers import (
    CsvImportInputSerializer,
    CsvImportInvalidSerializer,
    CsvImportOutputSerializer,
    PartnerContactInputSerializer,
    PartnerContactOutputSerializer,
)

ROWS_INVALID_EXAMPLE = {
    "type": "validation_error",
    "code": "rows_invalid",
    "detail": "2 problems in the file; nothing was imported.",
    "attr": "file",
    "errors": [
        {"code": "rows_invalid", "detail": "2 problems in the file; nothing was imported.", "attr": "file"},
        {"code": "partner_not_found", "detail": "Row 3, partner: Unknown partner: …", "attr": "file"},
        {"code": "invalid_email", "detail": "Row 5, email: Enter a valid email address.", "attr": "file"},
    ],
    "rows": [
        {"row": 3, "column": "partner", "code": "partner_not_found", "message": "Unknown partner: …"},
        {"row": 5, "column": "email", "code": "invalid_email", "message": "Enter a valid email address."},
    ],
}


def import_schema(what: str):
    return extend_schema(
        request={"multipart/form-data": CsvImportInputSerializer},
        responses={
            200: OpenApiResponse(CsvImportOutputSerializer, description=f"Imported: {what} created, updated, unchanged."),
            400: OpenApiResponse(
                CsvImportInvalidSerializer,
                description="Nothing was imported: bad rows (`rows` lists every one) or a file that cannot be read.",
                examples=[OpenApiExample("Two bad rows", value=ROWS_INVALID_EXAMPLE)],
            ),
        },
    )


def run_import(view: TenantViewSet, request, run) -> Response:
    """The import endpoints' shared body: read ``file``, run the import, answer 200 with counts or 400."""
    payload = CsvImportInputSerializer(data=request.data)
    payload.is_valid(raise_exception=True)
    try:
        result = run(tenant=view.tenant, actor=view.actor, data=payload.validated_data["file"].read())
    except ImportFileInvalid as invalid:
        raise ApplicationError(invalid.message, code=invalid.code, field="file") from None
    if not result.ok:
        return rows_invalid_response(result.errors)
    return Response(CsvImportOutputSerializer(result.summary()).data, status=status.HTTP_200_OK)


class PartnerContactFilter(django_filters.FilterSet):
    partner = django_filters.UUIDFilter(field_name="partner__public_id", help_text="A partner's public id.")
    role = django_filters.ChoiceFilter(choices=ContactRole.choices)
    email = django_filters.CharFilter(field_name="email", lookup_expr="iexact", help_text="The exact address, any case.")

    class Meta:
        model = PartnerContact
        fields = ["partner", "role", "email"]


class PartnerContactViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, TenantViewSet):
    """Contacts at the tenant's partners. Staff read; owners, partner managers and write keys change."""

    model = PartnerContact
    serializer_class = PartnerContactOutputSerializer
    filterset_class = PartnerContactFilter
    ordering_fields = ["name", "email", "created_at"]
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self):
        return contacts.contact_list(tenant=self.tenant)

    def _partner(self, public_id) -> PartnerOrganization:
        partner = PartnerOrganization.objects.filter(tenant=self.tenant, public_id=public_id).first()
        if partner is None:
            raise ApplicationError("No partner has this id.", code="partner_not_found", field="partner")
        return partner

    @extend_schema(request=PartnerContactInputSerializer, responses={201: PartnerContactOutputSerializer})
    @idempotent
    def create(self, request, *args, **kwargs):
        payload = PartnerContactInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        values = dict(payload.validated_data)
        partner = self._partner(values.pop("partner"))
        contact = contacts.partner_contact_create(tenant=self.tenant, actor=self.actor, partner=partner, **values)
        contact = self.get_queryset().get(pk=contact.pk)
        return Response(PartnerContactOutputSerializer(contact).data, status=status.HTTP_201_CREATED)

    def _update(self, request, *, partial: bool) -> Response:
        contact = self.get_object()
        payload = PartnerContactInputSerializer(data=request.data, partial=partial)
        payload.is_valid(raise_exception=True)
        values = {key: value for key, value in payload.validated_data.items() if partial is False or key in request.data}
        partner_id = values.pop("partner", None)
        if partner_id is not None and partner_id != contact.partner.public_id:
            raise ApplicationError("A contact stays with its partner.", code="read_only", field="partner")
        contacts.partner_contact_update(tenant=self.tenant, actor=self.actor, contact=contact, **values)
        return Response(PartnerContactOutputSerializer(self.get_queryset().get(pk=contact.pk)).data)

    @extend_schema(request=PartnerContactInputSerializer, responses={200: PartnerContactOutputSerializer})
    def update(self, request, *args, **kwargs):
        return self._update(request, partial=False)

    @extend_schema(request=PartnerContactInputSerializer, responses={200: PartnerContactOutputSerializer})
    def partial_update(self, request, *args, **kwargs):
        return self._update(request, partial=True)

    def perform_destroy(self, instance: PartnerContact) -> None:
        contacts.partner_contact_delete(tenant=self.tenant, actor=self.actor, contact=instance)

    @import_schema("contacts")
    @action(detail=False, methods=["post"], url_path="import", url_name="import")
    @idempotent
    def import_file(self, request, *args, **kwargs):
        """Import partner contacts from a CSV file, all or nothing (columns: docs/partner-manager.md)."""
        return run_import(self, request, imports.partner_contacts_import)
