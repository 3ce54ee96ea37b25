"""``touchpoints/`` in the API (vendor staff and API keys; partner users get 404).

- list, newest touch first, cursor-paginated; filters ``partner`` (public id), ``touch_type``,
  ``source``, ``occurred_after``, ``occurred_before``;
- retrieve by public id;
- create: one touchpoint (``source = api``); ``201`` when written, ``200`` with the stored row when its
  ``external_id`` exists (nothing changes). ``Idempotency-Key`` honoured;
- ``import``: a CSV file (multipart ``file``), all or nothing: ``201`` with the counts (created, already
  imported), or ``400`` with every bad row in ``rows`` and nothing written.

Partner, account and registration are referenced by their public ids.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from deals import imports
from deals.models import CustomerAccount, DealRegistration
from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, STAFF_ROLES
from ecosystem.api.errors import envelope
from ecosystem.api.filters import StrictOrderingFilter
from ecosystem.api.idempotency import idempotent
from ecosystem.api.pagination import CreatedCursorPagination
from ecosystem.api.views import TenantViewSet
from ecosystem.errors import ApplicationError
from partners.models import PartnerOrganization

from ..models import Touchpoint
from ..touchpoint_imports import touchpoint_create, touchpoints_import
from .touchpoint_serializers import (
    TouchpointCreateInputSerializer,
    TouchpointImportInputSerializer,
    TouchpointImportInvalidSerializer,
    TouchpointImportOutputSerializer,
    TouchpointOutputSerializer,
    TouchpointQuerySerializer,
)

ROWS_INVALID_EXAMPLE = {
    "type": "validation_error",
    "code": "rows_invalid",
    "detail": "2 problems in the file; nothing was imported.",
    "attr": "file",
    "errors": [
        {"code": "rows_invalid", "detail": "2 problems in the file; nothing was imported.", "attr": "file"},
        {
            "code": "partner_not_found",
            "detail": "Row 3, partner: Unknown partner: no partner of this program has this id or name.",
            "attr": "file",
        },
        {"code": "negative_weight", "detail": "Row 5, weight: The weight cannot be negative.", "attr": "file"},
    ],
    "rows": [
        {
            "row": 3,
            "column": "partner",
            "code": "partner_not_found",
            "message": "Unknown partner: no partner of this program has this id or name.",
        },
        {"row": 5, "column": "weight", "code": "negative_weight", "message": "The weight cannot be negative."},
    ],
}


class OccurredCursorPagination(CreatedCursorPagination):
    ordering = ("-occurred_at", "-id")


def _rows_invalid(row_errors: list[imports.RowError]) -> Response:
    message = imports.ImportRejected(row_errors).message
    errors = [{"code": "rows_invalid", "detail": message, "attr": "file"}]
    errors += [{"code": e.code, "detail": f"Row {e.row}, {e.column or 'row'}: {e.message}", "attr": "file"} for e in row_errors]
    transaction.set_rollback(True)  # the idempotency key too: a corrected file may be sent with the same key
    body: dict[str, Any] = {**envelope(error_type="validation_error", errors=errors), "rows": [e.as_dict() for e in row_errors]}
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


_TOUCHPOINT = {
    "public_id": "9d2a4f1b-7c3e-4d5a-b6e8-3c1f0a2d9e33",
    "partner": "6f1c2e4a-8b1d-4c3e-9f2a-1d5b7e9c0a11",
    "partner_name": "Northwind Traders",
    "account": "0b7e5d2c-3a4f-4e6b-8c1d-2f9a6b3e7d22",
    "account_name": "Contoso GmbH",
    "registration": None,
    "touch_type": "technical_validation",
    "occurred_at": "2026-03-05T14:30:00Z",
    "weight": "1.5000",
    "source": "api",
    "external_id": "crm-activity-88412",
    "created_at": "2026-03-05T14:31:02Z",
}
_TOUCHPOINT_INPUT = {
    "partner": _TOUCHPOINT["partner"],
    "account": _TOUCHPOINT["account"],
    "touch_type": "technical_validation",
    "occurred_at": "2026-03-05T14:30:00Z",
    "weight": "1.5",
    "external_id": "crm-activity-88412",
}


@extend_schema_view(
    list=extend_schema(examples=[OpenApiExample("A proof of concept", value=_TOUCHPOINT, response_only=True)]),
    retrieve=extend_schema(examples=[OpenApiExample("A proof of concept", value=_TOUCHPOINT, response_only=True)]),
)
class TouchpointViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Touchpoints of every source (derived, imported, posted). Staff read; owners and partner managers write."""

    model = Touchpoint
    serializer_class = TouchpointOutputSerializer
    pagination_class = OccurredCursorPagination
    filter_backends = [StrictOrderingFilter]  # filters: TouchpointQuerySerializer in list(); ordering: the cursor reads it
    ordering_fields = ["occurred_at", "created_at"]
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self):
        return Touchpoint.objects.filter(tenant=self.tenant).select_related("partner", "account", "registration")

    @extend_schema(parameters=[TouchpointQuerySerializer])
    def list(self, request, *args, **kwargs):
        """Touchpoints, the latest touch first. An unknown partner id gives an empty list."""
        query = TouchpointQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        touchpoints = self.get_queryset()
        if "partner" in values:
            touchpoints = touchpoints.filter(partner__public_id=values["partner"])
        if values.get("touch_type"):
            touchpoints = touchpoints.filter(touch_type=values["touch_type"])
        if values.get("source"):
            touchpoints = touchpoints.filter(source=values["source"])
        if values.get("occurred_after"):
            touchpoints = touchpoints.filter(occurred_at__gte=values["occurred_after"])
        if values.get("occurred_before"):
            touchpoints = touchpoints.filter(occurred_at__lt=values["occurred_before"])
        page = self.paginate_queryset(touchpoints)
        return self.get_paginated_response(TouchpointOutputSerializer(page, many=True).data)

    @extend_schema(
        request=TouchpointCreateInputSerializer,
        responses={
            201: OpenApiResponse(TouchpointOutputSerializer, description="Written."),
            200: OpenApiResponse(
                TouchpointOutputSerializer, description="A touchpoint with this external_id exists: it is returned unchanged."
            ),
        },
        examples=[
            OpenApiExample("A proof of concept from the CRM", value=_TOUCHPOINT_INPUT, request_only=True),
            OpenApiExample("Written", value=_TOUCHPOINT, response_only=True, status_codes=["201", "200"]),
        ],
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        """Record one touchpoint (``source = api``). ``Idempotency-Key`` honoured; ``external_id`` makes reposts harmless."""
        payload = TouchpointCreateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        partner = PartnerOrganization.objects.filter(tenant=self.tenant, public_id=data["partner"]).first()
        if partner is None:
            raise ApplicationError("No partner has this id.", code="partner_not_found", field="partner")
        account = CustomerAccount.objects.filter(tenant=self.tenant, public_id=data["account"]).first()
        if account is None:
            raise ApplicationError("No customer account has this id.", code="account_not_found", field="account")
        registration = None
        if data.get("registration"):
            registration = DealRegistration.objects.filter(tenant=self.tenant, public_id=data["registration"]).first()
            if registration is None:
                raise ApplicationError("No deal registration has this id.", code="deal_not_found", field="registration")
        touchpoint, created = touchpoint_create(
            tenant=self.tenant,
            actor=self.actor,
            partner=partner,
            account=account,
            registration=registration,
            touch_type=data["touch_type"],
            occurred_at=data["occurred_at"],
            weight=data.get("weight"),
            external_id=data.get("external_id", ""),
        )
        touchpoint = self.get_queryset().get(pk=touchpoint.pk)
        return Response(
            TouchpointOutputSerializer(touchpoint).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @extend_schema(
        request={"multipart/form-data": TouchpointImportInputSerializer},
        responses={
            201: OpenApiResponse(TouchpointImportOutputSerializer, description="Imported: rows written and rows skipped."),
            400: OpenApiResponse(
                TouchpointImportInvalidSerializer,
                description="Nothing was imported: bad rows (`rows` lists every one) or a file that cannot be read.",
                examples=[OpenApiExample("Two bad rows", value=ROWS_INVALID_EXAMPLE)],
            ),
        },
    )
    @action(detail=False, methods=["post"], url_path="import", url_name="import")
    @idempotent
    def import_file(self, request, *args, **kwargs):
        """Import a CSV of touchpoints, all or nothing. External ids already stored are skipped (``already_imported``)."""
        payload = TouchpointImportInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        upload = payload.validated_data["file"]
        if upload.size > imports.MAX_FILE_BYTES:
            raise ApplicationError(
                "The file is larger than 50 MB. Split it and import the parts.", code="file_too_large", field="file"
            )
        try:
            result = touchpoints_import(tenant=self.tenant, actor=self.actor, data=upload.read())
        except imports.ImportFileInvalid as invalid:
            raise ApplicationError(invalid.message, code=invalid.code, field="file") from None
        if not result.ok:
            return _rows_invalid(result.errors)
        return Response(TouchpointImportOutputSerializer(result.summary()).data, status=status.HTTP_201_CREATED)
