"""The outbound policy: which URLs may be called, checked before any connection.

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
"""

from __future__ import annotations

import contextlib
import contextvars
import ipaddress
import re
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings

from .base import DEFAULT_TIMEOUT, OutboundRefused, ValidatedTarget

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


_DEFAULT_PORTS = {"https": 443, "http": 80}


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
