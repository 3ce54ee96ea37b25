"""The calls: :func:`request`, :func:`post_json` and :func:`retrying`.

* **Redirects** are not followed unless the caller asks; then at most :data:`MAX_REDIRECTS` hops,
  each one validated and resolved by the same rules. 307/308 repeat the method and body; 301/302 after
  a POST and every 303 continue as a GET without a body (and without the signature headers).
  Credentials-bearing headers are dropped when a redirect changes origin.

:func:`retrying` repeats an idempotent call with exponential backoff on connection errors, timeouts
and 502/503/504.
"""

from __future__ import annotations

import json
import time
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from .base import DEFAULT_TIMEOUT, OutboundRefused, OutboundResponse, Timeout
from .connection import _exchange
from .policy import _validate
from .signatures import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign_body

MAX_REDIRECTS = 3
DEFAULT_MAX_BYTES = 1024 * 1024
USER_AGENT = "PRM-Outbound/1.0"


RETRYABLE_STATUSES = frozenset({502, 503, 504})


_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CROSS_ORIGIN_DROPPED_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})
_BODY_HEADERS = frozenset({"content-type", TIMESTAMP_HEADER.lower(), SIGNATURE_HEADER.lower()})


def _as_timeout(timeout: Timeout | float) -> Timeout:
    if isinstance(timeout, Timeout):
        return timeout
    return Timeout(connect=min(DEFAULT_TIMEOUT.connect, float(timeout)), total=float(timeout))


def request(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: Timeout | float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    allow_redirects: bool = False,
) -> OutboundResponse:
    """Make one HTTP call under the outbound policy (see the module docstring).

    Any status is returned as a response, 3xx included unless ``allow_redirects``; refusals and
    failures raise ``OutboundRefused``. ``timeout`` as a number is the total deadline.
    """
    timeout = _as_timeout(timeout)
    started = time.monotonic()
    deadline = started + timeout.total
    method = method.upper()
    request_headers = {"User-Agent": USER_AGENT, "Accept": "application/json", "Accept-Encoding": "identity"}
    request_headers.update(headers or {})
    request_headers["Connection"] = "close"
    target = _validate(url, resolve=True, deadline=deadline)
    for hop in range(MAX_REDIRECTS + 1):
        status, answer_headers, content = _exchange(
            target, method, body, request_headers, timeout=timeout, deadline=deadline, max_bytes=max_bytes
        )
        location = answer_headers.get("location")
        if not (allow_redirects and status in _REDIRECT_STATUSES and location):
            break
        if hop == MAX_REDIRECTS:
            raise OutboundRefused(OutboundRefused.TOO_MANY_REDIRECTS, f"more than {MAX_REDIRECTS} redirects")
        next_url = urllib.parse.urljoin(target.url, location)
        if target.scheme == "https" and urllib.parse.urlsplit(next_url).scheme.lower() != "https":
            raise OutboundRefused(OutboundRefused.SCHEME_NOT_ALLOWED, f"redirect from https to {next_url!r}")
        next_target = _validate(next_url, resolve=True, deadline=deadline)
        if status == 303 or (status in (301, 302) and method == "POST"):
            method, body = "GET", None
            request_headers = {name: value for name, value in request_headers.items() if name.lower() not in _BODY_HEADERS}
        if (next_target.scheme, next_target.host, next_target.port) != (target.scheme, target.host, target.port):
            request_headers = {
                name: value for name, value in request_headers.items() if name.lower() not in _CROSS_ORIGIN_DROPPED_HEADERS
            }
        target = next_target
    return OutboundResponse(
        status=status,
        headers=answer_headers,
        content=content,
        elapsed_ms=round((time.monotonic() - started) * 1000),
        url=target.url,
    )


def post_json(
    url: str,
    payload: Any,
    *,
    secret: str | bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: Timeout | float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    allow_redirects: bool = False,
) -> OutboundResponse:
    """POST ``payload`` as JSON, signed with ``secret`` when one is given (see :func:`sign_body`)."""
    body = json.dumps(payload, cls=DjangoJSONEncoder, separators=(",", ":")).encode()
    request_headers = {"Content-Type": "application/json", **(headers or {})}
    if secret is not None:
        request_headers.update(sign_body(body, secret=secret))
    return request(
        "POST", url, body=body, headers=request_headers, timeout=timeout, max_bytes=max_bytes, allow_redirects=allow_redirects
    )


def retrying(
    call: Callable[[], OutboundResponse],
    *,
    attempts: int = 3,
    backoff: float = 0.5,
    max_backoff: float = 8.0,
    sleep: Callable[[float], None] = time.sleep,
) -> OutboundResponse:
    """Run an IDEMPOTENT call up to ``attempts`` times, waiting ``backoff``, 2×, 4×… (capped) between.

    Retries only when the endpoint could not be reached or timed out, or answered 502/503/504. After
    the last attempt the last answer is returned or the last error raised; policy refusals never retry.
    Pass a callable that builds the request, so each attempt is signed afresh.
    """
    for attempt in range(1, attempts + 1):
        try:
            response = call()
        except OutboundRefused as exc:
            if exc.code not in (OutboundRefused.UNREACHABLE, OutboundRefused.TIMEOUT) or attempt >= attempts:
                raise
        else:
            if response.status not in RETRYABLE_STATUSES or attempt >= attempts:
                return response
        sleep(min(max_backoff, backoff * 2 ** (attempt - 1)))
    raise ValueError("attempts must be at least 1")
