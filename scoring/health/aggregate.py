"""Engagement events → per-partner features as of a date, vectorised (no pandas groupby, no ufunc.at).

Input: three aligned arrays for any number of events (millions): ``partner`` (int, 0 … n_partners − 1),
``day`` (int day numbers, or ``datetime64``; converted to days since 1970-01-01) and ``kind`` (int
code, 0 … n_kinds − 1; :class:`EventKind` lists the codes the score uses, but the aggregation is
generic over any codes).

Definitions, for an as-of day A (an integer day number):

- **Point in time.** Only events with ``day < A`` count. An event on or after A (the same day
  included) is ignored, so features for A never see anything that happened on or after A.
- **Age** of an event: ``A − day`` in days (1 for yesterday).
- **Count in the last w days**: events with ``A − w ≤ day < A``, i.e. ``1 ≤ age ≤ w``. The default
  windows are 30, 60 and 90 days. Windows are nested (the last 60 days include the last 30).
- **Days since the last event of a kind**: the smallest age among the partner's events of that kind
  (1 if the last one was yesterday); NaN if the partner has no event of that kind before A, however old.
- **Trend ratio** of a kind: ``(r + 1) / (p + 1)`` where r counts the events in the last t days
  (``A − t ≤ day < A``) and p those in the t days before (``A − 2t ≤ day < A − t``), t = 30 by
  default. 1 means flat, 0.5 means about half as many as the previous period, 2 twice as many; the
  +1 (add-one smoothing) keeps it finite for partners with no events and damps tiny counts.

How: one ``np.bincount`` over a combined key (partner, kind, age bucket) gives every windowed count
(a cumulative sum across the buckets). The last event per (partner, kind) is a minimum, which
``bincount`` cannot take directly; :func:`_smallest_age` gets it exactly with two more bincounts
(blocks of about √span days: first the earliest occupied block, then the earliest day inside it),
falling back to one ``np.sort`` of the combined (partner, kind, age) key and the first element of each
group when there are too many keys for the bins. No Python loop over events or partners, no ``ufunc.at``.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from dataclasses import dataclass

import numpy as np

DEFAULT_WINDOWS = (30, 60, 90)
DEFAULT_TREND_DAYS = 30


class EventKind(enum.IntEnum):
    """Engagement event codes the health score reads (the lead maps model rows to these)."""

    LOGIN = 0
    CONTENT_VIEW = 1
    COURSE_COMPLETED = 2
    REGISTRATION_SUBMITTED = 3
    REGISTRATION_APPROVED = 4
    REGISTRATION_REJECTED = 5
    DEAL_WON = 6
    DEAL_LOST = 7
    MDF_CLAIM = 8
    MDF_REQUEST = 9


def day_numbers(day: object) -> np.ndarray:
    """Days since 1970-01-01 as int64, from an int array or a ``datetime64`` array of any unit."""
    array = np.asarray(day)
    if np.issubdtype(array.dtype, np.datetime64):
        return array.astype("datetime64[D]").astype(np.int64)
    if not np.issubdtype(array.dtype, np.integer):
        raise TypeError("days must be integers (day numbers) or datetime64")
    return array.astype(np.int64, copy=False)


def day_number(day: int | dt.date | np.datetime64) -> int:
    """One as-of day as days since 1970-01-01 (a ``datetime`` is truncated to its date)."""
    if isinstance(day, dt.datetime):
        day = day.date()
    if isinstance(day, dt.date):
        return (day - dt.date(1970, 1, 1)).days
    if isinstance(day, np.datetime64):
        return int(day.astype("datetime64[D]").astype(np.int64))
    return int(day)


def _codes(values: object, what: str) -> np.ndarray:
    array = np.asarray(values)
    if array.size == 0:
        return array.astype(np.int64)
    if not np.issubdtype(array.dtype, np.integer):
        raise TypeError(f"{what} must be integers")
    return array


@dataclass(frozen=True)
class EngagementFeatures:
    """Per-partner engagement features as of one day (definitions in the module docstring)."""

    as_of: int  # day number; events on or after it were ignored
    windows: tuple[int, ...]
    trend_days: int
    counts: np.ndarray  # int64, (len(windows), n_partners, n_kinds): events in the last w days
    days_since_last: np.ndarray  # float64, (n_partners, n_kinds): smallest age, NaN = never
    trend: np.ndarray  # float64, (n_partners, n_kinds): (last t days + 1) / (previous t days + 1)

    def count(self, window: int, kind: int) -> np.ndarray:
        """Events of ``kind`` in the last ``window`` days, one per partner."""
        return self.counts[self.windows.index(window), :, int(kind)]


def aggregate_engagement(
    partner: object,
    day: object,
    kind: object,
    *,
    as_of: int | dt.date | np.datetime64,
    n_partners: int,
    n_kinds: int = len(EventKind),
    windows: tuple[int, ...] = DEFAULT_WINDOWS,
    trend_days: int = DEFAULT_TREND_DAYS,
) -> EngagementFeatures:
    """Aggregate events into :class:`EngagementFeatures` as of ``as_of`` (events on/after it ignored)."""
    partner = _codes(partner, "partner indices")
    kind = _codes(kind, "kind codes")
    days = day_numbers(day)
    if not (partner.shape == kind.shape == days.shape) or partner.ndim != 1:
        raise ValueError("partner, day and kind must be aligned one-dimensional arrays")
    if not windows or any(int(w) != w or w < 1 for w in windows) or trend_days < 1:
        raise ValueError("windows and the trend period must be positive whole numbers of days")
    windows = tuple(int(w) for w in windows)
    if partner.size and (partner.min() < 0 or partner.max() >= n_partners):
        raise ValueError("partner indices must lie in 0 … n_partners − 1")
    if kind.size and (kind.min() < 0 or kind.max() >= n_kinds):
        raise ValueError("kind codes must lie in 0 … n_kinds − 1")
    as_of_day = day_number(as_of)
    n_keys = n_partners * n_kinds

    age = as_of_day - days
    seen = age >= 1  # point in time: strictly before the as-of day
    age = age[seen]
    key = partner[seen].astype(np.int64) * n_kinds + kind[seen]

    # Windowed counts: bucket b holds ages in (edges[b − 1], edges[b]]; the last bucket is "older".
    edges = sorted({*windows, trend_days, 2 * trend_days})
    n_buckets = len(edges) + 1
    combined = key * n_buckets
    for edge in edges:  # a handful of comparisons is cheaper than a binary search per event
        combined += age > edge
    per_bucket = np.bincount(combined, minlength=n_keys * n_buckets).reshape(n_partners, n_kinds, n_buckets)
    cumulative = np.cumsum(per_bucket, axis=2)  # cumulative[..., b] = events with age ≤ edges[b]
    at = {e: i for i, e in enumerate(edges)}
    counts = np.stack([cumulative[:, :, at[w]] for w in windows])
    recent = cumulative[:, :, at[trend_days]]
    previous = cumulative[:, :, at[2 * trend_days]] - recent
    trend = (recent + 1.0) / (previous + 1.0)

    return EngagementFeatures(
        as_of=as_of_day,
        windows=windows,
        trend_days=trend_days,
        counts=counts,
        days_since_last=_smallest_age(key, age, n_keys).reshape(n_partners, n_kinds),
        trend=trend,
    )


# Above this many bins the two-level count would use more memory than sorting the events.
_MAX_BINS = 20_000_000


def _smallest_age(key: np.ndarray, age: np.ndarray, n_keys: int) -> np.ndarray:
    """Per key the smallest age (NaN for keys without events); ages are ≥ 1.

    Two levels of ``np.bincount`` (O(n), no sort): with blocks of B ≈ √span days, first the earliest
    block that holds an event of each key, then, among the events in that block only, the earliest
    day within it. Falls back to one sort of (key, age) combined when the bins would be too many.
    """
    out = np.full(n_keys, np.nan)
    if not age.size:
        return out
    span = int(age.max()) + 1
    block = math.isqrt(span) + 1
    n_blocks = (span - 1) // block + 1
    if n_keys * max(block, n_blocks) > _MAX_BINS:
        combined = np.sort(key * span + age)
        group_key = combined // span
        starts = np.flatnonzero(np.concatenate(([True], group_key[1:] != group_key[:-1])))
        out[group_key[starts]] = combined[starts] - group_key[starts] * span
        return out
    coarse = age // block
    occupied = np.bincount(key * n_blocks + coarse, minlength=n_keys * n_blocks).reshape(n_keys, n_blocks) > 0
    has_event = occupied.any(axis=1)
    first_block = occupied.argmax(axis=1)  # first True; 0 for keys without events (masked below)
    in_first = coarse == first_block[key]
    within = age[in_first] - coarse[in_first] * block
    occupied = np.bincount(key[in_first] * block + within, minlength=n_keys * block).reshape(n_keys, block) > 0
    out[has_event] = (first_block * block + occupied.argmax(axis=1))[has_event]
    return out
