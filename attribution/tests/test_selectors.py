"""Sourced versus influenced revenue per won deal (rule-based labels)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from attribution.models import TouchpointType
from attribution.selectors import sourced_influenced_by_partner, sourced_vs_influenced
from deals.models.registrations import DealStage, RegistrationStatus
from ecosystem.tenancy.context import tenant_context
from tests.factories import PartnerFactory

from .support import account, registration, touch
from .world import END, START, d

pytestmark = pytest.mark.django_db


def _deals(a):
    t, p1, p2 = a.tenant, a.partner1, a.partner2
    p3 = PartnerFactory(tenant=t)
    x, y = account(t), account(t)
    protected = registration(
        t,
        p1,
        x,
        submitted=d(1, 1),
        stage=DealStage.CLOSED_WON,
        status=RegistrationStatus.WON,
        closed_on=d(20),
        closed_amount="5000",
        protected_until=d(1, 4),
    )
    touch(t, p1, x, d(1, 1), TouchpointType.REGISTRATION)
    touch(t, p2, x, d(10), TouchpointType.COSELL)
    touch(t, p3, x, d(1, 10, 2025), TouchpointType.REFERRAL)  # 170 days before the close
    late = registration(
        t,
        p2,
        y,
        submitted=d(1, 1),
        stage=DealStage.CLOSED_WON,
        status=RegistrationStatus.WON,
        closed_on=d(15),
        closed_amount="800",
        protected_until=d(1),
    )
    touch(t, p2, y, d(1, 1), TouchpointType.REGISTRATION)
    touch(t, p1, y, d(14), TouchpointType.IMPLEMENTATION)
    touch(t, p3, y, d(16), TouchpointType.IMPLEMENTATION)  # after the close
    registration(
        t, p1, account(t), submitted=d(1, 1), stage=DealStage.CLOSED_LOST, status=RegistrationStatus.LOST, closed_on=d(15)
    )
    return p3, protected, late


def test_sourced_and_influenced_per_deal(world, django_assert_num_queries):
    a = world.a
    with tenant_context(a.tenant.pk):
        p3, protected, late = _deals(a)
        with django_assert_num_queries(5):  # registrations, touchpoints, direct opportunities, program currency, rates
            deals = sourced_vs_influenced(period_start=START, period_end=END)
        wider = sourced_vs_influenced(period_start=START, period_end=END, window_days=200)
    assert [(x.registration_id, x.sourced_partner_id, x.influenced_partner_ids, x.value) for x in deals] == [
        # closed after its protection ended (03-01): no source; its own registering partner is only an influencer
        # (its registration touch is 73 days old, inside the 90-day window)
        (late.pk, None, tuple(sorted((a.partner1.pk, a.partner2.pk))), Decimal("800")),
        (protected.pk, a.partner1.pk, (a.partner2.pk,), Decimal("5000")),
    ]
    assert wider[1].influenced_partner_ids == tuple(sorted((a.partner2.pk, p3.pk)))
    totals = sourced_influenced_by_partner(deals)
    assert totals[a.partner1.pk]["sourced"] == 5000 and totals[a.partner1.pk]["influenced"] == 800
    assert totals[a.partner2.pk]["sourced"] == 0 and totals[a.partner2.pk]["influenced"] == 5800
    assert sum(t["sourced"] for t in totals.values()) <= Decimal("5800")  # Σ sourced ≤ touched closed-won revenue


def test_unapproved_registration_sources_nothing(world):
    a = world.a
    with tenant_context(a.tenant.pk):
        x = account(a.tenant)
        registration(
            a.tenant,
            a.partner1,
            x,
            submitted=d(1, 1),
            stage=DealStage.CLOSED_WON,
            status=RegistrationStatus.PENDING,
            closed_on=d(20),
            closed_amount="100",
            protected_until=d(1, 4),
        )
        assert sourced_vs_influenced(period_start=START, period_end=END)[0].sourced_partner_id is None


def test_direct_sales_engaged_first_means_no_source_and_amounts_convert_at_the_close_date_rate(world):
    import datetime

    from deals.models import CurrencyRate, DirectOpportunity

    from .support import at

    a = world.a
    with tenant_context(a.tenant.pk):
        worked, fresh, euros, unpriced = account(a.tenant), account(a.tenant), account(a.tenant), account(a.tenant)
        won = {"stage": DealStage.CLOSED_WON, "status": RegistrationStatus.WON, "protected_until": d(1, 5)}
        first = registration(a.tenant, a.partner1, worked, submitted=d(5, 1), closed_on=d(10), closed_amount="100", **won)
        second = registration(a.tenant, a.partner1, fresh, submitted=d(5, 1), closed_on=d(11), closed_amount="200", **won)
        in_euros = registration(
            a.tenant, a.partner2, euros, submitted=d(5, 1), closed_on=d(12), closed_amount="1000", currency="EUR", **won
        )
        registration(
            a.tenant, a.partner2, unpriced, submitted=d(5, 1), closed_on=d(13), closed_amount="50", currency="GBP", **won
        )
        # direct sales had an opportunity on "worked" before the partner registered; on "fresh" only after
        DirectOpportunity.objects.create(tenant=a.tenant, account=worked, name="Direct", external_id="D1")
        DirectOpportunity.objects.create(tenant=a.tenant, account=fresh, name="Direct later", external_id="D2")
        DirectOpportunity.objects.filter(external_id="D1").update(created_at=at(d(1, 1)))
        DirectOpportunity.objects.filter(external_id="D2").update(created_at=at(d(1, 2)))
        CurrencyRate.objects.create(tenant=a.tenant, currency="EUR", valid_from=datetime.date(2026, 1, 1), rate="1.10")
        CurrencyRate.objects.create(tenant=a.tenant, currency="EUR", valid_from=d(12), rate="1.20")  # in force on the close day
        CurrencyRate.objects.create(tenant=a.tenant, currency="EUR", valid_from=d(13), rate="9.99")  # later: never used
        deals = sourced_vs_influenced(period_start=START, period_end=END)
    assert [(x.registration_id, x.sourced_partner_id, x.value) for x in deals] == [
        (first.pk, None, Decimal("100.00")),
        (second.pk, a.partner1.pk, Decimal("200.00")),
        (in_euros.pk, a.partner2.pk, Decimal("1200.00")),
        # the GBP deal has no rate: left out
    ]
