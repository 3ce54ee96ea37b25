"""Leads: what the vendor's staff and the partners read."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from ecosystem.audit.models import AuditEntry
from ecosystem.errors import NotFoundError
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization, PartnerStatus, Region

from ..models import Lead, LeadOffer, LeadStatus

# --- reads -------------------------------------------------------------------------------------


def access_lead(*, tenant: Tenant, public_id: Any, partner_id: int | None = None) -> Lead:
    """The lead, or 404 for missing and not yours alike (a partner: only leads offered to it now)."""
    queryset = Lead.objects.filter(tenant=tenant).select_related(
        "offered_to", "registration", "account", "joint_solution", "mdf_request"
    )
    if partner_id is not None:
        queryset = queryset.filter(offered_to_id=partner_id, status__in=PARTNER_VISIBLE)
    try:
        return queryset.get(public_id=public_id)
    except (Lead.DoesNotExist, ValueError, ValidationError):
        raise NotFoundError() from None


PARTNER_VISIBLE = (LeadStatus.OFFERED, LeadStatus.ACCEPTED, LeadStatus.CONVERTED)


def leads_for_staff(*, tenant: Tenant, status: str = "", region: str = ""):
    queryset = Lead.objects.filter(tenant=tenant).select_related("offered_to")
    if status in LeadStatus.values:
        queryset = queryset.filter(status=status)
    if region in Region.values:
        queryset = queryset.filter(region=region)
    return queryset.order_by("-created_at", "-id")


def leads_for_partner(*, tenant: Tenant, partner_id: int, status: str = ""):
    queryset = Lead.objects.filter(tenant=tenant, offered_to_id=partner_id, status__in=PARTNER_VISIBLE).select_related(
        "registration", "joint_solution", "mdf_request"
    )
    if status in PARTNER_VISIBLE:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-updated_at", "-id")


def lead_offers(*, lead: Lead, partner_id: int | None = None):
    """The offer history, newest first (a partner: its own offers only)."""
    queryset = LeadOffer.objects.filter(tenant_id=lead.tenant_id, lead=lead).select_related("partner", "offered_by")
    if partner_id is not None:
        return queryset.filter(partner_id=partner_id).order_by("-offered_at", "-id")
    # Staff: with the candidates weighed, which a partner's scope cannot read.
    queryset = queryset.select_related("routing_detail")
    return queryset.order_by("-offered_at", "-id")


def unmatched_reason(*, lead: Lead) -> str:
    """Why the routing found nobody, from the latest ``deals.lead_unmatched`` audit row (staff only)."""
    if lead.status != LeadStatus.UNMATCHED:
        return ""
    entry = (
        AuditEntry.objects.filter(tenant_id=lead.tenant_id, action="deals.lead_unmatched", object_id=str(lead.public_id))
        .order_by("-id")
        .first()
    )
    return entry.changes.get("reason", "") if entry else ""


def partners_to_offer(*, tenant: Tenant):
    """Partners a manager may pick by hand (active); the service checks the gate and past declines."""
    return PartnerOrganization.objects.filter(tenant=tenant, status=PartnerStatus.ACTIVE).order_by("name", "id")
