"""Training background work: the registry check of a certification step, and renewal reminders.

Beat runs the reminder sweep daily; each tenant gets its own task. Registered with the worker by
``onboarding.tasks`` (Celery discovers ``tasks`` modules only).
"""

from __future__ import annotations

from ecosystem.jobs.tasks import platform_task, tenant_task
from ecosystem.tenancy.models import Tenant

from .training import certification_renewal_reminders_send, certification_step_verify


@tenant_task(time_limit=2 * 60)
def certification_step_verify_task(tenant_id: int, step_id: int, certification_id: int) -> str | None:
    """Verify the certification for the onboarding step; the step is done when it verifies. Idempotent."""
    check = certification_step_verify(tenant=Tenant.objects.get(pk=tenant_id), step_id=step_id, certification_id=certification_id)
    return check.status if check is not None else None


@tenant_task(time_limit=10 * 60)
def certification_renewal_reminders_task(tenant_id: int) -> int:
    return certification_renewal_reminders_send(tenant=Tenant.objects.get(pk=tenant_id))


@platform_task()
def certification_renewal_reminders_all_tenants() -> int:
    tenant_ids = list(Tenant.objects.filter(is_active=True).values_list("pk", flat=True))
    for tenant_id in tenant_ids:
        certification_renewal_reminders_task.delay(tenant_id)
    return len(tenant_ids)


@tenant_task(time_limit=2 * 60)
def external_credential_verify_task(tenant_id: int, check_id: int, issuer_id: int) -> str | None:
    """Ask the outside issuer about a pending credential check; the step is done when it verifies. Idempotent."""
    from .issuers import external_credential_verify

    check = external_credential_verify(tenant=Tenant.objects.get(pk=tenant_id), check_id=check_id, issuer_id=issuer_id)
    return check.status if check is not None else None
