"""The address of the person making a request, also behind reverse proxies.

Behind a load balancer or reverse proxy, ``REMOTE_ADDR`` is the proxy's address: every visitor
would share one rate limit and every signature would record the proxy. Each proxy appends the
address it saw to ``X-Forwarded-For``, so with ``TRUSTED_PROXY_COUNT`` proxies in front of the
app (a deployment setting, 0 by default) the client is the entry that many places from the right.
Entries further left were written by the client itself and are never trusted. With no proxies
configured the header is ignored entirely, so nobody can choose their own address by sending it.

The same count drives allauth's rate limits (``ALLAUTH_TRUSTED_PROXY_COUNT``) and DRF's
throttles (``NUM_PROXIES``), set from the same environment variable in the settings.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP address as text, or ``None`` when there is no usable one."""
    hops = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    candidate = request.META.get("REMOTE_ADDR")
    if hops > 0:
        forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
        # Fewer entries than proxies: the request skipped a proxy we rely on; keep the peer's address.
        if len(forwarded) >= hops:
            candidate = forwarded[-hops]
    return _valid(candidate)


def _valid(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None
