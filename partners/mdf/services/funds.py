"""A partner's funds in one budget (own allocation, else the tier's, else nothing) and what a budget's requests hold."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum

from ecosystem.tenancy.context import across_partners
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization

from ..models import (
    FUNDED_STATUSES,
    MdfAllocation,
    MdfBudget,
    MdfRequest,
)

# --- funds -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Funds:
    """A partner's funds in one budget. ``source``: ``partner`` (own allocation), ``tier`` or ``none``."""

    available: Decimal
    committed: Decimal
    source: str

    @property
    def remaining(self) -> Decimal:
        return max(self.available - self.committed, Decimal(0))


def _allocations_of(*, tenant: Tenant, budget: MdfBudget, partner: PartnerOrganization):
    rule = Q(partner_id=partner.pk)
    if partner.tier_id is not None:
        rule |= Q(tier_id=partner.tier_id)
    return MdfAllocation.objects.filter(tenant=tenant, budget=budget).filter(rule)


def partner_funds(
    *, tenant: Tenant, budget: MdfBudget, partner: PartnerOrganization, exclude_request_id: int | None = None
) -> Funds:
    """Available funds (own allocation, else the tier's per-partner allocation, else nothing) and what is committed.

    Committed: the approved amounts of the partner's funded requests in this budget (minus
    ``exclude_request_id``, the one being decided). Two queries.
    """
    with across_partners(reason="mdf: a partner's own allocation lives in staff-only rows"):
        rows = list(_allocations_of(tenant=tenant, budget=budget, partner=partner).values_list("partner_id", "amount"))
    own = [amount for partner_id, amount in rows if partner_id is not None]
    tier = [amount for partner_id, amount in rows if partner_id is None]
    if own:
        available, source = own[0], "partner"
    elif tier:
        available, source = tier[0], "tier"
    else:
        available, source = Decimal(0), "none"
    committed = (
        MdfRequest.objects.filter(tenant=tenant, budget=budget, partner_id=partner.pk, status__in=FUNDED_STATUSES)
        .exclude(pk=exclude_request_id)
        .aggregate(total=Sum("approved_amount"))["total"]
    )
    return Funds(available=available, committed=committed or Decimal(0), source=source)


def budget_committed(*, tenant: Tenant, budget: MdfBudget, exclude_request_id: int | None = None) -> Decimal:
    total = (
        MdfRequest.objects.filter(tenant=tenant, budget=budget, status__in=FUNDED_STATUSES)
        .exclude(pk=exclude_request_id)
        .aggregate(total=Sum("approved_amount"))["total"]
    )
    return total or Decimal(0)
