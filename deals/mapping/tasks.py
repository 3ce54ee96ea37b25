"""Matching runs in the background as a job with progress: after acceptance, list changes, raised sharing, and nightly.

Beat entry (settings): ``"account-mapping-all-tenants"`` → ``deals.mapping.tasks.account_mapping_all_tenants``, daily.
"""

from __future__ import annotations

from ecosystem.jobs.models import Job
from ecosystem.jobs.services import job_create, job_finish, job_progress, job_start
from ecosystem.jobs.tasks import enqueue_on_commit, platform_task, tenant_task
from ecosystem.tenancy.context import tenant_atomic
from ecosystem.tenancy.models import Tenant

from .matching import partnership_match
from .models import MappingPartnership, MappingPartnershipStatus

JOB_KIND = "account_mapping"


def match_enqueue(*, tenant: Tenant, partnership_id: int, actor=None) -> Job:
    """A job row now and the task after commit (call inside the tenant scope, staff or partner alike)."""
    from ecosystem.tenancy.context import across_partners

    with across_partners(reason="mapping: a list or sharing change queues the pair's match job (a staff-only job row)"):
        job = job_create(tenant=tenant, actor=actor, kind=JOB_KIND)
        Job.objects.filter(pk=job.pk).update(result={"partnership": partnership_id})
    enqueue_on_commit(account_mapping_match_task, tenant.pk, job.pk, partnership_id)
    return job


def match_job_run(*, tenant: Tenant, job_id: int, partnership_id: int) -> dict:
    if job_start(job_id=job_id) is None:
        return {}
    try:
        job_progress(job_id=job_id, progress=10, message="matching both lists")
        with tenant_atomic():
            outcome = partnership_match(tenant=tenant, partnership_id=partnership_id)
    except Exception as error:
        job_finish(job_id=job_id, error=f"{type(error).__name__}: {error}")
        raise
    result = {"partnership": partnership_id, "matched": outcome.matched, "overlaps": outcome.overlaps, "records": outcome.records}
    job_finish(job_id=job_id, result=result)
    return result


@tenant_task(atomic=False, time_limit=30 * 60)
def account_mapping_match_task(tenant_id: int, job_id: int, partnership_id: int) -> dict:
    return match_job_run(tenant=Tenant.objects.get(pk=tenant_id), job_id=job_id, partnership_id=partnership_id)


@tenant_task(time_limit=60 * 60)
def account_mapping_tenant_task(tenant_id: int) -> int:
    """Nightly: every active pair of the tenant matched again (lists synced by API change without notice)."""
    tenant = Tenant.objects.get(pk=tenant_id)
    ids = list(
        MappingPartnership.objects.filter(tenant=tenant, status=MappingPartnershipStatus.ACTIVE).values_list("pk", flat=True)
    )
    for partnership_id in ids:
        match_enqueue(tenant=tenant, partnership_id=partnership_id)
    return len(ids)


@platform_task()
def account_mapping_all_tenants() -> int:
    tenant_ids = list(Tenant.objects.filter(is_active=True).values_list("pk", flat=True))
    for tenant_id in tenant_ids:
        account_mapping_tenant_task.delay(tenant_id)
    return len(tenant_ids)
