"""Isolation matrix rows for the webhook routes, and the tenant A objects they probe.

An endpoint of tenant A with a test delivery. Webhooks are the tenant owners': every partner user gets 404
for every route and id; the other tenant's owner gets 404 for A's ids.
"""

from __future__ import annotations

from tests.isolation.routes import Route, no_ids


def _endpoint(o: dict) -> dict:
    return {"endpoint_id": o["webhook_endpoint"]}


def _delivery(o: dict) -> dict:
    return {"delivery_id": o["webhook_delivery"]}


ROUTES: dict[str, Route] = {
    # vendor portal: owners only
    "webhooks:endpoints": Route(no_ids, ("GET", "POST")),
    "webhooks:endpoint": Route(_endpoint, ("GET",)),
    "webhooks:endpoint_rotate": Route(_endpoint, ("POST",)),
    "webhooks:endpoint_test": Route(_endpoint, ("POST",)),
    "webhooks:endpoint_active": Route(_endpoint, ("POST",)),
    "webhooks:delivery_resend": Route(_delivery, ("POST",)),
    # API, owners
    "api:webhook-endpoint-list": Route(no_ids, ("GET", "POST")),
    "api:webhook-endpoint-detail": Route(lambda o: {"public_id": o["webhook_endpoint"]}, ("GET", "PATCH", "DELETE")),
    "api:webhook-endpoint-rotate-secret": Route(lambda o: {"public_id": o["webhook_endpoint"]}, ("POST",)),
    "api:webhook-endpoint-test": Route(lambda o: {"public_id": o["webhook_endpoint"]}, ("POST",)),
    "api:webhook-delivery-list": Route(no_ids, ("GET",)),
    "api:webhook-delivery-detail": Route(lambda o: {"public_id": o["webhook_delivery"]}, ("GET",)),
    "api:webhook-delivery-resend": Route(lambda o: {"public_id": o["webhook_delivery"]}, ("POST",)),
}


def objects(a) -> dict:
    """Tenant A's webhook objects (made inside A's tenant scope)."""
    from ecosystem.webhooks import services

    endpoint = services.webhook_endpoint_create(
        tenant=a.tenant, actor=a.owner, url="https://hooks.example.com/probe", event_types=["deal.won"]
    )
    delivery = services.webhook_send_test(tenant=a.tenant, actor=a.owner, endpoint=endpoint)
    return {"webhook_endpoint": endpoint.public_id, "webhook_delivery": delivery.public_id}
