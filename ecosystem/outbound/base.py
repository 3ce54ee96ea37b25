"""What the outbound parts share: the one error, timeouts, a vetted target and a response.

Every refusal or failure raises :class:`OutboundRefused` with a stable ``code``. Its message is safe
to show to the tenant; ``reason`` carries the detail (resolved addresses…) for logs only.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext, gettext_noop

from ecosystem.errors import ApplicationError


class OutboundRefused(ApplicationError):
    """An outbound call was refused by policy or failed; ``code`` says which, stably."""

    SCHEME_NOT_ALLOWED = "scheme_not_allowed"
    INVALID_URL = "invalid_url"
    ADDRESS_NOT_ALLOWED = "address_not_allowed"
    PORT_NOT_ALLOWED = "port_not_allowed"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    RESPONSE_TOO_LARGE = "response_too_large"
    TIMEOUT = "timeout"
    UNREACHABLE = "unreachable"

    _MESSAGES = {
        SCHEME_NOT_ALLOWED: gettext_noop("Only https URLs can be called."),
        INVALID_URL: gettext_noop("The URL is not valid."),
        ADDRESS_NOT_ALLOWED: gettext_noop("This address is not allowed for outbound calls."),
        PORT_NOT_ALLOWED: gettext_noop("This port is not allowed for outbound calls."),
        TOO_MANY_REDIRECTS: gettext_noop("The endpoint redirected too many times."),
        RESPONSE_TOO_LARGE: gettext_noop("The endpoint's answer is too large."),
        TIMEOUT: gettext_noop("The endpoint did not answer in time."),
        UNREACHABLE: gettext_noop("The endpoint could not be reached."),
    }
    # The endpoint failed rather than the URL being refused: a gateway error, not bad input.
    _UPSTREAM_FAILURES = frozenset({RESPONSE_TOO_LARGE, TIMEOUT, UNREACHABLE, TOO_MANY_REDIRECTS})

    def __init__(self, code: str, reason: str = "") -> None:
        super().__init__(gettext(self._MESSAGES.get(code, gettext_noop("The outbound call failed."))), code=code)
        self.reason = reason  # for logs only: may name resolved (internal) addresses
        self.status_code = 502 if code in self._UPSTREAM_FAILURES else 400

    def __str__(self) -> str:
        return f"{self.message} [{self.code}] {self.reason}".rstrip()


@dataclass(frozen=True)
class Timeout:
    connect: float = 3.0
    total: float = 10.0


DEFAULT_TIMEOUT = Timeout()


@dataclass(frozen=True)
class ValidatedTarget:
    """A URL that passed the policy. ``addresses`` are the vetted IPs to connect to, in resolver order
    (empty only from ``validate_url(..., resolve=False)`` for a name)."""

    url: str  # normalised: no userinfo, no fragment, default port omitted
    scheme: str
    host: str  # ASCII name or canonical IP (IPv6 without brackets): Host header, SNI, certificate name
    port: int
    path: str  # path and query, as sent in the request line
    addresses: tuple[str, ...]


@dataclass(frozen=True)
class OutboundResponse:
    status: int
    headers: Mapping[str, str]  # lower-case names; repeated headers joined with ", "
    content: bytes
    elapsed_ms: int  # the whole call, redirects included
    url: str  # the URL that answered, after redirects

    @functools.cached_property
    def text(self) -> str:
        match = re.search(r"charset=[\"']?([\w.:-]+)", self.headers.get("content-type", ""), re.IGNORECASE)
        try:
            return self.content.decode(match.group(1) if match else "utf-8", errors="replace")
        except LookupError:
            return self.content.decode("utf-8", errors="replace")

    @functools.cached_property
    def json(self) -> Any:
        """The body parsed as JSON; raises ``ValueError`` when it is not JSON."""
        return json.loads(self.content)
