"""Every write of the webhooks app: endpoints (create, change, rotate the secret, deactivate), the outbox
(:func:`webhook_emit`), test events and resending a dead delivery.

Deliveries are sent by :mod:`ecosystem.webhooks.delivery` in a worker, after the transaction that wrote
them commits (:func:`~ecosystem.jobs.tasks.enqueue_on_commit`); the sweeper picks up whatever a lost
task or a killed worker left behind.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem import outbound
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.context import across_partners
from ecosystem.tenancy.models import Tenant

from .models import EVENT_TYPES, TEST_EVENT, DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent

SECRET_PREFIX = "whsec_"


def _new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _clean_url(url: str) -> str:
    """The URL as the outbound policy accepts it (https in production; no private or metadata hosts).

    Checked without DNS here (a form must not hang on a resolver); every delivery resolves and vets the
    addresses again, so a name that later points inside is refused at send time.
    """
    url = (url or "").strip()
    if not url:
        raise ApplicationError(_("Enter the URL that should receive the events."), code="required", field="url")
    if len(url) > 500:
        raise ApplicationError(_("Keep the URL under 500 characters."), code="too_long", field="url")
    try:
        outbound.validate_url(url, resolve=False)
    except outbound.OutboundRefused as refused:
        raise ApplicationError(refused.message, code=refused.code, field="url") from None
    return url


def _clean_event_types(event_types: Iterable[str]) -> list[str]:
    chosen = sorted(set(event_types or ()))
    if not chosen:
        raise ApplicationError(_("Choose at least one event."), code="required", field="event_types")
    unknown = [name for name in chosen if name not in EVENT_TYPES]
    if unknown:
        raise ApplicationError(
            _("Unknown event: %(names)s.") % {"names": ", ".join(unknown)}, code="invalid_choice", field="event_types"
        )
    return chosen


def webhook_endpoint_create(
    *, tenant: Tenant, actor: Any, url: str, event_types: Iterable[str], description: str = ""
) -> WebhookEndpoint:
    """A new active endpoint with a fresh secret (the caller shows ``endpoint.secret`` once)."""
    url = _clean_url(url)
    chosen = _clean_event_types(event_types)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            tenant=tenant,
            url=url,
            description=(description or "").strip()[:200],
            event_types=chosen,
            secret=_new_secret(),
            created_by=actor if isinstance(actor, get_user_model()) else None,  # None for an API key
        )
        audit_record(
            tenant=tenant, actor=actor, action="webhook.endpoint_create", target=endpoint, changes={"url": url, "events": chosen}
        )
    return endpoint


def webhook_endpoint_update(
    *,
    tenant: Tenant,
    actor: Any,
    endpoint: WebhookEndpoint,
    url: str | None = None,
    event_types: Iterable[str] | None = None,
    description: str | None = None,
    is_active: bool | None = None,
) -> WebhookEndpoint:
    """Change what is given. Deactivating stops new deliveries; open ones still go out (they were promised)."""
    changes: dict[str, Any] = {}
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        if url is not None:
            changes["url"] = locked.url = _clean_url(url)
        if event_types is not None:
            changes["events"] = locked.event_types = _clean_event_types(event_types)
        if description is not None:
            locked.description = description.strip()[:200]
        if is_active is not None:
            changes["is_active"] = locked.is_active = bool(is_active)
        locked.save()
        audit_record(tenant=tenant, actor=actor, action="webhook.endpoint_update", target=locked, changes=changes)
    return locked


def webhook_endpoint_rotate_secret(*, tenant: Tenant, actor: Any, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new secret; the old one keeps signing (``X-PRM-Signature-Previous``) for ``ROTATION_GRACE``."""
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        locked.previous_secret = locked.secret
        locked.secret = _new_secret()
        locked.rotated_at = timezone.now()
        locked.save(update_fields=["previous_secret", "secret", "rotated_at"])
        audit_record(tenant=tenant, actor=actor, action="webhook.secret_rotate", target=locked)
    return locked


def _json_ready(payload: dict) -> dict:
    """UUIDs, dates and Decimals as the JSON a receiver gets (DjangoJSONEncoder), stored that way."""
    return json.loads(json.dumps(payload, cls=DjangoJSONEncoder))


def _write_events(
    *, tenant: Tenant, event_type: str, payloads: list[dict], endpoints: list[WebhookEndpoint]
) -> list[WebhookEvent]:
    """The events and one delivery per (event, endpoint): two bulk inserts; each delivery queued after commit."""
    from . import tasks  # the task module imports the delivery module, which imports this one

    events = WebhookEvent.objects.bulk_create(
        [WebhookEvent(tenant=tenant, event_type=event_type, payload=_json_ready(payload)) for payload in payloads]
    )
    now = timezone.now()
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(tenant=tenant, event=event, endpoint=endpoint, next_attempt_at=now)
            for event in events
            for endpoint in endpoints
        ]
    )
    for delivery in deliveries:
        tasks.enqueue_delivery(tenant.pk, delivery.pk)
    return events


def _subscribed(*, tenant: Tenant, event_type: str) -> list[WebhookEndpoint]:
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event {event_type!r}")
    return list(WebhookEndpoint.objects.filter(tenant=tenant, is_active=True, event_types__contains=[event_type]).only("pk"))


def webhook_emit(*, tenant: Tenant, event_type: str, payload: dict | Callable[[], dict]) -> WebhookEvent | None:
    """Write ``event_type`` to the outbox with one delivery per active endpoint subscribed to it, inside the
    caller's transaction; the deliveries are queued after it commits. A rolled-back caller leaves nothing.

    One query when no endpoint subscribes (then no event is written, ``None`` is returned, and a callable
    ``payload`` is never called, so building it costs nothing). Safe in a partner user's scope: the outbox
    is staff-only, so it is read and written ``across_partners``.
    """
    events = webhook_emit_many(
        tenant=tenant, event_type=event_type, payloads=lambda: [payload() if callable(payload) else payload]
    )
    return events[0] if events else None


def webhook_emit_many(*, tenant: Tenant, event_type: str, payloads: Callable[[], list[dict]]) -> list[WebhookEvent]:
    """:func:`webhook_emit` for a batch (a job that raises many alerts): one event per payload, in bulk."""
    with across_partners(reason="webhook outbox rows are the vendor's, written for a partner user's action"):
        endpoints = _subscribed(tenant=tenant, event_type=event_type)
        if not endpoints:
            return []
        with transaction.atomic():
            return _write_events(tenant=tenant, event_type=event_type, payloads=payloads(), endpoints=endpoints)


def webhook_send_test(*, tenant: Tenant, actor: Any, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A ``webhook.test`` event to this endpoint only (active or not), queued after commit."""
    with transaction.atomic():
        [event] = _write_events(
            tenant=tenant,
            event_type=TEST_EVENT,
            payloads=[{"message": "This is a test event from your partner program.", "endpoint_id": str(endpoint.public_id)}],
            endpoints=[endpoint],
        )
        audit_record(
            tenant=tenant, actor=actor, action="webhook.test", target=endpoint, changes={"event_id": str(event.public_id)}
        )
    return WebhookDelivery.objects.select_related("event", "endpoint").get(event=event)


def webhook_delivery_resend(*, tenant: Tenant, actor: Any, delivery: WebhookDelivery) -> WebhookDelivery:
    """A dead delivery gets a fresh set of attempts, with the same event id (receivers deduplicate on it)."""
    from . import tasks

    with transaction.atomic():
        locked = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        if locked.status != DeliveryStatus.DEAD:
            raise ApplicationError(_("Only a delivery that gave up can be sent again."), code="delivery_not_dead")
        locked.status = DeliveryStatus.PENDING
        locked.attempts = 0
        locked.next_attempt_at = timezone.now()
        locked.save(update_fields=["status", "attempts", "next_attempt_at"])
        audit_record(tenant=tenant, actor=actor, action="webhook.resend", target=locked)
        tasks.enqueue_delivery(tenant.pk, locked.pk)
    return locked
