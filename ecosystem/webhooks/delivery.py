"""Sending one delivery: claim it under a lease, POST it signed, record the answer.

1. **Claim** (own short transaction): lock the row with ``SELECT … FOR UPDATE SKIP LOCKED`` among the open
   deliveries that are due, count the attempt and push ``next_attempt_at`` to the end of a :data:`LEASE`.
   Another worker (or the sweeper) sees it as not due until the lease ends.
2. **Call** (outside any transaction): ``POST`` the envelope through :mod:`ecosystem.outbound` (SSRF policy,
   timeouts, size limit, no redirects) with ``X-PRM-Event``, ``X-PRM-Event-Id``, ``X-PRM-Timestamp`` and
   ``X-PRM-Signature`` (HMAC-SHA256 over ``f"{timestamp}.{body}"``), plus ``X-PRM-Signature-Previous``
   while a rotated secret's grace period lasts.
3. **Record** (own short transaction): 2xx → ``delivered``; anything else → ``retrying`` with
   ``next_attempt_at = now + min(2^attempts minutes, 6 h)`` plus up to 10 % jitter, or ``dead`` after
   :data:`~ecosystem.webhooks.models.MAX_ATTEMPTS` attempts.

A worker killed between 2 and 3 leaves the delivery claimed; when the lease ends the sweeper sends it
again with the same event id. Delivery is therefore at least once: receivers deduplicate on
``X-PRM-Event-Id``.
"""

from __future__ import annotations

import datetime
import json
import random
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.utils import timezone

from ecosystem import outbound
from ecosystem.tenancy.context import tenant_atomic

from .models import MAX_ATTEMPTS, OPEN_STATUSES, ROTATION_GRACE, DeliveryStatus, WebhookDelivery

LEASE = datetime.timedelta(minutes=5)  # far longer than one call may take (outbound's deadline is 10 s)
MAX_BACKOFF = datetime.timedelta(hours=6)
TIMEOUT = outbound.Timeout(connect=3.0, total=10.0)
MAX_RESPONSE_BYTES = 64 * 1024  # the answer is only read for its status
EVENT_HEADER = "X-PRM-Event"
EVENT_ID_HEADER = "X-PRM-Event-Id"
PREVIOUS_SIGNATURE_HEADER = "X-PRM-Signature-Previous"


def _now() -> datetime.datetime:
    return timezone.now()  # one place to read the clock (tests move it past a lease)


@dataclass(frozen=True)
class Outcome:
    status: str
    status_code: int | None
    error: str


def backoff(attempts: int, *, jitter: float | None = None) -> datetime.timedelta:
    """The wait after ``attempts`` failed attempts: 2^attempts minutes, at most 6 h, plus 0–10 % jitter."""
    base = min(datetime.timedelta(minutes=2**attempts), MAX_BACKOFF)
    return base * (1 + (random.uniform(0, 0.1) if jitter is None else jitter))


def due_deliveries(*, now: datetime.datetime | None = None) -> QuerySet:
    """Open deliveries whose time (or whose worker's lease) has come, oldest first."""
    now = now or _now()
    return WebhookDelivery.objects.filter(status__in=OPEN_STATUSES, next_attempt_at__lte=now).order_by("next_attempt_at", "id")


def envelope(delivery: WebhookDelivery) -> dict:
    event = delivery.event
    return {"id": str(event.public_id), "type": event.event_type, "created_at": event.created_at, "data": event.payload}


def _claim(delivery_id: int) -> WebhookDelivery | None:
    with tenant_atomic():
        delivery = (
            due_deliveries()
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("event", "endpoint")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return None  # delivered, dead, not yet due, or another worker holds it
        now = _now()
        delivery.attempts += 1  # counted at the claim, so a delivery that kills its worker still runs out
        delivery.last_attempt_at = now
        delivery.next_attempt_at = now + LEASE
        delivery.save(update_fields=["attempts", "last_attempt_at", "next_attempt_at"])
    return delivery


def _post(delivery: WebhookDelivery) -> Outcome:
    endpoint = delivery.endpoint
    body = json.dumps(envelope(delivery), cls=DjangoJSONEncoder, separators=(",", ":")).encode()
    signed = outbound.sign_body(body, secret=endpoint.secret)
    headers = {
        "Content-Type": "application/json",
        EVENT_HEADER: delivery.event.event_type,
        EVENT_ID_HEADER: str(delivery.event.public_id),
        **signed,
    }
    if endpoint.previous_secret and endpoint.rotated_at and _now() - endpoint.rotated_at < ROTATION_GRACE:
        timestamp = int(signed[outbound.TIMESTAMP_HEADER])
        previous = outbound.sign_body(body, secret=endpoint.previous_secret, timestamp=timestamp)
        headers[PREVIOUS_SIGNATURE_HEADER] = previous[outbound.SIGNATURE_HEADER]
    try:
        response = outbound.request(
            "POST", endpoint.url, body=body, headers=headers, timeout=TIMEOUT, max_bytes=MAX_RESPONSE_BYTES
        )
    except outbound.OutboundRefused as refused:
        return Outcome(DeliveryStatus.RETRYING, None, f"{refused.code}: {refused.message}"[:500])
    if 200 <= response.status < 300:
        return Outcome(DeliveryStatus.DELIVERED, response.status, "")
    return Outcome(DeliveryStatus.RETRYING, response.status, f"HTTP {response.status}")


def _record(delivery_id: int, outcome: Outcome) -> WebhookDelivery:
    with tenant_atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
        now = _now()
        delivery.last_status_code = outcome.status_code
        delivery.last_error = outcome.error
        if outcome.status == DeliveryStatus.DELIVERED:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
        elif delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.DEAD
            delivery.next_attempt_at = None
        else:
            delivery.status = DeliveryStatus.RETRYING
            delivery.next_attempt_at = now + backoff(delivery.attempts)
        delivery.save(update_fields=["status", "last_status_code", "last_error", "delivered_at", "next_attempt_at"])
    return delivery


def webhook_delivery_send(*, delivery_id: int) -> WebhookDelivery | None:
    """Claim, send and record one delivery (inside a tenant scope, outside any transaction). ``None`` when
    there was nothing to send: already delivered, dead, not due, or held by another worker."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    outcome = _post(delivery)
    return _record(delivery.pk, outcome)


def webhook_sweep_due(*, limit: int = 500) -> list[int]:
    """The ids of up to ``limit`` due deliveries of the current tenant (the sweeper queues one task each)."""
    with tenant_atomic():
        return list(due_deliveries().values_list("pk", flat=True)[:limit])
