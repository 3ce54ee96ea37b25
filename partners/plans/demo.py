"""Demo data for ``seed_demo`` (idempotent: running it twice changes nothing)."""

from __future__ import annotations

import datetime

from django.utils import timezone


def seed(*, tenant, owner, partners: dict) -> None:
    """A plan with Northwind for the current quarter: goals on every metric, initiatives on both sides, a status."""
    from ecosystem.accounts.models import User

    from . import services
    from .figures import quarter_bounds, quarter_of
    from .models import BusinessPlan

    northwind = partners.get("northwind.example")
    if northwind is None:
        return
    today = timezone.localdate()
    start, end = quarter_bounds(today)
    if BusinessPlan.objects.filter(tenant=tenant, partner=northwind, period_start=start).exists():
        return
    nora = User.objects.filter(email="admin@northwind.example").first()
    ray = User.objects.filter(email="rep@northwind.example").first()
    plan = services.plan_create(
        tenant=tenant,
        actor=owner,
        title=f"Northwind Traders {quarter_of(today)}",
        period_start=start,
        period_end=end,
        partner=northwind,
        vendor_owner=owner,
        partner_owner=nora,
    )
    for metric, target, manual in (
        ("closed_won_revenue", "250000", None),
        ("sourced_pipeline", "900000", None),
        ("registrations", "10", None),
        ("certified_people", "4", None),
        ("mdf_spend", "40000", "12500"),
        ("customer_retention", "95", "93"),
    ):
        services.goal_add(tenant=tenant, actor=owner, plan=plan, metric=metric, target=target, manual_actual=manual)
    for title, details, due, status, partner_owner in (
        ("Joint webinar: zero-trust for retail", "Co-branded, 200 registrants targeted.", 20, "in_progress", nora),
        ("Certify two more sales engineers", "Sales and technical tracks.", 45, "not_started", ray),
        ("Quarterly pipeline review with the DACH team", "", 10, "done", nora),
    ):
        services.initiative_create(
            tenant=tenant,
            actor=owner,
            plan=plan,
            partner_id=None,
            values={
                "title": title,
                "description": details,
                "due_date": min(start + datetime.timedelta(days=due), end),
                "status": status,
                "vendor_owner": owner,
                "partner_owner": partner_owner,
            },
        )
    services.status_update(
        tenant=tenant,
        actor=nora or owner,
        plan=plan,
        partner_id=northwind.pk if nora else None,
        health="at_risk",
        note="Pipeline is strong; two certifications slipped to next month.",
    )
