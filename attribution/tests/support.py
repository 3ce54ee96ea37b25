"""A small hand-built world for the attribution tests: accounts, registrations and touchpoints written directly."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from typing import Any

from django.utils import timezone

from attribution.models import Touchpoint, TouchpointSource, TouchpointType
from deals.models import CustomerAccount, DealRegistration
from deals.models.registrations import DealStage, RegistrationStatus
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization

_numbers = itertools.count(1)


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def account(tenant: Tenant, name: str | None = None) -> CustomerAccount:
    n = next(_numbers)
    name = name or f"Customer {n}"
    return CustomerAccount.objects.create(tenant=tenant, name=name, name_key=name.lower(), domain=f"customer{n}.example")


def registration(
    tenant: Tenant,
    partner: PartnerOrganization,
    customer: CustomerAccount,
    *,
    submitted: datetime.date,
    stage: str = DealStage.PROSPECTING,
    status: str = RegistrationStatus.APPROVED,
    closed_on: datetime.date | None = None,
    closed_amount: str | None = None,
    value: str = "1000",
    protected_until: datetime.date | None = None,
    currency: str = "USD",
    **extra: Any,
) -> DealRegistration:
    return DealRegistration.objects.create(
        tenant=tenant,
        partner=partner,
        account=customer,
        customer_name=customer.name,
        customer_domain=customer.domain,
        contact_name="Pat Buyer",
        product_lines=["platform"],
        value=Decimal(value),
        currency=currency,
        expected_close_date=submitted + datetime.timedelta(days=60),
        stage=stage,
        status=status,
        submitted_at=at(submitted),
        decided_at=at(submitted) if status in (RegistrationStatus.APPROVED, RegistrationStatus.WON) else None,
        protected_until=protected_until,
        closed_on=closed_on,
        closed_amount=None if closed_amount is None else Decimal(closed_amount),
        team_partner_ids=[partner.pk],
        **extra,
    )


def touch(
    tenant: Tenant,
    partner: PartnerOrganization,
    customer: CustomerAccount,
    day: datetime.date,
    touch_type: str = TouchpointType.REFERRAL,
    **extra: Any,
) -> Touchpoint:
    return Touchpoint.objects.create(
        tenant=tenant,
        partner=partner,
        account=customer,
        touch_type=touch_type,
        occurred_at=at(day),
        source=TouchpointSource.IMPORTED,
        **extra,
    )
