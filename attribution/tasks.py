"""Attribution runs in the worker: derive touchpoints, then compute the run, with a job row and progress.

After a run succeeds, the per-touch detail of all but the newest few runs is deleted
(:func:`attribution.services.attribution_details_prune`).

The nightly schedule (beat: ``attribution.tasks.attribution_nightly_all_tenants``) fans out
:func:`attribution_nightly`, one task per tenant: it derives touchpoints and
queues a run over the trailing 12 months by partner with every model.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from ecosystem.errors import ConflictError
from ecosystem.jobs.services import job_finish, job_progress, job_start
from ecosystem.jobs.tasks import platform_task, tenant_task
from ecosystem.tenancy.context import tenant_atomic
from ecosystem.tenancy.models import Tenant

from .models import AttributionRun, ChannelDimension, RunStatus

NIGHTLY_PERIOD_DAYS = 365


@tenant_task(atomic=False, time_limit=30 * 60)
def attribution_run_task(tenant_id: int, run_id: int) -> None:
    from .services import attribution_details_prune, attribution_run_fail, run_attribution
    from .touchpoints import touchpoints_derive

    tenant = Tenant.objects.get(pk=tenant_id)
    with tenant_atomic():
        run = AttributionRun.objects.filter(pk=run_id).select_related("created_by").first()
    if run is None or run.status in (RunStatus.SUCCEEDED, RunStatus.FAILED):
        return  # delivered twice, or the run is gone
    job_id = run.job_id
    if job_id is not None and job_start(job_id=job_id) is None:
        return
    try:
        if job_id:
            job_progress(job_id=job_id, progress=5, message="deriving touchpoints")
        created = touchpoints_derive(tenant=tenant, actor=None)

        def progress(percent: int, message: str) -> None:
            if job_id:
                job_progress(job_id=job_id, progress=percent, message=message)

        progress(30, f"{created} new touchpoints derived")
        run = run_attribution(tenant=tenant, actor=run.created_by, run=run, progress=progress)
    except ConflictError:
        return  # another delivery of this task computes (or computed) the run: it reports, not this one
    except Exception as error:
        attribution_run_fail(run_id=run_id, error=f"{type(error).__name__}: {error}")
        if job_id:
            job_finish(job_id=job_id, error=f"{type(error).__name__}: {error}")
        raise
    if job_id:
        job_finish(
            job_id=job_id,
            result={
                "run": str(run.public_id),
                "touchpoints_created": created,
                "journeys": run.summary.get("journeys", 0),
                "inputs_sha256": run.inputs_sha256,
            },
        )
    attribution_details_prune(tenant=tenant)  # after the run is reported done: older runs' per-touch detail


@tenant_task()
def attribution_nightly(tenant_id: int) -> None:
    """Queue the nightly run (trailing year, by partner, every model); the run derives touchpoints first."""
    from .services import MODELS, attribution_run_create

    tenant = Tenant.objects.get(pk=tenant_id)
    today = timezone.localdate()
    attribution_run_create(
        tenant=tenant,
        actor=None,
        period_start=today - datetime.timedelta(days=NIGHTLY_PERIOD_DAYS),
        period_end=today - datetime.timedelta(days=1),
        dimension=ChannelDimension.PARTNER,
        models=MODELS,
    )


@platform_task()
def attribution_nightly_all_tenants() -> int:
    tenant_ids = list(Tenant.objects.filter(is_active=True).values_list("pk", flat=True))
    for tenant_id in tenant_ids:
        attribution_nightly.delay(tenant_id)
    return len(tenant_ids)
