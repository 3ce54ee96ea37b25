"""Request signatures: HMAC-SHA256 (``X-PRM-Timestamp``, ``X-PRM-Signature: sha256=<hex>`` over
``f"{timestamp}.{body}"``), made by :func:`sign_body` and checked by :func:`verify_signature`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time

TIMESTAMP_HEADER = "X-PRM-Timestamp"
SIGNATURE_HEADER = "X-PRM-Signature"


def _signature(body: bytes | str, *, secret: str | bytes, timestamp: int) -> str:
    if not secret:
        raise ValueError("A signing secret is required.")
    key = secret.encode() if isinstance(secret, str) else secret
    data = body.encode() if isinstance(body, str) else body
    return "sha256=" + hmac.new(key, f"{timestamp}.".encode() + data, hashlib.sha256).hexdigest()


def sign_body(body: bytes | str, *, secret: str | bytes, timestamp: int | None = None) -> dict[str, str]:
    """The headers that sign ``body``: HMAC-SHA256 over ``f"{timestamp}.{body}"`` (Unix seconds)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: _signature(body, secret=secret, timestamp=timestamp)}


def verify_signature(
    body: bytes | str,
    *,
    secret: str | bytes,
    timestamp: str | None,
    signature: str | None,
    max_age: int = 300,
    now: float | None = None,
) -> bool:
    """True when ``signature`` signs ``body`` with ``secret`` at ``timestamp``, no more than ``max_age``
    seconds from ``now`` either way (a replay window, tolerant of small clock skew)."""
    if not timestamp or not signature or not re.fullmatch(r"[0-9]{1,12}", timestamp):
        return False
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > max_age:
        return False
    expected = _signature(body, secret=secret, timestamp=int(timestamp))
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", errors="replace"))
