"""Journeys built from the database follow the documented rule, with one query per table."""

from __future__ import annotations

import numpy as np
import pytest

from attribution.journeys_loader import NO_TIER, inputs_sha256, load_journeys
from attribution.models import ChannelDimension
from ecosystem.tenancy.context import tenant_context
from partners.models import Tier

from .world import END, START, build_march

pytestmark = pytest.mark.django_db


def _paths(loaded):
    j = loaded.journeys
    keys = loaded.channel_keys
    return [[keys[c] for c in j.channels[j.offsets[i] : j.offsets[i + 1]]] for i in range(j.n_journeys)]


def test_outcomes_touches_and_days_by_touchpoint_type(world, django_assert_num_queries):
    a = world.a
    with tenant_context(a.tenant.pk):
        march = build_march(a)
        # registrations (COPY), program currency, rates, touchpoints (COPY), partners
        with django_assert_num_queries(5):
            loaded = load_journeys(period_start=START, period_end=END, dimension=ChannelDimension.TOUCHPOINT_TYPE)
    j = loaded.journeys
    assert list(loaded.registration_ids) == [march.expired.pk, march.lost.pk, march.won.pk, march.open.pk]
    assert _paths(loaded) == [
        ["referral"],
        ["cosell"],
        ["referral", "cosell", "technical_validation"],
        ["implementation"],
    ]
    assert loaded.channel_keys == ("cosell", "implementation", "referral", "technical_validation")
    assert j.labels[0] == "Co-sell role on a deal"
    assert list(j.conv) == [0, 0, 1, 0]
    assert list(j.value) == [0, 0, 5000, 0]
    assert list(j.days) == [1, 10, 19, 10, 0, 1]
    assert loaded.skipped_without_touch == 1
    assert loaded.skipped_won_value == 700
    assert len(loaded.touchpoint_ids) == 6


def test_partner_partner_type_and_tier_channels(world):
    a = world.a
    with tenant_context(a.tenant.pk):
        build_march(a)
        gold = Tier.objects.create(tenant=a.tenant, name="Gold", rank=2)
        a.partner1.tier = gold
        a.partner1.save(update_fields=["tier"])
        by_partner = load_journeys(period_start=START, period_end=END, dimension=ChannelDimension.PARTNER)
        by_type = load_journeys(period_start=START, period_end=END, dimension=ChannelDimension.PARTNER_TYPE)
        by_tier = load_journeys(period_start=START, period_end=END, dimension=ChannelDimension.TIER)
    p1, p2 = str(a.partner1.public_id), str(a.partner2.public_id)
    assert _paths(by_partner) == [[p1], [p2], [p1, p2, p1], [p1]]
    assert dict(zip(by_partner.channel_keys, by_partner.channel_partner_ids, strict=True)) == {
        p1: a.partner1.pk,
        p2: a.partner2.pk,
    }
    assert dict(zip(by_partner.channel_keys, by_partner.labels, strict=True))[p1] == a.partner1.name
    assert _paths(by_type) == [["reseller"], ["msp"], ["reseller", "msp", "reseller"], ["reseller"]]
    assert by_type.channel_partner_ids == (None, None)
    gold_key = str(gold.public_id)
    assert _paths(by_tier) == [[gold_key], [NO_TIER], [gold_key, NO_TIER, gold_key], [gold_key]]
    assert dict(zip(by_tier.channel_keys, by_tier.labels, strict=True)) == {gold_key: "Gold", NO_TIER: "No tier"}
    # the arrays do not depend on the dimension's labels, only the channel coding does
    assert np.array_equal(by_partner.journeys.offsets, by_type.journeys.offsets)


def test_lookback_and_empty_period(world):
    a = world.a
    with tenant_context(a.tenant.pk):
        build_march(a)
        short = load_journeys(period_start=START, period_end=END, dimension=ChannelDimension.TOUCHPOINT_TYPE, lookback_days=5)
        empty = load_journeys(
            period_start=START.replace(year=2020), period_end=END.replace(year=2020), dimension=ChannelDimension.PARTNER
        )
    # the won deal (closed 03-20) keeps only the touch of 03-20 within 5 days; the lost deal's 03-05 touch is 10 days old
    assert _paths(short) == [["referral"], ["technical_validation"], ["implementation"]]
    assert empty.journeys.n_journeys == 0 and empty.journeys.n_channels == 0


def test_hash_is_stable_and_follows_data_and_parameters(world):
    a = world.a
    with tenant_context(a.tenant.pk):
        build_march(a)
        one = load_journeys(period_start=START, period_end=END, dimension=ChannelDimension.PARTNER)
        two = load_journeys(period_start=START, period_end=END, dimension=ChannelDimension.PARTNER)
        shorter = load_journeys(period_start=START, period_end=END, dimension=ChannelDimension.PARTNER, lookback_days=5)
    assert inputs_sha256(one, {"x": 1, "y": [1, 2]}) == inputs_sha256(two, {"y": [1, 2], "x": 1})
    assert inputs_sha256(one, {"x": 1}) != inputs_sha256(one, {"x": 2})
    assert inputs_sha256(one, {"x": 1}) != inputs_sha256(shorter, {"x": 1})
    assert len(inputs_sha256(one, {})) == 64


def test_open_at_the_end_of_a_past_period_and_won_in_the_next(world):
    """A deal submitted in March and won in April is open at March's end (outcome date 03-31, no
    conversion) and won in April: a past period sees the deals as they stood at its end."""
    from attribution.models import OutcomeKind, TouchpointType
    from deals.models.registrations import DealStage, RegistrationStatus

    from .world import account, d, registration, touch

    a = world.a
    with tenant_context(a.tenant.pk):
        customer = account(a.tenant)
        later = registration(
            a.tenant,
            a.partner1,
            customer,
            submitted=d(10),
            stage=DealStage.CLOSED_WON,
            status=RegistrationStatus.WON,
            closed_on=d(3, 4),
            closed_amount="1200",
        )
        touch(a.tenant, a.partner1, customer, d(12), TouchpointType.REFERRAL)
        touch(a.tenant, a.partner1, customer, d(2, 4), TouchpointType.IMPLEMENTATION)
        march = load_journeys(period_start=START, period_end=END, dimension=ChannelDimension.TOUCHPOINT_TYPE)
        april = load_journeys(period_start=d(1, 4), period_end=d(30, 4), dimension=ChannelDimension.TOUCHPOINT_TYPE)
    assert list(march.registration_ids) == [later.pk]
    assert list(march.outcomes) == [OutcomeKind.OPEN] and march.outcome_days[0] == np.datetime64(END)
    assert list(march.journeys.conv) == [0] and list(march.journeys.value) == [0]
    assert _paths(march) == [["referral"]] and list(march.journeys.days) == [19]
    assert list(april.outcomes) == [OutcomeKind.WON] and list(april.journeys.value) == [1200]
    assert _paths(april) == [["referral", "implementation"]] and list(april.journeys.days) == [22, 1]


def test_outcomes_without_any_touchpoint_in_the_tenant(world):
    from deals.models.registrations import DealStage, RegistrationStatus

    from .world import account, d, registration

    a = world.a
    with tenant_context(a.tenant.pk):
        registration(
            a.tenant,
            a.partner1,
            account(a.tenant),
            submitted=d(2),
            stage=DealStage.CLOSED_WON,
            status=RegistrationStatus.WON,
            closed_on=d(9),
            closed_amount="300",
        )
        loaded = load_journeys(period_start=START, period_end=END, dimension=ChannelDimension.PARTNER)
    assert loaded.journeys.n_journeys == 0
    assert loaded.skipped_without_touch == 1 and loaded.skipped_won_value == 300


def test_tier_channels_follow_the_tier_in_force_at_each_touch(world):
    """Partner 1 was Silver until 03-05, Gold from then on; partner 2 never changed tier (none today).
    A touch before the first change gets the tier that change left; later ones the tier it set."""
    from attribution.models import TouchpointType
    from deals.models.registrations import DealStage, RegistrationStatus
    from partners.models import TierChange

    from .support import at
    from .world import account, d, registration, touch

    a = world.a
    with tenant_context(a.tenant.pk):
        silver = Tier.objects.create(tenant=a.tenant, name="Silver", rank=1)
        gold = Tier.objects.create(tenant=a.tenant, name="Gold", rank=2)
        a.partner1.tier = gold
        a.partner1.save(update_fields=["tier"])
        change = TierChange.objects.create(
            tenant=a.tenant, partner=a.partner1, from_tier=silver, to_tier=gold, kind="automatic", reason="revenue"
        )
        TierChange.objects.filter(pk=change.pk).update(changed_at=at(d(5), hour=9))
        customer = account(a.tenant)
        registration(
            a.tenant,
            a.partner1,
            customer,
            submitted=d(1, 2),
            stage=DealStage.CLOSED_WON,
            status=RegistrationStatus.WON,
            closed_on=d(20),
            closed_amount="100",
        )
        touch(a.tenant, a.partner1, customer, d(4), TouchpointType.REFERRAL)  # Silver then
        touch(a.tenant, a.partner2, customer, d(6), TouchpointType.COSELL)  # no tier
        touch(a.tenant, a.partner1, customer, d(10), TouchpointType.IMPLEMENTATION)  # Gold by then
        loaded = load_journeys(period_start=START, period_end=END, dimension=ChannelDimension.TIER)
    assert _paths(loaded) == [[str(silver.public_id), NO_TIER, str(gold.public_id)]]
    assert dict(zip(loaded.channel_keys, loaded.labels, strict=True)) == {
        str(silver.public_id): "Silver",
        str(gold.public_id): "Gold",
        NO_TIER: "No tier",
    }
