"""Connections to vetted addresses only, under a deadline and a size limit.

* **No DNS rebinding.** The connection goes to a vetted IP, never to the name again; the name is
  still sent as the ``Host`` header and used for TLS SNI and certificate checks.
* **Limits.** Connect timeout 3 s and a total deadline of 10 s per call (DNS, connect, TLS, request,
  every redirect and the body), enforced by a watchdog that cuts the socket, so a server dribbling
  bytes cannot stretch it. Bodies are streamed and the call stops past ``max_bytes`` (1 MiB default).
  No compression is requested, so the limit is the size that is read.
"""

from __future__ import annotations

import contextlib
import functools
import http.client
import socket
import ssl
import threading
import time

from .base import OutboundRefused, Timeout, ValidatedTarget

_READ_CHUNK = 64 * 1024


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
