"""Background work on stored uploads: the nightly sweep of files no row refers to, one task per tenant."""

from __future__ import annotations

from ecosystem.jobs.tasks import platform_task, tenant_task
from ecosystem.tenancy.models import Tenant

from .portal.tenant_export import tenant_export_expire
from .uploads import upload_orphans_sweep


@tenant_task(time_limit=10 * 60)
def upload_orphans_sweep_task(tenant_id: int) -> int:
    """Remove the tenant's orphaned files (older than a day, referenced by no row) and its expired data
    export zips. Idempotent."""
    tenant = Tenant.objects.get(pk=tenant_id)
    return len(upload_orphans_sweep(tenant=tenant)) + len(tenant_export_expire(tenant=tenant))


@platform_task()
def upload_orphans_sweep_all_tenants() -> int:
    tenant_ids = list(Tenant.objects.filter(is_active=True).values_list("pk", flat=True))
    for tenant_id in tenant_ids:
        upload_orphans_sweep_task.delay(tenant_id)
    return len(tenant_ids)
