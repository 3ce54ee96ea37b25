"""Delivery: headers and signature, retries with backoff, dead letters, and a worker killed mid-delivery."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from ecosystem import outbound
from ecosystem.tenancy.context import tenant_context
from ecosystem.webhooks import delivery as delivery_module
from ecosystem.webhooks import services
from ecosystem.webhooks.delivery import LEASE, backoff, webhook_delivery_send, webhook_sweep_due
from ecosystem.webhooks.models import MAX_ATTEMPTS, DeliveryStatus, WebhookDelivery

from .support import URL, endpoint_for


def emitted(world, endpoint_events=("registration.submitted",)):
    endpoint = endpoint_for(world.a, events=endpoint_events)
    with tenant_context(world.a.tenant.pk):
        event = services.webhook_emit(
            tenant=world.a.tenant, event_type="registration.submitted", payload={"registration_id": "r-1", "amount": "10.50"}
        )
        delivery = WebhookDelivery.objects.get(event=event)
    return endpoint, event, delivery


def send(world, delivery_id):
    with tenant_context(world.a.tenant.pk, atomic=False):
        return webhook_delivery_send(delivery_id=delivery_id)


def state(world, delivery_id) -> WebhookDelivery:
    with tenant_context(world.a.tenant.pk):
        return WebhookDelivery.objects.get(pk=delivery_id)


def move_clock(monkeypatch, delta: datetime.timedelta):
    now = timezone.now() + delta
    monkeypatch.setattr(delivery_module, "_now", lambda: now)


def test_a_2xx_marks_delivered_with_event_headers_and_a_verifiable_signature(world, receiver):
    endpoint, event, delivery = emitted(world)
    sent = send(world, delivery.pk)
    assert (sent.status, sent.attempts, sent.last_status_code) == (DeliveryStatus.DELIVERED, 1, 200)
    assert sent.delivered_at is not None and sent.next_attempt_at is None
    request = receiver.requests[0]
    headers = request["headers"]
    assert (request["method"], request["url"]) == ("POST", URL)
    assert headers["X-PRM-Event"] == "registration.submitted"
    assert headers["X-PRM-Event-Id"] == str(event.public_id)
    assert outbound.verify_signature(
        request["body"], secret=endpoint.secret, timestamp=headers["X-PRM-Timestamp"], signature=headers["X-PRM-Signature"]
    )
    assert "X-PRM-Signature-Previous" not in headers
    body = receiver.payload()
    assert (body["id"], body["type"], body["data"]) == (
        str(event.public_id),
        "registration.submitted",
        {"registration_id": "r-1", "amount": "10.50"},
    )
    assert request["max_bytes"] == 64 * 1024 and request["timeout"].total == 10.0


def test_after_rotation_both_secrets_sign_during_the_grace_period_then_only_the_new(world, receiver, monkeypatch):
    endpoint, _event, delivery = emitted(world)
    with tenant_context(world.a.tenant.pk):
        rotated = services.webhook_endpoint_rotate_secret(tenant=world.a.tenant, actor=world.a.owner, endpoint=endpoint)
    send(world, delivery.pk)
    headers, body = receiver.requests[0]["headers"], receiver.requests[0]["body"]
    timestamp = headers["X-PRM-Timestamp"]
    assert outbound.verify_signature(body, secret=rotated.secret, timestamp=timestamp, signature=headers["X-PRM-Signature"])
    assert outbound.verify_signature(
        body, secret=endpoint.secret, timestamp=timestamp, signature=headers["X-PRM-Signature-Previous"]
    )
    with tenant_context(world.a.tenant.pk):
        test = services.webhook_send_test(tenant=world.a.tenant, actor=world.a.owner, endpoint=rotated)
    move_clock(monkeypatch, datetime.timedelta(hours=24, minutes=1))
    send(world, test.pk)
    assert "X-PRM-Signature-Previous" not in receiver.requests[1]["headers"]


@pytest.mark.parametrize("answer", [500, 404, 301])
def test_a_non_2xx_answer_schedules_a_retry_after_two_minutes_plus_jitter(world, receiver, answer):
    receiver.status = answer
    _endpoint, _event, delivery = emitted(world)
    before = timezone.now()
    sent = send(world, delivery.pk)
    assert (sent.status, sent.attempts, sent.last_status_code, sent.last_error) == (
        DeliveryStatus.RETRYING,
        1,
        answer,
        f"HTTP {answer}",
    )
    # 2^1 minutes, plus 0-10 % jitter
    assert before + datetime.timedelta(minutes=2) <= sent.next_attempt_at <= timezone.now() + datetime.timedelta(seconds=132)


def test_a_refused_or_unreachable_endpoint_is_a_failed_attempt_with_the_reason(world, receiver):
    receiver.error = outbound.OutboundRefused(outbound.OutboundRefused.ADDRESS_NOT_ALLOWED, "resolved to 10.0.0.1")
    _endpoint, _event, delivery = emitted(world)
    sent = send(world, delivery.pk)
    assert sent.status == DeliveryStatus.RETRYING and sent.last_status_code is None
    assert sent.last_error.startswith("address_not_allowed:")
    assert "10.0.0.1" not in sent.last_error  # the resolved address stays in the logs


def test_backoff_doubles_from_two_minutes_and_stops_at_six_hours():
    minutes = [backoff(n, jitter=0).total_seconds() / 60 for n in range(1, 10)]
    assert minutes == [2, 4, 8, 16, 32, 64, 128, 256, 360]
    assert backoff(3, jitter=0.1) == datetime.timedelta(minutes=8.8)


def test_dead_after_eight_failed_attempts(world, receiver, monkeypatch):
    receiver.status = 503
    _endpoint, _event, delivery = emitted(world)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        move_clock(monkeypatch, datetime.timedelta(hours=7 * attempt))  # past any backoff
        sent = send(world, delivery.pk)
        assert sent.attempts == attempt
    assert sent.status == DeliveryStatus.DEAD and sent.next_attempt_at is None
    assert len(receiver.requests) == MAX_ATTEMPTS
    move_clock(monkeypatch, datetime.timedelta(days=30))
    assert send(world, delivery.pk) is None  # a dead delivery is never sent again by itself
    assert len(receiver.requests) == MAX_ATTEMPTS


def test_a_delivered_or_not_yet_due_delivery_is_not_sent_again(world, receiver):
    _endpoint, _event, delivery = emitted(world)
    send(world, delivery.pk)
    assert send(world, delivery.pk) is None
    receiver.status = 500
    with tenant_context(world.a.tenant.pk):
        again = services.webhook_emit(tenant=world.a.tenant, event_type="registration.submitted", payload={})
        other = WebhookDelivery.objects.get(event=again)
    send(world, other.pk)  # now retrying, due in 2 minutes
    assert send(world, other.pk) is None
    assert len(receiver.requests) == 2


def test_a_worker_killed_mid_delivery_is_sent_again_after_the_lease_with_the_same_event_id(world, receiver, monkeypatch):
    _endpoint, event, delivery = emitted(world)
    receiver.crash_after_post = True
    with pytest.raises(SystemExit):
        send(world, delivery.pk)  # the POST went out; the worker died before recording it
    held = state(world, delivery.pk)
    assert (held.status, held.attempts) == (DeliveryStatus.PENDING, 1)
    with tenant_context(world.a.tenant.pk, atomic=False):
        assert webhook_sweep_due() == []  # the lease holds it: no second worker sends it meanwhile
    assert send(world, delivery.pk) is None

    receiver.crash_after_post = False
    move_clock(monkeypatch, LEASE + datetime.timedelta(seconds=1))
    with tenant_context(world.a.tenant.pk, atomic=False):
        due = webhook_sweep_due()
    assert due == [delivery.pk]
    sent = send(world, due[0])
    assert (sent.status, sent.attempts) == (DeliveryStatus.DELIVERED, 2)
    assert receiver.event_ids == [str(event.public_id), str(event.public_id)]  # two requests, one event id


def test_the_sweeper_sees_only_its_own_tenants_deliveries(world, receiver):
    emitted(world)
    with tenant_context(world.b.tenant.pk, atomic=False):
        assert webhook_sweep_due() == []


def test_emit_queues_the_delivery_task_with_the_tenant_and_delivery_ids_after_commit(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    from ecosystem.webhooks import tasks

    sent = []
    monkeypatch.setattr(tasks.webhook_deliver, "apply_async", lambda args: sent.append(args))
    endpoint_for(world.a)
    with tenant_context(world.a.tenant.pk):
        with django_capture_on_commit_callbacks(execute=True):
            event = services.webhook_emit(tenant=world.a.tenant, event_type="registration.submitted", payload={})
        delivery = WebhookDelivery.objects.get(event=event)
    assert sent == [[world.a.tenant.pk, delivery.pk]]


def test_the_sweep_fans_out_one_task_per_tenant_and_one_per_due_delivery(world, receiver, monkeypatch):
    from ecosystem.webhooks import tasks

    swept, delivered = [], []
    monkeypatch.setattr(tasks.webhook_sweep, "delay", lambda *args: swept.append(args))
    monkeypatch.setattr(tasks.webhook_deliver, "delay", lambda *args: delivered.append(args))
    receiver.status = 500
    _endpoint, _event, delivery = emitted(world)
    send(world, delivery.pk)  # failed once: due again in about 2 minutes

    assert tasks.webhook_sweep_all_tenants() == 2 and sorted(swept) == sorted([(world.a.tenant.pk,), (world.b.tenant.pk,)])
    assert tasks.webhook_sweep(world.a.tenant.pk) == 0  # not due yet
    move_clock(monkeypatch, datetime.timedelta(minutes=3))
    assert tasks.webhook_sweep(world.a.tenant.pk) == 1
    assert delivered == [(world.a.tenant.pk, delivery.pk)]
