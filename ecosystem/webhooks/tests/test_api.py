"""Webhooks in the API: endpoints CRUD, rotate-secret, test; the delivery log and resend; errors in the
envelope; owners only; another tenant's ids are 404."""

from __future__ import annotations

import json

import pytest

from ecosystem.tenancy.context import tenant_context
from ecosystem.webhooks import services
from ecosystem.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

from .support import URL, endpoint_for

T = "/api/v1/t/alpha"


def post(client, path, body=None, **headers):
    return client.post(path, json.dumps(body or {}), content_type="application/json", headers=headers)


def rows(world, model, **filters):
    with tenant_context(world.a.tenant.pk):
        return list(model.objects.filter(**filters))


@pytest.fixture
def owner(client, world):
    client.force_login(world.a.owner)
    return client


def test_create_answers_the_secret_once_and_the_list_never(owner, world):
    response = post(owner, f"{T}/webhook-endpoints/", {"url": URL, "event_types": ["deal.won"]}, **{"Idempotency-Key": "k1"})
    assert response.status_code == 201
    body = response.json()
    [endpoint] = rows(world, WebhookEndpoint)
    assert (body["id"], body["secret"], body["event_types"]) == (str(endpoint.public_id), endpoint.secret, ["deal.won"])
    replay = post(owner, f"{T}/webhook-endpoints/", {"url": URL, "event_types": ["deal.won"]}, **{"Idempotency-Key": "k1"})
    assert replay.json()["id"] == body["id"] and len(rows(world, WebhookEndpoint)) == 1
    listed = owner.get(f"{T}/webhook-endpoints/").json()["results"]
    assert [e["id"] for e in listed] == [body["id"]] and "secret" not in listed[0]


@pytest.mark.parametrize(
    ("body", "code", "attr"),
    [
        ({"url": "https://192.168.1.10/hook", "event_types": ["deal.won"]}, "address_not_allowed", "url"),
        ({"url": "http://hooks.example.com/", "event_types": ["deal.won"]}, "scheme_not_allowed", "url"),
        ({"url": URL, "event_types": ["deal.lost"]}, "invalid_choice", "event_types.0"),
        ({"url": URL, "event_types": []}, "empty", "event_types"),
    ],
)
def test_bad_input_is_a_400_in_the_envelope_and_writes_nothing(owner, world, body, code, attr):
    response = post(owner, f"{T}/webhook-endpoints/", body)
    assert response.status_code == 400
    error = response.json()
    assert (error["code"], error["attr"]) == (code, attr)
    assert rows(world, WebhookEndpoint) == []


def test_patch_delete_rotate_and_test(owner, world):
    endpoint = endpoint_for(world.a)
    base = f"{T}/webhook-endpoints/{endpoint.public_id}/"
    patched = owner.patch(base, json.dumps({"event_types": ["lead.offered", "deal.won"]}), content_type="application/json")
    assert patched.status_code == 200 and patched.json()["event_types"] == ["deal.won", "lead.offered"]
    rotated = post(owner, f"{base}rotate-secret/")
    [fresh] = rows(world, WebhookEndpoint)
    assert rotated.json()["secret"] == fresh.secret != endpoint.secret
    tested = post(owner, f"{base}test/")
    assert tested.status_code == 202 and tested.json()["event_type"] == "webhook.test"
    assert owner.delete(base).status_code == 204
    assert rows(world, WebhookEndpoint)[0].is_active is False


def test_the_delivery_log_filters_and_resends_a_dead_delivery(owner, world):
    endpoint = endpoint_for(world.a)
    other = endpoint_for(world.a)
    with tenant_context(world.a.tenant.pk):
        dead = services.webhook_send_test(tenant=world.a.tenant, actor=world.a.owner, endpoint=endpoint)
        services.webhook_send_test(tenant=world.a.tenant, actor=world.a.owner, endpoint=other)
        WebhookDelivery.objects.filter(pk=dead.pk).update(status=DeliveryStatus.DEAD, attempts=8, last_status_code=500)
    listed = owner.get(f"{T}/webhook-deliveries/", {"endpoint": str(endpoint.public_id)}).json()["results"]
    assert [(d["id"], d["status"], d["attempts"], d["last_status_code"]) for d in listed] == [
        (str(dead.public_id), "dead", 8, 500)
    ]
    assert len(owner.get(f"{T}/webhook-deliveries/", {"status": "pending"}).json()["results"]) == 1
    resent = post(owner, f"{T}/webhook-deliveries/{dead.public_id}/resend/")
    assert resent.status_code == 202 and resent.json()["status"] == "pending"
    again = post(owner, f"{T}/webhook-deliveries/{dead.public_id}/resend/")
    assert again.status_code == 400 and again.json()["code"] == "delivery_not_dead"


@pytest.mark.parametrize("persona", ["manager", "partner1_admin"])
def test_other_roles_get_404(client, world, persona):
    client.force_login(getattr(world.a, persona))
    assert client.get(f"{T}/webhook-endpoints/").status_code == 404
    assert client.get(f"{T}/webhook-deliveries/").status_code == 404


def test_another_tenants_endpoint_is_404_and_unchanged(owner, world):
    theirs = endpoint_for(world.b)
    assert owner.get(f"{T}/webhook-endpoints/{theirs.public_id}/").status_code == 404
    assert post(owner, f"{T}/webhook-endpoints/{theirs.public_id}/rotate-secret/").status_code == 404
    assert owner.delete(f"{T}/webhook-endpoints/{theirs.public_id}/").status_code == 404
    with tenant_context(world.b.tenant.pk):
        unchanged = WebhookEndpoint.objects.get()
    assert (unchanged.secret, unchanged.is_active) == (theirs.secret, True)
