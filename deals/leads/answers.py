"""Leads: the offered partner's answer (accept, decline) and converting an accepted lead into a registration."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError, ConflictError
from ecosystem.tenancy.context import across_partners
from ecosystem.tenancy.models import Tenant
from ecosystem.webhooks import events as webhook_events

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
        webhook_events.lead(tenant=tenant, event_type="lead.accepted", lead=lead)
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


def _carried_solution(*, tenant: Tenant, partner_id: int, lead: Lead) -> str | None:
    """The public id of the lead's joint solution if ``partner_id`` may register a deal for it, else None."""
    from partners.solutions.models import JointSolution
    from partners.solutions.selectors import solution_for_registration

    if lead.joint_solution_id is None:
        return None
    with across_partners(reason="lead conversion: the public id of the solution the vendor set on the lead"):
        public_id = (
            JointSolution.objects.filter(tenant=tenant, pk=lead.joint_solution_id).values_list("public_id", flat=True).first()
        )
    try:
        return str(solution_for_registration(tenant=tenant, partner_id=partner_id, public_id=public_id).public_id)
    except ApplicationError:
        return None


def _carried_campaign(*, tenant: Tenant, partner_id: int, lead: Lead) -> str | None:
    """The public id of the lead's MDF campaign if it is ``partner_id``'s own approved one, else None."""
    from partners.mdf.models import FUNDED_STATUSES, MdfRequest

    if lead.mdf_request_id is None:
        return None
    public_id = (
        MdfRequest.objects.filter(tenant=tenant, pk=lead.mdf_request_id, partner_id=partner_id, status__in=FUNDED_STATUSES)
        .values_list("public_id", flat=True)
        .first()
    )
    return str(public_id) if public_id else None


def lead_convert(*, tenant: Tenant, actor: Any, partner_id: int, lead: Lead, values: dict[str, Any]) -> Submitted:
    """The accepting partner registers the deal: the lead's customer data, plus what the partner adds.

    The registration goes through :func:`deals.registrations.registration_submit` like any other
    (gate, conflicts, auto-approval). The lead becomes ``converted`` and links the registration.

    The lead's joint solution carries to the registration (and its partners join the deal) when
    the converting partner delivers it; otherwise the registration is made without it, rather than
    refused: the vendor suggested the solution, the partner owns its deal. A ``joint_solution``
    the partner sends itself wins, and is checked like any registration's. The lead's MDF campaign
    (``mdf_request``) carries the same way: the partner's own approved campaign, unless it sends one.
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
        carried = _carried_solution(tenant=tenant, partner_id=partner_id, lead=lead)
        if carried:
            merged["joint_solution"] = carried
        campaign = _carried_campaign(tenant=tenant, partner_id=partner_id, lead=lead)
        if campaign:  # the lead's MDF campaign carries to the registration, so the deal counts for it too
            merged["mdf_request"] = campaign
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
