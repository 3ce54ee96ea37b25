"""Shared set-up for the deals tests: product lines, rules, and a registration as a partner user types it."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from deals.models import EngagementRules, ProductLine
from deals.registrations import Submitted, registration_submit
from ecosystem.tenancy.context import tenant_context
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization


def product_lines_for(tenant: Tenant) -> None:
    with tenant_context(tenant.pk):
        for slug, name in (("compute", "Compute"), ("security", "Security"), ("data", "Data")):
            ProductLine.objects.get_or_create(tenant=tenant, slug=slug, defaults={"name": name})


def rules_for(tenant: Tenant, **values: Any) -> EngagementRules:
    with tenant_context(tenant.pk):
        rules, _ = EngagementRules.objects.update_or_create(tenant=tenant, defaults=values)
        return rules


def registration_values(**overrides: Any) -> dict[str, Any]:
    values = {
        "customer_name": "Initech Inc.",
        "customer_domain": "www.initech.example",
        "contact_name": "Bill Lumbergh",
        "contact_email": "bill@initech.example",
        "product_lines": ["compute"],
        "value": "50000",
        "currency": "USD",
        "expected_close_date": (timezone.localdate() + datetime.timedelta(days=60)).isoformat(),
        "stage": "qualification",
        "notes": "Moving 200 VMs.",
    }
    values.update(overrides)
    return values


def submit_as(tenant: Tenant, partner: PartnerOrganization, user, **overrides: Any) -> Submitted:
    """Submit in the partner user's own scope, as the portal and the API do."""
    with tenant_context(tenant.pk, partner_id=partner.pk, user_id=user.pk):
        return registration_submit(tenant=tenant, actor=user, partner_id=partner.pk, values=registration_values(**overrides))
