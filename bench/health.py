"""Benchmark: the pure part of the health score for 10,000 partners and 5,000,000 engagement events.

Target (issue 7): health scores for 10,000 partners with 5,000,000 engagement events in one tenant
under 10 s end to end through the worker; events aggregated vectorised (numpy about 10 M events/s).
This bench times only the pure part (no database, no worker): the aggregation of the events and the
scoring, and prints their ratio to the 10 s end-to-end budget (the rest of the budget is for reading
the events and writing the scores).

Synthetic tenant (seeded): partner activity levels log-normal (a few partners produce most events);
event kinds 70 % logins, 15 % content views, 5 % courses, registrations submitted/approved/rejected,
deals won/lost and MDF claims for the rest; days uniform over the two years before the as-of day plus
1 % on or after it (ignored, point in time). State columns (certifications, revenue, PSAT, security
items, days to close) are drawn per partner. Arrays are built first and not timed; best of
``BENCH_REPEATS`` (default 3):

- aggregation: :func:`scoring.health.aggregate.aggregate_engagement` (windows 30, 60, 90, 365 days);
- scoring: event columns → :class:`HealthFeatures`, :func:`score`, :func:`top_actions` (7 what-ifs,
  each a full re-score) and :func:`delta` against the previous day's score.

Run: ``.venv/bin/python bench/health.py`` (``BENCH_HEALTH_PARTNERS``, ``BENCH_HEALTH_EVENTS`` to change
sizes); prints a Markdown table and the lines to add to bench/RESULTS.md.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scoring.health.aggregate import EventKind, aggregate_engagement
from scoring.health.score import HealthFeatures, delta, event_columns, score, top_actions

N_PARTNERS = int(os.environ.get("BENCH_HEALTH_PARTNERS", "10000"))
N_EVENTS = int(os.environ.get("BENCH_HEALTH_EVENTS", "5000000"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
TARGET_SECONDS = 10.0
AS_OF = 20_000  # a day number (2024-10-04)
WINDOWS = (30, 60, 90, 365)
KIND_SHARES = {
    EventKind.LOGIN: 0.70,
    EventKind.CONTENT_VIEW: 0.15,
    EventKind.COURSE_COMPLETED: 0.05,
    EventKind.REGISTRATION_SUBMITTED: 0.03,
    EventKind.REGISTRATION_APPROVED: 0.02,
    EventKind.REGISTRATION_REJECTED: 0.01,
    EventKind.DEAL_WON: 0.015,
    EventKind.DEAL_LOST: 0.01,
    EventKind.MDF_CLAIM: 0.005,
}


def synthetic_events(n_partners: int, n_events: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    activity = rng.lognormal(0.0, 1.2, n_partners)
    partner = rng.choice(n_partners, size=n_events, p=activity / activity.sum()).astype(np.int32)
    kinds = np.array(list(KIND_SHARES), dtype=np.int16)
    shares = np.array(list(KIND_SHARES.values()))
    kind = rng.choice(kinds, size=n_events, p=shares / shares.sum()).astype(np.int16)
    day = (AS_OF - rng.integers(-7, 730, size=n_events)).astype(np.int32)  # about 1 % on/after the as-of day
    return partner, day, kind


def synthetic_state(n_partners: int, seed: int = 8) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    certified = rng.poisson(2.0, n_partners).astype(float)
    return {
        "certified_people": certified,
        "certifications_expiring": rng.binomial(certified.astype(int), 0.2).astype(float),
        "days_to_close": np.where(rng.random(n_partners) < 0.3, np.nan, rng.gamma(3.0, 20.0, n_partners)),
        "revenue_recent": rng.lognormal(11.0, 1.5, n_partners) * (rng.random(n_partners) < 0.7),
        "revenue_previous": rng.lognormal(11.0, 1.5, n_partners) * (rng.random(n_partners) < 0.7),
        "psat": np.where(rng.random(n_partners) < 0.5, np.nan, rng.uniform(1.0, 5.0, n_partners)),
        "open_security_items": rng.poisson(0.4, n_partners).astype(float),
    }


def best_of(fn, repeats: int = REPEATS) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, numpy {np.__version__}, Python {platform.python_version()}")
    print(f"{N_PARTNERS:,} partners, {N_EVENTS:,} events; best of {REPEATS}; compute only (arrays built first)\n")
    partner, day, kind = synthetic_events(N_PARTNERS, N_EVENTS)
    state = synthetic_state(N_PARTNERS)

    def aggregate(as_of: int = AS_OF):
        return aggregate_engagement(partner, day, kind, as_of=as_of, n_partners=N_PARTNERS, windows=WINDOWS)

    aggregate_seconds, engagement = best_of(aggregate)
    previous = score(HealthFeatures.from_columns({**event_columns(aggregate(AS_OF - 1)), **state}))

    def scoring():
        features = HealthFeatures.from_columns({**event_columns(engagement), **state})
        scores = score(features)
        actions = top_actions(features, k=3)
        return scores, actions, delta(previous, scores)

    scoring_seconds, (scores, actions, moved) = best_of(scoring)
    assert ((scores.total >= 0) & (scores.total <= 100)).all()
    single = HealthFeatures.from_columns({name: values[:1] for name, values in {**event_columns(engagement), **state}.items()})
    single_seconds, _ = best_of(lambda: (score(single), top_actions(single)), repeats=20)

    total = aggregate_seconds + scoring_seconds
    print("| step | seconds | rate |")
    print("| --- | ---: | ---: |")
    print(
        f"| aggregation (4 windows, last event, trend) | {aggregate_seconds:.3f} | {N_EVENTS / aggregate_seconds / 1e6:.1f} M events/s |"
    )
    print(
        f"| scoring (score, 7 what-ifs, delta) | {scoring_seconds:.3f} | {N_PARTNERS / scoring_seconds / 1e3:.0f} k partners/s |"
    )
    print(f"| pure part total | {total:.3f} | ratio to the 10 s end-to-end target {total / TARGET_SECONDS:.3f} |")
    print(f"| one partner: score + top actions | {single_seconds * 1e3:.2f} ms | |")
    print(f"\nMean score {scores.total.mean():.1f}; partner 0: {actions.sentences(0)}; moved: {moved.sentences(0)}")
    print("\nLines to add to bench/RESULTS.md:\n")
    print(
        f"Health score, pure part (`bench/health.py`, {platform.machine()}, {os.cpu_count()} cores, numpy {np.__version__}): "
        f"{N_PARTNERS:,} partners, {N_EVENTS:,} events: aggregation {aggregate_seconds:.3f} s "
        f"({N_EVENTS / aggregate_seconds / 1e6:.1f} M events/s), scoring with top actions and delta {scoring_seconds:.3f} s; "
        f"pure part {total:.3f} s = {total / TARGET_SECONDS:.3f} of the 10 s end-to-end target (database and worker not included)."
    )


if __name__ == "__main__":
    main()
