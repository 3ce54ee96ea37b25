"""The quarter's accruals of a rebate program: per partner, what counted (the lines), the measured total
and the rebate by the program's tiers.

What counts, per measure (the period is a calendar quarter; amounts in the program's currency):

* **Closed-won revenue** — the partner's deal registrations with status *won* whose ``closed_on``
  falls in the quarter: their ``closed_amount``, converted from the registration's currency into the
  program currency at the rate of the close date (:mod:`deals.currency`: the tenant's rate row with
  the latest ``valid_from`` on or before that day). One line per deal. A deal whose currency has no
  rate on that day is **not counted** and reported (``unconverted``), never guessed. Only the
  registering partner is credited (co-selling partners of the deal are not).
* **Renewal revenue** — for each month of the quarter, the MRR (attribution.economics
  ``CustomerRevenue``) of the accounts the partner managed that month, counted only when the same
  account already paid (MRR > 0) in the month twelve months before: a customer that renewed, not a
  new one. One line per account-month.
* **Usage** — the imported usage figures of the program's metric for the quarter's months, credited
  to the partner that managed the account that month (its customer revenue row's managing partner),
  else the account's owner partner. One line per usage figure. Totals are in units, and the rates
  are an amount per unit.

Eligibility: the program's partner types and tiers (none: every partner); a partner's current type
and tier decide. A partner with nothing that counts gets no statement.

Recomputing a quarter **replaces** the partner's statement while it is *computed*; an *approved* or
*paid* statement is never changed (it is kept as it is and counted as ``kept``); a computed
statement whose partner no longer has anything that counts is removed. The program row is locked
for the computation, so two computations of one program take turns.

Sums are integer cents in numpy/pandas (exact); one query per source table, one bulk insert for the
statements and one for the lines.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from django.db.models import BigIntegerField, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from attribution.economics.metrics import months_back, quarter_months
from attribution.economics.models import CustomerRevenue
from deals.currency import program_currency_in_scope, rate_table
from deals.models import DealRegistration, RegistrationStatus
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError, ConflictError
from ecosystem.tenancy.context import tenant_atomic
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization

from ..models import (
    LineKind,
    Measure,
    ProgramStatus,
    RebateProgram,
    RebateStatement,
    RebateStatementLine,
    UsageFigure,
)
from ..rebates import rebate_for, tiers_as_json
from .programs import program_tiers

LINE_COLUMNS = ["partner_id", "source_id", "description", "day", "original_amount", "original_currency", "exchange_rate", "cents"]


@dataclass
class AccrualResult:
    """What a computation did. ``kept``: approved or paid statements left as they were."""

    year: int
    quarter: int
    created: int = 0
    replaced: int = 0
    removed: int = 0
    kept: int = 0
    unconverted: int = 0
    rebate_total: Decimal = Decimal("0.00")
    partners: list[int] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "period": f"{self.year}-Q{self.quarter}",
            "created": self.created,
            "replaced": self.replaced,
            "removed": self.removed,
            "kept": self.kept,
            "unconverted": self.unconverted,
            "rebate_total": str(self.rebate_total),
        }


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    """The first day of the quarter and the first day after it."""
    first, last = quarter_months(year, quarter)
    return first, months_back(last, -1)


def check_period(year: Any, quarter: Any, *, today: datetime.date | None = None) -> tuple[int, int]:
    """The quarter as ints; a quarter that has not started yet is refused (400 naming the field)."""
    try:
        year, quarter = int(year), int(quarter)
    except (TypeError, ValueError):
        raise ApplicationError(_("Give the year and the quarter (1–4)."), code="invalid_period", field="quarter") from None
    if not 2000 <= year <= 2100:
        raise ApplicationError(_("Give a year from 2000 to 2100."), code="invalid_year", field="year")
    if not 1 <= quarter <= 4:
        raise ApplicationError(_("The quarter is 1, 2, 3 or 4."), code="invalid_quarter", field="quarter")
    if quarter_bounds(year, quarter)[0] > (today or timezone.localdate()):
        raise ApplicationError(_("This quarter has not started yet."), code="future_period", field="quarter")
    return year, quarter


def _eligible(tenant: Tenant, program: RebateProgram) -> dict[int, str]:
    """{partner pk: name} of the partners the program is for (one query)."""
    partners = PartnerOrganization.objects.filter(tenant=tenant)
    if program.partner_types:
        partners = partners.filter(partner_type__in=program.partner_types)
    if program.tier_ids:
        partners = partners.filter(tier__public_id__in=program.tier_ids)
    return dict(partners.values_list("pk", "name"))


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=LINE_COLUMNS)


def _cents(values) -> np.ndarray:
    return np.rint(np.asarray(values, dtype=np.float64) * 100).astype(np.int64)


def closed_won_lines(
    tenant: Tenant, partner_ids: list[int], start: datetime.date, end: datetime.date
) -> tuple[pd.DataFrame, int]:
    """One line per won deal of the partners closed in [start, end), converted; and how many had no rate."""
    rows = list(
        DealRegistration.objects.filter(
            tenant=tenant,
            partner_id__in=partner_ids,
            status=RegistrationStatus.WON,
            closed_on__gte=start,
            closed_on__lt=end,
            closed_amount__isnull=False,
        )
        .order_by("closed_on", "id")
        .values_list("partner_id", "public_id", "customer_name", "closed_on", "closed_amount", "currency")
    )
    if not rows:
        return _empty(), 0
    frame = pd.DataFrame(rows, columns=["partner_id", "source_id", "description", "day", "original_amount", "original_currency"])
    conversion = rate_table().convert(
        frame["original_amount"].astype(np.float64).to_numpy(),
        frame["original_currency"].to_numpy(dtype=object),
        frame["day"].to_numpy(dtype="datetime64[D]"),
    )
    frame["exchange_rate"] = conversion.rates
    frame["cents"] = _cents(np.where(conversion.missing, 0.0, conversion.values))
    return frame.loc[~conversion.missing, LINE_COLUMNS], conversion.missing_count


def renewal_lines(tenant: Tenant, partner_ids: list[int], start: datetime.date, end: datetime.date) -> pd.DataFrame:
    """One line per account-month in [start, end) the partner managed, with MRR > 0 that month and twelve months before."""
    months = [start, months_back(start, -1), months_back(start, -2)]
    rows = list(
        CustomerRevenue.objects.filter(tenant=tenant, managing_partner_id__in=partner_ids, month__in=months, mrr__gt=0)
        .order_by("month", "account__name", "id")
        .values_list("managing_partner_id", "account_id", "account__public_id", "account__name", "month", "mrr")
    )
    if not rows:
        return _empty()
    frame = pd.DataFrame(rows, columns=["partner_id", "account_id", "source_id", "description", "day", "mrr"])
    earlier = pd.DataFrame(
        list(
            CustomerRevenue.objects.filter(tenant=tenant, month__in=[months_back(m, 12) for m in months], mrr__gt=0).values_list(
                "account_id", "month"
            )
        ),
        columns=["account_id", "earlier"],
    )
    if earlier.empty:
        return _empty()
    # the month twelve months before each line's month, then keep the lines whose account paid then
    frame["earlier"] = frame["day"].map({m: months_back(m, 12) for m in months})
    frame = frame.merge(earlier.assign(paid=True), on=["account_id", "earlier"], how="left")
    frame = frame[frame["paid"].eq(True)].copy()
    frame["original_amount"], frame["original_currency"], frame["exchange_rate"] = None, "", None
    frame["cents"] = _cents(frame["mrr"].astype(np.float64))
    return frame[LINE_COLUMNS]


def usage_lines(tenant: Tenant, partner_ids: list[int], metric: str, start: datetime.date, end: datetime.date) -> pd.DataFrame:
    """One line per usage figure of ``metric`` in [start, end) whose account the partner managed that month."""
    manager = CustomerRevenue.objects.filter(tenant=tenant, account_id=OuterRef("account_id"), month=OuterRef("month")).values(
        "managing_partner_id"
    )[:1]
    rows = list(
        UsageFigure.objects.filter(tenant=tenant, metric=metric, month__gte=start, month__lt=end, quantity__gt=0)
        .annotate(credited=Coalesce(Subquery(manager), F("account__owner_partner_id"), output_field=BigIntegerField()))
        .filter(credited__in=partner_ids)
        .order_by("month", "account__name", "id")
        .values_list("credited", "public_id", "account__name", "month", "quantity")
    )
    if not rows:
        return _empty()
    frame = pd.DataFrame(rows, columns=["partner_id", "source_id", "description", "day", "quantity"])
    frame["original_amount"], frame["original_currency"], frame["exchange_rate"] = None, "", None
    frame["cents"] = _cents(frame["quantity"].astype(np.float64))
    return frame[LINE_COLUMNS]


def measured_lines(tenant: Tenant, program: RebateProgram, partner_ids: list[int], year: int, quarter: int):
    """``(lines, unconverted)`` for the program's measure over the quarter."""
    start, end = quarter_bounds(year, quarter)
    if not partner_ids:
        return _empty(), 0
    if program.measure == Measure.CLOSED_WON_REVENUE:
        return closed_won_lines(tenant, partner_ids, start, end)
    if program.measure == Measure.RENEWAL_REVENUE:
        return renewal_lines(tenant, partner_ids, start, end), 0
    return usage_lines(tenant, partner_ids, program.usage_metric, start, end), 0


def _decimal(value: Any, places: str = "0.01") -> Decimal | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return Decimal(repr(float(value)) if isinstance(value, float | np.floating) else str(value)).quantize(Decimal(places))


_KIND = {
    Measure.CLOSED_WON_REVENUE: LineKind.DEAL,
    Measure.RENEWAL_REVENUE: LineKind.ACCOUNT_MONTH,
    Measure.USAGE: LineKind.USAGE,
}


def accruals_compute(
    *, tenant: Tenant, program: RebateProgram, year: Any, quarter: Any, actor: Any = None, today: datetime.date | None = None
) -> AccrualResult:
    """Compute (or recompute) the quarter's statements of ``program`` (see the module docstring).

    Refuses an archived program (``409 program_archived``), a quarter not started (``400``), and a
    program whose currency is no longer the program currency (``409 currency_changed``: amounts
    would be converted into another currency than the program's).
    """
    year, quarter = check_period(year, quarter, today=today)
    result = AccrualResult(year=year, quarter=quarter)
    with tenant_atomic():
        locked = RebateProgram.objects.select_for_update().get(tenant=tenant, pk=program.pk)
        if locked.status == ProgramStatus.ARCHIVED:
            raise ConflictError(_("An archived program is not computed."), code="program_archived", field=None)
        if locked.measure != Measure.USAGE and program_currency_in_scope() != locked.currency:
            message = _("The program currency changed since this program was created; create a new program.")
            raise ConflictError(message, code="currency_changed", field=None)
        tiers = program_tiers(locked)
        eligible = _eligible(tenant, locked)
        lines, result.unconverted = measured_lines(tenant, locked, list(eligible), year, quarter)
        totals = (
            lines.groupby("partner_id")["cents"].agg(["sum", "count"]) if len(lines) else pd.DataFrame(columns=["sum", "count"])
        )

        existing = {
            s.partner_id: s
            for s in RebateStatement.objects.select_for_update().filter(tenant=tenant, program=locked, year=year, quarter=quarter)
        }
        settled = {pid for pid, s in existing.items() if s.is_settled}
        stale = [s.pk for pid, s in existing.items() if pid not in settled]
        result.kept = len(settled)
        result.replaced = sum(1 for pid in totals.index if pid in existing and pid not in settled)
        result.removed = sum(1 for pid, s in existing.items() if pid not in settled and pid not in totals.index)
        RebateStatementLine.objects.filter(tenant=tenant, statement_id__in=stale).delete()
        RebateStatement.objects.filter(tenant=tenant, pk__in=stale).delete()

        now = timezone.now()
        statements = []
        for partner_id, row in totals.iterrows():  # one per partner: the tiers apply to each partner's total
            if partner_id in settled:
                continue
            measured = Decimal(int(row["sum"])) / 100
            statements.append(
                RebateStatement(
                    tenant=tenant,
                    program=locked,
                    partner_id=int(partner_id),
                    year=year,
                    quarter=quarter,
                    measure=locked.measure,
                    rate_mode=locked.rate_mode,
                    currency=locked.currency,
                    tiers=tiers_as_json(tiers),
                    measured_total=measured.quantize(Decimal("0.01")),
                    rebate_amount=rebate_for(measured, tiers, mode=locked.rate_mode, percent=locked.is_money),
                    line_count=int(row["count"]),
                    computed_at=now,
                )
            )
        RebateStatement.objects.bulk_create(statements)
        by_partner = {s.partner_id: s.pk for s in statements}
        wanted = lines[lines["partner_id"].isin(by_partner)]
        kind = _KIND[locked.measure]
        RebateStatementLine.objects.bulk_create(
            [
                RebateStatementLine(
                    tenant=tenant,
                    statement_id=by_partner[partner_id],
                    partner_id=partner_id,
                    kind=kind,
                    source_id=source_id,
                    description=str(description)[:250],
                    day=day,
                    original_amount=_decimal(original_amount),
                    original_currency=original_currency or "",
                    exchange_rate=_decimal(exchange_rate, "0.00000001"),
                    amount=Decimal(int(cents)) / 100,
                )
                for partner_id, source_id, description, day, original_amount, original_currency, exchange_rate, cents in wanted[
                    LINE_COLUMNS
                ].itertuples(index=False)
            ],
            batch_size=5_000,
        )
        result.created = len(statements) - result.replaced
        result.partners = sorted(by_partner)
        result.rebate_total = sum((s.rebate_amount for s in statements), Decimal("0.00"))
        audit_record(tenant=tenant, actor=actor, action="incentives.accruals_compute", target=locked, changes=result.summary())
    return result
