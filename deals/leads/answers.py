"""Leads: the offered partner's answer (accept, decline) and converting an accepted lead into a registration."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError, ConflictError
from ecosystem.tenancy.models import Tenant

from ..models import Lead, LeadOffer, LeadStatus, OfferStatus
from ..registrations import Submitted, registration_submit
from .offers import _locked, _route_next

# --- the partner's answer ----------------------------------------------------------------------


def _open_offer_for(*, lead: Lead, partner_id: int) -> LeadOffer:
    if lead.offered_to_id != partner_id or lead.status != LeadStatus.OFFERED:
        raise ConflictError(_("This lead is not waiting for your answer."), code="lead_not_offered")
    offer = LeadOffer.objects.select_for_update().filter(lead=lead, partner_id=partner_id, status=OfferStatus.OFFERED).first()
    if offer is None:
        raise ConflictError(_("This lead is not waiting for your answer."), code="lead_not_offered")
    return offer


def lead_accept(*, tenant: Tenant, actor: Any, partner_id: int, lead: Lead) -> Lead:
    """The offered partner takes the lead. Refused once the answer-by time has passed."""
    now = timezone.now()
    with transaction.atomic():
        lead = _locked(lead)
        offer = _open_offer_for(lead=lead, partner_id=partner_id)
        if offer.respond_by <= now:
            raise ConflictError(_("The time to answer this lead has passed."), code="offer_expired")
        offer.status = OfferStatus.ACCEPTED
        offer.responded_at = now
        offer.save(update_fields=["status", "responded_at"])
        lead.status = LeadStatus.ACCEPTED
        lead.respond_by = None
        lead.save(update_fields=["status", "respond_by", "updated_at"])
        audit_record(tenant=tenant, actor=actor, action="deals.lead_accept", target=lead, changes={"status": lead.status})
    return lead


def lead_decline(*, tenant: Tenant, actor: Any, partner_id: int, lead: Lead, reason: str) -> LeadOffer | None:
    """The offered partner turns the lead down (reason required); it goes to the next candidate at once.

    Returns the next offer, or ``None`` when nobody is left (the lead is then unmatched). The caller
    learns nothing about the next partner: the view shows "declined" and the lead disappears.
    """
    reason = " ".join((reason or "").split())
    if not reason:
        raise ApplicationError(_("Say why you decline the lead."), code="required", field="reason")
    now = timezone.now()
    with transaction.atomic():
        lead = _locked(lead)
        offer = _open_offer_for(lead=lead, partner_id=partner_id)
        offer.status = OfferStatus.DECLINED
        offer.responded_at = now
        offer.decline_reason = reason[:500]
        offer.save(update_fields=["status", "responded_at", "decline_reason"])
        audit_record(tenant=tenant, actor=actor, action="deals.lead_decline", target=lead, changes={"reason": reason[:500]})
        return _route_next(tenant=tenant, actor=actor, lead=lead, now=now)


def lead_convert(*, tenant: Tenant, actor: Any, partner_id: int, lead: Lead, values: dict[str, Any]) -> Submitted:
    """The accepting partner registers the deal: the lead's customer data, plus what the partner adds.

    The registration goes through :func:`deals.registrations.registration_submit` like any other
    (gate, conflicts, auto-approval). The lead becomes ``converted`` and links the registration.
    """
    with transaction.atomic():
        lead = _locked(lead)
        if lead.offered_to_id != partner_id or lead.status != LeadStatus.ACCEPTED:
            raise ConflictError(_("Only an accepted lead of yours can be converted."), code="lead_not_accepted")
        merged = {
            "customer_name": lead.company_name,
            "customer_domain": lead.domain,
            "contact_name": lead.contact_name,
            "contact_email": lead.contact_email,
            "product_lines": lead.product_lines,
            "value": lead.estimated_value if lead.estimated_value is not None else "",
            "currency": lead.currency,
            "notes": lead.notes,
        }
        merged.update({key: value for key, value in values.items() if value not in (None, "", [])})
        submitted = registration_submit(tenant=tenant, actor=actor, partner_id=partner_id, values=merged)
        lead.status = LeadStatus.CONVERTED
        lead.registration = submitted.registration
        lead.save(update_fields=["status", "registration", "updated_at"])
        audit_record(
            tenant=tenant,
            actor=actor,
            action="deals.lead_convert",
            target=lead,
            changes={"registration": str(submitted.registration.public_id), "status": submitted.registration.status},
        )
    return submitted
