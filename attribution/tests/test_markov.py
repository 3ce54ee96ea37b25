"""Markov removal effect: a worked example, brute-force path enumeration, and the P(conv) invariant.

Plain functions, no database. Expected numbers are written from the definition in ATTRIBUTION.md.
"""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest

from attribution.engine import markov
from attribution.engine.journeys import Journeys

A, B, C, D = 0, 1, 2, 3
START = 0


def state(channel: int) -> int:
    return channel + 1


def test_removal_effect_worked_by_hand():
    # Journeys: A → B → C won (value 100); A lost; B → C lost.
    journeys = Journeys.from_lists([[A, B, C], [A], [B, C]], [1, 0, 0], [100, 0, 0])
    # Weights: START→A 2, START→B 1; A→B 1, A→NULL 1; B→C 2; C→CONV 1, C→NULL 1.
    # Probabilities: START→A ⅔, START→B ⅓; A→B ½, A→NULL ½; B→C 1; C→CONV ½, C→NULL ½.
    # P(conv) = ⅔·½·1·½ + ⅓·1·½ = ⅙ + ⅙ = ⅓ (= 1 conversion / 3 journeys).
    # Without A: only START→B→C→CONV, ⅓·½ = ⅙ → RE_A = 1 − (⅙)/(⅓) = ½.
    # Without B or C every converting path is cut: P = 0 → RE = 1.
    # Σ RE = 5/2 → credit A = 1 · ½ / (5/2) = 1/5, B = C = 2/5; value 20, 40, 40.
    credit = markov.markov_removal(journeys)
    details = credit.details
    p = details["transition_matrix"]
    n = 3
    conversion, null = n + 1, n + 2
    assert details["states"] == ["START", "0", "1", "2", "CONVERSION", "NULL"]
    np.testing.assert_allclose(p[START, [state(A), state(B)]], [2 / 3, 1 / 3], atol=1e-15)
    np.testing.assert_allclose(p[state(A), [state(B), null]], [1 / 2, 1 / 2], atol=1e-15)
    assert p[state(B), state(C)] == 1.0
    np.testing.assert_allclose(p[state(C), [conversion, null]], [1 / 2, 1 / 2], atol=1e-15)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-15)
    assert details["p_conv"] == pytest.approx(float(F(1, 3)), abs=1e-15)
    np.testing.assert_allclose(details["p_conv_without"], [1 / 6, 0, 0], atol=1e-15)
    np.testing.assert_allclose(details["removal_effects"], [1 / 2, 1, 1], atol=1e-15)
    np.testing.assert_allclose(credit.conversions, [float(F(1, 5)), float(F(2, 5)), float(F(2, 5))], atol=1e-15)
    np.testing.assert_allclose(credit.value, [20, 40, 40], atol=1e-12)
    assert credit.model == "markov"


def test_repeats_collapse_and_no_self_loops():
    collapsed = Journeys.from_lists([[A, A, B], [B, B], [B, A, A, A, C]], [1, 0, 1], n_channels=3)
    plain = Journeys.from_lists([[A, B], [B], [B, A, C]], [1, 0, 1], n_channels=3)
    channels, offsets = markov.collapse_repeats(collapsed)
    assert channels.tolist() == [A, B, B, B, A, C]
    assert offsets.tolist() == [0, 2, 3, 6]
    np.testing.assert_array_equal(markov.transition_weights(collapsed), markov.transition_weights(plain))
    assert np.all(np.diag(markov.transition_weights(collapsed))[1:-2] == 0)


def test_repeat_across_journeys_is_not_collapsed():
    # Journey 1 ends in A and journey 2 starts with A: both are kept (different journeys).
    journeys = Journeys.from_lists([[B, A], [A]], [1, 0])
    channels, offsets = markov.collapse_repeats(journeys)
    assert channels.tolist() == [B, A, A]
    assert offsets.tolist() == [0, 2, 3]
    weights = markov.transition_weights(journeys)
    assert weights[START, state(A)] == 1 and weights[START, state(B)] == 1


def test_aggregated_counts_equal_expanded_journeys():
    # A row with conv = 2, null = 3 is the same chain as five single journeys on that path.
    aggregated = Journeys.from_lists([[A, B], [B]], [2, 1], [300, 50], null=[3, 0])
    expanded = Journeys.from_lists([[A, B]] * 5 + [[B]], [1, 1, 0, 0, 0, 1], [150, 150, 0, 0, 0, 50])
    np.testing.assert_allclose(markov.transition_weights(aggregated), markov.transition_weights(expanded))
    one, other = markov.markov_removal(aggregated), markov.markov_removal(expanded)
    np.testing.assert_allclose(one.conversions, other.conversions, atol=1e-14)
    np.testing.assert_allclose(one.value, other.value, atol=1e-10)


# --- brute force: enumerate every path of the chain -------------------------------------------------


def enumerate_paths(p: np.ndarray, removed: int | None = None, floor: float = 1e-16) -> tuple[float, float]:
    """Σ of the probabilities of every path START → … → CONVERSION, depth first, without linear algebra.

    A transition into ``removed`` (a channel) goes to NULL instead. Paths whose probability falls below
    ``floor`` are dropped and their mass returned, so the exact answer lies in [found, found + dropped].
    """
    size = p.shape[0]
    conversion, null = size - 2, size - 1
    found, dropped = 0.0, 0.0
    stack = [(START, 1.0)]
    while stack:
        here, mass = stack.pop()
        for there in range(size):
            probability = p[here, there]
            if probability == 0 or there == null:
                continue
            if removed is not None and there == state(removed):
                continue
            if there == conversion:
                found += mass * probability
            elif mass * probability < floor:
                dropped += mass * probability
            else:
                stack.append((there, mass * probability))
    return found, dropped


def random_dag_journeys(seed: int, n_channels: int = 5, n_journeys: int = 40) -> Journeys:
    """Channels in increasing order within every journey, so the chain is acyclic and has finitely many paths."""
    rng = np.random.default_rng(seed)
    paths = []
    for _ in range(n_journeys):
        size = int(rng.integers(1, n_channels + 1))
        paths.append(sorted(int(c) for c in rng.choice(n_channels, size, replace=False)))
    conv = [float(x) for x in rng.integers(0, 2, n_journeys)]
    return Journeys.from_lists(paths, conv, [c * 1000.0 for c in conv], n_channels=n_channels)


@pytest.mark.parametrize("seed", range(6))
def test_exact_solve_matches_path_enumeration_on_acyclic_graphs(seed):
    journeys = random_dag_journeys(seed)
    credit = markov.markov_removal(journeys)
    p = credit.details["transition_matrix"]
    found, dropped = enumerate_paths(p, floor=0.0)
    assert dropped == 0.0
    assert credit.details["p_conv"] == pytest.approx(found, abs=1e-12)
    for k in range(journeys.n_channels):
        found_k, _ = enumerate_paths(p, removed=k, floor=0.0)
        assert credit.details["p_conv_without"][k] == pytest.approx(found_k, abs=1e-12)
        assert markov.conversion_probability(p, removed=k) == pytest.approx(found_k, abs=1e-12)


def test_exact_solve_matches_path_enumeration_with_cycles():
    # A and B loop (A → B → A …); C only ends journeys, so paths grow one per depth and the enumeration,
    # truncated at 1e-16, bounds what it dropped: the exact answer lies in [found, found + dropped].
    journeys = Journeys.from_lists(
        [[A, B, A, C], [B, A], [A, B], [B, A, B, C], [A], [B, C], [A, C]],
        [1, 0, 1, 0, 0, 1, 1],
        n_channels=3,
    )
    credit = markov.markov_removal(journeys)
    p = credit.details["transition_matrix"]
    assert p[state(A), state(B)] > 0 and p[state(B), state(A)] > 0  # a cycle
    found, dropped = enumerate_paths(p)
    assert dropped < 1e-14
    assert found - 1e-15 <= credit.details["p_conv"] <= found + dropped + 1e-15
    assert credit.details["p_conv"] == pytest.approx(4 / 7, abs=1e-15)  # 4 won of 7
    for k in range(3):
        found_k, dropped_k = enumerate_paths(p, removed=k)
        assert found_k - 1e-15 <= credit.details["p_conv_without"][k] <= found_k + dropped_k + 1e-15


# --- invariants on random data ----------------------------------------------------------------------


def random_journeys(seed: int, n_journeys: int = 3000, n_channels: int = 12) -> Journeys:
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, 8, n_journeys)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    channels = rng.integers(0, n_channels, offsets[-1]).astype(np.int32)  # repeats and cycles included
    conv = rng.integers(0, 3, n_journeys).astype(np.float64)
    null = rng.integers(0, 4, n_journeys).astype(np.float64)
    value = conv * rng.uniform(100, 5000, n_journeys)
    return Journeys(
        channels=channels, offsets=offsets, conv=conv, value=value, n_channels=n_channels + 1, null=null
    )  # the last channel is never seen


@pytest.mark.parametrize("seed", range(5))
def test_fitted_probability_equals_observed_rate(seed):
    journeys = random_journeys(seed)
    credit = markov.markov_removal(journeys)
    observed = journeys.conv.sum() / (journeys.conv.sum() + journeys.null.sum())
    assert abs(credit.details["p_conv"] - observed) <= 1e-12
    assert credit.details["observed_rate"] == pytest.approx(observed, abs=1e-15)


@pytest.mark.parametrize("seed", range(5))
def test_removal_by_rank_one_update_matches_direct_solves(seed):
    journeys = random_journeys(seed)
    credit = markov.markov_removal(journeys)
    p = credit.details["transition_matrix"]
    direct = [markov.conversion_probability(p, removed=k) for k in range(journeys.n_channels)]
    np.testing.assert_allclose(credit.details["p_conv_without"], direct, rtol=0, atol=1e-12)
    effects = credit.details["removal_effects"]
    assert np.all((effects >= 0) & (effects <= 1))
    # Credit conserves and follows RE_k / Σ RE.
    assert credit.conversions.sum() == pytest.approx(journeys.conv.sum(), rel=1e-12)
    assert credit.value.sum() == pytest.approx(journeys.value.sum(), rel=1e-12)
    np.testing.assert_allclose(credit.conversions, journeys.conv.sum() * effects / effects.sum(), rtol=1e-12)
    # The unseen channel: row to NULL, no effect, no credit.
    unseen = journeys.n_channels - 1
    assert p[state(unseen), -1] == 1.0
    assert effects[unseen] == 0 and credit.conversions[unseen] == 0


def test_rows_are_probabilities():
    journeys = random_journeys(11, n_journeys=500)
    p = markov.markov_removal(journeys).details["transition_matrix"]
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-14)
    assert np.all(p >= 0)


# --- edge cases ---------------------------------------------------------------------------------------


def test_no_conversions():
    credit = markov.markov_removal(Journeys.from_lists([[A, B], [B]], [0, 0], n_channels=3))
    assert credit.details["p_conv"] == 0
    np.testing.assert_array_equal(credit.details["removal_effects"], [0, 0, 0])
    np.testing.assert_array_equal(credit.conversions, [0, 0, 0])
    np.testing.assert_array_equal(credit.value, [0, 0, 0])
    assert "no conversions" in credit.details["reason"]


def test_no_journeys():
    journeys = Journeys(
        channels=np.zeros(0, dtype=np.int32),
        offsets=np.zeros(1, dtype=np.int64),
        conv=np.zeros(0),
        value=np.zeros(0),
        n_channels=2,
    )
    credit = markov.markov_removal(journeys)
    assert credit.details["p_conv"] == 0
    assert credit.details["transition_matrix"][START, -1] == 1.0
    np.testing.assert_array_equal(credit.conversions, [0, 0])


def test_single_channel_takes_everything():
    credit = markov.markov_removal(Journeys.from_lists([[A], [A, A]], [1, 0], [70, 0]))
    assert credit.details["p_conv"] == pytest.approx(0.5, abs=1e-15)
    np.testing.assert_allclose(credit.details["removal_effects"], [1.0])
    np.testing.assert_allclose(credit.conversions, [1.0])
    np.testing.assert_allclose(credit.value, [70.0])


def test_negative_counts_are_rejected():
    with pytest.raises(ValueError, match="non-negative"):
        markov.markov_removal(Journeys.from_lists([[A]], [1], null=[-1]))
