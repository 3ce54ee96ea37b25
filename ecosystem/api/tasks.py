"""API housekeeping in the background: expired Idempotency-Key records are forgotten daily, per tenant."""

from __future__ import annotations

from ecosystem.jobs.tasks import platform_task, tenant_task
from ecosystem.tenancy.models import Tenant

from .idempotency import idempotency_keys_purge


@tenant_task(time_limit=10 * 60)
def idempotency_keys_purge_task(tenant_id: int) -> int:
    return idempotency_keys_purge(tenant=Tenant.objects.get(pk=tenant_id))


@platform_task()
def idempotency_keys_purge_all_tenants() -> int:
    tenant_ids = list(Tenant.objects.filter(is_active=True).values_list("pk", flat=True))
    for tenant_id in tenant_ids:
        idempotency_keys_purge_task.delay(tenant_id)
    return len(tenant_ids)
