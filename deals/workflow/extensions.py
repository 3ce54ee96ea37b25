"""A partner asks for more protection on an approved registration; a manager grants or declines it."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.accounts.selectors import person_of
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError, ConflictError, NotFoundError
from ecosystem.tenancy.models import Tenant

from .. import notifications
from ..models import (
    DealRegistration,
    DecisionAction,
    ExtensionStatus,
    RegistrationDecision,
    RegistrationExtension,
    RegistrationStatus,
)
from ..registrations import engagement_rules
from .steps import _clean_text, _decide, _lock, _require_status


def extension_request(
    *, tenant: Tenant, actor: Any, partner_id: int, registration: DealRegistration, reason: str
) -> RegistrationExtension:
    """The partner asks for more protection on its approved registration; one request waits at a time."""
    reason = _clean_text(reason, field="reason", required=True, max_length=2000)
    with transaction.atomic():
        locked = _lock(tenant=tenant, registration=registration, partner_id=partner_id)
        _require_status(locked, (RegistrationStatus.APPROVED,), _("Only an approved registration can be extended."))
        try:
            with transaction.atomic():
                extension = RegistrationExtension.objects.create(
                    tenant=tenant, registration=locked, partner_id=locked.partner_id, reason=reason, requested_by=person_of(actor)
                )
        except IntegrityError:
            raise ConflictError(_("An extension request is already waiting for an answer."), code="extension_open") from None
        audit_record(
            tenant=tenant,
            actor=actor,
            action="deals.extension_request",
            target=extension,
            changes={"registration": str(locked.public_id)},
        )
        notifications.notify_extension_requested(tenant=tenant, extension=extension)
    return extension


def extension_decide(
    *, tenant: Tenant, actor: Any, extension: RegistrationExtension, grant: bool, reason: str = ""
) -> RegistrationExtension:
    """Grant (protection + ``extension_days`` of the rules, rule ``extension_granted``) or decline a request.

    Declining needs a reason the partner reads. A granted extension re-arms the expiry reminder.
    """
    reason = _clean_text(reason, field="reason", required=not grant)
    with transaction.atomic():
        locked_ext = RegistrationExtension.objects.select_for_update(of=("self",)).filter(tenant=tenant, pk=extension.pk).first()
        if locked_ext is None:
            raise NotFoundError()
        if locked_ext.status != ExtensionStatus.REQUESTED:
            raise ApplicationError(_("This request was answered already."), code="invalid_status")
        registration = _lock(tenant=tenant, registration=locked_ext.registration)
        locked_ext.decided_by = person_of(actor)
        locked_ext.decided_at = timezone.now()
        locked_ext.decision_reason = reason
        if grant:
            _require_status(registration, (RegistrationStatus.APPROVED,), _("The registration is no longer approved."))
            days = engagement_rules(tenant=tenant).extension_days
            before = registration.protected_until or timezone.localdate()
            registration.protected_until = max(before, timezone.localdate()) + datetime.timedelta(days=days)
            registration.expiry_reminded_at = None
            locked_ext.status, locked_ext.days = ExtensionStatus.GRANTED, days
            decision = _decide(
                tenant=tenant,
                actor=actor,
                registration=registration,
                action=DecisionAction.EXTENDED,
                rule="extension_granted",
                reason=reason or _("Protection extended by %(days)s days.") % {"days": days},
                audit_action="deals.extension_grant",
                changes={"protected_until": [before.isoformat(), registration.protected_until.isoformat()]},
                update_fields=("protected_until", "expiry_reminded_at"),
            )
            locked_ext.save(update_fields=["status", "days", "decided_by", "decided_at", "decision_reason"])
            notifications.notify_registration_decided(tenant=tenant, registration=registration, decision=decision)
        else:
            locked_ext.status = ExtensionStatus.DECLINED
            locked_ext.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
            audit_record(
                tenant=tenant,
                actor=actor,
                action="deals.extension_decline",
                target=locked_ext,
                changes={"rule": "extension_declined", "registration": str(registration.public_id), "reason": reason},
            )
            decision = RegistrationDecision(
                tenant=tenant,
                registration=registration,
                partner_id=registration.partner_id,
                action=DecisionAction.EXTENDED,
                rule="extension_declined",
                reason=reason,
            )
            notifications.notify_registration_decided(tenant=tenant, registration=registration, decision=decision)
    return locked_ext
