"""The scorecard's figures on a hand-built partner (tests/support.py works each one out from its
definition), the period before, what is left out (another partner's rows, a missing run or score, the
churn risk the program keeps to itself), and the number of queries whatever the number of rows."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ecosystem.tenancy.context import tenant_context
from partners.scorecard.selectors import partner_scorecard

from .support import EXPECTED, PERIOD, PREVIOUS, TODAY, build_partner, registration

pytestmark = pytest.mark.django_db


def card_of(a, partner=None, *, as_partner: bool = False):
    partner = partner or a.partner1
    scope = tenant_context(a.tenant.pk, partner_id=partner.pk) if as_partner else tenant_context(a.tenant.pk)
    with scope:
        return partner_scorecard(
            tenant=a.tenant,
            partner=partner,
            period_start=PERIOD[0],
            period_end=PERIOD[1],
            previous_start=PREVIOUS[0],
            previous_end=PREVIOUS[1],
            today=TODAY,
        )


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_each_figure_and_its_previous_value_match_the_hand_computed_ones(world, key):
    build_partner(world.a)

    figure = card_of(world.a).figure(key)

    assert (figure.value, figure.previous) == EXPECTED[key]


def test_the_partner_reads_the_same_card_in_its_own_scope_as_staff_do(world):
    build_partner(world.a)

    staff, own = card_of(world.a), card_of(world.a, as_partner=True)

    assert [(f.key, f.value, f.previous) for f in own.figures] == [(f.key, f.value, f.previous) for f in staff.figures]
    assert own.health == staff.health and own.churn == staff.churn


def test_the_open_pipeline_is_todays_state_without_a_previous_value(world):
    build_partner(world.a)

    figure = card_of(world.a).figure("open_pipeline")

    assert figure.value == Decimal("10000.00")  # r5 approved 7,000 + r6 pending 3,000; r2 rejected is not pipeline
    assert figure.has_previous is False and figure.change is None


def test_a_win_without_a_rate_counts_as_a_win_and_is_reported(world):
    build_partner(world.a)

    card = card_of(world.a)

    assert card.missing_rates == 1  # r9, in GBP, no GBP rate


def test_the_change_is_the_value_minus_the_previous_value(world):
    build_partner(world.a)

    card = card_of(world.a)

    assert card.figure("registrations_submitted").change == 7
    assert card.figure("revenue_won").change == Decimal("11900.00")
    assert card.figure("approval_rate").change == pytest.approx(-14.3)


def test_the_health_score_is_the_latest_with_what_moved_and_the_actions(world):
    build_partner(world.a)

    health = card_of(world.a).health

    assert health.total == 72.5 and str(health.as_of) == "2026-11-29"
    assert len(health.components) == 6
    assert health.moved == ({"component": "pipeline", "points": 3.5},)
    assert [a["sentence"] for a in health.actions] == ["Certify one more person."]


def test_the_churn_risk_shows_when_the_program_allows_it(world):
    build_partner(world.a, partners_see_churn=True)

    churn = card_of(world.a, as_partner=True).churn

    assert churn.probability == 0.31 and churn.drivers == ("No login for 40 days.",)


def test_the_churn_risk_is_hidden_when_the_setting_is_off(world):
    build_partner(world.a, partners_see_churn=False)

    assert card_of(world.a, as_partner=True).churn is None
    assert card_of(world.a).churn is None  # staff see what the partner sees


def test_without_an_attribution_run_there_are_no_attribution_figures(world):
    with tenant_context(world.a.tenant.pk):
        registration(world.a.tenant, world.a.partner1, submitted="2026-07-05", status="pending")

    card = card_of(world.a)

    assert card.attribution_run is None
    assert not card.sections.get("attribution")
    assert card.health is None and card.churn is None


def test_an_empty_partner_has_zeros_and_no_rates(world):
    card = card_of(world.a, world.a.partner2)

    assert card.figure("registrations_submitted").value == 0
    assert card.figure("approval_rate").value is None  # nothing decided
    assert card.figure("win_rate").value is None and card.figure("velocity_days").value is None
    assert card.figure("psat_mean").value is None and card.figure("mdf_ropi").value is None
    assert card.tier.tier is None


def test_another_partners_rows_never_count(world):
    build_partner(world.a)

    other = card_of(world.a, world.a.partner2, as_partner=True)

    assert other.figure("deals_won").value == 2  # r8 and r10
    assert other.figure("revenue_won").value == Decimal("9000.00")
    assert other.figure("sourced_revenue").value == Decimal("9000.00")
    assert other.figure("survey_responses").value == 1
    assert other.figure("mdf_paid").value == Decimal("9000.00")
    assert other.figure("certified_people").value == 0
    assert other.health.total == 11.0 and other.churn is None  # partner 2 has no prediction


def test_the_default_previous_period_is_the_same_span_just_before(world):
    import datetime

    with tenant_context(world.a.tenant.pk):
        card = partner_scorecard(
            tenant=world.a.tenant,
            partner=world.a.partner1,
            period_start=datetime.date(2026, 7, 1),
            period_end=datetime.date(2026, 7, 10),
            today=TODAY,
        )

    assert (card.previous.start, card.previous.end) == (datetime.date(2026, 6, 21), datetime.date(2026, 6, 30))


def test_sourced_and_influenced_agree_with_the_attribution_runs_rules(world):
    from attribution.selectors import sourced_influenced_by_partner, sourced_vs_influenced

    build_partner(world.a)
    with tenant_context(world.a.tenant.pk):
        by_partner = sourced_influenced_by_partner(sourced_vs_influenced(period_start=PERIOD[0], period_end=PERIOD[1]))

    card = card_of(world.a, as_partner=True)

    assert card.figure("sourced_revenue").value == by_partner[world.a.partner1.pk]["sourced"] == Decimal("14400.00")
    assert card.figure("influenced_revenue").value == by_partner[world.a.partner1.pk]["influenced"] == Decimal("6000.00")


def test_the_tier_and_what_the_next_one_still_needs(world):
    from partners.models import Tier, TierRule

    a = world.a
    with tenant_context(a.tenant.pk):
        registered = Tier.objects.create(tenant=a.tenant, name="Registered", rank=0)
        silver = Tier.objects.create(tenant=a.tenant, name="Silver", rank=1)
        TierRule.objects.create(tenant=a.tenant, tier=silver, metric="certified_people", minimum=99)
        type(a.partner1).objects.filter(pk=a.partner1.pk).update(tier=registered)
        a.partner1.refresh_from_db()

    tier = card_of(a).tier

    assert (tier.tier, tier.next_tier) == ("Registered", "Silver")
    assert [(m["label"], m["minimum"]) for m in tier.missing] == [("Certified people", 99)]
