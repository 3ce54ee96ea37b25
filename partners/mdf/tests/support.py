"""Shared set-up for the MDF tests: this quarter's budget, allocations, requests, decisions, claims, files."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ecosystem.tenancy.context import tenant_context
from partners.mdf import services
from partners.mdf.models import MdfBudget, MdfClaim, MdfRequest

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf(name: str = "invoice.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def this_quarter() -> tuple[int, int]:
    return services.quarter_of(timezone.localdate())


def as_manager(tenant_world):
    return tenant_context(tenant_world.tenant.pk, user_id=tenant_world.manager.pk)


def as_partner(tenant_world, partner, user):
    return tenant_context(tenant_world.tenant.pk, partner_id=partner.pk, user_id=user.pk)


def budget_for(tenant_world, amount: str = "10000", *, allocations: dict | None = None, year=None, quarter=None) -> MdfBudget:
    """This quarter's budget (or the given one), with ``allocations``: {partner or tier: amount}."""
    a = tenant_world
    this_year, this_q = this_quarter()
    with as_manager(a):
        budget = services.budget_create(
            tenant=a.tenant, actor=a.manager, year=year or this_year, quarter=quarter or this_q, amount=amount
        )
        for target, value in (allocations or {}).items():
            kind = "tier" if target.__class__.__name__ == "Tier" else "partner"
            services.allocation_set(tenant=a.tenant, actor=a.manager, budget=budget, amount=value, **{kind: target})
    return budget


def request_values(**overrides: Any) -> dict[str, Any]:
    today = timezone.localdate()
    values = {
        "activity_type": "webinar",
        "title": "Cloud migration webinar",
        "description": "Three sessions for CIOs.",
        "planned_spend": "600",
        "expected_leads": "40",
        "expected_pipeline": "120000",
        "start_date": today.isoformat(),
        "end_date": (today + datetime.timedelta(days=1)).isoformat(),
    }
    values.update(overrides)
    return values


def request_as(tenant_world, partner, user, **overrides: Any) -> MdfRequest:
    with as_partner(tenant_world, partner, user):
        return services.request_submit(
            tenant=tenant_world.tenant, actor=user, partner_id=partner.pk, values=request_values(**overrides)
        )


def decide(tenant_world, mdf_request, decision: str = "approve", amount=None, reason: str = "") -> MdfRequest:
    with as_manager(tenant_world):
        return services.request_decide(
            tenant=tenant_world.tenant,
            actor=tenant_world.manager,
            request=mdf_request,
            decision=decision,
            amount=amount,
            reason=reason,
        )


def claim_as(tenant_world, partner, user, mdf_request, amount: str = "500", files=None, **values: Any) -> MdfClaim:
    with as_partner(tenant_world, partner, user):
        return services.claim_submit(
            tenant=tenant_world.tenant,
            actor=user,
            partner_id=partner.pk,
            request=mdf_request,
            values={"claimed_amount": amount, "leads_generated": "12", "attendees": "80", **values},
            files=[pdf()] if files is None else files,
        )


def claim_decide(tenant_world, claim, *, approve: bool = True, reason: str = "", amount=None) -> MdfClaim:
    with as_manager(tenant_world):
        return services.claim_decide(
            tenant=tenant_world.tenant, actor=tenant_world.manager, claim=claim, approve=approve, reason=reason, amount=amount
        )


def pay(tenant_world, claim) -> MdfClaim:
    with as_manager(tenant_world):
        return services.claim_mark_paid(tenant=tenant_world.tenant, actor=tenant_world.manager, claim=claim)


def funded(tenant_world, partner, user, *, spend: str = "600", **overrides) -> MdfRequest:
    """A request of ``partner``, approved in full."""
    return decide(tenant_world, request_as(tenant_world, partner, user, planned_spend=spend, **overrides))


def money(value: str) -> Decimal:
    return Decimal(value)
