"""Shapley attribution (no database): exact function against brute force, properties, hand-computed games."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from attribution.engine import shapley
from attribution.engine.journeys import Journeys
from attribution.engine.shapley import (
    channel_masks,
    channel_words,
    popcounts,
    shapley_counts,
    shapley_exact,
    shapley_rates,
    subset_sums,
)

A, B, C = 0, 1, 2


def brute_force(v: np.ndarray) -> np.ndarray:
    """Shapley by explicit enumeration of all n! orders: the mean marginal contribution of each player."""
    n = len(v).bit_length() - 1
    phi = np.zeros(n)
    for order in itertools.permutations(range(n)):
        coalition = 0
        for player in order:
            phi[player] += v[coalition | (1 << player)] - v[coalition]
            coalition |= 1 << player
    return phi / math.factorial(n)


def random_game(rng: np.random.Generator, n: int) -> np.ndarray:
    v = rng.normal(size=1 << n)
    v[0] = 0.0
    return v


def random_journeys(rng: np.random.Generator, n_journeys: int, n_channels: int, max_len: int = 5) -> Journeys:
    lengths = rng.integers(1, max_len + 1, size=n_journeys)
    paths = [list(rng.integers(0, n_channels, size=length)) for length in lengths]
    conv = (rng.random(n_journeys) < 0.3).astype(float)
    value = conv * rng.integers(1, 1000, size=n_journeys)
    return Journeys.from_lists(paths, list(conv), list(value), n_channels=n_channels)


# ---------------------------------------------------------------- generic exact function


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6])
def test_exact_equals_brute_force_permutations(n):
    rng = np.random.default_rng(n)
    for _ in range(3):
        v = random_game(rng, n)
        np.testing.assert_allclose(shapley_exact(v), brute_force(v), atol=1e-12)


def test_exact_rejects_bad_sizes():
    with pytest.raises(ValueError):
        shapley_exact(np.zeros(6))
    with pytest.raises(ValueError):
        shapley_exact(np.zeros(1 << 21))


def test_efficiency_symmetry_null_player_additivity_on_random_games():
    rng = np.random.default_rng(7)
    for n in (3, 5, 8, 11):
        v, w = random_game(rng, n), random_game(rng, n)
        phi = shapley_exact(v)
        # efficiency: Σφ = v(N) − v(∅)
        assert phi.sum() == pytest.approx(v[-1] - v[0], abs=1e-9)
        # additivity
        np.testing.assert_allclose(shapley_exact(v + w), phi + shapley_exact(w), atol=1e-9)
        # symmetry: make players i and j interchangeable
        i, j = sorted(rng.choice(n, size=2, replace=False))
        masks = np.arange(1 << n)
        bi, bj = (masks >> i) & 1, (masks >> j) & 1
        swapped = (masks & ~((1 << i) | (1 << j))) | (bi << j) | (bj << i)
        sym = (v + v[swapped]) / 2
        phi_sym = shapley_exact(sym)
        assert phi_sym[i] == pytest.approx(phi_sym[j], abs=1e-12)
        # null player: k adds nothing to any coalition
        k = int(rng.integers(n))
        null = v[masks & ~(1 << k)]
        phi_null = shapley_exact(null)
        assert phi_null[k] == pytest.approx(0.0, abs=1e-12)
        assert phi_null.sum() == pytest.approx(null[-1], abs=1e-9)


def test_twenty_players_exact_is_fast_and_efficient():
    import time

    v = np.random.default_rng(20).random(1 << 20)
    v[0] = 0.0
    start = time.perf_counter()
    phi = shapley_exact(v)
    assert time.perf_counter() - start < 1.0
    assert phi.sum() == pytest.approx(v[-1], rel=1e-9)


def test_subset_sums_is_the_zeta_transform():
    rng = np.random.default_rng(3)
    r = rng.random(1 << 5)
    v = subset_sums(r)
    for s in range(1 << 5):
        assert v[s] == pytest.approx(sum(r[t] for t in range(1 << 5) if t & s == t))


# ---------------------------------------------------------------- conversion counts


def test_closed_form_equals_generic_exact_on_random_r():
    rng = np.random.default_rng(11)
    for n in (2, 4, 7, 10):
        r = rng.random(1 << n) * (rng.random(1 << n) < 0.4)
        r[0] = 0.0
        size = popcounts(n)
        closed = np.array(
            [(r[(np.arange(1 << n) >> i) & 1 == 1] / size[(np.arange(1 << n) >> i) & 1 == 1]).sum() for i in range(n)]
        )
        np.testing.assert_allclose(shapley_exact(subset_sums(r)), closed, atol=1e-9)


def test_counts_engine_equals_generic_exact_on_journeys():
    rng = np.random.default_rng(12)
    journeys = random_journeys(rng, 400, 6)
    masks = channel_masks(journeys).astype(np.intp)
    r = np.bincount(masks, weights=journeys.conv, minlength=1 << 6)
    r_value = np.bincount(masks, weights=journeys.value, minlength=1 << 6)
    credit = shapley_counts(journeys)
    np.testing.assert_allclose(credit.conversions, shapley_exact(subset_sums(r)), atol=1e-9)
    np.testing.assert_allclose(credit.value, shapley_exact(subset_sums(r_value)), atol=1e-6)


def test_counts_hand_computed():
    # R({A,B}) = 1 (value 100), R({A}) = 1 (50), R({B,C}) = 1 (90; B twice, counted once), {C} did not convert.
    journeys = Journeys.from_lists([[A, B], [A], [B, C, B], [C]], [1, 1, 1, 0], [100, 50, 90, 0])
    credit = shapley_counts(journeys)
    # φ_A = 1/2 + 1 ; φ_B = 1/2 + 1/2 ; φ_C = 1/2
    np.testing.assert_allclose(credit.conversions, [1.5, 1.0, 0.5])
    # value: A = 100/2 + 50 ; B = 100/2 + 90/2 ; C = 90/2
    np.testing.assert_allclose(credit.value, [100.0, 95.0, 45.0])
    assert credit.details["method"] == "closed_form"
    assert credit.details["v_N"] == 3.0
    assert credit.details["v_empty"] == 0.0


def test_counts_conserve_on_random_journeys_any_number_of_channels():
    rng = np.random.default_rng(13)
    for n_channels in (5, 30, 70):
        journeys = random_journeys(rng, 2000, n_channels)
        credit = shapley_counts(journeys)
        assert credit.conversions.sum() == pytest.approx(journeys.conv.sum())
        assert credit.value.sum() == pytest.approx(journeys.value.sum())


def test_channel_masks_and_words():
    journeys = Journeys.from_lists([[0, 3, 3], [2], [1, 0]], [1, 0, 1], n_channels=4)
    assert channel_masks(journeys).tolist() == [0b1001, 0b0100, 0b0011]
    wide = Journeys.from_lists([[0, 65, 65], [70]], [1, 0], n_channels=71)
    words = channel_words(wide)
    assert words[0].tolist() == [1, 2]
    assert words[1].tolist() == [0, 1 << 6]


# ---------------------------------------------------------------- conversion rates


def two_channel_journeys() -> Journeys:
    # {A}: 4 journeys, 1 conversion (value 100); {B}: 2 journeys, 1 conversion (300);
    # {A,B}: 2 journeys, 2 conversions (200 each), one in each order.
    return Journeys.from_lists(
        [[A], [A], [A], [A], [B], [B], [A, B], [B, A]],
        [1, 0, 0, 0, 1, 0, 1, 1],
        [100, 0, 0, 0, 300, 0, 200, 200],
    )


def test_rates_hand_computed_two_channels():
    # v(∅) = 0, v(A) = 1/4, v(B) = 1/2, v(AB) = 1
    # φ_A = ½·(¼ − 0) + ½·(1 − ½) = 0.375 ; φ_B = ½·(½ − 0) + ½·(1 − ¼) = 0.625 ; total conversions 4
    credit = shapley_rates(two_channel_journeys())
    np.testing.assert_allclose(credit.details["phi"], [0.375, 0.625])
    np.testing.assert_allclose(credit.conversions, [1.5, 2.5])
    # value game: v(A) = 100/4 = 25, v(B) = 300/2 = 150, v(AB) = 400/2 = 200
    # φ_A = ½·25 + ½·(200 − 150) = 37.5 ; φ_B = ½·150 + ½·(200 − 25) = 162.5 ; scaled to 800
    np.testing.assert_allclose(credit.details["phi_value"], [37.5, 162.5])
    np.testing.assert_allclose(credit.value, [150.0, 650.0])
    assert credit.details["v_N"] == 1.0
    assert credit.details["v_empty"] == 0.0
    assert credit.details["method"].startswith("exact")
    assert credit.details["unobserved"] == "zero"
    # value by the same shares as conversions instead
    shares = shapley_rates(two_channel_journeys(), value_rule="shares")
    np.testing.assert_allclose(shares.value, [300.0, 500.0])


def three_channel_journeys() -> Journeys:
    # {A}: 1 of 2 converts (0.5) ; {B}: 1 of 4 (0.25) ; {A,C}: 2 of 2 (1.0). Others never observed.
    return Journeys.from_lists(
        [[A], [A], [B], [B], [B], [B], [A, C], [C, A, C]],
        [1, 0, 1, 0, 0, 0, 1, 1],
    )


def test_rates_unobserved_zero_hand_computed():
    # v: A .5, B .25, C 0, AB 0, AC 1, BC 0, ABC 0. Weights (n = 3): |S|=0 → 1/3, 1 → 1/6, 2 → 1/3.
    # φ_A = ⅓·.5 + ⅙·(0 − .25) + ⅙·(1 − 0) + ⅓·(0 − 0) = 7/24
    # φ_B = ⅓·.25 + ⅙·(0 − .5) + ⅙·(0 − 0) + ⅓·(0 − 1) = −1/3
    # φ_C = ⅓·0 + ⅙·(1 − .5) + ⅙·(0 − .25) + ⅓·(0 − 0) = 1/24
    credit = shapley_rates(three_channel_journeys(), unobserved="zero")
    np.testing.assert_allclose(credit.details["phi"], [7 / 24, -1 / 3, 1 / 24], atol=1e-12)
    assert sum(credit.details["phi"]) == pytest.approx(0.0, abs=1e-12)  # efficiency: v(N) = 0
    # v(N) = 0: no proportional scale exists; positive parts 7/24 and 1/24 share the 4 conversions
    assert credit.details["scaling"].startswith("positive parts")
    np.testing.assert_allclose(credit.conversions, [3.5, 0.0, 0.5])


def test_rates_unobserved_largest_subset_hand_computed():
    # v: A .5, B .25, C 0 (no observed subset), AB .5 (A and B tie at size 1: the higher rate),
    #    AC 1, BC .25 (B), ABC 1 (AC is the largest observed subset)
    # φ_A = ⅓·.5 + ⅙·(.5 − .25) + ⅙·(1 − 0) + ⅓·(1 − .25) = 0.625
    # φ_B = ⅓·.25 + ⅙·(.5 − .5) + ⅙·(.25 − 0) + ⅓·(1 − 1) = 0.125
    # φ_C = ⅓·0 + ⅙·(1 − .5) + ⅙·(.25 − .25) + ⅓·(1 − .5) = 0.25
    credit = shapley_rates(three_channel_journeys(), unobserved="largest_subset")
    np.testing.assert_allclose(credit.details["phi"], [0.625, 0.125, 0.25], atol=1e-12)
    assert credit.details["v_N"] == 1.0
    np.testing.assert_allclose(credit.conversions, [2.5, 0.5, 1.0])  # scaled to 4 conversions
    assert credit.details["unobserved"] == "largest_subset"


@pytest.mark.parametrize("unobserved", ["zero", "largest_subset"])
@pytest.mark.parametrize("value_rule", ["rate", "shares"])
def test_rates_conserve_on_random_journeys(unobserved, value_rule):
    rng = np.random.default_rng(21)
    for n_channels in (3, 6, 10):
        journeys = random_journeys(rng, 3000, n_channels, max_len=4)
        credit = shapley_rates(journeys, unobserved=unobserved, value_rule=value_rule)
        assert credit.conversions.sum() == pytest.approx(journeys.conv.sum())
        assert credit.value.sum() == pytest.approx(journeys.value.sum())
        assert sum(credit.details["phi"]) == pytest.approx(credit.details["v_N"] - credit.details["v_empty"], abs=1e-9)


def test_rates_exact_game_matches_brute_force_on_journeys():
    rng = np.random.default_rng(22)
    journeys = random_journeys(rng, 500, 5, max_len=3)
    masks = channel_masks(journeys).astype(np.intp)
    conv = np.bincount(masks, weights=journeys.conv, minlength=32)
    seen = np.bincount(masks, minlength=32)
    v = np.divide(conv, seen, out=np.zeros(32), where=seen > 0)
    credit = shapley_rates(journeys)
    np.testing.assert_allclose(credit.details["phi"], brute_force(v), atol=1e-12)


@pytest.mark.parametrize("unobserved", ["zero", "largest_subset"])
@pytest.mark.parametrize("dense", [True, False])
def test_monte_carlo_agrees_with_exact_within_its_bound(unobserved, dense, monkeypatch):
    if not dense:  # the path for more than DENSE_MC_MAX_CHANNELS channels: no 2ⁿ arrays
        monkeypatch.setattr(shapley, "DENSE_MC_MAX_CHANNELS", 0)
    rng = np.random.default_rng(23)
    journeys = random_journeys(rng, 2000, 6, max_len=3)
    exact = shapley_rates(journeys, unobserved=unobserved)
    estimate = shapley_rates(journeys, unobserved=unobserved, max_exact_channels=0, permutations=4000, seed=5)
    assert estimate.details["method"] == "monte_carlo_permutations"
    se = np.array(estimate.details["standard_errors"])
    assert np.all(np.abs(np.array(estimate.details["phi"]) - exact.details["phi"]) <= 5 * se + 1e-12)
    assert estimate.details["v_N"] == pytest.approx(exact.details["v_N"])
    assert sum(estimate.details["phi"]) == pytest.approx(exact.details["v_N"], abs=1e-9)  # exact per permutation
    # fixed seed: identical on re-run
    again = shapley_rates(journeys, unobserved=unobserved, max_exact_channels=0, permutations=4000, seed=5)
    np.testing.assert_array_equal(again.conversions, estimate.conversions)


@pytest.mark.parametrize("unobserved", ["zero", "largest_subset"])
def test_more_than_twenty_channels_uses_the_estimate_and_states_its_bound(unobserved):
    rng = np.random.default_rng(24)
    journeys = random_journeys(rng, 5000, 24, max_len=4)
    credit = shapley_rates(journeys, unobserved=unobserved, permutations=500)
    details = credit.details
    assert details["method"] == "monte_carlo_permutations"
    assert details["permutations"] == 500
    assert "seed" in details
    assert len(details["standard_errors"]) == 24
    assert details["error_bound_95_phi"] > 0
    assert "1.96" in details["error_bound"]
    assert credit.conversions.sum() == pytest.approx(journeys.conv.sum())
    assert credit.value.sum() == pytest.approx(journeys.value.sum())


@pytest.mark.parametrize("unobserved", ["zero", "largest_subset"])
@pytest.mark.parametrize("n_channels", [30, 70])
def test_sparse_estimate_beyond_dense_and_beyond_sixty_four_channels(unobserved, n_channels):
    rng = np.random.default_rng(25)
    journeys = random_journeys(rng, 3000, n_channels, max_len=3)
    credit = shapley_rates(journeys, unobserved=unobserved, permutations=200)
    assert sum(credit.details["phi"]) == pytest.approx(credit.details["v_N"], abs=1e-9)
    assert credit.details["method"] == "monte_carlo_permutations"
    assert credit.conversions.sum() == pytest.approx(journeys.conv.sum())


def test_rates_reject_unknown_rules():
    with pytest.raises(ValueError):
        shapley_rates(two_channel_journeys(), unobserved="mean")
    with pytest.raises(ValueError):
        shapley_rates(two_channel_journeys(), value_rule="other")


def test_min_journeys_treats_thin_sets_as_unobserved():
    # {A}: 1 of 4 converts, {B}: 2 of 4, {A,B}: 2 of 2 (5 conversions). {A,B} is seen in 2 journeys only:
    # with min_journeys = 3 it counts as unobserved, so v(AB) = 0 under "zero"
    journeys = Journeys.from_lists([[A]] * 4 + [[B]] * 4 + [[A, B], [B, A]], [1, 0, 0, 0, 1, 1, 0, 0, 1, 1])
    credit = shapley_rates(journeys, min_journeys=3)
    # v(A) = 1/4, v(B) = 1/2, v(AB) = 0: φ_A = ½·¼ + ½·(0 − ½) = −0.125, φ_B = ½·½ + ½·(0 − ¼) = 0.125
    np.testing.assert_allclose(credit.details["phi"], [-0.125, 0.125])
    assert credit.details["observed_sets"] == 2
    np.testing.assert_allclose(credit.conversions, [0.0, 5.0])  # v(N) = 0: the positive part takes all
    # under "largest_subset", v(AB) = ½ (B: A and B tie at size 1, the higher rate wins)
    # φ_A = ½·¼ + ½·(½ − ½) = 0.125, φ_B = ½·½ + ½·(½ − ¼) = 0.375
    credit = shapley_rates(journeys, min_journeys=3, unobserved="largest_subset")
    np.testing.assert_allclose(credit.details["phi"], [0.125, 0.375])
    np.testing.assert_allclose(credit.conversions, [1.25, 3.75])


def test_touch_shares_counts_by_hand_and_summing_to_the_channel_credit():
    # Journey 0: A, B, A → D = 2: B gets 1/2, A's 1/2 is split over its two touches (1/4 each).
    # Journey 1: C → 1. Journey 2: B, C, B, C, D → D = 3: B's touches 1/6 each, C's 1/6 each, D 1/3.
    journeys = Journeys.from_lists([[0, 1, 0], [2], [1, 2, 1, 2, 3]], conv=[1, 0, 1], value=[100, 0, 60])
    shares = shapley.touch_shares_counts(journeys)
    expected = [1 / 4, 1 / 2, 1 / 4, 1.0, 1 / 6, 1 / 6, 1 / 6, 1 / 6, 1 / 3]
    assert np.allclose(shares, expected, atol=1e-15)
    credit = shapley.shapley_counts(journeys)
    conv_t = np.repeat(journeys.conv, journeys.lengths)
    value_t = np.repeat(journeys.value, journeys.lengths)
    assert np.allclose(np.bincount(journeys.channels, weights=shares * conv_t, minlength=4), credit.conversions, atol=1e-12)
    assert np.allclose(np.bincount(journeys.channels, weights=shares * value_t, minlength=4), credit.value, atol=1e-12)
