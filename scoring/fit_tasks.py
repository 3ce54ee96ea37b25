"""Ideal partner profile in the worker: training with a job and progress, scoring, the weekly sweep.

- :func:`fit_profile_train_task`: the portal's "Train profile now" (a job row with progress): train,
  then score every open application and prospect partner with the new profile.
- :func:`fit_scores_refresh_task`: score everyone again with the active profile.
- :func:`fit_application_score_task`: one application, soon after it is submitted
  (:mod:`scoring.fit_receivers` sends it after the commit).
- :func:`fit_weekly_all_tenants` (beat, weekly): one :func:`fit_weekly` per active tenant, which
  trains and scores without a job row.
"""

from __future__ import annotations

from ecosystem.jobs.services import job_finish, job_progress, job_start
from ecosystem.jobs.tasks import platform_task, tenant_task
from ecosystem.tenancy.context import tenant_atomic
from ecosystem.tenancy.models import Tenant

JOB_KIND = "fit_profile_train"


@tenant_task(atomic=False, time_limit=30 * 60)
def fit_profile_train_task(tenant_id: int, job_id: int) -> None:
    from .fit_service import fit_profile_train, fit_scores_refresh

    tenant = Tenant.objects.get(pk=tenant_id)
    job = job_start(job_id=job_id)
    if job is None:
        return  # delivered twice: the job is finished already
    try:
        job_progress(job_id=job_id, progress=10, message="reading the members and their revenue")
        with tenant_atomic():
            actor = job.created_by
        training = fit_profile_train(tenant=tenant, actor=actor, job=job)
        if training.model is None:
            job_finish(job_id=job_id, result={"outcome": "too_little_history", "reason": training.reason})
            return
        job_progress(job_id=job_id, progress=70, message=f"profile v{training.model.version} stored; scoring candidates")
        scored = fit_scores_refresh(tenant=tenant)
    except Exception as error:
        job_finish(job_id=job_id, error=f"{type(error).__name__}: {error}")
        raise
    job_finish(
        job_id=job_id,
        result={
            "outcome": "trained",
            "version": training.model.version,
            "model": str(training.model.public_id),
            "top": training.top,
            "eligible": training.eligible,
            "scored": scored,
        },
    )


@tenant_task(time_limit=10 * 60)
def fit_scores_refresh_task(tenant_id: int) -> int:
    from .fit_service import fit_scores_refresh

    return fit_scores_refresh(tenant=Tenant.objects.get(pk=tenant_id))


@tenant_task(time_limit=5 * 60)
def fit_application_score_task(tenant_id: int, application_id: int) -> bool:
    """Score one application (nothing when it is gone, decided, or there is no profile)."""
    from onboarding.models import PartnerApplication

    from .fit_service import fit_score_application

    application = PartnerApplication.objects.filter(pk=application_id).first()
    if application is None:
        return False
    return fit_score_application(tenant=Tenant.objects.get(pk=tenant_id), application=application) is not None


@tenant_task(atomic=False, time_limit=30 * 60)
def fit_weekly(tenant_id: int) -> int:
    """Train the tenant's profile again and score everyone (with too little history: score with the
    profile there is, if any)."""
    from .fit_service import fit_profile_train, fit_scores_refresh

    tenant = Tenant.objects.get(pk=tenant_id)
    fit_profile_train(tenant=tenant, actor=None)
    return fit_scores_refresh(tenant=tenant)


@platform_task()
def fit_weekly_all_tenants() -> int:
    tenant_ids = list(Tenant.objects.filter(is_active=True).values_list("pk", flat=True))
    for tenant_id in tenant_ids:
        fit_weekly.delay(tenant_id)
    return len(tenant_ids)
