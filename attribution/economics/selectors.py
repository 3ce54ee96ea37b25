"""Every non-trivial read of program economics: the frames the metrics run on (one query each), the
figures of the Economics page and API, and the lists behind them.

The figures are computed by :mod:`attribution.economics.metrics` over frames read here; nothing here
defines a metric.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pandas as pd
from django.apps import apps
from django.db.models import QuerySet
from django.utils import timezone

from ecosystem.errors import NotFoundError
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization

from . import metrics
from .models import CostCategory, CustomerRevenue, ProgramCost

CLTV_TOP = 20


def program_currency(*, tenant: Tenant) -> str:
    """The program's currency: the rules of engagement's (USD when none were saved). One query."""
    rules = apps.get_model("deals", "EngagementRules")
    return rules.objects.filter(tenant=tenant).values_list("currency", flat=True).first() or "USD"


def revenue_frame(*, tenant: Tenant) -> pd.DataFrame:
    """Every account-month of the tenant as a :func:`metrics.revenue_frame` (one query)."""
    rows = CustomerRevenue.objects.filter(tenant=tenant).values_list("account_id", "month", "mrr", "managing_partner_id")
    return metrics.revenue_frame(rows)


def cost_frame(*, tenant: Tenant) -> pd.DataFrame:
    """Every program cost of the tenant as a :func:`metrics.cost_frame` (one query)."""
    rows = ProgramCost.objects.filter(tenant=tenant).values_list("year", "quarter", "category", "amount")
    return metrics.cost_frame(rows)


# --- the periods -----------------------------------------------------------------------------------


def default_quarter(today: datetime.date | None = None) -> tuple[int, int]:
    """The last complete quarter before today."""
    return metrics.previous_quarter(*metrics.quarter_of(today or timezone.localdate()))


def default_month(today: datetime.date | None = None) -> datetime.date:
    """The last complete month before today (its first day)."""
    return metrics.months_back((today or timezone.localdate()).replace(day=1), 1)


# --- the figures -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CltvRow:
    partner_id: int
    partner_public_id: Any
    partner_name: str
    revenue: float
    accounts: int
    months: int
    average_months: float


@dataclass(frozen=True)
class EconomicsFigures:
    """What the Economics page and ``economics-metrics/`` show."""

    currency: str
    year: int
    quarter: int
    month: datetime.date
    cac: metrics.CacFigures
    retention: dict[str, metrics.Retention]
    cltv: list[CltvRow]
    cltv_partners: int  # partners with any managed revenue (the table shows the top ``CLTV_TOP``)


def economics_figures(
    *,
    tenant: Tenant,
    year: int | None = None,
    quarter: int | None = None,
    month: datetime.date | None = None,
    top: int = CLTV_TOP,
) -> EconomicsFigures:
    """CAC of a quarter (default: the last complete one), retention over the 12 months ending ``month``
    (default: the last complete month), and the partners' CLTV contribution (top ``top``).

    Four queries whatever the data: the currency, the revenue, the costs, the top partners' names.
    """
    if year is None or quarter is None:
        year, quarter = default_quarter()
    month = (month or default_month()).replace(day=1)
    currency = program_currency(tenant=tenant)
    revenue = revenue_frame(tenant=tenant)
    costs = cost_frame(tenant=tenant)
    cltv = metrics.cltv_contribution(revenue)
    head = cltv.head(top)
    ids = [int(pk) for pk in head["partner_id"]]
    partners = {
        pk: (public_id, name)
        for pk, public_id, name in PartnerOrganization.objects.filter(tenant=tenant, pk__in=ids).values_list(
            "pk", "public_id", "name"
        )
    }
    rows = [
        CltvRow(
            partner_id=pk,
            partner_public_id=partners.get(pk, (None, ""))[0],
            partner_name=partners.get(pk, (None, "—"))[1],
            revenue=float(revenue_sum),
            accounts=int(accounts),
            months=int(months),
            average_months=float(average),
        )
        for pk, revenue_sum, accounts, months, average in zip(
            ids, head["revenue"], head["accounts"], head["months"], head["average_months"], strict=True
        )
    ]
    return EconomicsFigures(
        currency=currency,
        year=year,
        quarter=quarter,
        month=month,
        cac=metrics.cac(revenue, costs, year, quarter),
        retention=metrics.retention(revenue, month),
        cltv=rows,
        cltv_partners=len(cltv),
    )


# --- lists -----------------------------------------------------------------------------------------


def revenue_rows(*, tenant: Tenant, month: datetime.date | None = None, partner_id: int | None = None) -> QuerySet:
    """Stored account-months, the latest month first, then by account name; optionally one month or one partner."""
    rows = CustomerRevenue.objects.filter(tenant=tenant)
    if month is not None:
        rows = rows.filter(month=month)
    if partner_id is not None:
        rows = rows.filter(managing_partner_id=partner_id)
    return rows.select_related("account", "managing_partner").order_by("-month", "account__name", "id")


def latest_months(*, tenant: Tenant, count: int = 24) -> list[datetime.date]:
    """The latest months with revenue recorded (for the month filter). One query."""
    return list(
        CustomerRevenue.objects.filter(tenant=tenant).order_by("-month").values_list("month", flat=True).distinct()[:count]
    )


def cltv_months(*, tenant: Tenant, partner: PartnerOrganization) -> QuerySet:
    """The account-months behind a partner's CLTV contribution: managed by it, MRR > 0 (see metrics)."""
    return (
        CustomerRevenue.objects.filter(tenant=tenant, managing_partner=partner, mrr__gt=0)
        .select_related("account")
        .order_by("account__name", "account_id", "month")
    )


def access_partner(*, tenant: Tenant, public_id: Any) -> PartnerOrganization:
    """A partner of the tenant by public id; missing and foreign are the same NotFound."""
    partner = PartnerOrganization.objects.filter(tenant=tenant, public_id=public_id).first()
    if partner is None:
        raise NotFoundError()
    return partner


@dataclass(frozen=True)
class CostPeriod:
    year: int
    quarter: int
    amounts: dict[str, ProgramCost | None]  # category -> the row, or None when not entered

    @property
    def partner_total(self):
        return sum((c.amount for key, c in self.amounts.items() if c is not None and key != CostCategory.DIRECT_SALES), start=0)


def cost_table(*, tenant: Tenant) -> list[CostPeriod]:
    """The costs by quarter (latest first), one column per category. One query."""
    periods: dict[tuple[int, int], dict[str, ProgramCost | None]] = {}
    for cost in ProgramCost.objects.filter(tenant=tenant).order_by("-year", "-quarter", "category"):
        periods.setdefault((cost.year, cost.quarter), dict.fromkeys(CostCategory.values))[cost.category] = cost
    return [CostPeriod(year, quarter, amounts) for (year, quarter), amounts in periods.items()]
