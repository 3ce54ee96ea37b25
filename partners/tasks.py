"""Nightly tier evaluation: beat runs the sweep, one task per tenant."""

from __future__ import annotations

from ecosystem.jobs.tasks import platform_task, tenant_task
from ecosystem.tenancy.models import Tenant

from .tiers import tier_evaluate_all


@tenant_task(time_limit=20 * 60)
def tier_evaluate_task(tenant_id: int) -> dict:
    return tier_evaluate_all(tenant=Tenant.objects.get(pk=tenant_id))


@platform_task()
def tier_evaluate_all_tenants() -> int:
    tenant_ids = list(Tenant.objects.filter(is_active=True).values_list("pk", flat=True))
    for tenant_id in tenant_ids:
        tier_evaluate_task.delay(tenant_id)
    return len(tenant_ids)
