"""Health score: each component by hand, renormalisation, weights, monotonicity, top actions, deltas.

Plain functions, no database. Expected numbers are written from the definitions in score.py (and
docs/health-score.md) with the default parameters.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from scoring.health import score as hs
from scoring.health.aggregate import EventKind, aggregate_engagement
from scoring.health.score import COMPONENTS, HealthFeatures, HealthParameters

NAN = np.nan


def features(n: int = 1, **columns) -> HealthFeatures:
    """A partner with nothing at all (never logged in, no PSAT), overridden by ``columns``."""
    values = {f.name: np.zeros(n) for f in dataclasses.fields(HealthFeatures)}
    values["days_since_login"] = np.full(n, NAN)
    values["days_to_close"] = np.full(n, NAN)
    values["psat"] = np.full(n, NAN)
    values.update({name: np.broadcast_to(np.asarray(v, dtype=float), (n,)).copy() for name, v in columns.items()})
    return HealthFeatures.from_columns(values)


def random_features(rng: np.random.Generator, n: int) -> HealthFeatures:
    certified = rng.poisson(2.0, n).astype(float)
    return HealthFeatures(
        days_since_login=np.where(rng.random(n) < 0.1, NAN, rng.exponential(20.0, n).round()),
        logins_30d=rng.poisson(6.0, n).astype(float),
        portal_actions_30d=rng.poisson(1.0, n).astype(float),
        certified_people=certified,
        certifications_expiring=rng.binomial(certified.astype(int), 0.3).astype(float),
        courses_completed_90d=rng.poisson(3.0, n).astype(float),
        registrations_90d=rng.poisson(2.0, n).astype(float),
        registrations_approved=rng.poisson(3.0, n).astype(float),
        registrations_rejected=rng.poisson(1.0, n).astype(float),
        deals_won=rng.poisson(2.0, n).astype(float),
        deals_lost=rng.poisson(2.0, n).astype(float),
        days_to_close=np.where(rng.random(n) < 0.3, NAN, rng.gamma(3.0, 20.0, n)),
        revenue_recent=rng.lognormal(10.0, 1.5, n) * (rng.random(n) < 0.7),
        revenue_previous=rng.lognormal(10.0, 1.5, n) * (rng.random(n) < 0.7),
        psat=np.where(rng.random(n) < 0.4, NAN, rng.uniform(1.0, 5.0, n)),
        open_security_items=rng.poisson(0.5, n).astype(float),
    )


def component(f: HealthFeatures, name: str, params: HealthParameters | None = None) -> np.ndarray:
    return hs.score(f, params).component(name)


# --- each component by hand (defaults) -----------------------------------------------------------


def test_engagement_by_hand():
    # ½·100·2^(−d/14) + ½·100·x/(x + 8).
    f = features(4, days_since_login=[14, 28, NAN, 0], logins_30d=[8, 24, 0, 8])
    # 14 days, 8 logins: ½·50 + ½·50 = 50. 28 days, 24 logins: ½·25 + ½·75 = 50.
    # Never, none: 0. Today, 8 logins: ½·100 + ½·50 = 75.
    np.testing.assert_allclose(component(f, "engagement"), [50, 50, 0, 75], atol=1e-12)


def test_portal_actions_count_like_logins_in_engagement():
    # ½·100·2^(−d/14) + ½·100·(logins + actions)/(logins + actions + 8).
    f = features(3, days_since_login=[14, 14, NAN], logins_30d=[4, 4, 0], portal_actions_30d=[0, 4, 8])
    # 14 days, 4 logins: ½·50 + ½·100·4/12 = 41.67. The same and 4 actions (8 in all): ½·50 + ½·50 = 50.
    # Never logged in (an action by API, say), 8 actions: ½·0 + ½·50 = 25.
    np.testing.assert_allclose(component(f, "engagement"), [25 + 50 / 3, 50, 25], atol=1e-12)


def test_enablement_by_hand():
    # 0.6·100·e/(e + 2) + 0.4·100·c/(c + 4), e = certified − ½·expiring.
    f = features(3, certified_people=[2, 3, 0], certifications_expiring=[0, 2, 0], courses_completed_90d=[4, 12, 0])
    # 2 certified, 4 courses: 0.6·50 + 0.4·50 = 50.
    # 3 certified of which 2 expiring → e = 2 → 50; 12 courses → 75: 0.6·50 + 0.4·75 = 60.
    np.testing.assert_allclose(component(f, "enablement"), [50, 60, 0], atol=1e-12)


def test_pipeline_by_hand():
    # volume 100·r/(r + 3) (0.4), approval and win 100·(k + 1)/(n + 2) (0.2 each), velocity 100·60/(60 + d) (0.2).
    f = features(
        3,
        registrations_90d=[3, 3, 0],
        registrations_approved=[1, 1, 0],
        deals_won=[0, 0, 0],
        days_to_close=[60, NAN, NAN],
    )
    # Partner 0: volume 50, approval (1 + 1)/(1 + 2) = 200/3, win (0 + 1)/(0 + 2) = 50, velocity 50:
    #   0.4·50 + 0.2·200/3 + 0.2·50 + 0.2·50 = 20 + 40/3 + 10 + 10 = 160/3.
    # Partner 1: no closed-won deal → velocity left out: (20 + 40/3 + 10) / 0.8 = 130/3 / 0.8 = 325/6.
    # Partner 2: volume 0, approval 50, win 50, no velocity: (0 + 10 + 10) / 0.8 = 25.
    np.testing.assert_allclose(component(f, "pipeline"), [160 / 3, 325 / 6, 25], atol=1e-12)
    # Win rate 3 of 4 → (3 + 1)/(4 + 2) = 2/3; approval 0 of 2 → 1/4; volume 9 → 75; velocity 20 days → 75.
    f = features(
        registrations_90d=9, registrations_rejected=2, deals_won=3, deals_lost=1, days_to_close=20, registrations_approved=0
    )
    np.testing.assert_allclose(component(f, "pipeline"), [0.4 * 75 + 0.2 * 25 + 0.2 * 200 / 3 + 0.2 * 75], atol=1e-12)


def test_revenue_by_hand():
    # 0.7·100·w/(w + 100000) + 0.3·100·(recent + 10000)/(w + 20000), w = recent + previous.
    f = features(3, revenue_recent=[60_000, 0, 0], revenue_previous=[40_000, 0, 300_000])
    # 60k + 40k: volume 50, trend 100·70000/120000 = 175/3: 35 + 17.5 = 52.5.
    # Nothing: volume 0, trend 50 (flat): 15.
    # 300k all in the older half: volume 75, trend 100·10000/320000 = 3.125: 52.5 + 0.9375 = 53.4375.
    np.testing.assert_allclose(component(f, "revenue"), [52.5, 15, 53.4375], atol=1e-12)


def test_satisfaction_by_hand_and_missing():
    f = features(4, psat=[1, 4, 5, NAN])
    np.testing.assert_allclose(component(f, "satisfaction"), [0, 75, 100, NAN], atol=1e-12)


def test_compliance_by_hand():
    f = features(3, open_security_items=[0, 1, 3])
    np.testing.assert_allclose(component(f, "compliance"), [100, 50, 25], atol=1e-12)


def test_total_by_hand_and_renormalised_without_satisfaction():
    # Components 50, 50, 160/3, 52.5, 75, 100 with weights 25/20/20/20/10/5 (normalised by 100).
    columns = {
        "days_since_login": 14,
        "logins_30d": 8,
        "certified_people": 2,
        "courses_completed_90d": 4,
        "registrations_90d": 3,
        "registrations_approved": 1,
        "days_to_close": 60,
        "revenue_recent": 60_000,
        "revenue_previous": 40_000,
        "open_security_items": 0,
    }
    with_psat = hs.score(features(psat=4, **columns))
    np.testing.assert_allclose(with_psat.components[0], [50, 50, 160 / 3, 52.5, 75, 100], atol=1e-12)
    expected = 0.25 * 50 + 0.2 * 50 + 0.2 * 160 / 3 + 0.2 * 52.5 + 0.1 * 75 + 0.05 * 100
    np.testing.assert_allclose(with_psat.total, [expected], atol=1e-12)
    # No PSAT: satisfaction left out, the other weights (sum 0.9) renormalised.
    without = hs.score(features(**columns))
    rest = 0.25 * 50 + 0.2 * 50 + 0.2 * 160 / 3 + 0.2 * 52.5 + 0.05 * 100
    np.testing.assert_allclose(without.total, [rest / 0.9], atol=1e-12)
    np.testing.assert_allclose(without.weights[0], [0.25 / 0.9, 0.2 / 0.9, 0.2 / 0.9, 0.2 / 0.9, 0, 0.05 / 0.9], atol=1e-15)
    np.testing.assert_allclose(without.contributions.sum(axis=1), without.total, atol=1e-12)


# --- weights and parameters ----------------------------------------------------------------------


def test_weights_are_normalised_and_missing_ones_are_zero():
    params = HealthParameters(weights={"engagement": 3, "compliance": 1})
    assert params.weights == {
        "engagement": 0.75,
        "enablement": 0,
        "pipeline": 0,
        "revenue": 0,
        "satisfaction": 0,
        "compliance": 0.25,
    }
    f = features(days_since_login=0, logins_30d=8, open_security_items=1)  # engagement 75, compliance 50
    np.testing.assert_allclose(hs.score(f, params).total, [0.75 * 75 + 0.25 * 50], atol=1e-12)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"engagement": -1, "pipeline": 2}, "non-negative"),
        ({"engagement": 0, "pipeline": 0}, "at least one weight"),
        ({"satisfaction": 1}, "not only satisfaction"),
        ({"loyalty": 1}, "unknown components"),
        ({"engagement": float("inf")}, "finite"),
    ],
)
def test_invalid_weights_are_rejected(weights, message):
    with pytest.raises(ValueError, match=message):
        HealthParameters(weights=weights)


def test_parameters_from_tenant_settings():
    params = HealthParameters.from_settings({"logins_midpoint": 4, "weights": {"engagement": 1}})
    assert params.logins_midpoint == 4
    assert HealthParameters.from_settings(None) == HealthParameters()
    with pytest.raises(ValueError, match="unknown health score settings"):
        HealthParameters.from_settings({"login_midpoint": 4})
    with pytest.raises(ValueError, match="must be positive"):
        HealthParameters(logins_midpoint=0)
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        HealthParameters(revenue_volume_share=1.5)


def test_features_are_validated():
    with pytest.raises(ValueError, match="cannot exceed"):
        features(certified_people=1, certifications_expiring=2)
    with pytest.raises(ValueError, match="1–5"):
        features(psat=7)
    with pytest.raises(ValueError, match="negative"):
        features(logins_30d=-1)
    with pytest.raises(ValueError, match="missing"):
        features(logins_30d=NAN)


# --- properties on random data -------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(3))
def test_totals_lie_in_0_100_and_contributions_sum_to_total(seed):
    rng = np.random.default_rng(seed)
    f = random_features(rng, 2_000)
    weights = dict(zip(COMPONENTS, rng.uniform(0, 1, len(COMPONENTS)), strict=True))
    result = hs.score(f, HealthParameters(weights=weights))
    assert ((result.total >= 0) & (result.total <= 100)).all()
    components = result.components[~np.isnan(result.components)]
    assert ((components >= 0) & (components <= 100)).all()
    np.testing.assert_allclose(result.weights.sum(axis=1), 1, atol=1e-12)
    np.testing.assert_allclose(result.contributions.sum(axis=1), result.total, atol=1e-9)


@pytest.mark.parametrize("seed", range(3))
def test_more_logins_never_lowers_engagement(seed):
    rng = np.random.default_rng(seed)
    f = random_features(rng, 2_000)
    extra = rng.integers(1, 5, f.n_partners)
    # The extra logins happened within the window: the last login is no older than before.
    latest = rng.uniform(0, 30, f.n_partners).round()
    more = f.replace(logins_30d=f.logins_30d + extra, days_since_login=np.fmin(f.days_since_login, latest))
    assert (component(more, "engagement") >= component(f, "engagement")).all()
    assert (hs.score(more).total >= hs.score(f).total - 1e-12).all()


@pytest.mark.parametrize("seed", range(3))
def test_an_expired_certification_never_raises_enablement(seed):
    rng = np.random.default_rng(seed)
    f = random_features(rng, 2_000)
    f = f.replace(certified_people=f.certified_people + 1)  # everyone has one to lose
    # The one that expires was one of the "expiring" ones when there are any, at random.
    was_expiring = (f.certifications_expiring > 0) & (rng.random(f.n_partners) < 0.5)
    expired = f.replace(certified_people=f.certified_people - 1, certifications_expiring=f.certifications_expiring - was_expiring)
    assert (component(expired, "enablement") <= component(f, "enablement")).all()
    assert (component(expired, "enablement") < component(f, "enablement")).any()


# --- top actions ---------------------------------------------------------------------------------


def test_top_actions_are_sorted_and_each_gain_is_the_rescored_difference():
    rng = np.random.default_rng(11)
    f = random_features(rng, 500)
    base = hs.score(f).total
    top = hs.top_actions(f, k=3)
    codes = [a.code for a in hs.ACTIONS]
    all_gains = hs.action_gains(f)
    for i in range(f.n_partners):
        listed = top.for_partner(i)
        gains = [g for _, g in listed]
        assert gains == sorted(gains, reverse=True)
        assert all(g >= 0.05 for g in gains)
        for code, gain in listed:
            action = hs.ACTIONS[codes.index(code)]
            rescored = hs.score(action.change(f)).total[i]
            assert gain == pytest.approx(rescored - base[i], abs=1e-12)
        # Nothing left out beats the last one listed.
        if len(listed) == 3:
            unlisted = [g for j, g in enumerate(all_gains[i]) if codes[j] not in dict(listed)]
            assert max(unlisted) <= gains[-1]


def test_top_actions_by_hand_and_in_plain_sentences():
    # Never logged in, nothing else, no PSAT: components 0, 0, 25 (pipeline), 15 (revenue), –, 100 (compliance);
    # weights 25, 20, 20, 20, –, 5 over 90.
    f = features()
    base = (20 * 25 + 20 * 15 + 5 * 100) / 90
    np.testing.assert_allclose(hs.score(f).total, [base], atol=1e-12)
    # Log in this week: engagement ½·100 + ½·100·1/9 = 500/9 → +25·(500/9)/90.
    # Certify one more person: enablement 0.6·100·1/3 = 20 → +20·20/90.
    # Register a deal: volume 100·1/4 = 25 → pipeline (0.4·25 + 20)/0.8 = 37.5 → +20·12.5/90.
    top = hs.top_actions(f)
    gains = dict(top.for_partner(0))
    assert list(gains) == ["log_in", "certify_person", "register_deal"]
    np.testing.assert_allclose(list(gains.values()), [25 * (500 / 9) / 90, 20 * 20 / 90, 20 * 12.5 / 90], atol=1e-12)
    assert top.sentences(0) == ["Log in this week: +15", "Certify one more person: +4", "Register a deal: +3"]


def test_top_actions_are_deterministic_and_skip_inapplicable_ones():
    # Everything saturated except a missing security item to resolve → no action applies beyond tiny gains.
    f = features(open_security_items=0)
    codes = [code for code, _ in hs.top_actions(f, k=7).for_partner(0)]
    assert "resolve_security_item" not in codes
    assert "renew_certification" not in codes
    f = features(open_security_items=2, certified_people=2, certifications_expiring=1)
    codes = [code for code, _ in hs.top_actions(f, k=7).for_partner(0)]
    assert "resolve_security_item" in codes
    assert "renew_certification" in codes
    rng = np.random.default_rng(3)
    r = random_features(rng, 300)
    a, b = hs.top_actions(r), hs.top_actions(r)
    np.testing.assert_array_equal(a.action, b.action)


# --- what moved since last time ------------------------------------------------------------------


def test_delta_signs_and_what_moved():
    previous_features = features(
        2, days_since_login=[3, 3], logins_30d=[10, 10], open_security_items=[0, 0], certified_people=[2, 2]
    )
    # Partner 0 stopped logging in; partner 1 got an open security item and a new certification.
    current_features = previous_features.replace(
        days_since_login=np.array([40.0, 3.0]),
        logins_30d=np.array([1.0, 10.0]),
        open_security_items=np.array([0.0, 1.0]),
        certified_people=np.array([2.0, 3.0]),
    )
    change = hs.delta(hs.score(previous_features), hs.score(current_features))
    assert change.total[0] < 0
    moved = change.moved(0)
    assert [name for name, _ in moved] == ["engagement"]
    assert moved[0][1] < 0
    np.testing.assert_allclose(moved[0][1], change.total[0], atol=1e-12)
    names = dict(change.moved(1))
    assert names["compliance"] < 0  # compliance 100 → 50, weight 5/90: −2.78 points
    assert names["enablement"] > 0
    np.testing.assert_allclose(names["compliance"], -50 * 5 / 90, atol=1e-12)
    assert change.sentences(1)[0].startswith(("Compliance -", "Enablement +"))
    np.testing.assert_allclose(change.contributions.sum(axis=1), change.total, atol=1e-12)


def test_delta_when_satisfaction_appears():
    # A first PSAT answer re-weights everything; the contributions still add up to the total change.
    before = hs.score(features(days_since_login=1, logins_30d=5))
    after = hs.score(features(days_since_login=1, logins_30d=5, psat=5))
    change = hs.delta(before, after)
    assert np.isnan(change.components[0, COMPONENTS.index("satisfaction")])
    assert change.contributions[0, COMPONENTS.index("satisfaction")] == pytest.approx(10.0)  # 0.1 · 100
    np.testing.assert_allclose(change.contributions.sum(axis=1), change.total, atol=1e-12)
    with pytest.raises(ValueError, match="same partners"):
        hs.delta(before, hs.score(features(2)))


def test_event_columns_from_aggregated_events():
    # Partner 0: logins 2 and 40 days ago, a course 80 days ago, a registration submitted 100 days ago
    # (outside 90) and approved 95 days ago (inside 365), a deal won 200 days ago, an MDF request 25
    # days ago, a claim 5 days ago and a content download 31 days ago (outside 30). Partner 1: nothing.
    ages = [2, 40, 80, 100, 95, 200, 25, 5, 31]
    kinds = [
        EventKind.LOGIN,
        EventKind.LOGIN,
        EventKind.COURSE_COMPLETED,
        EventKind.REGISTRATION_SUBMITTED,
        EventKind.REGISTRATION_APPROVED,
        EventKind.DEAL_WON,
        EventKind.MDF_REQUEST,
        EventKind.MDF_CLAIM,
        EventKind.CONTENT_VIEW,
    ]
    engagement = aggregate_engagement(
        np.zeros(len(ages), dtype=np.int32),
        1000 - np.array(ages),
        np.array(kinds),
        as_of=1000,
        n_partners=2,
        windows=(30, 90, 365),
    )
    columns = hs.event_columns(engagement)
    np.testing.assert_array_equal(columns["days_since_login"], [2, NAN])
    assert columns["logins_30d"].tolist() == [1, 0]
    assert columns["portal_actions_30d"].tolist() == [2, 0]
    assert columns["courses_completed_90d"].tolist() == [1, 0]
    assert columns["registrations_90d"].tolist() == [0, 0]
    assert columns["registrations_approved"].tolist() == [1, 0]
    assert columns["deals_won"].tolist() == [1, 0]
    f = features(2, **{k: v for k, v in columns.items() if k != "days_since_login"}).replace(
        days_since_login=columns["days_since_login"]
    )
    assert hs.score(f).total[0] > hs.score(f).total[1]
    with pytest.raises(ValueError, match="365"):
        hs.event_columns(aggregate_engagement([], np.array([], dtype=np.int64), [], as_of=1000, n_partners=1))
