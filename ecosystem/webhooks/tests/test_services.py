"""Endpoints and the outbox: validation, secrets and rotation, emit in the caller's transaction, test events."""

from __future__ import annotations

import pytest
from django.db import transaction

from ecosystem.audit.models import AuditEntry
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.context import tenant_context
from ecosystem.webhooks import services
from ecosystem.webhooks.models import EVENT_TYPES, DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent

from .support import URL, endpoint_for


def test_the_issue_lists_twelve_event_types():
    assert len(EVENT_TYPES) == 12
    assert {"registration.submitted", "deal.won", "mdf.approved", "attribution_run.finished"} <= set(EVENT_TYPES)


def test_create_stores_url_events_and_a_fresh_secret_and_audits(world):
    endpoint = endpoint_for(world.a, events=["deal.won", "registration.submitted", "deal.won"])
    assert endpoint.url == URL
    assert endpoint.event_types == ["deal.won", "registration.submitted"]
    assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) > 40
    assert endpoint.created_by == world.a.owner
    with tenant_context(world.a.tenant.pk):
        assert AuditEntry.objects.filter(action="webhook.endpoint_create").count() == 1


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://hooks.example.com/x", "scheme_not_allowed"),
        ("https://127.0.0.1/x", "address_not_allowed"),
        ("https://169.254.169.254/latest/meta-data", "address_not_allowed"),
        ("https://localhost/x", "address_not_allowed"),
        ("https://10.0.0.5/x", "address_not_allowed"),
        ("", "required"),
    ],
)
def test_create_refuses_urls_the_outbound_policy_refuses_and_writes_nothing(world, url, code):
    with tenant_context(world.a.tenant.pk):
        with pytest.raises(ApplicationError) as refused:
            services.webhook_endpoint_create(tenant=world.a.tenant, actor=world.a.owner, url=url, event_types=["deal.won"])
        assert refused.value.field == "url"
        assert refused.value.code == code
        assert not WebhookEndpoint.objects.exists()


def test_create_refuses_unknown_or_no_events(world):
    with tenant_context(world.a.tenant.pk):
        with pytest.raises(ApplicationError) as none:
            services.webhook_endpoint_create(tenant=world.a.tenant, actor=world.a.owner, url=URL, event_types=[])
        with pytest.raises(ApplicationError) as unknown:
            services.webhook_endpoint_create(tenant=world.a.tenant, actor=world.a.owner, url=URL, event_types=["deal.lost"])
    assert (none.value.code, unknown.value.code) == ("required", "invalid_choice")


def test_rotate_keeps_the_old_secret_as_previous(world):
    endpoint = endpoint_for(world.a)
    with tenant_context(world.a.tenant.pk):
        rotated = services.webhook_endpoint_rotate_secret(tenant=world.a.tenant, actor=world.a.owner, endpoint=endpoint)
    assert rotated.previous_secret == endpoint.secret
    assert rotated.secret != endpoint.secret and rotated.rotated_at is not None


def test_emit_writes_one_event_and_one_delivery_per_active_subscribed_endpoint(world, django_capture_on_commit_callbacks):
    subscribed = endpoint_for(world.a, events=["registration.submitted", "deal.won"])
    endpoint_for(world.a, events=["deal.won"])  # not subscribed to this event
    inactive = endpoint_for(world.a, events=["registration.submitted"])
    with tenant_context(world.a.tenant.pk):
        services.webhook_endpoint_update(tenant=world.a.tenant, actor=world.a.owner, endpoint=inactive, is_active=False)
        with django_capture_on_commit_callbacks() as queued:
            event = services.webhook_emit(tenant=world.a.tenant, event_type="registration.submitted", payload={"n": 1})
        deliveries = list(WebhookDelivery.objects.all())
    assert [d.endpoint_id for d in deliveries] == [subscribed.pk]
    assert deliveries[0].event_id == event.pk and deliveries[0].status == DeliveryStatus.PENDING
    assert event.payload == {"n": 1}
    assert len(queued) == 1  # one delivery task, after commit


def test_emit_without_subscribers_writes_nothing_in_one_query(world, django_assert_num_queries):
    endpoint_for(world.a, events=["deal.won"])
    with tenant_context(world.a.tenant.pk):
        with django_assert_num_queries(1):  # the subscribed endpoints
            assert services.webhook_emit(tenant=world.a.tenant, event_type="lead.offered", payload={}) is None
        assert not WebhookEvent.objects.exists()


def emit_then_fail(world):
    with transaction.atomic():
        services.webhook_emit(tenant=world.a.tenant, event_type="registration.submitted", payload={})
        raise RuntimeError("the business rule failed after the emit")


def test_a_rolled_back_business_transaction_leaves_no_event_and_queues_nothing(world, django_capture_on_commit_callbacks):
    endpoint_for(world.a)
    with tenant_context(world.a.tenant.pk):
        with django_capture_on_commit_callbacks() as queued, pytest.raises(RuntimeError):
            emit_then_fail(world)
        assert not WebhookEvent.objects.exists()
        assert not WebhookDelivery.objects.exists()
    assert queued == []


def test_emit_from_a_partner_users_scope_writes_the_vendors_outbox(world):
    endpoint_for(world.a)
    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner1.pk):
        event = services.webhook_emit(tenant=world.a.tenant, event_type="registration.submitted", payload={})
    assert event is not None
    with tenant_context(world.a.tenant.pk):
        assert WebhookDelivery.objects.count() == 1
    with tenant_context(world.a.tenant.pk, partner_id=world.a.partner1.pk):
        assert not WebhookEvent.objects.exists()  # staff-only rows: the partner user reads none back


def test_emit_never_reaches_another_tenants_endpoints(world):
    endpoint_for(world.b)
    with tenant_context(world.a.tenant.pk):
        assert services.webhook_emit(tenant=world.a.tenant, event_type="registration.submitted", payload={}) is None


def test_send_test_targets_only_that_endpoint(world):
    one = endpoint_for(world.a)
    endpoint_for(world.a)
    with tenant_context(world.a.tenant.pk):
        delivery = services.webhook_send_test(tenant=world.a.tenant, actor=world.a.owner, endpoint=one)
        assert WebhookDelivery.objects.count() == 1
    assert delivery.endpoint_id == one.pk and delivery.event.event_type == "webhook.test"


def test_resend_only_a_dead_delivery(world):
    endpoint = endpoint_for(world.a)
    with tenant_context(world.a.tenant.pk):
        delivery = services.webhook_send_test(tenant=world.a.tenant, actor=world.a.owner, endpoint=endpoint)
        with pytest.raises(ApplicationError) as refused:
            services.webhook_delivery_resend(tenant=world.a.tenant, actor=world.a.owner, delivery=delivery)
        assert refused.value.code == "delivery_not_dead"
        WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.DEAD, attempts=8, next_attempt_at=None)
        again = services.webhook_delivery_resend(tenant=world.a.tenant, actor=world.a.owner, delivery=delivery)
    assert (again.status, again.attempts) == (DeliveryStatus.PENDING, 0)
    assert again.next_attempt_at is not None
