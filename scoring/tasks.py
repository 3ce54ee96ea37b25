"""Health scores in the worker: one partner soon after an event that moves it, everyone nightly.

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
