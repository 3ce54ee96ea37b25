"""The steps every workflow service shares: clean a text, lock the registration, check its status, decide.

Private to the package (and to :mod:`deals.takeover`, which decides with the same steps). Each
service of the submodules runs them in this order inside its transaction: ``_lock``,
``_require_status``, then ``_decide`` (or ``_approve``, which holds the claims first).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from ecosystem.accounts.selectors import person_of
from ecosystem.audit.services import audit_record
from ecosystem.errors import ApplicationError, ConflictError, NotFoundError
from ecosystem.tenancy.models import Tenant

from ..cosell import cosell_invitations_close
from ..models import (
    ACTIVE_STATUSES,
    OPEN_FOR_DECISION,
    DealRegistration,
    DecisionAction,
    RegistrationClaim,
    RegistrationDecision,
    RegistrationStatus,
)
from ..registrations import _claim, engagement_rules, protection_days_for, solution_team_join

REASON_MAX = 1000
# Registrations a retiring partner gives up: waiting for a decision, or approved and protected.
RELEASABLE = (*OPEN_FOR_DECISION, RegistrationStatus.APPROVED)


def _clean_text(value: str | None, *, field: str, required: bool, max_length: int = REASON_MAX) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ApplicationError(_("Give a reason the partner can read."), code="required", field=field)
    if len(text) > max_length:
        raise ApplicationError(_("Use at most %(n)s characters.") % {"n": max_length}, code="max_length", field=field)
    return text


def _lock(*, tenant: Tenant, registration: DealRegistration, partner_id: int | None = None) -> DealRegistration:
    """The registration's row, locked for this transaction. A partner gets 404 for another organisation's."""
    queryset = DealRegistration.objects.select_for_update(of=("self",)).select_related("partner__tier", "submitted_by")
    locked = queryset.filter(tenant=tenant, pk=registration.pk).first()
    if locked is None or (partner_id is not None and locked.partner_id != partner_id):
        raise NotFoundError()
    return locked


def _require_status(registration: DealRegistration, allowed: tuple[str, ...], message: str) -> None:
    if registration.status not in allowed:
        raise ApplicationError(message, code="invalid_status")


def _decide(
    *,
    tenant: Tenant,
    actor: Any,
    registration: DealRegistration,
    action: str,
    rule: str,
    reason: str = "",
    to_status: str | None = None,
    audit_action: str,
    changes: dict | None = None,
    update_fields: tuple[str, ...] = (),
) -> RegistrationDecision:
    """Move ``registration`` to ``to_status`` (if given), save, and write its decision and audit rows.

    A move out of the active statuses (rejected, expired, won, lost, withdrawn, released, taken
    over, or back under review) also closes the registration's open co-sell invitations
    (:func:`~deals.cosell.cosell_invitations_close`): nobody could accept them any more. Every
    service that ends a registration goes through here, so none can forget it.
    """
    from_status = registration.status
    fields = set(update_fields)
    if to_status is not None and to_status != from_status:
        registration.status = to_status
        fields.add("status")
    if fields:
        registration.save(update_fields=[*sorted(fields), "updated_at"])
    if registration.status != from_status and registration.status not in ACTIVE_STATUSES:
        closed = cosell_invitations_close(tenant=tenant, registration=registration)
        if closed:
            changes = {**(changes or {}), "invitations_closed": closed}
    decision = RegistrationDecision.objects.create(
        tenant=tenant,
        registration=registration,
        partner_id=registration.partner_id,
        action=action,
        rule=rule,
        reason=reason[:REASON_MAX],
        from_status=from_status,
        to_status=registration.status,
        decided_by=person_of(actor),
    )
    audit_record(
        tenant=tenant,
        actor=actor,
        action=audit_action,
        target=registration,
        changes={"from": from_status, "to": registration.status, "rule": rule, **(changes or {})},
    )
    return decision


def _hold_claims(registration: DealRegistration) -> None:
    """Make sure the registration holds its product lines; ConflictError (naming nobody) when taken."""
    if RegistrationClaim.objects.filter(registration=registration, is_active=True).exists():
        return
    if not _claim(registration):
        raise ConflictError(
            _(
                "Another active registration holds this customer and product line. Reject or close that one "
                "first, or wait until its protection ends."
            ),
            code="claim_taken",
        )


def _approve(*, tenant: Tenant, actor: Any, registration: DealRegistration, rule: str, reason: str) -> RegistrationDecision:
    """Approve a locked registration: claims held, protection set from the partner's tier or the program."""
    _hold_claims(registration)
    days, days_rule = protection_days_for(partner=registration.partner, rules=engagement_rules(tenant=tenant))
    registration.protected_until = timezone.localdate() + datetime.timedelta(days=days)
    registration.decided_at = timezone.now()
    registration.expiry_reminded_at = None
    decision = _decide(
        tenant=tenant,
        actor=actor,
        registration=registration,
        action=DecisionAction.APPROVED,
        rule=f"{rule}+{days_rule}",
        reason=reason or _("Approved: protected for %(days)s days.") % {"days": days},
        to_status=RegistrationStatus.APPROVED,
        audit_action="deals.registration_approve",
        changes={"protected_until": registration.protected_until.isoformat()},
        update_fields=("protected_until", "decided_at", "expiry_reminded_at"),
    )
    # A registration that waited under review (or was overturned on appeal) gets its joint
    # solution's team now that it is active; idempotent for one whose team joined at submission.
    solution_team_join(tenant=tenant, actor=actor, registration=registration)
    return decision
