"""Demo data for ``seed_demo`` (idempotent: running it twice changes nothing).

Six months of closed history for revenue attribution: 48 customer journeys, about a third won, each
registered by one partner and touched before the close by others (referrals, technical validation,
implementation, co-selling), some in euros to show the close-date rate. Closed history is written
directly (these deals are over: there is nothing for a service to decide or protect), the
touchpoints as an import would write them (``external_id`` ``demo:…``). Then the platform's own
touchpoints are derived and two runs are computed (by partner and by partner type), so the pages
have figures on first open.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from deals.models import CurrencyRate, CustomerAccount, DealRegistration
from deals.models.registrations import DealStage, RegistrationStatus
from ecosystem.tenancy.context import tenant_atomic
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization

from .models import AttributionRun, ChannelDimension, Touchpoint, TouchpointSource, TouchpointType
from .services import MODELS, attribution_run_create, run_attribution
from .touchpoints import touchpoints_derive

MARK = "-attribution.example"  # the customers' domains end with it: the history is there already
JOURNEYS = 48
INFLUENCE = (TouchpointType.REFERRAL, TouchpointType.TECHNICAL_VALIDATION, TouchpointType.IMPLEMENTATION, TouchpointType.COSELL)
COMPANIES = (
    "Aperture",
    "Blue Sun",
    "Cyberdyne",
    "Dunder Mifflin",
    "Encom",
    "Gringotts",
    "Hooli",
    "Initech",
    "Krusty",
    "Monarch",
    "Nakatomi",
    "Oscorp",
    "Pied Piper",
    "Soylent",
    "Stark",
    "Tyrell",
    "Umbrella",
    "Vandelay",
    "Wayne",
    "Wonka",
    "Yoyodyne",
    "Zorg",
    "Acme Labs",
    "Gekko",
)


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def seed(*, tenant: Tenant, owner, partners: dict[str, PartnerOrganization]) -> None:
    with tenant_atomic():
        if CustomerAccount.objects.filter(domain__endswith=MARK).exists():
            return
        _history(tenant, list(partners.values()))
    touchpoints_derive(tenant=tenant, actor=None)
    today = timezone.localdate()
    for dimension in (ChannelDimension.PARTNER_TYPE, ChannelDimension.PARTNER):  # the newest run is by partner
        run = attribution_run_create(
            tenant=tenant,
            actor=owner,
            period_start=today - datetime.timedelta(days=182),
            period_end=today,
            dimension=dimension,
            models=MODELS,
            enqueue=False,
        )
        run_attribution(tenant=tenant, actor=owner, run=AttributionRun.objects.get(pk=run.pk))


def _history(tenant: Tenant, partners: list[PartnerOrganization]) -> None:
    rng = random.Random(2011)
    today = timezone.localdate()
    CurrencyRate.objects.get_or_create(
        tenant=tenant, currency="EUR", valid_from=today - datetime.timedelta(days=400), defaults={"rate": Decimal("1.08")}
    )
    CurrencyRate.objects.get_or_create(
        tenant=tenant, currency="EUR", valid_from=today - datetime.timedelta(days=90), defaults={"rate": Decimal("1.12")}
    )
    touches = []
    for i in range(JOURNEYS):
        name = f"{COMPANIES[i % len(COMPANIES)]} {'Group' if i >= len(COMPANIES) else 'Inc'}"
        domain = f"{name.lower().replace(' ', '')}{MARK}"
        account = CustomerAccount.objects.create(tenant=tenant, name=name, name_key=name.lower(), domain=domain)
        source = partners[i % len(partners)]
        closed = today - datetime.timedelta(days=rng.randrange(5, 175))
        submitted = closed - datetime.timedelta(days=rng.randrange(30, 90))
        won = rng.random() < 0.4 + 0.1 * (i % 3 == 0)
        amount = Decimal(rng.randrange(8, 120) * 1000)
        currency = "EUR" if i % 7 == 3 else "USD"
        registration = DealRegistration.objects.create(
            tenant=tenant,
            partner=source,
            account=account,
            customer_name=name,
            customer_domain=domain,
            contact_name="Dana Buyer",
            product_lines=["platform"],
            value=amount,
            currency=currency,
            expected_close_date=closed,
            stage=DealStage.CLOSED_WON if won else DealStage.CLOSED_LOST,
            status=RegistrationStatus.WON if won else RegistrationStatus.LOST,
            submitted_at=_at(submitted, 10),
            decided_at=_at(submitted, 15),
            protected_until=submitted + datetime.timedelta(days=120),
            closed_on=closed,
            closed_amount=amount if won else None,
            team_partner_ids=[source.pk],
        )
        others = [p for p in partners if p.pk != source.pk]
        for n in range(rng.randrange(0, 4)):
            day = submitted + datetime.timedelta(days=rng.randrange(-20, (closed - submitted).days + 1))
            touches.append(
                Touchpoint(
                    tenant=tenant,
                    partner=rng.choice(others),
                    account=account,
                    registration=registration,
                    touch_type=rng.choice(INFLUENCE),
                    occurred_at=_at(min(day, closed), 11),
                    source=TouchpointSource.IMPORTED,
                    external_id=f"demo:{registration.public_id}:{n}",
                )
            )
    Touchpoint.objects.bulk_create(touches)
