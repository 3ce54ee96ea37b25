"""The drift check, on hand-computed shares: PSI of a known shift, decile bins, missing values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scoring.churn import drift


def test_psi_of_a_hand_computed_shift():
    # shares (0.5, 0.5) → (0.8, 0.2): 0.3·ln(1.6) + (−0.3)·ln(0.4)
    assert drift.psi([0.5, 0.5], [0.8, 0.2]) == pytest.approx(0.3 * math.log(1.6) - 0.3 * math.log(0.4))
    assert drift.psi([0.25, 0.75], [0.25, 0.75]) == 0.0
    # an empty bin is floored at 0.0001, not infinite
    assert drift.psi([1.0, 0.0], [0.9, 0.1]) == pytest.approx(-0.1 * math.log(0.9) + (0.1 - 1e-4) * math.log(0.1 / 1e-4))


def test_reference_bins_and_missing_values():
    column = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, np.nan], dtype=np.float64)
    ref = drift.reference(column.reshape(-1, 1), ["x"])["x"]
    assert ref["edges"] == [0.0, 1.0]  # the deciles of nine values in {0, 1}, duplicates dropped
    # bins (−∞, 0), [0, 1), [1, ∞), missing
    assert ref["shares"] == pytest.approx([0.0, 0.5, 0.4, 0.1])


def test_check_flags_the_shifted_feature_only():
    rng = np.random.default_rng(3)
    train = np.column_stack([rng.normal(0, 1, 20_000), rng.normal(0, 1, 20_000)])
    ref = drift.reference(train, ["steady", "moved"])
    live = np.column_stack([rng.normal(0, 1, 5_000), rng.normal(1.0, 1, 5_000)])
    result = drift.check(ref, live, ["steady", "moved"])
    levels = {r["feature"]: r["level"] for r in result["features"]}
    assert levels == {"steady": "stable", "moved": "significant"}
    assert result["flag"] == "significant" and result["shifted"] == ["moved"]
    assert result["features"][0]["feature"] == "moved"  # largest first
