"""The dashboard-metrics job: the real job type that proves the background path end to end."""

from __future__ import annotations

from django.utils import timezone

from ecosystem.accounts.models import Membership
from ecosystem.accounts.selectors import pending_invitations
from ecosystem.jobs.services import job_progress
from ecosystem.tenancy.context import tenant_atomic
from ecosystem.tenancy.models import Tenant
from partners.selectors import partner_counts

from .models import DashboardMetrics


def dashboard_metrics_refresh(*, tenant: Tenant, job_id: int | None = None) -> dict:
    """Recount the program's figures and store them. Safe to run twice: it overwrites one row.

    Each step commits on its own (inside ``tenant_atomic``) so progress is visible while it runs.
    """
    figures: dict = {}
    steps = [
        ("partners", lambda: partner_counts(tenant=tenant)),
        ("staff", lambda: Membership.objects.filter(partner__isnull=True, is_active=True).count()),
        ("partner_users", lambda: Membership.objects.filter(partner__isnull=False, is_active=True).count()),
        ("pending_invitations", lambda: pending_invitations(tenant=tenant).count()),
    ]
    for index, (name, compute) in enumerate(steps, start=1):
        with tenant_atomic():
            figures[name] = compute()
        if job_id is not None:
            job_progress(job_id=job_id, progress=int(index * 100 / (len(steps) + 1)), message=f"counted {name}")
    partners = figures["partners"]
    figures["partners_total"] = sum(partners["by_status"].values())
    with tenant_atomic():
        DashboardMetrics.objects.update_or_create(tenant=tenant, defaults={"figures": figures, "computed_at": timezone.now()})
    return figures
