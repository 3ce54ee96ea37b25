"""MDF return prediction on hand-computed cases: median and 80 % interval of the similar campaigns'
ratios, the widening of "similar", too little history, and a backtest on planted campaigns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scoring.mdf_return import NoPrediction, backtest, predict_return


def campaigns(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["activity_type", "partner_type", "spend", "pipeline", "won"])


def test_median_and_interval_of_the_same_activity_and_partner_type():
    # pipeline per spend 2, 4, 6, 8, 10; ROPI 0.5, 1, 1.5, 2, 2.5; one reseller webinar that must not count
    past = campaigns(
        [("webinar", "msp", 100, 200 * k, 50 * k) for k in (1, 2, 3, 4, 5)] + [("webinar", "reseller", 100, 99_999, 99_999)]
    )
    answer = predict_return(past, activity_type="webinar", partner_type="msp", planned_spend=1000)
    assert answer.group == "same activity and partner type" and answer.campaigns == 5
    # percentiles by linear interpolation over 5 sorted values: p10 at position 0.4, p90 at 3.6
    assert answer.pipeline == pytest.approx(1000 * 6)
    assert (answer.pipeline_low, answer.pipeline_high) == (pytest.approx(1000 * 2.8), pytest.approx(1000 * 9.2))
    assert (answer.ropi, answer.ropi_low, answer.ropi_high) == (pytest.approx(1.5), pytest.approx(0.7), pytest.approx(2.3))


def test_similar_widens_to_the_activity_then_to_everything_and_needs_three():
    past = campaigns([("event", "msp", 10, 10, 0)] * 2 + [("event", "isv", 10, 30, 0)] * 3 + [("webinar", "msp", 10, 50, 0)])
    widened = predict_return(past, activity_type="event", partner_type="msp", planned_spend=10)
    assert widened.group == "same activity" and widened.campaigns == 5 and widened.pipeline == pytest.approx(30)
    everything = predict_return(past, activity_type="content", partner_type="msp", planned_spend=10)
    assert everything.group == "all campaigns" and everything.campaigns == 6
    short = predict_return(past.head(2), activity_type="event", partner_type="msp", planned_spend=10)
    assert isinstance(short, NoPrediction) and "2 with an approved claim (need 3)" in short.reason
    no_spend = campaigns([("event", "msp", 0, 10, 0)] * 5)
    assert isinstance(predict_return(no_spend, activity_type="event", partner_type="msp", planned_spend=10), NoPrediction)


def test_the_backtest_covers_about_eight_in_ten_on_planted_campaigns():
    rng = np.random.default_rng(4)
    n = 300
    spend = rng.uniform(1_000, 20_000, n)
    ratio = rng.lognormal(mean=np.log(5), sigma=0.5, size=n)  # pipeline ≈ 5 × spend, noisy
    past = pd.DataFrame(
        {"activity_type": "event", "partner_type": "msp", "spend": spend, "pipeline": spend * ratio, "won": spend * ratio * 0.2}
    )
    result = backtest(past)
    assert result["predicted"] == n
    assert 0.72 <= result["interval_coverage"] <= 0.88
    assert result["median_abs_pct_error"] < 0.45
