"""Shared set-up for the webhook tests: an endpoint and a fake receiver in place of the network."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from ecosystem import outbound
from ecosystem.tenancy.context import tenant_context
from ecosystem.webhooks import services

URL = "https://hooks.example.com/prm"


@dataclass
class Receiver:
    """Stands in for the tenant's server: records each request and answers ``status`` (or raises ``error``)."""

    status: int = 200
    error: Exception | None = None
    crash_after_post: bool = False
    requests: list[dict] = field(default_factory=list)

    def __call__(self, method, url, *, body=None, headers=None, **kwargs):
        self.requests.append({"method": method, "url": url, "body": body, "headers": dict(headers or {}), **kwargs})
        if self.error is not None:
            raise self.error
        if self.crash_after_post:
            raise SystemExit("worker killed after the POST, before recording it")
        return outbound.OutboundResponse(status=self.status, headers={}, content=b"ok", elapsed_ms=3, url=url)

    @property
    def event_ids(self) -> list[str]:
        return [r["headers"]["X-PRM-Event-Id"] for r in self.requests]

    def payload(self, index: int = -1) -> dict:
        return json.loads(self.requests[index]["body"])


def endpoint_for(tenant_world, *, events=("registration.submitted",), url: str = URL, **kwargs):
    with tenant_context(tenant_world.tenant.pk, user_id=tenant_world.owner.pk):
        return services.webhook_endpoint_create(
            tenant=tenant_world.tenant, actor=tenant_world.owner, url=url, event_types=events, **kwargs
        )
