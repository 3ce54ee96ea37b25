"""Deal registration emails: who hears about what, always after the transaction commits.

* **Submitted** → the program's owners and partner managers (they work the queue).
* **Decided** (approved, rejected, appeal decided, extension decided), **more information
  requested**, **protection expiring** or **expired** → the registering partner's admins and the
  person who submitted it.
* **Appeal submitted** → the manager it is assigned to; **extension requested** → the managers.

Recipients are read now, inside the caller's transaction (and its tenant scope); the mail is sent
only from ``transaction.on_commit``, so a rolled-back decision never emails anyone. Nothing sent to
a partner names another partner: the templates read the registration's own fields and the
decision's partner-readable ``reason``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string

from ecosystem.accounts.models import PARTNER_EDITOR_ROLES, Membership, Role
from ecosystem.tenancy.context import across_partners
from ecosystem.tenancy.models import Tenant

from .models import DealRegistration, RegistrationAppeal, RegistrationDecision, RegistrationExtension


def _site_url() -> str:
    return settings.SITE_URL.rstrip("/")


def _send_on_commit(*, subject: str, template: str, context: dict, recipients: Iterable[str]) -> None:
    recipients = sorted({address for address in recipients if address})
    if not recipients:
        return
    context = {**context, "site_url": _site_url()}
    transaction.on_commit(
        lambda: send_mail(
            subject=subject,
            message=render_to_string(template, context),
            from_email=None,
            recipient_list=recipients,
        )
    )


def manager_addresses(*, tenant: Tenant) -> list[str]:
    """The active owners and partner managers of the program."""
    with across_partners(reason="notify: a partner's action reaches the program's managers (addresses only)"):
        return list(
            Membership.objects.filter(
                tenant=tenant, partner__isnull=True, role__in=PARTNER_EDITOR_ROLES, is_active=True
            ).values_list("user__email", flat=True)
        )


def partner_addresses(*, tenant: Tenant, registration: DealRegistration) -> list[str]:
    """The registering partner's active admins, and the person who submitted the registration."""
    addresses = list(
        Membership.objects.filter(
            tenant=tenant, partner_id=registration.partner_id, role=Role.PARTNER_ADMIN, is_active=True
        ).values_list("user__email", flat=True)
    )
    if registration.submitted_by_id is not None:
        still_member = Membership.objects.filter(
            tenant=tenant, partner_id=registration.partner_id, user_id=registration.submitted_by_id, is_active=True
        ).values_list("user__email", flat=True)
        addresses.extend(still_member)
    return addresses


def notify_registration_submitted(*, tenant: Tenant, registration: DealRegistration) -> None:
    _send_on_commit(
        subject=f"[{tenant.name}] New deal registration: {registration.customer_name}",
        template="deals/email/submitted.txt",
        context={"tenant": tenant, "registration": registration},
        recipients=manager_addresses(tenant=tenant),
    )


def notify_registration_decided(*, tenant: Tenant, registration: DealRegistration, decision: RegistrationDecision) -> None:
    """A decision the partner must hear about (approved, rejected, info requested, extended, appeal outcome)."""
    _send_on_commit(
        subject=f"[{tenant.name}] Your deal registration for {registration.customer_name}: "
        f"{registration.get_status_display().lower()}",
        template="deals/email/decision.txt",
        context={"tenant": tenant, "registration": registration, "decision": decision},
        recipients=partner_addresses(tenant=tenant, registration=registration),
    )


def notify_info_requested(*, tenant: Tenant, registration: DealRegistration, question: str) -> None:
    _send_on_commit(
        subject=f"[{tenant.name}] More information needed: {registration.customer_name}",
        template="deals/email/info_requested.txt",
        context={"tenant": tenant, "registration": registration, "question": question},
        recipients=partner_addresses(tenant=tenant, registration=registration),
    )


def notify_expiry_warning(*, tenant: Tenant, registration: DealRegistration) -> None:
    _send_on_commit(
        subject=f"[{tenant.name}] Deal protection ends {registration.protected_until:%Y-%m-%d}: {registration.customer_name}",
        template="deals/email/expiry_warning.txt",
        context={"tenant": tenant, "registration": registration},
        recipients=partner_addresses(tenant=tenant, registration=registration),
    )


def notify_expired(*, tenant: Tenant, registration: DealRegistration) -> None:
    _send_on_commit(
        subject=f"[{tenant.name}] Deal protection ended: {registration.customer_name}",
        template="deals/email/expired.txt",
        context={"tenant": tenant, "registration": registration},
        recipients=partner_addresses(tenant=tenant, registration=registration),
    )


def notify_appeal_assigned(*, tenant: Tenant, appeal: RegistrationAppeal) -> None:
    reviewer = appeal.assigned_to
    _send_on_commit(
        subject=f"[{tenant.name}] An appeal is waiting for you: {appeal.registration.customer_name}",
        template="deals/email/appeal_assigned.txt",
        context={"tenant": tenant, "appeal": appeal, "registration": appeal.registration},
        recipients=[reviewer.email] if reviewer else [],
    )


def notify_extension_requested(*, tenant: Tenant, extension: RegistrationExtension) -> None:
    _send_on_commit(
        subject=f"[{tenant.name}] Extension requested: {extension.registration.customer_name}",
        template="deals/email/extension_requested.txt",
        context={"tenant": tenant, "extension": extension, "registration": extension.registration},
        recipients=manager_addresses(tenant=tenant),
    )
