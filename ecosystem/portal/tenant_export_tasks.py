"""The background job of a full tenant export (see :mod:`ecosystem.portal.tenant_export`)."""

from __future__ import annotations

from ecosystem.jobs.models import Job
from ecosystem.jobs.services import job_finish, job_progress, job_start
from ecosystem.jobs.tasks import enqueue_on_commit, tenant_task
from ecosystem.tenancy.context import tenant_atomic
from ecosystem.tenancy.models import Tenant

from .tenant_export import tenant_export_write


@tenant_task(atomic=False, time_limit=60 * 60)
def tenant_export_run(tenant_id: int, job_id: int) -> None:
    """Write the zip, moving the job's progress bar once per table. Safe to deliver twice."""
    if job_start(job_id=job_id) is None:
        return  # delivered twice and already done
    tenant = Tenant.objects.get(pk=tenant_id)
    with tenant_atomic():
        job = Job.objects.get(pk=job_id)

    def on_table(done: int, total: int, label: str) -> None:
        # 99 at most until the file is stored: 100 means the download is there.
        job_progress(job_id=job_id, progress=min(99, done * 100 // total), message=f"{done}/{total} tables: {label}")

    try:
        manifest = tenant_export_write(tenant=tenant, job=job, on_table=on_table)
    except Exception as error:
        job_finish(job_id=job_id, error=f"{type(error).__name__}: {error}")
        raise
    job_finish(
        job_id=job_id,
        result={
            "path": manifest["path"],
            "size": manifest["size"],
            "tables": len(manifest["tables"]),
            "rows": manifest["rows_total"],
        },
    )


def tenant_export_enqueue(*, tenant_id: int, job_id: int) -> None:
    enqueue_on_commit(tenant_export_run, tenant_id, job_id)
