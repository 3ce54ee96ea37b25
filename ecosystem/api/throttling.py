"""Rate limits per tenant (all clients together) and per client (one API key, or one person).

Each limit is a sliding-window counter: two integer counters in Redis, this window's and the last
one's, the last one weighted by how much of it still lies inside a window ending now. That is the
shape large API gateways use: close to an exact sliding log, and constant in size.

DRF's ``SimpleRateThrottle`` keeps the exact log instead, a list of one timestamp per request,
pickled into the cache and read and written back whole on every request: at the default 3,000
requests a minute a busy tenant's list holds 3,000 floats (about 27 kB each way). Here a request
costs one Redis round trip per limit (a short Lua script, atomic, so concurrent workers never both
take the last slot) and a refused request is not counted, so a client that backs off as told by
``Retry-After`` gets in when it comes back. bench/throttle.py measures both.
"""

from __future__ import annotations

import math

from django.core.cache import caches
from redis.commands.core import Script
from rest_framework.throttling import SimpleRateThrottle

from ecosystem.redis_cache import RedisCache

# KEYS: this window's counter, the last window's. ARGV: the limit, the last window's weight (0–1),
# the counters' lifetime in seconds. Answers {allowed, this window's count, the last window's count}.
_TAKE = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
if previous * tonumber(ARGV[2]) + current + 1 > tonumber(ARGV[1]) then
    return {0, current, previous}
end
current = redis.call('INCR', KEYS[1])
if current == 1 then
    redis.call('EXPIRE', KEYS[1], ARGV[3])
end
return {1, current, previous}
"""


def retry_after(*, limit: int, duration: float, elapsed: float, current: int, previous: int) -> float:
    """Seconds until one more request fits, if none is made meanwhile.

    The estimate at ``elapsed`` seconds into the window is ``previous × (1 − elapsed ÷ duration) +
    current``; it falls as the last window slides out, then restarts from this window's count.
    """
    room = limit - 1  # the estimate must drop to limit − 1 for one more request to fit
    if room < 0:  # a limit of 0 never lets a request through: come back in a window
        return duration
    if current <= room:
        if previous <= 0:
            return 0.0
        # previous × (1 − t ÷ duration) + current ≤ room  ⇔  t ≥ duration × (1 − (room − current) ÷ previous)
        return max(0.0, duration * (1 - (room - current) / previous) - elapsed)
    # not within this window: in the next one, this window's count is the weighted one
    return (duration - elapsed) + max(0.0, duration * (1 - room / current))


class SlidingWindowThrottle(SimpleRateThrottle):
    """``SimpleRateThrottle``'s rates, scopes and cache keys, counted in a sliding window (module docstring).

    With a cache that is not Redis (a settings override) it falls back to DRF's log, unchanged.
    """

    _script: Script | None = None

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        backend = caches["default"]  # the backend itself: ``self.cache`` is Django's proxy to it
        if not isinstance(backend, RedisCache):
            return super().allow_request(request, view)
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        now = self.timer()
        window = math.floor(now / self.duration)
        elapsed = now - window * self.duration
        client = backend._cache.get_client(write=True)
        script = SlidingWindowThrottle._script
        if script is None:  # the digest is computed locally; the server learns the script on first use
            script = SlidingWindowThrottle._script = Script(client, _TAKE)
        allowed, current, previous = script(
            keys=[backend.make_and_validate_key(f"{self.key}:{w}") for w in (window, window - 1)],
            args=[self.num_requests, repr(1 - elapsed / self.duration), 2 * self.duration],
            client=client,
        )
        if allowed:
            return True
        self._wait = retry_after(
            limit=self.num_requests, duration=self.duration, elapsed=elapsed, current=current, previous=previous
        )
        return False

    def wait(self):
        if not isinstance(caches["default"], RedisCache):
            return super().wait()
        return self._wait


class TenantRateThrottle(SlidingWindowThrottle):
    scope = "tenant"

    def get_cache_key(self, request, view):
        tenant = getattr(view, "tenant", None)
        return None if tenant is None else self.cache_format % {"scope": self.scope, "ident": tenant.pk}


class ClientRateThrottle(SlidingWindowThrottle):
    scope = "client"

    def get_cache_key(self, request, view):
        if request.auth is not None and hasattr(request.auth, "prefix"):
            ident = f"key-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
