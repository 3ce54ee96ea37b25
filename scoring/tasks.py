"""Scoring in the worker: health scores, churn training and predictions, at-risk webhooks.

Health: one partner soon after an event that moves it, everyone nightly. Churn: beat sends
:func:`churn_predict_all_tenants` daily (predictions and alerts) and :func:`churn_retrain_all_tenants`
weekly; a manager can start :func:`churn_train` as a job. scikit-learn runs on one thread in the worker.

Events that move a score (a login, a course completed, a deal registration submitted or decided or
closed, a certification issued or revoked) send :func:`health_score_refresh` for that partner after
the commit, at most once a minute per partner (a debounce key in the cache), with a short delay so a
burst of events makes one computation. Beat sends :func:`health_scores_nightly_all_tenants`.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction

from ecosystem.jobs.tasks import platform_task, tenant_task
from ecosystem.tenancy.models import Tenant

REFRESH_DELAY_SECONDS = 15
DEBOUNCE_SECONDS = 60


@tenant_task(time_limit=5 * 60)
def health_score_refresh(tenant_id: int, partner_id: int) -> int:
    from .services import health_scores_compute

    cache.delete(_debounce_key(tenant_id, partner_id))  # events from now on ask again
    return health_scores_compute(tenant=Tenant.objects.get(pk=tenant_id), partner_ids=[partner_id])


@tenant_task(time_limit=30 * 60)
def health_scores_nightly(tenant_id: int) -> int:
    from .services import health_scores_compute

    return health_scores_compute(tenant=Tenant.objects.get(pk=tenant_id))


@platform_task()
def health_scores_nightly_all_tenants() -> int:
    tenant_ids = list(Tenant.objects.filter(is_active=True).values_list("pk", flat=True))
    for tenant_id in tenant_ids:
        health_scores_nightly.delay(tenant_id)
    return len(tenant_ids)


def _debounce_key(tenant_id: int, partner_id: int) -> str:
    return f"scoring:health-refresh:{tenant_id}:{partner_id}"


def refresh_soon(tenant_id: int, partner_id: int | None, *, using: str = "default") -> None:
    """After the current transaction commits, score ``partner_id`` again within a minute (debounced)."""
    if partner_id is None:
        return

    def send() -> None:
        if cache.add(_debounce_key(tenant_id, partner_id), 1, timeout=DEBOUNCE_SECONDS):
            health_score_refresh.apply_async(args=[tenant_id, partner_id], countdown=REFRESH_DELAY_SECONDS)

    transaction.on_commit(send, using=using)


@tenant_task(time_limit=30 * 60, atomic=False)
def churn_train(tenant_id: int, job_id: int | None = None) -> dict:
    """Train the tenant's churn model (a job with progress when ``job_id``), then predict with it."""
    from threadpoolctl import threadpool_limits

    from ecosystem.jobs.models import Job
    from ecosystem.jobs.services import job_finish, job_progress, job_start
    from ecosystem.tenancy.context import tenant_atomic

    from .churn_service import churn_model_train, churn_predict

    if job_id is not None and job_start(job_id=job_id) is None:
        return {}

    def progress(percent: int, message: str) -> None:
        if job_id is not None:
            job_progress(job_id=job_id, progress=percent, message=message)

    tenant = Tenant.objects.get(pk=tenant_id)
    with tenant_atomic():
        job = Job.objects.select_related("created_by").filter(pk=job_id).first() if job_id is not None else None
    try:
        # one thread for scikit-learn's OpenMP and BLAS pools: a 2-core worker runs other tasks beside it
        with threadpool_limits(limits=1):
            outcome = churn_model_train(tenant=tenant, actor=job.created_by if job else None, job=job, progress=progress)
            progress(92, "predicting")
            predicted = churn_predict(tenant=tenant)
    except Exception as error:
        if job_id is not None:
            job_finish(job_id=job_id, error=f"{type(error).__name__}: {error}")
        raise
    result = {"outcome": outcome.outcome, "reason": outcome.reason, "version": outcome.version, **predicted}
    if job_id is not None:
        job_finish(job_id=job_id, result=result)
    return result


@tenant_task(time_limit=15 * 60)
def churn_predict_daily(tenant_id: int) -> dict:
    from threadpoolctl import threadpool_limits

    from .churn_service import churn_predict

    with threadpool_limits(limits=1):
        return churn_predict(tenant=Tenant.objects.get(pk=tenant_id))


@platform_task()
def churn_predict_all_tenants() -> int:
    """Daily: every tenant's partners scored by its active model (or the rules), alerts raised."""
    tenant_ids = list(Tenant.objects.filter(is_active=True).values_list("pk", flat=True))
    for tenant_id in tenant_ids:
        churn_predict_daily.delay(tenant_id)
    return len(tenant_ids)


@platform_task()
def churn_retrain_all_tenants() -> int:
    """Weekly: every tenant's churn model retrained on its latest history."""
    tenant_ids = list(Tenant.objects.filter(is_active=True).values_list("pk", flat=True))
    for tenant_id in tenant_ids:
        churn_train.delay(tenant_id)
    return len(tenant_ids)


@tenant_task(time_limit=2 * 60, atomic=False)
def churn_alert_webhook(tenant_id: int, alert_id: int) -> int | None:
    """POST the alert to the tenant's webhook, signed; retried on network errors and 502/503/504.

    Returns the answer's status; the outcome is recorded on the alert's audit trail either way.
    """
    from ecosystem import outbound
    from ecosystem.audit.services import audit_record
    from ecosystem.tenancy.context import tenant_atomic

    from .churn_service import webhook_payload
    from .models import ChurnAlert, ScoringSettings

    with tenant_atomic():  # the call itself runs outside any transaction
        config = ScoringSettings.objects.filter(tenant_id=tenant_id).first()
        alert = ChurnAlert.objects.select_related("partner", "tenant").filter(pk=alert_id).first()
        if config is None or not config.alert_webhook_url or alert is None:
            return None
        payload = webhook_payload(alert)
    headers = {"X-PRM-Event": payload["event"], "X-PRM-Event-Id": payload["event_id"]}
    try:
        response = outbound.retrying(
            lambda: outbound.post_json(config.alert_webhook_url, payload, secret=config.alert_webhook_secret, headers=headers)
        )
        status, error = response.status, ""
    except outbound.OutboundRefused as refused:
        status, error = None, refused.message
    with tenant_atomic():
        audit_record(
            tenant=alert.tenant,
            actor=None,
            action="scoring.alert_webhook",
            target=alert,
            changes={"status": status, "error": error},
        )
    return status
