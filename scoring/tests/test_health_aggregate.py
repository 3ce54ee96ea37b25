"""Engagement aggregation: hand-computed windows, a pure-Python reference on random events, point in time.

Plain functions, no database. Window rule under test (aggregate.py): "last w days" = A − w ≤ day < A.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from scoring.health import aggregate
from scoring.health.aggregate import EventKind, aggregate_engagement, day_number

LOGIN, COURSE = int(EventKind.LOGIN), int(EventKind.COURSE_COMPLETED)
AS_OF = 1000


def reference(partner, day, kind, *, as_of, n_partners, n_kinds, windows, trend_days):
    """Slow, obviously-correct loops over events, straight from the definitions."""
    counts = [[[0] * n_kinds for _ in range(n_partners)] for _ in windows]
    last = [[math.nan] * n_kinds for _ in range(n_partners)]
    recent = [[0] * n_kinds for _ in range(n_partners)]
    previous = [[0] * n_kinds for _ in range(n_partners)]
    for p, d, k in zip(partner.tolist(), day.tolist(), kind.tolist(), strict=True):
        if d >= as_of:
            continue
        age = as_of - d
        for i, w in enumerate(windows):
            if as_of - w <= d:
                counts[i][p][k] += 1
        if math.isnan(last[p][k]) or age < last[p][k]:
            last[p][k] = age
        if as_of - trend_days <= d:
            recent[p][k] += 1
        elif as_of - 2 * trend_days <= d:
            previous[p][k] += 1
    trend = [[(recent[p][k] + 1) / (previous[p][k] + 1) for k in range(n_kinds)] for p in range(n_partners)]
    return np.array(counts), np.array(last), np.array(trend)


def random_events(rng, n_events, n_partners, n_kinds, span=400):
    partner = rng.integers(0, n_partners, size=n_events).astype(np.int32)
    day = (AS_OF - rng.integers(-20, span, size=n_events)).astype(np.int32)  # some on/after the as-of day
    kind = rng.integers(0, n_kinds, size=n_events).astype(np.int16)
    return partner, day, kind


def test_windows_and_last_event_by_hand():
    # Partner 0 logins at ages 1, 30, 31, 60, 61, 90, 91, 500 and one on the as-of day (ignored);
    # partner 1 one course at age 45; partner 2 nothing.
    ages = [1, 30, 31, 60, 61, 90, 91, 500, 0]
    partner = np.array([0] * len(ages) + [1])
    day = np.array([AS_OF - a for a in ages] + [AS_OF - 45])
    kind = np.array([LOGIN] * len(ages) + [COURSE])
    features = aggregate_engagement(partner, day, kind, as_of=AS_OF, n_partners=3)
    # Last 30 days (ages 1–30): ages 1, 30 → 2. Last 60: + 31, 60 → 4. Last 90: + 61, 90 → 6.
    assert features.count(30, LOGIN).tolist() == [2, 0, 0]
    assert features.count(60, LOGIN).tolist() == [4, 0, 0]
    assert features.count(90, LOGIN).tolist() == [6, 0, 0]
    assert features.count(60, COURSE).tolist() == [0, 1, 0]
    assert features.count(30, COURSE).tolist() == [0, 0, 0]
    np.testing.assert_array_equal(features.days_since_last[:, LOGIN], [1, np.nan, np.nan])
    np.testing.assert_array_equal(features.days_since_last[:, COURSE], [np.nan, 45, np.nan])
    # Trend: last 30 days 2 logins, days 31–60 before: 2 logins → (2 + 1) / (2 + 1) = 1.
    # Partner 1 courses: 0 recent, 1 previous → 1 / 2. Nothing at all → 1.
    assert features.trend[0, LOGIN] == 1.0
    assert features.trend[1, COURSE] == 0.5
    assert features.trend[2, LOGIN] == 1.0


def test_trend_ratio_by_hand():
    # 5 logins in the last 30 days, 1 in the 30 days before: (5 + 1) / (1 + 1) = 3.
    day = np.array([AS_OF - a for a in (1, 2, 3, 4, 5, 40)])
    features = aggregate_engagement(np.zeros(6, int), day, np.zeros(6, int), as_of=AS_OF, n_partners=1)
    assert features.trend[0, LOGIN] == 3.0


def test_dates_and_day_numbers_agree():
    rng = np.random.default_rng(1)
    partner, day, kind = random_events(rng, 2_000, 20, 4)
    as_of = dt.date(1970, 1, 1) + dt.timedelta(days=AS_OF)
    assert day_number(as_of) == AS_OF
    assert day_number(np.datetime64(as_of)) == AS_OF
    a = aggregate_engagement(partner, day, kind, as_of=AS_OF, n_partners=20, n_kinds=4)
    b = aggregate_engagement(partner, day.astype("datetime64[D]"), kind, as_of=as_of, n_partners=20, n_kinds=4)
    np.testing.assert_array_equal(a.counts, b.counts)
    np.testing.assert_array_equal(a.days_since_last, b.days_since_last)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_matches_pure_python_reference_exactly(seed):
    rng = np.random.default_rng(seed)
    n_partners, n_kinds = int(rng.integers(1, 60)), int(rng.integers(1, 9))
    partner, day, kind = random_events(rng, int(rng.integers(0, 5_000)), n_partners, n_kinds)
    windows = (7, 30, 60, 90) if seed % 2 else (30, 60, 90)
    trend_days = 14 if seed % 2 else 30
    features = aggregate_engagement(
        partner, day, kind, as_of=AS_OF, n_partners=n_partners, n_kinds=n_kinds, windows=windows, trend_days=trend_days
    )
    counts, last, trend = reference(
        partner, day, kind, as_of=AS_OF, n_partners=n_partners, n_kinds=n_kinds, windows=windows, trend_days=trend_days
    )
    np.testing.assert_array_equal(features.counts, counts)
    np.testing.assert_array_equal(features.days_since_last, last)  # NaN where never, equal positions
    np.testing.assert_array_equal(features.trend, trend)


def test_future_events_change_nothing():
    # Given features as of A, when events dated A and later are planted, then every feature is identical.
    rng = np.random.default_rng(7)
    partner, day, kind = random_events(rng, 3_000, 30, 5)
    before = aggregate_engagement(partner, day, kind, as_of=AS_OF, n_partners=30, n_kinds=5)
    future = 500
    partner2 = np.concatenate([partner, rng.integers(0, 30, size=future)])
    day2 = np.concatenate([day, AS_OF + rng.integers(0, 100, size=future)])  # on or after the as-of day
    kind2 = np.concatenate([kind, rng.integers(0, 5, size=future)])
    after = aggregate_engagement(partner2, day2, kind2, as_of=AS_OF, n_partners=30, n_kinds=5)
    np.testing.assert_array_equal(before.counts, after.counts)
    np.testing.assert_array_equal(before.days_since_last, after.days_since_last)
    np.testing.assert_array_equal(before.trend, after.trend)
    # An event on the day before the as-of day does count.
    moved = aggregate_engagement([0], [AS_OF - 1], [0], as_of=AS_OF, n_partners=1, n_kinds=1)
    assert moved.count(30, 0).tolist() == [1]


def test_no_events():
    features = aggregate_engagement([], np.array([], dtype=np.int64), [], as_of=AS_OF, n_partners=3, n_kinds=2)
    assert features.counts.shape == (3, 3, 2)
    assert not features.counts.any()
    assert np.isnan(features.days_since_last).all()
    assert (features.trend == 1.0).all()


def test_rejects_bad_input():
    with pytest.raises(ValueError, match="n_partners"):
        aggregate_engagement([3], [1], [0], as_of=AS_OF, n_partners=3, n_kinds=1)
    with pytest.raises(ValueError, match="kind codes"):
        aggregate_engagement([0], [1], [1], as_of=AS_OF, n_partners=1, n_kinds=1)
    with pytest.raises(ValueError, match="aligned"):
        aggregate_engagement([0, 1], [1], [0], as_of=AS_OF, n_partners=2, n_kinds=1)
    with pytest.raises(ValueError, match="positive whole"):
        aggregate_engagement([0], [1], [0], as_of=AS_OF, n_partners=1, n_kinds=1, windows=(0,))
    with pytest.raises(TypeError, match="day numbers"):
        aggregate_engagement([0], [1.5], [0], as_of=AS_OF, n_partners=1, n_kinds=1)


def test_sort_fallback_for_the_last_event_matches_the_reference(monkeypatch):
    # Too many keys for the two-level count → the sort path; same answer as the reference.
    monkeypatch.setattr(aggregate, "_MAX_BINS", 0)
    rng = np.random.default_rng(5)
    partner, day, kind = random_events(rng, 3_000, 25, 3, span=2_000)
    features = aggregate_engagement(partner, day, kind, as_of=AS_OF, n_partners=25, n_kinds=3)
    _, last, _ = reference(partner, day, kind, as_of=AS_OF, n_partners=25, n_kinds=3, windows=(30, 60, 90), trend_days=30)
    np.testing.assert_array_equal(features.days_since_last, last)


@pytest.mark.parametrize("span", [1, 2, 5, 37, 5_000])
def test_last_event_at_block_edges(span):
    # Ages exactly on block boundaries of the two-level count (B = ⌊√(span + 1)⌋ + 1) and the oldest age.
    rng = np.random.default_rng(span)
    ages = np.unique(np.concatenate([[1, span], rng.integers(1, span + 1, size=50)]))
    partner = rng.integers(0, 4, size=ages.size)
    kind = np.zeros(ages.size, dtype=np.int64)
    features = aggregate_engagement(partner, AS_OF - ages, kind, as_of=AS_OF, n_partners=4, n_kinds=1)
    _, last, _ = reference(partner, AS_OF - ages, kind, as_of=AS_OF, n_partners=4, n_kinds=1, windows=(30, 60, 90), trend_days=30)
    np.testing.assert_array_equal(features.days_since_last, last)
