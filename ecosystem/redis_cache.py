"""Django's Redis cache backend, keeping one redis-py client per connection pool.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every cache call; its
constructor registers some 170 response callbacks, which took 86 µs here against 35 µs for the GET
itself on loopback. Every API request makes such calls for its two rate limits
(``ecosystem.api.throttling``, one script each), so the clients cost more than the round trips
(bench/api_load.py). A ``redis.Redis`` holds no connection of its own (its pool does) and is
thread-safe, and Django keeps one cache object per thread anyway: one client per pool serves every
call. Everything else is Django's backend unchanged.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)  # with several servers, reads pick one at random
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:  # as Django's _get_connection_pool, for this index
                self._pools[index] = self._pool_class.from_url(self._servers[index], **self._pool_options)
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client


class RedisCache(DjangoRedisCache):
    """``django.core.cache.backends.redis.RedisCache`` with :class:`ReusedClientRedisCacheClient`."""

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
