"""MDF return prediction: what a requested campaign is likely to bring, from the tenant's past campaigns.

For each **past campaign** (a request whose campaign has ended and whose claim was approved) we know
the spend ``s`` (the approved claim amounts), the pipeline it generated ``p`` (the amounts of the deal
registrations tagged with it, whatever became of them) and the closed-won revenue ``w`` of those
registrations. Two ratios per campaign: pipeline per unit of spend ``p / s`` and ROPI ``w / s``.

For a new request (activity type, partner type, planned spend ``S``):

1. **Similar campaigns**: the past campaigns of the same activity type run by partners of the same
   type; with fewer than :data:`MIN_SIMILAR` of those, the same activity type by any partner; with
   fewer still, every past campaign. Fewer than :data:`MIN_CAMPAIGNS` in all: no prediction, and the
   reason says so.
2. **Prediction**: pipeline = ``S × median(p / s)``; ROPI = ``median(w / s)``; each with an **80 %
   interval** from the 10th and 90th percentiles of the similar campaigns' ratios (empirical, linear
   interpolation), so a campaign like the similar ones lands inside it 8 times in 10.
3. The answer names the group used and how many campaigns it holds, so the approving manager can
   weigh it: five webinars by other MSPs are not fifty.

Ratios, not amounts, are what carry over between campaigns of different sizes; the median and the
percentiles keep one outlier campaign from setting the figure. This is deliberately simple and fully
explained; :func:`backtest` measures it on the tenant's own history (each past campaign predicted from
the others: the share inside its interval and the median absolute error of the pipeline).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

MIN_SIMILAR = 5
MIN_CAMPAIGNS = 3
LOW, HIGH = 10, 90  # percentiles of the 80 % interval


@dataclass(frozen=True)
class ReturnPrediction:
    group: str  # "same activity and partner type" | "same activity" | "all campaigns"
    campaigns: int
    pipeline: float
    pipeline_low: float
    pipeline_high: float
    ropi: float
    ropi_low: float
    ropi_high: float


@dataclass(frozen=True)
class NoPrediction:
    reason: str


def _similar(past: pd.DataFrame, *, activity_type: str, partner_type: str) -> tuple[pd.DataFrame, str]:
    same_activity = past[past["activity_type"] == activity_type]
    both = same_activity[same_activity["partner_type"] == partner_type]
    if len(both) >= MIN_SIMILAR:
        return both, "same activity and partner type"
    if len(same_activity) >= MIN_SIMILAR:
        return same_activity, "same activity"
    return past, "all campaigns"


def predict_return(
    past: pd.DataFrame, *, activity_type: str, partner_type: str, planned_spend: float
) -> ReturnPrediction | NoPrediction:
    """``past``: columns activity_type, partner_type, spend, pipeline, won (one row per past campaign)."""
    usable = past[past["spend"] > 0] if len(past) else past
    if len(usable) < MIN_CAMPAIGNS:
        return NoPrediction(
            f"Too few past campaigns to predict from: {len(usable)} with an approved claim (need {MIN_CAMPAIGNS})."
        )
    group, label = _similar(usable, activity_type=activity_type, partner_type=partner_type)
    spend = group["spend"].to_numpy(dtype=np.float64)
    per_spend = group["pipeline"].to_numpy(dtype=np.float64) / spend
    ropi = group["won"].to_numpy(dtype=np.float64) / spend
    p_low, p_mid, p_high = np.percentile(per_spend, [LOW, 50, HIGH])
    r_low, r_mid, r_high = np.percentile(ropi, [LOW, 50, HIGH])
    return ReturnPrediction(
        group=label,
        campaigns=len(group),
        pipeline=float(planned_spend * p_mid),
        pipeline_low=float(planned_spend * p_low),
        pipeline_high=float(planned_spend * p_high),
        ropi=float(r_mid),
        ropi_low=float(r_low),
        ropi_high=float(r_high),
    )


def backtest(past: pd.DataFrame) -> dict:
    """Each past campaign predicted from the others: how often its pipeline fell inside the 80 % interval,
    and the median absolute error of the predicted pipeline relative to the actual (where it is > 0)."""
    usable = past[past["spend"] > 0].reset_index(drop=True)
    inside, errors, predicted = 0, [], 0
    for i in range(len(usable)):  # a tenant has tens to hundreds of campaigns, not millions
        row = usable.iloc[i]
        answer = predict_return(
            usable.drop(index=i),
            activity_type=row["activity_type"],
            partner_type=row["partner_type"],
            planned_spend=float(row["spend"]),
        )
        if isinstance(answer, NoPrediction):
            continue
        predicted += 1
        inside += answer.pipeline_low <= row["pipeline"] <= answer.pipeline_high
        if row["pipeline"] > 0:
            errors.append(abs(answer.pipeline - row["pipeline"]) / row["pipeline"])
    return {
        "campaigns": len(usable),
        "predicted": predicted,
        "interval_coverage": inside / predicted if predicted else None,
        "median_abs_pct_error": float(np.median(errors)) if errors else None,
    }
