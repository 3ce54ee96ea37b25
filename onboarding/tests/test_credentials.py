"""The HTTP credential verifier against a loopback issuer that checks the request signature."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ecosystem import outbound
from onboarding.credentials import CredentialVerifier, HttpCredentialVerifier, VerificationResult, holder_names_match

SECRET = "issuer-shared-secret"
VALID_ADA = {"valid": True, "holder_name": "Ada Lovelace", "expires_on": "2099-12-31"}
ANSWERS = {
    "CERT-1": (200, VALID_ADA),
    "CERT-404": (200, {"valid": False, "holder_name": None, "expires_on": None}),
    "CERT-2": (200, {"valid": True, "holder_name": "Grace Hopper", "expires_on": None}),
    "CERT-500": (500, {"error": "database unavailable"}),
    "CERT-OLD": (200, {**VALID_ADA, "expires_on": "2001-01-01"}),
    "CERT-NONAME": (200, {"valid": True, "expires_on": None}),
    "CERT-BADDATE": (200, {**VALID_ADA, "expires_on": "31/12/2099"}),
    "CERT-BADVALID": (200, {"valid": "yes", "holder_name": "Ada Lovelace"}),
}


class IssuerHandler(BaseHTTPRequestHandler):
    """Answers like an issuer: 401 unless the signature verifies, then looks the number up."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        server = self.server
        signed = outbound.verify_signature(
            body, secret=SECRET, timestamp=self.headers.get("X-PRM-Timestamp"), signature=self.headers.get("X-PRM-Signature")
        )
        request = json.loads(body)
        server.received.append({"signed": signed, "body": request, "content_type": self.headers["Content-Type"]})
        number = request["credential_number"]
        if not signed:
            status, raw = 401, b'{"error": "bad signature"}'
        elif number == "CERT-FLAKY":
            flaky_calls = sum(1 for seen in server.received if seen["body"]["credential_number"] == "CERT-FLAKY")
            status, raw = (503, b"busy") if flaky_calls == 1 else (200, json.dumps(VALID_ADA).encode())
        elif number == "CERT-NOTJSON":
            status, raw = 200, b"<html>hello</html>"
        elif number == "CERT-SLOW":
            server.stopping.wait(5)
            return
        else:
            status, answer = ANSWERS[number]
            raw = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, format, *args) -> None:
        pass


@pytest.fixture
def issuer(settings) -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), IssuerHandler)
    httpd.received, httpd.stopping = [], threading.Event()
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    settings.OUTBOUND_ALLOW_HTTP = True
    settings.OUTBOUND_ALLOWED_PORTS = {80, 443, httpd.server_address[1]}
    with outbound._allow_addresses_for_tests("127.0.0.1"):
        yield httpd
    httpd.stopping.set()
    httpd.shutdown()
    httpd.server_close()


def verifier_for(issuer: ThreadingHTTPServer, *, secret: str = SECRET, **kwargs) -> HttpCredentialVerifier:
    url = f"http://127.0.0.1:{issuer.server_address[1]}/verify"
    return HttpCredentialVerifier(url, secret, **{"timeout": 5.0, "retries": 0, "backoff": 0.0, **kwargs})


def check(verifier: HttpCredentialVerifier, number: str, holder_name: str = "Ada Lovelace") -> VerificationResult:
    return verifier.verify(
        credential_number=number, holder_name=holder_name, holder_email="ada@example.com", issuer="Acme Academy"
    )


def test_a_valid_credential_of_the_same_holder_is_verified(issuer):
    result = check(verifier_for(issuer), "CERT-1", holder_name="  ada   LOVELACE ")

    assert result.status == "verified"
    assert result.is_verified
    assert issuer.received == [
        {
            "signed": True,
            "content_type": "application/json",
            "body": {
                "credential_number": "CERT-1",
                "holder_name": "  ada   LOVELACE ",
                "holder_email": "ada@example.com",
                "issuer": "Acme Academy",
            },
        }
    ]
    evidence = result.evidence
    assert evidence["status_code"] == 200
    assert evidence["answer"] == VALID_ADA
    assert evidence["endpoint_host"] == "127.0.0.1"
    assert evidence["expired"] is False
    assert isinstance(evidence["elapsed_ms"], int)
    assert evidence["checked_at"]


def test_an_invalid_credential_is_not_found(issuer):
    result = check(verifier_for(issuer), "CERT-404")

    assert result.status == "not_found"
    assert result.evidence["answer"]["valid"] is False


def test_a_valid_credential_of_someone_else_is_a_mismatch(issuer):
    result = check(verifier_for(issuer), "CERT-2")

    assert result.status == "mismatch"
    assert result.evidence["answer"]["holder_name"] == "Grace Hopper"


def test_a_server_error_is_an_error_with_the_answer_kept(issuer):
    result = check(verifier_for(issuer), "CERT-500")

    assert result.status == "error"
    assert result.evidence["status_code"] == 500
    assert result.evidence["error_code"] == "unexpected_status"
    assert result.evidence["answer"] == {"error": "database unavailable"}


def test_a_wrong_secret_is_rejected_by_the_issuer_and_is_an_error(issuer):
    result = check(verifier_for(issuer, secret="not-the-secret"), "CERT-1")

    assert issuer.received[0]["signed"] is False
    assert result.status == "error"
    assert result.evidence["status_code"] == 401


def test_an_expired_credential_is_recorded_as_expired(issuer):
    result = check(verifier_for(issuer), "CERT-OLD")

    assert result.status == "verified"
    assert result.evidence["expired"] is True


@pytest.mark.parametrize("number", ["CERT-NOTJSON", "CERT-NONAME", "CERT-BADDATE", "CERT-BADVALID"])
def test_a_malformed_answer_is_an_error(number, issuer):
    result = check(verifier_for(issuer), number)

    assert result.status == "error"
    assert result.evidence["error_code"] == "invalid_answer"


def test_a_gateway_error_is_retried(issuer):
    result = check(verifier_for(issuer, retries=1), "CERT-FLAKY")

    assert result.status == "verified"
    assert len(issuer.received) == 2
    assert all(seen["signed"] for seen in issuer.received)


def test_without_retries_a_gateway_error_is_an_error(issuer):
    result = check(verifier_for(issuer, retries=0), "CERT-FLAKY")

    assert result.status == "error"
    assert result.evidence["status_code"] == 503
    assert result.evidence["answer_excerpt"] == "busy"


def test_a_slow_issuer_is_an_error_not_a_hang(issuer):
    result = check(verifier_for(issuer, timeout=0.5), "CERT-SLOW")

    assert result.status == "error"
    assert result.evidence["error_code"] == "timeout"


def test_an_endpoint_at_an_internal_address_is_refused_when_configured(settings):
    for url in (
        "https://169.254.169.254/verify",
        "https://0x7f.1/verify",
        "http://10.0.0.1/verify",
        "https://user@issuer.example/",
    ):
        with pytest.raises(outbound.OutboundRefused):
            HttpCredentialVerifier(url, SECRET)


def test_an_endpoint_name_resolving_inside_is_an_error_without_connecting(monkeypatch):
    connections = []
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, port, *args, **kwargs: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port))],
    )
    monkeypatch.setattr(outbound.connection, "_open_connection", lambda *args: connections.append(args))
    verifier = HttpCredentialVerifier("https://issuer.example/verify", SECRET)

    result = check(verifier, "CERT-1")

    assert result.status == "error"
    assert result.evidence["error_code"] == "address_not_allowed"
    assert result.evidence["endpoint_host"] == "issuer.example"
    assert "10.0.0.7" not in json.dumps(result.evidence)
    assert connections == []


def test_the_http_verifier_is_a_credential_verifier():
    verifier = HttpCredentialVerifier("https://issuer.example/verify", SECRET)

    assert isinstance(verifier, CredentialVerifier)
    assert SECRET not in repr(verifier)


def test_a_verifier_needs_a_secret():
    with pytest.raises(ValueError):
        HttpCredentialVerifier("https://issuer.example/verify", "")


@pytest.mark.parametrize(
    ("claimed", "answered", "same"),
    [
        ("Ada Lovelace", "ada lovelace", True),
        ("  Ada\tLovelace ", "ADA LOVELACE", True),
        ("Jürgen Straße", "JÜRGEN STRASSE", True),
        ("Ａｄａ Lovelace", "Ada Lovelace", True),  # full-width letters
        ("Ada Lovelace", "Ada Byron", False),
        ("Ada Lovelace", "AdaLovelace", False),
    ],
)
def test_holder_names_are_compared_without_case_or_spacing(claimed, answered, same):
    assert holder_names_match(claimed, answered) is same
