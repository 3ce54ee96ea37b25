"""First-order Markov chain removal-effect attribution, computed exactly (no simulation).

Definition (exactly that of ``ATTRIBUTION.md``; Anderl, Becker, von Wangenheim, Schumann, "Mapping the
customer journey: a graph-based framework for online attribution modeling", 2016):

1. States: START, one per channel, CONVERSION, NULL. Consecutive repeats of the same channel collapse
   (A→A→B is A→B), so there are no self-loops.
2. Each journey adds weight ``conv + null`` to every transition START→c_1→…→c_L, then ``conv`` to
   c_L→CONVERSION and ``null`` to c_L→NULL (``null = 1 − conv`` for a single journey; a count when
   rows are aggregated). Rows are normalised into probabilities.
3. P(conv) is the probability of absorbing in CONVERSION from START, computed exactly from the
   absorbing chain: with Q the transient-to-transient block (START and the channels) and r the
   one-step probabilities into CONVERSION, x = (I − Q)⁻¹ r solves ``numpy.linalg.solve`` and
   P(conv) = x[START].
4. Removing channel k sends every transition into k to NULL; P₋ₖ(conv) is the same absorption
   probability in that chain and the removal effect is RE_k = 1 − P₋ₖ(conv) / P(conv).
5. Credit: conv_k = total_conv · RE_k / Σ_j RE_j and value_k = total_value · RE_k / Σ_j RE_j
   (total value spread by removal effect; no finer revenue rule).
6. With every journey included, P(conv) = total_conv / (total_conv + total_null) (flow conservation).

How it is computed. Transition weights come from one ``np.bincount`` over encoded (from, to) pairs
of the collapsed touches. Every P₋ₖ comes from the *same* factorisation: removing k zeroes column k of
Q, a rank-one change, so by Sherman–Morrison with M = (I − Q)⁻¹ Q (one solve with many right-hand
sides), P₋ₖ = x_START − M[START, k] · x_k / (1 + M[k, k]). (M[START, k] / (1 + M[k, k]) is the
probability of ever reaching k from START, so this subtracts exactly the conversions that pass
through k.) :func:`conversion_probability` solves a removed chain directly and the tests check both
agree. Cost: O(touches) to count, O(n³) for n channels — fine up to several hundred channels.

Edge cases, by definition here:

- A channel never seen (or seen only in rows whose ``conv + null`` is 0) has no transitions; its row
  of the reported transition matrix sends it to NULL with probability 1. Removing it changes nothing,
  so RE = 0 and it gets no credit.
- START with no weight (no journeys, or all weights 0): its row sends it to NULL; P(conv) = 0.
- No conversions (total_conv = 0, hence P(conv) = 0): removal effects are 0/0; they are reported as 0
  and every credit is 0 (``details["reason"]`` says why).
- Σ RE = 0 with P(conv) > 0 cannot happen (removing the channel of a converting journey's first
  touch lowers P(conv)); if it did through rounding, credits are 0 with the reason stated.
- Removal effects are clipped to [0, 1]: removing a channel cannot raise P(conv), so a negative value
  is rounding (of order 1e-16).
- ``conv`` and ``null`` must be non-negative.
"""

from __future__ import annotations

import numpy as np

from .journeys import Credit, Journeys

MODEL = "markov"


def collapse_repeats(journeys: Journeys) -> tuple[np.ndarray, np.ndarray]:
    """Channels and offsets with consecutive repeats of a channel within a journey collapsed (A→A→B is A→B)."""
    channels = np.asarray(journeys.channels)
    offsets = np.asarray(journeys.offsets, dtype=np.int64)
    keep = np.ones(len(channels), dtype=bool)
    if len(channels) > 1:
        keep[1:] = channels[1:] != channels[:-1]
    keep[offsets[:-1]] = True  # a journey's first touch is never a repeat of the previous journey's last
    kept_per_journey = np.add.reduceat(keep, offsets[:-1]) if journeys.n_journeys else np.zeros(0, dtype=np.int64)
    new_offsets = np.zeros(journeys.n_journeys + 1, dtype=np.int64)
    np.cumsum(kept_per_journey, out=new_offsets[1:])
    return channels[keep], new_offsets


def state_names(journeys: Journeys) -> list[str]:
    """State order of the transition matrices: START, channels 0 … n − 1, CONVERSION, NULL."""
    n = journeys.n_channels
    labels = list(journeys.labels) if len(journeys.labels) == n else [str(k) for k in range(n)]
    return ["START", *labels, "CONVERSION", "NULL"]


def transition_weights(journeys: Journeys) -> np.ndarray:
    """(n + 3) × (n + 3) weights W[from, to] in :func:`state_names` order, counted as the definition says."""
    n = journeys.n_channels
    size = n + 3
    start, conversion, null_state = 0, n + 1, n + 2
    conv = np.asarray(journeys.conv, dtype=np.float64)
    null = np.asarray(journeys.nulls, dtype=np.float64)
    if journeys.n_journeys and (conv.min() < 0 or null.min() < 0):
        raise ValueError("conv and null must be non-negative")
    weight = conv + null
    channels, offsets = collapse_repeats(journeys)
    states = channels.astype(np.int64) + 1
    starts, ends = offsets[:-1], offsets[1:] - 1
    lengths = np.diff(offsets)
    # Inner transitions c_t → c_{t+1}: every adjacent pair except across journey boundaries.
    inner = np.ones(max(len(states) - 1, 0), dtype=bool)
    inner[starts[1:] - 1] = False
    inner_weight = np.repeat(weight, lengths)[:-1][inner] if len(states) else np.zeros(0)
    first, last = states[starts], states[ends]
    from_state = np.concatenate([np.full(len(first), start), states[:-1][inner], last, last])
    to_state = np.concatenate([first, states[1:][inner], np.full(len(last), conversion), np.full(len(last), null_state)])
    weights = np.concatenate([weight, inner_weight, conv, null])
    counts = np.bincount(from_state * size + to_state, weights=weights, minlength=size * size)
    return counts.reshape(size, size)


def transition_matrix(weights: np.ndarray) -> np.ndarray:
    """Row-normalised transition probabilities; CONVERSION and NULL absorb (self-loop 1); a row without
    weight (an unseen channel, or START with no journeys) goes to NULL with probability 1."""
    size = weights.shape[0]
    probabilities = np.zeros_like(weights, dtype=np.float64)
    totals = weights.sum(axis=1)
    seen = totals > 0
    probabilities[seen] = weights[seen] / totals[seen, None]
    probabilities[~seen] = 0.0
    probabilities[~seen, size - 1] = 1.0
    probabilities[size - 2] = 0.0
    probabilities[size - 2, size - 2] = 1.0
    probabilities[size - 1] = 0.0
    probabilities[size - 1, size - 1] = 1.0
    return probabilities


def conversion_probability(probabilities: np.ndarray, removed: int | None = None) -> float:
    """P(absorb in CONVERSION | START) by solving (I − Q) x = r directly; ``removed`` is a channel index
    whose incoming transitions are sent to NULL first (the removal effect's chain)."""
    size = probabilities.shape[0]
    transient = size - 2  # START and the channels
    q = probabilities[:transient, :transient].copy()
    r = probabilities[:transient, size - 2]
    if removed is not None:
        q[:, removed + 1] = 0.0
    x = np.linalg.solve(np.eye(transient) - q, r)
    return float(x[0])


def removal_effects(probabilities: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """P(conv), P₋ₖ(conv) for every channel k, and RE_k = 1 − P₋ₖ / P (0 when P = 0), from one solve."""
    size = probabilities.shape[0]
    transient = size - 2
    n = transient - 1
    q = probabilities[:transient, :transient]
    r = probabilities[:transient, size - 2]
    a = np.eye(transient) - q
    solved = np.linalg.solve(a, np.column_stack([r, q[:, 1:]]))
    x = solved[:, 0]
    m = solved[:, 1:]  # m[:, k] = (I − Q)⁻¹ Q[:, k + 1]
    p_conv = float(x[0])
    channel = np.arange(n) + 1
    p_without = x[0] - m[0, :] * x[channel] / (1.0 + m[channel, np.arange(n)])
    p_without = np.clip(p_without, 0.0, p_conv)
    effects = np.clip(1.0 - p_without / p_conv, 0.0, 1.0) if p_conv > 0 else np.zeros(n, dtype=np.float64)
    return p_conv, p_without, effects


def markov_removal(journeys: Journeys) -> Credit:
    """First-order Markov removal-effect credit (see the module docstring for the exact definition).

    ``details``: ``p_conv``, ``observed_rate`` (total_conv / (total_conv + total_null)),
    ``p_conv_without`` (per channel), ``removal_effects`` (per channel), ``transition_matrix`` and
    ``transition_weights`` ((n + 3)², in ``states`` order), ``states``, and ``reason`` when credits are
    zero by an edge-case rule.
    """
    n = journeys.n_channels
    weights = transition_weights(journeys)
    probabilities = transition_matrix(weights)
    p_conv, p_without, effects = removal_effects(probabilities)
    total_conv = float(np.sum(journeys.conv))
    total_null = float(np.sum(journeys.nulls))
    total_value = float(np.sum(journeys.value))
    details: dict = {
        "p_conv": p_conv,
        "observed_rate": total_conv / (total_conv + total_null) if total_conv + total_null > 0 else 0.0,
        "p_conv_without": p_without,
        "removal_effects": effects,
        "transition_matrix": probabilities,
        "transition_weights": weights,
        "states": state_names(journeys),
        "method": "exact absorbing-chain solve; removals by Sherman–Morrison on (I − Q)",
    }
    effect_sum = float(effects.sum())
    if total_conv <= 0 or p_conv <= 0:
        details["reason"] = "no conversions: removal effects are 0/0, reported as 0; no credit"
        zeros = np.zeros(n, dtype=np.float64)
        return Credit(model=MODEL, conversions=zeros, value=zeros.copy(), details=details)
    if effect_sum <= 0:
        details["reason"] = "the removal effects sum to 0; no credit"
        zeros = np.zeros(n, dtype=np.float64)
        return Credit(model=MODEL, conversions=zeros, value=zeros.copy(), details=details)
    share = effects / effect_sum
    return Credit(model=MODEL, conversions=total_conv * share, value=total_value * share, details=details)
