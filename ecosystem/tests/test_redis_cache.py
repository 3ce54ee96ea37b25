"""The cache backend reuses one redis-py client per pool, and still behaves as Django's Redis cache."""

from __future__ import annotations

from django.core.cache import cache, caches

from ecosystem.redis_cache import RedisCache


def test_the_default_cache_is_ours_and_one_client_serves_every_call():
    default = caches["default"]
    assert isinstance(default, RedisCache)
    client = default._cache.get_client(write=True)
    assert default._cache.get_client(write=True) is client
    assert default._cache.get_client() is client  # one server: reads and writes share the pool and its client


def test_values_counters_and_expiry_work_as_before():
    cache.delete_many(["history", "counter"])
    cache.set("history", [1.5, 2.5], 30)
    assert cache.get("history") == [1.5, 2.5]
    assert cache.add("counter", 1) and not cache.add("counter", 5)
    assert cache.incr("counter") == 2
    cache.touch("history", 0)  # expire now
    assert cache.get("history") is None
    cache.delete("counter")
    assert cache.get("counter") is None
