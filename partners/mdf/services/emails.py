"""The MDF emails, sent only after the outer commit: managers on new requests and claims, the partner's admins on decisions."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from ecosystem.accounts.notifications import email_partner_admins_on_commit
from ecosystem.tenancy.models import Tenant

# --- emails ----------------------------------------------------------------------------------------


def _managers_on_commit(*, tenant: Tenant, subject: str, body: str) -> None:
    from deals.notifications import manager_addresses

    recipients = sorted(set(manager_addresses(tenant=tenant)))
    if recipients:
        transaction.on_commit(lambda: send_mail(subject=subject, message=body, from_email=None, recipient_list=recipients))


def _link(tenant: Tenant, path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path.format(slug=tenant.slug)}"


def _partner_email(*, tenant: Tenant, partner_id: int, subject: str, body: str) -> None:
    email_partner_admins_on_commit(
        reason="mdf: tell the partner's admins about a decision on their own request or claim",
        tenant=tenant,
        partner_id=partner_id,
        subject=subject,
        body=body,
    )
