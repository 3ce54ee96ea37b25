"""Shared set-up for the incentives tests: programs, won deals, customer revenue and usage in tenant A.

The quarter under test is 2026 Q2 (April to June 2026), complete before the tests' today.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from attribution.economics.tests.support import account, month, store
from attribution.incentives import services
from attribution.incentives.models import RebateProgram
from deals.models import DealRegistration
from deals.tests.support import product_lines_for, submit_as
from ecosystem.tenancy.context import tenant_context

YEAR, QUARTER = 2026, 2
D = Decimal

__all__ = ["QUARTER", "YEAR", "D", "account", "compute", "month", "program", "store", "won_deal"]


def as_manager(tenant_world):
    return tenant_context(tenant_world.tenant.pk, user_id=tenant_world.manager.pk)


def program(tenant_world, *, rates=(("0", "2"), ("100000", "4")), **values: Any) -> RebateProgram:
    """An active closed-won program (unless told otherwise) with 0 → 2 %, 100,000 → 4 %."""
    fields = {"name": "Growth rebate", "measure": "closed_won_revenue", "rate_mode": "marginal", "status": "active"}
    fields.update(values)
    fields["rates"] = [{"threshold": t, "rate": r} for t, r in rates]
    with as_manager(tenant_world):
        return services.program_create(tenant=tenant_world.tenant, actor=tenant_world.manager, values=fields)


def won_deal(
    tenant_world, partner, user, *, amount: str, closed_on: datetime.date, customer: str, currency: str = "USD"
) -> DealRegistration:
    """A registration of ``partner`` closed won for ``amount`` (in ``currency``) on ``closed_on``."""
    product_lines_for(tenant_world.tenant)
    registration = submit_as(
        tenant_world.tenant,
        partner,
        user,
        customer_name=f"{customer} Ltd",
        customer_domain=f"{customer.lower()}.example",
        value=amount,
        currency=currency,
    ).registration
    with tenant_context(tenant_world.tenant.pk):
        DealRegistration.objects.filter(pk=registration.pk).update(
            status="won", stage="closed_won", closed_amount=amount, closed_on=closed_on
        )
        registration.refresh_from_db()
    return registration


def compute(tenant_world, prog, year: int = YEAR, quarter: int = QUARTER):
    with as_manager(tenant_world):
        return services.accruals_compute(
            tenant=tenant_world.tenant, program=prog, year=year, quarter=quarter, actor=tenant_world.manager
        )
