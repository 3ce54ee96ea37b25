"""Attribution runs in the API (vendor staff): list, read with credits, and start one (queued on the worker)."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, STAFF_ROLES
from ecosystem.api.datetime_filters import IsoDateTimeFilter
from ecosystem.api.idempotency import idempotent
from ecosystem.api.pagination import CreatedCursorPagination
from ecosystem.api.views import TenantViewSet

from ..models import AttributionCredit, AttributionRun, RunStatus
from ..services import MODELS, attribution_run_create
from .results import AttributionRunResultsMixin
from .serializers import (
    AttributionRunCreateInputSerializer,
    AttributionRunDetailOutputSerializer,
    AttributionRunOutputSerializer,
)


class AttributionRunFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=RunStatus.choices)
    created_after = IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = AttributionRun
        fields = ["status", "created_after", "created_before"]


class AttributionRunViewSet(AttributionRunResultsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Attribution runs (staff). Newest first; a run's page carries its credits per model and channel."""

    model = AttributionRun
    serializer_class = AttributionRunOutputSerializer
    pagination_class = CreatedCursorPagination
    filterset_class = AttributionRunFilter
    ordering_fields = ["created_at"]
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self) -> QuerySet:
        return AttributionRun.objects.filter(tenant=self.tenant).select_related("job", "created_by")

    @extend_schema(responses={200: AttributionRunDetailOutputSerializer})
    def retrieve(self, request, *args, **kwargs):
        """One run with its recorded inputs hash, parameters, engine version, summary and credits."""
        run = self.get_object()
        run.credit_list = list(AttributionCredit.objects.filter(run=run).select_related("partner"))
        return Response(AttributionRunDetailOutputSerializer(run).data)

    @extend_schema(request=AttributionRunCreateInputSerializer, responses={201: AttributionRunOutputSerializer})
    @idempotent
    def create(self, request, *args, **kwargs):
        """Queue a run over a period (``Idempotency-Key`` honoured); poll the run for its progress."""
        payload = AttributionRunCreateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        run = attribution_run_create(
            tenant=self.tenant,
            actor=self.actor,
            period_start=data["period_start"],
            period_end=data["period_end"],
            dimension=data["dimension"],
            models=data.get("models") or MODELS,
            parameters=data.get("parameters"),
        )
        run = AttributionRun.objects.select_related("job", "created_by").get(pk=run.pk)
        return Response(AttributionRunOutputSerializer(run).data, status=status.HTTP_201_CREATED)
