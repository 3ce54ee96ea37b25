"""Applications from the public page: submit (merging a second one for the same domain), approve, reject.

Approval creates the partner organisation, its admin's invitation and its onboarding plan in one
transaction; the applicant is emailed only after commit.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from ecosystem.accounts.models import Role
from ecosystem.accounts.selectors import person_of
from ecosystem.accounts.services import invitation_create
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError
from ecosystem.tenancy.models import Tenant
from ecosystem.webhooks import events as webhook_events
from onboarding.models import ApplicationStatus, DealVolume, PartnerApplication
from onboarding.screening_services import require_no_open_match, screen_application
from partners.domains import normalize_domain
from partners.models import PartnerOrganization, PartnerStatus, PartnerType
from partners.services import clean_capabilities, clean_regions, partner_create

from .plans import plan_create_for_partner


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class SubmittedApplication:
    application: PartnerApplication
    status_url: str | None  # carries the token: the email and the thank-you page only; None for a second contact
    merged: bool  # True when an open application for the same domain was updated


def _clean_application(values: dict[str, Any], *, tenant: Tenant) -> dict[str, Any]:
    cleaned = dict(values)
    for field, label in (("company_name", _("Enter your company's name.")), ("contact_name", _("Enter your name."))):
        cleaned[field] = (cleaned.get(field) or "").strip()
        if not cleaned[field]:
            raise ApplicationError(label, code="required", field=field)
    if not (values.get("website_domain") or "").strip():
        raise ApplicationError(_("Enter your company's website domain."), code="required", field="website_domain")
    cleaned["website_domain"] = normalize_domain(values["website_domain"])
    cleaned["contact_email"] = (cleaned.get("contact_email") or "").strip().lower()
    try:
        validate_email(cleaned["contact_email"])
    except ValidationError:
        raise ApplicationError(_("Enter a valid email address."), code="invalid_email", field="contact_email") from None
    if cleaned.get("partner_type") not in PartnerType.values:
        raise ApplicationError(_("Choose how you would partner with us."), code="invalid_choice", field="partner_type")
    if cleaned.get("expected_deal_volume") not in DealVolume.values:
        raise ApplicationError(_("Choose your expected deal volume."), code="invalid_choice", field="expected_deal_volume")
    cleaned["regions"] = clean_regions(cleaned.get("regions"))
    cleaned["country"] = (cleaned.get("country") or "").upper()
    if cleaned["country"] and cleaned["country"] not in countries:
        raise ApplicationError(_("Choose a valid country."), code="invalid_choice", field="country")
    cleaned["capabilities"] = clean_capabilities(tenant=tenant, slugs=cleaned.get("capabilities"))
    cleaned["message"] = (cleaned.get("message") or "").strip()[:2000]
    return cleaned


def application_submit(*, tenant: Tenant, **values: Any) -> SubmittedApplication:
    """Take an application from the public page.

    A second application for a domain that already has one waiting is merged into it (the
    newest answers win, ``submissions`` counts them) and the applicant is told so. The partial
    unique index decides between two submissions racing for the same domain.
    """
    cleaned = _clean_application(values, tenant=tenant)
    token = secrets.token_urlsafe(24)
    with transaction.atomic():
        existing = (
            PartnerApplication.objects.select_for_update()
            .filter(tenant=tenant, website_domain=cleaned["website_domain"], status=ApplicationStatus.SUBMITTED)
            .first()
        )
        same_contact = existing is not None and existing.contact_email == cleaned["contact_email"]
        if existing is not None and not same_contact:
            # Someone else applying for the same company must not take over the application: the
            # first contact keeps it (and its status link); the newcomer is noted for the reviewer.
            note = f"Also applied: {cleaned['contact_name']} <{cleaned['contact_email']}>"
            existing.message = f"{existing.message}\n{note}".strip()[:2000]
            existing.submissions += 1
            existing.save(update_fields=["message", "submissions", "updated_at"])
            application, merged, token = existing, True, None
        elif existing is not None:
            for field, value in cleaned.items():
                setattr(existing, field, value)
            existing.submissions += 1
            existing.status_token_hash = _token_hash(token)
            existing.save()
            application, merged = existing, True
        else:
            try:
                with transaction.atomic():
                    application = PartnerApplication.objects.create(
                        tenant=tenant, status_token_hash=_token_hash(token), **cleaned
                    )
            except IntegrityError:
                raise ApplicationError(
                    _("An application for this domain arrived at the same moment. Please send yours again."),
                    code="concurrent_application",
                    field="website_domain",
                ) from None
            merged = False
        screen_application(tenant=tenant, application=application)
        audit_record(
            tenant=tenant,
            actor=None,
            action="application.merge" if merged else "application.submit",
            target=application,
            changes={"website_domain": application.website_domain, "contact_email": application.contact_email},
        )
        status_url = (
            reverse("onboarding_public:application_status", kwargs={"tenant_slug": tenant.slug, "token": token})
            if token
            else None
        )
        if status_url:
            transaction.on_commit(lambda: _email_applicant(tenant=tenant, application=application, status_url=status_url))
    return SubmittedApplication(application=application, status_url=status_url, merged=merged)


def _email_applicant(*, tenant: Tenant, application: PartnerApplication, status_url: str | None = None) -> None:
    context = {
        "tenant": tenant,
        "application": application,
        "status_url": settings.SITE_URL.rstrip("/") + status_url if status_url else None,
    }
    send_mail(
        subject=_("Your application to %(program)s") % {"program": tenant.name},
        message=render_to_string("onboarding/email/application_status.txt", context),
        from_email=None,
        recipient_list=[application.contact_email],
    )


def application_by_token(*, tenant: Tenant, token: str) -> PartnerApplication | None:
    return PartnerApplication.objects.filter(tenant=tenant, status_token_hash=_token_hash(token or "")).first()


def _lock_open_application(application: PartnerApplication) -> PartnerApplication:
    locked = PartnerApplication.objects.select_for_update().get(pk=application.pk)
    if locked.status != ApplicationStatus.SUBMITTED:
        raise ApplicationError(_("This application has already been decided."), code="already_decided")
    return locked


def application_approve(*, tenant: Tenant, actor: Any, application: PartnerApplication) -> PartnerOrganization:
    """Approve: in one transaction, the partner organisation, its admin's invitation and its onboarding plan."""
    with transaction.atomic():
        locked = _lock_open_application(application)
        require_no_open_match(tenant=tenant, application=locked)
        partner = partner_create(
            tenant=tenant,
            actor=actor,
            name=locked.company_name,
            partner_type=locked.partner_type,
            website_domain=locked.website_domain,
            country=locked.country.code or "",
            status=PartnerStatus.ONBOARDING,
        )
        invitation_create(
            tenant=tenant, actor=actor, inviter=None, email=locked.contact_email, role=Role.PARTNER_ADMIN, partner=partner
        )
        plan = plan_create_for_partner(tenant=tenant, actor=actor, partner=partner)
        locked.status = ApplicationStatus.APPROVED
        locked.partner = partner
        locked.decided_by = person_of(actor)  # None for an API key (the audit row names it)
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "partner", "decided_by", "decided_at", "updated_at"])
        audit_record(
            tenant=tenant,
            actor=actor,
            action="application.approve",
            target=locked,
            changes={"partner": str(partner.public_id), "plan": str(plan.public_id) if plan else None},
        )
        webhook_events.partner(
            tenant=tenant, event_type="partner.approved", partner=partner, application_id=str(locked.public_id)
        )
        transaction.on_commit(lambda: _email_applicant(tenant=tenant, application=locked))
    return partner


def application_reject(*, tenant: Tenant, actor: Any, application: PartnerApplication, reason: str) -> PartnerApplication:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Give a reason: the applicant will read it."), code="required", field="reason")
    with transaction.atomic():
        locked = _lock_open_application(application)
        locked.status = ApplicationStatus.REJECTED
        locked.decision_reason = reason[:500]
        locked.decided_by = person_of(actor)  # None for an API key (the audit row names it)
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decision_reason", "decided_by", "decided_at", "updated_at"])
        audit_record(tenant=tenant, actor=actor, action="application.reject", target=locked, changes={"reason": reason[:500]})
        transaction.on_commit(lambda: _email_applicant(tenant=tenant, application=locked))
    return locked
