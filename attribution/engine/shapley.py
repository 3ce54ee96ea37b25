"""Shapley-value attribution over sets of channels (pure numpy, no database).

Definition (``ATTRIBUTION.md``): for a characteristic function v over sets of channels N = {0 … n − 1},

    φ_i = Σ_{S ⊆ N∖{i}} |S|! (n − |S| − 1)! / n! · [v(S ∪ {i}) − v(S)].

A coalition S is a bitmask (bit k set ⇔ channel k ∈ S); a game on n channels is an array ``v`` of
length 2ⁿ indexed by that bitmask. The *channel set* of a journey is the set of its distinct channels
(order and repeats are ignored by both games below).

Two games, named plainly:

**Shapley (conversion counts)** — :func:`shapley_counts`. v(S) = Σ_{T ⊆ S} R(T), where R(T) is the
number (for value: the revenue) of conversions whose journeys touched exactly the channel set T.
Closed form: φ_i = Σ_{T ∋ i} R(T) / |T|, i.e. each converting journey's conversion (and value) is split
equally among its distinct channels. Computed by the closed form; it already sums to the totals.

**Shapley (conversion rates, data-driven)** — :func:`shapley_rates` (Shao & Li 2011; Dalessandro et
al. 2012; Zhao et al. 2018). v(S) = observed conversion rate of the journeys whose channel set is
exactly S: Σ conv / Σ (conv + null) over those journeys; v(∅) = 0. Sets never observed get, by the
stated rule ``unobserved``:

- ``"zero"`` (default): v(S) = 0.
- ``"largest_subset"``: v(S) = the rate of the largest observed subset T ⊆ S (S itself when observed);
  ties between observed subsets of the same size go to the higher conversion rate, then the higher
  value per journey, then the smaller bitmask (deterministic); 0 when no subset of S was observed.

The φ are then scaled so that they sum to the observed conversions:
credit_k = total_conv · φ_k / Σ_j φ_j. Efficiency gives Σ φ = v(N) − v(∅) = v(N). A channel whose
presence lowers the conversion rate can get negative credit; the credits still sum to the total.
When v(N) = 0 (typically under ``"zero"`` when no journey touched every channel) no scale exists, and
the credit is shared in proportion to the positive φ only (``details["scaling"]`` says so); if no φ is
positive, the credit falls back to the conversion-count Shapley above.

Optional support threshold: ``min_journeys`` (default 0, the definition as written) treats a set seen
in fewer journeys as never observed; without it a set seen once has a rate of 0 or 1, and under
``"largest_subset"`` v(N) is then usually the outcome of the single longest journey.

Value: by default (``value_rule="rate"``) a second game of the same shape is played with v(S) = the
observed revenue per journey of the journeys with channel set exactly S (value-weighted rates), the
same unobserved rule (the same subset is chosen under ``"largest_subset"``) and the same scaling, to
the total value. ``value_rule="shares"`` instead gives each channel the total value times its share
of the credited conversions.

Exactly enumerated up to :data:`EXACT_MAX_CHANNELS` = 20 channels (2²⁰ coalitions; vectorised per
player). Beyond that: a Monte Carlo estimate over uniformly random permutations (Shapley = the expected
marginal contribution of i to the channels preceding it in a random order), with a fixed seed; each
permutation's marginals sum to v(N) exactly, so efficiency still holds. ``details`` records the method,
the number of permutations, the seed, each channel's standard error and the error bound: the
half-width of a normal-approximation 95 % interval, 1.96 · SE (in φ units, and in credited conversions:
times the scale factor, exact under proportional scaling, approximate under the positive-parts rule).
Up to 24 channels the estimate looks coalitions up in dense 2ⁿ arrays; beyond, it works from the
observed sets only (cost ∝ permutations × Σ|T|), for any number of channels.
"""

from __future__ import annotations

import math

import numpy as np

from .journeys import Credit, Journeys

EXACT_MAX_CHANNELS = 20
DENSE_MC_MAX_CHANNELS = 24  # Monte Carlo looks coalitions up in dense 2ⁿ arrays up to here (128 MiB a game)
DEFAULT_PERMUTATIONS = 10_000
DEFAULT_SEED = 20111  # Shao & Li, 2011
Z_95 = 1.959963984540054
UNOBSERVED_RULES = ("zero", "largest_subset")
VALUE_RULES = ("rate", "shares")


# --------------------------------------------------------------------------------------------------
# Generic exact Shapley value of a game given as an array over all 2ⁿ coalitions.


def _n_players(v: np.ndarray) -> int:
    size = len(v)
    n = size.bit_length() - 1
    if size < 1 or (1 << n) != size:
        raise ValueError("a game over n players is an array of length 2**n, indexed by coalition bitmask")
    return n


def popcounts(n: int) -> np.ndarray:
    """|S| for every coalition bitmask S in 0 … 2ⁿ − 1."""
    return np.bitwise_count(np.arange(1 << n, dtype=np.uint32)).astype(np.int64)


def shapley_weights(n: int) -> np.ndarray:
    """w[s] = s! (n − s − 1)! / n! for s = 0 … n − 1 (= 1 / (n · C(n − 1, s)))."""
    return np.array([1.0 / (n * math.comb(n - 1, s)) for s in range(n)], dtype=np.float64)


def shapley_exact(v: np.ndarray) -> np.ndarray:
    """Exact Shapley values of the game ``v`` (length 2ⁿ, bitmask-indexed, n ≤ 20).

    For each player i the coalitions are viewed as an array of shape (2^(n−i−1), 2, 2^i): index
    [:, 0, :] runs over every S without i in increasing order and [:, 1, :] over S ∪ {i} in the same
    order, so the marginal contributions of i are one vectorised subtraction, weighted by
    w(|S|) = |S|! (n − |S| − 1)! / n! (precomputed per popcount).
    """
    v = np.asarray(v, dtype=np.float64)
    n = _n_players(v)
    if n > EXACT_MAX_CHANNELS:
        raise ValueError(f"exact enumeration is limited to {EXACT_MAX_CHANNELS} players (got {n})")
    if n == 0:
        return np.zeros(0)
    weight_of_set = np.append(shapley_weights(n), 0.0)[popcounts(n)]  # |S| = n never has i outside it
    phi = np.empty(n)
    for i in range(n):
        halves = v.reshape(-1, 2, 1 << i)
        weights = weight_of_set.reshape(-1, 2, 1 << i)[:, 0, :]
        phi[i] = np.einsum("ij,ij->", halves[:, 1, :] - halves[:, 0, :], weights)
    return phi


def subset_sums(r: np.ndarray) -> np.ndarray:
    """Zeta transform: v(S) = Σ_{T ⊆ S} r(T) for every bitmask S (n passes, in place on a copy)."""
    v = np.array(r, dtype=np.float64, copy=True)
    n = _n_players(v)
    for i in range(n):
        halves = v.reshape(-1, 2, 1 << i)
        halves[:, 1, :] += halves[:, 0, :]
    return v


def _subset_max(a: np.ndarray) -> np.ndarray:
    """best(S) = max_{T ⊆ S} a(T) for every bitmask S."""
    a = np.array(a, copy=True)
    n = _n_players(a)
    for i in range(n):
        halves = a.reshape(-1, 2, 1 << i)
        np.maximum(halves[:, 1, :], halves[:, 0, :], out=halves[:, 1, :])
    return a


# --------------------------------------------------------------------------------------------------
# Channel sets of journeys.


def channel_masks(journeys: Journeys) -> np.ndarray:
    """Per journey, the bitmask of its distinct channels (uint64; needs n_channels ≤ 64).

    Vectorised: ``np.bitwise_or.reduceat`` of ``1 << channel`` over each journey's touches.
    """
    if journeys.n_channels > 64:
        raise ValueError("bitmasks hold at most 64 channels; use channel_words")
    if journeys.n_journeys == 0:
        return np.zeros(0, dtype=np.uint64)
    bits = np.left_shift(np.uint64(1), journeys.channels.astype(np.uint64))
    return np.bitwise_or.reduceat(bits, journeys.offsets[:-1])


def channel_words(journeys: Journeys) -> np.ndarray:
    """Per journey, its distinct channels as W = ⌈n/64⌉ uint64 words (shape (n_journeys, W)), any n."""
    n_words = max(1, -(-journeys.n_channels // 64))
    out = np.zeros((journeys.n_journeys, n_words), dtype=np.uint64)
    if journeys.n_journeys == 0:
        return out
    word = journeys.channels // 64
    bit = np.left_shift(np.uint64(1), (journeys.channels % 64).astype(np.uint64))
    for w in range(n_words):
        out[:, w] = np.bitwise_or.reduceat(np.where(word == w, bit, np.uint64(0)), journeys.offsets[:-1])
    return out


class _Sets:
    """Distinct channel sets observed, with the totals of the journeys that touched exactly each."""

    def __init__(self, bits, masks, conv, null, value):
        self.bits = bits  # (K, n) bool
        self.masks = masks  # (K,) int64 bitmasks when n ≤ DENSE_MC_MAX_CHANNELS (dense games), else None
        self.size = bits.sum(axis=1)
        self.conv = conv
        self.null = null
        self.value = value

    @property
    def journeys(self) -> np.ndarray:
        return self.conv + self.null

    def take(self, keep: np.ndarray) -> _Sets:
        masks = None if self.masks is None else self.masks[keep]
        return _Sets(self.bits[keep], masks, self.conv[keep], self.null[keep], self.value[keep])


def _mask_bits(masks: np.ndarray, n: int) -> np.ndarray:
    return ((masks.astype(np.uint64)[:, None] >> np.arange(n, dtype=np.uint64)) & np.uint64(1)).astype(bool)


def _distinct_sets(journeys: Journeys) -> _Sets:
    n = journeys.n_channels
    conv, null, value = journeys.conv, journeys.nulls, journeys.value
    if n <= EXACT_MAX_CHANNELS:
        masks = channel_masks(journeys).astype(np.intp)
        size = 1 << n
        rows = np.bincount(masks, minlength=size)
        present = np.flatnonzero(rows)
        sums = [np.bincount(masks, weights=w, minlength=size)[present] for w in (conv, null, value)]
        return _Sets(_mask_bits(present, n), present.astype(np.int64), *sums)
    if n <= 64:
        keys, inverse = np.unique(channel_masks(journeys), return_inverse=True)
        bits = _mask_bits(keys, n)
    else:
        keys, inverse = np.unique(channel_words(journeys), axis=0, return_inverse=True)
        bits = np.concatenate([_mask_bits(keys[:, w], 64) for w in range(keys.shape[1])], axis=1)[:, :n]
    inverse = inverse.ravel()
    sums = [np.bincount(inverse, weights=w, minlength=len(keys)) for w in (conv, null, value)]
    masks = keys.astype(np.int64) if n <= DENSE_MC_MAX_CHANNELS else None
    return _Sets(bits, masks, *sums)


# --------------------------------------------------------------------------------------------------
# Shapley (conversion counts).


def shapley_counts(journeys: Journeys) -> Credit:
    """Shapley (conversion counts): φ_i = Σ_{T ∋ i} R(T) / |T| for conversions and for value.

    Each journey's conversions and value are split equally among its distinct channels (the closed
    form of the game v(S) = Σ_{T ⊆ S} R(T)); credits sum to the totals exactly. Any number of channels.
    """
    sets = _distinct_sets(journeys)
    n = journeys.n_channels
    bits = sets.bits.astype(np.float64)
    conversions = bits.T @ (sets.conv / sets.size) if len(sets.size) else np.zeros(n)
    value = bits.T @ (sets.value / sets.size) if len(sets.size) else np.zeros(n)
    total_conv, total_value = float(journeys.conv.sum()), float(journeys.value.sum())
    return Credit(
        model="shapley_counts",
        conversions=conversions,
        value=value,
        details={
            "method": "closed_form",
            "definition": "v(S) = Σ_{T⊆S} R(T); φ_i = Σ_{T∋i} R(T)/|T| (split equally among distinct channels)",
            "v_N": total_conv,
            "v_empty": 0.0,
            "v_N_value": total_value,
            "observed_sets": len(sets.size),
            "n_channels": n,
        },
    )


def touch_shares_counts(journeys: Journeys) -> np.ndarray:
    """Per touch, its share of its journey under Shapley (conversion counts): the journey's D distinct
    channels get 1/D each, and a channel touching m times splits its 1/D equally, 1/(D·m) per touch.

    Summed per channel and weighted by conv (or value), these give exactly :func:`shapley_counts`.
    """
    total = len(journeys.channels)
    if not total:
        return np.zeros(0, dtype=np.float64)
    journey = journeys.journey_of_touch
    keys = journey.astype(np.int64) * max(journeys.n_channels, 1) + journeys.channels
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    counts = np.diff(np.r_[starts, total])  # m: touches of one channel in one journey
    distinct = np.bincount(journey[order][starts], minlength=journeys.n_journeys)  # D per journey
    shares = np.empty(total, dtype=np.float64)
    shares[order] = np.repeat(1.0 / counts, counts)
    return shares / distinct[journey]


# --------------------------------------------------------------------------------------------------
# Shapley (conversion rates, data-driven).


def _rank_sets(sets: _Sets, rates: np.ndarray, value_rates: np.ndarray) -> np.ndarray:
    """Rank 1 … K of each observed set by (size, conversion rate, value per journey, −position)."""
    position = np.arange(len(sets.size))
    order = np.lexsort((-position, value_rates, rates, sets.size))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(1, len(order) + 1)
    return rank


def _dense_games(sets: _Sets, n: int, games: np.ndarray, rank: np.ndarray, unobserved: str) -> np.ndarray:
    """The games (G, 2ⁿ) over every coalition, from the observed sets' values ``games`` (G, K)."""
    if unobserved == "zero":
        v = np.zeros((len(games), 1 << n))
        v[:, sets.masks] = games
        return v
    rank_of_mask = np.zeros(1 << n, dtype=np.int64)
    rank_of_mask[sets.masks] = rank
    best = _subset_max(rank_of_mask)
    by_rank = np.zeros((len(games), len(rank) + 1))
    by_rank[:, rank] = games
    return by_rank[:, best]


def _permutation_estimate(sets, n, games, rank, unobserved, permutations, seed):
    """Monte Carlo Shapley over random permutations: per game, (mean marginal, standard error) per channel.

    Up to :data:`DENSE_MC_MAX_CHANNELS` channels the games are built over all 2ⁿ coalitions (as in the
    exact case) and each prefix is looked up by its bitmask. Beyond, without ever building the 2ⁿ
    coalitions: for a permutation π with prefixes S_0 ⊂ S_1 ⊂ … (S_k = first k + 1 channels), an
    observed set T is a subset of S_k iff k ≥ k_T = max position of T's channels, and equals S_k iff
    also |T| = k + 1 (cost: permutations × Σ|T| over the observed sets).
    """
    rng = np.random.default_rng(seed)
    n_games, n_sets = games.shape
    dense = n <= DENSE_MC_MAX_CHANNELS
    if dense:
        v = _dense_games(sets, n, games, rank, unobserved)
        chunk = int(max(1, min(permutations, 4_000_000 // max(1, n))))
    else:
        by_rank = np.zeros((n_games, n_sets + 1))
        by_rank[:, rank] = games
        _, channel_of_pair = np.nonzero(sets.bits)  # row-major: pairs grouped by set, in set order
        starts = np.concatenate([[0], np.cumsum(sets.size)[:-1]]).astype(np.intp)
        chunk = int(max(1, min(permutations, 8_000_000 // max(1, len(channel_of_pair), n_sets, n))))
    sums = np.zeros((n_games, n))
    squares = np.zeros((n_games, n))
    done = 0
    while done < permutations:
        p = min(chunk, permutations - done)
        perm = rng.permuted(np.tile(np.arange(n), (p, 1)), axis=1)
        if dense:
            prefixes = np.bitwise_or.accumulate(np.left_shift(1, perm), axis=1)
            on_prefix = v[:, prefixes]  # (G, p, n): v of the first k + 1 channels
        else:
            pos = np.empty_like(perm)
            np.put_along_axis(pos, perm, np.broadcast_to(np.arange(n), (p, n)), axis=1)
            best = np.zeros((p, n), dtype=np.int64)
            if n_sets:
                k_t = np.maximum.reduceat(pos[:, channel_of_pair], starts, axis=1)  # (p, K)
                rows = np.broadcast_to(np.arange(p)[:, None], k_t.shape)
                ranks = np.broadcast_to(rank, k_t.shape)
                if unobserved == "zero":
                    hit = k_t == (sets.size - 1)
                    best[rows[hit], k_t[hit]] = ranks[hit]
                else:
                    np.maximum.at(best, (rows.ravel(), k_t.ravel()), ranks.ravel())
                    best = np.maximum.accumulate(best, axis=1)
            on_prefix = by_rank[:, best]
        values = np.concatenate([np.zeros((n_games, p, 1)), on_prefix], axis=2)
        marginals = np.diff(values, axis=2)  # (G, p, n): marginal of channel perm[r, k]
        by_channel = np.empty_like(marginals)  # (G, p, n): marginal of channel c in permutation r
        np.put_along_axis(by_channel, np.broadcast_to(perm, marginals.shape), marginals, axis=2)
        sums += by_channel.sum(axis=1)
        squares += (by_channel * by_channel).sum(axis=1)
        done += p
    mean = sums / permutations
    if permutations > 1:
        variance = np.maximum(squares - permutations * mean * mean, 0.0) / (permutations - 1)
    else:
        variance = np.full_like(mean, np.inf)
    return mean, np.sqrt(variance / permutations)


def _grand_coalition(sets: _Sets, n: int, games: np.ndarray, rank: np.ndarray, unobserved: str) -> np.ndarray:
    """v(N) of each game under the unobserved rule."""
    if not len(sets.size):
        return np.zeros(len(games))
    full = sets.size == n
    if full.any():
        return games[:, np.flatnonzero(full)[0]]
    if unobserved == "zero":
        return np.zeros(len(games))
    return games[:, int(np.argmax(rank))]  # every observed set is a subset of N: the top-ranked one


def _scale(phi: np.ndarray, v_n: float, total: float, fallback) -> tuple[np.ndarray, str, float]:
    """Credits summing to ``total``, the rule used and the factor applied to φ (0 when not proportional)."""
    if total == 0:
        return np.zeros_like(phi), "none (total is 0)", 0.0
    s = phi.sum()
    if v_n > 0 and s > 0:
        factor = total / s
        return phi * factor, "proportional: credit = total · φ / Σφ", factor
    positive = np.maximum(phi, 0.0)
    if positive.sum() > 0:
        factor = total / positive.sum()
        return positive * factor, "positive parts: v(N) = 0, credit = total · max(φ, 0) / Σ max(φ, 0)", factor
    return fallback(), "fallback: no φ is positive, credit = Shapley (conversion counts)", 0.0


def shapley_rates(
    journeys: Journeys,
    *,
    unobserved: str = "zero",
    value_rule: str = "rate",
    max_exact_channels: int = EXACT_MAX_CHANNELS,
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int = DEFAULT_SEED,
    min_journeys: float = 0,
) -> Credit:
    """Shapley (conversion rates, data-driven): see the module docstring for the exact definition.

    Exact enumeration when n_channels ≤ ``max_exact_channels`` (at most 20); otherwise a Monte Carlo
    permutation estimate with ``permutations`` draws from ``numpy.random.default_rng(seed)``.

    ``min_journeys`` (default 0: the definition as written) treats a channel set seen in fewer journeys
    (Σ conv + null) as never observed, so that a rate measured on one or two journeys does not become
    v(S) (under ``"largest_subset"`` v(N) is otherwise often the 0-or-1 rate of the single longest journey).
    """
    if unobserved not in UNOBSERVED_RULES:
        raise ValueError(f"unobserved must be one of {UNOBSERVED_RULES}")
    if value_rule not in VALUE_RULES:
        raise ValueError(f"value_rule must be one of {VALUE_RULES}")
    if permutations < 1:
        raise ValueError("permutations must be at least 1")
    n = journeys.n_channels
    exact = n <= min(max_exact_channels, EXACT_MAX_CHANNELS)
    sets = _distinct_sets(journeys)
    sets = sets.take((sets.journeys > 0) & (sets.journeys >= min_journeys))
    with np.errstate(invalid="ignore", divide="ignore"):
        rates = sets.conv / sets.journeys
        value_rates = sets.value / sets.journeys
    games = np.vstack([rates, value_rates]) if value_rule == "rate" else rates[None, :]
    rank = _rank_sets(sets, rates, value_rates)
    v_n = _grand_coalition(sets, n, games, rank, unobserved)

    details: dict = {
        "definition": "v(S) = observed conversion rate of journeys whose distinct channel set is exactly S; v(∅) = 0",
        "unobserved": unobserved,
        "unobserved_rule": (
            "v = 0 for sets never observed"
            if unobserved == "zero"
            else "v = rate of the largest observed subset (ties: higher rate, then higher value per journey)"
        ),
        "value_rule": (
            "value game: v(S) = observed revenue per journey with channel set S, scaled to the total value"
            if value_rule == "rate"
            else "value = total value × share of credited conversions"
        ),
        "v_N": float(v_n[0]),
        "v_empty": 0.0,
        "min_journeys": min_journeys,
        "observed_sets": len(sets.size),
        "n_channels": n,
    }
    if value_rule == "rate":
        details["v_N_value"] = float(v_n[1])

    if exact:
        v = _dense_games(sets, n, games, rank, unobserved) if n else np.zeros((len(games), 1))
        phi = np.vstack([shapley_exact(g) for g in v])
        se = None
        details["method"] = f"exact enumeration of all 2^{n} coalitions"
    else:
        phi, se = _permutation_estimate(sets, n, games, rank, unobserved, permutations, seed)
        details.update(
            method="monte_carlo_permutations",
            permutations=permutations,
            seed=seed,
            standard_errors=se[0].tolist(),
            error_bound=(
                f"each φ within ±1.96·SE (normal approximation, 95 %) of its exact value; "
                f"max over channels {Z_95 * float(se[0].max()):.3g} in φ units"
            ),
            error_bound_95_phi=float(Z_95 * se[0].max()),
        )
    details["phi"] = phi[0].tolist()

    total_conv, total_value = float(journeys.conv.sum()), float(journeys.value.sum())
    conversions, rule, factor = _scale(phi[0], float(v_n[0]), total_conv, lambda: shapley_counts(journeys).conversions)
    details["scaling"] = rule
    if se is not None:
        details["error_bound_95_conversions"] = (Z_95 * se[0] * factor).tolist() if factor else None
    if value_rule == "rate":
        value, value_rule_used, _ = _scale(phi[1], float(v_n[1]), total_value, lambda: shapley_counts(journeys).value)
        details["value_scaling"] = value_rule_used
        details["phi_value"] = phi[1].tolist()
    else:
        value = conversions * (total_value / total_conv) if total_conv else np.zeros(n)
    return Credit(model="shapley_rates", conversions=conversions, value=value, details=details)
