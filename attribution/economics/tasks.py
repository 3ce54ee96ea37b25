"""The weekly program summary email in the worker.

Beat sends :func:`weekly_summary_all_tenants` on Mondays at 07:00 (``CELERY_BEAT_SCHEDULE``); it fans out
one :func:`weekly_summary_send` per active tenant. Each is safe to run twice: the week is recorded once
per tenant (:func:`attribution.economics.summary.weekly_summary_send`).
"""

from __future__ import annotations

import datetime

from ecosystem.jobs.tasks import platform_task, tenant_task
from ecosystem.tenancy.models import Tenant


@tenant_task(time_limit=5 * 60)
def weekly_summary_send(tenant_id: int, *, today: str | None = None) -> int:
    """Email the tenant's weekly summary (``today``: an ISO date, for a re-run of a past week)."""
    from .summary import weekly_summary_send as send

    day = datetime.date.fromisoformat(today) if today else None
    return send(tenant=Tenant.objects.get(pk=tenant_id), today=day)


@platform_task()
def weekly_summary_all_tenants() -> int:
    tenant_ids = list(Tenant.objects.filter(is_active=True).values_list("pk", flat=True))
    for tenant_id in tenant_ids:
        weekly_summary_send.delay(tenant_id)
    return len(tenant_ids)
