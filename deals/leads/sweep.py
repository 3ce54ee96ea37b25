"""Leads: the SLA sweep, releasing a retired partner's leads, and withdrawing a lead."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.audit.services import audit_record
from ecosystem.errors import ConflictError
from ecosystem.tenancy.models import Tenant
from partners.models import PartnerOrganization

from ..models import Lead, LeadStatus, OfferStatus
from .offers import _close_open_offer, _locked, _route_next


def lead_expire_sweep(*, tenant: Tenant, now: datetime.datetime | None = None) -> int:
    """Pull back every offer unanswered by its ``respond_by`` and offer each lead to the next candidate.

    Safe to run twice and beside a partner answering: each lead is locked and re-checked, and one
    that changed meanwhile is left alone. Returns how many offers expired.
    """
    now = now or timezone.now()
    due = list(
        Lead.objects.filter(tenant=tenant, status=LeadStatus.OFFERED, respond_by__lte=now)
        .order_by("respond_by", "id")
        .values_list("pk", flat=True)
    )
    expired = 0
    for lead_id in due:
        with transaction.atomic():
            lead = Lead.objects.select_for_update(skip_locked=True).filter(tenant=tenant, pk=lead_id).first()
            if lead is None or lead.status != LeadStatus.OFFERED or lead.respond_by is None or lead.respond_by > now:
                continue
            offer = _close_open_offer(lead=lead, status=OfferStatus.EXPIRED, now=now)
            audit_record(
                tenant=tenant,
                actor=None,
                action="deals.lead_expire",
                target=lead,
                changes={"partner": str(lead.offered_to.public_id) if lead.offered_to_id else None},
            )
            expired += offer is not None
            _route_next(tenant=tenant, actor=None, lead=lead, now=now)
    return expired


def leads_release_for_retired_partner(*, tenant: Tenant, actor: Any, partner: PartnerOrganization) -> int:
    """A retiring partner's leads move on at once: open offers are withdrawn, and leads it accepted but
    never converted are taken back; each goes to the routing's next candidate (a retired partner is
    never one). Converted leads stay with the partner, as history. Returns how many leads moved.
    """
    now = timezone.now()
    moved = 0
    lead_ids = list(
        Lead.objects.filter(tenant=tenant, offered_to=partner, status__in=[LeadStatus.OFFERED, LeadStatus.ACCEPTED])
        .order_by("id")
        .values_list("pk", flat=True)
    )
    for lead_id in lead_ids:
        with transaction.atomic():
            lead = Lead.objects.select_for_update().filter(tenant=tenant, pk=lead_id, offered_to=partner).first()
            if lead is None or lead.status not in (LeadStatus.OFFERED, LeadStatus.ACCEPTED):
                continue
            _close_open_offer(lead=lead, status=OfferStatus.WITHDRAWN, reason=_("The partner left the program."), now=now)
            audit_record(
                tenant=tenant,
                actor=actor,
                action="deals.lead_release",
                target=lead,
                changes={"partner": str(partner.public_id), "was": lead.status},
            )
            lead.status = LeadStatus.NEW
            _route_next(tenant=tenant, actor=actor, lead=lead, now=now)
            moved += 1
    return moved


def lead_withdraw(*, tenant: Tenant, actor: Any, lead: Lead, reason: str = "") -> Lead:
    """A manager takes the lead back for good (an open offer is withdrawn). Not once it is converted."""
    now = timezone.now()
    with transaction.atomic():
        lead = _locked(lead)
        if lead.status in (LeadStatus.CONVERTED, LeadStatus.WITHDRAWN):
            raise ConflictError(_("This lead is already converted or withdrawn."), code="lead_closed")
        _close_open_offer(lead=lead, status=OfferStatus.WITHDRAWN, now=now)
        previous = lead.status
        lead.status = LeadStatus.WITHDRAWN
        lead.offered_to = None
        lead.respond_by = None
        lead.save(update_fields=["status", "offered_to", "respond_by", "updated_at"])
        audit_record(
            tenant=tenant,
            actor=actor,
            action="deals.lead_withdraw",
            target=lead,
            changes={"from": previous, "reason": " ".join(reason.split())[:500]},
        )
    return lead
