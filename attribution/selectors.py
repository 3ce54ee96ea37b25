"""Reads of the attribution app: sourced versus influenced revenue per won deal.

Rule-based labels (``ATTRIBUTION.md``), per deal registration won (stage ``closed_won``) with
``closed_on`` in the period:

- **Sourced**: the registering partner, when its registration was approved (status ``approved`` or
  ``won`` with a decision date), the deal closed inside its protection window
  (``closed_on ≤ protected_until``), and the vendor's own sales team was not engaged first: no direct
  opportunity on the customer account was recorded (imported from the CRM) before the registration
  was submitted. At most one sourcing partner per deal; a deal closed after the protection ended,
  never approved, or worked by direct sales first has none. (A lead accepted by a partner that
  became the deal is the same registration, so its partner is the source by this rule.)
- **Influenced**: every *other* partner with a touchpoint on the deal's customer account dated in
  the ``window_days`` (default 90) before the close, close day included: influenced = touched minus
  sourced.

The deal's value is ``closed_amount`` (the registration's ``value`` when none was recorded) in the
program currency, converted at the close-date rate of the tenant's rate table (:mod:`deals.currency`);
a deal whose currency has no rate on its close date is left out, as in a run. Five queries
(registrations, touchpoints, direct opportunities, the program currency and its rates), ``values_list``.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from django.utils import timezone

from deals.currency import rate_table
from deals.models import DealRegistration, DirectOpportunity
from deals.models.registrations import DealStage, RegistrationStatus

from .models import Touchpoint

DEFAULT_INFLUENCE_WINDOW_DAYS = 90
CENTS = Decimal("0.01")
APPROVED_STATUSES = (RegistrationStatus.APPROVED, RegistrationStatus.WON)


@dataclass(frozen=True)
class DealSourcing:
    registration_id: int
    public_id: UUID
    customer_name: str
    closed_on: datetime.date
    value: Decimal
    sourced_partner_id: int | None
    influenced_partner_ids: tuple[int, ...]


def sourced_vs_influenced(
    *, period_start: datetime.date, period_end: datetime.date, window_days: int = DEFAULT_INFLUENCE_WINDOW_DAYS
) -> list[DealSourcing]:
    """Per won deal in the period (ordered by close date, then id), its sourcing and influencing partners."""
    deals = DealRegistration.objects.filter(stage=DealStage.CLOSED_WON, closed_on__range=(period_start, period_end)).values_list(
        "id",
        "public_id",
        "customer_name",
        "account_id",
        "partner_id",
        "status",
        "decided_at",
        "protected_until",
        "closed_on",
        "closed_amount",
        "value",
        "currency",
        "submitted_at",
    )
    deals = sorted(deals, key=lambda row: (row[8], row[0]))
    if not deals:
        return []
    window = datetime.timedelta(days=window_days)
    tz = timezone.get_current_timezone()
    touches = Touchpoint.objects.filter(
        account_id__in={row[3] for row in deals},
        occurred_at__gte=datetime.datetime.combine(period_start - window, datetime.time.min, tzinfo=tz),
        occurred_at__lt=datetime.datetime.combine(period_end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz),
    ).values_list("account_id", "partner_id", "occurred_at")
    direct_since: dict[int, datetime.datetime] = {}
    for account_id, created_at in DirectOpportunity.objects.filter(account_id__in={row[3] for row in deals}).values_list(
        "account_id", "created_at"
    ):
        direct_since[account_id] = min(created_at, direct_since.get(account_id, created_at))
    rates = rate_table()
    by_account: dict[int, list[tuple[datetime.date, int]]] = defaultdict(list)
    for account_id, partner_id, occurred_at in touches:
        by_account[account_id].append((timezone.localtime(occurred_at, tz).date(), partner_id))

    out = []
    for (
        reg_id,
        public_id,
        customer,
        account_id,
        partner_id,
        status,
        decided_at,
        protected_until,
        closed_on,
        amount,
        value,
        currency,
        submitted_at,
    ) in deals:
        rate = rates.rate_on(currency, closed_on)
        if rate is None:
            continue  # no rate for the deal's currency on its close date: left out, as in a run
        direct_first = account_id in direct_since and direct_since[account_id] < submitted_at
        sourced = (
            partner_id
            if status in APPROVED_STATUSES
            and decided_at is not None
            and protected_until is not None
            and closed_on <= protected_until
            and not direct_first
            else None
        )
        touched = {p for day, p in by_account.get(account_id, ()) if closed_on - window <= day <= closed_on}
        out.append(
            DealSourcing(
                registration_id=reg_id,
                public_id=public_id,
                customer_name=customer,
                closed_on=closed_on,
                value=((amount if amount is not None else value) * rate).quantize(CENTS),
                sourced_partner_id=sourced,
                influenced_partner_ids=tuple(sorted(touched - {sourced})),
            )
        )
    return out


def sourced_influenced_by_partner(deals: list[DealSourcing]) -> dict[int, dict[str, Decimal]]:
    """Per partner id: ``sourced`` and ``influenced`` revenue and deal counts over ``deals``."""
    totals: dict[int, dict[str, Decimal]] = defaultdict(
        lambda: {"sourced": Decimal(0), "influenced": Decimal(0), "sourced_deals": Decimal(0), "influenced_deals": Decimal(0)}
    )
    for deal in deals:
        if deal.sourced_partner_id is not None:
            totals[deal.sourced_partner_id]["sourced"] += deal.value
            totals[deal.sourced_partner_id]["sourced_deals"] += 1
        for partner_id in deal.influenced_partner_ids:
            totals[partner_id]["influenced"] += deal.value
            totals[partner_id]["influenced_deals"] += 1
    return dict(totals)
