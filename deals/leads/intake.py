"""Leads: checking what a manager typed, and creating the lead."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from ecosystem.accounts.selectors import person_of
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.models import Tenant
from partners.models import Capability, PartnerType, Region
from partners.solutions.selectors import solution_for_lead

from .. import accounts as account_services
from ..amounts import CENTS, MAX_AMOUNT, amount_from_text
from ..models import Lead, LeadStatus, ProductLine

MAX_VALUE = MAX_AMOUNT  # kept under its old name: deals.leads exports it


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
        value = amount_from_text(raw_value)
        if value is None or value < 0 or value > MAX_VALUE:
            raise ApplicationError(
                _("Enter the estimated value as a number between 0 and 999,999,999,999."),
                code="invalid_number",
                field="estimated_value",
            )
        value = value.quantize(CENTS)
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
        "joint_solution": solution_for_lead(tenant=tenant, public_id=values.get("joint_solution")),
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
            changes={
                "region": lead.region,
                "partner_type": lead.partner_type,
                "capabilities": lead.capabilities,
                "joint_solution": str(lead.joint_solution.public_id) if lead.joint_solution else None,
            },
        )
    return lead


def lead_solution_set(*, tenant: Tenant, actor: Any, lead: Lead, joint_solution: Any) -> Lead:
    """Staff set (a solution in market's public id) or clear (empty) the joint solution a lead is for.

    Refused once the lead is converted or withdrawn (``lead_closed``): the registration carries its
    own reference from then on. When the lead converts, the solution carries to the registration
    if the converting partner delivers it (:func:`deals.leads.lead_convert`).
    """
    from .offers import _locked

    solution = solution_for_lead(tenant=tenant, public_id=joint_solution)
    with transaction.atomic():
        locked = _locked(lead)
        if locked.status in (LeadStatus.CONVERTED, LeadStatus.WITHDRAWN):
            raise ApplicationError(_("A converted or withdrawn lead keeps its solution."), code="lead_closed")
        previous = locked.joint_solution_id
        locked.joint_solution = solution
        locked.save(update_fields=["joint_solution", "updated_at"])
        audit_record(
            tenant=tenant,
            actor=actor,
            action="deals.lead_solution_set",
            target=locked,
            changes={"from": previous, "joint_solution": str(solution.public_id) if solution else None},
        )
    return locked


def lead_campaign_set(*, tenant: Tenant, actor: Any, lead: Lead, mdf_request: Any, partner_id: int | None = None) -> Lead:
    """Tag the lead with an MDF campaign (a public id) of the lead's partner, or clear the tag (empty).

    The lead's partner is the one it is offered to, accepted or converted by (``offered_to``): staff
    pick one of that partner's approved campaigns; a partner user (``partner_id``) only one of its
    own, on a lead it holds. A lead with no partner yet, or withdrawn, cannot be tagged. Anything else
    is a field error on ``mdf_request`` and nothing changes. The MDF ROPI counts tagged leads
    (:func:`partners.mdf.selectors.campaigns_with_ropi`); the tag carries to the registration when
    the partner converts the lead.
    """
    from partners.mdf.selectors import campaign_for_registration

    from .offers import _locked

    with transaction.atomic():
        locked = _locked(lead)
        if partner_id is not None and locked.offered_to_id != partner_id:
            raise ApplicationError(_("This lead is not yours to tag."), code="lead_not_yours", field="mdf_request")
        if locked.status == LeadStatus.WITHDRAWN or locked.offered_to_id is None:
            raise ApplicationError(
                _("Offer the lead to a partner first: it can carry only a campaign of its partner."),
                code="no_partner",
                field="mdf_request",
            )
        campaign = None
        if mdf_request not in (None, ""):
            try:
                campaign = campaign_for_registration(tenant=tenant, partner_id=locked.offered_to_id, public_id=mdf_request)
            except ApplicationError as error:
                if partner_id is not None:
                    raise
                raise ApplicationError(
                    _("Choose an approved MDF campaign of %(partner)s, the lead's partner.") % {"partner": locked.offered_to},
                    code=error.code,
                    field="mdf_request",
                ) from None
        previous = locked.mdf_request_id
        locked.mdf_request = campaign
        locked.save(update_fields=["mdf_request", "updated_at"])
        audit_record(
            tenant=tenant,
            actor=actor,
            action="deals.lead_campaign_set",
            target=locked,
            changes={"from": previous, "mdf_request": str(campaign.public_id) if campaign else None},
        )
    return locked
