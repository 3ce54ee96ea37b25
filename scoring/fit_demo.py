"""Demo data for ``seed_demo`` (idempotent): a year of closed-won history in which managed service
providers and partners offering security in EMEA win most, the partners' regions and capabilities,
and join dates a year or two back, so the ideal partner profile has something to learn; then the
profile is trained and every open application and prospect partner scored.

Closed history is written directly (these deals are over: there is nothing for a service to decide),
marked by customer domains ending in ``-fit.example``.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from deals.models import CustomerAccount, DealRegistration
from deals.models.registrations import DealStage, RegistrationStatus
from ecosystem.tenancy.context import tenant_atomic
from ecosystem.tenancy.models import Tenant
from partners.models import Capability, PartnerOrganization, PartnerStatus, PartnerType, Region

from .fit_service import fit_profile_train, fit_scores_refresh
from .models import ModelKind, PredictionModel

MARK = "-fit.example"
FALLBACK_CAPABILITIES = ("cloud-migration", "security", "data-and-analytics", "managed-services")
REGIONS = [value for value, _label in Region.choices]


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def _strength(partner: PartnerOrganization) -> float:
    """The planted mechanism: expected won deals a year."""
    wins = 1.0
    if partner.partner_type == PartnerType.MSP:
        wins += 4
    if "security" in partner.capabilities:
        wins += 3
    if "emea" in partner.regions:
        wins += 1.5
    return wins


def seed(*, tenant: Tenant, owner, partners: dict[str, PartnerOrganization]) -> None:
    with tenant_atomic():
        if PredictionModel.objects.filter(kind=ModelKind.FIT).exists():
            return
        if not CustomerAccount.objects.filter(domain__endswith=MARK).exists():
            _history(tenant, sorted(partners.values(), key=lambda p: p.pk))
    fit_profile_train(tenant=tenant, actor=owner)
    fit_scores_refresh(tenant=tenant)


def _history(tenant: Tenant, partners: list[PartnerOrganization]) -> None:
    rng = random.Random(1723)
    today = timezone.localdate()
    capabilities = list(Capability.objects.order_by("slug").values_list("slug", flat=True)) or list(FALLBACK_CAPABILITIES)
    for partner in partners:
        if not partner.regions:
            partner.regions = sorted(rng.sample(REGIONS, rng.choice((1, 1, 2))))
        if not partner.capabilities:
            partner.capabilities = sorted(rng.sample(capabilities, min(len(capabilities), rng.choice((1, 2, 2, 3)))))
        joined = today - datetime.timedelta(days=rng.randrange(200, 800) if partner.status == PartnerStatus.ACTIVE else 30)
        PartnerOrganization.objects.filter(pk=partner.pk).update(
            regions=partner.regions, capabilities=partner.capabilities, created_at=_at(joined, 9)
        )
    number = 0
    for partner in partners:
        if partner.status not in (PartnerStatus.ACTIVE, PartnerStatus.AT_RISK):
            continue
        for _ in range(max(0, round(rng.gauss(_strength(partner), 1.0)))):
            number += 1
            name = f"Fit Customer {number}"
            domain = f"customer{number}{MARK}"
            account = CustomerAccount.objects.create(tenant=tenant, name=name, name_key=name.lower(), domain=domain)
            closed = today - datetime.timedelta(days=rng.randrange(5, 360))
            submitted = closed - datetime.timedelta(days=rng.randrange(20, 90))
            amount = Decimal(rng.randrange(10, 90) * 1000)
            DealRegistration.objects.create(
                tenant=tenant,
                partner=partner,
                account=account,
                customer_name=name,
                customer_domain=domain,
                contact_name="Casey Buyer",
                product_lines=["platform"],
                value=amount,
                currency="USD",
                expected_close_date=closed,
                stage=DealStage.CLOSED_WON,
                status=RegistrationStatus.WON,
                submitted_at=_at(submitted, 10),
                decided_at=_at(submitted, 15),
                protected_until=submitted + datetime.timedelta(days=120),
                closed_on=closed,
                closed_amount=amount,
                team_partner_ids=[partner.pk],
            )
