"""What a partner user reads of attribution (attribution.partner_selectors): its own credit, the run's
header only, its journeys, and the other touches named only when the other partner co-sold the deal.

March (world.py), by partner, seven models: the won deal (5,000, closed 03-20) is partner 1's
registration with touches p1 referral 03-01 (19 days before), p2 co-sell 03-10 (10 days), p1
technical validation 03-20 (0 days); the other journeys (expired p1, lost p2, open p1) convert nothing.
"""

from __future__ import annotations

import pytest

from attribution.models import ChannelDimension
from attribution.partner_selectors import (
    partner_credits,
    partner_journey,
    partner_journey_rows,
    partner_journeys_named,
    partner_run_header,
)
from attribution.services import attribution_details_prune, attribution_run_create, run_attribution
from deals.models import DealParticipant, DealRegistration
from ecosystem.errors import NotFoundError
from ecosystem.tenancy.context import tenant_context

from .world import END, START, build_march, d

pytestmark = pytest.mark.django_db

MODELS = ["first_touch", "last_touch", "linear", "position_based", "time_decay", "markov", "shapley_counts"]
# time decay, half-life 7 days: weights 2^(-19/7), 2^(-10/7), 2^0 for the won deal's three touches
W1, W2, W3 = 2 ** (-19 / 7), 2 ** (-10 / 7), 1.0
P1_DECAY = (W1 + W3) / (W1 + W2 + W3)
# Markov (hand-solved): P(conv) = 1/4; without p1 it is 0 (RE 1), without p2 3/16 (RE 1/4): 1 : 1/4 = 0.8 : 0.2
P1_SHARES = {
    "first_touch": 1.0,
    "last_touch": 1.0,
    "linear": 2 / 3,
    "position_based": 0.8,
    "time_decay": P1_DECAY,
    "markov": 0.8,
    "shapley_counts": 0.5,
}
P2_SHARES = {
    "first_touch": 0.0,
    "last_touch": 0.0,
    "linear": 1 / 3,
    "position_based": 0.2,
    "time_decay": 1 - P1_DECAY,
    "markov": 0.2,
    "shapley_counts": 0.5,
}


def run_by(a, dimension=ChannelDimension.PARTNER):
    run = attribution_run_create(
        tenant=a.tenant, actor=a.manager, period_start=START, period_end=END, dimension=dimension, models=MODELS, enqueue=False
    )
    return run_attribution(tenant=a.tenant, actor=a.manager, run=run)


def co_sell(a, registration, partner):
    """Put ``partner`` on the deal's team, as cosell_assign leaves it (accepted row and team arrays)."""
    team = [registration.partner_id, partner.pk]
    DealParticipant.objects.create(
        tenant=a.tenant, registration=registration, partner=partner, role="influencing", status="accepted", team_partner_ids=team
    )
    DealRegistration.objects.filter(pk=registration.pk).update(team_partner_ids=team)


@pytest.fixture
def march(world):
    a = world.a
    with tenant_context(a.tenant.pk):
        built = build_march(a)
        run = run_by(a)
    return built, run


def test_the_header_is_the_latest_run_by_partner_with_details_and_no_summary(world, march):
    a = world.a
    _built, run = march
    with tenant_context(a.tenant.pk):
        run_by(a, dimension=ChannelDimension.TIER)  # newer, but not by partner
    with tenant_context(a.tenant.pk, partner_id=a.partner1.pk):
        header = partner_run_header(tenant=a.tenant)
    assert (header.public_id, header.period_start, header.period_end) == (run.public_id, START, END)
    assert header.model_names == tuple(MODELS) and header.finished_at == run.finished_at
    assert not hasattr(header, "summary")
    assert header.touch_models == ["first_touch", "last_touch", "linear", "position_based", "time_decay", "shapley_counts"]
    assert header.chosen_model("markov") == "linear" and header.chosen_model("time_decay") == "time_decay"


def test_no_header_without_a_run_or_once_its_details_are_pruned(world, march):
    a = world.a
    with tenant_context(a.tenant.pk):
        attribution_details_prune(tenant=a.tenant, keep=0)
    with tenant_context(a.tenant.pk, partner_id=a.partner1.pk):
        assert partner_run_header(tenant=a.tenant) is None
    with tenant_context(world.b.tenant.pk, partner_id=world.b.partner1.pk):
        assert partner_run_header(tenant=world.b.tenant) is None


@pytest.mark.parametrize(("partner", "shares"), [("partner1", P1_SHARES), ("partner2", P2_SHARES)])
def test_each_partner_reads_exactly_its_own_credit_per_model(world, march, partner, shares):
    a = world.a
    who = getattr(a, partner)
    with tenant_context(a.tenant.pk, partner_id=who.pk):
        header = partner_run_header(tenant=a.tenant)
        credits = partner_credits(tenant=a.tenant, run=header, partner_id=who.pk)
    assert [c.model for c in credits] == MODELS
    assert {c.model: c.conversions for c in credits} == pytest.approx(shares)
    assert {c.model: c.value for c in credits} == pytest.approx({m: 5000 * s for m, s in shares.items()})


def test_the_journeys_are_the_partners_own_newest_first_with_its_share(world, march):
    a = world.a
    built, _run = march
    with tenant_context(a.tenant.pk, partner_id=a.partner1.pk):
        header = partner_run_header(tenant=a.tenant)
        rows = list(partner_journey_rows(tenant=a.tenant, run=header, partner_id=a.partner1.pk, model="position_based"))
        named = partner_journeys_named(tenant=a.tenant, partner_id=a.partner1.pk, rows=rows)
    # open (03-31), won (03-20), expired (protection ended 03-12): all partner 1's registrations
    assert [j.registration_public_id for j in named] == [built.open.public_id, built.won.public_id, built.expired.public_id]
    assert [j.customer for j in named] == [built.open.customer_name, built.won.customer_name, built.expired.customer_name]
    assert [(j.outcome_label, j.outcome_on, j.length, j.own_touches) for j in named] == [
        ("Open at the period's end", d(31), 1, 1),
        ("Won", d(20), 3, 2),
        ("Expired", d(12), 1, 1),
    ]
    assert [j.share for j in named] == pytest.approx([1.0, 0.8, 1.0])
    assert named[1].own_value == pytest.approx(4000) and named[1].own_conversions == pytest.approx(0.8)


def test_another_partners_deal_shows_no_customer_unless_co_sold(world, march):
    a = world.a
    built, _run = march
    with tenant_context(a.tenant.pk, partner_id=a.partner2.pk):
        header = partner_run_header(tenant=a.tenant)
        rows = list(partner_journey_rows(tenant=a.tenant, run=header, partner_id=a.partner2.pk, model="linear"))
        named = partner_journeys_named(tenant=a.tenant, partner_id=a.partner2.pk, rows=rows)
    # the won deal (partner 1's, 03-20) and its own lost deal (03-15)
    assert [(j.registration_public_id, j.customer, j.co_sold) for j in named] == [
        (built.won.public_id, "a customer account", False),
        (built.lost.public_id, built.lost.customer_name, True),
    ]
    assert [j.share for j in named] == pytest.approx([1 / 3, 1.0])
    with tenant_context(a.tenant.pk):
        co_sell(a, built.won, a.partner2)
    with tenant_context(a.tenant.pk, partner_id=a.partner2.pk):
        named = partner_journeys_named(tenant=a.tenant, partner_id=a.partner2.pk, rows=rows)
    assert (named[0].customer, named[0].co_sold) == (built.won.customer_name, True)


def _journey(world, built, who, model="linear"):
    a = world.a
    with tenant_context(a.tenant.pk, partner_id=who.pk):
        header = partner_run_header(tenant=a.tenant)
        return partner_journey(
            tenant=a.tenant, run=header, partner_id=who.pk, registration_public_id=built.won.public_id, model=model
        )


def test_a_journey_names_only_the_caller_when_nobody_co_sold(world, march):
    a = world.a
    built, _run = march
    mine = _journey(world, built, a.partner1)
    assert [(t.position, t.own, t.partner_name, t.touch_type, t.touch_on) for t in mine.touches] == [
        (0, True, a.partner1.name, "referral", d(1)),
        (1, False, "Another partner", "cosell", d(10)),
        (2, True, a.partner1.name, "technical_validation", d(20)),
    ]
    assert [t.shares["position_based"] for t in mine.touches] == pytest.approx([0.4, 0.2, 0.4])
    assert mine.row.customer == built.won.customer_name and mine.row.share == pytest.approx(2 / 3)
    theirs = _journey(world, built, a.partner2)
    assert [(t.own, t.partner_name) for t in theirs.touches] == [
        (False, "Another partner"),
        (True, a.partner2.name),
        (False, "Another partner"),
    ]
    assert theirs.row.customer == "a customer account" and not theirs.row.co_sold
    # partner 2's credit on this deal, per per-touch model (Markov has no per-deal split)
    assert {c.model: c.value for c in theirs.credits} == pytest.approx(
        {m: 5000 * s for m, s in P2_SHARES.items() if m != "markov"}
    )


def test_a_co_seller_is_named_to_its_team_mate_and_the_other_way_round(world, march):
    a = world.a
    built, _run = march
    with tenant_context(a.tenant.pk):
        co_sell(a, built.won, a.partner2)
    mine = _journey(world, built, a.partner1)
    assert [t.partner_name for t in mine.touches] == [a.partner1.name, a.partner2.name, a.partner1.name]
    theirs = _journey(world, built, a.partner2)
    assert [t.partner_name for t in theirs.touches] == [a.partner1.name, a.partner2.name, a.partner1.name]
    assert theirs.row.customer == built.won.customer_name


def test_an_accepted_participant_row_alone_makes_a_co_seller(world, march):
    a = world.a
    built, _run = march
    with tenant_context(a.tenant.pk):
        DealParticipant.objects.create(
            tenant=a.tenant, registration=built.won, partner=a.partner2, role="referral", status="accepted"
        )
    assert [t.partner_name for t in _journey(world, built, a.partner2).touches] == [
        a.partner1.name,
        a.partner2.name,
        a.partner1.name,
    ]


def test_an_invited_partner_is_not_a_co_seller(world, march):
    a = world.a
    built, _run = march
    with tenant_context(a.tenant.pk):
        DealParticipant.objects.create(
            tenant=a.tenant, registration=built.won, partner=a.partner2, role="referral", status="invited"
        )
    theirs = _journey(world, built, a.partner2)
    assert [t.partner_name for t in theirs.touches] == ["Another partner", a.partner2.name, "Another partner"]


def test_a_deal_without_the_callers_touch_is_not_found(world, march):
    a = world.a
    built, _run = march
    with tenant_context(a.tenant.pk, partner_id=a.partner2.pk):
        header = partner_run_header(tenant=a.tenant)
        for deal in (built.expired, built.open, built.untouched):
            with pytest.raises(NotFoundError):
                partner_journey(
                    tenant=a.tenant, run=header, partner_id=a.partner2.pk, registration_public_id=deal.public_id, model=None
                )
