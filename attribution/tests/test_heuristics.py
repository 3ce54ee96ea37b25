"""Rule-based models: hand-computed journeys, conservation, and a pure-Python reference on random data.

Plain functions, no database. Expected numbers are written from the definitions in ATTRIBUTION.md.
"""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest

from attribution.engine import heuristics as h
from attribution.engine.journeys import Journeys

A, B, C, D = 0, 1, 2, 3

# Three journeys over channels A, B, C (D never seen):
#   1. A → B → A → C, won, value 100, touches 10, 7, 3, 0 days before close
#   2. B,             lost
#   3. C → A,         won, value 50, touches 4 and 2 days before close
PATHS = [[A, B, A, C], [B], [C, A]]
CONV = [1, 0, 1]
VALUE = [100, 0, 50]
DAYS = [[10, 7, 3, 0], [1], [4, 2]]


def example() -> Journeys:
    return Journeys.from_lists(PATHS, CONV, VALUE, n_channels=4, days=DAYS)


def assert_credit(credit, conversions, value):
    np.testing.assert_allclose(credit.conversions, [float(x) for x in conversions], rtol=0, atol=1e-12)
    np.testing.assert_allclose(credit.value, [float(x) for x in value], rtol=0, atol=1e-9)


def test_first_touch_by_hand():
    # Journey 1 → A (1, 100); journey 2 → B (0, 0); journey 3 → C (1, 50).
    assert_credit(h.first_touch(example()), [1, 0, 1, 0], [100, 0, 50, 0])


def test_last_touch_by_hand():
    # Journey 1 → C; journey 3 → A.
    assert_credit(h.last_touch(example()), [1, 0, 1, 0], [50, 0, 100, 0])


def test_linear_is_per_touch_by_hand():
    # Journey 1: A 2/4, B 1/4, C 1/4 (A touched twice counts twice). Journey 3: C 1/2, A 1/2.
    a = F(2, 4) + F(1, 2)
    b = F(1, 4)
    c = F(1, 4) + F(1, 2)
    assert_credit(h.linear(example()), [a, b, c, 0], [100 * F(2, 4) + 50 * F(1, 2), 100 * b, 100 * F(1, 4) + 50 * F(1, 2), 0])
    # Per touch, not per distinct channel: A → B → A gives A ⅔, B ⅓ (not ½, ½).
    credit = h.linear(Journeys.from_lists([[A, B, A]], [1]))
    np.testing.assert_allclose(credit.conversions, [2 / 3, 1 / 3], atol=1e-15)


def test_position_based_by_hand():
    # Journey 1 (L = 4): A first 0.4, middle B and A 0.2 / 2 = 0.1 each, C last 0.4 → A 0.5, B 0.1, C 0.4.
    # Journey 3 (L = 2): ½, ½.
    a = F(4, 10) + F(1, 10) + F(1, 2)
    b = F(1, 10)
    c = F(4, 10) + F(1, 2)
    value = [100 * (F(4, 10) + F(1, 10)) + 25, 100 * b, 100 * F(4, 10) + 25, 0]
    assert_credit(h.position_based(example()), [a, b, c, 0], value)


def test_position_based_lengths_and_configuration():
    journeys = Journeys.from_lists([[A], [A, B], [A, B, C, D, A]], [1, 1, 1], n_channels=4)
    # 30 / 30 / 40: L = 1 → 1, L = 2 → ½ ½ whatever the configuration; L = 5 → 0.3, 0.1 × 3, 0.4.
    shares = h.touch_shares(journeys, h.POSITION_BASED, first=0.3, middle=0.3, last=0.4)
    np.testing.assert_allclose(shares, [1, 0.5, 0.5, 0.3, 0.1, 0.1, 0.1, 0.4], atol=1e-15)
    credit = h.position_based(journeys, first=0.3, middle=0.3, last=0.4)
    np.testing.assert_allclose(credit.conversions, [1 + 0.5 + 0.3 + 0.4, 0.5 + 0.1, 0.1, 0.1], atol=1e-15)
    assert credit.details == {"first": 0.3, "middle": 0.3, "last": 0.4}
    with pytest.raises(ValueError, match="sum to 1"):
        h.position_based(journeys, first=0.5, middle=0.2, last=0.4)
    with pytest.raises(ValueError, match="non-negative"):
        h.position_based(journeys, first=1.2, middle=-0.2, last=0.0)


def test_time_decay_by_hand():
    # Weights 2^(−d/7). Journey 1: A 2^(−10/7) + 2^(−3/7), B 2^(−1), C 2^0, over their sum.
    w1 = {t: 2 ** (-d / 7) for t, d in enumerate(DAYS[0])}
    s1 = sum(w1.values())
    w3 = [2 ** (-4 / 7), 2 ** (-2 / 7)]  # C, A
    s3 = sum(w3)
    a = (w1[0] + w1[2]) / s1 + w3[1] / s3
    b = w1[1] / s1
    c = w1[3] / s1 + w3[0] / s3
    value_a = 100 * (w1[0] + w1[2]) / s1 + 50 * w3[1] / s3
    value_c = 100 * w1[3] / s1 + 50 * w3[0] / s3
    assert_credit(h.time_decay(example()), [a, b, c, 0], [value_a, 100 * b, value_c, 0])


def test_time_decay_half_life():
    # h = 1 day, touches 1 and 0 days before: weights ½ and 1 → shares ⅓, ⅔.
    journeys = Journeys.from_lists([[A, B]], [1], days=[[1, 0]])
    np.testing.assert_allclose(h.touch_shares(journeys, h.TIME_DECAY, half_life_days=1), [1 / 3, 2 / 3], atol=1e-15)
    # h = 7 days, touches 14 and 7 days before: weights ¼ and ½ → shares ⅓, ⅔ again.
    journeys = Journeys.from_lists([[A, B]], [1], days=[[14, 7]])
    np.testing.assert_allclose(h.time_decay(journeys).conversions, [1 / 3, 2 / 3], atol=1e-15)


def test_time_decay_old_journeys_do_not_underflow():
    # 2^(−20000/7) underflows to 0; normalising per journey after shifting by the youngest touch does not.
    journeys = Journeys.from_lists([[A, B], [A]], [1, 1], days=[[20007, 20000], [50000]])
    shares = h.touch_shares(journeys, h.TIME_DECAY)
    np.testing.assert_allclose(shares, [1 / 3, 2 / 3, 1], atol=1e-15)


def test_time_decay_needs_valid_days():
    with pytest.raises(ValueError, match="days"):
        h.time_decay(Journeys.from_lists([[A]], [1]))
    with pytest.raises(ValueError, match="≥ 0"):
        h.time_decay(Journeys.from_lists([[A]], [1], days=[[-1]]))
    with pytest.raises(ValueError, match="half-life"):
        h.time_decay(Journeys.from_lists([[A]], [1], days=[[1]]), half_life_days=0)


def test_unknown_model():
    with pytest.raises(ValueError, match="unknown"):
        h.touch_shares(example(), "w_shaped")


def test_all_heuristics_matches_the_single_models():
    journeys = example()
    every = h.all_heuristics(journeys)
    assert set(every) == set(h.MODELS)
    for name, function in h.HEURISTICS.items():
        np.testing.assert_array_equal(every[name].conversions, function(journeys).conversions)
        np.testing.assert_array_equal(every[name].value, function(journeys).value)
    without_days = h.all_heuristics(Journeys.from_lists(PATHS, CONV, VALUE))
    assert h.TIME_DECAY not in without_days


def test_no_journeys():
    journeys = Journeys(
        channels=np.zeros(0, dtype=np.int32),
        offsets=np.zeros(1, dtype=np.int64),
        conv=np.zeros(0),
        value=np.zeros(0),
        n_channels=3,
        days=np.zeros(0),
    )
    for credit in h.all_heuristics(journeys).values():
        np.testing.assert_array_equal(credit.conversions, np.zeros(3))
        np.testing.assert_array_equal(credit.value, np.zeros(3))


# --- random data: conservation and a pure-Python reference ---------------------------------------


def random_journeys(seed: int, n_journeys: int = 400, n_channels: int = 6) -> Journeys:
    rng = np.random.default_rng(seed)
    paths, days = [], []
    for _ in range(n_journeys):
        length = int(rng.integers(1, 9))
        paths.append([int(c) for c in rng.integers(0, n_channels, length)])
        days.append(sorted((float(d) for d in rng.uniform(0, 120, length)), reverse=True))
    conv = [float(x) for x in rng.integers(0, 3, n_journeys)]  # aggregated counts are allowed too
    value = [float(x) for x in rng.uniform(0, 10_000, n_journeys) * (np.array(conv) > 0)]
    return Journeys.from_lists(paths, conv, value, n_channels=n_channels + 1, days=days)  # last channel unseen


def reference_shares(path: list[int], days: list[float], model: str, **params: float) -> list[float]:
    """The definitions, one journey at a time, in plain Python."""
    length = len(path)
    if model == h.FIRST_TOUCH:
        return [1.0] + [0.0] * (length - 1)
    if model == h.LAST_TOUCH:
        return [0.0] * (length - 1) + [1.0]
    if model == h.LINEAR:
        return [1.0 / length] * length
    if model == h.POSITION_BASED:
        first, middle, last = params.get("first", 0.4), params.get("middle", 0.2), params.get("last", 0.4)
        if length == 1:
            return [1.0]
        if length == 2:
            return [0.5, 0.5]
        return [first] + [middle / (length - 2)] * (length - 2) + [last]
    if model == h.TIME_DECAY:
        half_life = params.get("half_life_days", 7.0)
        weights = [2.0 ** (-d / half_life) for d in days]
        total = sum(weights)
        return [w / total for w in weights]
    raise AssertionError(model)


def reference_credit(journeys: Journeys, model: str, **params: float) -> tuple[list[float], list[float], list[float]]:
    conversions = [0.0] * journeys.n_channels
    value = [0.0] * journeys.n_channels
    all_shares: list[float] = []
    offsets = journeys.offsets.tolist()
    for j in range(journeys.n_journeys):
        path = journeys.channels[offsets[j] : offsets[j + 1]].tolist()
        days = journeys.days[offsets[j] : offsets[j + 1]].tolist()
        shares = reference_shares(path, days, model, **params)
        all_shares.extend(shares)
        for channel, share in zip(path, shares, strict=True):
            conversions[channel] += share * float(journeys.conv[j])
            value[channel] += share * float(journeys.value[j])
    return conversions, value, all_shares


CASES = [
    (h.FIRST_TOUCH, {}),
    (h.LAST_TOUCH, {}),
    (h.LINEAR, {}),
    (h.POSITION_BASED, {}),
    (h.POSITION_BASED, {"first": 0.3, "middle": 0.5, "last": 0.2}),
    (h.TIME_DECAY, {}),
    (h.TIME_DECAY, {"half_life_days": 30.0}),
]


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize(("model", "params"), CASES)
def test_matches_reference_on_random_data(seed, model, params):
    journeys = random_journeys(seed)
    conversions, value, shares = reference_credit(journeys, model, **params)
    np.testing.assert_allclose(h.touch_shares(journeys, model, **params), shares, rtol=0, atol=1e-9)
    credit = h.HEURISTICS[model](journeys, **params)
    assert credit.model == model
    np.testing.assert_allclose(credit.conversions, conversions, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(credit.value, value, rtol=1e-9, atol=1e-9)
    assert credit.conversions[-1] == 0 and credit.value[-1] == 0  # the unseen channel


@pytest.mark.parametrize(("model", "params"), CASES)
def test_conservation_per_journey(model, params):
    journeys = random_journeys(7, n_journeys=1000)
    shares = h.touch_shares(journeys, model, **params)
    starts = journeys.offsets[:-1]
    assert np.all(shares >= 0)
    np.testing.assert_allclose(np.add.reduceat(shares, starts), 1.0, rtol=0, atol=1e-12)
    # Per journey, the credited conversions and value sum to its conv and value.
    lengths = journeys.lengths
    per_journey_conv = np.add.reduceat(shares * np.repeat(journeys.conv, lengths), starts)
    per_journey_value = np.add.reduceat(shares * np.repeat(journeys.value, lengths), starts)
    np.testing.assert_allclose(per_journey_conv, journeys.conv, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(per_journey_value, journeys.value, rtol=1e-12, atol=1e-9)
    # Channel credit: the same totals.
    credit = h.HEURISTICS[model](journeys, **params)
    assert credit.conversions.sum() == pytest.approx(journeys.conv.sum(), rel=1e-12)
    assert credit.value.sum() == pytest.approx(journeys.value.sum(), rel=1e-12)
    # credit_from_shares (the path a run takes to explain a deal) agrees with the model.
    again = h.credit_from_shares(journeys, shares, model)
    np.testing.assert_allclose(again.conversions, credit.conversions, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(again.value, credit.value, rtol=1e-12, atol=1e-9)
