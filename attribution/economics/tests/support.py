"""Shared set-up for the economics tests: customer accounts and stored revenue in tenant A."""

from __future__ import annotations

import datetime
from decimal import Decimal

from attribution.economics import services
from deals.accounts import customer_account_create
from deals.models import CustomerAccount
from ecosystem.tenancy.context import tenant_context


def account(tenant_world, name: str, domain: str, external_id: str = "") -> CustomerAccount:
    a = tenant_world
    with tenant_context(a.tenant.pk, user_id=a.owner.pk):
        return customer_account_create(tenant=a.tenant, actor=a.owner, name=name, domain=domain, external_id=external_id)


def store(tenant_world, rows: list[tuple]) -> None:
    """Store ``(account, date, mrr, partner or None)`` rows through the API's service."""
    a = tenant_world
    items = [
        {"account": acct, "month": month, "mrr": Decimal(str(mrr)), "managing_partner": partner}
        for acct, month, mrr, partner in rows
    ]
    with tenant_context(a.tenant.pk, user_id=a.owner.pk):
        services.customer_revenue_record(tenant=a.tenant, actor=a.owner, items=items, many=True)


def month(year: int, number: int) -> datetime.date:
    return datetime.date(year, number, 1)
