"""Journeys as the engine reads them: integer-coded touches in compressed rows (CSR), one row per outcome.

A *journey* is the time-ordered list of touches c_1 … c_L that precede one deal or account outcome.
Touch ``t`` of journey ``j`` is ``channels[offsets[j] + t]``; a journey's touches are
``channels[offsets[j]:offsets[j + 1]]``, oldest first. Channels are integers ``0 … n_channels − 1``
(a partner, partner type, tier or touchpoint type, chosen per run; ``labels`` names them).

``conv`` is 1 for a won outcome and 0 otherwise (or a count, when identical paths are aggregated);
``value`` the won revenue in the reporting currency; ``null`` the non-conversions the row stands for
(``1 − conv`` for a single journey; a count when aggregated). ``days`` (optional) is, per touch, the
days from the touch to the outcome (close date, or the period end for open deals), for time decay.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Journeys:
    channels: np.ndarray  # int32, one per touch, journeys concatenated in order
    offsets: np.ndarray  # int64, len = n_journeys + 1, offsets[0] = 0, offsets[-1] = len(channels)
    conv: np.ndarray  # float64, per journey
    value: np.ndarray  # float64, per journey
    n_channels: int
    null: np.ndarray | None = None  # float64 per journey; None means 1 − conv
    days: np.ndarray | None = None  # float64 per touch; needed by time decay only
    labels: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.offsets.ndim != 1 or len(self.offsets) < 1 or self.offsets[0] != 0 or self.offsets[-1] != len(self.channels):
            raise ValueError("offsets must start at 0 and end at the number of touches")
        if np.any(np.diff(self.offsets) < 1):
            raise ValueError("every journey has at least one touch")
        if len(self.conv) != self.n_journeys or len(self.value) != self.n_journeys:
            raise ValueError("conv and value need one entry per journey")
        if len(self.channels) and (self.channels.min() < 0 or self.channels.max() >= self.n_channels):
            raise ValueError("channels must be integers 0 … n_channels − 1")
        if self.days is not None and len(self.days) != len(self.channels):
            raise ValueError("days needs one entry per touch")

    @property
    def n_journeys(self) -> int:
        return len(self.offsets) - 1

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    @property
    def nulls(self) -> np.ndarray:
        return (1.0 - self.conv) if self.null is None else self.null

    @property
    def journey_of_touch(self) -> np.ndarray:
        """Per touch, the index of its journey."""
        return np.repeat(np.arange(self.n_journeys), self.lengths)

    @classmethod
    def from_lists(
        cls,
        paths: list[list[int]],
        conv: list[float],
        value: list[float] | None = None,
        *,
        n_channels: int | None = None,
        null: list[float] | None = None,
        days: list[list[float]] | None = None,
        labels: tuple[str, ...] = (),
    ) -> Journeys:
        """Small journeys written by hand (tests, examples): ``paths[j]`` is journey j's channels, oldest first."""
        lengths = np.array([len(p) for p in paths], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        channels = np.array([c for p in paths for c in p], dtype=np.int32)
        conv_array = np.asarray(conv, dtype=np.float64)
        return cls(
            channels=channels,
            offsets=offsets,
            conv=conv_array,
            value=np.asarray(value if value is not None else conv, dtype=np.float64),
            n_channels=n_channels if n_channels is not None else (int(channels.max()) + 1 if len(channels) else 0),
            null=None if null is None else np.asarray(null, dtype=np.float64),
            days=None if days is None else np.array([d for ds in days for d in ds], dtype=np.float64),
            labels=labels,
        )


@dataclass(frozen=True)
class Credit:
    """One model's credit per channel: ``conversions[k]`` and ``value[k]`` for channel k (they sum to the totals)."""

    model: str
    conversions: np.ndarray
    value: np.ndarray
    details: dict = field(default_factory=dict)  # model-specific figures (removal effects, P(conv), method, error bound)
