from __future__ import annotations

from ecosystem.jobs.services import job_finish, job_start
from ecosystem.jobs.tasks import enqueue_on_commit, platform_task, tenant_task
from ecosystem.tenancy.models import Tenant

from .services import dashboard_metrics_refresh


@tenant_task(atomic=False, time_limit=10 * 60)
def dashboard_metrics_refresh_task(tenant_id: int, job_id: int | None = None) -> None:
    tenant = Tenant.objects.get(pk=tenant_id)
    if job_id is None:
        dashboard_metrics_refresh(tenant=tenant)
        return
    if job_start(job_id=job_id) is None:
        return  # delivered twice and already done
    try:
        figures = dashboard_metrics_refresh(tenant=tenant, job_id=job_id)
    except Exception as error:
        job_finish(job_id=job_id, error=f"{type(error).__name__}: {error}")
        raise
    job_finish(job_id=job_id, result={"partners_total": figures["partners_total"]})


@platform_task()
def dashboard_metrics_refresh_all_tenants() -> int:
    """Beat sweep: one task per active tenant, so one slow tenant never holds up the others."""
    tenant_ids = list(Tenant.objects.filter(is_active=True).values_list("pk", flat=True))
    for tenant_id in tenant_ids:
        dashboard_metrics_refresh_task.delay(tenant_id)
    return len(tenant_ids)


def dashboard_metrics_enqueue(*, tenant_id: int, job_id: int) -> None:
    enqueue_on_commit(dashboard_metrics_refresh_task, tenant_id, job_id)
