"""Outbound HTTP to URLs that tenants configure (credential verifiers, later webhooks), safe against SSRF.

A tenant can type any URL into a form, so every call the platform makes on a tenant's behalf goes
through this package, which refuses to reach anything but the public internet. Its parts:

- :mod:`.policy`: which URLs may be called (scheme, ports, hosts parsed as a browser parses them,
  vetted addresses); :func:`validate_url`.
- :mod:`.connection`: pinned connections to the vetted addresses only (no DNS rebinding), the limits
  on time and size.
- :mod:`.client`: :func:`request`, :func:`post_json`, redirects, and :func:`retrying`.
- :mod:`.signatures`: :func:`sign_body` / :func:`verify_signature` implement the HMAC-SHA256 signature
  (``X-PRM-Timestamp``, ``X-PRM-Signature: sha256=<hex>`` over ``f"{timestamp}.{body}"``).
- :mod:`.base`: the error, timeouts, targets and responses they share.

Every refusal or failure raises :class:`OutboundRefused` with a stable ``code``. Its message is safe
to show to the tenant; ``reason`` carries the detail (resolved addresses…) for logs only.

Tests that stand in for the network patch the module where the name is looked up:
``ecosystem.outbound.connection._open_connection`` and ``ecosystem.outbound.connection._tls_context``.
"""

from __future__ import annotations

from .base import DEFAULT_TIMEOUT, OutboundRefused, OutboundResponse, Timeout, ValidatedTarget
from .client import DEFAULT_MAX_BYTES, MAX_REDIRECTS, RETRYABLE_STATUSES, USER_AGENT, post_json, request, retrying

# Private, re-exported for the tests that use them through ``outbound.<name>``.
from .client import _as_timeout as _as_timeout
from .connection import _open_connection as _open_connection
from .connection import _tls_context as _tls_context
from .policy import IPAddress, validate_url
from .policy import _allow_addresses_for_tests as _allow_addresses_for_tests
from .signatures import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign_body, verify_signature

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_TIMEOUT",
    "MAX_REDIRECTS",
    "RETRYABLE_STATUSES",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "USER_AGENT",
    "IPAddress",
    "OutboundRefused",
    "OutboundResponse",
    "Timeout",
    "ValidatedTarget",
    "post_json",
    "request",
    "retrying",
    "sign_body",
    "validate_url",
    "verify_signature",
]
