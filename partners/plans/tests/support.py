"""Set-up for the plan tests: registrations and certifications written as rows, with the dates the figures turn on."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from deals.models import CustomerAccount, DealRegistration
from ecosystem.tenancy.context import tenant_context
from onboarding.models import Certification
from partners.plans import services
from tests.factories import MembershipFactory, UserFactory

_numbers = itertools.count(1)


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0, second: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, second, tzinfo=datetime.UTC)


def registration(
    tenant,
    partner,
    *,
    submitted: datetime.datetime,
    value: str,
    status: str = "approved",
    stage: str = "qualification",
    closed_amount: str | None = None,
    closed_on: datetime.date | None = None,
) -> DealRegistration:
    """A registration row as the workflow would leave it (written directly: the dates are the point)."""
    n = next(_numbers)
    with tenant_context(tenant.pk):
        account, _ = CustomerAccount.objects.get_or_create(
            tenant=tenant,
            root_domain=f"plan{n}.example",
            defaults={"name": f"Plan customer {n}", "name_key": f"plan customer {n}", "domain": f"plan{n}.example"},
        )
        return DealRegistration.objects.create(
            tenant=tenant,
            partner=partner,
            account=account,
            customer_name=f"Plan customer {n}",
            customer_domain=f"plan{n}.example",
            contact_name="Pat Buyer",
            product_lines=["compute"],
            value=Decimal(value),
            currency="USD",
            expected_close_date=submitted.date(),
            stage=stage,
            status=status,
            team_partner_ids=[partner.pk],
            submitted_at=submitted,
            closed_amount=Decimal(closed_amount) if closed_amount is not None else None,
            closed_on=closed_on,
        )


def certification(
    tenant,
    partner,
    user,
    course,
    *,
    issued: datetime.date,
    expires: datetime.date,
    revoked: datetime.date | None = None,
) -> Certification:
    with tenant_context(tenant.pk):
        return Certification.objects.create(
            tenant=tenant,
            partner=partner,
            user=user,
            course=course,
            credential_number=f"PLAN-{next(_numbers):06d}",
            issued_at=at(issued.year, issued.month, issued.day),
            expires_on=expires,
            revoked_at=at(revoked.year, revoked.month, revoked.day) if revoked else None,
        )


def partner_person(tenant, partner, *, role: str = "partner_rep", tag: str = ""):
    user = UserFactory(email=f"person-{next(_numbers)}{tag}@example.com")
    with tenant_context(tenant.pk):
        MembershipFactory(tenant=tenant, user=user, role=role, partner=partner)
    return user


Q3_START = datetime.date(2026, 7, 1)
Q3_END = datetime.date(2026, 9, 30)


def plan_for(tenant_world, *, partner=None, start=Q3_START, end=Q3_END, goals: dict | None = None, **extra):
    """A plan of tenant_world's partner 1 (or ``partner``) with ``goals`` {metric: target}, made by the owner."""
    tenant = tenant_world.tenant
    with tenant_context(tenant.pk):
        plan = services.plan_create(
            tenant=tenant,
            actor=tenant_world.owner,
            title="Joint plan",
            period_start=start,
            period_end=end,
            partner=partner or tenant_world.partner1,
            **extra,
        )
        for metric, target in (goals or {}).items():
            services.goal_add(tenant=tenant, actor=tenant_world.owner, plan=plan, metric=metric, target=target)
    return plan
