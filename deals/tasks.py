"""Deals tasks (Celery discovers ``tasks`` modules only: other task modules of deals are imported below)."""

from __future__ import annotations

from ecosystem.jobs.tasks import platform_task, tenant_task
from ecosystem.tenancy.models import Tenant

from . import (
    import_tasks,  # noqa: F401  (registers the CRM import job)
    lead_tasks,  # noqa: F401  (registers the lead tasks)
)


@tenant_task(time_limit=10 * 60)
def protection_expiry_sweep_task(tenant_id: int) -> dict:
    """Daily, per tenant: expire lapsed approvals and remind before expiry (safe to run twice)."""
    from .workflow import protection_expiry_sweep

    return protection_expiry_sweep(tenant=Tenant.objects.get(pk=tenant_id))


@platform_task()
def protection_expiry_sweep_all_tenants() -> int:
    """Beat, daily: one sweep task per active tenant."""
    tenant_ids = list(Tenant.objects.filter(is_active=True).values_list("pk", flat=True))
    for tenant_id in tenant_ids:
        protection_expiry_sweep_task.delay(tenant_id)
    return len(tenant_ids)
