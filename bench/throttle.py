"""The API's rate limits: DRF's log against the sliding-window counters, per request, on the real Redis.

Every API request passes two limits (per tenant and per client, ``ecosystem.api.throttling``). DRF's
``SimpleRateThrottle`` keeps a list of one timestamp per request of the last window and reads and writes it
whole (pickled) on every request; the sliding window keeps two integers and runs one Lua script. This bench
sends a busy tenant's minute at the default tenant rate (3,000 a minute) through each, on one key, with a
clock that advances 20 ms a request (the minute fills exactly), and reports the time per request over the
whole minute and over its last 500 requests (the log nearly full), the bytes the log moves each way at the
end, and the same for a refused request.

Run: ``.venv/bin/python -m ecosystem.devstack exec .venv/bin/python bench/throttle.py`` (a ``make bench``
step). Appends a section to bench/RESULTS.md.
"""

from __future__ import annotations

import datetime
import os
import pickle
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecosystem.settings.test")

import django

django.setup()

import redis  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from rest_framework.throttling import SimpleRateThrottle  # noqa: E402

from bench.results import append, machine  # noqa: E402
from ecosystem.api.throttling import SlidingWindowThrottle  # noqa: E402

RATE = "3000/min"
REQUESTS = 3000
TAIL = 500
REFUSED = 200


class _Clock:
    def __init__(self) -> None:
        self.now = 60.0 * 29_000_000

    def __call__(self, *_args) -> float:
        return self.now


class _DrfLog(SimpleRateThrottle):
    scope = "bench"
    THROTTLE_RATES = {"bench": RATE}

    def get_cache_key(self, request, view):
        return "throttle_bench_log"


class _Sliding(SlidingWindowThrottle):
    scope = "bench"
    THROTTLE_RATES = {"bench": RATE}

    def get_cache_key(self, request, view):
        return "throttle_bench_window"


def _run(throttle_class) -> dict:
    clock = _Clock()
    throttle_class.timer = clock  # instances call self.timer(): a plain callable object is not bound
    request = SimpleNamespace(auth=None, user=None, META={})
    timings = []
    for _ in range(REQUESTS):
        throttle = throttle_class()
        started = time.perf_counter()
        allowed = throttle.allow_request(request, None)
        timings.append(time.perf_counter() - started)
        assert allowed, "the bench's minute must fit the rate exactly"
        clock.now += 60.0 / REQUESTS * 0.999
    refused = []
    for _ in range(REFUSED):
        throttle = throttle_class()
        started = time.perf_counter()
        allowed = throttle.allow_request(request, None)
        refused.append(time.perf_counter() - started)
        assert not allowed
    return {
        "all_us": statistics.mean(timings) * 1e6,
        "tail_us": statistics.mean(timings[-TAIL:]) * 1e6,
        "refused_us": statistics.mean(refused) * 1e6,
    }


def main() -> None:
    cache.clear()
    log = _run(_DrfLog)
    log_bytes = len(pickle.dumps(cache.get("throttle_bench_log"), pickle.HIGHEST_PROTOCOL))
    sliding = _run(_Sliding)
    client = redis.Redis.from_url(settings.REDIS_URL)
    window_keys = list(client.scan_iter(match="*throttle_bench_window*"))
    window_bytes = sum(client.memory_usage(k) or 0 for k in window_keys)
    cache.clear()
    server = client.info("server")["redis_version"]
    rows = [
        ("DRF log (SimpleRateThrottle)", log, f"{log_bytes:,} B pickled, read and written whole"),
        ("sliding window (ours)", sliding, f"{len(window_keys)} integer key(s), {window_bytes} B in Redis"),
    ]
    lines = [
        f"\n## API rate limits: DRF's log vs the sliding window ({datetime.date.today()}, `bench/throttle.py`)\n",
        f"\nMachine: {machine(f'Redis {server}')}.",
        (
            f"\nOne key at the default tenant rate ({RATE}): a minute of {REQUESTS:,} allowed requests, then "
            f"{REFUSED} refused ones; the time of the throttle's `allow_request` alone (the API calls two per request).\n"
        ),
        "\n| throttle | µs per request, whole minute | µs, last 500 (log full) | µs per refused request | state at the end |",
        "\n| --- | ---: | ---: | ---: | --- |",
    ]
    for name, figures, state in rows:
        lines.append(f"\n| {name} | {figures['all_us']:.0f} | {figures['tail_us']:.0f} | {figures['refused_us']:.0f} | {state} |")
    lines.append(
        f"\n\nLog ÷ sliding window, last 500: {log['tail_us'] / sliding['tail_us']:.1f}×; refused: "
        f"{log['refused_us'] / sliding['refused_us']:.1f}×.\n"
    )
    text = "".join(lines)
    print(text)
    append(text)


if __name__ == "__main__":
    main()
