"""The period-end job: on the first days of a quarter, the previous quarter's accruals of every active program.

Beat runs :func:`accruals_period_end_all_tenants` daily; it fans out :func:`accruals_period_end`, one
task per tenant, which acts only in the first :data:`PERIOD_END_DAYS` days of a quarter (so a worker
that was down on the 1st catches up) and computes the previous quarter. Recomputing replaces only
statements still *computed*; approved and paid ones are kept, so running it twice (or daily for a
week) is harmless. Managers' "Compute now" computes one program and quarter directly, in the request.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from attribution.economics.metrics import previous_quarter, quarter_of
from ecosystem.jobs.tasks import platform_task, tenant_task
from ecosystem.tenancy.models import Tenant

from .models import ProgramStatus, RebateProgram

PERIOD_END_DAYS = 7


def period_to_close(today: datetime.date) -> tuple[int, int] | None:
    """The quarter the period-end job computes on ``today``: the previous one, in a quarter's first 7 days."""
    year, quarter = quarter_of(today)
    first = datetime.date(year, 3 * (quarter - 1) + 1, 1)
    if (today - first).days >= PERIOD_END_DAYS:
        return None
    return previous_quarter(year, quarter)


@tenant_task(time_limit=60 * 60)
def accruals_period_end(tenant_id: int, today: str | None = None) -> list[dict]:
    """The previous quarter of every active program of the tenant, in a quarter's first days; else nothing."""
    from .services import accruals_compute

    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    period = period_to_close(day)
    if period is None:
        return []
    tenant = Tenant.objects.get(pk=tenant_id)
    programs = list(RebateProgram.objects.filter(tenant=tenant, status=ProgramStatus.ACTIVE).order_by("pk"))
    return [accruals_compute(tenant=tenant, program=p, year=period[0], quarter=period[1], today=day).summary() for p in programs]


@platform_task()
def accruals_period_end_all_tenants() -> int:
    tenant_ids = list(Tenant.objects.filter(is_active=True).values_list("pk", flat=True))
    for tenant_id in tenant_ids:
        accruals_period_end.delay(tenant_id)
    return len(tenant_ids)
