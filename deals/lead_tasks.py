"""Lead answer deadlines: beat runs the sweep every 15 minutes; each tenant gets its own task."""

from __future__ import annotations

from ecosystem.jobs.tasks import platform_task, tenant_task
from ecosystem.tenancy.models import Tenant

from .leads import lead_expire_sweep


@tenant_task(time_limit=10 * 60)
def lead_expire_task(tenant_id: int) -> int:
    """Offers past their answer-by time are pulled back and the leads offered to the next partner."""
    return lead_expire_sweep(tenant=Tenant.objects.get(pk=tenant_id))


@platform_task()
def lead_expire_all_tenants() -> int:
    tenant_ids = list(Tenant.objects.filter(is_active=True).values_list("pk", flat=True))
    for tenant_id in tenant_ids:
        lead_expire_task.delay(tenant_id)
    return len(tenant_ids)
