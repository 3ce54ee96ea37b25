"""Leads: offering a lead to a partner, by hand or by the routing rules."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.accounts.models import Membership, Role
from ecosystem.accounts.selectors import person_of
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError, ConflictError, NotFoundError
from ecosystem.tenancy.context import across_partners
from ecosystem.tenancy.models import Tenant
from ecosystem.webhooks import events as webhook_events
from onboarding.services import partner_access_gate
from partners.models import PartnerOrganization, PartnerStatus

from .. import routing
from ..models import Lead, LeadOffer, LeadRoutingDetail, LeadStatus, OfferStatus
from ..registrations import engagement_rules

# A manager may (re)offer a lead in these states; routing runs from the same ones.
OFFERABLE = (LeadStatus.NEW, LeadStatus.UNMATCHED, LeadStatus.OFFERED)


# --- offering ----------------------------------------------------------------------------------


def _locked(lead: Lead) -> Lead:
    """The lead's row, locked until commit (and re-read: the caller's copy may be stale)."""
    locked = Lead.objects.select_for_update().filter(tenant_id=lead.tenant_id, pk=lead.pk).first()
    if locked is None:
        raise NotFoundError()
    return locked


def _close_open_offer(*, lead: Lead, status: str, reason: str = "", now: datetime.datetime) -> LeadOffer | None:
    offer = LeadOffer.objects.select_for_update().filter(lead=lead, status=OfferStatus.OFFERED).first()
    if offer is not None:
        offer.status = status
        offer.responded_at = now
        if reason:
            offer.decline_reason = reason[:500]
        offer.save(update_fields=["status", "responded_at", "decline_reason"])
    return offer


def _partner_admin_emails(*, partner_id: int) -> list[str]:
    """The partner's active admins (read across partners: the caller may be another partner's user)."""
    return list(
        Membership.objects.filter(partner_id=partner_id, role=Role.PARTNER_ADMIN, is_active=True)
        .order_by("id")
        .values_list("user__email", flat=True)
    )


def _email_offer_after_commit(*, tenant: Tenant, lead: Lead, offer: LeadOffer, partner: PartnerOrganization) -> None:
    recipients = _partner_admin_emails(partner_id=partner.pk)
    if not recipients:
        return
    url = settings.SITE_URL.rstrip("/") + reverse(
        "partner_leads:detail", kwargs={"tenant_slug": tenant.slug, "lead_id": lead.public_id}
    )
    context = {"tenant": tenant, "lead": lead, "offer": offer, "partner": partner, "url": url}
    subject = _("%(program)s: a lead for you, answer by %(when)s") % {
        "program": tenant.name,
        "when": timezone.localtime(offer.respond_by).strftime("%Y-%m-%d %H:%M %Z"),
    }
    message = render_to_string("deals/leads/email/lead_offered.txt", context)
    transaction.on_commit(lambda: send_mail(subject=subject, message=message, from_email=None, recipient_list=recipients))


def _campaign_of(*, lead: Lead, partner: PartnerOrganization) -> bool:
    """Whether the lead's MDF campaign is ``partner``'s (one query)."""
    from partners.mdf.models import MdfRequest

    return MdfRequest.objects.filter(tenant_id=lead.tenant_id, pk=lead.mdf_request_id, partner_id=partner.pk).exists()


def _offer(
    *,
    tenant: Tenant,
    actor: Any,
    lead: Lead,
    partner: PartnerOrganization,
    routing_why: dict[str, Any],
    manual: bool,
    now: datetime.datetime,
) -> LeadOffer:
    """Open an offer of the locked ``lead`` to ``partner``; the lead mirrors it. Emails the partner's admins."""
    rules = engagement_rules(tenant=tenant)
    respond_by = now + datetime.timedelta(hours=rules.lead_response_hours)
    offer = LeadOffer.objects.create(
        tenant=tenant,
        lead=lead,
        partner=partner,
        respond_by=respond_by,
        manual=manual,
        routing=routing_why,
        offered_by=person_of(actor),
    )
    lead.status = LeadStatus.OFFERED
    lead.offered_to = partner
    lead.respond_by = respond_by
    if lead.mdf_request_id is not None and not _campaign_of(lead=lead, partner=partner):
        lead.mdf_request = None  # a lead carries only a campaign of its partner: another partner's tag goes
    lead.save(update_fields=["status", "offered_to", "respond_by", "mdf_request", "updated_at"])
    audit_record(
        tenant=tenant,
        actor=actor,
        action="deals.lead_offer",
        target=lead,
        changes={
            "partner": str(partner.public_id),
            "manual": manual,
            "respond_by": respond_by.isoformat(),
            "reason": routing_why.get("reason", ""),
        },
    )
    _email_offer_after_commit(tenant=tenant, lead=lead, offer=offer, partner=partner)
    webhook_events.lead(tenant=tenant, event_type="lead.offered", lead=lead)
    return offer


def _route_next(*, tenant: Tenant, actor: Any, lead: Lead, now: datetime.datetime) -> LeadOffer | None:
    """Offer the locked ``lead`` to the routing's choice, or mark it unmatched with the reason.

    Runs across partners: routing reads every partner, and the lead moves to another partner's
    row-level scope. Nothing read here is handed back to a partner caller.
    """
    with across_partners(reason="lead routing: choose among every partner and hand the lead to the next one"):
        attempt = LeadOffer.objects.filter(lead=lead).count()
        seed = routing.seed_for(lead, attempt)
        choice = routing.route_lead(tenant=tenant, lead=lead, rng=random.Random(seed), seed=seed)
        if choice.partner is not None:
            offer = _offer(
                tenant=tenant, actor=actor, lead=lead, partner=choice.partner, routing_why=choice.why, manual=False, now=now
            )
            LeadRoutingDetail.objects.create(tenant=tenant, offer=offer, candidates=choice.weighed)
            return offer
        lead.status = LeadStatus.UNMATCHED
        lead.offered_to = None
        lead.respond_by = None
        lead.save(update_fields=["status", "offered_to", "respond_by", "updated_at"])
        audit_record(
            tenant=tenant,
            actor=actor,
            action="deals.lead_unmatched",
            target=lead,
            changes={"reason": choice.reason, **choice.why},
        )
    return None


def lead_route(*, tenant: Tenant, actor: Any, lead: Lead) -> LeadOffer | None:
    """Let the routing choose (staff). A lead already offered is refused: withdraw the offer by offering by hand."""
    now = timezone.now()
    with transaction.atomic():
        lead = _locked(lead)
        if lead.status not in (LeadStatus.NEW, LeadStatus.UNMATCHED):
            raise ConflictError(_("Only a new or unmatched lead can be routed."), code="lead_not_routable")
        return _route_next(tenant=tenant, actor=actor, lead=lead, now=now)


def lead_offer_manual(*, tenant: Tenant, actor: Any, lead: Lead, partner: PartnerOrganization, note: str = "") -> LeadOffer:
    """A manager offers the lead to the partner they chose (an open offer to someone else is withdrawn).

    The partner must be active with sales access, and must not have declined or let this lead expire.
    """
    now = timezone.now()
    if partner.status != PartnerStatus.ACTIVE:
        raise ApplicationError(_("Choose an active partner."), code="partner_not_active", field="partner")
    if not partner_access_gate(tenant=tenant, partner_id=partner.pk).is_open:
        raise ApplicationError(
            _("This partner has not finished onboarding, so it has no sales access yet."),
            code="onboarding_incomplete",
            field="partner",
        )
    with transaction.atomic():
        lead = _locked(lead)
        if lead.status not in OFFERABLE:
            raise ConflictError(_("This lead can no longer be offered."), code="lead_not_offerable")
        if lead.offered_to_id == partner.pk and lead.status == LeadStatus.OFFERED:
            raise ConflictError(_("The lead is already offered to this partner."), code="already_offered")
        if LeadOffer.objects.filter(lead=lead, partner=partner, status__in=routing.EXCLUDING_OFFER_STATUSES).exists():
            raise ApplicationError(
                _("This partner declined this lead or let it expire; offer it to another partner."),
                code="partner_declined",
                field="partner",
            )
        _close_open_offer(lead=lead, status=OfferStatus.WITHDRAWN, now=now)
        load = routing.partner_load(tenant=tenant, partner_id=partner.pk)
        why = {
            "rule": "manual",
            "chosen_by": getattr(person_of(actor), "email", "") or str(actor or ""),
            "note": note.strip()[:500],
            "chosen": {
                "partner": partner.name,
                "partner_id": str(partner.public_id),
                "tier": partner.tier.name if partner.tier_id else None,
                "tier_rank": partner.tier.rank if partner.tier_id else None,
                "load": load,
            },
            "reason": _("Chosen by a manager.") + (f" {note.strip()[:500]}" if note.strip() else ""),
        }
        return _offer(tenant=tenant, actor=actor, lead=lead, partner=partner, routing_why=why, manual=True, now=now)
