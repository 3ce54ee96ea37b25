"""SLA warnings: beat runs the sweep every 15 minutes (entry ``sla-breach-warnings-all-tenants``); each tenant gets its own task."""

from __future__ import annotations

from ecosystem.jobs.tasks import platform_task, tenant_task
from ecosystem.tenancy.models import Tenant

from .services import sla_breach_warnings_send


@tenant_task(time_limit=5 * 60)
def sla_breach_warnings_task(tenant_id: int) -> int:
    """Email the owing side about open items that will breach their SLA soon (each item once)."""
    return sla_breach_warnings_send(tenant=Tenant.objects.get(pk=tenant_id))


@platform_task()
def sla_breach_warnings_all_tenants() -> int:
    tenant_ids = list(Tenant.objects.filter(is_active=True).values_list("pk", flat=True))
    for tenant_id in tenant_ids:
        sla_breach_warnings_task.delay(tenant_id)
    return len(tenant_ids)
