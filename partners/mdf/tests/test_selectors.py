"""ROPI on a small hand-computed programme, and the request queue's funds beside each request.

The programme (program currency USD):

* campaign A (partner 1), approved 1,000; claim approved for 800 (payable). Tagged deals: won
  9,000 USD; open (pending) 5,000 USD; won 7,000 EUR (counted, amount not).
* campaign B (partner 1), approved 500; claim paid 500. Tagged deal: lost 2,000 USD.
* campaign C (partner 2), approved 300; no claim. Tagged deal: won 4,000 USD.
* an untagged won deal of 50,000 USD (partner 1) counts nowhere.

From the definition (revenue ÷ spend, ratio of sums above a campaign):

| | spend | deals | pipeline | revenue | ROPI |
| A | 800 | 3 | 5,000 | 9,000 | 11.25 |
| B | 500 | 1 | 0 | 0 | 0.00 |
| C | 0 | 1 | 0 | 4,000 | None |
| partner 1 | 1,300 | 4 | 5,000 | 9,000 | 6.92 |
| partner 2 | 0 | 1 | 0 | 4,000 | None |
| program | 1,300 | 5 | 5,000 | 13,000 | 10.00 |
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from deals.models import DealRegistration
from deals.tests.support import product_lines_for, submit_as
from ecosystem.tenancy.context import tenant_context
from partners.mdf import selectors

from .support import as_manager, budget_for, claim_as, claim_decide, funded, pay, request_as

D = Decimal


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def close(world, registration, *, status: str, amount: str | None = None) -> None:
    with tenant_context(world.a.tenant.pk):
        DealRegistration.objects.filter(pk=registration.pk).update(
            status=status,
            stage="closed_won" if status == "won" else "closed_lost",
            closed_amount=amount,
            closed_on=timezone.localdate(),
        )


def tagged(world, partner, user, campaign, customer: str, value: str, currency: str = "USD"):
    return submit_as(
        world.a.tenant,
        partner,
        user,
        customer_name=f"{customer} Ltd",
        customer_domain=f"{customer.lower()}.example",
        value=value,
        currency=currency,
        mdf_request=str(campaign.public_id) if campaign else None,
    ).registration


@pytest.fixture
def programme(world):
    a = world.a
    product_lines_for(a.tenant)
    budget_for(a, "10000", allocations={a.partner1: "5000", a.partner2: "5000"})
    campaign_a = funded(a, a.partner1, a.partner1_admin, spend="1000", title="A")
    campaign_b = funded(a, a.partner1, a.partner1_admin, spend="500", title="B")
    campaign_c = funded(a, a.partner2, a.partner2_admin, spend="300", title="C")
    claim_decide(a, claim_as(a, a.partner1, a.partner1_admin, campaign_a, amount="800"))
    pay(a, claim_decide(a, claim_as(a, a.partner1, a.partner1_admin, campaign_b, amount="500")))

    close(world, tagged(world, a.partner1, a.partner1_admin, campaign_a, "Aurora", "10000"), status="won", amount="9000")
    tagged(world, a.partner1, a.partner1_admin, campaign_a, "Basalt", "5000")  # stays pending: pipeline
    close(world, tagged(world, a.partner1, a.partner1_admin, campaign_a, "Cobalt", "7000", "EUR"), status="won", amount="7000")
    close(world, tagged(world, a.partner1, a.partner1_admin, campaign_b, "Dynamo", "2000"), status="lost")
    close(world, tagged(world, a.partner2, a.partner2_admin, campaign_c, "Ember", "4000"), status="won", amount="4000")
    close(world, tagged(world, a.partner1, a.partner1_admin, None, "Fjord", "50000"), status="won", amount="50000")
    return campaign_a, campaign_b, campaign_c


def test_campaign_figures_and_ropi(world, programme, django_assert_num_queries):
    with as_manager(world.a), django_assert_num_queries(2):  # the program currency; the campaigns with every figure
        rows = {c.title: c for c in selectors.campaigns_with_ropi(tenant=world.a.tenant)}
    figures = {t: (c.spend, c.tagged_registrations, c.pipeline, c.revenue, c.ropi) for t, c in rows.items()}
    assert figures == {
        "A": (D("800.00"), 3, D("5000.00"), D("9000.00"), D("11.25")),
        "B": (D("500.00"), 1, D("0"), D("0"), D("0.00")),
        "C": (D("0"), 1, D("0"), D("4000.00"), None),
    }


def test_partner_and_program_ropi_are_ratios_of_sums(world, programme):
    a = world.a
    with as_manager(a):
        partners = {p.pk: p for p in selectors.partners_with_ropi(tenant=a.tenant)}
        program = selectors.program_ropi(tenant=a.tenant)
    one, two = partners[a.partner1.pk], partners[a.partner2.pk]
    assert (one.campaigns, one.spend, one.tagged_registrations, one.pipeline, one.revenue, one.ropi) == (
        2,
        D("1300.00"),
        4,
        D("5000.00"),
        D("9000.00"),
        D("6.92"),
    )
    assert (two.campaigns, two.spend, two.revenue, two.ropi) == (1, D("0"), D("4000.00"), None)
    assert program == {
        "campaigns": 3,
        "spend": D("1300.00"),
        "tagged_registrations": 5,
        "tagged_leads": 0,
        "pipeline": D("5000.00"),
        "revenue": D("13000.00"),
        "ropi": D("10.00"),
    }


def test_the_queue_shows_each_partners_remaining_funds_and_the_budget_left(world):
    a = world.a
    budget_for(a, "2000", allocations={a.partner1: "1500", a.partner2: "1000"})
    funded(a, a.partner1, a.partner1_admin, spend="900", title="Done")
    waiting_1 = request_as(a, a.partner1, a.partner1_admin, planned_spend="600", title="Waiting 1")
    waiting_2 = request_as(a, a.partner2, a.partner2_admin, planned_spend="1000", title="Waiting 2")

    with as_manager(a):
        queue = {r.pk: r for r in selectors.request_queue(tenant=a.tenant)}
    assert set(queue) == {waiting_1.pk, waiting_2.pk}
    first, second = queue[waiting_1.pk], queue[waiting_2.pk]
    assert (first.available, first.committed, first.partner_remaining, first.budget_left) == (
        D("1500.00"),
        D("900.00"),
        D("600.00"),
        D("1100.00"),
    )
    assert (second.available, second.committed, second.partner_remaining, second.budget_left) == (
        D("1000.00"),
        D("0"),
        D("1000.00"),
        D("1100.00"),
    )
