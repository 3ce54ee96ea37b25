"""Retention in the background: each night every tenant's engagement events older than its setting go."""

from __future__ import annotations

from ecosystem.jobs.tasks import platform_task, tenant_task
from ecosystem.tenancy.models import Tenant

from .services import engagement_events_purge


# atomic=False: the purge commits batch by batch (each in its own tenant transaction).
@tenant_task(time_limit=30 * 60, atomic=False)
def engagement_retention_task(tenant_id: int) -> int:
    return engagement_events_purge(tenant=Tenant.objects.get(pk=tenant_id))


@platform_task()
def engagement_retention_all_tenants() -> int:
    tenant_ids = list(Tenant.objects.filter(is_active=True).values_list("pk", flat=True))
    for tenant_id in tenant_ids:
        engagement_retention_task.delay(tenant_id)
    return len(tenant_ids)
