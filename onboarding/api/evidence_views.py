"""Security-review evidence in the API: the documents partners attach to their security review.

The portal's ``onboarding:evidence`` (staff) and ``partner_onboarding:evidence`` (a partner's own users)
downloads, with the same access: staff read every document of the tenant; a partner user reads only
their organisation's (the base narrows the scope to their partner, and ``scoped_queryset`` filters
again), so another partner's document is "not found". Documents are added by
``partner-onboarding/steps/<id>/evidence/``; nothing here writes.
"""

from __future__ import annotations

import django_filters
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action

from ecosystem.accounts.models import PARTNER_ROLES, STAFF_ROLES
from ecosystem.api.pagination import CreatedCursorPagination
from ecosystem.api.views import TenantViewSet
from ecosystem.errors import NotFoundError
from onboarding.models import SecurityEvidence


class SecurityEvidenceSerializer(serializers.ModelSerializer):
    """One attached document; ``download/`` sends its bytes."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    step = serializers.UUIDField(source="step.public_id", read_only=True)
    partner = serializers.UUIDField(source="partner.public_id", read_only=True)

    class Meta:
        model = SecurityEvidence
        fields = ["id", "step", "partner", "original_filename", "size", "uploaded_at"]
        read_only_fields = fields


class SecurityEvidenceFilter(django_filters.FilterSet):
    step = django_filters.UUIDFilter(field_name="step__public_id", label="Only the documents of this onboarding step")
    partner = django_filters.UUIDFilter(field_name="partner__public_id", label="Only this partner's documents")

    class Meta:
        model = SecurityEvidence
        fields = ["step", "partner"]


class UploadedCursorPagination(CreatedCursorPagination):
    ordering = ("-uploaded_at", "-id")


class SecurityEvidenceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Security-review documents, newest first. Filters: ``step``, ``partner``. Read-only."""

    model = SecurityEvidence
    serializer_class = SecurityEvidenceSerializer
    filterset_class = SecurityEvidenceFilter
    pagination_class = UploadedCursorPagination
    ordering_fields = ["uploaded_at", "size"]
    read_roles = frozenset(STAFF_ROLES | PARTNER_ROLES)
    write_roles = frozenset()

    def scoped_queryset(self):
        queryset = SecurityEvidence.objects.filter(tenant=self.tenant).select_related("step", "partner")
        if self.caller_partner_id is not None:
            queryset = queryset.filter(partner_id=self.caller_partner_id)
        return queryset.order_by("-uploaded_at", "-id")

    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The document.")}
    )
    @action(detail=True, methods=["get"])
    def download(self, request, *args, **kwargs):
        """The document's bytes, as an attachment under its original name (``nosniff``: never rendered inline)."""
        evidence = self.get_object()
        try:
            handle = evidence.file.open("rb")
        except FileNotFoundError:  # the row outlived its file (storage restored without it): nothing to send
            raise NotFoundError() from None
        return FileResponse(
            handle,
            as_attachment=True,
            filename=evidence.original_filename,
            content_type="application/octet-stream",
        )
