"""Webhook pages: owners only; create with the secret shown once, bad URLs kept; rotate, test, deactivate,
resend; the delivery log; another tenant's ids are 404; query budgets."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ecosystem.tenancy.context import tenant_context
from ecosystem.webhooks import services
from ecosystem.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

from .support import URL, endpoint_for


def url(name: str, **kwargs) -> str:
    return reverse(f"webhooks:{name}", kwargs={"tenant_slug": "alpha", **kwargs})


def rows(world, model, **filters):
    with tenant_context(world.a.tenant.pk):
        return list(model.objects.filter(**filters))


@pytest.fixture
def owner(client, world):
    client.force_login(world.a.owner)
    return client


@pytest.mark.parametrize("persona", ["manager", "analyst"])
def test_staff_other_than_owners_are_refused(client, world, persona):
    client.force_login(getattr(world.a, persona))
    assert client.get(url("endpoints")).status_code == 403


def test_partner_users_get_404(client, world):
    client.force_login(world.a.partner1_admin)
    assert client.get(url("endpoints")).status_code == 404


def test_create_shows_the_secret_once_and_lists_the_endpoint(owner, world):
    response = owner.post(url("endpoints"), {"url": URL, "description": "CRM", "event_types": ["deal.won", "lead.offered"]})
    assert response.status_code == 200
    [endpoint] = rows(world, WebhookEndpoint)
    assert endpoint.event_types == ["deal.won", "lead.offered"]
    assert endpoint.secret in response.content.decode()
    again = owner.get(url("endpoints")).content.decode()
    assert URL in again and endpoint.secret not in again


def test_a_refused_url_re_renders_with_the_error_and_what_was_typed(owner, world):
    response = owner.post(url("endpoints"), {"url": "https://169.254.169.254/latest", "event_types": ["deal.won"]})
    assert response.status_code == 400
    page = response.content.decode()
    assert "not allowed" in page and "https://169.254.169.254/latest" in page
    assert rows(world, WebhookEndpoint) == []


def test_rotate_shows_the_new_secret(owner, world):
    endpoint = endpoint_for(world.a)
    response = owner.post(url("endpoint_rotate", endpoint_id=endpoint.public_id))
    [rotated] = rows(world, WebhookEndpoint)
    assert response.status_code == 200 and rotated.secret in response.content.decode()
    assert rotated.previous_secret == endpoint.secret


def test_send_test_event_writes_a_delivery_and_redirects(owner, world):
    endpoint = endpoint_for(world.a)
    response = owner.post(url("endpoint_test", endpoint_id=endpoint.public_id))
    assert response.status_code == 302
    [delivery] = rows(world, WebhookDelivery)
    assert delivery.endpoint_id == endpoint.pk


def test_deactivate_then_reactivate(owner, world):
    endpoint = endpoint_for(world.a)
    owner.post(url("endpoint_active", endpoint_id=endpoint.public_id), {"active": "0"})
    assert rows(world, WebhookEndpoint)[0].is_active is False
    owner.post(url("endpoint_active", endpoint_id=endpoint.public_id), {"active": "1"})
    assert rows(world, WebhookEndpoint)[0].is_active is True


def test_resend_a_dead_delivery(owner, world):
    endpoint = endpoint_for(world.a)
    with tenant_context(world.a.tenant.pk):
        delivery = services.webhook_send_test(tenant=world.a.tenant, actor=world.a.owner, endpoint=endpoint)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.DEAD, attempts=8, next_attempt_at=None)
    assert owner.post(url("delivery_resend", delivery_id=delivery.public_id)).status_code == 302
    assert rows(world, WebhookDelivery)[0].status == DeliveryStatus.PENDING


def test_the_delivery_log_shows_status_attempts_code_error_and_event_id(owner, world):
    endpoint = endpoint_for(world.a)
    with tenant_context(world.a.tenant.pk):
        delivery = services.webhook_send_test(tenant=world.a.tenant, actor=world.a.owner, endpoint=endpoint)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.RETRYING, attempts=3, last_status_code=503, last_error="HTTP 503"
        )
    page = owner.get(url("endpoint", endpoint_id=endpoint.public_id)).content.decode()
    assert str(delivery.event.public_id) in page and "HTTP 503" in page and "503" in page
    assert "Failed, retrying" in page
    filtered = owner.get(url("endpoint", endpoint_id=endpoint.public_id), {"status": "delivered"}).content.decode()
    assert str(delivery.event.public_id) not in filtered


def test_another_tenants_endpoint_and_delivery_are_404_and_unchanged(owner, world):
    theirs = endpoint_for(world.b)
    with tenant_context(world.b.tenant.pk):
        delivery = services.webhook_send_test(tenant=world.b.tenant, actor=world.b.owner, endpoint=theirs)
    for name in ("endpoint",):
        assert owner.get(url(name, endpoint_id=theirs.public_id)).status_code == 404
    for name in ("endpoint_rotate", "endpoint_test", "endpoint_active"):
        assert owner.post(url(name, endpoint_id=theirs.public_id)).status_code == 404
    assert owner.post(url("delivery_resend", delivery_id=delivery.public_id)).status_code == 404
    with tenant_context(world.b.tenant.pk):
        unchanged = WebhookEndpoint.objects.get()
        assert (unchanged.secret, unchanged.is_active) == (theirs.secret, True)
        assert WebhookDelivery.objects.count() == 1


def test_endpoint_list_query_budget(owner, world, django_assert_num_queries):
    for _ in range(3):
        endpoint_for(world.a)
    owner.get(url("endpoints"))  # warm the session
    with django_assert_num_queries(QUERIES_LIST):
        assert owner.get(url("endpoints")).status_code == 200


def test_delivery_log_query_budget(owner, world, django_assert_num_queries):
    endpoint = endpoint_for(world.a)
    with tenant_context(world.a.tenant.pk):
        for _ in range(5):
            services.webhook_send_test(tenant=world.a.tenant, actor=world.a.owner, endpoint=endpoint)
    owner.get(url("endpoint", endpoint_id=endpoint.public_id))
    with django_assert_num_queries(QUERIES_DETAIL):
        assert owner.get(url("endpoint", endpoint_id=endpoint.public_id)).status_code == 200


# Every page opens and closes the same way (as partners/mdf/tests/test_views.py counts them): 1 session,
# 2 user, 3 tenant by slug, 4 savepoint + 5 set_config (the tenant scope), 6 membership; the tenant
# switcher in the nav (savepoint, set_config, memberships, set_config, release) and the scope closing
# (release savepoint, set_config): 13 statements whatever the page.
# The list: + the endpoints with their delivered/retrying/dead counts (one grouped statement).
QUERIES_LIST = 13 + 1
# The delivery log: + the endpoint, + count (paginator), + the page of deliveries with their event joined.
QUERIES_DETAIL = 13 + 3
