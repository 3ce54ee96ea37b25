"""The CRM import job: validate every row, write them all or nothing, with progress; the file is dropped at the end."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from ecosystem.jobs.models import Job
from ecosystem.jobs.services import job_finish, job_progress, job_start
from ecosystem.jobs.tasks import tenant_task
from ecosystem.tenancy.context import tenant_atomic
from ecosystem.tenancy.models import Tenant

JOB_KIND = "deal_import"
ERRORS_IN_JOB_RESULT = 1_000  # the job keeps the first errors; the portal's report pages through all of them


def import_job_run(*, tenant: Tenant, job_id: int, token: str) -> dict[str, Any]:
    """Run one staged import as job ``job_id``; returns the job result. Raises nothing the job should not record."""
    from .imports import ImportRejected, import_write, read_csv, staged_get
    from .registrations import engagement_rules

    staged = staged_get(tenant=tenant, token=token)
    if staged is None:
        raise LookupError("The uploaded file is no longer available; upload it again.")
    with tenant_atomic():
        job = Job.objects.get(pk=job_id)
        actor = job.created_by or (get_user_model().objects.filter(pk=staged.get("user_id")).first())
        if actor is None and staged.get("api_key_id"):  # started through the API with a key: the audit names it
            from ecosystem.api.models import ApiKey

            actor = ApiKey.objects.filter(tenant=tenant, pk=staged["api_key_id"]).first()
        currency = engagement_rules(tenant=tenant).currency
    csv_file = read_csv(staged["data"])

    def progress(phase: str, done: int, total: int) -> None:
        if phase == "check":
            job_progress(job_id=job_id, progress=int(done * 80 / max(total, 1)), message=f"checked {done:,} of {total:,} rows")
        else:
            job_progress(job_id=job_id, progress=85, message=f"writing {total:,} rows")

    try:
        outcome = import_write(
            tenant=tenant,
            actor=actor,
            csv_file=csv_file,
            file_name=staged["file_name"],
            kind=staged["kind"],
            mapping=staged["mapping"],
            default_currency=currency,
            job_id=job_id,
            progress=progress,
            batch_public_id=staged.get("batch_id"),
        )
    except ImportRejected as rejected:
        return {
            "ok": False,
            "error_count": len(rejected.errors),
            "errors": [e.as_dict() for e in rejected.errors[:ERRORS_IN_JOB_RESULT]],
        }
    return {
        "ok": True,
        "replay": outcome.replay,
        "batch": str(outcome.batch.public_id),
        "rows": outcome.batch.rows,
        "created": outcome.created,
        "updated": outcome.updated,
    }


@tenant_task(atomic=False, time_limit=30 * 60)
def deal_import_task(tenant_id: int, job_id: int, token: str) -> None:
    from .imports import staged_drop

    if job_start(job_id=job_id) is None:
        return
    tenant = Tenant.objects.get(pk=tenant_id)
    try:
        job_progress(job_id=job_id, progress=1, message="reading the file")
        result = import_job_run(tenant=tenant, job_id=job_id, token=token)
    except Exception as error:
        job_finish(job_id=job_id, error=f"{type(error).__name__}: {error}")
        staged_drop(tenant=tenant, token=token)
        raise
    staged_drop(tenant=tenant, token=token)
    if result["ok"]:
        job_finish(job_id=job_id, result=result)
    else:
        job_finish(job_id=job_id, result=result, error=f"{result['error_count']:,} problems in the file; nothing was imported.")
