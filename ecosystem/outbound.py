"""Outbound HTTP to URLs that tenants configure (credential verifiers, later webhooks), safe against SSRF.

A tenant can type any URL into a form, so every call the platform makes on a tenant's behalf goes
through this module, which refuses to reach anything but the public internet:

* **Scheme.** ``https`` only. ``http`` too when the setting ``OUTBOUND_ALLOW_HTTP`` is true (tests, dev).
  A redirect from ``https`` to ``http`` is refused even then.
* **Ports.** The setting ``OUTBOUND_ALLOWED_PORTS`` (an iterable of ints) replaces the default set,
  which is ``{443}``, plus ``80`` when ``http`` is allowed. A URL without a port uses the scheme's default.
* **Hosts are parsed as a browser parses them** (WHATWG URL standard): percent-decoding, IDNA (so
  full-width digits become ASCII), and the IPv4 forms ``2130706433``, ``0177.0.0.1``, ``0x7f.1``,
  ``127.1`` and a trailing dot. IPv6 literals go in brackets; zone ids (``[fe80::1%25eth0]``) are
  refused. Userinfo (``https://user@host``), backslashes, whitespace and control characters are refused,
  because parsers disagree about them. Single-label names (``https://metadata/``) and special-use names
  (``localhost``, ``*.local``, ``*.internal`` …) are refused before any DNS query.
* **Addresses.** The host is resolved once, and the call is refused if ANY address is private,
  loopback, link-local, multicast, reserved, unspecified, shared (100.64/10), documentation,
  benchmarking, a cloud metadata address, or an IPv6 address that wraps one of those (IPv4-mapped,
  6to4, NAT64; Teredo is refused outright). The list is our own, not only :mod:`ipaddress`'s flags,
  whose coverage differs between Python patch releases.
* **No DNS rebinding.** The connection goes to a vetted IP, never to the name again; the name is
  still sent as the ``Host`` header and used for TLS SNI and certificate checks.
* **Redirects** are not followed unless the caller asks; then at most :data:`MAX_REDIRECTS` hops,
  each one validated and resolved by the same rules. 307/308 repeat the method and body; 301/302 after
  a POST and every 303 continue as a GET without a body (and without the signature headers).
  Credentials-bearing headers are dropped when a redirect changes origin.
* **Limits.** Connect timeout 3 s and a total deadline of 10 s per call (DNS, connect, TLS, request,
  every redirect and the body), enforced by a watchdog that cuts the socket, so a server dribbling
  bytes cannot stretch it. Bodies are streamed and the call stops past ``max_bytes`` (1 MiB default).
  No compression is requested, so the limit is the size that is read.

Every refusal or failure raises :class:`OutboundRefused` with a stable ``code``. Its message is safe
to show to the tenant; ``reason`` carries the detail (resolved addresses…) for logs only.

:func:`retrying` repeats an idempotent call with exponential backoff on connection errors, timeouts
and 502/503/504. :func:`sign_body` / :func:`verify_signature` implement the HMAC-SHA256 signature
(``X-PRM-Timestamp``, ``X-PRM-Signature: sha256=<hex>`` over ``f"{timestamp}.{body}"``).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import hashlib
import hmac
import http.client
import ipaddress
import json
import re
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext, gettext_noop

from ecosystem.errors import ApplicationError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_REDIRECTS = 3
DEFAULT_MAX_BYTES = 1024 * 1024
USER_AGENT = "PRM-Outbound/1.0"
TIMESTAMP_HEADER = "X-PRM-Timestamp"
SIGNATURE_HEADER = "X-PRM-Signature"
RETRYABLE_STATUSES = frozenset({502, 503, 504})

_DEFAULT_PORTS = {"https": 443, "http": 80}
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CROSS_ORIGIN_DROPPED_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})
_BODY_HEADERS = frozenset({"content-type", TIMESTAMP_HEADER.lower(), SIGNATURE_HEADER.lower()})
_READ_CHUNK = 64 * 1024


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


# --- Address policy ---------------------------------------------------------------------------

_METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(address)
    for address in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean…
        "169.254.170.2",  # AWS ECS task metadata
        "fd00:ec2::254",  # AWS IMDS over IPv6
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud
    )
)
_NOT_PUBLIC_NETWORKS = tuple(
    (ipaddress.ip_network(network), description)
    for network, description in (
        ("0.0.0.0/8", "'this network'"),
        ("10.0.0.0/8", "private"),
        ("100.64.0.0/10", "shared address space (carrier-grade NAT)"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local"),
        ("172.16.0.0/12", "private"),
        ("192.0.0.0/24", "IETF protocol assignments"),
        ("192.0.2.0/24", "documentation"),
        ("192.88.99.0/24", "6to4 relay anycast"),
        ("192.168.0.0/16", "private"),
        ("198.18.0.0/15", "benchmarking"),
        ("198.51.100.0/24", "documentation"),
        ("203.0.113.0/24", "documentation"),
        ("224.0.0.0/4", "multicast"),
        ("240.0.0.0/4", "reserved or broadcast"),
        ("::/8", "reserved (unspecified, loopback, IPv4-compatible)"),
        ("64:ff9b:1::/48", "local-use NAT64"),
        ("100::/64", "discard-only"),
        ("2001::/23", "IETF protocol assignments (includes Teredo)"),
        ("2001:db8::/32", "documentation"),
        ("3fff::/20", "documentation"),
        ("5f00::/16", "SRv6 segment identifiers"),
        ("fc00::/7", "unique local"),
        ("fe80::/10", "link-local"),
        ("fec0::/10", "site-local"),
        ("ff00::/8", "multicast"),
    )
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_SPECIAL_USE_SUFFIXES = ("localhost", "local", "localdomain", "internal", "intranet", "lan", "home.arpa")

# Test-only escape hatch, see _allow_addresses_for_tests. Deliberately not a setting.
_addresses_allowed_for_tests: contextvars.ContextVar[frozenset[IPAddress]] = contextvars.ContextVar(
    "outbound_addresses_allowed_for_tests", default=frozenset()
)


@contextlib.contextmanager
def _allow_addresses_for_tests(*addresses: str) -> Iterator[None]:
    """Tests only: let these exact loopback addresses through, so a server the test starts can answer.

    Only loopback addresses are accepted (anything else raises ``ValueError``), the allowance lives in
    a context variable for the ``with`` block only, and no setting or environment variable reaches it:
    production code has no way to widen the policy.
    """
    allowed = frozenset(ipaddress.ip_address(address) for address in addresses)
    if not all(address.is_loopback for address in allowed):
        raise ValueError("Only loopback addresses can be allowed for tests.")
    token = _addresses_allowed_for_tests.set(_addresses_allowed_for_tests.get() | allowed)
    try:
        yield
    finally:
        _addresses_allowed_for_tests.reset(token)


def _refusal_reason(address: IPAddress) -> str | None:
    """Why ``address`` must not be called, or None when it is a public unicast address."""
    if address in _METADATA_ADDRESSES:
        return "a cloud metadata address"
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            return "scoped to an interface"
        if address in _NAT64:  # DNS64 answers for IPv4-only hosts: judge the IPv4 address it wraps
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
            inner = _refusal_reason(embedded)
            return f"NAT64 of {embedded}, {inner}" if inner else None
        if address.sixtofour is not None:
            inner = _refusal_reason(address.sixtofour)
            if inner:
                return f"6to4 of {address.sixtofour}, {inner}"
        if address.teredo is not None:
            server, client = address.teredo
            return f"Teredo (server {server}, client {client})"
    for network, description in _NOT_PUBLIC_NETWORKS:
        if address.version == network.version and address in network:
            return description
    for flag in ("is_private", "is_loopback", "is_link_local", "is_multicast", "is_reserved", "is_unspecified"):
        if getattr(address, flag):
            return flag.removeprefix("is_").replace("_", "-")
    if not address.is_global:
        return "not globally routable"
    return None


def _vetted(address: IPAddress) -> IPAddress:
    """The address to connect to (IPv4-mapped IPv6 becomes IPv4), or refuse."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in _addresses_allowed_for_tests.get():
        return address
    reason = _refusal_reason(address)
    if reason:
        raise OutboundRefused(OutboundRefused.ADDRESS_NOT_ALLOWED, f"{address} is {reason}")
    return address


# --- URL parsing -------------------------------------------------------------------------------

_FORBIDDEN_URL_CHARACTERS = re.compile(r"[\x00-\x20\x7f\\]")
_HOST_NAME = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*")
_PORT = re.compile(r"[0-9]{1,5}")


def _allow_http() -> bool:
    return bool(getattr(settings, "OUTBOUND_ALLOW_HTTP", False))


def _allowed_ports(allow_http: bool) -> frozenset[int]:
    configured: Iterable[int] | None = getattr(settings, "OUTBOUND_ALLOWED_PORTS", None)
    if configured is not None:
        return frozenset(int(port) for port in configured)
    return frozenset({443, 80}) if allow_http else frozenset({443})


def _ipv4_number(part: str) -> int:
    if part[:2].lower() == "0x":
        digits, base, pattern = part[2:], 16, r"[0-9a-fA-F]*"
    elif len(part) > 1 and part[0] == "0":
        digits, base, pattern = part[1:], 8, r"[0-7]*"
    else:
        digits, base, pattern = part, 10, r"[0-9]+"
    if not re.fullmatch(pattern, digits):
        raise OutboundRefused(OutboundRefused.INVALID_URL, f"{part!r} is not an IPv4 number")
    return int(digits, base) if digits else 0


def _parse_ipv4(parts: list[str]) -> ipaddress.IPv4Address:
    """The WHATWG IPv4 parser: one to four parts, each decimal, octal (0…) or hex (0x…)."""
    if len(parts) > 4 or "" in parts:
        raise OutboundRefused(OutboundRefused.INVALID_URL, "malformed IPv4 address")
    numbers = [_ipv4_number(part) for part in parts]
    if any(number > 255 for number in numbers[:-1]) or numbers[-1] >= 256 ** (5 - len(numbers)):
        raise OutboundRefused(OutboundRefused.INVALID_URL, "IPv4 address out of range")
    value = numbers[-1] + sum(number * 256 ** (3 - index) for index, number in enumerate(numbers[:-1]))
    return ipaddress.IPv4Address(value)


def _parse_host(raw: str) -> str | IPAddress:
    """An IP address, or a lower-case ASCII host name without a trailing dot."""
    if raw.startswith("["):
        inner = raw[1:-1]
        if "%" in inner:
            raise OutboundRefused(OutboundRefused.ADDRESS_NOT_ALLOWED, "IPv6 zone ids are not allowed")
        try:
            return ipaddress.IPv6Address(inner)
        except ValueError:
            raise OutboundRefused(OutboundRefused.INVALID_URL, "malformed IPv6 address") from None
    try:
        host = urllib.parse.unquote(raw, errors="strict").encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise OutboundRefused(OutboundRefused.INVALID_URL, "host is not a valid name") from None
    labels = host.split(".")
    if len(labels) > 1 and labels[-1] == "":
        labels.pop()
    last = labels[-1]
    if last.isascii() and (last.isdigit() or re.fullmatch(r"0x[0-9a-f]*", last)):
        return _parse_ipv4(labels)  # a host that ends in a number is an IPv4 address, or invalid
    host = ".".join(labels)
    if not _HOST_NAME.fullmatch(host):
        raise OutboundRefused(OutboundRefused.INVALID_URL, "host is not a valid name")
    if len(labels) < 2 or any(host == suffix or host.endswith(f".{suffix}") for suffix in _SPECIAL_USE_SUFFIXES):
        raise OutboundRefused(OutboundRefused.ADDRESS_NOT_ALLOWED, f"{host} is a local or special-use name")
    return host


def _split_netloc(netloc: str) -> tuple[str, str]:
    if netloc.startswith("["):
        end = netloc.find("]")
        if end == -1 or (netloc[end + 1 :] and not netloc[end + 1 :].startswith(":")):
            raise OutboundRefused(OutboundRefused.INVALID_URL, "malformed IPv6 host")
        return netloc[: end + 1], netloc[end + 2 :]
    host, _, port = netloc.partition(":")
    return host, port


def _resolve(host: str, port: int, seconds: float) -> list[IPAddress]:
    """One DNS resolution, bounded by ``seconds`` (getaddrinfo itself cannot time out)."""
    answer: dict[str, Any] = {}

    def lookup() -> None:
        try:
            answer["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
        except (OSError, UnicodeError) as exc:
            answer["error"] = exc

    worker = threading.Thread(target=lookup, name="outbound-dns", daemon=True)
    worker.start()
    worker.join(max(seconds, 0.0))
    if worker.is_alive():
        raise OutboundRefused(OutboundRefused.TIMEOUT, f"resolving {host} took too long")
    if "error" in answer:
        raise OutboundRefused(OutboundRefused.UNREACHABLE, f"resolving {host} failed: {answer['error']}")
    addresses: list[IPAddress] = []
    for info in answer["infos"]:
        try:
            address = ipaddress.ip_address(info[4][0])
        except ValueError:
            raise OutboundRefused(OutboundRefused.ADDRESS_NOT_ALLOWED, f"{host} resolved to {info[4][0]!r}") from None
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise OutboundRefused(OutboundRefused.UNREACHABLE, f"{host} has no addresses")
    return addresses


def _validate(url: str, *, resolve: bool, deadline: float) -> ValidatedTarget:
    if not isinstance(url, str) or _FORBIDDEN_URL_CHARACTERS.search(url):
        raise OutboundRefused(OutboundRefused.INVALID_URL, "whitespace, control characters or backslashes in URL")
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        raise OutboundRefused(OutboundRefused.INVALID_URL, "unparseable URL") from None
    allow_http = _allow_http()
    scheme = parts.scheme.lower()
    if scheme != "https" and not (scheme == "http" and allow_http):
        raise OutboundRefused(OutboundRefused.SCHEME_NOT_ALLOWED, f"scheme {scheme!r}")
    if "@" in parts.netloc:
        raise OutboundRefused(OutboundRefused.INVALID_URL, "credentials in the URL")
    raw_host, raw_port = _split_netloc(parts.netloc)
    if not raw_host:
        raise OutboundRefused(OutboundRefused.INVALID_URL, "no host")
    if raw_port and not _PORT.fullmatch(raw_port):
        raise OutboundRefused(OutboundRefused.INVALID_URL, f"port {raw_port!r}")
    port = int(raw_port) if raw_port else _DEFAULT_PORTS[scheme]
    if port not in _allowed_ports(allow_http):
        raise OutboundRefused(OutboundRefused.PORT_NOT_ALLOWED, f"port {port}")

    host = _parse_host(raw_host)
    if isinstance(host, str):
        resolved = _resolve(host, port, deadline - time.monotonic()) if resolve else []
        host_name = host
    else:
        resolved = [host]
        host_name = str(host)
    addresses = tuple(str(_vetted(address)) for address in resolved)  # ANY bad address refuses the URL

    url_host = f"[{host_name}]" if ":" in host_name else host_name
    netloc = url_host if port == _DEFAULT_PORTS[scheme] else f"{url_host}:{port}"
    path = urllib.parse.quote(parts.path or "/", safe="/%:@!$&'()*+,;=~")
    if parts.query:
        path += "?" + urllib.parse.quote(parts.query, safe="/?%:@!$&'()*+,;=~")
    return ValidatedTarget(
        url=f"{scheme}://{netloc}{path}", scheme=scheme, host=host_name, port=port, path=path, addresses=addresses
    )


def validate_url(url: str, *, resolve: bool = True) -> ValidatedTarget:
    """Check ``url`` against the outbound policy and resolve its host once; raise ``OutboundRefused``.

    With ``resolve=False`` (to check a URL a tenant is saving) a host name is checked but not looked up;
    a call always resolves again, at call time, and connects only to what that resolution vetted.
    """
    return _validate(url, resolve=resolve, deadline=time.monotonic() + DEFAULT_TIMEOUT.total)


# --- Connecting --------------------------------------------------------------------------------


def _open_connection(address: str, port: int, timeout: float) -> socket.socket:
    """A TCP connection to one vetted IP literal. No name is involved, so no resolver is asked."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect((address, port))
    except BaseException:
        sock.close()
        raise
    return sock


@functools.cache
def _tls_context() -> ssl.SSLContext:
    return ssl.create_default_context()  # verifies certificates and host names, TLS 1.2 or newer


class _PinnedConnection(http.client.HTTPConnection):
    """HTTP to ``host`` (Host header) over a socket opened to one vetted address."""

    def __init__(self, target: ValidatedTarget, address: str, connect_timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=connect_timeout)
        self.vetted_address = address

    def connect(self) -> None:
        self.sock = _open_connection(self.vetted_address, self.port, self.timeout)


class _PinnedTLSConnection(_PinnedConnection):
    default_port = http.client.HTTPS_PORT

    def connect(self) -> None:
        super().connect()
        # SNI and the certificate check use the name from the URL, not the address we connected to.
        self.sock = _tls_context().wrap_socket(self.sock, server_hostname=self.host)


def _remaining(deadline: float) -> float:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise OutboundRefused(OutboundRefused.TIMEOUT, "deadline passed")
    return remaining


def _connect(target: ValidatedTarget, connect_timeout: float, deadline: float) -> _PinnedConnection:
    """Try each vetted address in turn, like ``socket.create_connection`` but without resolving."""
    connection_class = _PinnedTLSConnection if target.scheme == "https" else _PinnedConnection
    failures = []
    for address in target.addresses:
        connection = connection_class(target, address, min(connect_timeout, _remaining(deadline)))
        try:
            connection.connect()
        except ssl.SSLError as exc:  # the certificate will not be better on the next address
            connection.close()
            raise OutboundRefused(OutboundRefused.UNREACHABLE, f"TLS with {target.host} at {address} failed: {exc}") from exc
        except TimeoutError:
            connection.close()
            failures.append(f"{address}: timed out")
        except OSError as exc:
            connection.close()
            failures.append(f"{address}: {exc}")
        else:
            return connection
    code = OutboundRefused.TIMEOUT if all(failure.endswith("timed out") for failure in failures) else OutboundRefused.UNREACHABLE
    raise OutboundRefused(code, f"connecting to {target.host} failed ({'; '.join(failures) or 'no addresses'})")


class _Watchdog:
    """Cuts the connection when the deadline passes, whatever the reading code is blocked on."""

    def __init__(self, sock: socket.socket, seconds: float) -> None:
        self.fired = False
        self._sock = sock
        self._timer = threading.Timer(seconds, self._cut)
        self._timer.daemon = True
        self._timer.start()

    def _cut(self) -> None:
        self.fired = True
        with contextlib.suppress(OSError):
            # socket.socket's own shutdown, also for TLS sockets: it only shuts the descriptor and so is
            # safe while another thread reads (SSLSocket.shutdown would tear down its TLS state).
            socket.socket.shutdown(self._sock, socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


def _read_limited(response: http.client.HTTPResponse, max_bytes: int) -> bytes:
    declared = response.getheader("Content-Length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > max_bytes:
        raise OutboundRefused(OutboundRefused.RESPONSE_TOO_LARGE, f"Content-Length {declared} > {max_bytes}")
    chunks: list[bytes] = []
    received = 0
    while chunk := response.read1(min(_READ_CHUNK, max_bytes + 1 - received)):
        received += len(chunk)
        if received > max_bytes:
            raise OutboundRefused(OutboundRefused.RESPONSE_TOO_LARGE, f"more than {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _exchange(
    target: ValidatedTarget,
    method: str,
    body: bytes | None,
    headers: dict[str, str],
    *,
    timeout: Timeout,
    deadline: float,
    max_bytes: int,
) -> tuple[int, dict[str, str], bytes]:
    """One request and its whole (bounded) answer, on a fresh connection."""
    connection = _connect(target, timeout.connect, deadline)
    watchdog = None
    try:
        watchdog = _Watchdog(connection.sock, _remaining(deadline))
        connection.sock.settimeout(_remaining(deadline))
        connection.request(method, target.path, body=body, headers=headers)
        response = connection.getresponse()
        content = _read_limited(response, max_bytes)
        answer_headers: dict[str, str] = {}
        for name, value in response.getheaders():
            key = name.lower()
            answer_headers[key] = f"{answer_headers[key]}, {value}" if key in answer_headers else value
        if watchdog.fired:  # a cut connection can look like a short, complete body
            raise OutboundRefused(OutboundRefused.TIMEOUT, f"{target.host} did not finish in time")
        return response.status, answer_headers, content
    except TimeoutError as exc:
        raise OutboundRefused(OutboundRefused.TIMEOUT, f"{target.host} did not answer in time") from exc
    except (OSError, http.client.HTTPException) as exc:
        code = OutboundRefused.TIMEOUT if watchdog and watchdog.fired else OutboundRefused.UNREACHABLE
        raise OutboundRefused(code, f"{target.host}: {exc!r}") from exc
    finally:
        if watchdog:
            watchdog.cancel()
        connection.close()


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


# --- Signatures --------------------------------------------------------------------------------


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
