"""Rule-based attribution models, vectorised over the CSR arrays of :class:`~.journeys.Journeys`.

Definitions (exactly those of ``ATTRIBUTION.md``). A journey is the time-ordered touches
c_1 … c_L that precede one outcome, with ``conv`` and ``value``. Each model gives every touch t of a
journey a *share* s_t ≥ 0 with Σ_t s_t = 1 per journey; touch t is credited ``s_t · conv`` conversions
and ``s_t · value`` value, and a channel's credit is the sum over its touches. So every model
conserves: the credits of one journey sum to its ``conv`` and its ``value``.

- **First touch** (``first_touch``): s = 1 for c_1, 0 elsewhere.
- **Last touch** (``last_touch``): s = 1 for c_L, 0 elsewhere.
- **Linear** (``linear``): s = 1/L for every touch. This is the split *per touch*, not per distinct
  channel: channel c gets ``count(c in journey) / L`` of the journey (A→B→A gives A ⅔, B ⅓; tools that
  split per distinct channel would give ½, ½ — we do not).
- **Position-based, U-shaped** (``position_based``): L = 1 → 1; L = 2 → ½, ½; L ≥ 3 → ``first``
  (default 0.4) to c_1, ``last`` (default 0.4) to c_L, and ``middle`` (default 0.2) shared equally by
  the L − 2 middle touches (``middle / (L − 2)`` each). first + middle + last must be 1.
- **Time decay** (``time_decay``): touch weight w_t = 2^(−d_t / h), where d_t is the days from the
  touch to the outcome (close date, or the period end for open deals; ``Journeys.days``) and h the
  half-life in days (default 7); s_t = w_t / Σ_u w_u within the journey. A touch h days older than
  another counts half as much. There is no industry-standard time-decay definition: this one is ours.
  (Computed as 2^(−(d_t − min_u d_u) / h), which is identical after normalisation and cannot underflow
  to 0/0 for journeys whose touches are all years old.)

:func:`touch_shares` returns the shares s_t themselves (a float array aligned with
``Journeys.channels``) so a run can explain the credit of any deal touch by touch.

Everything is computed with ``np.repeat``, ``np.add.reduceat`` and ``np.bincount`` over the CSR
arrays; there is no Python loop over journeys (and no ``np.unique``, which sorts).

References: Shao & Li, "Data-driven multi-touch attribution models", KDD 2011 (rule-based baselines);
Anderl, Becker, von Wangenheim, Schumann, "Mapping the customer journey: a graph-based framework for
online attribution modeling", 2016 (first/last/linear/U-shaped/time-decay heuristics as comparators).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .journeys import Credit, Journeys

FIRST_TOUCH = "first_touch"
LAST_TOUCH = "last_touch"
LINEAR = "linear"
POSITION_BASED = "position_based"
TIME_DECAY = "time_decay"
MODELS = (FIRST_TOUCH, LAST_TOUCH, LINEAR, POSITION_BASED, TIME_DECAY)

DEFAULT_POSITION = (0.4, 0.2, 0.4)  # first, middle, last
DEFAULT_HALF_LIFE_DAYS = 7.0


@dataclass(frozen=True)
class _Layout:
    """Per-journey and per-touch index arrays shared by every model (computed once per call)."""

    starts: np.ndarray  # index of each journey's first touch
    ends: np.ndarray  # index of each journey's last touch
    lengths: np.ndarray  # L per journey

    @cached_property
    def length_of_touch(self) -> np.ndarray:
        """L per touch."""
        return np.repeat(self.lengths, self.lengths)


def _layout(journeys: Journeys) -> _Layout:
    offsets = np.asarray(journeys.offsets, dtype=np.int64)
    starts = offsets[:-1]
    lengths = np.diff(offsets)
    return _Layout(starts=starts, ends=offsets[1:] - 1, lengths=lengths)


# --- per-touch shares ---------------------------------------------------------------------------


def _first_shares(journeys: Journeys, lay: _Layout) -> np.ndarray:
    shares = np.zeros(len(journeys.channels), dtype=np.float64)
    shares[lay.starts] = 1.0
    return shares


def _last_shares(journeys: Journeys, lay: _Layout) -> np.ndarray:
    shares = np.zeros(len(journeys.channels), dtype=np.float64)
    shares[lay.ends] = 1.0
    return shares


def _linear_shares(journeys: Journeys, lay: _Layout) -> np.ndarray:
    return 1.0 / lay.length_of_touch


def _check_position(first: float, middle: float, last: float) -> None:
    if min(first, middle, last) < 0 or abs(first + middle + last - 1.0) > 1e-12:
        raise ValueError("position-based shares (first, middle, last) must be non-negative and sum to 1")


def _position_shares(journeys: Journeys, lay: _Layout, first: float, middle: float, last: float) -> np.ndarray:
    _check_position(first, middle, last)
    # Middle touches first (middle / (L − 2)); then the two ends; then the L = 1 and L = 2 journeys.
    shares = np.repeat(middle / np.maximum(lay.lengths - 2, 1), lay.lengths)
    shares[lay.starts] = first
    shares[lay.ends] = last
    one = lay.lengths == 1
    two = lay.lengths == 2
    shares[lay.starts[one]] = 1.0
    shares[lay.starts[two]] = 0.5
    shares[lay.ends[two]] = 0.5
    return shares


def _time_decay_weights(journeys: Journeys, lay: _Layout, half_life_days: float) -> tuple[np.ndarray, np.ndarray]:
    """Per touch 2^(−(d − min d) / h), and per journey their sum (the normaliser)."""
    if journeys.days is None:
        raise ValueError("time decay needs Journeys.days (days from each touch to the outcome)")
    if not half_life_days > 0:
        raise ValueError("the half-life must be a positive number of days")
    days = np.asarray(journeys.days, dtype=np.float64)
    if len(days) == 0:
        return np.zeros(0, dtype=np.float64), np.zeros(journeys.n_journeys, dtype=np.float64)
    if not np.isfinite(days.sum()):
        raise ValueError("days must be finite")
    if days.min() < 0:
        raise ValueError("days must be ≥ 0: a touch after the outcome is not part of its journey")
    youngest = np.minimum.reduceat(days, lay.starts)
    weights = np.exp2((np.repeat(youngest, lay.lengths) - days) / half_life_days)
    return weights, np.add.reduceat(weights, lay.starts)


def _time_decay_shares(journeys: Journeys, lay: _Layout, half_life_days: float) -> np.ndarray:
    weights, totals = _time_decay_weights(journeys, lay, half_life_days)
    return weights / np.repeat(totals, lay.lengths)


def touch_shares(journeys: Journeys, model: str, **params: float) -> np.ndarray:
    """Per touch, its share of its journey under ``model`` (aligned with ``journeys.channels``; sums to 1 per journey).

    ``params``: ``first``, ``middle``, ``last`` for position-based; ``half_life_days`` for time decay.
    """
    return _shares(journeys, _layout(journeys), model, params)


def _shares(journeys: Journeys, lay: _Layout, model: str, params: dict) -> np.ndarray:
    if model == FIRST_TOUCH:
        return _first_shares(journeys, lay)
    if model == LAST_TOUCH:
        return _last_shares(journeys, lay)
    if model == LINEAR:
        return _linear_shares(journeys, lay)
    if model == POSITION_BASED:
        first, middle, last = DEFAULT_POSITION
        return _position_shares(journeys, lay, params.get("first", first), params.get("middle", middle), params.get("last", last))
    if model == TIME_DECAY:
        return _time_decay_shares(journeys, lay, params.get("half_life_days", DEFAULT_HALF_LIFE_DAYS))
    raise ValueError(f"unknown rule-based model {model!r}; expected one of {', '.join(MODELS)}")


# --- credit ---------------------------------------------------------------------------------------


def credit_from_shares(journeys: Journeys, shares: np.ndarray, model: str, details: dict | None = None) -> Credit:
    """Channel credit from per-touch shares: conversions[k] = Σ_{t: c_t = k} s_t · conv_j(t), value likewise."""
    return _credit(journeys, _layout(journeys), shares, model, details or {})


def _credit(journeys: Journeys, lay: _Layout, shares: np.ndarray, model: str, details: dict) -> Credit:
    n = journeys.n_channels
    channels = journeys.channels
    conv = np.asarray(journeys.conv, dtype=np.float64)
    value = np.asarray(journeys.value, dtype=np.float64)
    if model in (FIRST_TOUCH, LAST_TOUCH):
        # One touch per journey carries everything: a bincount over journeys, not touches.
        at = channels[lay.starts if model == FIRST_TOUCH else lay.ends]
        return Credit(
            model=model,
            conversions=np.bincount(at, weights=conv, minlength=n).astype(np.float64),
            value=np.bincount(at, weights=value, minlength=n).astype(np.float64),
            details=details,
        )
    return Credit(
        model=model,
        conversions=np.bincount(channels, weights=shares * np.repeat(conv, lay.lengths), minlength=n).astype(np.float64),
        value=np.bincount(channels, weights=shares * np.repeat(value, lay.lengths), minlength=n).astype(np.float64),
        details=details,
    )


def _scaled_credit(
    journeys: Journeys, lay: _Layout, touch_weight: np.ndarray | None, journey_scale: np.ndarray | None, model: str, details: dict
) -> Credit:
    """Touch t of journey j credited touch_weight[t] · journey_scale[j] · conv_j (and value_j); None means 1.

    The per-journey factor is applied before expanding to touches, which saves a pass over the touches."""
    n = journeys.n_channels
    conv = np.asarray(journeys.conv, dtype=np.float64)
    value = np.asarray(journeys.value, dtype=np.float64)
    if journey_scale is not None:
        conv, value = conv * journey_scale, value * journey_scale
    conv_t, value_t = np.repeat(conv, lay.lengths), np.repeat(value, lay.lengths)
    if touch_weight is not None:
        conv_t *= touch_weight
        value_t *= touch_weight
    return Credit(
        model=model,
        conversions=np.bincount(journeys.channels, weights=conv_t, minlength=n).astype(np.float64),
        value=np.bincount(journeys.channels, weights=value_t, minlength=n).astype(np.float64),
        details=details,
    )


def _model(journeys: Journeys, model: str, lay: _Layout | None = None, **params: float) -> Credit:
    lay = lay or _layout(journeys)
    details = _details(model, params)
    if model in (FIRST_TOUCH, LAST_TOUCH):  # no shares needed: _credit indexes the first / last touch
        return _credit(journeys, lay, np.empty(0), model, details)
    if model == LINEAR:  # s_t = 1 / L
        return _scaled_credit(journeys, lay, None, 1.0 / lay.lengths, model, details)
    if model == TIME_DECAY:  # s_t = w_t / Σ w
        weights, totals = _time_decay_weights(journeys, lay, params.get("half_life_days", DEFAULT_HALF_LIFE_DAYS))
        return _scaled_credit(journeys, lay, weights, 1.0 / totals, model, details)
    return _scaled_credit(journeys, lay, _shares(journeys, lay, model, params), None, model, details)


def _details(model: str, params: dict) -> dict:
    if model == LINEAR:
        return {"split": "per touch: channel c gets count(c in journey) / L"}
    if model == POSITION_BASED:
        first, middle, last = DEFAULT_POSITION
        return {
            "first": params.get("first", first),
            "middle": params.get("middle", middle),
            "last": params.get("last", last),
        }
    if model == TIME_DECAY:
        return {
            "half_life_days": params.get("half_life_days", DEFAULT_HALF_LIFE_DAYS),
            "weight": "2^(-d/h), normalised per journey",
        }
    return {}


def first_touch(journeys: Journeys) -> Credit:
    """First touch: everything to c_1."""
    return _model(journeys, FIRST_TOUCH)


def last_touch(journeys: Journeys) -> Credit:
    """Last touch: everything to c_L."""
    return _model(journeys, LAST_TOUCH)


def linear(journeys: Journeys) -> Credit:
    """Linear, per touch (not per distinct channel): channel c gets count(c in journey) / L of each journey."""
    return _model(journeys, LINEAR)


def position_based(
    journeys: Journeys,
    first: float = DEFAULT_POSITION[0],
    middle: float = DEFAULT_POSITION[1],
    last: float = DEFAULT_POSITION[2],
) -> Credit:
    """Position-based (U-shaped): L = 1 → 1; L = 2 → ½, ½; L ≥ 3 → ``first`` to c_1, ``last`` to c_L,
    ``middle`` split equally among the L − 2 middle touches. Defaults 0.4 / 0.2 / 0.4; must sum to 1."""
    _check_position(first, middle, last)
    return _model(journeys, POSITION_BASED, first=first, middle=middle, last=last)


def time_decay(journeys: Journeys, half_life_days: float = DEFAULT_HALF_LIFE_DAYS) -> Credit:
    """Time decay: touch weight 2^(−d / h) (d = days from touch to outcome, h = half-life in days,
    default 7), normalised per journey. Needs ``journeys.days``."""
    return _model(journeys, TIME_DECAY, half_life_days=half_life_days)


HEURISTICS: dict[str, Callable[..., Credit]] = {
    FIRST_TOUCH: first_touch,
    LAST_TOUCH: last_touch,
    LINEAR: linear,
    POSITION_BASED: position_based,
    TIME_DECAY: time_decay,
}


def all_heuristics(
    journeys: Journeys,
    *,
    position: tuple[float, float, float] = DEFAULT_POSITION,
    half_life_days: float = DEFAULT_HALF_LIFE_DAYS,
    models: tuple[str, ...] | None = None,
) -> dict[str, Credit]:
    """Every rule-based model (or those in ``models``), sharing the index arrays; time decay is skipped
    when ``journeys.days`` is None and ``models`` is not given."""
    if models is None:
        models = MODELS if journeys.days is not None else tuple(m for m in MODELS if m != TIME_DECAY)
    lay = _layout(journeys)
    first, middle, last = position
    params = {"first": first, "middle": middle, "last": last, "half_life_days": half_life_days}
    out = {}
    for model in models:
        if model not in MODELS:
            raise ValueError(f"unknown rule-based model {model!r}")
        out[model] = _model(journeys, model, lay, **params)
    return out
