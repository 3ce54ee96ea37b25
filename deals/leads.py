"""Leads: the vendor hands a prospect to a partner, by hand or by routing, and the partner answers in time.

The life of a lead (``Lead.status``):

* ``new`` → a manager offers it to a partner they choose (:func:`lead_offer_manual`) or lets the
  routing choose (:func:`lead_route`, the rule is in :mod:`deals.routing`) → ``offered``; nobody
  fits → ``unmatched`` (the reason is in the audit row ``deals.lead_unmatched`` and on the page).
* ``offered`` → the partner accepts (``accepted``) or declines with a reason; a decline, or no
  answer by ``respond_by`` (:func:`lead_expire_sweep`, every 15 minutes), pulls the lead back and
  offers it to the next candidate at once. A partner who declined or let it expire is never offered
  that lead again.
* ``accepted`` → the partner converts it into a deal registration (:func:`lead_convert`) →
  ``converted``, linked to the registration.
* A manager may withdraw it at any time before conversion (``withdrawn``).

Invariants, kept in one transaction with the lead's row locked: ``Lead.offered_to`` and
``Lead.respond_by`` mirror the one open ``LeadOffer`` (the partial unique index allows one per
lead); a lead is readable by the partner in ``offered_to`` only (row-level security), so a
partner loses sight of a lead the moment it is pulled back. Every change writes an audit row;
the offered partner's admins are emailed after commit.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.accounts.models import Membership, Role
from ecosystem.accounts.selectors import person_of
from ecosystem.audit.models import AuditEntry
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError, ConflictError, NotFoundError
from ecosystem.tenancy.context import across_partners
from ecosystem.tenancy.models import Tenant
from onboarding.services import partner_access_gate
from partners.models import Capability, PartnerOrganization, PartnerStatus, PartnerType, Region

from . import accounts as account_services
from . import routing
from .models import Lead, LeadOffer, LeadRoutingDetail, LeadStatus, OfferStatus, ProductLine
from .registrations import Submitted, engagement_rules, registration_submit

MAX_VALUE = Decimal("999999999999.99")
# A manager may (re)offer a lead in these states; routing runs from the same ones.
OFFERABLE = (LeadStatus.NEW, LeadStatus.UNMATCHED, LeadStatus.OFFERED)


# --- input -------------------------------------------------------------------------------------


def _text(values: dict[str, Any], key: str, limit: int) -> str:
    return " ".join(str(values.get(key) or "").split())[:limit]


def _slugs(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [part for part in value.replace(",", " ").split() if part]
    return sorted({str(slug).strip() for slug in value or [] if str(slug).strip()})


def clean_lead(*, tenant: Tenant, values: dict[str, Any]) -> dict[str, Any]:
    """Every field checked; the first problem raised with its field name. Returns the model's values."""
    company = _text(values, "company_name", 201)
    if not company:
        raise ApplicationError(_("Enter the company's name."), code="required", field="company_name")
    if len(company) > 200:
        raise ApplicationError(_("Use at most 200 characters."), code="max_length", field="company_name")
    domain = str(values.get("domain") or "").strip()
    if domain:
        try:
            _name, domain = account_services.clean_customer(name=company, domain=domain)
        except ApplicationError as error:  # the customer helpers name their own field: here it is "domain"
            raise ApplicationError(error.message, code=error.code, field="domain") from None
    email = str(values.get("contact_email") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ApplicationError(_("Enter a valid email address."), code="invalid_email", field="contact_email") from None
    region = str(values.get("region") or "")
    if region and region not in Region.values:
        raise ApplicationError(_("Choose a region from the list."), code="invalid_choice", field="region")
    partner_type = str(values.get("partner_type") or "")
    if partner_type and partner_type not in PartnerType.values:
        raise ApplicationError(_("Choose a partner type from the list."), code="invalid_choice", field="partner_type")
    capabilities = _slugs(values.get("capabilities"))
    if capabilities:
        known = set(Capability.objects.filter(tenant=tenant, slug__in=capabilities).values_list("slug", flat=True))
        if set(capabilities) - known:
            raise ApplicationError(_("Choose capabilities from the list."), code="invalid_choice", field="capabilities")
    product_lines = _slugs(values.get("product_lines"))
    if product_lines:
        known = set(
            ProductLine.objects.filter(tenant=tenant, is_active=True, slug__in=product_lines).values_list("slug", flat=True)
        )
        if set(product_lines) - known:
            raise ApplicationError(_("Choose product lines from the list."), code="invalid_choice", field="product_lines")
    raw_value = values.get("estimated_value")
    value = None
    if raw_value not in (None, ""):
        try:
            value = Decimal(str(raw_value).replace(",", "").strip())
        except InvalidOperation:
            value = Decimal("NaN")
        if not value.is_finite() or value < 0 or value > MAX_VALUE:
            raise ApplicationError(
                _("Enter the estimated value as a number between 0 and 999,999,999,999."),
                code="invalid_number",
                field="estimated_value",
            )
        value = value.quantize(Decimal("0.01"))
    currency = str(values.get("currency") or "").strip().upper()
    if currency and (len(currency) != 3 or not currency.isalpha()):
        raise ApplicationError(_("Enter a three-letter currency code such as USD."), code="invalid_currency", field="currency")
    if value is not None and not currency:
        raise ApplicationError(_("Enter the currency of the estimated value."), code="required", field="currency")
    return {
        "company_name": company,
        "domain": domain,
        "contact_name": _text(values, "contact_name", 150),
        "contact_email": email[:254],
        "region": region,
        "partner_type": partner_type,
        "capabilities": capabilities,
        "product_lines": product_lines,
        "estimated_value": value,
        "currency": currency,
        "notes": str(values.get("notes") or "").strip()[:4000],
    }


# --- creating ----------------------------------------------------------------------------------


def lead_create(*, tenant: Tenant, actor: Any, values: dict[str, Any]) -> Lead:
    """A new lead (status ``new``). With a website domain it is linked to the customer account, created if new."""
    data = clean_lead(tenant=tenant, values=values)
    with transaction.atomic():
        account = None
        if data["domain"]:
            account, _created = account_services.account_for_customer(
                tenant=tenant, name=data["company_name"], domain=data["domain"]
            )
        lead = Lead.objects.create(tenant=tenant, account=account, created_by=person_of(actor), **data)
        audit_record(
            tenant=tenant,
            actor=actor,
            action="deals.lead_create",
            target=lead,
            changes={"region": lead.region, "partner_type": lead.partner_type, "capabilities": lead.capabilities},
        )
    return lead


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
    lead.save(update_fields=["status", "offered_to", "respond_by", "updated_at"])
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


# --- reads -------------------------------------------------------------------------------------


def access_lead(*, tenant: Tenant, public_id: Any, partner_id: int | None = None) -> Lead:
    """The lead, or 404 for missing and not yours alike (a partner: only leads offered to it now)."""
    queryset = Lead.objects.filter(tenant=tenant).select_related("offered_to", "registration", "account")
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
        "registration"
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
