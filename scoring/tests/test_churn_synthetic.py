"""The synthetic tenant: deterministic, point-in-time features, a label from the planted mechanism only.

Plain functions, no database. Hand-built event histories give features written out from the definitions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scoring.churn import synthetic
from scoring.churn.synthetic import FEATURES, LABEL, NOISE_FEATURES, PLANTED, Events, Mechanism, features_at, synthetic_tenant


def hand_events() -> Events:
    """One partner, 14 months of history (420 days); the snapshot is month 13, day 390."""
    months = 14
    logins = np.zeros((1, months * 30), dtype=np.int32)
    logins[0, [380, 385, 385]] = 1  # days 380 and 385 (385 counted once: assignment, not addition)
    logins[0, 300:330] = 1  # 30 days with one login, days 300–329 (in the 60 days before the last 30)
    logins[0, 389] = 2  # the day before as_of
    logins[0, 390:] = 5  # on and after as_of: must be ignored
    return Events(
        n_partners=1,
        n_months_total=months,
        join_month=np.array([-10]),
        logins=logins,
        # slot 0: 0 → 360, renewed 360 → 720; slot 1: 10 → 370 lapsed; slot 2: 50 → 410 (valid on as_of, ends in 20 days)
        cert_partner=np.array([0, 0, 0, 0]),
        cert_slot=np.array([0, 0, 1, 2]),
        cert_start=np.array([0, 360, 10, 50]),
        cert_end=np.array([360, 720, 370, 410]),
        # registrations: day 100 decided 130 won; day 350 decided 380 lost; day 385 decided 400 (after as_of) won
        reg_partner=np.array([0, 0, 0]),
        reg_day=np.array([100, 350, 385]),
        reg_decided_day=np.array([130, 380, 400]),
        reg_won=np.array([True, False, True]),
        noise_constant={
            "noise_region_code": np.array([3.0]),
            "noise_partner_size_log": np.array([2.5]),
            "noise_profile_completeness": np.array([0.8]),
        },
        noise_monthly={
            "newsletter_opens": np.arange(months, dtype=np.float64)[None, :],  # month m: m opens
            "support_tickets": np.ones((1, months)),
            "webinars": np.ones((1, months)),
            "mdf_claims": np.ones((1, months)),
            "activity_index": np.arange(months, dtype=np.float64)[None, :] / 10,
        },
    )


def test_features_of_a_hand_built_history():
    f = {k: float(v[0]) for k, v in features_at(hand_events(), 13).items()}
    # Logins before day 390: days 300–329 (30 × 1), 380, 385 (1 each), 389 (2).
    assert f["logins_30d"] == 4  # days 360–389: 380, 385, 389×2
    assert f["logins_60d"] == 4
    assert f["logins_90d"] == 34  # days 300–389
    assert f["logins_prior_60d"] == 30
    assert f["login_trend_log"] == pytest.approx(np.log(5 / 16))  # (4 + 1) / (30 / 2 + 1)
    assert f["days_since_last_login"] == 1  # 390 − 389
    assert f["login_days_30d"] == 3
    assert f["login_days_90d"] == 33
    # Certifications: slot 0 renewed (valid to 720), slot 1 lapsed on day 370, slot 2 valid to 410.
    assert f["certs_active"] == 2
    assert f["certs_expiring_90d"] == 1  # slot 2 ends on day 410 < 480
    assert f["certs_lapsed_90d"] == 1
    assert f["certs_lapsed_365d"] == 1
    assert f["certs_renewed_365d"] == 1  # slot 0's first record ended on day 360 and was renewed
    assert f["days_since_last_cert_lapse"] == 20
    assert f["certs_ever"] == 4
    # Registrations: submitted on days 100, 350, 385; decided before 390: the first two (one won).
    assert f["registrations_90d"] == 2  # days 350 and 385 are ≥ 300
    assert f["registrations_180d"] == 2  # day 100 is before 210
    assert f["registrations_365d"] == 3  # all three are ≥ 25
    assert f["days_since_last_registration"] == 5
    assert f["decided_365d"] == 2  # decided on days 130 (won) and 380 (lost); day 400 is not known yet
    assert f["wins_365d"] == 1
    assert f["win_rate_365d"] == pytest.approx(0.5)  # (1 + 1) / (2 + 2)
    assert f["tenure_months"] == 23  # month 13 − (−10)
    # Noise: the last 3 complete months are 10, 11, 12.
    assert f["noise_newsletter_opens_90d"] == 33
    assert f["noise_activity_index"] == pytest.approx(1.2)
    assert f["noise_region_code"] == 3


def test_days_since_is_capped_when_there_was_never_an_event():
    events = hand_events()
    events.logins[:] = 0
    f = features_at(events, 13)
    assert f["days_since_last_login"][0] == synthetic.DAYS_CAP
    assert f["login_trend_log"][0] == 0.0


def perturb_from(events: Events, month: int, seed: int = 0) -> Events:
    """Change every kind of event on or after the start of ``month``; leave everything before it alone."""
    rng = np.random.default_rng(seed)
    a = month * synthetic.DAYS_PER_MONTH
    out = events.copy()
    out.logins[:, a:] = rng.poisson(20.0, size=out.logins[:, a:].shape)
    future_cert = events.cert_start >= a
    # Future certification records: move them, and add records for everyone starting on the as-of day.
    extra = np.arange(events.n_partners)
    out.cert_partner = np.concatenate([events.cert_partner, extra])
    out.cert_slot = np.concatenate([events.cert_slot, np.full(len(extra), 7)])
    out.cert_start = np.concatenate([np.where(future_cert, events.cert_start + 5, events.cert_start), np.full(len(extra), a)])
    out.cert_end = np.concatenate([np.where(future_cert, events.cert_end + 5, events.cert_end), np.full(len(extra), a + 10)])
    # Future registrations: drop half; outcomes decided on or after as_of: flipped.
    keep = (events.reg_day < a) | (rng.random(len(events.reg_day)) < 0.5)
    flip = events.reg_decided_day >= a
    out.reg_partner, out.reg_day = events.reg_partner[keep], events.reg_day[keep]
    out.reg_decided_day = events.reg_decided_day[keep]
    out.reg_won = np.where(flip, ~events.reg_won, events.reg_won)[keep]
    for values in out.noise_monthly.values():
        values[:, month:] = rng.normal(size=values[:, month:].shape) * 100
    return out


def test_events_on_or_after_as_of_do_not_change_the_features():
    tenant = synthetic_tenant(300, 6, seed=3)
    for month in (synthetic.WARMUP_MONTHS, synthetic.WARMUP_MONTHS + 3, synthetic.WARMUP_MONTHS + 5):
        before = features_at(tenant.events, month)
        after = features_at(perturb_from(tenant.events, month), month)
        for name in FEATURES:
            np.testing.assert_array_equal(before[name], after[name], err_msg=name)


def test_an_event_the_day_before_as_of_does_change_the_features():
    # The control for the test above: the same kind of perturbation one day earlier is seen.
    tenant = synthetic_tenant(300, 6, seed=3)
    month = synthetic.WARMUP_MONTHS + 3
    a = month * synthetic.DAYS_PER_MONTH
    events = tenant.events.copy()
    events.logins[:, a - 1] += 3
    before, after = features_at(tenant.events, month), features_at(events, month)
    assert np.all(after["logins_30d"] == before["logins_30d"] + 3)
    assert np.all(after["days_since_last_login"] == 1)


def test_same_seed_same_tenant_and_another_seed_another():
    first, again = synthetic_tenant(200, 4, seed=11), synthetic_tenant(200, 4, seed=11)
    pd.testing.assert_frame_equal(first.table, again.table)
    other = synthetic_tenant(200, 4, seed=12)
    assert not first.table[FEATURES].equals(other.table[FEATURES])


def test_shape_rows_are_consecutive_months_per_partner():
    tenant = synthetic_tenant(150, 5, seed=1)
    table = tenant.table
    assert len(FEATURES) >= 30
    assert len(table) == 150 * 5
    assert set(PLANTED).isdisjoint(NOISE_FEATURES)
    for _, rows in table.groupby("partner_id"):
        assert rows["month"].tolist() == [0, 1, 2, 3, 4]
        assert rows[synthetic.TIME].diff().dropna().dt.days.between(28, 31).all()


def test_true_probability_is_the_planted_logit_of_three_features():
    tenant = synthetic_tenant(400, 6, seed=2)
    t, m = tenant.table, Mechanism()
    logit = (
        m.intercept
        + m.login_trend_log * t["login_trend_log"]
        + m.days_since_last_login * t["days_since_last_login"]
        + m.certs_lapsed_90d * t["certs_lapsed_90d"]
    )
    np.testing.assert_allclose(t["true_probability"], 1 / (1 + np.exp(-logit)), rtol=1e-12)
    # Nothing else enters: scrambling every other column leaves the probability unchanged.
    scrambled = t.copy()
    for name in FEATURES:
        if name not in PLANTED:
            scrambled[name] = np.random.default_rng(0).permutation(scrambled[name].to_numpy())
    np.testing.assert_array_equal(m.probability(scrambled), t["true_probability"].to_numpy())


def test_labels_follow_the_true_probability():
    tenant = synthetic_tenant(2000, 6, seed=5)
    t = tenant.table
    n = len(t)
    expected = t["true_probability"].sum()
    sd = np.sqrt((t["true_probability"] * (1 - t["true_probability"])).sum())
    assert abs(t[LABEL].sum() - expected) < 4 * sd  # a 4-sigma band around the expected count
    assert 0.08 < t[LABEL].mean() < 0.25  # a churn rate a tenant could have
    assert n == 12000


def test_noise_features_are_independent_of_the_planted_ones():
    t = synthetic_tenant(2000, 6, seed=5).table
    correlations = t[PLANTED + NOISE_FEATURES].corr().loc[PLANTED, NOISE_FEATURES].abs()
    assert (
        correlations.to_numpy().max() < 0.05
    )  # 12,000 rows: sampling sd of a correlation ≈ 0.01 (rows of a partner are correlated)
