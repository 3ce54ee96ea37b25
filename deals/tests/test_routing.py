"""The routing rule (deals.routing): who is a candidate, how the region widens, who is excluded, how
tier and load weigh, and that it costs the same two queries for 5 partners as for 50."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deals.models import Lead, LeadOffer, LeadStatus
from deals.routing import route_lead, seed_for
from ecosystem.tenancy.context import tenant_context
from partners.models import PartnerOrganization, Tier
from tests.factories import PartnerFactory
from tests.fixtures import onboarding_plan_for


@pytest.fixture
def tenant(world):
    # The fixture's two partners list no region: they only ever appear at the "everywhere" step.
    return world.a.tenant


def partner(tenant, name, **values) -> PartnerOrganization:
    with tenant_context(tenant.pk):
        return PartnerFactory(tenant=tenant, name=name, **values)


def lead(tenant, **values) -> Lead:
    with tenant_context(tenant.pk):
        return Lead.objects.create(tenant=tenant, company_name="Initech", **values)


def route(tenant, the_lead, seed=1):
    with tenant_context(tenant.pk):
        return route_lead(tenant=tenant, lead=the_lead, rng=random.Random(seed), seed=str(seed))


def test_only_active_partners_with_sales_access_of_the_type_and_every_capability_are_candidates(world, tenant):
    fits = partner(tenant, "Fits", partner_type="msp", regions=["emea"], capabilities=["security", "cloud"])
    partner(tenant, "Wrong type", partner_type="reseller", regions=["emea"], capabilities=["security", "cloud"])
    partner(tenant, "One capability short", partner_type="msp", regions=["emea"], capabilities=["security"])
    partner(tenant, "Onboarding", partner_type="msp", regions=["emea"], capabilities=["security", "cloud"], status="onboarding")
    partner(tenant, "Retired", partner_type="msp", regions=["emea"], capabilities=["security", "cloud"], status="retired")
    gated = partner(tenant, "Gate shut", partner_type="msp", regions=["emea"], capabilities=["security", "cloud"])
    onboarding_plan_for(tenant, gated)  # an unsigned agreement keeps its sales access closed
    the_lead = lead(tenant, region="emea", partner_type="msp", capabilities=["security", "cloud"])

    for seed in range(20):
        choice = route(tenant, the_lead, seed)
        assert choice.partner == fits
    assert choice.why["candidates"] == 1
    assert choice.why["widened_to"] == "same_region"
    assert choice.why["filters"] == {
        "status": "active",
        "sales_access": "open",
        "partner_type": "msp",
        "capabilities": ["cloud", "security"],
        "excluded_declined_or_expired": 0,
    }
    assert choice.why["chosen"]["partner_id"] == str(fits.public_id)


def test_the_region_widens_to_adjacent_regions_then_everywhere(world, tenant):
    the_lead = lead(tenant, region="latam", partner_type="isv")
    assert route(tenant, the_lead).partner is None  # no ISV at all

    far = partner(tenant, "Far away", partner_type="isv", regions=["apac"])
    choice = route(tenant, the_lead)
    assert (choice.partner, choice.why["widened_to"], choice.why["regions"]) == (far, "everywhere", "all")

    near = partner(tenant, "Next door", partner_type="isv", regions=["na"])
    choice = route(tenant, the_lead)
    assert (choice.partner, choice.why["widened_to"], choice.why["regions"]) == (near, "adjacent_regions", ["na"])

    home = partner(tenant, "At home", partner_type="isv", regions=["latam", "na"])
    for seed in range(10):
        choice = route(tenant, the_lead, seed)
        assert (choice.partner, choice.why["widened_to"]) == (home, "same_region")


def test_nobody_left_returns_no_partner_and_says_why(world, tenant):
    the_lead = lead(tenant, region="emea", partner_type="gsi", capabilities=["sap"])
    choice = route(tenant, the_lead)
    assert choice.partner is None
    assert choice.why["candidates"] == 0
    assert "of type gsi" in choice.reason and "sap" in choice.reason


def test_partners_who_declined_or_let_the_lead_expire_are_never_chosen_again(world, tenant):
    declined = partner(tenant, "Declined", partner_type="si", regions=["na"])
    expired = partner(tenant, "Expired", partner_type="si", regions=["na"])
    other = partner(tenant, "Other", partner_type="si", regions=["na"])
    the_lead = lead(tenant, region="na", partner_type="si")
    with tenant_context(tenant.pk):
        for who, status in ((declined, "declined"), (expired, "expired")):
            LeadOffer.objects.create(tenant=tenant, lead=the_lead, partner=who, status=status, respond_by="2030-01-01T00:00Z")

    picks = {route(tenant, the_lead, seed).partner for seed in range(30)}

    assert picks == {other}
    assert route(tenant, the_lead).why["filters"]["excluded_declined_or_expired"] == 2


def test_picks_follow_tier_weight_over_one_plus_load(world, tenant):
    with tenant_context(tenant.pk):
        entry = Tier.objects.create(tenant=tenant, name="Registered", rank=0)
        gold = Tier.objects.create(tenant=tenant, name="Gold", rank=2)
    no_tier = partner(tenant, "No tier", partner_type="distributor", regions=["apac"])  # weight 1
    registered = partner(tenant, "Registered", partner_type="distributor", regions=["apac"], tier=entry)  # 2
    gold_idle = partner(tenant, "Gold idle", partner_type="distributor", regions=["apac"], tier=gold)  # 4
    gold_busy = partner(tenant, "Gold busy", partner_type="distributor", regions=["apac"], tier=gold)  # 4 / (1 + 1)
    with tenant_context(tenant.pk):  # one accepted, not yet converted lead makes Gold busy's load 1
        Lead.objects.create(tenant=tenant, company_name="Busy", status=LeadStatus.ACCEPTED, offered_to=gold_busy)
    the_lead = lead(tenant, region="apac", partner_type="distributor")

    draws = 2000
    counts = Counter(route(tenant, the_lead, seed).partner.name for seed in range(draws))

    expected = {no_tier.name: 1 / 9, registered.name: 2 / 9, gold_idle.name: 4 / 9, gold_busy.name: 2 / 9}
    for name, share in expected.items():
        assert abs(counts[name] / draws - share) < 0.035, (name, counts)
    choice = route(tenant, the_lead, 7)
    assert choice.why["candidates"] == 4
    assert next(c["partner"] for c in choice.weighed) == gold_idle.name
    busy = next(c for c in choice.weighed if c["partner"] == gold_busy.name)
    assert (busy["load"], busy["weight"], busy["tier"]) == (1, 2.0, "Gold")
    # What the offered partner can read names no other partner; the vendor keeps the candidates apart.
    other_names = {no_tier.name, registered.name, gold_idle.name, gold_busy.name} - {choice.partner.name}
    assert not any(name in str(choice.why) for name in other_names)


def test_the_same_seed_picks_the_same_partner(world, tenant):
    for n in range(6):
        partner(tenant, f"Reseller {n}", partner_type="referral", regions=["na"])
    the_lead = lead(tenant, region="na", partner_type="referral")
    seed = seed_for(the_lead, 0)
    first = route(tenant, the_lead, seed).partner
    assert all(route(tenant, the_lead, seed).partner == first for _ in range(5))


@pytest.mark.parametrize("partners", [5, 50])
def test_routing_costs_two_queries_whatever_the_number_of_partners(world, tenant, partners):
    with tenant_context(tenant.pk):
        gold = Tier.objects.create(tenant=tenant, name="Gold", rank=2)
    for n in range(partners):
        partner(tenant, f"Candidate {n}", partner_type="msp", regions=["emea"], tier=gold if n % 2 else None)
    the_lead = lead(tenant, region="emea", partner_type="msp")
    with tenant_context(tenant.pk), CaptureQueriesContext(connection) as queries:
        choice = route_lead(tenant=tenant, lead=the_lead, rng=random.Random(3))
    # 1. the partners who declined or let this lead expire
    # 2. the candidates with their tier and load (subqueries), ordered by id
    assert len(queries.captured_queries) == 2, [q["sql"][:120] for q in queries.captured_queries]
    assert choice.why["candidates"] == partners
