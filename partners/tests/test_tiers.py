"""Tiers: eligibility apart from assignment, proposals, grace before downgrades, overrides, standing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ecosystem.errors import ApplicationError
from ecosystem.tenancy.context import tenant_context
from partners import tiers
from partners.models import PartnerOrganization, Tier, TierChange, TierEvaluation, TierMetric, TierPolicy, TierRule
from tests.factories import PartnerFactory


@pytest.fixture
def ladder(world):
    """Registered (no rules), Silver (1 certified person), Gold (3 certified people)."""
    tenant = world.a.tenant
    with tenant_context(tenant.pk):
        registered = Tier.objects.create(tenant=tenant, name="Registered", rank=0)
        silver = Tier.objects.create(tenant=tenant, name="Silver", rank=1, discount_percent=Decimal("10"))
        gold = Tier.objects.create(tenant=tenant, name="Gold", rank=2, discount_percent=Decimal("20"), mdf_eligible=True)
        TierRule.objects.create(tenant=tenant, tier=silver, metric=TierMetric.CERTIFIED_PEOPLE, minimum=1)
        TierRule.objects.create(tenant=tenant, tier=gold, metric=TierMetric.CERTIFIED_PEOPLE, minimum=3)
    return {"registered": registered, "silver": silver, "gold": gold}


@pytest.fixture
def certified(monkeypatch):
    """Set how many certified people each partner has (the LMS provides this in production)."""
    counts: dict[int, int] = {}
    monkeypatch.setitem(
        tiers.FACT_PROVIDERS, TierMetric.CERTIFIED_PEOPLE, lambda tenant, ids: {i: counts[i] for i in ids if i in counts}
    )
    return counts


def evaluate(world, today=None):
    with tenant_context(world.a.tenant.pk):
        return tiers.tier_evaluate_all(tenant=world.a.tenant, today=today)


def tier_of(world, partner) -> str | None:
    with tenant_context(world.a.tenant.pk):
        tier = PartnerOrganization.objects.get(pk=partner.pk).tier
    return tier.name if tier else None


def test_without_auto_apply_the_evaluation_proposes_and_a_manager_applies(world, ladder, certified):
    certified[world.a.partner1.pk] = 3
    counts = evaluate(world)
    assert tier_of(world, world.a.partner1) is None  # eligibility is not assignment
    assert counts["proposed"] == 2  # partner 1 -> Gold, partner 2 -> Registered
    with tenant_context(world.a.tenant.pk):
        change = tiers.tier_proposal_approve(tenant=world.a.tenant, actor=world.a.manager, partner=world.a.partner1)
    assert tier_of(world, world.a.partner1) == "Gold"
    assert change.kind == "approved"
    assert "Certified people 3 ≥ 3" in change.reason
    assert change.facts[TierMetric.CERTIFIED_PEOPLE] == 3


def test_with_auto_apply_upgrades_happen_at_once_and_are_recorded(world, ladder, certified):
    with tenant_context(world.a.tenant.pk):
        TierPolicy.objects.create(tenant=world.a.tenant, auto_apply=True, downgrade_grace_days=30)
    certified[world.a.partner1.pk] = 1
    counts = evaluate(world)
    assert counts["upgraded"] == 2
    assert tier_of(world, world.a.partner1) == "Silver"
    with tenant_context(world.a.tenant.pk):
        change = TierChange.objects.select_related("to_tier").get(partner=world.a.partner1)
    assert (change.from_tier_id, change.to_tier.name, change.kind) == (None, "Silver", "automatic")


def test_downgrades_wait_for_the_grace_period(world, ladder, certified):
    with tenant_context(world.a.tenant.pk):
        TierPolicy.objects.create(tenant=world.a.tenant, auto_apply=True, downgrade_grace_days=30)
    certified[world.a.partner1.pk] = 3
    evaluate(world)
    assert tier_of(world, world.a.partner1) == "Gold"
    certified[world.a.partner1.pk] = 1
    today = timezone.localdate()
    assert evaluate(world, today=today)["in_grace"] == 1
    assert evaluate(world, today=today + datetime.timedelta(days=29))["in_grace"] == 1
    assert tier_of(world, world.a.partner1) == "Gold"
    assert evaluate(world, today=today + datetime.timedelta(days=30))["downgraded"] == 1
    assert tier_of(world, world.a.partner1) == "Silver"


def test_recovering_during_the_grace_period_cancels_the_downgrade(world, ladder, certified):
    with tenant_context(world.a.tenant.pk):
        TierPolicy.objects.create(tenant=world.a.tenant, auto_apply=True, downgrade_grace_days=30)
    certified[world.a.partner1.pk] = 3
    evaluate(world)
    certified[world.a.partner1.pk] = 1
    today = timezone.localdate()
    evaluate(world, today=today)
    certified[world.a.partner1.pk] = 3
    evaluate(world, today=today + datetime.timedelta(days=10))
    certified[world.a.partner1.pk] = 1
    assert evaluate(world, today=today + datetime.timedelta(days=35))["in_grace"] == 1  # the clock started again
    assert tier_of(world, world.a.partner1) == "Gold"


def test_an_override_holds_the_tier_until_it_expires(world, ladder, certified):
    with tenant_context(world.a.tenant.pk):
        TierPolicy.objects.create(tenant=world.a.tenant, auto_apply=True, downgrade_grace_days=0)
        until = timezone.localdate() + datetime.timedelta(days=90)
        tiers.tier_override(
            tenant=world.a.tenant,
            actor=world.a.manager,
            partner=world.a.partner1,
            tier=ladder["gold"],
            reason="Strategic launch partner",
            until=until,
        )
    evaluate(world)
    assert tier_of(world, world.a.partner1) == "Gold"
    evaluate(world, today=until + datetime.timedelta(days=1))
    assert tier_of(world, world.a.partner1) == "Registered"


def test_an_override_needs_a_reason_and_a_future_end(world, ladder):
    with tenant_context(world.a.tenant.pk):
        with pytest.raises(ApplicationError):
            tiers.tier_override(
                tenant=world.a.tenant,
                actor=None,
                partner=world.a.partner1,
                tier=ladder["gold"],
                reason="",
                until=timezone.localdate() + datetime.timedelta(days=1),
            )
        with pytest.raises(ApplicationError):
            tiers.tier_override(
                tenant=world.a.tenant,
                actor=None,
                partner=world.a.partner1,
                tier=ladder["gold"],
                reason="x",
                until=timezone.localdate(),
            )


def test_a_partner_sees_exactly_what_it_needs_for_the_next_tier(client, world, ladder, certified):
    certified[world.a.partner1.pk] = 1
    with tenant_context(world.a.tenant.pk):
        TierPolicy.objects.create(tenant=world.a.tenant, auto_apply=True)
    evaluate(world)
    client.force_login(world.a.partner1_rep)
    body = client.get("/p/alpha/tier/").content.decode()
    assert 'data-testid="my-tier">Silver<' in body
    assert "To reach Gold" in body
    assert "Certified people: 1 of 3" in body


@pytest.mark.parametrize("extra", [3, 40])
def test_the_evaluation_costs_the_same_queries_for_any_number_of_partners(world, ladder, certified, extra):
    with tenant_context(world.a.tenant.pk):
        PartnerFactory.create_batch(extra, tenant=world.a.tenant)
    with CaptureQueriesContext(connection) as queries:
        evaluate(world)
    # SAVEPOINT + set_config (scope), policy, tiers, rules (prefetch), partners, previous evaluations,
    # the deal facts (the program's currency, closed-won revenue, active registrations), the latest
    # health scores, SAVEPOINT, upsert evaluations, audit row, RELEASE, RELEASE, set_config (outer settings back).
    assert len(queries) == 17, "\n".join(q["sql"][:120] for q in queries.captured_queries)


def test_one_partner_never_reads_anothers_evaluation(world, ladder, certified):
    evaluate(world)
    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner2.pk):
        assert list(TierEvaluation.objects.values_list("partner_id", flat=True)) == [world.a.partner2.pk]


def test_analysts_cannot_approve_or_override(client, world, ladder):
    client.force_login(world.a.analyst)
    assert client.post(f"/t/alpha/tiers/partners/{world.a.partner1.public_id}/approve/").status_code == 403
    assert client.post("/t/alpha/tiers/evaluate/").status_code == 403


def test_revenue_and_registration_facts_come_from_the_partners_own_deals(world):
    import datetime as dt

    from deals.models import DealRegistration
    from deals.tests.support import product_lines_for, rules_for, submit_as
    from partners.tiers import partner_facts

    product_lines_for(world.a.tenant)
    rules_for(world.a.tenant, currency="USD")
    won = submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin).registration
    submit_as(world.a.tenant, world.a.partner1, world.a.partner1_admin, customer_name="Other", customer_domain="other.example")
    old = submit_as(
        world.a.tenant, world.a.partner1, world.a.partner1_admin, customer_name="Old", customer_domain="old.example"
    ).registration
    euros = submit_as(
        world.a.tenant, world.a.partner1, world.a.partner1_admin, customer_name="Eu", customer_domain="eu.example"
    ).registration
    today = dt.date.today()
    with tenant_context(world.a.tenant.pk):
        DealRegistration.objects.filter(pk=won.pk).update(status="won", closed_amount=Decimal("70000"), closed_on=today)
        DealRegistration.objects.filter(pk=old.pk).update(
            status="won", closed_amount=Decimal("5000"), closed_on=today - dt.timedelta(days=400)
        )
        DealRegistration.objects.filter(pk=euros.pk).update(
            status="won", closed_amount=Decimal("9000"), closed_on=today, currency="EUR"
        )
        facts = partner_facts(tenant=world.a.tenant, partner_ids=[world.a.partner1.pk, world.a.partner2.pk])

    assert facts[world.a.partner1.pk]["closed_won_revenue_12m"] == Decimal("70000")
    assert facts[world.a.partner1.pk]["active_registrations"] == 1
    assert facts[world.a.partner2.pk]["closed_won_revenue_12m"] == 0


def test_a_rule_on_the_health_score_reads_each_partners_latest_score(world):
    """Gold needs a health score of 60: the latest score counts (not an older, higher one); never scored: no value."""
    from scoring.models import HealthScore

    tenant = world.a.tenant
    with tenant_context(tenant.pk):
        gold = Tier.objects.create(tenant=tenant, name="Gold", rank=1)
        TierRule.objects.create(tenant=tenant, tier=gold, metric=TierMetric.HEALTH_SCORE, minimum=60)
        today = timezone.localdate()
        for day, total in ((today - datetime.timedelta(days=7), 80.0), (today, 55.5)):
            HealthScore.objects.create(
                tenant=tenant, partner=world.a.partner1, as_of=day, computed_at=timezone.now(), total=total, engine_version="t"
            )
        HealthScore.objects.create(
            tenant=tenant, partner=world.a.partner2, as_of=today, computed_at=timezone.now(), total=61.25, engine_version="t"
        )
        facts = tiers.partner_facts(
            tenant=tenant, partner_ids=[world.a.partner1.pk, world.a.partner2.pk, PartnerFactory(tenant=tenant).pk]
        )
    values = [f[TierMetric.HEALTH_SCORE] for f in facts.values()]
    assert values == [Decimal("55.5"), Decimal("61.25"), None]
    evaluate(world)
    with tenant_context(tenant.pk):
        eligible = dict(TierEvaluation.objects.values_list("partner_id", "eligible_tier__name"))
        stored = TierEvaluation.objects.get(partner=world.a.partner2).facts[TierMetric.HEALTH_SCORE]
    assert eligible[world.a.partner1.pk] is None and eligible[world.a.partner2.pk] == "Gold"
    assert stored == "61.25"  # kept as the JSON column keeps a Decimal
