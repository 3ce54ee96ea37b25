"""Thin Celery wrappers: one delivery per task; a per-minute sweep that fans out one task per tenant."""

from __future__ import annotations

from ecosystem.jobs.tasks import enqueue_on_commit, platform_task, tenant_task
from ecosystem.tenancy.models import Tenant


@tenant_task(time_limit=60, atomic=False)
def webhook_deliver(tenant_id: int, delivery_id: int) -> str | None:
    """Send one delivery (safe to run twice: the claim lets only one worker send it at a time)."""
    from .delivery import webhook_delivery_send

    delivery = webhook_delivery_send(delivery_id=delivery_id)
    return delivery.status if delivery else None


def enqueue_delivery(tenant_id: int, delivery_id: int) -> None:
    """Queue ``webhook_deliver`` after the current transaction commits (the sweeper is the safety net)."""
    enqueue_on_commit(webhook_deliver, tenant_id, delivery_id)


@tenant_task(time_limit=60, atomic=False)
def webhook_sweep(tenant_id: int) -> int:
    """Queue every due delivery of one tenant: retries whose backoff ended and claims whose lease ran out."""
    from .delivery import webhook_sweep_due

    due = webhook_sweep_due()
    for delivery_id in due:
        webhook_deliver.delay(tenant_id, delivery_id)
    return len(due)


@platform_task()
def webhook_sweep_all_tenants() -> int:
    """Every minute (beat): one sweep per active tenant."""
    tenant_ids = list(Tenant.objects.filter(is_active=True).values_list("pk", flat=True))
    for tenant_id in tenant_ids:
        webhook_sweep.delay(tenant_id)
    return len(tenant_ids)
