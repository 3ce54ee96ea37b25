"""The outbound HTTP client: SSRF policy, pinned connections, redirects, limits, retries, signatures.

No test touches the network: DNS answers are faked by patching ``socket.getaddrinfo``, and servers
are started on 127.0.0.1 inside the test, reachable only through ``_allow_addresses_for_tests``.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import hmac
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ecosystem import outbound
from ecosystem.errors import ApplicationError
from ecosystem.outbound import OutboundRefused

PUBLIC_V4 = "93.184.216.34"
PUBLIC_V6 = "2606:2800:220:1::1"


# --- Fakes: DNS and connections ----------------------------------------------------------------


class FakeDns:
    """Answers getaddrinfo from a table; a list of lists answers successive lookups differently."""

    def __init__(self) -> None:
        self.answers: dict[str, list[str] | list[list[str]]] = {}
        self.lookups: list[str] = []

    def __call__(self, host, port, family=0, type=0, proto=0, flags=0):
        self.lookups.append(host)
        answer = self.answers.get(host)
        if answer is None:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        if answer and isinstance(answer[0], list):
            answer = answer[min(self.lookups.count(host), len(answer)) - 1]
        infos = []
        for address in answer:
            if ":" in address:
                infos.append((socket.AF_INET6, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port, 0, 0)))
            else:
                infos.append((socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port)))
        return infos


DNS_ANSWERS: dict[str, list[str] | list[list[str]]] = {
    "public.example": [PUBLIC_V4, PUBLIC_V6],
    "internal.example": ["10.1.2.3"],
    "loopback.example": ["127.0.0.1"],  # like 127.0.0.1.nip.io
    "mixed.example": [PUBLIC_V4, "10.0.0.5"],  # one public and one private answer
    "mixed6.example": [PUBLIC_V4, "::1"],
    "metadata.example": ["169.254.169.254"],
    "imds6.example": ["fd00:ec2::254"],
    "mapped.example": ["::ffff:127.0.0.1"],
    "ula.example": ["fd12:3456::1"],
    "linklocal6.example": ["fe80::1%lo"],
    "cgnat.example": ["100.64.1.1"],
    "sixtofour.example": ["2002:c0a8:101::1"],  # 6to4 of 192.168.1.1
    "zero.example": ["0.0.0.0"],
    "xn--bcher-kva.example": ["192.168.1.10"],  # bücher.example
    "rebind-private-first.example": [["10.0.0.1"], [PUBLIC_V4]],
    "rebind.example": [[PUBLIC_V4], ["10.0.0.1"]],
}


@pytest.fixture
def dns(monkeypatch) -> FakeDns:
    fake = FakeDns()
    fake.answers.update(DNS_ANSWERS)
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return fake


@pytest.fixture
def no_connections(monkeypatch) -> list[tuple]:
    """Every way of opening a connection, recorded and refused."""
    attempts: list[tuple] = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise ConnectionRefusedError("the test forbids connections")

    monkeypatch.setattr(outbound.connection, "_open_connection", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


@pytest.fixture
def connections(monkeypatch) -> list[tuple[str, int]]:
    """Real connections, with the (address, port) of each recorded."""
    opened: list[tuple[str, int]] = []
    real = outbound._open_connection

    def spy(address: str, port: int, timeout: float) -> socket.socket:
        opened.append((address, port))
        return real(address, port, timeout)

    monkeypatch.setattr(outbound.connection, "_open_connection", spy)
    return opened


# --- A loopback HTTP server ---------------------------------------------------------------------


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        seen = Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length))
        self.server.seen.append(seen)
        with contextlib.suppress(OSError):  # the client cut us off, which is what several tests want
            self.server.respond(self, seen)

    do_POST = do_GET

    def log_message(self, format, *args) -> None:
        pass


def reply(handler: BaseHTTPRequestHandler, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
    handler.send_response(status)
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


@dataclass
class Server:
    httpd: ThreadingHTTPServer
    scheme: str
    stopping: threading.Event = field(default_factory=threading.Event)

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    @property
    def seen(self) -> list[Seen]:
        return self.httpd.seen

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"


Responder = Callable[[BaseHTTPRequestHandler, Seen], None]


@pytest.fixture
def serve(settings) -> Iterator[Callable[..., Server]]:
    """Start a loopback server; http and its port become allowed (the address still needs the hook)."""
    servers: list[Server] = []
    settings.OUTBOUND_ALLOW_HTTP = True

    def start(respond: Responder, *, tls: ssl.SSLContext | None = None) -> Server:
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        httpd.seen, httpd.respond = [], respond
        if tls is not None:
            httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
        server = Server(httpd, "https" if tls else "http")
        threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        settings.OUTBOUND_ALLOWED_PORTS = {80, 443, *getattr(settings, "OUTBOUND_ALLOWED_PORTS", ()), server.port}
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stopping.set()
        server.httpd.shutdown()
        server.httpd.server_close()


@pytest.fixture
def allow_loopback() -> Iterator[None]:
    with outbound._allow_addresses_for_tests("127.0.0.1"):
        yield


# --- 1. Internal targets: every one refused before any connection ---------------------------------

A = OutboundRefused.ADDRESS_NOT_ALLOWED
INTERNAL_TARGETS = [
    # IPv4 literals, dotted
    ("https://127.0.0.1/", A),
    ("https://127.0.0.1:443/admin", A),
    ("https://127.255.255.254/", A),
    ("https://10.0.0.1/", A),
    ("https://10.255.255.254/", A),
    ("https://172.16.0.1/", A),
    ("https://172.31.255.255/", A),
    ("https://192.168.0.1/", A),
    ("https://192.168.255.254/", A),
    ("https://169.254.169.254/latest/meta-data/", A),
    ("https://169.254.170.2/v2/credentials", A),
    ("https://100.64.0.1/", A),
    ("https://100.100.100.200/latest/meta-data/", A),
    ("https://192.0.0.192/opc/v2/instance/", A),
    ("https://0.0.0.0/", A),
    ("https://198.18.0.1/", A),
    ("https://224.0.0.1/", A),
    ("https://240.0.0.1/", A),
    ("https://255.255.255.255/", A),
    ("https://127.0.0.1./", A),
    # IPv4 in the other notations a browser (and inet_aton) accepts
    ("https://2130706433/", A),
    ("https://0x7f000001/", A),
    ("https://0x7f.1/", A),
    ("https://0x7F.0x0.0x0.0x1/", A),
    ("https://0177.0.0.1/", A),
    ("https://0177.1/", A),
    ("https://017700000001/", A),
    ("https://127.1/", A),
    ("https://127.0.1/", A),
    ("https://127.000.000.001/", A),
    ("https://0/", A),
    ("https://2852039166/", A),  # 169.254.169.254
    ("https://0xa9fea9fe/", A),
    ("https://0251.0376.0251.0376/", A),
    ("https://169.254.43518/", A),
    ("https://167772161/", A),  # 10.0.0.1
    ("https://%31%32%37%2e0.0.1/", A),
    ("https://１２７．０．０．１/", A),  # full-width digits and dots
    # IPv6 literals
    ("https://[::1]/", A),
    ("https://[0:0:0:0:0:0:0:1]/", A),
    ("https://[::]/", A),
    ("https://[::ffff:127.0.0.1]/", A),
    ("https://[::ffff:7f00:1]/", A),
    ("https://[::ffff:169.254.169.254]/", A),
    ("https://[::ffff:10.0.0.1]/", A),
    ("https://[::127.0.0.1]/", A),  # IPv4-compatible
    ("https://[fd00:ec2::254]/latest/meta-data/", A),
    ("https://[fc00::1]/", A),
    ("https://[fe80::1]/", A),
    ("https://[fe80::1%25eth0]/", A),  # zone id
    ("https://[fec0::1]/", A),
    ("https://[ff02::1]/", A),
    ("https://[2002:7f00:1::]/", A),  # 6to4 of 127.0.0.1
    ("https://[2002:a9fe:a9fe::1]/", A),  # 6to4 of 169.254.169.254
    ("https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/", A),  # Teredo, client 127.0.0.1
    ("https://[64:ff9b::7f00:1]/", A),  # NAT64 of 127.0.0.1
    ("https://[64:ff9b::a9fe:a9fe]/", A),  # NAT64 of 169.254.169.254
    ("https://[64:ff9b:1::a00:1]/", A),  # local-use NAT64
    ("https://[2001:db8::1]/", A),
    # names refused without asking DNS
    ("https://localhost/", A),
    ("https://LOCALHOST./", A),
    ("https://api.localhost/", A),
    ("https://metadata/computeMetadata/v1/", A),  # single label: search domains decide where it goes
    ("https://metadata.google.internal/", A),
    ("https://kubernetes.default.svc.cluster.local/", A),
    ("https://router.home.arpa/", A),
    # names whose DNS answer is internal (faked)
    ("https://internal.example/", A),
    ("https://loopback.example/", A),
    ("https://mixed.example/", A),
    ("https://mixed6.example/", A),
    ("https://metadata.example/", A),
    ("https://imds6.example/", A),
    ("https://mapped.example/", A),
    ("https://ula.example/", A),
    ("https://linklocal6.example/", A),
    ("https://cgnat.example/", A),
    ("https://sixtofour.example/", A),
    ("https://zero.example/", A),
    ("https://bücher.example/", A),
    ("https://rebind-private-first.example/", A),
    # parser tricks and other refusals that must also stop before connecting
    ("https://user@127.0.0.1/", OutboundRefused.INVALID_URL),
    ("https://public.example@127.0.0.1/", OutboundRefused.INVALID_URL),
    ("https://public.example\\@127.0.0.1/", OutboundRefused.INVALID_URL),
    ("https://public.example:443@10.0.0.1/", OutboundRefused.INVALID_URL),
    ("https://127.0.0.1:22/", OutboundRefused.PORT_NOT_ALLOWED),
    ("https://public.example:6379/", OutboundRefused.PORT_NOT_ALLOWED),
    ("http://127.0.0.1/", OutboundRefused.SCHEME_NOT_ALLOWED),
    ("gopher://127.0.0.1:6379/_FLUSHALL", OutboundRefused.SCHEME_NOT_ALLOWED),
    ("file:///etc/passwd", OutboundRefused.SCHEME_NOT_ALLOWED),
    ("ftp://10.0.0.1/", OutboundRefused.SCHEME_NOT_ALLOWED),
]


@pytest.mark.parametrize(("url", "code"), INTERNAL_TARGETS)
def test_internal_target_is_refused_before_any_connection(url, code, dns, no_connections):
    with pytest.raises(OutboundRefused) as refused:
        outbound.post_json(url, {"probe": True}, secret="s3cret")

    assert refused.value.code == code
    assert no_connections == []
    assert len(dns.lookups) <= 1  # resolved at most once, and literals not at all


def test_the_ssrf_suite_covers_at_least_thirty_internal_addresses():
    assert sum(1 for _, code in INTERNAL_TARGETS if code == A) >= 30


def test_ip_literals_are_refused_without_asking_dns(dns, no_connections):
    for url in ("https://0x7f.1/", "https://[::1]/", "https://2130706433/", "https://169.254.169.254/"):
        with pytest.raises(OutboundRefused):
            outbound.validate_url(url)

    assert dns.lookups == []


def test_the_refusal_message_is_generic_and_the_reason_is_for_logs(dns):
    with pytest.raises(OutboundRefused) as refused:
        outbound.validate_url("https://internal.example/")

    assert isinstance(refused.value, ApplicationError)
    assert refused.value.message == "This address is not allowed for outbound calls."
    assert "10.1.2.3" not in refused.value.message
    assert "10.1.2.3 is private" in refused.value.reason
    assert refused.value.status_code == 400


# --- 2. DNS: one resolution, connection pinned to the vetted address ---------------------------------


def test_a_public_name_is_resolved_once_and_every_address_is_kept(dns):
    target = outbound.validate_url("https://Public.Example./path?q=1#fragment")

    assert target.addresses == (PUBLIC_V4, PUBLIC_V6)
    assert target.host == "public.example"
    assert target.url == "https://public.example/path?q=1"
    assert target.path == "/path?q=1"
    assert dns.lookups == ["public.example"]


def test_dns_rebinding_cannot_move_the_connection_to_an_internal_address(dns, no_connections):
    # The first answer is public and is what gets vetted; a second lookup would say 10.0.0.1.
    with pytest.raises(OutboundRefused) as refused:
        outbound.post_json("https://rebind.example/hook", {"a": 1})

    assert refused.value.code == OutboundRefused.UNREACHABLE  # the fake refuses the vetted connection
    assert dns.lookups == ["rebind.example"]
    assert [attempt[:2] for attempt in no_connections] == [(PUBLIC_V4, 443)]


def test_an_unknown_name_is_unreachable(dns, no_connections):
    with pytest.raises(OutboundRefused) as refused:
        outbound.post_json("https://nowhere.example/", {})

    assert refused.value.code == OutboundRefused.UNREACHABLE
    assert no_connections == []


def test_validate_url_without_resolving_checks_syntax_only(dns):
    target = outbound.validate_url("https://bücher.example/", resolve=False)

    assert target.host == "xn--bcher-kva.example"
    assert target.addresses == ()
    assert dns.lookups == []


@pytest.mark.parametrize(
    ("url", "address"),
    [
        (f"https://{PUBLIC_V4}/", PUBLIC_V4),
        ("https://1572395042/", PUBLIC_V4),  # decimal forms of public addresses are fine
        (f"https://[{PUBLIC_V6}]/", PUBLIC_V6),
        ("https://[::ffff:93.184.216.34]/", PUBLIC_V4),  # IPv4-mapped: connect over IPv4
        ("https://[64:ff9b::5db8:d822]/", "64:ff9b::5db8:d822"),  # NAT64 of a public address (DNS64 networks)
        ("https://[2002:5db8:d822::1]/", "2002:5db8:d822::1"),  # 6to4 of a public address
    ],
)
def test_public_literals_are_allowed(url, address, dns):
    assert outbound.validate_url(url).addresses == (address,)


# --- 3. Schemes and ports ----------------------------------------------------------------------------


def test_http_needs_the_setting(settings):
    with pytest.raises(OutboundRefused) as refused:
        outbound.validate_url("http://public.example/", resolve=False)
    assert refused.value.code == OutboundRefused.SCHEME_NOT_ALLOWED

    settings.OUTBOUND_ALLOW_HTTP = True
    assert outbound.validate_url("http://public.example/", resolve=False).port == 80


def test_only_port_443_by_default_and_80_with_http(settings):
    with pytest.raises(OutboundRefused) as refused:
        outbound.validate_url("https://public.example:8443/", resolve=False)
    assert refused.value.code == OutboundRefused.PORT_NOT_ALLOWED
    with pytest.raises(OutboundRefused):
        outbound.validate_url("https://public.example:80/", resolve=False)

    settings.OUTBOUND_ALLOW_HTTP = True
    assert outbound.validate_url("https://public.example:80/", resolve=False).port == 80


def test_the_port_setting_replaces_the_default_set(settings):
    settings.OUTBOUND_ALLOWED_PORTS = [8443]

    assert outbound.validate_url("https://public.example:8443/", resolve=False).url == "https://public.example:8443/"
    with pytest.raises(OutboundRefused) as refused:
        outbound.validate_url("https://public.example/", resolve=False)
    assert refused.value.code == OutboundRefused.PORT_NOT_ALLOWED


@pytest.mark.parametrize(
    "url",
    [
        "https://public.example:8x/",
        "https://public.example:+443/",
        "https://public.example:٤٤٣/",  # Arabic-Indic digits
        "https:///path",
        "https://[::1/",
        "https://[::1]x/",
        "https://[v1.fe]/",
        "https://exa mple.com/",
        "https://example.com/\r\nX-Injected: 1",
        "https://256.0.0.1/",
        "https://1.2.3.4.5/",
        "https://0x100000000/",
        "https://09.1.1.1/",
        "https://foo..example/",
        "https://ex%2fample.com/",
    ],
)
def test_malformed_urls_are_invalid(url, dns, no_connections):
    with pytest.raises(OutboundRefused) as refused:
        outbound.validate_url(url)

    assert refused.value.code == OutboundRefused.INVALID_URL
    assert dns.lookups == []


# --- 4. The test-only allowance ----------------------------------------------------------------------


def test_the_test_allowance_only_takes_loopback_addresses():
    with pytest.raises(ValueError), outbound._allow_addresses_for_tests("10.0.0.1"):
        pass


def test_the_test_allowance_is_exact_and_ends_with_the_block():
    with outbound._allow_addresses_for_tests("127.0.0.1"):
        assert outbound.validate_url("https://127.0.0.1/").addresses == ("127.0.0.1",)
        with pytest.raises(OutboundRefused):
            outbound.validate_url("https://127.0.0.2/")

    with pytest.raises(OutboundRefused):
        outbound.validate_url("https://127.0.0.1/")


# --- 5. A real exchange over loopback ----------------------------------------------------------------


def test_post_json_sends_json_to_the_vetted_address_with_the_original_host(serve, allow_loopback, connections):
    server = serve(
        lambda handler, seen: reply(handler, 200, b'{"ok": true, "name": "Zo\xc3\xab"}', {"Content-Type": "application/json"})
    )

    response = outbound.post_json(server.url("/hook?x=1"), {"when": datetime.date(2025, 1, 2), "n": 1})

    (seen,) = server.seen
    assert (seen.method, seen.path) == ("POST", "/hook?x=1")
    assert seen.body == b'{"when":"2025-01-02","n":1}'
    assert seen.headers["content-type"] == "application/json"
    assert seen.headers["host"] == f"127.0.0.1:{server.port}"
    assert seen.headers["user-agent"] == outbound.USER_AGENT
    assert "x-prm-signature" not in seen.headers
    assert connections == [("127.0.0.1", server.port)]
    assert response.status == 200
    assert response.json == {"ok": True, "name": "Zoë"}
    assert response.headers["content-type"] == "application/json"
    assert response.elapsed_ms >= 0
    assert response.url == server.url("/hook?x=1")


def test_post_json_signs_the_exact_body_it_sends(serve, allow_loopback):
    verdicts = []

    def check(handler, seen):
        verdicts.append(
            outbound.verify_signature(
                seen.body,
                secret="shared",
                timestamp=seen.headers.get("x-prm-timestamp"),
                signature=seen.headers.get("x-prm-signature"),
            )
        )
        reply(handler, 204)

    server = serve(check)

    outbound.post_json(server.url(), {"credential": "ABC"}, secret="shared")

    assert verdicts == [True]


def test_a_refused_connection_is_unreachable(settings, allow_loopback):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.OUTBOUND_ALLOW_HTTP, settings.OUTBOUND_ALLOWED_PORTS = True, {port}

    with pytest.raises(OutboundRefused) as refused:
        outbound.request("GET", f"http://127.0.0.1:{port}/")

    assert refused.value.code == OutboundRefused.UNREACHABLE
    assert refused.value.status_code == 502


# --- 6. Redirects --------------------------------------------------------------------------------------


def redirect_to(location: str, status: int = 302) -> Responder:
    def respond(handler, seen):
        if seen.path.startswith("/final"):
            reply(handler, 200, b'{"final": true}')
        else:
            reply(handler, status, headers={"Location": location.replace("{port}", str(handler.server.server_address[1]))})

    return respond


def test_redirects_are_not_followed_by_default(serve, allow_loopback):
    server = serve(redirect_to("http://169.254.169.254/"))

    response = outbound.post_json(server.url("/start"), {})

    assert response.status == 302
    assert response.headers["location"] == "http://169.254.169.254/"
    assert len(server.seen) == 1


@pytest.mark.parametrize(
    ("location", "code"),
    [
        ("http://169.254.169.254/latest/meta-data/", A),
        ("http://10.0.0.1/", A),
        ("http://172.16.0.1/", A),
        ("http://192.168.1.1/", A),
        ("http://[::1]:{port}/final", A),
        ("http://[::ffff:169.254.169.254]/", A),
        ("http://0x7f.2:{port}/final", A),  # 127.0.0.2: the test allowance is for 127.0.0.1 only
        ("http://2130706434:{port}/final", A),
        ("http://0251.0376.0251.0376/", A),
        ("http://localhost:{port}/final", A),
        ("http://internal.example/", A),
        ("http://mixed.example/", A),
        ("http://user@127.0.0.1:{port}/final", OutboundRefused.INVALID_URL),
        ("http://127.0.0.1:22/", OutboundRefused.PORT_NOT_ALLOWED),
        ("file:///etc/passwd", OutboundRefused.SCHEME_NOT_ALLOWED),
        ("gopher://127.0.0.1:6379/_FLUSHALL", OutboundRefused.SCHEME_NOT_ALLOWED),
    ],
)
def test_a_redirect_to_an_internal_address_is_refused(location, code, serve, allow_loopback, connections, dns):
    server = serve(redirect_to(location))

    with pytest.raises(OutboundRefused) as refused:
        outbound.post_json(server.url("/start"), {}, allow_redirects=True)

    assert refused.value.code == code
    assert len(server.seen) == 1
    assert connections == [("127.0.0.1", server.port)]  # only the first hop was ever connected


def test_an_allowed_redirect_is_followed_and_each_hop_revalidated(serve, allow_loopback, connections, dns):
    dns.answers["hop.example"] = ["127.0.0.1"]
    server = serve(redirect_to("http://hop.example:{port}/final", status=307))

    response = outbound.post_json(server.url("/start"), {"a": 1}, secret="k", allow_redirects=True)

    assert response.status == 200
    assert response.url == f"http://hop.example:{server.port}/final"
    assert [(seen.method, seen.path, seen.body) for seen in server.seen] == [
        ("POST", "/start", b'{"a":1}'),
        ("POST", "/final", b'{"a":1}'),  # 307 repeats the method and body
    ]
    assert server.seen[1].headers["host"] == f"hop.example:{server.port}"
    assert dns.lookups == ["hop.example"]
    assert connections == [("127.0.0.1", server.port)] * 2


@pytest.mark.parametrize("status", [301, 302, 303])
def test_a_redirected_post_continues_as_a_get_without_body_or_signature(status, serve, allow_loopback):
    server = serve(redirect_to("/final", status=status))

    response = outbound.post_json(server.url("/start"), {"a": 1}, secret="k", allow_redirects=True)

    assert response.json == {"final": True}
    final = server.seen[1]
    assert (final.method, final.body) == ("GET", b"")
    assert "x-prm-signature" not in final.headers
    assert "content-type" not in final.headers


def test_more_than_three_redirects_are_refused(serve, allow_loopback):
    server = serve(redirect_to("/again"))

    with pytest.raises(OutboundRefused) as refused:
        outbound.request("GET", server.url("/start"), allow_redirects=True)

    assert refused.value.code == OutboundRefused.TOO_MANY_REDIRECTS
    assert len(server.seen) == 1 + outbound.MAX_REDIRECTS


def test_credentials_are_dropped_when_a_redirect_changes_origin(serve, allow_loopback, dns):
    dns.answers["other.example"] = ["127.0.0.1"]
    server = serve(redirect_to("http://other.example:{port}/final"))

    outbound.request("GET", server.url("/start"), headers={"Authorization": "Bearer x"}, allow_redirects=True)

    assert server.seen[0].headers["authorization"] == "Bearer x"
    assert "authorization" not in server.seen[1].headers


# --- 7. TLS: pinned address, original name for SNI and the certificate --------------------------------


@dataclass
class Certificate:
    cert_file: str
    key_file: str


def make_certificate(tmp_path, name: str) -> Certificate:
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return Certificate(str(cert_file), str(key_file))


@pytest.fixture
def tls_server(tmp_path, serve, monkeypatch, dns):
    """An HTTPS loopback server with a certificate for ``served_name``, trusted by the client."""

    def start(respond: Responder, *, served_name: str = "verifier.example") -> tuple[Server, list[str]]:
        certificate = make_certificate(tmp_path, served_name)
        server_names: list[str] = []
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certificate.cert_file, certificate.key_file)
        context.sni_callback = lambda sock, name, ctx: server_names.append(name)
        client_context = ssl.create_default_context(cafile=certificate.cert_file)
        monkeypatch.setattr(outbound.connection, "_tls_context", lambda: client_context)
        dns.answers["verifier.example"] = ["127.0.0.1"]
        return serve(respond, tls=context), server_names

    return start


def test_https_connects_to_the_vetted_address_and_checks_the_certificate_for_the_name(
    tls_server, allow_loopback, connections, dns
):
    server, server_names = tls_server(lambda handler, seen: reply(handler, 200, b"{}"))

    response = outbound.post_json(server.url("/verify", host="verifier.example"), {})

    assert response.status == 200
    assert server_names == ["verifier.example"]  # SNI carries the name, not the address
    assert server.seen[0].headers["host"] == f"verifier.example:{server.port}"
    assert connections == [("127.0.0.1", server.port)]
    assert dns.lookups == ["verifier.example"]


def test_a_certificate_for_another_name_is_unreachable(tls_server, allow_loopback):
    server, _ = tls_server(lambda handler, seen: reply(handler, 200, b"{}"), served_name="other.example")

    with pytest.raises(OutboundRefused) as refused:
        outbound.post_json(server.url("/verify", host="verifier.example"), {})

    assert refused.value.code == OutboundRefused.UNREACHABLE
    assert server.seen == []


def test_a_redirect_from_https_to_http_is_refused_even_when_http_is_allowed(tls_server, allow_loopback):
    server, _ = tls_server(redirect_to("http://127.0.0.1:{port}/final"))

    with pytest.raises(OutboundRefused) as refused:
        outbound.request("GET", server.url("/start", host="verifier.example"), allow_redirects=True)

    assert refused.value.code == OutboundRefused.SCHEME_NOT_ALLOWED


# --- 8. Size and time limits ----------------------------------------------------------------------------


def test_a_declared_oversize_body_is_refused_without_reading_it(serve, allow_loopback):
    def big(handler, seen):
        handler.send_response(200)
        handler.send_header("Content-Length", str(10 * 1024 * 1024))
        handler.end_headers()
        handler.wfile.write(b"x" * 1024)

    server = serve(big)

    with pytest.raises(OutboundRefused) as refused:
        outbound.request("GET", server.url(), max_bytes=1024 * 1024)

    assert refused.value.code == OutboundRefused.RESPONSE_TOO_LARGE


def stream(total: int, *, chunked: bool) -> Responder:
    def respond(handler, seen):
        if chunked:
            handler.protocol_version = "HTTP/1.1"
        handler.send_response(200)
        if chunked:
            handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        sent = 0
        while sent < total:
            piece = b"y" * min(16 * 1024, total - sent)
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            sent += len(piece)
        if chunked:
            handler.wfile.write(b"0\r\n\r\n")
        handler.close_connection = True

    return respond


@pytest.mark.parametrize("chunked", [False, True])
def test_an_undeclared_oversize_body_is_cut_off_while_streaming(chunked, serve, allow_loopback):
    server = serve(stream(5 * 1024 * 1024, chunked=chunked))

    with pytest.raises(OutboundRefused) as refused:
        outbound.request("GET", server.url(), max_bytes=256 * 1024)

    assert refused.value.code == OutboundRefused.RESPONSE_TOO_LARGE


@pytest.mark.parametrize("chunked", [False, True])
def test_a_body_of_exactly_the_limit_is_accepted_and_one_byte_more_is_not(chunked, serve, allow_loopback):
    server = serve(stream(1000, chunked=chunked))

    assert len(outbound.request("GET", server.url(), max_bytes=1000).content) == 1000
    with pytest.raises(OutboundRefused):
        outbound.request("GET", server.url(), max_bytes=999)


def test_a_server_that_does_not_answer_times_out(serve, allow_loopback):
    server = serve(lambda handler, seen: server.stopping.wait(5))

    started = time.monotonic()
    with pytest.raises(OutboundRefused) as refused:
        outbound.request("GET", server.url(), timeout=0.5)

    assert refused.value.code == OutboundRefused.TIMEOUT
    assert time.monotonic() - started < 2


def test_the_total_deadline_holds_against_a_server_that_dribbles(serve, allow_loopback):
    def dribble(handler, seen):
        handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
        for _ in range(100):  # one header byte every 50 ms: each read is quick, the whole is not
            handler.wfile.write(b"X")
            handler.wfile.flush()
            if server.stopping.wait(0.05):
                return

    server = serve(dribble)

    started = time.monotonic()
    with pytest.raises(OutboundRefused) as refused:
        outbound.request("GET", server.url(), timeout=outbound.Timeout(connect=1, total=0.6))

    assert refused.value.code == OutboundRefused.TIMEOUT
    assert time.monotonic() - started < 2


def test_a_connect_timeout_is_a_timeout(monkeypatch, dns):
    def slow(address, port, timeout):
        raise TimeoutError("timed out")

    monkeypatch.setattr(outbound.connection, "_open_connection", slow)

    with pytest.raises(OutboundRefused) as refused:
        outbound.request("GET", "https://public.example/")

    assert refused.value.code == OutboundRefused.TIMEOUT


def test_a_number_timeout_is_the_total_and_caps_the_connect_timeout():
    assert outbound._as_timeout(1.5) == outbound.Timeout(connect=1.5, total=1.5)
    assert outbound._as_timeout(20) == outbound.Timeout(connect=3.0, total=20.0)


# --- 9. Retries with backoff ----------------------------------------------------------------------------


def answers(*statuses: int) -> Responder:
    remaining = list(statuses)

    def respond(handler, seen):
        reply(handler, remaining.pop(0) if len(remaining) > 1 else remaining[0], b"{}")

    return respond


def test_a_retry_after_503s_succeeds_with_exponential_backoff(serve, allow_loopback):
    server = serve(answers(503, 502, 200))
    sleeps: list[float] = []

    response = outbound.retrying(lambda: outbound.request("GET", server.url()), attempts=3, backoff=0.5, sleep=sleeps.append)

    assert response.status == 200
    assert sleeps == [0.5, 1.0]
    assert len(server.seen) == 3


def test_the_last_gateway_error_is_returned_when_attempts_run_out(serve, allow_loopback):
    server = serve(answers(504))
    sleeps: list[float] = []

    response = outbound.retrying(lambda: outbound.request("GET", server.url()), attempts=3, sleep=sleeps.append)

    assert response.status == 504
    assert len(server.seen) == 3
    assert len(sleeps) == 2


@pytest.mark.parametrize("status", [200, 400, 404, 500])
def test_other_statuses_are_not_retried(status, serve, allow_loopback):
    server = serve(answers(status))
    sleeps: list[float] = []

    response = outbound.retrying(lambda: outbound.request("GET", server.url()), sleep=sleeps.append)

    assert response.status == status
    assert (len(server.seen), sleeps) == (1, [])


@pytest.mark.parametrize("code", [OutboundRefused.UNREACHABLE, OutboundRefused.TIMEOUT])
def test_connection_failures_are_retried_and_the_last_one_raised(code):
    calls, sleeps = [], []

    def failing():
        calls.append(1)
        raise OutboundRefused(code, "down")

    with pytest.raises(OutboundRefused) as refused:
        outbound.retrying(failing, attempts=4, backoff=1, sleep=sleeps.append)

    assert refused.value.code == code
    assert (len(calls), sleeps) == (4, [1, 2, 4])


@pytest.mark.parametrize("code", [A, OutboundRefused.RESPONSE_TOO_LARGE, OutboundRefused.TOO_MANY_REDIRECTS])
def test_refusals_are_never_retried(code):
    calls, sleeps = [], []

    def refused():
        calls.append(1)
        raise OutboundRefused(code)

    with pytest.raises(OutboundRefused):
        outbound.retrying(refused, sleep=sleeps.append)

    assert (len(calls), sleeps) == (1, [])


def test_backoff_is_capped():
    sleeps: list[float] = []

    def failing():
        raise OutboundRefused(OutboundRefused.UNREACHABLE)

    with pytest.raises(OutboundRefused):
        outbound.retrying(failing, attempts=6, backoff=1, max_backoff=4, sleep=sleeps.append)

    assert sleeps == [1, 2, 4, 4, 4]


# --- 10. Signatures --------------------------------------------------------------------------------------

BODY = b'{"credential_number":"C-1"}'
NOW = 1_700_000_000


def signed(body=BODY, secret="shared", timestamp=NOW) -> dict[str, str]:
    return outbound.sign_body(body, secret=secret, timestamp=timestamp)


def verify(headers: dict[str, str | None], body=BODY, secret="shared", now=NOW, **kwargs) -> bool:
    return outbound.verify_signature(
        body,
        secret=secret,
        timestamp=headers.get("X-PRM-Timestamp"),
        signature=headers.get("X-PRM-Signature"),
        now=now,
        **kwargs,
    )


def test_the_signature_is_hmac_sha256_over_timestamp_dot_body():
    expected = hmac.new(b"shared", b"1700000000." + BODY, hashlib.sha256).hexdigest()

    assert signed() == {"X-PRM-Timestamp": "1700000000", "X-PRM-Signature": f"sha256={expected}"}
    assert signed(body=BODY.decode()) == signed()


def test_a_fresh_signature_verifies():
    assert verify(signed())
    assert verify(signed(), now=NOW + 300)
    assert verify(outbound.sign_body(BODY, secret="shared"), now=time.time())


@pytest.mark.parametrize(
    ("headers", "kwargs"),
    [
        (signed(), {"body": BODY + b" "}),  # tampered body
        (signed(), {"secret": "other"}),
        (signed(), {"now": NOW + 301}),  # expired
        (signed(), {"now": NOW - 301}),  # from the future
        (signed(), {"now": NOW + 61, "max_age": 60}),
        ({**signed(), "X-PRM-Timestamp": str(NOW + 1)}, {}),  # timestamp moved
        ({**signed(), "X-PRM-Signature": signed()["X-PRM-Signature"][:-1] + "0"}, {}),
        ({**signed(), "X-PRM-Signature": signed()["X-PRM-Signature"].removeprefix("sha256=")}, {}),
        ({**signed(), "X-PRM-Signature": "sha256=é"}, {}),
        ({**signed(), "X-PRM-Timestamp": "17e8"}, {}),
        ({**signed(), "X-PRM-Timestamp": None}, {}),
        ({**signed(), "X-PRM-Signature": None}, {}),
        ({**signed(), "X-PRM-Signature": ""}, {}),
    ],
)
def test_a_tampered_expired_or_missing_signature_fails(headers, kwargs):
    assert verify(headers, **kwargs) is False


def test_signing_needs_a_secret():
    with pytest.raises(ValueError):
        outbound.sign_body(BODY, secret="")
