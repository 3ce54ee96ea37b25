"""Incentives in the API.

Staff: ``rebate-programs/`` (list, read, create, ``compute`` a quarter), ``rebate-statements/`` (list,
filters ``program``, ``period``, ``status``; read with lines; ``approve``, ``mark-paid``),
``usage-figures/`` (list, filters ``metric`` and ``month``; post one or a list, all or nothing).
Partner users: ``my-rebate-statements/`` (their organisation's statements with lines, read-only).
Every action calls :mod:`attribution.incentives.services`, as the portal does.
"""

from __future__ import annotations

import datetime

import django_filters
from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from deals.models import CustomerAccount
from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, PARTNER_ROLES, STAFF_ROLES
from ecosystem.api.idempotency import idempotent
from ecosystem.api.views import TenantViewSet
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.access import is_uuid

from .. import services
from ..forms import parse_period
from ..models import (
    ProgramStatus,
    RebateProgram,
    RebateRate,
    RebateStatement,
    RebateStatementLine,
    StatementStatus,
    UsageFigure,
)
from .serializers import (
    ComputeInputSerializer,
    ComputeOutputSerializer,
    PayInputSerializer,
    RebateProgramInputSerializer,
    RebateProgramOutputSerializer,
    RebateStatementDetailSerializer,
    RebateStatementOutputSerializer,
    UsageFigureCreatedSerializer,
    UsageFigureInputSerializer,
    UsageFigureOutputSerializer,
)


class NameCursorPagination(CursorPagination):
    ordering = ("name", "id")
    page_size_query_param = "page_size"
    max_page_size = 200


class PeriodCursorPagination(CursorPagination):
    ordering = ("-year", "-quarter", "-id")
    page_size_query_param = "page_size"
    max_page_size = 200


class MonthCursorPagination(CursorPagination):
    ordering = ("-month", "-id")
    page_size_query_param = "page_size"
    max_page_size = 200


def _rates():
    return Prefetch("rates", queryset=RebateRate.objects.order_by("threshold"))


def _lines():
    return Prefetch("lines", queryset=RebateStatementLine.objects.order_by("day", "description", "id"))


class RebateProgramFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ProgramStatus.choices)

    class Meta:
        model = RebateProgram
        fields = ["status"]


class MyRebateStatementFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=StatementStatus.choices)
    year = django_filters.NumberFilter()
    quarter = django_filters.ChoiceFilter(choices=[(q, f"Q{q}") for q in range(1, 5)])

    class Meta:
        model = RebateStatement
        fields = ["status", "year", "quarter"]


class RebateProgramViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Rebate programs with their rate tiers. Staff read; owners, partner managers and write keys create and compute."""

    model = RebateProgram
    serializer_class = RebateProgramOutputSerializer
    pagination_class = NameCursorPagination
    filterset_class = RebateProgramFilter
    ordering_fields = ["name", "created_at"]
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self) -> QuerySet:
        return RebateProgram.objects.filter(tenant=self.tenant).prefetch_related(_rates())

    @extend_schema(request=RebateProgramInputSerializer, responses={201: RebateProgramOutputSerializer})
    @idempotent
    def create(self, request, *args, **kwargs):
        """Create a program with its tiers. ``400`` naming the field (``rates.1.rate``, ``name``…)."""
        payload = RebateProgramInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        program = services.program_create(tenant=self.tenant, actor=self.actor, values=payload.validated_data)
        fresh = self.scoped_queryset().get(pk=program.pk)
        return Response(RebateProgramOutputSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RebateProgramInputSerializer, responses={200: RebateProgramOutputSerializer})
    def update(self, request, *args, **kwargs):
        """Replace the program and its tiers (every field, as on create). Statements already computed keep the
        tiers they were computed with. ``400`` naming the field."""
        program = self.get_object()
        payload = RebateProgramInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        program = services.program_update(tenant=self.tenant, actor=self.actor, program=program, values=payload.validated_data)
        return Response(RebateProgramOutputSerializer(self.scoped_queryset().get(pk=program.pk)).data)

    @extend_schema(request=ComputeInputSerializer, responses={200: ComputeOutputSerializer})
    @action(detail=True, methods=["post"])
    def compute(self, request, *args, **kwargs):
        """Compute (or recompute) a quarter's statements. Approved and paid ones are kept.
        ``409`` ``program_archived`` or ``currency_changed``; ``400`` ``future_period``."""
        program = self.get_object()
        payload = ComputeInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        result = services.accruals_compute(tenant=self.tenant, program=program, actor=self.actor, **payload.validated_data)
        return Response(ComputeOutputSerializer(result.summary()).data)


_STATEMENT_FILTERS = [
    OpenApiParameter("program", str, description="A program's public id."),
    OpenApiParameter("period", str, description="A quarter, as 2026-Q3."),
    OpenApiParameter("status", str, description="computed, approved or paid."),
]


class RebateStatementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Every partner's rebate statements, the latest quarter first; one with its lines."""

    model = RebateStatement
    serializer_class = RebateStatementOutputSerializer
    pagination_class = PeriodCursorPagination
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self) -> QuerySet:
        queryset = RebateStatement.objects.filter(tenant=self.tenant).select_related("program", "partner")
        if self.action != "list":
            return queryset.prefetch_related(_lines())
        params = self.request.query_params
        if params.get("program"):
            queryset = queryset.filter(program__public_id=params["program"]) if is_uuid(params["program"]) else queryset.none()
        period = parse_period(params.get("period"))
        if period:
            queryset = queryset.filter(year=period[0], quarter=period[1])
        if params.get("status") in StatementStatus.values:
            queryset = queryset.filter(status=params["status"])
        return queryset

    def get_serializer_class(self):
        return RebateStatementOutputSerializer if self.action == "list" else RebateStatementDetailSerializer

    @extend_schema(parameters=_STATEMENT_FILTERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def _answer(self, statement: RebateStatement) -> Response:
        return Response(RebateStatementDetailSerializer(self.scoped_queryset().get(pk=statement.pk)).data)

    @extend_schema(request=None, responses={200: RebateStatementDetailSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, *args, **kwargs):
        """Approve the payout of a computed statement. ``409`` ``statement_not_computed``."""
        return self._answer(services.statement_approve(tenant=self.tenant, actor=self.actor, statement=self.get_object()))

    @extend_schema(request=PayInputSerializer, responses={200: RebateStatementDetailSerializer})
    @action(detail=True, methods=["post"], url_path="mark-paid", url_name="mark-paid")
    def mark_paid(self, request, *args, **kwargs):
        """Record the payment of an approved statement (``reference`` optional). ``409`` ``statement_not_approved``."""
        statement = self.get_object()
        payload = PayInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._answer(
            services.statement_mark_paid(tenant=self.tenant, actor=self.actor, statement=statement, **payload.validated_data)
        )


class MyRebateStatementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """The caller's organisation's rebate statements, the latest quarter first; one with its lines."""

    model = RebateStatement
    serializer_class = RebateStatementOutputSerializer
    pagination_class = PeriodCursorPagination
    filterset_class = MyRebateStatementFilter
    ordering_fields = ["year", "quarter"]
    read_roles = frozenset(PARTNER_ROLES)
    write_roles = frozenset()

    def scoped_queryset(self) -> QuerySet:
        queryset = RebateStatement.objects.filter(tenant=self.tenant, partner_id=self.caller_partner_id).select_related(
            "program", "partner"
        )
        return queryset if self.action == "list" else queryset.prefetch_related(_lines())

    def get_serializer_class(self):
        return RebateStatementOutputSerializer if self.action == "list" else RebateStatementDetailSerializer


class UsageFigureViewSet(mixins.ListModelMixin, TenantViewSet):
    """Usage figures by account, metric and month. Staff read; owners, partner managers and write keys post."""

    model = UsageFigure
    serializer_class = UsageFigureOutputSerializer
    pagination_class = MonthCursorPagination
    read_roles = frozenset(STAFF_ROLES)
    write_roles = frozenset(PARTNER_EDITOR_ROLES)

    def scoped_queryset(self) -> QuerySet:
        queryset = UsageFigure.objects.filter(tenant=self.tenant).select_related("account")
        params = self.request.query_params
        if params.get("metric"):
            queryset = queryset.filter(metric=params["metric"].strip().lower())
        if params.get("month"):
            try:
                month = datetime.date(int(params["month"][:4]), int(params["month"][5:7]), 1)
            except ValueError:
                raise ApplicationError("Not a month. Use 2026-03.", code="invalid_month", field="month") from None
            queryset = queryset.filter(month=month)
        return queryset

    @extend_schema(
        parameters=[
            OpenApiParameter("metric", str, description="One metric, such as api_calls."),
            OpenApiParameter("month", str, description="One month, as 2026-03."),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=UsageFigureInputSerializer, responses={201: UsageFigureOutputSerializer})
    @idempotent
    def create(self, request, *args, **kwargs):
        """Record one figure (an object) or many (a list), all or nothing; a stored month is replaced.
        A list answers with ``{created, replaced, results}``; ``201`` when anything was new, else ``200``."""
        many = isinstance(request.data, list)
        payload = UsageFigureInputSerializer(data=request.data, many=many)
        payload.is_valid(raise_exception=True)
        items = payload.validated_data if many else [payload.validated_data]
        accounts = {
            a.public_id: a
            for a in CustomerAccount.objects.filter(tenant=self.tenant, public_id__in={i["account"] for i in items})
        }
        resolved = []
        for index, item in enumerate(items):  # ids looked up above, in one query
            account = accounts.get(item["account"])
            if account is None:
                field = f"{index}.account" if many else "account"
                raise ApplicationError("No customer account has this id.", code="account_not_found", field=field)
            resolved.append({**item, "account": account})
        rows, created, replaced = services.usage_figures_record(tenant=self.tenant, actor=self.actor, items=resolved, many=many)
        answer = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        if not many:
            return Response(UsageFigureOutputSerializer(rows[0]).data, status=answer)
        body = {"created": created, "replaced": replaced, "results": rows}
        return Response(UsageFigureCreatedSerializer(body).data, status=answer)
