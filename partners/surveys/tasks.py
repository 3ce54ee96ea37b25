"""PSAT surveys in the worker: announcing the surveys that open.

Beat sends :func:`surveys_open_today_all_tenants` daily; it fans out :func:`surveys_open_today` per
tenant, which emails each newly open survey's audience once (safe to run twice). Creating a survey
that opens today sends :func:`surveys_open_today` for its tenant at once (after commit).
"""

from __future__ import annotations

from ecosystem.jobs.tasks import platform_task, tenant_task
from ecosystem.tenancy.models import Tenant


@tenant_task(time_limit=5 * 60)
def surveys_open_today(tenant_id: int) -> int:
    from .services import surveys_open_today as announce

    return announce(tenant=Tenant.objects.get(pk=tenant_id))


@platform_task()
def surveys_open_today_all_tenants() -> int:
    tenant_ids = list(Tenant.objects.filter(is_active=True).values_list("pk", flat=True))
    for tenant_id in tenant_ids:
        surveys_open_today.delay(tenant_id)
    return len(tenant_ids)
