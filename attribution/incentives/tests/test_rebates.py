"""The rate arithmetic by hand: tiers 0 → 2 %, 100,000 → 4 % (and a three-tier usage table)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from attribution.incentives.rebates import clean_tiers, rebate_for
from ecosystem.errors import ApplicationError

D = Decimal
TIERS = [(D(0), D(2)), (D(100000), D(4))]


@pytest.mark.parametrize(
    ("measured", "expected"),
    [
        ("0", "0.00"),
        ("50000", "1000.00"),  # 50,000 × 2 %
        ("100000", "2000.00"),  # 100,000 × 2 %; the 4 % tier starts here, with nothing in it yet
        ("150000", "4000.00"),  # 100,000 × 2 % + 50,000 × 4 % = 2,000 + 2,000
        ("100000.50", "2000.02"),  # 2,000 + 0.50 × 4 % = 2,000.02
    ],
)
def test_marginal_rates_apply_each_tier_to_the_part_within_it(measured, expected):
    assert rebate_for(D(measured), TIERS, mode="marginal", percent=True) == D(expected)


@pytest.mark.parametrize(
    ("measured", "expected"),
    [
        ("99999.99", "2000.00"),  # 99,999.99 × 2 % = 1,999.9998 → 2,000.00
        ("100000", "4000.00"),  # the tier is reached at its threshold: 100,000 × 4 %
        ("150000", "6000.00"),  # 150,000 × 4 %
    ],
)
def test_whole_amount_rates_apply_the_reached_tier_to_everything(measured, expected):
    assert rebate_for(D(measured), TIERS, mode="whole_amount", percent=True) == D(expected)


def test_usage_rates_are_an_amount_per_unit():
    tiers = [(D(0), D("0.01")), (D(1000), D("0.02")), (D(5000), D("0.05"))]
    # marginal 6,000 units: 1,000 × 0.01 + 4,000 × 0.02 + 1,000 × 0.05 = 10 + 80 + 50
    assert rebate_for(D(6000), tiers, mode="marginal", percent=False) == D("140.00")
    # whole amount: 6,000 × 0.05
    assert rebate_for(D(6000), tiers, mode="whole_amount", percent=False) == D("300.00")


def test_tiers_are_sorted_and_blank_rows_skipped():
    assert clean_tiers([("100000", "4"), ("", ""), ("0", "2")], percent=True) == TIERS


@pytest.mark.parametrize(
    ("rows", "code", "field"),
    [
        ([], "no_tiers", "rates"),
        ([("10", "2")], "first_tier_not_zero", "rates"),
        ([("0", "2"), ("0", "3")], "duplicate_threshold", "rates"),
        ([("0", "abc")], "invalid_rate", "rates.0.rate"),
        ([("0", "2"), ("-5", "3")], "invalid_threshold", "rates.1.threshold"),
        ([("0", "101")], "invalid_rate", "rates.0.rate"),
    ],
)
def test_bad_tiers_are_refused_naming_the_row(rows, code, field):
    with pytest.raises(ApplicationError) as error:
        clean_tiers(rows, percent=True)
    assert (error.value.code, error.value.field) == (code, field)
