"""A real worker process is killed (SIGKILL) while its POST is in flight: every event still arrives, and
the one sent twice carries the same event id both times.

Two Celery workers run as processes of their own (``worker_process.py``) on the real Redis and the test
database; the receiver is an HTTP server in this process on 127.0.0.1. The first request it gets is
held open until the worker that sent it has been killed, so that delivery is claimed and posted but
never recorded. The second worker delivers the rest from the queue, and the sweep sends the lost one
again once its lease has run out (three seconds here, five minutes in production).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings

from ecosystem.tenancy.context import tenant_context
from ecosystem.webhooks import services
from ecosystem.webhooks.delivery import EVENT_ID_HEADER
from ecosystem.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from ecosystem.webhooks.tasks import webhook_sweep

LEASE_SECONDS = 3.0
EVENTS = 5


class HoldFirst(BaseHTTPRequestHandler):
    """Records each POST's event id; holds the first one open until the test says so."""

    server: ThreadingHTTPServer

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        state = self.server.state
        with state["lock"]:
            state["event_ids"].append(self.headers[EVENT_ID_HEADER])
            first = len(state["event_ids"]) == 1
        if first:
            state["holding"].set()
            state["release"].wait(30)
        try:
            self.send_response(204)
            self.end_headers()
        except OSError:
            pass  # the worker that asked is dead

    def log_message(self, *args) -> None:
        pass


def start_worker_process(port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ecosystem.settings.test",
        # the same run id and xdist worker name give the same test database, queue and cache prefix
        "PYTEST_XDIST_TESTRUNUID": settings.TEST_RUN_ID,
        "PYTEST_XDIST_WORKER": os.environ.get("PYTEST_XDIST_WORKER", "main"),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "ecosystem.webhooks.tests.worker_process", str(port), str(LEASE_SECONDS)],
        env=env,
        cwd=settings.BASE_DIR,
    )


def wait_for(check, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_delivery_loses_no_event_and_the_resend_has_the_same_event_id(committed_world):
    tenant = committed_world.a.tenant
    server = ThreadingHTTPServer(("127.0.0.1", 0), HoldFirst)
    server.state = {"lock": threading.Lock(), "event_ids": [], "holding": threading.Event(), "release": threading.Event()}
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    with tenant_context(tenant.pk):
        WebhookEndpoint.objects.create(
            tenant=tenant, url=f"http://127.0.0.1:{port}/hook", event_types=["registration.submitted"], secret="s" * 40
        )

    first = start_worker_process(port)
    second = None
    try:
        with tenant_context(tenant.pk):  # committed on leaving: the deliveries are queued then
            emitted = [
                str(services.webhook_emit(tenant=tenant, event_type="registration.submitted", payload={"n": n}).public_id)
                for n in range(EVENTS)
            ]
        assert server.state["holding"].wait(90), "the first worker never posted"
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        killed_at = time.monotonic()
        server.state["release"].set()
        [lost] = server.state["event_ids"]

        second = start_worker_process(port)
        time.sleep(max(0.0, killed_at + LEASE_SECONDS + 0.5 - time.monotonic()))
        webhook_sweep.delay(tenant.pk)  # what beat does every minute

        last_sweep = [time.monotonic()]

        def delivered():
            with tenant_context(tenant.pk):
                rows = list(WebhookDelivery.objects.values_list("event__public_id", "status", "attempts"))
            done = all(status == DeliveryStatus.DELIVERED for _, status, _ in rows)
            if not done and time.monotonic() - last_sweep[0] > 2:
                webhook_sweep.delay(tenant.pk)  # in case the lease had not quite run out at the last sweep
                last_sweep[0] = time.monotonic()
            return done and rows

        rows = wait_for(delivered, 90, "every delivery to be delivered")
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(20)
        server.shutdown()

    received = Counter(server.state["event_ids"])
    assert set(received) == set(emitted) and len(rows) == EVENTS  # every event arrived
    assert received[lost] == 2  # the lost one twice, recognisable by its id
    assert all(count == 1 for event_id, count in received.items() if event_id != lost)
    attempts = {str(event_id): count for event_id, _, count in rows}
    assert attempts[lost] == 2 and all(attempts[e] == 1 for e in emitted if e != lost)
