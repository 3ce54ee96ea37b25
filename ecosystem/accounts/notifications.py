"""Emails to a partner organisation's admins, sent only once the business transaction commits."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string

from ecosystem.tenancy.context import across_partners
from ecosystem.tenancy.models import Tenant

from .models import Membership, Role


def partner_admin_emails(*, tenant: Tenant, partner_id: int, reason: str) -> list[str]:
    """The addresses of one partner organisation's active admins, oldest membership first.

    It reads another organisation's memberships when called in a partner user's scope, so the
    caller says why (``reason``, as for every ``across_partners``).
    """
    with across_partners(reason=reason):
        return list(
            Membership.objects.filter(tenant=tenant, partner_id=partner_id, role=Role.PARTNER_ADMIN, is_active=True)
            .order_by("id")
            .values_list("user__email", flat=True)
        )


def email_partner_admins_on_commit(
    *,
    tenant: Tenant,
    partner_id: int,
    subject: str,
    reason: str,
    body: str | None = None,
    template: str | None = None,
    context: dict[str, Any] | None = None,
) -> None:
    """Queue one email to the partner's admins for after the outer commit (nothing leaves on a rollback).

    The text is ``body``, or ``template`` rendered with ``tenant``, ``site_url`` and ``context``.
    """
    recipients = partner_admin_emails(tenant=tenant, partner_id=partner_id, reason=reason)
    if not recipients:
        return
    if body is None:
        body = render_to_string(template, {"tenant": tenant, "site_url": settings.SITE_URL.rstrip("/"), **(context or {})})
    transaction.on_commit(lambda: send_mail(subject=subject, message=body, from_email=None, recipient_list=recipients))
