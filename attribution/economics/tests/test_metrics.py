"""The metric definitions on a small dataset worked out by hand.

The expected numbers below come from the definitions in ``metrics.py`` applied with pencil and paper
to the rows in :func:`dataset` (see the comments next to each figure), never from running the code.

Accounts (P10 and P20 are partners; "—" is a direct month):

=====  ===========================================  =======================================
acct   rows (month: MRR, managing partner)          why it is here
=====  ===========================================  =======================================
1      2025-01: 100 P10 · 2026-01: 150 P10          partner, expands
2      2025-01: 200 P10 · 2026-01: 0 P10            partner, churns (a row at 0)
3      2025-01: 300 — · 2026-01: 240 —              direct, contracts
4      2025-01: 0 — · 2025-02: 50 — · 2026-01: 80 — first paid month is February: not in the
                                                    2025-01 cohort, a new direct customer of Q1
5      2025-01: 400 P20                             partner, churns (no row at 2026-01)
6      2025-04: 60 P20 · 2025-05: 60 P20 ·           a new partner customer of Q2
       2026-01: 60 P20
7      2025-01: 50 P10 · 2026-01: 70 —              partner at M − 12, direct at M: counted
                                                    with the partner cohort
8      2025-03: 10 — · 2025-04: 10 P20              direct when it first paid (Q1), then a
                                                    partner took it over
=====  ===========================================  =======================================
"""

from __future__ import annotations

import datetime

import pandas as pd
import pytest

from attribution.economics import metrics

D = datetime.date


def dataset() -> pd.DataFrame:
    return metrics.revenue_frame(
        [
            (1, D(2025, 1, 1), 100, 10),
            (1, D(2026, 1, 1), 150, 10),
            (2, D(2025, 1, 1), 200, 10),
            (2, D(2026, 1, 1), 0, 10),
            (3, D(2025, 1, 1), 300, None),
            (3, D(2026, 1, 1), 240, None),
            (4, D(2025, 1, 1), 0, None),
            (4, D(2025, 2, 1), 50, None),
            (4, D(2026, 1, 1), 80, None),
            (5, D(2025, 1, 1), 400, 20),
            (6, D(2025, 4, 1), 60, 20),
            (6, D(2025, 5, 1), 60, 20),
            (6, D(2026, 1, 1), 60, 20),
            (7, D(2025, 1, 1), 50, 10),
            (7, D(2026, 1, 1), 70, None),
            (8, D(2025, 3, 1), 10, None),
            (8, D(2025, 4, 1), 10, 20),
        ]
    )


def costs() -> pd.DataFrame:
    return metrics.cost_frame(
        [
            (2025, 1, "partner_team", 1000),
            (2025, 1, "mdf", 500),
            (2025, 1, "incentives", 300),
            (2025, 1, "tools", 200),
            (2025, 1, "direct_sales", 4500),
            (2025, 2, "partner_team", 999),
            (2024, 1, "partner_team", 7777),  # same quarter number, another year: never counted
        ]
    )


# --- new customers and CAC -------------------------------------------------------------------------


def test_new_customers_of_a_quarter_are_accounts_whose_first_paid_month_is_in_it():
    q1 = metrics.new_customers(dataset(), 2025, 1)
    # first paid months in Jan–Mar 2025: 1, 2, 5, 7 with a partner; 3 (Jan), 4 (Feb: its January row is 0)
    # and 8 (March, direct that month, although a partner took it over in April) direct
    assert dict(zip(q1["account_id"], q1["channel"], strict=True)) == {
        1: "partner",
        2: "partner",
        3: "direct",
        4: "direct",
        5: "partner",
        7: "partner",
        8: "direct",
    }
    q2 = metrics.new_customers(dataset(), 2025, 2)
    assert list(q2["account_id"]) == [6] and list(q2["channel"]) == ["partner"]
    assert metrics.new_customers(dataset(), 2025, 3).empty


def test_partner_and_direct_cac_divide_each_channels_costs_by_its_new_customers():
    figures = metrics.cac(dataset(), costs(), 2025, 1)
    # partner: (1000 + 500 + 300 + 200) = 2000 over 4 new partner customers = 500
    assert (figures.partner_cost, figures.partner_new_customers, figures.partner_cac) == (2000.0, 4, 500.0)
    # direct: 4500 over 3 new direct customers = 1500
    assert (figures.direct_cost, figures.direct_new_customers, figures.direct_cac) == (4500.0, 3, 1500.0)


def test_cac_is_none_for_a_channel_without_new_customers():
    q2 = metrics.cac(dataset(), costs(), 2025, 2)
    # partner: 999 over 1 (account 6); direct: no cost entered (0) and nobody new -> None
    assert (q2.partner_cost, q2.partner_new_customers, q2.partner_cac) == (999.0, 1, 999.0)
    assert (q2.direct_cost, q2.direct_new_customers, q2.direct_cac) == (0.0, 0, None)
    q3 = metrics.cac(dataset(), costs(), 2025, 3)
    assert (q3.partner_cac, q3.direct_cac, q3.partner_cost) == (None, None, 0.0)


def test_cac_of_an_empty_program_is_none():
    empty = metrics.revenue_frame([])
    figures = metrics.cac(empty, metrics.cost_frame([]), 2025, 1)
    assert (figures.partner_cac, figures.direct_cac, figures.partner_new_customers) == (None, None, 0)


# --- retention -------------------------------------------------------------------------------------


def test_nrr_grr_and_logo_retention_by_channel():
    figures = metrics.retention(dataset(), D(2026, 1, 1))
    partner, direct, both = figures["partner"], figures["direct"], figures["all"]
    # partner cohort (managed at 2025-01, MRR > 0): 1 (100 -> 150), 2 (200 -> 0), 5 (400 -> none = 0), 7 (50 -> 70)
    assert partner.accounts == 4
    assert partner.mrr_start == 750.0 and partner.mrr_end == 220.0
    assert partner.nrr == pytest.approx(220 / 750)
    assert partner.grr == pytest.approx((100 + 0 + 0 + 50) / 750)  # min(end, start) per account
    assert partner.logo_retention == pytest.approx(2 / 4)  # 1 and 7 still pay
    # direct cohort: 3 (300 -> 240); account 4 paid 0 in 2025-01 so it is not in the cohort
    assert (direct.accounts, direct.mrr_start, direct.mrr_end) == (1, 300.0, 240.0)
    assert direct.nrr == pytest.approx(0.8) and direct.grr == pytest.approx(0.8) and direct.logo_retention == 1.0
    # all: start 1050, end 460, kept 150 + 240 = 390, 3 of 5 still pay
    assert both.accounts == 5
    assert both.nrr == pytest.approx(460 / 1050)
    assert both.grr == pytest.approx(390 / 1050)
    assert both.logo_retention == pytest.approx(3 / 5)


def test_expansion_counts_in_nrr_but_never_lifts_grr_above_one():
    frame = metrics.revenue_frame([(1, D(2025, 6, 1), 100, 10), (1, D(2026, 6, 1), 250, 10)])
    partner = metrics.retention(frame, D(2026, 6, 15))["partner"]  # any day of the month names the month
    assert partner.nrr == 2.5 and partner.grr == 1.0 and partner.logo_retention == 1.0


def test_retention_without_a_cohort_is_none():
    figures = metrics.retention(dataset(), D(2025, 6, 1))  # nothing was paid in 2024-06
    assert figures["partner"].accounts == 0
    assert (figures["partner"].nrr, figures["partner"].grr, figures["partner"].logo_retention) == (None, None, None)
    assert metrics.retention(metrics.revenue_frame([]), D(2026, 1, 1))["all"].nrr is None


# --- CLTV contribution -----------------------------------------------------------------------------


def test_cltv_contribution_sums_the_months_each_partner_managed():
    table = metrics.cltv_contribution(dataset())
    # P20: 5 (400), 6 (60 + 60 + 60), 8 (10 in April; March was direct) = 590 over 3 accounts, 5 months
    # P10: 1 (100 + 150), 2 (200; its 0 month is not managed revenue), 7 (50; 2026-01 was direct) = 500, 3 accounts, 4 months
    assert list(table["partner_id"]) == [20, 10]
    assert list(table["revenue"]) == [590.0, 500.0]
    assert list(table["accounts"]) == [3, 3]
    assert list(table["months"]) == [5, 4]
    assert list(table["average_months"]) == pytest.approx([5 / 3, 4 / 3])


def test_cltv_contribution_of_a_program_without_partner_revenue_is_empty():
    frame = metrics.revenue_frame([(1, D(2025, 1, 1), 100, None)])
    assert metrics.cltv_contribution(frame).empty


# --- ROPI ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("revenue", "investment", "expected"),
    [(5000, 1000, 5.0), (0, 1000, 0.0), (1500, 600, 2.5), (5000, 0, None), (None, 1000, None), (5000, None, None)],
)
def test_ropi_is_revenue_over_investment(revenue, investment, expected):
    assert metrics.ropi(revenue, investment) == expected


# --- active partners -------------------------------------------------------------------------------


def engagement() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "login": [3, 5, 0, 1],
            "registration": [1, 0, 0, 2],
            "training": [2, 1, 0, 0],
        },
        index=pd.Index([101, 102, 103, 104], name="partner_id"),
    )


@pytest.mark.parametrize(
    ("signals", "expected"),
    [
        (("login", "registration", "training"), 1 / 4),  # only 101 has all three
        (("login",), 3 / 4),  # 101, 102, 104
        (("login", "registration"), 2 / 4),  # 101, 104
        (("training",), 2 / 4),  # 101, 102
    ],
)
def test_the_share_of_active_partners_follows_the_chosen_signals(signals, expected):
    definition = metrics.ActiveDefinition(signals=signals, days=90)
    assert metrics.active_partner_share(engagement(), definition) == pytest.approx(expected)


def test_the_default_definition_asks_for_all_three_signals_in_90_days():
    definition = metrics.ActiveDefinition()
    assert definition.signals == ("login", "registration", "training") and definition.days == 90
    assert metrics.active_partner_share(engagement()) == 0.25


def test_a_signal_nobody_was_counted_for_makes_nobody_active():
    counts = engagement().drop(columns=["training"])
    assert metrics.active_partner_share(counts, metrics.ActiveDefinition(signals=("training",))) == 0.0
    assert list(metrics.active_partners(counts, metrics.ActiveDefinition(signals=("login",)))) == [True, True, False, True]


def test_a_program_without_partners_has_no_share_and_bad_definitions_are_refused():
    assert metrics.active_partner_share(engagement().iloc[0:0]) is None
    with pytest.raises(ValueError, match="at least one"):
        metrics.ActiveDefinition(signals=())
    with pytest.raises(ValueError, match="unknown"):
        metrics.ActiveDefinition(signals=("webinar",))
    with pytest.raises(ValueError, match="one day"):
        metrics.ActiveDefinition(days=0)


# --- periods ---------------------------------------------------------------------------------------


def test_month_and_quarter_arithmetic():
    assert metrics.months_back(D(2026, 1, 1), 12) == D(2025, 1, 1)
    assert metrics.months_back(D(2026, 3, 1), 3) == D(2025, 12, 1)
    assert metrics.quarter_of(D(2026, 11, 29)) == (2026, 4)
    assert metrics.quarter_months(2026, 2) == (D(2026, 4, 1), D(2026, 6, 1))
    assert metrics.previous_quarter(2026, 1) == (2025, 4)
