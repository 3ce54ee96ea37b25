"""The economics API (vendor staff and API keys; partner users get 404).

- ``customer-revenue/``: list (the latest month first, cursor pages; filters ``month``, ``partner``,
  ``account``) and create: one row (an object) or many (a list of up to 1,000), all or nothing. A
  month already stored for the account is replaced. One object answers with the row; a list with
  ``{created, replaced, results}``. ``201`` when anything was new, ``200`` when every row replaced a
  stored one. ``Idempotency-Key`` honoured; re-posting the same rows is harmless anyway.
- ``program-costs/``: list and create-or-update (one quarter and category: ``201`` new, ``200`` updated).
- ``economics-metrics/``: the figures of the Economics page (read-only).
- ``weekly-summary-settings/``: the weekly summary email on or off, and which owners and partner managers
  receive it (staff read; owners and partner managers replace it).
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from deals.models import CustomerAccount
from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, STAFF_ROLES
from ecosystem.api.filters import StrictOrderingFilter
from ecosystem.api.idempotency import idempotent
from ecosystem.api.views import TenantViewSet
from ecosystem.errors import ApplicationError
from partners.models import PartnerOrganization

from .. import selectors, services
from .. import summary as weekly
from ..models import CustomerRevenue, ProgramCost, WeeklySummarySettings
from .serializers import (
    CustomerRevenueCreatedSerializer,
    CustomerRevenueInputSerializer,
    CustomerRevenueOutputSerializer,
    CustomerRevenueQuerySerializer,
    MetricsOutputSerializer,
    MetricsQuerySerializer,
    ProgramCostInputSerializer,
    ProgramCostOutputSerializer,
    ProgramCostQuerySerializer,
)


class MonthCursorPagination(CursorPagination):
    ordering = ("-month", "-id")
    page_size_query_param = "page_size"
    max_page_size = 200


class PeriodCursorPagination(CursorPagination):
    ordering = ("-year", "-quarter", "category")
    page_size_query_param = "page_size"
    max_page_size = 200


def _month(text: str) -> datetime.date:
    return datetime.date(int(text[:4]), int(text[5:7]), 1)


class CustomerRevenueViewSet(mixins.ListModelMixin, TenantViewSet):
    """Customer revenue by account and month. Staff read; owners, partner managers and write keys post."""

    model = CustomerRevenue
    serializer_class = CustomerRevenueOutputSerializer
    pagination_class = MonthCursorPagination
    filter_backends = [StrictOrderingFilter]  # filters: the query serializer in list(); ordering: the cursor reads it
    ordering_fields = ["month", "mrr"]
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self):
        return CustomerRevenue.objects.filter(tenant=self.tenant).select_related("account", "managing_partner")

    @extend_schema(parameters=[CustomerRevenueQuerySerializer])
    def list(self, request, *args, **kwargs):
        """Account-months, the latest month first. An unknown partner or account gives an empty list."""
        query = CustomerRevenueQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        rows = self.get_queryset()
        if values.get("month"):
            try:
                rows = rows.filter(month=_month(values["month"]))
            except ValueError:
                raise ApplicationError("Not a month. Use 2026-03.", code="invalid_month", field="month") from None
        if "partner" in values:
            rows = rows.filter(managing_partner__public_id=values["partner"])
        if "account" in values:
            rows = rows.filter(account__public_id=values["account"])
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(CustomerRevenueOutputSerializer(page, many=True).data)

    @extend_schema(
        request=CustomerRevenueInputSerializer,
        responses={
            201: OpenApiResponse(
                CustomerRevenueOutputSerializer,
                description="Written (a list answers with {created, replaced, results}: CustomerRevenueCreated).",
            ),
            200: OpenApiResponse(CustomerRevenueOutputSerializer, description="Every row replaced a stored month."),
        },
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        """Record one account-month (an object) or many (a list), all or nothing; a stored month is replaced."""
        many = isinstance(request.data, list)
        payload = CustomerRevenueInputSerializer(data=request.data, many=many)
        payload.is_valid(raise_exception=True)
        items = payload.validated_data if many else [payload.validated_data]

        def field(index: int, name: str) -> str:
            return f"{index}.{name}" if many else name

        accounts = {
            a.public_id: a
            for a in CustomerAccount.objects.filter(tenant=self.tenant, public_id__in={i["account"] for i in items})
        }
        wanted_partners = {i["managing_partner"] for i in items if i.get("managing_partner")}
        partners = (
            {p.public_id: p for p in PartnerOrganization.objects.filter(tenant=self.tenant, public_id__in=wanted_partners)}
            if wanted_partners
            else {}
        )
        resolved = []
        for index, item in enumerate(items):  # ids looked up above, in two queries
            account = accounts.get(item["account"])
            if account is None:
                raise ApplicationError(
                    "No customer account has this id.", code="account_not_found", field=field(index, "account")
                )
            partner = None
            if item.get("managing_partner"):
                partner = partners.get(item["managing_partner"])
                if partner is None:
                    raise ApplicationError(
                        "No partner has this id.", code="partner_not_found", field=field(index, "managing_partner")
                    )
            resolved.append({**item, "account": account, "managing_partner": partner})
        rows, created, replaced = services.customer_revenue_record(
            tenant=self.tenant, actor=self.actor, items=resolved, many=many
        )
        answer = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        if not many:
            return Response(CustomerRevenueOutputSerializer(rows[0]).data, status=answer)
        body = {"created": created, "replaced": replaced, "results": rows}
        return Response(CustomerRevenueCreatedSerializer(body).data, status=answer)


class ProgramCostViewSet(mixins.ListModelMixin, TenantViewSet):
    """Program and direct-sales costs by quarter and category. Staff read; owners, partner managers and write keys set."""

    model = ProgramCost
    serializer_class = ProgramCostOutputSerializer
    pagination_class = PeriodCursorPagination
    filter_backends = [StrictOrderingFilter]  # filters: the query serializer in list(); ordering: the cursor reads it
    ordering_fields = ["year", "quarter", "amount"]
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self):
        return ProgramCost.objects.filter(tenant=self.tenant)

    @extend_schema(parameters=[ProgramCostQuerySerializer])
    def list(self, request, *args, **kwargs):
        """Costs, the latest quarter first; ``year`` filters one year."""
        query = ProgramCostQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = self.get_queryset()
        if "year" in query.validated_data:
            rows = rows.filter(year=query.validated_data["year"])
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(ProgramCostOutputSerializer(page, many=True).data)

    @extend_schema(
        request=ProgramCostInputSerializer,
        responses={
            201: OpenApiResponse(ProgramCostOutputSerializer, description="A new quarter and category."),
            200: OpenApiResponse(ProgramCostOutputSerializer, description="The quarter and category existed: updated."),
        },
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        """Set what a quarter cost in a category (amount ≥ 0, quarter 1–4); saving it again replaces the amount."""
        payload = ProgramCostInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        cost, created = services.program_cost_save(
            tenant=self.tenant,
            actor=self.actor,
            year=data["year"],
            quarter=data["quarter"],
            category=data["category"],
            amount=data["amount"],
            note=data.get("note", ""),
        )
        return Response(ProgramCostOutputSerializer(cost).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class EconomicsMetricsViewSet(TenantViewSet):
    """``economics-metrics/``: partner vs direct CAC, retention by channel, CLTV contribution (staff)."""

    model = CustomerRevenue
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset()

    def scoped_queryset(self):
        return CustomerRevenue.objects.filter(tenant=self.tenant)

    @extend_schema(
        parameters=[MetricsQuerySerializer], responses={200: MetricsOutputSerializer}, operation_id="economics_metrics_retrieve"
    )
    def retrieve(self, request, *args, **kwargs):
        """The figures, as defined in docs/economics.md: ``quarter`` picks CAC's quarter, ``month`` retention's last month."""
        query = MetricsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        year = quarter = month = None
        if values.get("quarter"):
            year, quarter = int(values["quarter"][:4]), int(values["quarter"][-1])
        if values.get("month"):
            try:
                month = _month(values["month"])
            except ValueError:
                raise ApplicationError("Not a month. Use 2026-10.", code="invalid_month", field="month") from None
        figures = selectors.economics_figures(tenant=self.tenant, year=year, quarter=quarter, month=month)
        body = {
            "currency": figures.currency,
            "quarter": f"{figures.year}-Q{figures.quarter}",
            "month": f"{figures.month:%Y-%m}",
            "cac": figures.cac,
            "retention": [figures.retention[c] for c in ("partner", "direct", "all")],
            "cltv": figures.cltv,
            "cltv_partners": figures.cltv_partners,
        }
        return Response(MetricsOutputSerializer(body).data)


# --- the weekly summary's settings ------------------------------------------------------------------


class SummaryRecipientSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="The person's id.")
    name = serializers.CharField()
    email = serializers.EmailField()
    receives = serializers.BooleanField(help_text="False when this owner or partner manager is left out.")


class SummarySettingsSerializer(serializers.Serializer):
    enabled = serializers.BooleanField(help_text="Whether the weekly summary goes out.")
    recipients = SummaryRecipientSerializer(many=True, help_text="Every active owner and partner manager, by email.")
    updated_at = serializers.DateTimeField(allow_null=True, help_text="Null until first saved (the defaults: on, to everyone).")


class SummarySettingsInputSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()
    recipients = serializers.ListField(
        child=serializers.UUIDField(),
        allow_empty=True,
        help_text="Ids of the owners and partner managers who receive it; the others are left out.",
    )


_SUMMARY_EXAMPLE = {
    "enabled": True,
    "recipients": [
        {
            "id": "3f6c8a52-1c1e-4b7a-9d0a-5b2f1e7c4d21",
            "name": "Alex Morgan",
            "email": "alex.morgan@northwind.example",
            "receives": True,
        }
    ],
    "updated_at": "2026-03-02T09:30:00Z",
}


class WeeklySummarySettingsViewSet(TenantViewSet):
    """``weekly-summary-settings/``: send the weekly summary or not, and to whom (staff read; owners and
    partner managers change it)."""

    model = WeeklySummarySettings
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self):
        return WeeklySummarySettings.objects.filter(tenant=self.tenant)

    def _candidates(self) -> list[tuple[int, object, str, str]]:
        """(user id, public id, name, email) of who may receive it: the summary's own candidates."""
        candidates = weekly.summary_candidates(tenant=self.tenant)
        public_ids = dict(
            get_user_model().objects.filter(pk__in=[pk for pk, _n, _e in candidates]).values_list("pk", "public_id")
        )
        return [(pk, public_ids[pk], name, email) for pk, name, email in candidates]

    def _body(self, row: WeeklySummarySettings, candidates) -> dict:
        opted_out = set(row.opted_out or [])
        return {
            "enabled": row.enabled,
            "recipients": [
                {"id": public_id, "name": name, "email": email, "receives": pk not in opted_out}
                for pk, public_id, name, email in candidates
            ],
            "updated_at": row.updated_at if row.pk else None,
        }

    @extend_schema(
        responses={200: SummarySettingsSerializer},
        examples=[OpenApiExample("On, to one manager", value=_SUMMARY_EXAMPLE, response_only=True)],
    )
    def retrieve(self, request, *args, **kwargs):
        """Whether it is sent and to which owners and partner managers (the defaults until first saved)."""
        return Response(
            SummarySettingsSerializer(self._body(weekly.summary_settings(tenant=self.tenant), self._candidates())).data
        )

    @extend_schema(
        request=SummarySettingsInputSerializer,
        responses={200: SummarySettingsSerializer},
        examples=[
            OpenApiExample(
                "On, to one manager",
                value={"enabled": True, "recipients": ["3f6c8a52-1c1e-4b7a-9d0a-5b2f1e7c4d21"]},
                request_only=True,
            )
        ],
    )
    def update(self, request, *args, **kwargs):
        """Replace the settings: ``recipients`` lists who receives it (400 ``not_a_recipient`` for an id that
        is not an active owner or partner manager of the program). Audited."""
        data = SummarySettingsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        candidates = self._candidates()
        by_public_id = {public_id: pk for pk, public_id, _n, _e in candidates}
        unknown = [str(value) for value in data.validated_data["recipients"] if value not in by_public_id]
        if unknown:
            raise ApplicationError(
                "Only the program's active owners and partner managers can receive the summary.",
                code="not_a_recipient",
                field="recipients",
            )
        row = weekly.summary_settings_save(
            tenant=self.tenant,
            actor=self.actor,
            enabled=data.validated_data["enabled"],
            recipients=[by_public_id[value] for value in data.validated_data["recipients"]],
        )
        return Response(SummarySettingsSerializer(self._body(row, candidates)).data)
