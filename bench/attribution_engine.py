"""Benchmark: rule-based models and the exact Markov removal effect over 10k, 100k and 1M journeys.

Targets (issue 6): all heuristic models for 1,000,000 journeys under 0.5 s of compute after loading;
exact Markov removal effects for 1,000,000 journeys under 0.5 s. Time should grow close to linearly.

Pure numpy, no database. Synthetic journeys (seeded): 1 + Poisson(2.3) touches each (about 3.3 touches
on average), channels drawn from a skewed distribution over 24 channels with frequent consecutive
repeats, conversion probability depending on the channels touched, won value log-normal, touch ages
in days (exponential gaps back from the outcome). The arrays are built first and not timed; then,
best of ``BENCH_REPEATS`` (default 3):

- heuristics: first touch, last touch, linear, position-based (40/20/40) and time decay (7 days)
  together (:func:`attribution.engine.heuristics.all_heuristics`), channel credit for conversions and
  value;
- Markov: :func:`attribution.engine.markov.markov_removal` (collapse, transition counts, exact solve,
  every removal effect, credit).

Run: ``.venv/bin/python bench/attribution_engine.py`` (``BENCH_ENGINE_SIZES=10000,100000`` to choose
sizes); prints a Markdown table.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from attribution.engine.heuristics import all_heuristics
from attribution.engine.journeys import Journeys
from attribution.engine.markov import markov_removal

SIZES = [int(s) for s in os.environ.get("BENCH_ENGINE_SIZES", "10000,100000,1000000").split(",")]
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
N_CHANNELS = 24
TARGET_SECONDS = 0.5


def synthetic(n_journeys: int, n_channels: int = N_CHANNELS, seed: int = 6) -> Journeys:
    rng = np.random.default_rng(seed)
    lengths = 1 + rng.poisson(2.3, size=n_journeys)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    n_touches = int(offsets[-1])
    popularity = 1.0 / np.arange(1, n_channels + 1) ** 0.8
    channels = rng.choice(n_channels, size=n_touches, p=popularity / popularity.sum()).astype(np.int32)
    repeat = rng.random(n_touches) < 0.2  # a fifth of touches repeat the previous channel
    repeat[offsets[:-1]] = False
    channels[repeat] = channels[np.flatnonzero(repeat) - 1]  # single repeats; chains are collapsed anyway
    lift = rng.normal(0.0, 0.4, size=n_channels)
    journey = np.repeat(np.arange(n_journeys), lengths)
    touched = np.bincount(journey, weights=lift[channels], minlength=n_journeys)
    p = 1.0 / (1.0 + np.exp(-(-2.0 + touched / np.sqrt(lengths))))
    conv = (rng.random(n_journeys) < p).astype(np.float64)
    value = conv * np.round(rng.lognormal(10.0, 1.0, size=n_journeys), 2)
    # Days before the outcome: the last touch 0–3 days before, earlier ones exponential gaps of ~10 days.
    gaps = rng.exponential(10.0, size=n_touches)
    gaps[offsets[1:] - 1] = rng.uniform(0.0, 3.0, size=n_journeys)
    reversed_cumsum = np.cumsum(gaps[::-1])[::-1]  # Σ of gaps from each touch to the end of the array
    after_journey = np.append(reversed_cumsum[offsets[1:-1]], 0.0)  # Σ of gaps of later journeys
    days = reversed_cumsum - np.repeat(after_journey, lengths)
    return Journeys(channels=channels, offsets=offsets, conv=conv, value=value, n_channels=n_channels, days=days)


def best_of(fn, repeats: int = REPEATS) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, numpy {np.__version__}, Python {platform.python_version()}")
    print(f"{N_CHANNELS} channels; best of {REPEATS}; compute only (arrays built first)\n")
    print("| journeys | touches | heuristics (5 models) s | growth | Markov s | growth | P(conv) − observed |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    previous: tuple[int, float, float] | None = None
    last = None
    for n in SIZES:
        journeys = synthetic(n)
        heuristic_seconds, credits = best_of(lambda journeys=journeys: all_heuristics(journeys))
        markov_seconds, markov = best_of(lambda journeys=journeys: markov_removal(journeys))
        for credit in [*credits.values(), markov]:
            assert abs(credit.conversions.sum() - journeys.conv.sum()) <= 1e-9 * max(1.0, journeys.conv.sum())
        gap = markov.details["p_conv"] - markov.details["observed_rate"]
        if previous is None:
            growth_h = growth_m = "–"
        else:
            ratio = n / previous[0]
            growth_h = f"{heuristic_seconds / previous[1]:.1f}× (n ×{ratio:g})"
            growth_m = f"{markov_seconds / previous[2]:.1f}× (n ×{ratio:g})"
        print(
            f"| {n:,} | {len(journeys.channels):,} | {heuristic_seconds:.3f} | {growth_h} | {markov_seconds:.3f} | {growth_m} | {gap:.1e} |"
        )
        previous = (n, heuristic_seconds, markov_seconds)
        last = (n, heuristic_seconds, markov_seconds)
    if last is not None:
        n, heuristic_seconds, markov_seconds = last
        verdict = lambda s: f"{'met' if s < TARGET_SECONDS else 'NOT met'} (ratio {s / TARGET_SECONDS:.2f})"  # noqa: E731
        print(
            f"\nAt {n:,} journeys: heuristics {verdict(heuristic_seconds)}; Markov {verdict(markov_seconds)}; target {TARGET_SECONDS} s each."
        )


if __name__ == "__main__":
    main()
