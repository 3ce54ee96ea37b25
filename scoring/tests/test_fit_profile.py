"""The ideal partner profile engine on hand-made tables: the weight of evidence and the fit written out
from the formula, the reason sentences, the top-performer rule, the minimum history, and the
leave-one-out honesty check on a planted dataset."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from scoring.fit import profile as engine
from scoring.fit.profile import FitProfile


def tiny() -> pd.DataFrame:
    """Six members, two of them top performers (rows 0 and 1)."""
    return pd.DataFrame(
        {
            "partner_type": ["msp", "msp", "msp", "reseller", "reseller", "isv"],
            "country": ["DE", "US", "DE", "DE", None, "US"],
            "size": [None, None, None, None, None, None],
            "regions": [["emea"], ["emea", "na"], ["apac"], ["apac"], ["apac"], []],
            "capabilities": [["security"], [], [], [], [], ["security"]],
            "top": [True, True, False, False, False, False],
        }
    )


def ln(x: float) -> float:
    return math.log(x)


def test_weight_of_evidence_is_the_smoothed_formula_on_a_tiny_table():
    # Given 2 top performers and 4 others, α = 1: woe(v) = ln((t + 1)/(2 + 2)) − ln((r + 1)/(4 + 2))
    profile = FitProfile.fit(tiny())
    assert (profile.n_top, profile.n_rest) == (2, 4)
    assert profile.counts["partner_type"] == {"msp": (2, 1), "reseller": (0, 2), "isv": (0, 1)}
    assert profile.counts["regions"] == {"emea": (2, 0), "na": (1, 0), "apac": (0, 3)}
    assert profile.woe("partner_type", "msp") == pytest.approx(ln(3 / 4) - ln(2 / 6))  # 0.81093
    assert profile.woe("partner_type", "reseller") == pytest.approx(ln(1 / 4) - ln(3 / 6))  # −0.69315
    assert profile.woe("regions", "emea") == pytest.approx(ln(3 / 4) - ln(1 / 6))  # 1.50408
    assert profile.woe("regions", "apac") == pytest.approx(ln(1 / 4) - ln(4 / 6))  # −0.98083
    assert profile.woe("country", "DE") == pytest.approx(ln(2 / 4) - ln(3 / 6))  # 0: as common in both
    assert profile.woe("capabilities", "security") == pytest.approx(ln(2 / 4) - ln(2 / 6))  # 0.40547
    assert profile.woe("partner_type", "gsi") == 0.0  # never seen


def test_the_fit_sums_the_evidence_skips_missing_traits_and_is_100_sigmoid():
    profile = FitProfile.fit(tiny())
    candidates = pd.DataFrame(
        {
            "partner_type": ["msp", None, "gsi"],
            "country": ["DE", None, "FR"],
            "size": [None, None, "10_50"],
            "regions": [["emea", "apac"], [], ["latam"]],
            "capabilities": [["security", "security"], [], []],  # a repeated value counts once
        }
    )
    expected = (ln(3 / 4) - ln(2 / 6)) + 0.0 + (ln(3 / 4) - ln(1 / 6)) + (ln(1 / 4) - ln(4 / 6)) + (ln(2 / 4) - ln(2 / 6))
    log_odds = profile.log_odds(candidates)
    assert log_odds == pytest.approx([expected, 0.0, 0.0])  # 1.73965; nothing known: no evidence
    assert profile.score(candidates) == pytest.approx([100 / (1 + math.exp(-expected)), 50.0, 50.0])  # 85.06, 50, 50


def test_reasons_are_the_three_strongest_values_as_sentences_and_weak_ones_are_left_out():
    profile = FitProfile.fit(tiny())
    candidate = pd.DataFrame(
        {
            "partner_type": ["msp"],
            "country": ["DE"],
            "size": [None],
            "regions": [["emea", "apac"]],
            "capabilities": [["security"]],
        }
    )
    labels = {"partner_type": {"msp": "Managed service providers"}, "regions": {"emea": "EMEA", "apac": "APAC"}}
    reasons = profile.reasons(candidate, labels=labels)[0]
    assert [r["value"] for r in reasons] == ["emea", "apac", "msp"]  # |1.504| > |−0.981| > |0.811|; security (0.405) is 4th
    assert [r["sentence"] for r in reasons] == [
        "Partners working in EMEA are 4.5× as common among top performers as among the others",
        "Few top performers work in APAC (0.4×)",
        "Managed service providers are 2.3× as common among top performers as among the others",  # 2.25
    ]
    assert reasons[0]["effect"] == pytest.approx(round(ln(3 / 4) - ln(1 / 6), 4))
    assert reasons[0]["ratio"] == pytest.approx(4.5)
    only_de = candidate.assign(partner_type=[None], regions=[[]], capabilities=[[]])
    assert profile.reasons(only_de) == [[]]  # woe(DE) = 0 < 0.1: no sentence


def test_sentences_for_every_trait_read_as_plain_english():
    assert engine.sentence("capabilities", "Security", 0.9) == (
        "Partners offering security are 2.5× as common among top performers as among the others"
    )
    assert engine.sentence("size", "10 to 50 deals a year", -1.2) == "Few top performers expected 10 to 50 deals a year (0.3×)"
    assert engine.sentence("country", "Germany", -0.5) == "Few top performers are based in Germany (0.6×)"
    assert engine.sentence("partner_type", "Resellers", -3.0) == "Few top performers are resellers (0.05×)"


def test_top_performers_are_the_top_quartile_of_eligible_members_with_revenue():
    revenue = np.array([500, 0, 900, 300, 0, 0, 0, 100, 100, 50])
    eligible = np.array([True, True, False, True, True, True, True, True, True, True])
    top = engine.top_performers(revenue, eligible)
    # 9 eligible: ceil(9/4) = 3 places; 900 is not eligible; 500, 300 and the first 100 (ties: table order)
    assert np.flatnonzero(top).tolist() == [0, 3, 7]
    none_earned = engine.top_performers(np.zeros(8), np.ones(8, dtype=bool))
    assert not none_earned.any()  # the top quartile must have revenue > 0


def test_too_little_history_gives_no_profile_and_says_why_with_the_numbers():
    enough, reason = engine.enough_history(7, 1)
    assert not enough
    assert reason == (
        "Too little history for an ideal partner profile: 7 active partners at least 180 days in the program (need 8); "
        "1 top performers with closed-won revenue in the last 365 days (need 2)."
    )
    assert engine.enough_history(8, 2)[0]


def planted(n: int, seed: int) -> pd.DataFrame:
    """Top performers are mostly MSPs (the planted trait); the country is noise."""
    rng = np.random.default_rng(seed)
    types = rng.choice(["msp", "reseller", "isv", "si"], n)
    top = ((types == "msp") & (rng.random(n) < 0.85)) | (rng.random(n) < 0.05)
    return pd.DataFrame(
        {
            "partner_type": types,
            "country": rng.choice(["DE", "US", "FR", "GB"], n),
            "regions": [[] for _ in range(n)],
            "capabilities": [[] for _ in range(n)],
            "top": top,
        }
    )


def test_held_out_auc_is_high_for_the_planted_trait_and_chance_for_noise():
    table = planted(1_000, seed=3)[["partner_type", "top"]]
    assert engine.leave_one_out_auc(table) > 0.8
    assert engine.leave_pair_out_auc(table) > 0.8
    noise = [planted(1_000, seed=s)[["country", "top"]] for s in range(5)]
    assert abs(float(np.mean([engine.leave_pair_out_auc(t) for t in noise])) - 0.5) < 0.06
    # Leave-one-out reads low on noise (a removed top performer lowers exactly its own values' evidence):
    # the reason the page shows leave-pair-out beside it.
    assert float(np.mean([engine.leave_one_out_auc(t) for t in noise])) < 0.45


def test_leave_one_out_equals_refitting_without_each_member():
    table = tiny()
    fast = engine.leave_one_out_log_odds(table)
    slow = [FitProfile.fit(table.drop(index=i)).log_odds(table.iloc[[i]])[0] for i in range(len(table))]
    assert fast == pytest.approx(slow)


def test_leave_pair_out_equals_refitting_without_each_pair():
    table = tiny()
    top = table["top"].to_numpy()
    wins = 0.0
    for i in np.flatnonzero(top):
        for j in np.flatnonzero(~top):
            profile = FitProfile.fit(table.drop(index=[i, j]))
            mine, theirs = profile.log_odds(table.iloc[[i]])[0], profile.log_odds(table.iloc[[j]])[0]
            wins += 1.0 if mine > theirs + 1e-9 else 0.5 if abs(mine - theirs) <= 1e-9 else 0.0
    assert engine.leave_pair_out_auc(table) == pytest.approx(wins / (top.sum() * (~top).sum()))


def test_the_summary_lists_over_represented_values_and_the_descriptive_figures():
    table = tiny().assign(certified_people=[4, 2, 0, 1, np.nan, 1], time_to_value_days=[30, 50, np.nan, 200, 90, np.nan])
    summary = FitProfile.fit(table).summary(labels={"regions": {"emea": "EMEA"}})
    assert [v["value"] for v in summary["traits"]["regions"]] == ["emea", "na"]
    assert summary["traits"]["regions"][0] | {"sentence": ""} == {
        "value": "emea",
        "label": "EMEA",
        "top": 2,
        "rest": 0,
        "share_top": 1.0,
        "share_rest": 0.0,
        "effect": round(ln(3 / 4) - ln(1 / 6), 4),
        "ratio": 4.5,
        "sentence": "",
    }
    assert [v["value"] for v in summary["traits"]["country"]] == ["US"]  # US: ln(2/4) − ln(2/6) = 0.405; DE: 0
    assert engine.describe_top(table) == {
        "certified_people": {"top": 3.0, "others": 1.0},
        "time_to_value_days": {"top": 40.0, "others": 145.0},
    }
