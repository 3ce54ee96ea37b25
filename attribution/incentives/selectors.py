"""Every non-trivial read of incentives: programs, statements by period with their totals (SQL aggregates),
one statement's lines, a partner's own statements, the finance export and the usage figures.

Fetch-for-access helpers answer "not found" alike for a missing row, another tenant's and (with
``partner_id``) another partner's.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from ecosystem.tenancy.access import access_row
from ecosystem.tenancy.models import Tenant

from .models import RebateProgram, RebateRate, RebateStatement, RebateStatementLine, StatementStatus, UsageFigure

ZERO = Decimal("0.00")


def access_program(*, tenant: Tenant, public_id: Any) -> RebateProgram:
    return access_row(RebateProgram.objects.all(), tenant=tenant, public_id=public_id)


def access_statement(*, tenant: Tenant, public_id: Any, partner_id: int | None = None) -> RebateStatement:
    """One statement with its program and partner (one query); a partner user passes its own ``partner_id``."""
    queryset = RebateStatement.objects.select_related("program", "partner", "approved_by", "paid_by")
    return access_row(queryset, tenant=tenant, public_id=public_id, partner_id=partner_id)


def programs_with_figures(*, tenant: Tenant) -> QuerySet:
    """Programs with their tier count, statement count and latest computed period (one query)."""
    return (
        RebateProgram.objects.filter(tenant=tenant)
        .annotate(
            tier_count=Count("rates", distinct=True),
            statement_count=Count("statements", distinct=True),
            latest_year=Max("statements__year"),
        )
        .order_by("name", "id")
    )


def program_rates(*, tenant: Tenant, program: RebateProgram) -> list[RebateRate]:
    return list(RebateRate.objects.filter(tenant=tenant, program=program).order_by("threshold"))


@dataclass(frozen=True)
class PeriodTotals:
    year: int
    quarter: int
    partners: int
    measured: Decimal
    rebate: Decimal
    computed: Decimal
    approved: Decimal
    paid: Decimal

    @property
    def value(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    @property
    def label(self) -> str:
        return f"{self.year} Q{self.quarter}"


def _totals() -> dict[str, Any]:
    def money(status: str | None = None):
        return Coalesce(Sum("rebate_amount", filter=Q(status=status) if status else None), ZERO)

    return {
        "partners": Count("id"),
        "measured": Coalesce(Sum("measured_total"), ZERO),
        "rebate": money(),
        "computed": money(StatementStatus.COMPUTED),
        "approved": money(StatementStatus.APPROVED),
        "paid": money(StatementStatus.PAID),
    }


def program_periods(*, tenant: Tenant, program: RebateProgram) -> list[PeriodTotals]:
    """Each computed quarter of the program with its totals, the latest first (one query)."""
    rows = (
        RebateStatement.objects.filter(tenant=tenant, program=program)
        .values("year", "quarter")
        .annotate(**_totals())
        .order_by("-year", "-quarter")
    )
    return [PeriodTotals(**row) for row in rows]


def period_statements(*, tenant: Tenant, program: RebateProgram, year: int, quarter: int) -> QuerySet:
    """The quarter's statements, the largest rebate first, with the partner joined."""
    return (
        RebateStatement.objects.filter(tenant=tenant, program=program, year=year, quarter=quarter)
        .select_related("partner")
        .order_by("-rebate_amount", "partner__name", "id")
    )


def statement_lines(*, tenant: Tenant, statement: RebateStatement) -> QuerySet:
    return RebateStatementLine.objects.filter(tenant=tenant, statement=statement).order_by("day", "description", "id")


def statements_for_partner(*, tenant: Tenant, partner_id: int) -> QuerySet:
    """A partner's own statements, the latest quarter first, with the program joined."""
    return (
        RebateStatement.objects.filter(tenant=tenant, partner_id=partner_id)
        .select_related("program")
        .order_by("-year", "-quarter", "program__name", "id")
    )


def statements_for_finance(
    *, tenant: Tenant, program: RebateProgram | None = None, year: int | None = None, quarter: int | None = None, status: str = ""
) -> QuerySet:
    """Statements for the finance export (program, partner and approver joined), filtered as asked."""
    queryset = RebateStatement.objects.filter(tenant=tenant).select_related("program", "partner", "approved_by", "paid_by")
    if program is not None:
        queryset = queryset.filter(program=program)
    if year is not None and quarter is not None:
        queryset = queryset.filter(year=year, quarter=quarter)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-year", "-quarter", "program__name", "partner__name", "id")


def lines_for_finance(*, tenant: Tenant, program: RebateProgram, year: int, quarter: int) -> QuerySet:
    """Every line of a program's quarter, with its statement and partner (one query)."""
    return (
        RebateStatementLine.objects.filter(
            tenant=tenant, statement__program=program, statement__year=year, statement__quarter=quarter
        )
        .select_related("statement", "partner")
        .order_by("partner__name", "day", "id")
    )


def usage_rows(*, tenant: Tenant, metric: str = "", month: datetime.date | None = None) -> QuerySet:
    queryset = UsageFigure.objects.filter(tenant=tenant).select_related("account")
    if metric:
        queryset = queryset.filter(metric=metric)
    if month is not None:
        queryset = queryset.filter(month=month)
    return queryset.order_by("-month", "metric", "account__name", "id")


def usage_metrics(*, tenant: Tenant) -> list[str]:
    return list(UsageFigure.objects.filter(tenant=tenant).values_list("metric", flat=True).distinct().order_by("metric"))
