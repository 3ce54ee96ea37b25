"""The currency rate table in the staff API: list, set one rate (idempotent), delete one.

Same services as the portal (:mod:`deals.currency_services`). Analysts and read-only keys read;
owners, partner managers and write keys change. Partner users get 404.
"""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response

from deals import currency_services
from deals.currency import normalise_currency
from deals.models import CurrencyRate
from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, STAFF_ROLES
from ecosystem.api.idempotency import idempotent
from ecosystem.api.pagination import CreatedCursorPagination
from ecosystem.api.views import TenantViewSet

from .currency_serializers import CurrencyRateInputSerializer, CurrencyRateOutputSerializer


class CurrencyRateCursorPagination(CreatedCursorPagination):
    ordering = ("currency", "-valid_from", "id")


class CurrencyRateViewSet(mixins.ListModelMixin, TenantViewSet):
    """Currency rates: 1 unit of ``currency`` = ``rate`` program-currency units from ``valid_from``
    until the next row of that currency. By currency (A→Z), newest first."""

    model = CurrencyRate
    serializer_class = CurrencyRateOutputSerializer
    pagination_class = CurrencyRateCursorPagination
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self) -> QuerySet:
        rates = CurrencyRate.objects.filter(tenant=self.tenant)
        currency = normalise_currency(self.request.query_params.get("currency"))
        return rates.filter(currency=currency) if currency else rates

    @extend_schema(parameters=[OpenApiParameter("currency", str, description="Only this currency (ISO 4217).")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=CurrencyRateInputSerializer,
        responses={201: CurrencyRateOutputSerializer, 200: CurrencyRateOutputSerializer},
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        """Set the rate of a currency from a day: 201 with a new row, 200 when the row of that currency
        and day existed (its rate is now the one given). ``Idempotency-Key`` honoured."""
        payload = CurrencyRateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        saved = currency_services.currency_rate_set(tenant=self.tenant, actor=self.actor, **payload.validated_data)
        code = status.HTTP_201_CREATED if saved.created else status.HTTP_200_OK
        return Response(CurrencyRateOutputSerializer(saved.row).data, status=code)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request, *args, **kwargs):
        """Delete one rate row: amounts dated in its span then use the row before it, or have no rate."""
        currency_services.currency_rate_delete(tenant=self.tenant, actor=self.actor, rate=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
