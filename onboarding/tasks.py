"""Onboarding reminders: beat runs the sweep daily; each tenant gets its own task."""

from __future__ import annotations

from ecosystem.jobs.tasks import platform_task, tenant_task
from ecosystem.tenancy.models import Tenant

from . import training_tasks  # noqa: F401  (registers the training tasks: Celery discovers ``tasks`` modules only)
from .services import onboarding_reminders_send


@tenant_task(time_limit=10 * 60)
def onboarding_reminders_task(tenant_id: int) -> int:
    return onboarding_reminders_send(tenant=Tenant.objects.get(pk=tenant_id))


@platform_task()
def onboarding_reminders_all_tenants() -> int:
    tenant_ids = list(Tenant.objects.filter(is_active=True).values_list("pk", flat=True))
    for tenant_id in tenant_ids:
        onboarding_reminders_task.delay(tenant_id)
    return len(tenant_ids)


@tenant_task(atomic=False, time_limit=30 * 60)
def rescreen_everyone_task(tenant_id: int, job_id: int) -> None:
    """After a new list is uploaded: screen every waiting application and active partner again."""
    from ecosystem.jobs.services import job_finish, job_start

    from .screening_services import rescreen_everyone

    if job_start(job_id=job_id) is None:
        return
    try:
        result = rescreen_everyone(tenant=Tenant.objects.get(pk=tenant_id), job_id=job_id)
    except Exception as error:
        job_finish(job_id=job_id, error=f"{type(error).__name__}: {error}")
        raise
    job_finish(job_id=job_id, result=result)


@tenant_task(time_limit=10 * 60)
def assurance_task(tenant_id: int) -> dict:
    from .services import assurance_lapse_and_remind

    return assurance_lapse_and_remind(tenant=Tenant.objects.get(pk=tenant_id))


@platform_task()
def assurance_all_tenants() -> int:
    """Daily: lapsed security reviews and attestations reopen (closing the gate); renewals are announced."""
    tenant_ids = list(Tenant.objects.filter(is_active=True).values_list("pk", flat=True))
    for tenant_id in tenant_ids:
        assurance_task.delay(tenant_id)
    return len(tenant_ids)
