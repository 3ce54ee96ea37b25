"""The PSAT definitions on small datasets, every expected figure worked out by hand from the definition."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pytest

from partners.surveys import metrics

S1, S2 = 1, 2
JAN, APR = datetime.date(2026, 1, 1), datetime.date(2026, 4, 1)


def responses(rows) -> pd.DataFrame:
    """rows: (response id, survey, partner, partner type, nps, submitted on)."""
    frame = pd.DataFrame(rows, columns=["response_id", "survey_id", "partner_id", "partner_type", "nps", "submitted_on"])
    frame["opens_on"] = frame["survey_id"].map({S1: JAN, S2: APR})
    frame["program"] = "all"
    return frame


def scale(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["response_id", "question_id", "value"])


def test_nps_is_percent_promoters_minus_percent_detractors():
    # 10 and 9 promote (2 of 6), 6 and 0 detract (2 of 6), 8 and 7 are passive: 33.3 − 33.3 = 0
    assert metrics.nps([10, 9, 8, 7, 6, 0]) == pytest.approx(0.0)
    # three promoters of four, no detractor: 75
    assert metrics.nps([10, 10, 9, 8]) == pytest.approx(75.0)
    # one detractor of two, no promoter: −50
    assert metrics.nps([6, 7]) == pytest.approx(-50.0)
    assert np.isnan(metrics.nps([]))


def test_the_category_of_a_mean_score():
    assert metrics.nps_category([10, 9, 8.99, 7, 6.99, 0]).tolist() == [2, 2, 1, 1, 0, 0]


def test_figures_by_partner_type_with_question_means():
    # Survey 1: a reseller's two respondents score 10 and 6; three MSP respondents 9, 8, 9.
    r = responses(
        [
            (1, S1, 10, "reseller", 10, JAN),
            (2, S1, 10, "reseller", 6, JAN),
            (5, S1, 20, "msp", 9, JAN),
            (7, S1, 30, "msp", 8, JAN),
            (9, S1, 40, "msp", 9, JAN),
        ]
    )
    # 1–5 answers: question 100 by responses 1 (5), 2 (2), 5 (4); question 101 by 1 (4) and 5 (4); 2 skipped it.
    s = scale([(1, 100, 5), (1, 101, 4), (2, 100, 2), (5, 100, 4), (5, 101, 4)])

    figures = metrics.group_figures(r, s, by=["partner_type"])

    msp, reseller = figures.loc["msp"], figures.loc["reseller"]
    # reseller: one promoter (10), one detractor (6) of 2 → 50 − 50 = 0; mean (10 + 6) / 2 = 8
    assert reseller["responses"] == 2 and reseller["nps"] == pytest.approx(0.0) and reseller["mean_score"] == 8.0
    # its 1–5 answers 5, 4, 2 → PSAT 11/3; question 100: (5 + 2) / 2 = 3.5; question 101: 4 (one answer)
    assert reseller["psat"] == pytest.approx(11 / 3)
    assert reseller["question_100"] == 3.5 and reseller["question_101"] == 4.0
    # msp: promoters 9 and 9 of 3, no detractor → 66.7; mean 26 / 3; answers 4 and 4 → 4
    assert msp["responses"] == 3 and msp["nps"] == pytest.approx(200 / 3) and msp["mean_score"] == pytest.approx(26 / 3)
    assert msp["psat"] == 4.0 and msp["question_100"] == 4.0 and msp["question_101"] == 4.0


def test_figures_for_the_whole_program_and_per_survey():
    r = responses(
        [
            (1, S1, 10, "reseller", 10, JAN),
            (2, S1, 10, "reseller", 6, JAN),
            (5, S1, 20, "msp", 9, JAN),
            (3, S2, 10, "reseller", 7, APR),
            (4, S2, 10, "reseller", 6, APR),
            (6, S2, 20, "msp", 9, APR),
        ]
    )
    per_survey = metrics.group_figures(r, scale([]), by=["survey_id"])
    # survey 1: 10, 6, 9 → promoters 2/3, detractors 1/3 → 33.3; mean 25/3. Survey 2: 7, 6, 9 → 1/3 − 1/3 = 0; mean 22/3
    assert per_survey.loc[S1, "nps"] == pytest.approx(100 / 3) and per_survey.loc[S1, "mean_score"] == pytest.approx(25 / 3)
    assert per_survey.loc[S2, "nps"] == pytest.approx(0.0) and per_survey.loc[S2, "mean_score"] == pytest.approx(22 / 3)
    assert per_survey["psat"].isna().all()  # no 1–5 answer at all
    program = metrics.group_figures(r, scale([]), by=["program"]).loc["all"]
    # six scores: promoters 10, 9, 9 (3/6), detractors 6, 6 (2/6) → 16.7; mean 47/6
    assert (
        program["responses"] == 6 and program["nps"] == pytest.approx(100 / 6) and program["mean_score"] == pytest.approx(47 / 6)
    )


def test_falling_psat_by_points_or_by_category():
    r = responses(
        [
            # partner 10: mean 8 (passive) → mean 6.5 (detractor): 1.5 points down → falling
            (1, S1, 10, "reseller", 10, JAN),
            (2, S1, 10, "reseller", 6, JAN),
            (3, S2, 10, "reseller", 7, APR),
            (4, S2, 10, "reseller", 6, APR),
            # partner 20: 9 → 9: steady
            (5, S1, 20, "msp", 9, JAN),
            (6, S2, 20, "msp", 9, APR),
            # partner 30: 8 → 7: one point, still passive → not falling
            (7, S1, 30, "msp", 8, JAN),
            (8, S2, 30, "msp", 7, APR),
            # partner 40: 9 → 8: one point, but promoter → passive → falling
            (9, S1, 40, "msp", 9, JAN),
            (10, S2, 40, "msp", 8, APR),
            # partner 50: one survey only → never falling
            (11, S2, 50, "msp", 0, APR),
            # partner 60: 6 → 9: rising
            (12, S1, 60, "msp", 6, JAN),
            (13, S2, 60, "msp", 9, APR),
        ]
    )
    flags = metrics.falling_psat(r)
    assert flags["falling"].to_dict() == {10: True, 20: False, 30: False, 40: True, 50: False, 60: False}
    assert flags.loc[10, "change"] == -1.5 and flags.loc[10, "latest_survey_id"] == S2 and flags.loc[10, "previous_score"] == 8.0
    assert flags.loc[40, "latest_category"] == metrics.PASSIVE and flags.loc[40, "previous_category"] == metrics.PROMOTER
    assert np.isnan(flags.loc[50, "previous_score"])


def test_falling_psat_as_of_a_date_reads_only_earlier_answers():
    r = responses(
        [
            (1, S1, 10, "reseller", 9, datetime.date(2026, 1, 5)),
            (2, S2, 10, "reseller", 5, datetime.date(2026, 4, 3)),
        ]
    )
    assert bool(metrics.falling_psat(r, as_of=datetime.date(2026, 4, 4)).loc[10, "falling"]) is True
    before = metrics.falling_psat(r, as_of=datetime.date(2026, 4, 3))  # the second answer is on the day: not yet
    assert bool(before.loc[10, "falling"]) is False and before.loc[10, "latest_survey_id"] == S1


def answers(rows) -> pd.DataFrame:
    """rows: (partner, survey, submitted on, value)."""
    frame = pd.DataFrame(rows, columns=["partner_id", "survey_id", "submitted_on", "value"])
    frame["opens_on"] = frame["survey_id"].map({S1: JAN, S2: APR})
    return frame


PSAT_ANSWERS = [
    # partner 10: survey 1 answered 5 January (5, 4, 2), survey 2 answered 3 April (3, 2)
    (10, S1, datetime.date(2026, 1, 5), 5),
    (10, S1, datetime.date(2026, 1, 5), 4),
    (10, S1, datetime.date(2026, 1, 5), 2),
    (10, S2, datetime.date(2026, 4, 3), 3),
    (10, S2, datetime.date(2026, 4, 3), 2),
    # partner 30: survey 1 only (4)
    (30, S1, datetime.date(2026, 1, 9), 4),
]


@pytest.mark.parametrize(
    ("as_of", "expected_10", "expected_30"),
    [
        (datetime.date(2026, 1, 5), np.nan, np.nan),  # nothing submitted before the day
        (datetime.date(2026, 4, 3), 11 / 3, 4.0),  # survey 2's answers are on the day: survey 1 (5+4+2)/3
        (datetime.date(2026, 4, 4), 2.5, 4.0),  # the latest survey, survey 2: (3+2)/2; survey 1 no longer counts
        (datetime.date(2027, 1, 6), 2.5, 4.0),  # 365 days back is 6 January 2026: partner 10's survey 1 is out
        (datetime.date(2027, 1, 10), 2.5, np.nan),  # … and partner 30's (9 January) too
        (datetime.date(2027, 4, 4), np.nan, np.nan),  # survey 2 (3 April 2026) is more than 365 days back
    ],
)
def test_a_partners_psat_is_the_mean_of_its_latest_survey_in_the_year_before(as_of, expected_10, expected_30):
    psat = metrics.partner_psat(answers(PSAT_ANSWERS), as_of=as_of, partner_ids=[10, 20, 30])
    np.testing.assert_allclose(psat, [expected_10, np.nan, expected_30])


def test_psat_is_aligned_with_the_ids_given():
    psat = metrics.partner_psat(answers(PSAT_ANSWERS), as_of=datetime.date(2026, 5, 1), partner_ids=[30, 10])
    np.testing.assert_allclose(psat, [4.0, 2.5])
    assert metrics.partner_psat(answers([]), as_of=datetime.date(2026, 5, 1), partner_ids=[1, 2]).shape == (2,)
