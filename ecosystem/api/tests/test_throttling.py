"""The sliding-window rate limits against the real Redis: how many requests a window lets through, what
``Retry-After`` says and that it is true, that refused requests are not counted, and that concurrent
requests never take more than the limit. The API answers (429, the envelope, per key and per tenant) are in
test_api_contract.py."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
from django.core.cache import cache

from ecosystem.api.throttling import ClientRateThrottle, SlidingWindowThrottle, retry_after

WINDOW_START = 60 * 29_000_000  # a whole minute: windows are counted from the epoch


@pytest.fixture
def clock(monkeypatch):
    now = {"t": float(WINDOW_START)}
    monkeypatch.setattr(SlidingWindowThrottle, "timer", lambda self: now["t"])
    cache.clear()
    yield now
    cache.clear()


def _throttle(monkeypatch, rate: str) -> ClientRateThrottle:
    monkeypatch.setattr(ClientRateThrottle, "THROTTLE_RATES", {"client": rate})
    return ClientRateThrottle()


def _request(key_pk: int = 7):
    return SimpleNamespace(auth=SimpleNamespace(prefix="prm_x", pk=key_pk), user=None, META={})


def _take(throttle: ClientRateThrottle, request=None) -> bool:
    return throttle.allow_request(request or _request(), view=None)


def test_a_window_lets_the_limit_through_and_refuses_the_next(monkeypatch, clock):
    throttle = _throttle(monkeypatch, "4/min")
    assert [_take(throttle) for _ in range(5)] == [True, True, True, True, False]
    # four in this window: in the next one they weigh 4 × (1 − t/60); one more fits once that is ≤ 3,
    # i.e. 15 s into the next window, 60 + 15 s from the window's start
    assert throttle.wait() == pytest.approx(75.0)


def test_retry_after_is_exact_a_second_early_is_refused_and_on_time_is_let_in(monkeypatch, clock):
    throttle = _throttle(monkeypatch, "4/min")
    clock["t"] += 20
    for _ in range(4):
        assert _take(throttle)
    assert not _take(throttle)
    wait = throttle.wait()
    assert wait == pytest.approx(40 + 15)
    clock["t"] += wait - 1
    assert not _take(throttle)
    clock["t"] += 1
    assert _take(throttle)


def test_the_last_window_slides_out_instead_of_resetting_at_the_minute(monkeypatch, clock):
    """A fixed window would let 2 × the limit through across the minute; the sliding one does not."""
    throttle = _throttle(monkeypatch, "10/min")
    clock["t"] += 59
    assert sum(_take(throttle) for _ in range(10)) == 10
    clock["t"] += 2  # one second into the next minute: the last window still weighs 59/60
    assert sum(_take(throttle) for _ in range(10)) == 0
    clock["t"] += 29  # half of the last window has slid out: 10 × 1/2 = 5, so five more fit
    assert sum(_take(throttle) for _ in range(10)) == 5


def test_refused_requests_are_not_counted(monkeypatch, clock):
    throttle = _throttle(monkeypatch, "3/min")
    assert [_take(throttle) for _ in range(3)] == [True, True, True]
    for _ in range(50):  # a client that keeps knocking
        assert not _take(throttle)
    clock["t"] += throttle.wait()
    assert _take(throttle)  # its refused knocks did not push its turn back


def test_each_client_has_its_own_counter(monkeypatch, clock):
    throttle = _throttle(monkeypatch, "2/min")
    assert [_take(throttle, _request(1)) for _ in range(3)] == [True, True, False]
    assert _take(throttle, _request(2))


def test_concurrent_requests_never_take_more_than_the_limit(monkeypatch, clock):
    """Eight threads, each its own throttle and Redis connection, race for 25 slots: exactly 25 are given."""
    _throttle(monkeypatch, "25/min")
    taken: list[bool] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def race():
        throttle = ClientRateThrottle()
        start.wait()
        mine = [_take(throttle) for _ in range(10)]
        with lock:
            taken.extend(mine)

    threads = [threading.Thread(target=race) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (sum(taken), len(taken)) == (25, 80)


@pytest.mark.parametrize(
    ("current", "previous", "elapsed", "expected"),
    [
        (0, 10, 0.0, 6.0),  # 10 × (1 − t/60) ≤ 9 ⇒ t ≥ 6
        (5, 10, 30.0, 6.0),  # 5 + 10 × (1 − t/60) ≤ 9 ⇒ t ≥ 36, 6 s after now
        (10, 0, 30.0, 30.0 + 6.0),  # full this window: 30 s to the next, then 10 × (1 − t/60) ≤ 9 ⇒ t ≥ 6
        (9, 0, 10.0, 0.0),  # one more fits now
    ],
)
def test_retry_after_formula(current, previous, elapsed, expected):
    assert retry_after(limit=10, duration=60, elapsed=elapsed, current=current, previous=previous) == pytest.approx(expected)


def test_without_redis_the_limits_fall_back_to_drfs_log(monkeypatch, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    throttle = _throttle(monkeypatch, "2/min")
    assert [_take(throttle) for _ in range(3)] == [True, True, False]
    assert 0 < throttle.wait() <= 60
